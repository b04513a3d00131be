"""A wheel install carries the lessons: ``minigrad tutorial`` works from any folder.

The lessons live at the top of the repository (tutorials/); the build hook in
setup.py copies them into ``minigrad/course/tutorials/`` of the wheel. We build the
wheel, install it (without dependencies: those of the test environment serve) into a
folder of its own, and run the installed ``minigrad`` from an unrelated folder, with
that folder first on the import path so the installed copy, not this checkout, runs.
"""

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted(p.name for p in (ROOT / "tutorials").glob("[0-9][0-9]_*.py"))


def _run(args, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.slow
def test_an_installed_wheel_lists_runs_and_converts_the_lessons(tmp_path):
    pytest.importorskip("pip", reason="building the wheel needs pip")
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
          "-w", str(wheels), "-q"], cwd=tmp_path)
    (wheel,) = wheels.glob("minigrad-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert [n.rsplit("/", 1)[1] for n in names if n.startswith("minigrad/course/tutorials/") and
            n.endswith(".py")] == LESSONS

    site = tmp_path / "site"
    _run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", str(site),
          str(wheel)], cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "MPLBACKEND": "Agg"}
    probe = "import minigrad, cli; from minigrad.course import lessons; print(minigrad.__file__, cli.__file__, " \
            "lessons.TUTORIALS, lessons.REPOSITORY)"
    *where, repository = _run([sys.executable, "-c", probe], cwd=elsewhere, env=env).stdout.split()
    assert all(Path(p).is_relative_to(site) for p in where), where   # the installed copy, not the checkout
    assert repository == "None"

    minigrad = [sys.executable, "-c", "import cli; cli.main()"]
    listing = _run(minigrad + ["tutorial", "list"], cwd=elsewhere, env=env).stdout
    assert len(re.findall(r"^\s*\d+\s+\S", listing, flags=re.M)) == len(LESSONS), listing
    assert "Scalar autograd" in listing

    _run(minigrad + ["tutorial", "run", "2", "--quick", "--figures", "figs"], cwd=elsewhere, env=env)
    assert any((elsewhere / "figs").iterdir())
    _run(minigrad + ["tutorial", "notebook", "1"], cwd=elsewhere, env=env)
    assert (elsewhere / (LESSONS[0][:-3] + ".ipynb")).is_file()          # written here, not into the package
    steps = _run(minigrad + ["tutorial", "step", "1"], cwd=elsewhere, env=env, input="\nq\n").stdout
    assert "Lesson 1" in steps and "stopped." in steps
