"""Reading a ``check steps`` file: its definitions (``p = sigma(z)``, ``q_i = …``, ``g(z) =
…``), ``assume y one-hot``, the start and the ``=`` lines, each read by
:class:`check.steps_read.Reader`; one *instance* of the free indices at a time when
``indices`` gives them values (:mod:`check.steps_indices`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import sympy as sp

from check.steps_delta import delta_start
from check.steps_functions import undefined_functions, unknown_function
from check.steps_read import Reader
from check.steps_report import Line
from check.steps_text import substitute_index
from derive.errors import ParseError

MAX_LINES = 200
_DEFINITION = re.compile(r"^\s*([^=]+?)\s*=(?!=)\s*(.+)$")
_FUNCTION = re.compile(r"^\s*(\\mathcal\s*\{\s*[A-Z]\s*\}|[A-Za-z])\s*\(\s*([A-Za-z])\s*\)\s*$")
_ASSUME = re.compile(r"^\s*assume\s*:?\s*(?P<name>[A-Za-z])\s+(?:is\s+)?one[- ]?hot\s*\.?$", re.I)


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


def size_of(text: str) -> int:
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
    recurrence = delta_start(parsed.start.expr, reader.definitions, parsed.steps, reader.expand)
    if recurrence is not None:  # δ^l_j = Σ_k δ^{l+1}_k ∂z^{l+1}_k/∂z^l_j
        parsed.start.expr, reading = recurrence
        reader.readings.add(reading)
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
    reader = Reader(size=size_of(text))
    letters = re.findall(r"(?<![A-Za-z\\])([A-Za-z])(?![A-Za-z])", text)
    reader.letters = set(letters) - {"e", "d"}
    if re.search(r"^\s*\$?\s*e\s*=(?!=)", text, re.M):  # e = (y − ŷ)²: the error, not Euler's e
        reader.euler = False
        reader.readings.add("e is the variable defined in the file, not Euler's number")
    reader.collect_layers([line for _, line in raw])
    formulas = "\n".join(line for _, line in raw)
    for number, name in enumerate(undefined_functions(formulas)):
        reader.unknown[name] = unknown_function(name, number)
        reader.readings.add(
            f"{shown(name)} is not defined: read as any function ({shown(name)}′ its derivative; a counterexample uses one fixed such function)"
        )
    return reader, raw


def shown(name: str) -> str:
    return "𝒜" if name == "calA" else name


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
    uses = {k: [a for a in atoms_of(v) if a in defs] for k, v in defs.items()}
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


def atoms_of(expr: sp.Basic) -> set:
    """The entries and the plain symbols of expr (not the labels of its entries)."""
    entries = set(expr.atoms(sp.Indexed))
    labels = {a.base.label for a in entries}
    return entries | {s for s in expr.free_symbols if s not in labels}
