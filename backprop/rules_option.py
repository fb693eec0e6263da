"""``--rules FILE.toml``: the one argparse parent every command shares, and its loading.

The file's ``[[activation]]`` and ``[[loss]]`` tables (see :func:`derive.rulebook.load_rules`)
are registered before the command runs, so the new names work everywhere a built-in does.
"""

from __future__ import annotations

import argparse
import functools


@functools.cache
def parent() -> argparse.ArgumentParser:
    """The parent parser holding ``--rules`` (``parents=[parent()]`` in ``add_parser``)."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--rules",
        metavar="FILE.toml",
        action="append",
        help="add named activations and losses from a TOML file ([[activation]] name, expr, "
        "latex; [[loss]] name, expr, output); may be repeated",
    )
    return p


def load(args: argparse.Namespace) -> None:
    """Register the rules files named on the command line (SpecError on a bad file)."""
    paths = getattr(args, "rules", None) or []
    if not paths:
        return
    from derive import rulebook  # noqa: PLC0415 - SymPy only when rules are given

    for path in paths:
        rulebook.load_rules(path)
