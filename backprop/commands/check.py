"""``backprop check``: judge hand-worked answers (answer, steps, numbers, code).

Each mode lives in its own module of :mod:`check` with ``register(subparsers)``; a mode whose
module is not installed yet is simply absent.
"""

from __future__ import annotations

import importlib

MODES = ("check.answer", "check.steps", "check.numbers", "check.code")


def register(sub) -> None:
    p = sub.add_parser(
        "check",
        help="check hand-worked answers, derivations, numbers and code",
        description="Check hand-worked backpropagation. Exit 0 correct, 1 incorrect, 2 bad input.",
    )
    modes = p.add_subparsers(dest="mode", metavar="MODE", parser_class=type(p))
    for name in MODES:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            if exc.name != name:  # a module that is there but broken is a bug: show it
                raise
            continue
        module.register(modes)
