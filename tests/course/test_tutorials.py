"""Every lesson runs top to bottom (quick sizes), including its own asserts on the course's worked examples."""

import pytest

from minigrad.course.lessons import list_lessons, run_lesson

LESSONS = list_lessons()


def test_the_course_has_thirteen_lessons():
    assert [lesson.number for lesson in LESSONS] == list(range(1, 14))


@pytest.mark.parametrize("lesson", LESSONS, ids=[f"{l.number:02d}" for l in LESSONS])
def test_lesson_runs(lesson, tmp_path):
    run_lesson(lesson.number, quick=True, figures=tmp_path)
    assert any(tmp_path.iterdir()), "a lesson saves at least one figure"
