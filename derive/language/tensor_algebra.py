"""Matrices and vectors with shapes, given entry by entry (:class:`Tensor`), and their
algebra as the notes use it: sums, products that must fit (else :class:`ShapeError`, a wrong
answer), elementwise and outer products, transposes, scalars broadcast beside vectors.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy as sp

ONE = sp.Integer(1)


class ShapeError(Exception):
    """A product or sum whose shapes do not fit: a wrong answer, not unreadable input.
    ``reading``: the part that does not fit, in matrix notation (``hᵀ · δ``), for "read as"."""

    is_verdict = True

    def __init__(self, message: str, reading: str = ""):
        super().__init__(message)
        self.reading = reading


@dataclass(frozen=True)
class Tensor:
    """A matrix (rows × cols; a column vector has cols = 1) given entry by entry."""

    rows: sp.Basic
    cols: sp.Basic
    entry: Callable  # (row index, col index) -> SymPy expression
    text: str
    note: str = ""  # how it came to have its shape, when that is a likely slip (an outer product)
    factors: tuple = ()  # (a, b) for the matrix product a b: each alone may be the result

    @property
    def shape(self) -> tuple:
        return (self.rows, self.cols)

    def describe(self) -> str:
        return f"{self.text} ({self.rows}×{self.cols})"


def scalar(value) -> Tensor:
    return Tensor(ONE, ONE, lambda r, c: value, str(value))


def is_scalar(t: Tensor) -> bool:
    return t.shape == (ONE, ONE)


def scale(t: Tensor, c) -> Tensor:
    return Tensor(t.rows, t.cols, lambda r, col: c * t.entry(r, col), f"{c}·{t.text}")


def transpose(t: Tensor) -> Tensor:
    plain = not any(ch in t.text for ch in " ^+−·/")  # (h^2)ᵀ, (W h)ᵀ: the whole transposed
    return Tensor(
        t.cols, t.rows, lambda r, c: t.entry(c, r), f"{t.text}ᵀ" if plain else f"({t.text})ᵀ"
    )


def add(a: Tensor, b: Tensor, sign: int) -> Tensor:
    """a ± b; a scalar beside a matrix or vector is added to every entry."""
    text = f"{a.text} {'+' if sign > 0 else '−'} {b.text}"
    if is_scalar(a) and not is_scalar(b):
        return Tensor(b.rows, b.cols, lambda r, c: a.entry(ONE, ONE) + sign * b.entry(r, c), text)
    if is_scalar(b) and not is_scalar(a):
        return Tensor(a.rows, a.cols, lambda r, c: a.entry(r, c) + sign * b.entry(ONE, ONE), text)
    if a.shape != b.shape:
        raise ShapeError(f"cannot add {a.describe()} and {b.describe()}: the shapes differ", text)
    return Tensor(a.rows, a.cols, lambda r, c: a.entry(r, c) + sign * b.entry(r, c), text)


def divide(a: Tensor, b: Tensor) -> Tensor:
    if not is_scalar(b):
        if a.shape == b.shape and a.cols == ONE:  # elementwise, as for vectors in the notes
            return Tensor(a.rows, a.cols, lambda r, c: a.entry(r, c) / b.entry(r, c), a.text)
        raise ShapeError(f"cannot divide by {b.describe()}", f"{a.text} / {b.text}")
    return Tensor(a.rows, a.cols, lambda r, c: a.entry(r, c) / b.entry(ONE, ONE), a.text)


def elementwise_product(a: Tensor, b: Tensor, text: str) -> Tensor:
    if a.shape != b.shape:
        raise ShapeError(
            f"elementwise product of {a.describe()} and {b.describe()}: the shapes differ", text
        )
    return Tensor(a.rows, a.cols, lambda r, c: a.entry(r, c) * b.entry(r, c), text)


def outer(a: Tensor, b: Tensor, text: str) -> Tensor:
    if a.cols != ONE or b.cols != ONE:
        raise ShapeError(
            f"outer product of {a.describe()} and {b.describe()}: needs two vectors", text
        )
    return Tensor(a.rows, b.rows, lambda r, c: a.entry(r, ONE) * b.entry(c, ONE), text)


def _misfit(a: Tensor, b: Tensor) -> str:
    """Why a b does not fit, naming the transpose that would (W δ for Wᵀ δ)."""
    said = f"{a.describe()} times {b.describe()} does not fit"
    if a.rows == b.rows:
        fits = a.text[:-1] if a.text.endswith("ᵀ") else f"{a.text}ᵀ"
        return f"{'missing' if fits != a.text[:-1] else 'extra'} transpose: {fits} {b.text} fits, {said}"
    if a.cols == b.cols:
        fits = b.text[:-1] if b.text.endswith("ᵀ") else f"{b.text}ᵀ"
        return f"{'missing' if fits != b.text[:-1] else 'extra'} transpose: {a.text} {fits} fits, {said}"
    if b.cols == a.rows:
        return (
            f"wrong order of a matrix product: {said}; in the other order, {b.text} {a.text} fits"
        )
    return f"wrong order of a matrix product: {said}"


def product(a: Tensor, b: Tensor, op: str) -> Tensor:
    """Matrix product; elementwise for ⊙, and for * or juxtaposition of same-shape vectors."""
    text = f"{a.text} {b.text}"
    if is_scalar(a) or is_scalar(b):
        s, t = (a, b) if is_scalar(a) else (b, a)
        return Tensor(t.rows, t.cols, lambda r, c: s.entry(ONE, ONE) * t.entry(r, c), text)
    same_vector = a.shape == b.shape and (a.cols == ONE) != (a.rows == ONE)  # columns or rows
    if op == "⊙" or same_vector and op in ("*", "", "·"):
        return elementwise_product(a, b, text)
    if a.cols != b.rows:
        raise ShapeError(_misfit(a, b), f"{a.text} · {b.text}")
    if a.cols == ONE:
        note = ""
        if b.text.endswith("ᵀ") and b.cols != ONE and a.rows != ONE:
            note = f"the transpose {b.text} makes {text} an outer product, not a vector"
        return Tensor(
            a.rows, b.cols, lambda r, c: a.entry(r, ONE) * b.entry(ONE, c), text, note, (a, b)
        )
    note = ""
    if a.text.endswith("ᵀ") and a.rows == ONE and b.cols == ONE:  # εᵀ g′(z): a number
        note = f"the transpose {a.text} makes {text} an inner product (a number), not a vector"
    if a.cols.is_Integer:  # a literal's size: the sum written out
        terms = range(1, int(a.cols) + 1)
        return Tensor(
            a.rows,
            b.cols,
            lambda r, c: sp.Add(*(a.entry(r, k) * b.entry(k, c) for k in terms)),
            text,
            note,
            (a, b),
        )

    def entry(r, c):
        k = sp.Dummy("k", integer=True, positive=True)
        return sp.Sum(a.entry(r, k) * b.entry(k, c), (k, 1, a.cols))

    return Tensor(a.rows, b.cols, entry, text, note, (a, b))


def apply_entries(fn: Callable, t: Tensor, text: str) -> Tensor:
    """A scalar function applied to every entry (at once for a scalar, so limits apply now)."""
    if is_scalar(t):
        value = fn(t.entry(ONE, ONE))
        return Tensor(ONE, ONE, lambda r, c: value, text)
    return Tensor(t.rows, t.cols, lambda r, c: fn(t.entry(r, c)), text)


def with_sizes(t: Tensor, sizes: Mapping) -> Tensor:
    """``t`` with its symbolic sizes given values (n_out = 2): to meet a literal's size."""
    return Tensor(t.rows.xreplace(sizes), t.cols.xreplace(sizes), t.entry, t.text)
