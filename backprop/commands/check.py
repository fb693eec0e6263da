"""``backprop check``: judge hand-worked answers (answer, steps, numbers, code).

Each mode lives in its own module of :mod:`check` with ``register(subparsers)``.  Those modules
need SymPy, so they are imported only when a ``check`` command line is actually run: the
``check`` parser here takes the mode and its arguments as they are, and :func:`run` builds the
modes' parsers and parses them.  ``backprop --help`` therefore never imports SymPy.
"""

from __future__ import annotations

import argparse

from backprop import rules_option
from backprop.commands import check_modes

MODES = check_modes.MODES


def register(sub) -> None:
    p = sub.add_parser(
        "check",
        help="check hand-worked answers, derivations, numbers and code",
        description="Check hand-worked backpropagation. Exit 0 correct, 1 incorrect, 2 bad input.",
        add_help=False,
    )
    parser_class = type(p)

    class _Words(parser_class):
        """Keeps the words after ``check`` as they are (``--help`` too) for :func:`run`."""

        def parse_known_args(self, args=None, namespace=None):
            namespace = namespace or argparse.Namespace()
            namespace.words = list(args or [])
            namespace.run = run
            namespace.check_parser = (parser_class, self.prog, self.description)
            return namespace, []

    p.__class__ = _Words


def build_parser(
    parser_class=argparse.ArgumentParser, prog="backprop check", description="", mode=None
):
    """The parser of the check modes (imports their modules): only mode ``mode`` when it is
    one (``check answer`` does not import the code checker), else every mode (the help)."""
    p = parser_class(prog=prog, description=description)
    modes = p.add_subparsers(dest="mode", metavar="MODE", parser_class=parser_class)
    _with_rules_option(modes)
    for name in [m for m in MODES if m == mode] or MODES:
        check_modes.register(modes, name)
    return p


def _with_rules_option(modes) -> None:
    """Every mode's parser gets the shared ``--rules`` parent (the modes register themselves)."""
    add_parser = modes.add_parser

    def add_with_rules(name, **kwargs):
        kwargs["parents"] = [*kwargs.get("parents", ()), rules_option.parent()]
        return add_parser(name, **kwargs)

    modes.add_parser = add_with_rules


def _answers_as_given(words: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """``check answer sigmoid-bce -y/p``: an answer that begins with a minus is the answer,
    not an option, unless it is one of the mode's options (``--json``, ``--timeout 5``).
    Options are moved first and the quantity and answer after ``--``."""
    if not words or words[0] != "answer":
        return words
    answer = parser._subparsers._group_actions[0].choices["answer"]  # noqa: SLF001
    actions = answer._option_string_actions  # noqa: SLF001
    options, positionals, rest = [], [], iter(words[1:])
    for word in rest:
        if word == "--":
            positionals.extend(rest)
            break
        name = word.split("=", 1)[0]
        found = [o for o in actions if o == name] or [
            o for o in actions if name.startswith("--") and o.startswith(name)
        ]
        if not word.startswith("-") or len(word) == 1 or not (found or word.startswith("--")):
            positionals.append(word)
            continue
        options.append(word)
        if found and actions[found[0]].nargs != 0 and "=" not in word:
            options.append(next(rest, ""))
    return ["answer", *options, "--", *positionals]


def run(args: argparse.Namespace) -> int:
    from backprop.startup import importing  # noqa: PLC0415

    rules, words = rules_option.leading(args.words)  # check --rules F MODE: as MODE --rules F
    words = [*words[:1], *rules, *words[1:]]
    with importing():  # the mode's modules: SymPy, NumPy, the checker
        parser = build_parser(*args.check_parser, mode=words[0] if words else None)
    inner = parser.parse_args(_answers_as_given(words, parser))
    if not getattr(inner, "run", None):
        parser.print_help()
        return 2
    from backprop.cli import dispatch  # noqa: PLC0415 - the CLI imports this module

    return dispatch(inner)
