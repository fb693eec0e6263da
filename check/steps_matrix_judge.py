"""Judging a matrix-notation derivation (:mod:`check.steps_matrix`) line by line.

Each line is an explicit Matrix; two consecutive lines are equal when they have the same
shape and every entry is equal (:func:`check.equivalence.decide`, the definitions written
out).  A different shape is wrong, with the two shapes named; an entry unequal for the
generic g but equal for σ, tanh, the identity or ReLU is undecided, never wrong.

>>> report = check_matrix_steps("z = W h + b\\n\\\\frac{\\\\partial L}{\\\\partial h}\\n= W^T \\\\frac{\\\\partial L}{\\\\partial z}")
>>> report.valid, report.final_correct
(True, True)
"""

from __future__ import annotations

import re
from dataclasses import replace

import sympy as sp

from check.diagnose import show
from check.equivalence import DEFAULT_TIMEOUT, Outcome, decide, prepare_workers
from check.steps_domain import sampler
from check.steps_file import _FUNCTION, _clean, split_equals
from check.steps_functions import KNOWN, as_known, undefined_functions
from check.steps_matrix import MatrixFile, looks_like_matrices
from check.steps_matrix_read import MATRICES, MatrixShapeError, name_of, shape_text
from check.steps_report import Line, StepsReport
from derive.errors import ParseError
from derive.language import function_table, parse
from derive.model import Domain

TRANSPOSE = re.compile(r"\^\s*\{?\s*(?:T|\\top|\\intercal)\s*\}?(?![A-Za-z])")
UNIT = ("ŷ", "y", "a", "h", "p", "q")  # sampled in (0, 1), as the scalar steps do
MAX_SHOWN = 160


def split(text: str) -> list:
    """(kind, line number, text, tree) of each part: definition (its tree a (head, body)
    pair), start, step."""
    if not isinstance(text, str):
        raise ParseError("the derivation must be text")
    raw = [(n, _clean(line)) for n, line in enumerate(text.splitlines(), 1)]
    raw = [(n, line) for n, line in raw if line]
    if not raw:
        raise ParseError("no starting expression")
    defined = {m.group(1) for _, t in raw if (m := _FUNCTION.match(t.split("=")[0]))}
    functions = set(function_table()) | set(undefined_functions("\n".join(t for _, t in raw)))
    functions |= defined

    def tree(part: str, n: int):
        try:
            return parse(part.strip(), functions)
        except ParseError as exc:
            raise ParseError(f"line {n}: {exc}") from None

    parts, started = [], False
    for pos, (n, line) in enumerate(raw):
        pieces = split_equals(line)
        if started or line.startswith("="):
            if not started or not line.startswith("="):
                raise ParseError(f"line {n}: each line after the start must begin with '='")
            parts += [("step", n, p.strip(), tree(p, n)) for p in pieces[1:]]
            continue
        function = _FUNCTION.match(pieces[0]) if len(pieces) == 2 else None
        if function:  # g(z) = \tanh(z): the activation the file uses
            parts.append(("function", n, line, (*function.groups(), pieces[1].strip())))
            continue
        follows = pos + 1 < len(raw) and raw[pos + 1][1].startswith("=")
        last = pos + 1 == len(raw)
        head = tree(pieces[0], n) if len(pieces) > 1 else None
        if len(pieces) == 2 and not follows and not last and name_of(head) is not None:
            parts.append(("definition", n, line, (head, tree(pieces[1], n))))
            continue
        started = True
        parts.append(("start", n, pieces[0].strip(), head or tree(pieces[0], n)))
        parts += [("step", n, p.strip(), tree(p, n)) for p in pieces[1:]]
    if not any(kind == "step" for kind, *_ in parts):
        raise ParseError("no '=' lines follow the start")
    return parts


def check_matrix_steps(text: str, *, timeout: float = DEFAULT_TIMEOUT) -> StepsReport:
    """The report on a matrix-notation derivation; ParseError when it cannot be read so."""
    parts = split(text)
    prepare_workers()
    first = _judge(parts, "rows", timeout)
    if isinstance(first, StepsReport) and first.exit_code == 0:
        return first
    second = "W is not used"
    if any(n.text in MATRICES for *_, t in parts for n, _ in _names(t)):
        try:
            second = _judge(parts, "cols", timeout)
        except ParseError as exc:  # read in the first layout only
            second = str(exc)
    reports = [r for r in (first, second) if isinstance(r, StepsReport)]
    if not reports:
        raise ParseError(f"the lines do not fit as matrices: {first}")
    if isinstance(second, StepsReport):
        second.readings.append("W read as n_in × n_out (the notes' layout)")
    report = _combine(reports)
    return report if looks_like_matrices(text) else _sizes_guessed(report)


def _sizes_guessed(report: StepsReport) -> StepsReport:
    """No transpose, matrix or W in the file: the sizes are a guess, so a shape that does not
    fit them decides nothing."""
    for line in report.lines:
        if line.valid is False and line.method == "shapes":
            why = f"could not decide: {line.diagnosis} at the sizes assumed"
            line.valid, line.diagnosis = None, None
            line.method = f"{why} (the file writes no transpose, matrix or W to fix them)"
    if report.final_correct is False and any(line.valid is None for line in report.lines):
        report.final_correct = None
    return report


def _names(tree):
    from check.steps_matrix import _walk

    trees = tree if isinstance(tree, tuple) else (tree,)
    for t in trees:
        yield from _walk(t)


def _judge(parts: list, layout: str, timeout: float) -> StepsReport | str:
    """The report in one layout of the weights; why not, when the definitions or the start do
    not fit as matrices in it."""
    mf = MatrixFile(parts, layout)
    try:
        for kind, n, _, tree in parts:
            if kind == "definition":
                _at(n, lambda t=tree: mf.define(*t))
        start_part = next(p for p in parts if p[0] == "start")
        start_value = _at(start_part[1], lambda: mf.line.read(start_part[3]))
    except MatrixShapeError as exc:
        return str(exc)
    start = Line(start_part[1], start_part[2], start_value, source=start_part[2])
    domain = _domain(mf, [start_value])
    known = set(mf.expand(start_value).free_symbols) | set(mf.subs)
    known |= set().union(*(v.free_symbols for v in mf.subs.values()))
    lines, before, last, before_text = [], start_value, None, start_part[2]
    for kind, n, text, tree in parts:
        if kind != "step":
            continue
        line = Line(n, "= " + text, source=text)
        try:
            value = _at(n, lambda t=tree: mf.line.read(t))
        except MatrixShapeError as exc:
            said = str(exc).removeprefix(f"line {n}: ")
            line.valid, line.method, line.diagnosis = False, "shapes", said
            lines.append(line)
            last = None
            continue
        line.expr, last = value, value
        outcome, line.diagnosis = _compare(mf, value, before, domain, timeout, known)
        if outcome.equal is False and _primed(before_text) and not _primed(text):
            line.diagnosis = "the factor g′(…) is missing (⊙ g′(z) left out)"
        elif outcome.equal is False and line.diagnosis is None:
            line.diagnosis = _flipped(mf, tree, before, domain, timeout, known)
            line.diagnosis = line.diagnosis or _transposes(text, before_text)
        before_text = text
        line.valid, line.method, line.counterexample = (
            outcome.equal,
            outcome.method,
            outcome.counterexample,
        )
        known |= set(mf.expand(value).free_symbols)
        lines.append(line)
        before = value
    final = Outcome(False, "the last line does not fit as matrices")
    if last is not None:
        final, _ = _compare(mf, last, start_value, domain, timeout, known)
    if final.equal is False and any(line.valid is None for line in lines):
        final = Outcome(None, "a line could not be decided")
    expected = lines[-1].text[2:] if final.equal else _shown(mf.expand(start_value))
    report = StepsReport(start, lines, expected=expected, readings=sorted(mf.readings))
    report.final_correct = final.equal
    return report


def _at(n: int, read):
    try:
        return read()
    except ParseError as exc:
        raise ParseError(f"line {n}: {exc}") from None
    except MatrixShapeError as exc:
        raise MatrixShapeError(f"line {n}: {exc}") from None


def _domain(mf: MatrixFile, values) -> Domain:
    symbols = set()
    for value in [*values, *mf.subs.values(), *mf.subs]:
        symbols |= set(mf.expand(value).free_symbols)
    samplers = {}
    for s in symbols:
        base = str(s).split("^")[0].split("_")[0]
        samplers[s] = sampler(0.05, 0.95) if base in UNIT else sampler(-2.0, 2.0)
    return Domain(samplers=samplers)


def _with_samplers(domain: Domain, exprs) -> Domain:
    new = {s: sampler(-2.0, 2.0) for e in exprs for s in e.free_symbols if s not in domain.samplers}
    return replace(domain, samplers={**domain.samplers, **new}) if new else domain


def _compare(mf: MatrixFile, line, before, domain, timeout, known) -> tuple[Outcome, str | None]:
    """(outcome, diagnosis) of ``line`` against ``before``, both Matrices."""
    if line.shape != before.shape:
        said = f"this line is {shape_text(line)}, the line before is {shape_text(before)}"
        if line.shape == before.T.shape:
            if _compare(mf, line.T, before, domain, timeout, known)[0].equal:
                why = "equal as its transpose: a gradient written as a row (δᵀ W) or a column"
                return Outcome(None, f"could not decide: {why}; the file does not say which"), None
            return Outcome(False, "shapes"), f"transposed: {said}"
        return Outcome(False, "shapes"), f"wrong shape: {said}"
    a, b = mf.expand(line), mf.expand(before)
    domain = _with_samplers(domain, [*a, *b])
    methods, undecided = [], None
    for k in range(len(a)):
        outcome, _ = decide(a[k], b[k], domain, timeout)
        if outcome.equal is False and mf.functions:
            outcome = _only_for_some(mf, a[k], b[k], domain, timeout) or outcome
        if outcome.equal is False:
            new = sorted(a[k].free_symbols - known, key=str)
            if new:
                names = ", ".join(map(str, new))
                return Outcome(
                    None, f"could not decide: {names} is not defined (define it above)"
                ), None
            where = f"entry ({k // a.cols + 1}, {k % a.cols + 1})" if len(a) > 1 else "the value"
            outcome.method = f"{where} differs; {outcome.method}"
            return outcome, _diagnosis(a[k], b[k], line, before)
        if outcome.equal is None:
            undecided = undecided or outcome
        methods.append(outcome.method)
    if undecided is not None:
        return undecided, None
    return Outcome(
        True, f"{len(a)} entries equal; {methods[0]}" if len(a) > 1 else methods[0]
    ), None


def _flipped(mf: MatrixFile, tree, before, domain, timeout, known) -> str | None:
    """ "missing transpose" when the line with Wᵀ for W (and W for Wᵀ) equals the one before."""
    mf.flipped = True
    try:
        value = mf.line.read(tree)
    except (ParseError, MatrixShapeError):
        return None
    finally:
        mf.flipped = False
    if value.shape == before.shape and _compare(mf, value, before, domain, timeout, known)[0].equal:
        return "missing transpose: with Wᵀ for W (or W for Wᵀ) the line equals the one before"
    return None


def _transposes(text: str, before: str) -> str | None:
    """A transpose fewer (or more) than the line before: likely the slip."""
    mine, theirs = (len(TRANSPOSE.findall(t)) for t in (text, before))
    if mine < theirs:
        return "missing transpose: the line before has one more ᵀ"
    if mine > theirs:
        return "extra transpose: the line before has one ᵀ fewer"
    return None


def _primed(text: str) -> bool:
    """The text writes a derivative of a function: g'(z), σ'(z), g^{\\prime}(z)."""
    return re.search(r"'\s*\(|\\prime|′", text) is not None


def _diagnosis(a, b, line, before) -> str | None:
    derivative = lambda e: bool(e.atoms(sp.Derivative, sp.Subs))  # noqa: E731
    if derivative(b) and not derivative(a):
        return "the factor g′(…) is missing (⊙ g′(z) left out)"
    if line.shape == line.T.shape and line.shape[0] > 1 and before.T == line:
        return "transposed: the line is the transpose of the line before"
    return None


def _only_for_some(mf: MatrixFile, a, b, domain, timeout) -> Outcome | None:
    names = " and ".join(mf.functions)
    for label, function in KNOWN:
        if decide(as_known(a, function), as_known(b, function), domain, timeout)[0].equal:
            why = f"equal only if {names} is {label}, which the file does not define"
            return Outcome(None, f"could not decide: {why} (define it, e.g. g(z) = ...)")
    return None


def _tidy(expr):
    """g′ at a symbol shown as g′(z), not as Subs(g′(x), x, z)."""
    found = [e for e in expr.atoms(sp.Subs) if all(isinstance(p, sp.Symbol) for p in e.point)]
    return expr.xreplace(
        {e: e.expr.xreplace(dict(zip(e.variables, e.point, strict=True))) for e in found}
    )


def _shown(value: sp.Matrix) -> str:
    value = value.applyfunc(_tidy)
    if value.shape == (1, 1):
        text = show(value[0, 0])
    else:
        text = (
            "["
            + "; ".join(", ".join(show(x) for x in value.row(r)) for r in range(value.rows))
            + "]"
        )
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def _combine(reports: list) -> StepsReport:
    """Several layouts: a line is valid if valid in one, wrong only if wrong in all."""
    if len(reports) == 1:
        return reports[0]
    base = reports[0]
    lines = []
    for k, line in enumerate(base.lines):
        options = [r.lines[k] for r in reports]
        valid = [o for o in options if o.valid is True]
        unsure = [o for o in options if o.valid is None]
        lines.append(valid[0] if valid else unsure[0] if unsure else line)
    finals = [r.final_correct for r in reports]
    final = True if True in finals else None if None in finals else False
    chosen = next((r for r in reports if r.final_correct == final), base)
    readings = sorted(set().union(*(r.readings for r in reports)))
    report = StepsReport(base.start, lines, expected=chosen.expected, readings=readings)
    report.final_correct = final
    return report


__all__ = ["check_matrix_steps", "looks_like_matrices", "split"]
