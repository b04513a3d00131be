"""What the hooks that write pages at build time share: adding the pages, filling the nav.

A nav entry in mkdocs.yml whose value is a folder ("tutorials/", "api/") stands for the
pages a hook writes there; the hook replaces it with those pages, in its own order, so
the nav follows the code without being edited by hand.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]


def fill_nav(config, folder: str, entries: list) -> None:
    """Replace the nav entry whose value is ``folder`` by ``entries`` (titles to paths)."""

    def fill(items) -> bool:
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            ((title, value),) = item.items()
            if value == folder:
                items[index] = {title: entries}
                return True
            if isinstance(value, list) and fill(value):
                return True
        return False

    fill(config.nav or [])


def add_pages(files: Files, config, pages: dict[str, str]) -> Files:
    """Add in-memory Markdown pages (docs path -> text); a committed page of that path is replaced."""
    for uri, text in pages.items():
        existing = files.get_file_from_path(uri)
        if existing is not None:
            files.remove(existing)
        files.append(File.generated(config, uri, content=text))
    return files
