"""Which part of a result a ``check answer`` question asks for: ``dense:dW[1,2]@3`` (the
quantity, the entry, the layer) and an answer's indices aligned with the result's (p_k − y_k
for p_i − y_i; q_1 − y_1 compared with each entry it can name)."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

import sympy as sp

from check.diagnose import show
from check.quantities import Quantity
from check.reading import Tensor, bound_apart
from derive.errors import ParseError, UnknownNameError
from derive.language import Reading
from derive.language.layer_labels import LayerMismatch

ONE = sp.Integer(1)


def align_indices(q: Quantity, expr: sp.Expr, expected: sp.Expr) -> list[tuple]:
    """Match the answer's indices to the expected result's: (answer, expected, note) pairs to
    try.  A single free index of another name is renamed (p_k − y_k for p_i − y_i); an answer
    for one entry (q_1 − y_1, −q_1 q_2, δ_1 h_2) is compared with each entry of the result its
    indices can name (the question's entry is not known here, so none is ruled out)."""
    free_e = sorted(expected.free_symbols & set(q.index_symbols.values()), key=str)
    free_a = sorted(expr.free_symbols & set(q.index_symbols.values()), key=str)
    if free_a == free_e or q.fixed_indices and free_a:  # indices the question names: as written
        return [(expr, expected, "")]
    if len(free_a) == len(free_e) == 1:  # Σ_i w_ji a_i + b_j: the bound i is not renamed
        return [(bound_apart(expr).xreplace({free_a[0]: free_e[0]}), expected, "")]
    if not free_a and 1 <= len(free_e) <= 2:
        used = sorted(
            {ix for atom in expr.atoms(sp.Indexed) for ix in atom.indices if ix.is_Integer}
        )
        if 1 <= len(used) <= 3:
            found = []
            for values in itertools.product(used, repeat=len(free_e)):
                assign = dict(zip(free_e, values, strict=True))
                where = ", ".join(f"{k} = {v}" for k, v in assign.items())
                found.append((expr, expected.xreplace(assign), f" (for {where})"))
            exact = [c for c in found if sp.expand(c[0] - c[1]) == 0]
            return exact[:1] or found
    return [(expr, expected, "")]


_QUANTITY = re.compile(r"(?P<name>[^\[@]+)(?:\[(?P<entry>[^\]]*)\])?(?:@(?P<layer>\d{1,3}))?")


def split_quantity(quantity: str):
    """``dense:dW[1,2]@3``: the quantity, the entry asked for (row, col: numbers or index
    letters) and the layer l of z = W h + b it is asked for (numbers in the answer's layer
    labels must name it).  Without them every entry and layer the answer can name is tried."""
    match = _QUANTITY.fullmatch(quantity) if isinstance(quantity, str) else None
    if match is None:
        return quantity, None, None
    entry = None
    if match["entry"] is not None:
        entry = tuple(part.strip() for part in match["entry"].split(","))
        if not 1 <= len(entry) <= 2 or not all(p.isdigit() or p in "ijk" for p in entry):
            raise UnknownNameError(f"bad entry '[{match['entry']}]': give [1,2] or [j,i]")
    return match["name"], entry, None if match["layer"] is None else int(match["layer"])


def at_layer(reading: Reading, layer: int) -> Reading:
    """A reading whose numbered layer labels do not name ``layer`` is wrong for the question."""
    implied = getattr(reading, "layer", None)
    if implied is not None and implied != layer:
        return replace(reading, value=LayerMismatch(
            f"the layer labels name layer {implied}, the question is about layer {layer}"
        ))  # fmt: skip
    return reading


def _entry_value(q: Quantity, part: str):
    """One index of the entry asked for: a number, or a letter the quantity names."""
    if part.isdigit():
        return sp.Integer(part)
    if part not in q.index_symbols:
        shown = "ℓ" if part == "ell" else part
        raise ParseError(
            f"{q.name} has no index {shown} (for ℓ, the true class: target = class ell)"
        )
    return q.index_symbols[part]


def entry_assignment(q: Quantity, entry: tuple) -> dict:
    """The result's free indices → the entry asked for ({i: 3, j: 1} for [3, 1]); the matrix's
    own (row, col) indices when the quantity names them and the result has only one of them
    (∂z_i/∂W_ij = h_j asked for W_ji is h_i)."""
    named = [ix for ix in q.entry if ix is not None]
    if len(named) == len(entry) == 2 and q.shape is None:
        values = [_entry_value(q, p) for p in entry]
        return dict(zip(named, values, strict=True))
    values = [_entry_value(q, p) for p in entry]
    # the result's free indices (δ_prev and ∂L/∂h are indexed by j), but not a fixed one the
    # entry names (ℓ, the true class, in ∂L/∂ŷ_i asked at i = ℓ)
    expected_free = q.expected.free_symbols & set(q.index_symbols.values())
    free = sorted(expected_free - {q.index_symbols.get("ell")}, key=str)
    free = free[: len(entry)]
    return dict(zip(sorted(free, key=str), values, strict=False))


def entry_candidates(q: Quantity, candidates: list, entry: tuple, answer=None) -> list:
    """Keep the comparison with the entry asked for: [1,2] fixes (i, j) = (1, 2); [j,i] renames.
    A matrix-notation ``answer`` (a Tensor) is compared at that entry."""
    assign = entry_assignment(q, entry)
    values = [_entry_value(q, p) for p in entry]
    where = ", ".join(f"{show(k)} = {show(v)}" for k, v in assign.items())
    numbers = {k: v for k, v in assign.items() if v.is_Integer}  # a general answer's entry
    if isinstance(answer, Tensor):
        row, col = values[0], values[1] if len(values) > 1 and q.entry[1] is not None else ONE
        if answer.shape == (ONE, ONE):
            row = col = ONE
        at = bound_apart(answer.entry(row, col)).xreplace(numbers)
        return [(at, q.expected.xreplace(assign), f" (entry {where})")]
    at = bound_apart(candidates[0][0]).xreplace(numbers)
    return [(at, q.expected.xreplace(assign), f" (entry {where})")]
