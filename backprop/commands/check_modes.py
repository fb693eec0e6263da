"""The four ``backprop check`` modes' command lines: answer, steps, numbers, code.

Each mode's parser is built only when that mode is run (``check answer`` does not import the
code checker); the checking itself is the :mod:`check` package's API, called with the parsed
arguments. Every mode prints a report and returns its exit status: 0 correct, 1 incorrect
(2, bad input, comes from the errors the CLI turns into one line).
"""

from __future__ import annotations

import argparse
import json
import re
import sys

MODES = ("answer", "steps", "numbers", "code")

_MADE_HELP = (
    f"{'derivative':<12} d/dVAR of EXPR: check answer derivative ANSWER --of EXPR --wrt VAR",
    f"{'--activation':<12} g′(z) of g(z) = EXPR: check answer --activation EXPR ANSWER",
    f"{'--loss':<12} ∂L/∂z of L(p, y) = EXPR, p = σ(z) (--output NAME): check answer --loss "
    "EXPR ANSWER",
)


def register(subparsers, mode: str) -> None:
    """Add mode ``mode``'s parser to ``subparsers``."""
    {"answer": _answer, "steps": _steps, "numbers": _numbers, "code": _code}[mode](subparsers)


# -- check answer -----------------------------------------------------------------------------


def _answer(subparsers) -> None:
    import check.answer  # noqa: F401 - imported here, under the start-up's import guard
    from check.equivalence import DEFAULT_TIMEOUT
    from derive.language import profiles as notation_profiles

    p = subparsers.add_parser(
        "answer",
        help="check a symbolic answer against a verified result",
        description="Check a hand-derived symbolic answer. Exit 0 correct, 1 incorrect, 2 bad input.",
    )
    p.add_argument("quantity", nargs="?", help="what the answer is (see --list)")
    p.add_argument("answer", nargs="?", help='the answer, plain math or LaTeX, e.g. "p - y"')
    p.add_argument("--list", action="store_true", help="list the quantities and their symbols")
    p.add_argument("--explain", action="store_true", help="show the correct derivation")
    p.add_argument("--json", action="store_true", help="print the verdict as JSON")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per stage")
    p.add_argument("--notations", action="store_true", help="list the notation profiles")
    p.add_argument("--activation", metavar="EXPR", help="the quantity: g′(z) of g(z) = EXPR")
    p.add_argument("--loss", metavar="EXPR", help="the quantity: ∂L/∂z of L(p, y) = EXPR")
    p.add_argument("--output", default="sigmoid", help="with --loss: p = OUTPUT(z) (sigmoid)")
    p.add_argument("--of", metavar="EXPR", help="with 'derivative': the expression")
    p.add_argument("--wrt", metavar="VAR", help="with 'derivative': the variable")
    p.add_argument("--classes", metavar="K", type=_whole, help="K, for sums written out")
    p.add_argument("--entry", metavar="I[,J]", help="the entry asked for: 2, 1,2 or i,j or ell")
    p.add_argument("--layer", metavar="L", type=_layer, help="the layer asked about: 3, or l, t-1")
    p.add_argument(
        "--sizes",
        metavar="N,N,…",
        type=_sizes,
        help="the network's layer sizes, inputs first: 2,2,1",
    )
    p.add_argument(
        "--notation",
        metavar="NAME",
        help="the notes' notation: "
        + ", ".join(notation_profiles.names())
        + " (default: every unambiguous form, ambiguous ones read every way)",
    )
    p.set_defaults(run=_run_answer, limits=True)


def _question_of(args: argparse.Namespace) -> tuple:
    """(quantity, answer, params) from the command line; ParseError for a missing part."""
    from check import custom_quantities
    from derive.errors import ParseError

    made = args.activation is not None or args.loss is not None
    answer = args.quantity if made and args.answer is None else args.answer
    if made and args.answer is not None:
        raise ParseError("give the answer alone with --activation or --loss, not a quantity")
    if (not made and not args.quantity) or answer is None:
        raise ParseError('usage: backprop check answer QUANTITY "ANSWER" (or --list)')
    if args.activation is not None:
        return custom_quantities.activation(args.activation), answer, None
    if args.loss is not None:
        return custom_quantities.loss(args.loss, args.output), answer, None
    given = {k: v for k, v in (("of", args.of), ("wrt", args.wrt)) if v is not None}
    if args.classes is not None:
        given["K"] = args.classes
    if args.entry is not None:
        given["entry"] = [part.strip() for part in args.entry.split(",")]
    if args.layer is not None:
        given["layer"] = args.layer
    if args.sizes is not None:
        given["sizes"] = args.sizes
    return args.quantity, answer, given or None


def _layer(text: str) -> int | str:
    """``--layer 3``, ``--layer l``, ``--layer t-1``: a number, or a letter ± a number."""
    text = text.strip()
    if text.isdigit() and 1 <= int(text) <= 999:
        return int(text)
    if re.fullmatch(r"[A-Za-z](\s*[+-]\s*\d{1,3})?", text):
        return text
    raise argparse.ArgumentTypeError(f"{text!r}: give a layer number (3) or a letter (l, t-1)")


def _sizes(text: str) -> list[int]:
    """``--sizes 2,2,1``: 2 to 16 whole numbers."""
    parts = [_whole(part) for part in text.split(",")]
    if not 2 <= len(parts) <= 16:
        raise argparse.ArgumentTypeError(f"{text!r}: give 2 to 16 sizes, as in 2,2,1")
    return parts


def _whole(text: str) -> int:
    """A whole number from 1 to 10 000 (a size, a class count)."""
    text = text.strip()
    if not text.isdigit() or not 1 <= int(text) <= 10_000:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1 to 10000")
    return int(text)


def _run_answer(args: argparse.Namespace) -> int:
    from check import quantities
    from check.answer import check_answer
    from derive.language import profiles as notation_profiles

    if args.notations:
        print("\n".join(p.describe() for p in notation_profiles.PROFILES.values()))
        return 0
    if args.list:
        for q in quantities.QUANTITIES.values():
            print(f"{q.name:<12} {q.meaning}\n{'':<12} accepts: {q.accepts}")
        print("\n".join(_MADE_HELP))
        return 0
    quantity, answer, params = _question_of(args)
    verdict = check_answer(
        quantity,
        answer,
        params=params,
        timeout=args.timeout,
        explain=args.explain,
        notation=args.notation,
    )
    if args.json:
        print(verdict.to_json())
        if args.explain:
            print(verdict.explanation, file=sys.stderr)
    else:
        print(verdict.to_text())
    return verdict.exit_code


# -- check steps ------------------------------------------------------------------------------


def _steps(subparsers) -> None:
    import check.steps  # noqa: F401 - imported here, under the start-up's import guard
    from check.equivalence import DEFAULT_TIMEOUT

    p = subparsers.add_parser(
        "steps",
        help="check a hand derivation line by line",
        description="Check a derivation line by line. Exit 0 every step valid, 1 otherwise, 2 bad input.",
    )
    p.add_argument("file", help="a text file: definitions, a starting expression, '=' lines")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per decision")
    p.set_defaults(run=_run_steps, limits=True)


def _run_steps(args: argparse.Namespace) -> int:
    from check.steps import check_steps
    from derive.files import read_text

    report = check_steps(read_text(args.file), timeout=args.timeout)
    print(
        json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
        if args.json
        else report.to_text()
    )
    return report.exit_code


# -- check numbers ----------------------------------------------------------------------------


def _numbers(subparsers) -> None:
    import check.numbers  # noqa: F401 - imported here, under the start-up's import guard

    p = subparsers.add_parser(
        "numbers",
        help="check the numbers of a hand-worked example (TOML)",
        description="Recompute a small network's forward and backward pass exactly and judge "
        "each claimed number to the precision it is written with.",
    )
    p.add_argument("file", help="the worked example, a TOML file")
    p.add_argument("--trace", action="store_true", help="print the whole worked solution")
    p.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    p.set_defaults(run=_run_numbers, limits=True)


def _run_numbers(args: argparse.Namespace) -> int:
    from check.numbers import check_numbers

    report = check_numbers(args.file)
    if args.json:
        data = report.to_dict()
        if args.trace and report.solution is not None:
            data["trace"] = {
                name: _json_values(q.nested()) for name, q in report.solution.quantities.items()
            }
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return report.exit_code
    if args.trace:
        print(report.trace())
        print()
    print(report.to_text())
    return report.exit_code


def _json_values(value):
    """Nested lists of exact numbers as nested lists of floats."""
    if isinstance(value, list):
        return [_json_values(v) for v in value]
    return float(value)


# -- check code -------------------------------------------------------------------------------


def _code(subparsers) -> None:
    from check.code import TIMEOUT

    p = subparsers.add_parser(
        "code",
        help="check a hand-written NumPy gradient function against the derived gradients",
        description="Run FUNCTION(params, X, Y) -> dict of gradients of the mean loss in a "
        "subprocess on random batches and compare it with the code generated from the spec.",
    )
    p.add_argument("target", metavar="FILE.py:FUNCTION", help="the student's function")
    p.add_argument("--spec", required=True, help="the network spec (TOML)")
    p.add_argument(
        "--timeout", type=_seconds, default=TIMEOUT, help="seconds (default %(default)s)"
    )
    p.add_argument("--json", action="store_true", help="print the verdicts as JSON")
    p.set_defaults(run=_run_code)


def _seconds(text: str) -> float:
    """A ``--timeout`` value: a number of seconds within the code checker's limits."""
    from check.code import check_timeout
    from derive.errors import BackpropError

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    try:
        return check_timeout(value)
    except BackpropError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _run_code(args: argparse.Namespace) -> int:
    from check.code import check_code

    report = check_code(args.target, args.spec, timeout=args.timeout)
    print(report.to_json() if args.json else report.to_text())
    return report.exit_code
