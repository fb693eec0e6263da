"""Loss functions: the one place each is defined (as a SymPy expression for one example).

Gradients are never written here: the builders in ``derive.builtins`` differentiate these
definitions with SymPy. Adding a loss is one entry in :data:`LOSSES`.

Shapes and conventions:

- ``cross-entropy``: categorical, L = −Σ_{k=1}^{K} y_k log p_k; p = softmax(z) ∈ (0, 1)^K,
  y ∈ {0, 1}^K one-hot (IndexedBase ``p``, ``y``, index k = 1..K).
- ``binary-cross-entropy``: L = −y log p − (1 − y) log(1 − p); scalar p = σ(z) ∈ (0, 1) and
  y ∈ [0, 1] (a 0/1 label or a soft label).
- ``mse``: L = ½ Σ_{k=1}^{K} (ŷ_k − y_k)² over K real outputs (IndexedBase ``yhat``, ``y``);
  the ½ cancels the 2 of the derivative. ``per_output`` is one term, ½(ŷ − y)², in scalars.

``ŷ`` is the symbol ``yhat`` (renderers show it as \\hat{y}); the scalar :data:`yhat` and the
vector :data:`yhatv` follow the ``z`` / ``zv`` naming of :mod:`derive.symbols`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive.symbols import K, k, p, pv, y, yv

yhat = sp.Symbol("yhat", real=True)  # one output of the network (prediction), scalar
yhatv = sp.IndexedBase("yhat")  # the network's outputs ŷ_1..ŷ_K

ANY_OUTPUT = "any"

CROSS_ENTROPY = -sp.Sum(yv[k] * sp.log(pv[k]), (k, 1, K))
BINARY_CROSS_ENTROPY = -y * sp.log(p) - (1 - y) * sp.log(1 - p)
MSE = sp.Rational(1, 2) * sp.Sum((yhatv[k] - yv[k]) ** 2, (k, 1, K))
MSE_PER_OUTPUT = sp.Rational(1, 2) * (yhat - y) ** 2


@dataclass(frozen=True)
class Loss:
    """A loss L(prediction, target) for one example.

    expr: L as a SymPy expression (what SymPy differentiates).
    variables: (prediction, target), Symbols for scalar losses, IndexedBases over k = 1..K
        for vector losses.
    fits: the output activations the loss is meant for (``"any"``: every output).
    per_output: the loss of a single output in scalars, for losses that are a sum over outputs.
    """

    name: str
    title: str
    expr: sp.Expr
    variables: tuple
    fits: tuple[str, ...]
    per_output: sp.Expr | None = None
    note: str = ""

    @property
    def prediction(self):
        return self.variables[0]

    @property
    def target(self):
        return self.variables[1]

    def fits_output(self, output: str) -> bool:
        """Whether the loss is meant for an output layer with this activation."""
        return ANY_OUTPUT in self.fits or output in self.fits


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in [
        Loss(
            "cross-entropy",
            "Categorical cross-entropy",
            CROSS_ENTROPY,
            variables=(pv, yv),
            fits=("softmax",),
            note="y is one-hot over K classes; p = softmax(z).",
        ),
        Loss(
            "binary-cross-entropy",
            "Binary cross-entropy",
            BINARY_CROSS_ENTROPY,
            variables=(p, y),
            fits=("sigmoid",),
            note="p = σ(z) is the predicted probability of class 1; y ∈ [0, 1].",
        ),
        Loss(
            "mse",
            "Squared error",
            MSE,
            variables=(yhatv, yv),
            fits=(ANY_OUTPUT,),
            per_output=MSE_PER_OUTPUT,
            note="½ Σ_k (ŷ_k − y_k)²: the ½ cancels the 2 from differentiating the square.",
        ),
    ]
}
