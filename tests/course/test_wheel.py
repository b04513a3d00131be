"""A wheel install carries the lessons: ``minigrad tutorial`` works from any folder.

The lessons live at the top of the repository (tutorials/); the build hook in
setup.py copies them into ``minigrad/course/tutorials/`` of the wheel. We build the
wheel (with uv, as ./run does, or pip), install it (without dependencies: those of the
test environment serve) into a folder of its own, and run the installed ``minigrad`` from an unrelated folder, with
that folder first on the import path so the installed copy, not this checkout, runs.
"""

import importlib.util
import os
import re
import shutil
import site
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


def _uv():
    """uv where ./run looks for it (PATH, the user's bin, ./run's bootstrap), or None."""
    candidates = [shutil.which("uv"), Path(site.getuserbase()) / "bin" / "uv",
                  Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "minigrad" / "uv-bootstrap" / "bin" / "uv"]
    return next((str(c) for c in candidates if c and Path(c).is_file() and os.access(c, os.X_OK)), None)


def _build_and_install(wheels, target, cwd):
    """Build the wheel (isolated build, as a user would) and install it alone into ``target``."""
    uv = _uv()
    if uv:
        _run([uv, "build", "--wheel", "--quiet", "--out-dir", str(wheels), str(ROOT)], cwd=cwd)
        (wheel,) = wheels.glob("minigrad-*.whl")
        _run([uv, "pip", "install", "--quiet", "--no-deps", "--offline", "--python", sys.executable,
              "--target", str(target), str(wheel)], cwd=cwd)
    elif importlib.util.find_spec("pip"):
        _run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-w", str(wheels), "-q"], cwd=cwd)
        (wheel,) = wheels.glob("minigrad-*.whl")
        _run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target", str(target),
              str(wheel)], cwd=cwd)
    else:
        pytest.skip("neither uv nor pip is available to build and install the wheel")
    return wheel


@pytest.mark.slow
def test_an_installed_wheel_lists_runs_and_converts_the_lessons(tmp_path):
    wheel = _build_and_install(tmp_path / "wheels", tmp_path / "site", tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    assert [n.rsplit("/", 1)[1] for n in names if n.startswith("minigrad/course/tutorials/") and
            n.endswith(".py")] == LESSONS

    site_dir = tmp_path / "site"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site_dir), "MPLBACKEND": "Agg"}
    probe = "import minigrad, cli; from minigrad.course import lessons; print(minigrad.__file__, cli.__file__, " \
            "lessons.TUTORIALS, lessons.REPOSITORY)"
    *where, repository = _run([sys.executable, "-c", probe], cwd=elsewhere, env=env).stdout.split()
    assert all(Path(p).is_relative_to(site_dir) for p in where), where   # the installed copy, not the checkout
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
