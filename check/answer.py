"""Mode 1, ``backprop check answer QUANTITY "ANSWER"``: one symbolic answer against a result.

>>> check_answer("sigmoid", "sigma(z)(1 - sigma(z))").correct  # doctest: +SKIP
True
"""

from __future__ import annotations

import argparse
import re
import sys

import sympy as sp

from check import quantities
from check.diagnose import Diagnoser, show
from check.equivalence import DEFAULT_TIMEOUT, decide
from check.matrix import ShapeError, Tensor, parse_matrix, transpose
from check.quantities import Quantity
from check.report import Verdict
from derive.errors import ParseError
from derive.parse import parse_expression

# y* (the prediction in some notes) before the tokenizer, which would read y * ...
_YSTAR = re.compile(r"y\s*\^\s*\{?\s*\*\s*\}?|y\*(?=\s*(?:$|[-+/)=,\]_]|\*(?!\*)))")


def read_answer(q: Quantity, text: str) -> sp.Expr | Tensor:
    """The answer as SymPy (index notation), or a Tensor for dense-layer matrix notation."""
    if not isinstance(text, str):
        raise ParseError("the answer must be text")
    if q.shape is not None:
        try:
            return parse_matrix(text)
        except ParseError as matrix_error:
            if not re.search(r"_\{?[ijk]\b|\[[ijk]", text):
                raise matrix_error
    text = _YSTAR.sub("ystar", text)
    expr = parse_expression(
        text,
        q.symbols,
        functions=q.functions,
        indexed=q.indexed,
        index_symbols=q.index_symbols,
        bare=q.bare,
    )
    return _function_alone(q, expr)


def _function_alone(q: Quantity, expr: sp.Expr) -> sp.Expr:
    """σ(1 − σ): a call of σ on something without z is σ (the output) times that thing."""
    if not q.bare:
        return expr
    output = next(iter(q.bare.values()))
    return expr.replace(
        lambda e: (
            isinstance(e, sp.Function)
            and len(e.args) == 1
            and not e.args[0].has(sp.Symbol("z", real=True))
            and not e.args[0].is_number
            and e.func.__name__ in ("sigmoid", "tanh", "relu")
        ),
        lambda e: output * e.args[0],
    )


def _align_indices(q: Quantity, expr: sp.Expr, expected: sp.Expr) -> tuple[sp.Expr, sp.Expr, str]:
    """Match the answer's indices to the expected result's: a single free index of another
    name is renamed (p_k − y_k for p_i − y_i); an answer for one entry (q_1 − y_1) is compared
    with that entry of the result."""
    free_e = sorted(expected.free_symbols & set(q.index_symbols.values()), key=str)
    free_a = sorted(expr.free_symbols & set(q.index_symbols.values()), key=str)
    if free_a == free_e:
        return expr, expected, ""
    if len(free_a) == len(free_e) == 1:
        return expr.xreplace({free_a[0]: free_e[0]}), expected, ""
    if not free_a and len(free_e) == 1:
        used = {ix for atom in expr.atoms(sp.Indexed) for ix in atom.indices}
        if len(used) == 1:
            value = next(iter(used))
            return expr, expected.xreplace({free_e[0]: value}), f" (for {free_e[0]} = {value})"
    return expr, expected, ""


def check_answer(
    quantity: str, text: str, *, timeout: float = DEFAULT_TIMEOUT, explain: bool = False
) -> Verdict:
    """Judge ``text`` as the value of ``quantity``. ParseError / UnknownNameError for bad input."""
    q = quantities.get(quantity)
    expected = q.expected  # built and verified before the worker forks, so it is inherited
    try:
        answer = read_answer(q, text)
    except ShapeError as exc:
        return _explained(shape_verdict(q, text, exc), q, explain)
    note = ""
    if isinstance(answer, Tensor):
        verdict = _matrix_verdict(q, answer, text, expected)
        if verdict is not None:
            return _explained(verdict, q, explain)
        answer = _entry(q, answer)
    else:
        answer, expected, note = _align_indices(q, answer, expected)
    diagnoser = Diagnoser(
        answer,
        expected,
        swaps=q.swaps,
        related=q.related,
        alternatives=tuple(quantities.alternative_results(q)),
    )
    outcome, diagnosis = decide(answer, expected, q.domain, timeout, explain=diagnoser)
    verdict = Verdict(
        quantity=q.name,
        answer=text,
        read_as=show(answer),
        expected=show(expected) + note,
        correct=outcome.equal,
        method=outcome.method,
        counterexample=outcome.counterexample,
        diagnosis=diagnosis,
    )
    return _explained(verdict, q, explain)


def _explained(verdict: Verdict, q: Quantity, explain: bool) -> Verdict:
    if explain:
        verdict.explanation = q.explanation
    return verdict


def _entry(q: Quantity, t: Tensor) -> sp.Expr:
    row, col = q.entry
    return t.entry(row, sp.Integer(1) if col is None else col)


def _matrix_verdict(q: Quantity, t: Tensor, text: str, expected) -> Verdict | None:
    """A verdict from shapes alone (transposed, wrong shape), or None to compare entries."""
    if t.shape == q.shape:
        return None
    verdict = Verdict(q.name, text, show(expected), False, read_as=t.describe(), method="shapes")
    rows, cols = q.shape
    want = f"{rows}×{cols}"
    if t.shape == (cols, rows):
        flipped = check_transposed(q, transpose(t), expected)
        verdict.diagnosis = f"transposed: the answer is {t.rows}×{t.cols}, the result is {want}" + (
            "; its transpose is correct" if flipped else ""
        )
    else:
        verdict.diagnosis = f"wrong shape: the answer is {t.rows}×{t.cols}, the result is {want}"
    return verdict


def check_transposed(q: Quantity, t: Tensor, expected) -> bool:
    outcome, _ = decide(_entry(q, t), expected, q.domain)
    return bool(outcome.equal)


def shape_verdict(q: Quantity, text: str, error: ShapeError) -> Verdict:
    return Verdict(q.name, text, show(q.expected), False, method="shapes", diagnosis=str(error))


# -- command line -------------------------------------------------------------------------


def register(subparsers) -> None:
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
    p.set_defaults(run=run, limits=True)


def run(args: argparse.Namespace) -> int:
    if args.list:
        for q in quantities.QUANTITIES.values():
            print(f"{q.name:<12} {q.meaning}\n{'':<12} accepts: {q.accepts}")
        return 0
    if not args.quantity or args.answer is None:
        raise ParseError('usage: backprop check answer QUANTITY "ANSWER" (or --list)')
    verdict = check_answer(args.quantity, args.answer, timeout=args.timeout, explain=args.explain)
    if args.json:
        print(verdict.to_json())
        if args.explain:
            print(verdict.explanation, file=sys.stderr)
    else:
        print(verdict.to_text())
    return verdict.exit_code
