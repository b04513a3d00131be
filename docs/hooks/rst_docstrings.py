"""Griffe extension: the reStructuredText habits of minigrad's docstrings, read as Markdown.

The docstrings are written to read well in ``help()``: ``:class:`Tensor``` roles and
``Example::`` literal blocks. mkdocstrings renders Markdown, so before rendering:

* a role whose target resolves from the docstring's scope becomes an optional
  cross-reference (a link when the target has a page, plain code otherwise); one that
  does not resolve becomes code. Markdown cross-references (``[Tensor][minigrad.Tensor]``)
  are left alone, and those must resolve: ``mkdocs build --strict`` fails on a broken one.
* ``text::`` before an indented block becomes ``text:`` (the block is already a Markdown
  code block); ``text ::`` and a ``::`` alone on its line lose the ``::``, as in reST.
* prose after the last item of a NumPy-style ``Parameters`` section (after a blank line,
  not indented, not shaped like ``name : type``) goes under a ``Notes`` heading, as
  numpydoc would have it, instead of being read as more parameters.
"""

from __future__ import annotations

import html
import re

import griffe

ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj|const):`(~?)([\w.]+)(?:\(\))?`")
# "text::" -> "text:"; "text ::" and a lone "::" line vanish (as in reST)
LITERAL = re.compile(r"(?m)(?P<drop>^[ \t]*::[ \t]*$\n?|[ \t]+::(?=[ \t]*$))|(?<=\S)::(?=[ \t]*$)")
ITEM_SECTIONS = {"Parameters", "Other Parameters", "Attributes", "Returns", "Yields", "Receives", "Raises", "Warns"}
ITEM = re.compile(r"^\*{0,2}[\w.]+(\s*,\s*\*{0,2}[\w.]+)*\s*(:.*)?$")


def _target(obj: griffe.Object, name: str) -> str | None:
    """The full path of ``name`` as seen from ``obj`` (its scope, then absolute), or None."""
    head, _, rest = name.partition(".")
    try:
        path = obj.resolve(head)
    except (griffe.NameResolutionError, KeyError, ValueError):
        path = None
    full = f"{path}.{rest}" if path and rest else path or name
    try:
        obj.modules_collection[full]
    except (KeyError, ValueError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None
    return full


def _is_header(lines: list[str], i: int) -> bool:
    return i + 1 < len(lines) and bool(lines[i].strip()) and re.fullmatch(r"\s*-{3,}\s*", lines[i + 1]) is not None


def end_item_sections(text: str) -> str:
    """Put the prose that follows a section of items under a ``Notes`` heading."""
    lines, out, section = text.split("\n"), [], None
    for i, line in enumerate(lines):
        if _is_header(lines, i):
            section = line.strip()
        elif (section in ITEM_SECTIONS and line and not line[0].isspace() and i > 0
              and not lines[i - 1].strip() and not ITEM.match(line) and not re.fullmatch(r"-{3,}", line)):
            out += ["Notes", "-----"]
            section = "Notes"
        out.append(line)
    return "\n".join(out)


def markdown(text: str, obj: griffe.Object) -> str:
    def role(match: re.Match) -> str:
        tilde, name = match.groups()
        shown = name.rsplit(".", 1)[-1] if tilde else name
        target = _target(obj, name)
        if target is None:
            return f"`{shown}`"
        return f'<autoref identifier="{html.escape(target)}" optional><code>{html.escape(shown)}</code></autoref>'

    text = ROLE.sub(role, end_item_sections(text))
    return LITERAL.sub(lambda m: "" if m.group("drop") is not None else ":", text)


class RstDocstrings(griffe.Extension):
    def on_object(self, *, obj: griffe.Object, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value, obj)

    def on_package(self, *, pkg: griffe.Module, **kwargs) -> None:
        # on_object runs for every object but the package itself
        self.on_object(obj=pkg)
