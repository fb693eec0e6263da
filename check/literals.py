"""Vectors and matrices written entry by entry, in an answer: read and judged at sizes.

A literal (``\\begin{bmatrix} dz_1^3 \\\\ dz_2^3 \\end{bmatrix}``) has a concrete size, the
quantity a symbolic one (δ is n_out × 1): the literal stands for layers of that many units
(note 000's network has 2 units per layer; note 001 gives ``sizes = [1, 2, 1]``).
:func:`sized_readings` reads the answer with the layer sizes set, :func:`verdict` compares the
literal with the derived result at those sizes, entry by entry.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import sympy as sp

from check.diagnose import show
from check.quantities import Quantity
from check.report import Verdict
from derive.builtins.dense import zprev
from derive.errors import ParseError
from derive.language import Reading
from derive.language.tensor_algebra import Tensor, with_sizes
from derive.symbols import Wm, bv, deltav, hv

# entries inside a literal, in index notation (dz_1^3, w_{12}^3, h_1^2, g'(z_1^2))
ENTRIES = {"dz": deltav, "delta": deltav, "w": Wm, "W": Wm, "h": hv, "x": hv}
ENTRIES |= {"b": bv, "z": zprev, "zprev": zprev, "a": hv}
MAX_SIZINGS = 9  # size assignments tried for one answer with literals


def dims(node):
    """The row and column counts of every matrix literal in the tree."""
    if node is None or not hasattr(node, "kind"):
        return
    if node.kind == "matrix":
        yield len(node.args)
        yield len(node.args[0].args)
    for child in (*node.args, node.sub, node.layer, *(v for _, v in node.keywords)):
        yield from dims(child)


def sized_readings(q: Quantity, tensors: dict, counts: set, given, read) -> list[Reading]:
    """A literal has a concrete size (2 entries), the quantity a symbolic one (n_out × n_in):
    the literal stands for layers of that many units: ``given`` (the question's sizes), or
    else every assignment of the sizes to the literals' row and column counts is read,
    then those with a layer of 1 unit (δ of a one-unit layer is one number); the readings
    whose result has the quantity's shape at those sizes are kept, each noting its sizes (the
    checker compares entry by entry).  If only assignments with a 1 fit, the first
    assignment's readings come first, so a mistake is reported at the literal's own size.
    ``counts``: the literals' row and column counts (:func:`dims`); ``read(tensors)``: the
    readings with the tensors at the sizes tried."""
    dims = {d for d in counts if d > 1} or {1}  # a column's one column is not a layer's size
    shape = tuple(sp.S(s) for s in q.shape)  # (n_in, 1): the 1 may be an int
    symbols = sorted(
        {s for t in tensors.values() for s in (t.rows, t.cols) if s.is_Symbol}
        | {s for s in shape if s.is_Symbol},
        key=str,
    )
    if given:
        combos = [tuple(given.get(s, max(dims)) for s in symbols)]
    else:
        own = list(itertools.product(sorted(dims, reverse=True), repeat=len(symbols)))
        ones = [c for c in itertools.product(sorted(dims | {1}), repeat=len(symbols))]
        combos = own + [c for c in ones if c not in own]
    first, kept, kept_one, error = None, [], [], None
    for combo in combos[:MAX_SIZINGS]:
        sizes = dict(zip(symbols, map(sp.Integer, combo), strict=True))
        bound = {name: with_sizes(t, sizes) for name, t in tensors.items()}
        try:
            found = read(bound)
        except ParseError as exc:
            error = error or exc
            continue
        shown = ", ".join(f"{s} = {v}" for s, v in sizes.items())
        note = f"the matrix read for layers of {shown} units"
        found = [replace(r, notes=(*r.notes, note), sizes=tuple(sizes.items())) for r in found]
        first = first or found
        fits = [
            r
            for r in found
            if isinstance(r.value, Tensor)
            and r.value.shape == tuple(s.xreplace(sizes) for s in shape)
        ]
        (kept if given or all(v in dims for v in combo) else kept_one).extend(fits)
    if first is None:
        raise error
    if kept:
        return kept
    return [*first, *kept_one] if kept_one else first


def verdict(q: Quantity, text: str, t: Tensor, sizes: dict, decided) -> Verdict:
    """A matrix literal read for layers of ``sizes`` units: its shape, then entry by entry
    against the result at those sizes (the first wrong entry is the verdict).  ``decided(entry,
    expected, note, at)`` is the checker's verdict on one entry."""
    shown = ", ".join(f"{s} = {v}" for s, v in sizes.items())
    rows, cols = (sp.S(s).xreplace(sizes) for s in q.shape)  # q.shape may hold a 1
    if t.shape != (rows, cols):
        return Verdict(
            q.name, text, show(q.expected), False, read_as=t.describe(), method="shapes",
            diagnosis=_misshaped(t, rows, cols, shown),
        )  # fmt: skip
    row_index, col_index = q.entry
    verdict = None
    for r, c in itertools.product(range(1, int(rows) + 1), range(1, int(cols) + 1)):
        at = {**sizes, row_index: sp.Integer(r)}
        if col_index is not None:
            at[col_index] = sp.Integer(c)
        entry = t.entry(sp.Integer(r), sp.Integer(c)).doit()
        expected = q.expected.xreplace(at).doit()
        note = f" (entry ({r}, {c}), for {shown})"
        verdict = decided(entry, expected, note, at)
        verdict.read_as = f"{t.text}, entry ({r}, {c}) = {verdict.read_as}"
        if not verdict.correct:
            break
    else:  # every entry is right
        verdict.read_as = t.text
        verdict.expected = f"{show(q.expected)} at each of the {rows}×{cols} entries, for {shown}"
    if verdict.correct is False and not verdict.diagnosis and _transposed(q, t, sizes):
        verdict.diagnosis = "transposed: the transpose of the answer is the result"
    elif verdict.correct is False and not verdict.diagnosis:
        verdict.diagnosis = _misplaced(q, entry, (r, c), (int(rows), int(cols)), sizes)
    return verdict


def _misplaced(q: Quantity, entry, at: tuple, shape: tuple, sizes: dict) -> str | None:
    """The wrong entry of a literal is another entry of the result: a wrong index."""
    row_index, col_index = q.entry
    for r, c in itertools.product(range(1, shape[0] + 1), range(1, shape[1] + 1)):
        where = {**sizes, row_index: sp.Integer(r)}
        if col_index is not None:
            where[col_index] = sp.Integer(c)
        expected = q.expected.xreplace(where).doit()
        if (r, c) != at and sp.expand(entry - expected) == 0:
            return f"wrong index: entry {at} is the result's entry ({r}, {c})"
        if (r, c) == at and sp.expand(_unindexed(entry) - _unindexed(expected)) == 0:
            return f"wrong index: entry {at} has the right factors with the wrong indices"
    return None


def _unindexed(expr):
    """Every entry x_2, W_12 as its vector or matrix alone (x_0, W_00): the indices dropped."""
    return expr.replace(
        lambda e: isinstance(e, sp.Indexed), lambda e: e.base[(0,) * len(e.indices)]
    )


def _misshaped(t: Tensor, rows, cols, shown: str) -> str:
    said = f"the answer is {t.rows}×{t.cols}, the result is {rows}×{cols} for {shown}"
    if t.shape == (1, 1) and rows != 1 and cols != 1:  # dzᵀ h for dz hᵀ
        return f"wrong order or missing transpose (a row times a column is a number): {said}"
    if t.shape == (cols, rows):
        return f"transposed: {said}"
    return f"wrong shape: {said}"


def _transposed(q: Quantity, t: Tensor, sizes: dict) -> bool:
    """The literal's transpose equals the result entry by entry (symbolically)."""
    if t.rows != t.cols or q.entry[1] is None:
        return False
    size, (row_index, col_index) = int(t.rows), q.entry
    for r, c in itertools.product(range(1, size + 1), repeat=2):
        at = {**sizes, row_index: sp.Integer(r), col_index: sp.Integer(c)}
        difference = t.entry(sp.Integer(c), sp.Integer(r)) - q.expected.xreplace(at).doit()
        if sp.expand(difference.doit()) != 0:
            return False
    return True
