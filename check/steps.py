"""Mode 2, ``backprop check steps FILE``: a hand derivation judged line by line.

File format (plain math or LaTeX per line; ``#`` starts a comment)::

    p = sigma(z)                                  # optional definitions, NAME = expression
    d/dz (-y*log(p) - (1-y)*log(1-p))             # the start: d/dz (...), \\frac{d}{dz}(...),
    = (-y/p + (1-y)/(1-p)) * p*(1-p)              #   dL/dz or \\frac{\\partial L}{\\partial z}
    = p - y                                       #   with L defined above; then "=" lines

Every line is compared with the line before it (random evaluation inside the domain, then
SymPy, time-limited); the last line is compared with the start itself, which *is* the
correct result. Symbols are scalars: prediction-like names (p, q, ŷ, y*, a, h) are sampled
in (0, 1) and y in [0, 1] when they are not defined; any other name in (−2, 2).
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from check.answer import _YSTAR
from check.diagnose import Diagnoser, show
from check.equivalence import DEFAULT_TIMEOUT, Outcome, decide, numeric_outcome, run_limited
from check.report import format_counterexample
from derive.errors import ParseError
from derive.files import read_text
from derive.functions import sigmoid
from derive.model import Domain
from derive.parse import parse_expression
from derive.substitute import apply_definitions
from derive.symbols import h, p, y, z

MAX_LINES = 200
UNIT = ("p", "q", "yhat", "ystar", "a", "h", "y")  # sampled in (0, 1) when not defined
_NAME = r"(?:[A-Za-z][A-Za-z0-9]*|\\hat\{y\}|ŷ|\\[a-zA-Z]+)"
_DEFINITION = re.compile(rf"^\s*({_NAME})\s*=(?!=)\s*(.+)$")
_VAR = r"\\?([A-Za-z]+)"
_OPERATOR = [  # the derivative to take, and of what: d/dz (...), \frac{d}{dz}, ∂/∂z
    re.compile(rf"^\s*(?:d|∂)\s*/\s*(?:d|∂)\s*{_VAR}\s*(?P<rest>.*)$", re.S),
    re.compile(
        rf"^\s*\\[dt]?frac\s*\{{\s*(?:d|\\partial)\s*\}}\s*\{{\s*(?:d|\\partial)\s*{_VAR}\s*\}}(?P<rest>.*)$",
        re.S,
    ),
]
_NAMED = [  # dL/dz, ∂L/∂z, \frac{dL}{dz}, \frac{\partial L}{\partial z}
    re.compile(rf"^\s*(?:d|∂)\s*{_VAR}\s*/\s*(?:d|∂)\s*{_VAR}\s*$"),
    re.compile(
        rf"^\s*\\[dt]?frac\s*\{{\s*(?:d|\\partial)\s*{_VAR}\s*\}}\s*\{{\s*(?:d|\\partial)\s*{_VAR}\s*\}}\s*$"
    ),
]


@dataclass
class Line:
    number: int  # line number in the file
    text: str
    expr: sp.Expr | None = None
    valid: bool | None = None
    method: str = ""
    counterexample: dict | None = None
    diagnosis: str | None = None


@dataclass
class StepsReport:
    start: Line
    lines: list[Line]
    definitions: dict = field(default_factory=dict)
    final_correct: bool | None = None
    expected: str = ""

    @property
    def first_wrong(self) -> Line | None:
        return next((line for line in self.lines if not line.valid), None)

    @property
    def valid(self) -> bool:
        return all(line.valid for line in self.lines)

    @property
    def exit_code(self) -> int:
        return 0 if self.valid and self.final_correct else 1

    def to_dict(self) -> dict:
        wrong = self.first_wrong
        return {
            "valid": self.valid,
            "first_wrong_line": wrong.number if wrong else None,
            "final_correct": self.final_correct,
            "expected": self.expected,
            "start": self.start.text,
            "definitions": {k: show(v) for k, v in self.definitions.items()},
            "steps": [
                {
                    "line": line.number,
                    "text": line.text,
                    "valid": line.valid,
                    "method": line.method,
                    "counterexample": line.counterexample,
                    "diagnosis": line.diagnosis,
                }
                for line in self.lines
            ],
        }

    def to_text(self) -> str:
        out = [f"start (line {self.start.number}): {self.start.text}"]
        out += [f"  where {k} = {show(v)}" for k, v in self.definitions.items()]
        for line in self.lines:
            status = {True: "valid", False: "WRONG", None: "undecided"}[line.valid]
            out.append(f"line {line.number}: {line.text}    [{status}]")
            if line.valid is not True:
                out.append(f"    {line.method}")
            if line.counterexample:
                ce = dict(line.counterexample, labels=("this line", "previous line"))
                out.append("    counterexample: " + format_counterexample(ce))
            if line.diagnosis:
                out.append(f"    diagnosis: {line.diagnosis}")
        wrong = self.first_wrong
        out.append(f"first wrong line: {wrong.number}" if wrong else "every step is valid")
        verdict = {True: "yes", False: "no", None: "undecided"}[self.final_correct]
        out.append(f"last line equals the correct result {self.expected}: {verdict}")
        return "\n".join(out)


class _Symbols(dict):
    """Any plain name is a real scalar symbol (the derive ones for z, y, p, h)."""

    KNOWN = {"z": z, "y": y, "p": p, "h": h}

    def __contains__(self, name) -> bool:
        return (
            isinstance(name, str)
            and re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,11}", name) is not None
            and name not in _FUNCTION_NAMES
        )

    def __getitem__(self, name):
        if name not in self:
            raise KeyError(name)
        return self.KNOWN.get(name) or sp.Symbol(name, real=True)


_FUNCTION_NAMES = {"exp", "log", "ln", "sqrt", "tanh", "sinh", "cosh", "sech", "sin", "cos", "tan",
                   "erf", "softplus", "abs", "Abs", "sigmoid", "sigma", "logistic", "relu", "ReLU",
                   "max", "Max", "min", "Min", "e", "pi", "d"}  # fmt: skip


def _parse(text: str, number: int) -> sp.Expr:
    text = _YSTAR.sub("ystar", text)
    try:
        return parse_expression(text, _Symbols())
    except ParseError as exc:
        raise ParseError(f"line {number}: {exc}") from None


def _clean(raw: str) -> str:
    text = raw.split("#", 1)[0].strip().strip("$").strip()
    text = re.sub(r"\\\\\s*$", "", text).strip()
    return text.lstrip("&").strip()


def read(text: str):
    """(definitions, start Line, step Lines); ParseError for a malformed file."""
    if not isinstance(text, str):
        raise ParseError("the derivation must be text")
    raw = [(n, _clean(line)) for n, line in enumerate(text.splitlines(), 1)]
    raw = [(n, line) for n, line in raw if line]
    if len(raw) > MAX_LINES:
        raise ParseError(f"too many lines ({len(raw)}, limit {MAX_LINES})")
    definitions: dict = {}
    start, steps = None, []
    for n, line in raw:
        if start is None:
            match = _DEFINITION.match(line)
            named = match and not _is_start(match.group(1) + "=")
            if named and not line.startswith("="):
                name = _parse(match.group(1), n)
                if not isinstance(name, sp.Symbol):
                    raise ParseError(f"line {n}: cannot define '{match.group(1)}'")
                definitions[name] = _parse(match.group(2), n)
                continue
            head, _, tail = line.partition("=")
            start = Line(n, head.strip(), _start(head, n, definitions))
            if tail.strip():
                steps.append(Line(n, "= " + tail.strip(), _parse(tail, n)))
        elif line.startswith("="):
            for part in line[1:].split("="):  # = a = b on one line
                steps.append(Line(n, "= " + part.strip(), _parse(part, n)))
        else:
            raise ParseError(f"line {n}: each line after the start must begin with '='")
    if start is None:
        raise ParseError("no starting expression (e.g. d/dz (-y*log(p) - (1-y)*log(1-p)))")
    if not steps:
        raise ParseError(f"line {start.number}: no '=' lines follow the start")
    return definitions, start, steps


def _is_start(text: str) -> bool:
    return any(pattern.match(text.rstrip("=")) for pattern in _NAMED)


def _start(text: str, number: int, definitions: dict) -> sp.Expr:
    for pattern in _NAMED:
        if m := pattern.match(text):
            var = _parse(m.group(2), number)
            what = _parse(m.group(1), number)
            if what not in definitions:
                raise ParseError(f"line {number}: define {m.group(1)} first (e.g. L = ...)")
            return sp.Derivative(_substituted(what, definitions), var)
    for pattern in _OPERATOR:
        if m := pattern.match(text):
            var = _parse(m.group(1), number)
            rest = m.group("rest").strip()
            rest = re.sub(r"^\\left\s*\(", "(", rest)
            if not isinstance(var, sp.Symbol) or not rest:
                raise ParseError(f"line {number}: expected d/dVAR (expression)")
            return sp.Derivative(_substituted(_parse(rest, number), definitions), var)
    return _parse(text, number)


def _substituted(expr: sp.Expr, definitions: dict) -> sp.Expr:
    return apply_definitions(expr, definitions)


def _sampler(low, high):
    def draw(rng, n, shape):
        return rng.uniform(low, high, size=n if shape is None else (n, *shape))

    return draw


def _domain(definitions: dict, exprs) -> Domain:
    symbols = set().union(*(apply_definitions(e, definitions).free_symbols for e in exprs))
    samplers = {s: _sampler(0.05, 0.95) if s.name in UNIT else _sampler(-2.0, 2.0) for s in symbols}
    return Domain(definitions=definitions, samplers=samplers)


def check_steps(text: str, *, timeout: float = DEFAULT_TIMEOUT) -> StepsReport:
    """Judge every '=' line of a derivation against the line before it."""
    definitions, start, steps = read(text)
    exprs = [start.expr] + [line.expr for line in steps]
    domain = _domain(definitions, exprs)
    swaps = ((p, y),) if p in domain.samplers or p in definitions else ()
    undifferentiated = ()
    if isinstance(start.expr, sp.Derivative):
        label = "this line is the expression being differentiated, not its derivative"
        undifferentiated = ((label, start.expr.expr),)
    before = start.expr
    for line in steps:
        diagnoser = Diagnoser(line.expr, before, swaps=swaps, alternatives=undifferentiated)
        outcome, line.diagnosis = decide(line.expr, before, domain, timeout, explain=diagnoser)
        line.valid, line.method, line.counterexample = (
            outcome.equal,
            outcome.method,
            outcome.counterexample,
        )
        before = line.expr
    final: Outcome = decide(steps[-1].expr, start.expr, domain, timeout)[0]
    expected = show(steps[-1].expr) if final.equal else _correct(start.expr, domain, timeout)
    report = StepsReport(start, steps, definitions, expected=expected)
    report.final_correct = final.equal
    return report


_KNOWN = (p - y, p * (1 - p), sigmoid(z) * (1 - sigmoid(z)), 1 - sp.tanh(z) ** 2)


def _correct(start: sp.Expr, domain: Domain, timeout: float) -> str:
    """The correct result: a familiar form (p − y, p(1 − p), ...) if one equals the start
    at random points, else SymPy's simplification if it finishes within the time limit."""

    def simplified(e):
        for known in _KNOWN:
            if numeric_outcome(known, e, domain).equal:
                return show(known)
        return show(sp.simplify(e.doit()))

    try:
        return run_limited(simplified, start, timeout=timeout)
    except Exception:  # a timeout or a SymPy failure: show the unevaluated derivative
        return show(start)


def register(subparsers) -> None:
    p_ = subparsers.add_parser(
        "steps",
        help="check a hand derivation line by line",
        description="Check a derivation line by line. Exit 0 every step valid, 1 otherwise, 2 bad input.",
    )
    p_.add_argument("file", help="a text file: definitions, a starting expression, '=' lines")
    p_.add_argument("--json", action="store_true", help="print the report as JSON")
    p_.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per decision")
    p_.set_defaults(run=run, limits=True)


def run(args: argparse.Namespace) -> int:
    text = read_text(args.file)
    report = check_steps(text, timeout=args.timeout)
    print(
        json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
        if args.json
        else report.to_text()
    )
    return report.exit_code


__all__ = ["check_steps", "np", "read"]
