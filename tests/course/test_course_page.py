"""docs/COURSE.md, the course at a glance, names every lesson with its title and sources."""

import re
from pathlib import Path

from minigrad.course.lessons import list_lessons

COURSE = Path(__file__).resolve().parents[2] / "docs" / "COURSE.md"


def test_every_lesson_has_its_section_with_sources():
    text = COURSE.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## (\d+)\. (.+)$", text, flags=re.M))
    assert list(sections) == [str(n) for n in range(1, len(sections) + 1)]     # in order, none skipped
    assert len(sections) >= 13
    for lesson in list_lessons():
        assert sections.get(str(lesson.number)) == lesson.title, f"lesson {lesson.number}: {lesson.title!r}"
    for body in re.split(r"^## \d+\. .+$", text, flags=re.M)[1:]:
        assert "Sources:" in body, body[:80]


def test_the_page_is_in_the_site_navigation():
    mkdocs = (COURSE.parents[1] / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^  - .+: COURSE\.md$", mkdocs, flags=re.M)
