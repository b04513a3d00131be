import json

import pytest

from minigrad.course.lessons import LessonError, find_lesson, list_lessons, parse_cells, quick, run_lesson, step_lesson, to_notebook

LESSON = '''# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---

# %% [markdown]
# # 1. Derivatives by hand
# Some *prose*.

# %%
import os
x = 3
print("x is", x)

# %% [markdown]
# More prose.

# %%
QUICK = os.environ.get("MINIGRAD_QUICK") == "1"
y = x * 2
print("quick" if QUICK else "full")
'''


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "01_derivatives.py").write_text(LESSON)
    (tmp_path / "02_broken.py").write_text("# %%\nraise ValueError('boom')\n")
    (tmp_path / "notes.txt").write_text("not a lesson")
    return tmp_path


def test_parse_cells_splits_prose_and_code(folder):
    cells = parse_cells(folder / "01_derivatives.py")
    assert [c.kind for c in cells] == ["markdown", "code", "markdown", "code"]
    assert cells[0].source.startswith("# 1. Derivatives by hand\nSome *prose*.")
    assert cells[1].source.splitlines()[0] == "import os"


def test_list_and_find(folder):
    lessons = list_lessons(folder)
    assert [(l.number, l.title) for l in lessons] == [(1, "Derivatives by hand"), (2, "Broken")]
    assert find_lesson("1", folder).path.name == "01_derivatives.py"
    with pytest.raises(LessonError, match="no lesson '7'; lessons: 1, 2"):
        find_lesson("7", folder)
    with pytest.raises(LessonError, match="no tutorials folder"):
        list_lessons(folder / "missing")


def test_run_lesson_in_quick_mode(folder, capsys, tmp_path):
    namespace = run_lesson(1, quick=True, figures=tmp_path / "figs", folder=folder)
    assert namespace["y"] == 6 and namespace["QUICK"] is True
    assert "quick" in capsys.readouterr().out
    assert not quick()  # the environment is restored


def test_a_failing_lesson_names_the_cell(folder):
    with pytest.raises(LessonError, match="lesson 2 failed in cell 1: ValueError: boom"):
        run_lesson(2, folder=folder)


def test_step_runs_cells_on_enter_and_stops_on_q(folder):
    shown = []
    answers = iter(["", "q"])
    ran = step_lesson(1, read=lambda prompt: next(answers), write=shown.append, folder=folder)
    assert ran == 1
    text = "\n".join(shown)
    assert "Lesson 1: Derivatives by hand" in text and "x is 3" in text and "stopped." in text
    shown.clear()
    assert step_lesson(1, read=lambda prompt: "", write=shown.append, folder=folder) == 2
    assert shown[-1] == "\nEnd of the lesson."


def test_notebook_is_valid_nbformat(folder, tmp_path):
    path = to_notebook(1, tmp_path / "nb" / "lesson.ipynb", folder=folder)
    nb = json.loads(path.read_text())
    assert nb["nbformat"] == 4 and [c["cell_type"] for c in nb["cells"]] == ["markdown", "code", "markdown", "code"]
    assert nb["cells"][1]["outputs"] == [] and nb["cells"][1]["source"][0] == "import os\n"
