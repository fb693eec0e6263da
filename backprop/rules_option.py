"""``--rules FILE.toml``: the one argparse parent every command shares, and its loading.

The file's ``[[activation]]`` and ``[[loss]]`` tables (see :func:`derive.rulebook.load_rules`)
are registered before the command runs, so the new names work everywhere a built-in does.
The option may come before the command or mode as well as after it (``backprop --rules F
check answer ...``, ``backprop check --rules F answer ...``): :func:`leading` finds it
there, and the CLI moves it to where the command's own parser reads it.
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


def leading(words: list[str]) -> tuple[list[str], list[str]]:
    """(the ``--rules`` options at the front of words, the words after them):
    ``["--rules", "F", "answer", "x"]`` → ``(["--rules", "F"], ["answer", "x"])``."""
    taken, rest = [], list(words)
    while rest and (rest[0] == "--rules" or rest[0].startswith("--rules=")):
        count = 1 if "=" in rest[0] else 2
        if len(rest) < count:  # "--rules" with no file: the command's parser reports it
            break
        taken, rest = taken + rest[:count], rest[count:]
    return taken, rest


def load(args: argparse.Namespace) -> None:
    """Register the rules files named on the command line (SpecError on a bad file)."""
    paths = getattr(args, "rules", None) or []
    if not paths:
        return
    from derive import rulebook  # noqa: PLC0415 - SymPy only when rules are given

    for path in paths:
        rulebook.load_rules(path)
