"""``diagnose``: one forward and backward pass, read like a doctor reads a blood test.

* :mod:`viz.diagnosis.diagnosis` -- :func:`diagnose` and the :class:`Diagnosis` it returns
  (the thresholds and what each means are in its docstring);
* :mod:`viz.diagnosis.measure` -- the per-layer measurements;
* :mod:`viz.diagnosis.findings` -- the rules that turn them into :class:`Finding` s with advice;
* :mod:`viz.diagnosis.plot` -- :func:`plot_diagnosis`.
"""

from viz.diagnosis.diagnosis import Diagnosis, diagnose
from viz.diagnosis.findings import KINDS, Finding
from viz.diagnosis.plot import plot_diagnosis

__all__ = ["Finding", "Diagnosis", "diagnose", "plot_diagnosis", "KINDS"]
