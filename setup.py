"""Build hook: the course's lessons ship inside the wheel.

The lessons live at the top of the repository (``tutorials/NN_title.py``), where a
reader of the repository finds them. A wheel has no such folder, so when setuptools
builds the package this hook copies them into ``minigrad/course/tutorials/``, where
:mod:`minigrad.course.lessons` looks for them in an installed copy. An editable
install (``pip install -e .``) needs no copy: it reads the repository's folder.
Everything else about the build is declared in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LESSONS = Path(__file__).resolve().parent / "tutorials"
PACKAGED = ("minigrad", "course", "tutorials")  # must match minigrad/course/lessons.py


class build_py_with_lessons(build_py):
    """``build_py`` plus a copy of tutorials/NN_*.py and tutorials/README.md into the package."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib).joinpath(*PACKAGED)
        target.mkdir(parents=True, exist_ok=True)
        lessons = sorted(LESSONS.glob("[0-9][0-9]_*.py"))
        if not lessons:
            raise RuntimeError(f"no lessons to package: {LESSONS} has no NN_title.py files")
        for path in lessons + [LESSONS / "README.md"]:
            if path.is_file():
                shutil.copy2(path, target / path.name)


setup(cmdclass={"build_py": build_py_with_lessons})
