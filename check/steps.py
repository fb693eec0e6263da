"""Mode 2, ``backprop check steps FILE``: a hand derivation judged line by line.

File format (plain math or LaTeX per line; ``#`` starts a comment)::

    p = sigma(z)                                  # optional definitions, NAME = expression
    d/dz (-y*log(p) - (1-y)*log(1-p))             # the start: d/dz (...), \\frac{d}{dz}(...),
    = (-y/p + (1-y)/(1-p)) * p*(1-p)              #   dL/dz or \\frac{\\partial L}{\\partial z}
    = p - y                                       #   with L defined above; then "=" lines

Every line is compared with the line before it (random evaluation inside the domain, then
SymPy, time-limited); the last line is compared with the start itself, which *is* the
correct result. Symbols are scalars: prediction-like names (p, q, ŷ, y*, a, h) are sampled
in (0, 1) and y in [0, 1] when they are not defined; any other name in (−2, 2)
(:mod:`check.steps_domain`). The file is read by :mod:`check.steps_file`; a derivation in
free indices (ŷ_ℓ, a_{Li}) is judged at every instance of them (:mod:`check.steps_indices`);
a function used but never defined (the activation g) is any function
(:mod:`check.steps_functions`); the notes' δ^l_j starts the δ recurrence
(:mod:`check.steps_delta`).
"""

from __future__ import annotations

import re
from dataclasses import replace

import sympy as sp

from check.diagnose import Diagnoser, show
from check.equivalence import (
    DEFAULT_TIMEOUT,
    Outcome,
    decide,
    numeric_outcome,
    prepare_workers,
    run_limited,
)
from check.steps_domain import ONE_HOT_NOTE, Entries, domain_of, infer_one_hot
from check.steps_file import Parsed, atoms_of, formulas, read, shown, size_of
from check.steps_functions import KNOWN, as_known
from check.steps_indices import assignments, combine, free_indices, symmetric
from check.steps_matrix_judge import check_matrix_steps, looks_like_matrices
from check.steps_read import Reader
from check.steps_report import StepsReport
from derive.errors import ParseError
from derive.functions import sigmoid
from derive.model import Domain
from derive.symbols import p, y, z


def _judge(line_expr, before, domain, timeout, diagnoser):
    outcome, diagnosis = decide(line_expr, before, domain, timeout, explain=diagnoser)
    return outcome, diagnosis


def _rereadings(reader: Reader, text: str):
    """Other plausible readings of a line: H(z) as a product, h^2 as layer 2."""
    if re.search(r"(?<![A-Za-z\\])H\s*\(", text) and reader.heaviside:
        yield "H(…) read as H times (…), not the unit step", replace(reader, heaviside=False)
    table: dict = {}
    try:
        reader.prepare(text, table)
    except ParseError:
        return
    ambiguous = {pair for pair in reader.powers if re.search(re.escape(pair[0]) + r"\S*\^", text)}
    if ambiguous:
        names = ", ".join(f"{b}^{s}" for b, s in sorted(ambiguous))
        yield (
            f"{names} read as a layer index, not a power",
            replace(reader, layers=reader.layers | ambiguous, powers=set()),
        )


_WRITES_MATRICES = re.compile(
    r"\^\s*\{?\s*(?:T|\\top|\\intercal)\s*\}?(?![A-Za-z])|\\begin\s*\{\s*[bpBvV]?matrix"
)


def check_steps(text: str, *, timeout: float = DEFAULT_TIMEOUT) -> StepsReport:
    """Judge every '=' line of a derivation against the line before it; a derivation in free
    indices (ŷ_ℓ, a_{Li}) at every instance of them (:mod:`check.steps_indices`); a file in
    matrix notation as matrices (:mod:`check.steps_matrix_judge`): first when it writes a
    transpose or a matrix literal, else when it cannot be read as scalars."""
    if looks_like_matrices(text):
        try:
            report = check_matrix_steps(text, timeout=timeout)
        except ParseError:
            report = None  # not matrix notation after all: today's scalar reading
        if report is not None and (report.exit_code == 0 or _WRITES_MATRICES.search(text)):
            return report
        if report is not None:  # only a bare W: it may be a number, as in one neuron's z = W x
            return _or_scalars(report, text, timeout)
    try:
        return _check_scalar_steps(text, timeout)
    except ParseError as scalar_error:
        try:
            return check_matrix_steps(text, timeout=timeout)
        except ParseError:
            raise scalar_error from None


def _or_scalars(report: StepsReport, text: str, timeout: float) -> StepsReport:
    """A file whose only matrix mark is a bare W, judged as scalars too: valid as scalars, it
    is valid (W a number); a line wrong as matrices but valid as scalars is undecided."""
    try:
        scalar = _check_scalar_steps(text, timeout)
    except ParseError:
        return report
    if scalar.exit_code == 0:
        scalar.readings.append("W read as a number: as matrices the lines do not hold")
        return scalar
    if len(scalar.lines) == len(report.lines):
        for mine, other in zip(report.lines, scalar.lines, strict=True):
            if mine.valid is False and other.valid:
                mine.valid, mine.diagnosis = None, None
                mine.method += "; valid when W is a number (the file writes no transpose)"
        if report.final_correct is False and scalar.final_correct:
            report.final_correct = None
    return report


def _check_scalar_steps(text: str, timeout: float) -> StepsReport:
    size = size_of(text) if isinstance(text, str) else 3
    letters = free_indices(formulas(text), size)
    if not letters:
        return _judge_file(read(text), timeout)
    sym = symmetric(text)
    plans = assignments(letters, size, symmetric=sym)
    reports = [_judge_file(read(text, plan), timeout) for plan in plans]
    return combine(reports, plans, size=size, sym=sym)


def _judge_file(parsed: Parsed, timeout: float) -> StepsReport:
    """The report on one reading of the file (one instance of its free indices)."""
    prepare_workers()  # at least two decisions (a line, the whole), each in a forked worker
    reader, start, steps = parsed.reader, parsed.start, parsed.steps
    exprs = [start.expr] + [line.expr for line in steps]
    domain = domain_of(reader, exprs, parsed.one_hot)
    hot = None
    if not parsed.one_hot and infer_one_hot(reader, exprs):
        hot = domain_of(reader, exprs, "y")
    swaps = ((p, y),) if p in domain.samplers or p in domain.definitions else ()
    undifferentiated = ()
    if len(parsed.operands) == 1:
        label = "this line is the expression being differentiated, not its derivative"
        undifferentiated = ((label, parsed.operands[0]),)
    used_one_hot = False
    before = start.expr
    known = atoms_of(start.expr).union(*(atoms_of(e) for e in parsed.operands))
    known |= set().union(*(atoms_of(k) | atoms_of(v) for k, v in reader.definitions.items()))
    for line in steps:
        diagnoser = Diagnoser(line.expr, before, swaps=swaps, alternatives=undifferentiated)
        outcome, line.diagnosis = _judge(line.expr, before, domain, timeout, diagnoser)
        if outcome.equal is not True and hot is not None:
            second, _ = _judge(line.expr, before, hot, timeout, None)
            if second.equal:
                used_one_hot = True
                outcome, line.diagnosis = second, None
                outcome.method += (
                    f"; valid given {ONE_HOT_NOTE}, inferred from the cross-entropy loss "
                    "(declare it with 'assume y one-hot')"
                )
        if outcome.equal is not True:
            for reading, other in _rereadings(reader, line.source):
                try:
                    expr = other.read(line.source, line.number)
                except ParseError:
                    continue
                second, _ = _judge(expr, before, hot if used_one_hot else domain, timeout, None)
                if second.equal:
                    outcome, line.diagnosis, line.expr = second, None, expr
                    outcome.method += f"; valid when {reading}"
                    break
                outcome.method += f"; also not equal when {reading}" * (second.equal is False)
        if outcome.equal is False and reader.unknown:
            outcome = _only_for_some(reader, line.expr, before, domain, timeout) or outcome
            line.diagnosis = line.diagnosis if outcome.equal is False else None
        new = sorted(atoms_of(line.expr) - known, key=str)
        if outcome.equal is False and new:  # a name never defined: the line cannot be judged
            names = ", ".join(show(a) for a in new)
            outcome = Outcome(None, f"could not decide: {names} is not defined (define it above)")
            line.diagnosis = None
        known |= atoms_of(line.expr)
        line.valid, line.method, line.counterexample = (
            outcome.equal,
            outcome.method,
            outcome.counterexample,
        )
        before = line.expr
    final_domain = hot if used_one_hot else domain
    final: Outcome = decide(steps[-1].expr, start.expr, final_domain, timeout)[0]
    if final.equal is not True and hot is not None and not used_one_hot:
        final = decide(steps[-1].expr, start.expr, hot, timeout)[0]
        used_one_hot = used_one_hot or bool(final.equal)
    if final.equal is False and reader.unknown:
        final = _only_for_some(reader, steps[-1].expr, start.expr, final_domain, timeout) or final
    if final.equal is False and any(line.valid is None for line in steps):
        final = Outcome(None, "a line could not be decided")
    expected = show(steps[-1].expr) if final.equal else _correct(start.expr, final_domain, timeout)
    assumptions = list(final_domain.assumptions)
    if used_one_hot:
        assumptions = [f"{ONE_HOT_NOTE}, inferred from the cross-entropy loss"]
    report = StepsReport(
        start, steps, reader.definitions, expected=expected, assumptions=assumptions,
        readings=sorted(reader.readings),
    )  # fmt: skip
    report.final_correct = final.equal
    return report


def _only_for_some(reader: Reader, line, before, domain: Domain, timeout: float):
    """Undecided, not wrong, when a line unequal for the generic g is equal for a usual g."""
    names = " and ".join(map(shown, reader.unknown))
    for label, function in KNOWN:
        definitions = {k: _as_known(v, function) for k, v in domain.definitions.items()}
        other = replace(domain, definitions=definitions)
        a, b = as_known(line, function), as_known(before, function)
        if decide(a, b, other, timeout)[0].equal:
            why = f"equal only if {names} is {label}, which the file does not define"
            return Outcome(None, f"could not decide: {why} (define it, e.g. g(z) = ...)")
    return None


def _as_known(value, function):
    if isinstance(value, Entries):
        return Entries(value.base, {k: as_known(e, function) for k, e in value.entries.items()})
    return as_known(value, function)


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


__all__ = ["check_steps", "read"]
