"""The ``minigrad`` command line: a thin layer that parses, calls the library and prints.

Examples::

    minigrad --version
    minigrad demo
"""

from __future__ import annotations

import sys

import click

import minigrad


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(minigrad.__version__, prog_name="minigrad")
def group():
    """minigrad: an educational autograd engine with a visualizer.

    \b
    Example:
      minigrad demo
    """


@group.command()
def demo():
    """Run a forward and backward pass and check it, step by step.

    \b
    Example:
      minigrad demo
    """
    from minigrad.walkthrough import network_walkthrough, neuron_walkthrough

    click.echo(neuron_walkthrough())
    click.echo()
    click.echo(network_walkthrough())


def main(argv=None):
    """Entry point of the ``minigrad`` console script; errors become one line and exit 2."""
    try:
        group.main(args=argv, prog_name="minigrad", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except (ValueError, TypeError, RuntimeError, OSError) as exc:
        click.echo(f"minigrad: error: {exc}", err=True)
        sys.exit(2)
    sys.exit(0)


if __name__ == "__main__":
    main()
