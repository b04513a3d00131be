"""Course tooling: what the lessons and the command line use to teach, kept apart from the engine.

* :mod:`minigrad.course.lessons` -- list, run, step through and convert the lessons
  (``tutorials/NN_title.py``), plus the helpers lessons call (``quick``, ``save_figure``);
* :mod:`minigrad.course.expression` -- the safe parser behind ``minigrad graph EXPR``
  (an expression becomes a ``Value`` graph; nothing is evaluated);
* :mod:`minigrad.course.walkthrough` -- printable forward/backward walkthroughs for
  ``minigrad demo``;
* :mod:`minigrad.course.opcheck` -- the op catalogue that ``minigrad gradcheck`` checks
  against central differences.
* :mod:`minigrad.course.experiments` -- the experiments the lessons run (activation
  statistics, the initialization sweep, optimizer trajectories); ``viz`` draws their results.

Nothing here is imported by ``import minigrad``: the engine does not depend on its course.
Import the module you need, e.g. ``from minigrad.course.lessons import run_lesson``.
"""
