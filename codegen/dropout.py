"""Inverted dropout's lines, printed from the derivation ``dropout``, for a hidden layer l.

Layer l with dropout rate p outputs ``Dl`` = h̃ = m ⊙ h / (1 − p) in training, read by the
layer above instead of ``Al``; ``Ml`` holds m/(1 − p) (0 or 1/(1 − p)), drawn once per batch
from the training generator, so the derived h̃ = m h/(1 − p) prints as ``Ml * Al`` and the
derived backward ∂L/∂h = m ∂L/∂h̃/(1 − p) as ``dDl * Ml``: one pass each. ``Al`` itself is
kept, because g′ in its output form reads the undropped h. Without a mask (inference)
``Dl`` is ``Al``.
"""

from __future__ import annotations

import functools
from dataclasses import replace

import sympy as sp

from derive.symbols import hv, i, j


@functools.cache
def _derived():
    import derive
    from derive.builtins.dropout import dropped_entry, mask, rate, upstream

    backward = derive.get("dropout")["dh"].rhs
    return dropped_entry(i), backward, mask, rate, upstream


def _lifted(expr, number: int, p: float, row, axis, reads):
    """expr over the batch: m → M_l (1 − p) (M_l holds m/(1 − p)), h → A_l, p → its value."""
    _, _, mask, rate, upstream = _derived()
    scaled = sp.IndexedBase(f"M{number}")
    expr = expr.xreplace({mask[axis]: scaled[row, axis] * (1 - rate)})
    expr = expr.xreplace({hv[axis]: reads[row, axis], upstream[axis]: reads[row, axis]})
    return expr.xreplace({rate: sp.Float(p)})


def mask_name(number: int) -> str:
    return f"M{number}"


def draw(number: int, p: float) -> tuple[str, ...]:
    """Statements drawing M_l = m/(1 − p), m_j = 1 with probability 1 − p, into its buffer."""
    mask = mask_name(number)
    return (
        f"rng.random(out={mask}, dtype=DTYPE)",
        f"np.greater_equal({mask}, {p!r}, out={mask})",
        f"{mask} *= {1 / (1 - p)!r}",
    )


def forward_line(printer, row, number: int, units: int, p: float):
    """D_l = M_l ⊙ A_l, the layer's output in training (the mask drawn first)."""
    entry = _derived()[0]
    expr = _lifted(entry, number, p, row, i, sp.IndexedBase(f"A{number}"))
    comment = printer.comment(
        f"dropout: h̃ = m ⊙ h/(1 − p), p = {p!r};", f"M{number} = m/(1 − p), drawn every step"
    )
    line = printer.line(f"D{number}", expr, (row, i), comment, shape=(None, units))
    return replace(line, in_place=(*draw(number, p), *line.in_place))


def backward_line(printer, row, number: int, units: int, p: float):
    """dA_l = dD_l ⊙ M_l: the gradient through the same mask (derived)."""
    result = _derived()[1]
    expr = _lifted(result, number, p, row, j, sp.IndexedBase(f"dD{number}"))
    comment = "dropout: ∂L/∂h = m ⊙ ∂L/∂h̃/(1 − p) = M ⊙ ∂L/∂h̃, the same mask"
    return printer.line(f"dA{number}", expr, (row, j), comment, shape=(None, units))


__all__ = ["backward_line", "draw", "forward_line", "mask_name"]
