"""Activation functions: the one place each is defined (as a SymPy expression in z).

Derivatives are never written here: ``derive.builtins.activation`` differentiates the
definition with SymPy and derives the output form h ↦ g'(z). Adding an activation is one entry.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.functions import relu, sigmoid
from derive.symbols import z


@dataclass(frozen=True)
class Activation:
    """An elementwise activation h = g(z).

    expr: g as an elementary expression in z (what SymPy differentiates).
    display: how g(z) is written in the notes (σ(z), ReLU(z)); defaults to expr.
    """

    name: str
    title: str
    expr: sp.Expr
    display: sp.Expr | None = None
    note: str = ""

    @property
    def shown(self) -> sp.Expr:
        return self.display if self.display is not None else self.expr


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation(
            "sigmoid",
            "The logistic sigmoid",
            1 / (1 + sp.exp(-z)),
            display=sigmoid(z),
        ),
        Activation("tanh", "The hyperbolic tangent", sp.tanh(z)),
        Activation(
            "relu",
            "The rectified linear unit",
            relu(z),
            note="ReLU is not differentiable at z = 0; we take ReLU'(0) = 0, as PyTorch does.",
        ),
        Activation("identity", "The identity (linear output)", z),
    ]
}
