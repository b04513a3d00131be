"""MkDocs hook: the command-line reference, from the commands themselves.

After the text of docs/cli.md come the ``--help`` of ``minigrad`` and of every
command and subcommand, exactly as the terminal prints them (click formats them,
at 80 columns), so the page cannot drift from the code.
"""

from __future__ import annotations

import click

PAGE = "cli.md"
WIDTH = 80


def _help(command: click.Command, name: str, parent: click.Context | None) -> tuple[str, click.Context]:
    ctx = command.make_context(name, [], parent=parent, resilient_parsing=True,
                               max_content_width=WIDTH, terminal_width=WIDTH)
    return command.get_help(ctx), ctx


def sections(command: click.Command, name: str = "minigrad", parent=None, level: int = 2) -> list[str]:
    """A heading and a ``--help`` block for ``command`` and, depth first, each subcommand."""
    text, ctx = _help(command, name, parent)
    path = ctx.command_path
    anchor = "-".join(path.split()[1:]) or "minigrad-command"
    out = [f"{'#' * level} `{path}` {{ #{anchor} }}\n\n```text\n{text}\n```"]
    if isinstance(command, click.Group):
        for sub in command.list_commands(ctx):
            out += sections(command.get_command(ctx, sub), sub, ctx, level + 1 if parent else level)
    return out


def on_page_markdown(markdown: str, page, config, files):
    if page.file.src_uri != PAGE:
        return markdown
    from cli import group  # the repository's cli.py, installed with minigrad

    return markdown.rstrip("\n") + "\n\n" + "\n\n".join(sections(group)) + "\n"
