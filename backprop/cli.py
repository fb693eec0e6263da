"""``backprop``: one entry point, one subcommand per feature.

Every user error (unknown name, bad expression, unwritable file, malformed spec) is printed as
one line ``backprop: error: ...`` with exit status 2; tracebacks are reserved for bugs.
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys

from backprop import commands, rules_option
from derive.errors import BackpropError


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors on one line, exit status 2."""

    def error(self, message: str):  # noqa: D102 - argparse API
        raise BackpropError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="backprop",
        description="Verified backpropagation derivations and the NumPy training code derived from them.",
        epilog="--rules FILE.toml (every command) may also come before COMMAND.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for register in commands.SUBCOMMANDS:
        register(sub)
    return parser


def dispatch(args: argparse.Namespace) -> int:
    """Run a parsed subcommand; one that does symbolic work on user input (``limits=True``)
    runs under the time and memory bound. The ``--rules`` files are loaded first."""
    rules_option.load(args)
    if getattr(args, "limits", False):
        from derive.bounded import bounded_run  # noqa: PLC0415

        return int(bounded_run(args) or 0)
    return int(args.run(args) or 0)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    rules, rest = rules_option.leading(argv)  # backprop --rules F COMMAND: as COMMAND --rules F
    argv = [*rest[:1], *rules, *rest[1:]]
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "run", None):
            parser.print_help()
            return 2
        return dispatch(args)
    except BackpropError as exc:
        print(f"backprop: error: {exc.cli_message or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("backprop: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def entry() -> None:
    """The ``backprop`` program: :func:`main`, then exit without tearing the interpreter down.

    Freeing every SymPy object one by one at exit costs 0.1 to 0.2 s of CPU per command, more
    than a small check takes. The exit handlers still run (temporary directories, workers) and
    the standard streams are flushed; only the deallocation is skipped."""
    code = main()
    atexit._run_exitfuncs()  # noqa: SLF001 - what interpreter shutdown would run first
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (``| head``) or a closed stream
            pass
    os._exit(code)


if __name__ == "__main__":
    entry()
