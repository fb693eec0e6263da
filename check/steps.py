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

import re
from dataclasses import dataclass, field, replace

import numpy as np
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
from check.steps_indices import assignments, combine, free_indices, symmetric
from check.steps_read import Reader, substitute_index
from check.steps_report import Line, StepsReport
from derive.errors import ParseError
from derive.functions import sigmoid
from derive.model import Domain
from derive.substitute import apply_definitions
from derive.symbols import p, y, z

MAX_LINES = 200
UNIT = ("p", "q", "yhat", "ystar", "a", "h", "y")  # sampled in (0, 1) when not defined
_DEFINITION = re.compile(r"^\s*([^=]+?)\s*=(?!=)\s*(.+)$")
_FUNCTION = re.compile(r"^\s*(\\mathcal\s*\{\s*[A-Z]\s*\}|[A-Za-z])\s*\(\s*([A-Za-z])\s*\)\s*$")
_ASSUME = re.compile(r"^\s*assume\s*:?\s*(?P<name>[A-Za-z])\s+(?:is\s+)?one[- ]?hot\s*\.?$", re.I)
ONE_HOT_NOTE = "y one-hot (Σ_k y_k = 1)"


@dataclass
class Parsed:
    reader: Reader
    start: Line
    steps: list
    one_hot: str | None = None  # the target declared one-hot (assume y one-hot)
    lines: dict = field(default_factory=dict)  # defined atom -> line number
    operands: list = field(default_factory=list)  # what the start differentiates


def _clean(raw: str) -> str:
    text = raw.split("#", 1)[0].strip().strip("$").strip()
    text = re.sub(r"\\\\\s*$", "", text).strip()
    text = re.sub(r"\\(?:tag|label)\{[^{}]*\}", "", text)
    return text.lstrip("&").replace("&=", "=").replace("&", " ").strip().rstrip(".,;").strip()


def _definition_target(reader: Reader, head: str):
    """The atom a line ``NAME = ...`` defines, or None when the head is not a plain name."""
    if re.search(r"\\[dt]?frac|/|\\partial|∂|\(", re.sub(r"\^\s*\{[^{}]*\}", "", head)):
        return None
    try:
        return reader.variable_of(head)
    except ParseError:
        return None


def _size(text: str) -> int:
    found = [int(n) for n in re.findall(r"_\s*\{?\s*([1-9])(?![0-9])", text)]
    return max(found, default=3) if max(found, default=3) >= 2 else 3


def read(text: str, indices: dict | None = None) -> Parsed:
    """Definitions, start Line and step Lines; ParseError for a malformed file. ``indices``
    gives each free index of the lines a value (one instance of a derivation in ℓ, i)."""
    reader, raw = _reader(text)
    reader.indices = dict(indices or {})
    parsed = Parsed(reader, None, [])
    for kind, n, line, match in _kinds(reader, raw):
        if kind == "assume":
            parsed.one_hot = match.group("name")
        elif kind == "function":  # g(z) = ..., \mathcal{A}(z) = ...
            name = re.sub(r"\\mathcal\s*\{\s*([A-Z])\s*\}", r"cal\1", match.group(1))
            reader.define_function(name, match.group(2), line, n)
        elif kind == "definition":
            _define(parsed, n, match.group(1), match.group(2))
        elif kind == "start":
            _check_cycles(parsed)
            head, *tails = split_equals(line)
            tail = "=".join(tails)
            parsed.start = Line(n, head.strip(), reader.read(head, n), source=head)
            parsed.operands = list(reader.operands)
            if tail.strip():
                parsed.steps += _steps(reader, n, tail)
        else:
            parsed.steps += _steps(reader, n, line[1:])
    if not parsed.steps:
        raise ParseError(f"line {parsed.start.number}: no '=' lines follow the start")
    return parsed


def formulas(text: str) -> list[str]:
    """The text of the start and of every '=' line (not the definitions): where a free index
    of the derivation is used. ParseError for a malformed file."""
    reader, raw = _reader(text)
    return [line for kind, _, line, _ in _kinds(reader, raw) if kind in ("start", "step")]


def _reader(text: str) -> tuple[Reader, list]:
    if not isinstance(text, str):
        raise ParseError("the derivation must be text")
    raw = [(n, _clean(line)) for n, line in enumerate(text.splitlines(), 1)]
    raw = [(n, line) for n, line in raw if line]
    if len(raw) > MAX_LINES:
        raise ParseError(f"too many lines ({len(raw)}, limit {MAX_LINES})")
    reader = Reader(size=_size(text))
    letters = re.findall(r"(?<![A-Za-z\\])([A-Za-z])(?![A-Za-z])", text)
    reader.letters = set(letters) - {"e", "d"}
    if re.search(r"^\s*\$?\s*e\s*=(?!=)", text, re.M):  # e = (y − ŷ)²: the error, not Euler's e
        reader.euler = False
        reader.readings.add("e is the variable defined in the file, not Euler's number")
    reader.collect_layers([line for _, line in raw])
    return reader, raw


def _kinds(reader: Reader, raw: list):
    """(kind, line number, text, match) of each line: assume, function, definition (all
    before the start), start, then step."""
    started = False
    for n, line in raw:
        if started:
            if not line.startswith("="):
                raise ParseError(f"line {n}: each line after the start must begin with '='")
            yield "step", n, line, None
            continue
        if m := _ASSUME.match(line):
            yield "assume", n, line, m
            continue
        if line.lower().startswith("assume"):
            raise ParseError(f"line {n}: the only assumption understood is 'assume y one-hot'")
        match = _DEFINITION.match(line)
        function = match and _FUNCTION.match(match.group(1))
        if function:
            yield "function", n, match.group(2), function
            continue
        head = match and not line.startswith("=") and match.group(1)
        if head and _definition_target(reader, head) is not None:
            yield "definition", n, line, match
            continue
        started = True
        yield "start", n, line, None
    if not started:
        raise ParseError("no starting expression (e.g. d/dz (-y*log(p) - (1-y)*log(1-p)))")


def split_equals(text: str) -> list[str]:
    """Split at each '=' outside brackets (\\sum_{k=1}^{3} keeps its '=')."""
    parts, depth, last = [], 0, 0
    for pos, ch in enumerate(text):
        depth += (ch in "({[") - (ch in ")}]")
        if ch == "=" and depth == 0:
            parts.append(text[last:pos])
            last = pos + 1
    return [*parts, text[last:]]


def _steps(reader: Reader, n: int, text: str) -> list:
    parts = [part.strip() for part in split_equals(text)]  # = a = b on one line
    return [Line(n, "= " + part, reader.read(part, n), source=part) for part in parts]


def _define(parsed: Parsed, n: int, head: str, body: str) -> None:
    """``NAME = ...``; ``q_i = ...``, ``\\hat{y}_\\ell = ...``, ``a_s^l = g(z_s^l)`` (an index
    letter subscript) defines every entry q_1 … q_K."""
    reader = parsed.reader
    index = re.search(r"_\s*\{?\s*([a-z]|\\ell(?![A-Za-z])|ℓ)\s*\}?\s*(?=\^|$)", head)
    if index and _family(index.group(1), body):
        var = index.group(1)
        for value in range(1, reader.size + 1):
            _define(
                parsed, n, substitute_index(head, var, value), substitute_index(body, var, value)
            )
        return
    target = reader.variable_of(head)
    if target in reader.definitions:
        raise ParseError(f"line {n}: {head.strip()} is defined twice")
    reader.definitions[target] = reader.read(body, n)
    parsed.lines[target] = n


def _family(var: str, body: str) -> bool:
    """Whether ``x_var = body`` defines every entry: var is i, j, k, m, n or ℓ, or another
    letter the body uses as an index too (a_s^l = g(z_s^l); not the label of W_h = ...)."""
    if var in "ijkmn" or var in ("ℓ", "\\ell"):
        return True
    return substitute_index(body, var, 1) != body


def _check_cycles(parsed: Parsed) -> None:
    """A definition that refers back to itself (p = … L …, L = … p …): one line, not a crash."""
    defs = parsed.reader.definitions
    uses = {k: [a for a in _atoms(v) if a in defs] for k, v in defs.items()}
    for first in defs:
        path, todo = [first], [(first, iter(uses[first]))]
        while todo:
            node, rest = todo[-1]
            nxt = next(rest, None)
            if nxt is None:
                todo.pop()
                path.pop()
            elif nxt == first:
                names = " → ".join(str(a) for a in [*path, first])
                line = parsed.lines.get(first, "?")
                raise ParseError(f"line {line}: circular definitions: {names}")
            elif nxt not in path and len(path) < 50:
                path.append(nxt)
                todo.append((nxt, iter(uses[nxt])))


def _atoms(expr: sp.Basic) -> set:
    return set(expr.atoms(sp.Indexed)) | expr.free_symbols


class _Entries:
    """A vector defined entry by entry (q_1 = …, q_2 = …), as derive's definitions are; an
    entry not defined (a_2 beside a_3 = σ(w_3 a_2)) is a free variable of its own."""

    def __init__(self, base: sp.IndexedBase, entries: dict):
        self.base, self.entries = base, entries

    def __call__(self, index):
        if int(index) in self.entries:
            return self.entries[int(index)]
        return free_entry(self.base, int(index))


def free_entry(base: sp.IndexedBase, index: int) -> sp.Symbol:
    return sp.Symbol(f"{base.label}_{index}", real=True)


def _sampler(low, high):
    def draw(rng, n, shape):
        return rng.uniform(low, high, size=n if shape is None else (n, *shape))

    return draw


def balanced_one_hot(rng, n, shape):
    """One-hot rows (n, K) in which every class occurs (so no class goes unchecked)."""
    classes = rng.permutation(np.arange(n) % shape[0])
    out = np.zeros((n, *shape))
    out[np.arange(n), classes] = 1.0
    return out


def _domain(reader: Reader, exprs, one_hot: str | None) -> Domain:
    definitions, vectors = {}, {}
    for key, value in reader.definitions.items():
        if isinstance(key, sp.Indexed):
            vectors.setdefault(key.base, {})[int(key.indices[0])] = value
        else:
            definitions[key] = value
    definitions.update({base: _Entries(base, entries) for base, entries in vectors.items()})
    atoms = set().union(*(_atoms(apply_definitions(e, definitions)) for e in exprs))
    for atom in [a for a in atoms if isinstance(a, sp.Indexed) and a.base in vectors]:
        atoms.add(free_entry(atom.base, int(atom.indices[0])))  # sampled like the vector
    samplers: dict = {}
    for atom in atoms:
        key = atom.base if isinstance(atom, sp.Indexed) else atom
        name = str(key.label if isinstance(key, sp.IndexedBase) else key).split("^")[0]
        samplers[key] = _sampler(0.05, 0.95) if name in UNIT else _sampler(-2.0, 2.0)
    assumptions = []
    if one_hot:
        for base in {a.base for a in atoms if isinstance(a, sp.Indexed)}:
            if str(base.label).split("^")[0] == one_hot:
                size = max(int(a.indices[0]) for a in atoms if getattr(a, "base", None) == base)
                samplers[base], samplers[("shape", base)] = balanced_one_hot, (max(size, 2),)
        assumptions.append(ONE_HOT_NOTE)
    return Domain(definitions=definitions, samplers=samplers, assumptions=assumptions)


def _infer_one_hot(reader: Reader, exprs) -> bool:
    """Cross-entropy over several classes (y_k log q_k for two k or more): y is one-hot."""
    found = set()
    exprs = [e for e in [*exprs, *reader.definitions.values()] if e.has(sp.log)]
    # expanding only splits terms, so the y entries found are among those of the expressions
    # with a log: fewer than two there (a scalar y), and none of the costly expansions is done
    candidates = {a for e in exprs for a in e.atoms(sp.Indexed) if str(a.base.label) == "y"}
    if len(candidates) < 2:
        return False
    for e in exprs:
        for term in sp.Add.make_args(sp.expand(e) if sp.count_ops(e) < 200 else e):
            if term.has(sp.log):
                found |= {a for a in term.atoms(sp.Indexed) if str(a.base.label) == "y"}
    return len(found) >= 2


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


def check_steps(text: str, *, timeout: float = DEFAULT_TIMEOUT) -> StepsReport:
    """Judge every '=' line of a derivation against the line before it; a derivation in free
    indices (ŷ_ℓ, a_{Li}) at every instance of them (:mod:`check.steps_indices`)."""
    size = _size(text) if isinstance(text, str) else 3
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
    domain = _domain(reader, exprs, parsed.one_hot)
    hot = None
    if not parsed.one_hot and _infer_one_hot(reader, exprs):
        hot = _domain(reader, exprs, "y")
    swaps = ((p, y),) if p in domain.samplers or p in domain.definitions else ()
    undifferentiated = ()
    if len(parsed.operands) == 1:
        label = "this line is the expression being differentiated, not its derivative"
        undifferentiated = ((label, parsed.operands[0]),)
    used_one_hot = False
    before = start.expr
    known = _atoms(start.expr).union(*(_atoms(e) for e in parsed.operands))
    known |= set().union(*(_atoms(k) | _atoms(v) for k, v in reader.definitions.items()))
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
        new = sorted(_atoms(line.expr) - known, key=str)
        if outcome.equal is False and new:  # a name never defined: the line cannot be judged
            names = ", ".join(show(a) for a in new)
            outcome = Outcome(None, f"could not decide: {names} is not defined (define it above)")
            line.diagnosis = None
        known |= _atoms(line.expr)
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


__all__ = ["check_steps", "np", "read"]
