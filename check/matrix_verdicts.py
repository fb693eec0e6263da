"""Verdicts on answers in matrix notation (a :class:`Tensor`): from shapes alone (a
transpose, a wrong shape, a product that does not fit), the orientation of the notes' layout
(W n_in × n_out: ∂L/∂W = h δᵀ), and the entry compared when the shapes agree.

Shapes are (rows, cols) of SymPy sizes: n_out × n_in for W, n_out × 1 for δ, 1 × 1 a number.
"""

from __future__ import annotations

import re

import sympy as sp

from check.diagnose import show
from check.equivalence import decide
from check.quantities import Quantity
from check.report import Verdict
from derive.language.tensor_algebra import ONE, ShapeError, Tensor, transpose
from derive.symbols import Wm


def writes_weights(value, text: str) -> bool:
    """The answer writes the layer's z = W h + b (a matrix form of a forward result): its
    reading has W in it, or, for a product that does not fit, its text names W."""
    if isinstance(value, Tensor):
        return value.entry(sp.Symbol("r", integer=True), ONE).has(Wm)
    return re.search(r"(?<![A-Za-z\\])[Ww](?![A-Za-z])", text) is not None


def entry_of(q: Quantity, t: Tensor) -> sp.Expr:
    if t.shape == (ONE, ONE):
        return t.entry(ONE, ONE)
    row, col = q.entry
    return t.entry(row, sp.Integer(1) if col is None else col)


def against_layout(q: Quantity, t: Tensor, profile) -> bool:
    """δ hᵀ (n_out × n_in) where the notes' W, and so ∂L/∂W, is n_in × n_out."""
    in_out = profile is not None and profile.weights == "n_in × n_out"
    return in_out and q.name == "dense:dW" and t.shape == q.shape and q.shape[0] != q.shape[1]


def oriented(q: Quantity, t: Tensor, profile) -> Tensor:
    """The answer in the result's orientation: with W n_in × n_out the weight gradient is
    h δᵀ (n_in × n_out), the transpose of δ hᵀ; with gradients as rows, δ Wᵀ is a row."""
    if profile is None or profile.weights != "n_in × n_out" or q.shape is None:
        return t
    rows, cols = q.shape
    if q.name == "dense:dW" and t.shape == (cols, rows):
        return transpose(t)
    if cols == ONE and t.shape == (ONE, rows) and profile.gradient_rows:
        return transpose(t)
    return t


def matrix_verdict(q: Quantity, t: Tensor, text: str, expected) -> Verdict | None:
    """A verdict from shapes alone (transposed, wrong shape), or None to compare entries."""
    if t.shape == q.shape or (q.name.startswith("dense:z") and t.shape == (ONE, ONE)):
        return None  # wᵀ h of one neuron: entry i of z
    row = q.entry[0] if q.entry else None
    one_entry = t.shape == (ONE, ONE) and q.shape[1] == ONE and row is not None
    if one_entry and row in t.entry(ONE, ONE).free_symbols:
        return None  # (W_{·,j})ᵀ δ: a number with the result's index j, its entry j
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
        if t.note and cols == ONE:  # a vector is asked for
            verdict.diagnosis += f" ({t.note})"
        extra = extra_factor(q, t, expected)
        if extra:
            verdict.diagnosis += f"; {extra}"
    return verdict


def extra_factor(q: Quantity, t: Tensor, expected) -> str:
    """A product a b one of whose factors alone is the result (δ hᵀ for ∂L/∂b = δ: the
    weight gradient's hᵀ kept), named; else ""."""
    for kept, extra in (t.factors, t.factors[::-1]) if t.factors else ():
        if kept.shape == q.shape and check_transposed(q, kept, expected):
            return f"an extra factor {extra.text}: {kept.text} alone is the result"
    return ""


def check_transposed(q: Quantity, t: Tensor, expected) -> bool:
    outcome, _ = decide(entry_of(q, t), expected, q.domain)
    return bool(outcome.equal)


def shape_verdict(q: Quantity, text: str, error: ShapeError) -> Verdict:
    return Verdict(
        q.name,
        text,
        show(q.expected),
        False,
        read_as=getattr(error, "reading", "") or text,
        method="shapes",
        diagnosis=str(error),
    )
