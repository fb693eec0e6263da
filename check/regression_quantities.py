"""One-layer models and their losses as quantities: logistic regression's ∂L/∂w_i, softmax
regression's ∂J/∂w_ij, the squared-error losses.  Each result is a built-in derivation's
(sigmoid-bce, softmax-ce, the dense layer, the loss records) carried through z = Σ_j w_j x_j + b
by SymPy; nothing is typed.

The question names the weight's indices (∂L/∂w_i), so an answer's index is checked as
written, never renamed: (p − y) x_j for ∂L/∂w_i is wrong (``fixed_indices``).

>>> from check import check_answer
>>> check_answer("logreg:dw", "(y^* - y) x_i").correct  # doctest: +SKIP
True
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

import derive
from check.quantities import PREDICTION, Quantity
from derive import rules
from derive.symbols import K, deltav, hv, i, j, k, l, n_in, p, pv, y, yv

w = sp.IndexedBase("w")  # one unit's weights, z = Σ_l w_l x_l + b
x = sp.IndexedBase("x")  # the model's input
b = sp.Symbol("b", real=True)


def _through_z(z_expr, wrt):
    """∂z/∂(wrt) by SymPy, its Kronecker deltas eliminated (∂z/∂w_i = x_i)."""
    done = sp.diff(z_expr, wrt)
    return rules.eliminate_deltas(rules.split_sums(done))


def _logreg_dw() -> tuple:
    """∂L/∂w_i = ∂L/∂z · ∂z/∂w_i: the sigmoid-bce result (p − y) times SymPy's ∂z/∂w_i."""
    d = derive.get("sigmoid-bce")
    z_unit = sp.Sum(w[l] * x[l], (l, 1, n_in)) + b
    result = d["dz"].rhs * _through_z(z_unit, w[i])
    domain = replace(
        d.domain,
        sizes={n_in: [3, 2]},
        indices={i: n_in, j: n_in},
        assumptions=["one sigmoid unit p = σ(z), z = Σ_j w_j x_j + b, binary cross-entropy"],
    )
    return result, domain


def _logreg_mistakes(result) -> list:
    from check.diagnose import show
    from derive.builtins.losses import output_derivative

    slope = output_derivative("sigmoid", p)
    return [
        (
            result * slope,
            f"extra factor σ′(z) = {show(slope)}: the cross-entropy's 1/(p(1 − p)) cancels it",
        ),
        (result / x[i], "missing the factor x_i = ∂z/∂w_i (this is ∂L/∂z)"),
        (result.xreplace({i: j}), "wrong index: x_j where x_i belongs (the question is ∂L/∂w_i)"),
    ]


def _softmax_regression_dw() -> tuple:
    """∂J/∂w_ij = Σ_k ∂J/∂z_k ∂z_k/∂w_ij (the dense layer's dW = δ xᵀ) with δ_k the softmax-ce
    result p_k − y_k."""
    dense, ce = derive.get("dense"), derive.get("softmax-ce")
    delta_entry = ce["dz"].rhs  # p_i − y_i
    result = dense["dW"].rhs  # δ_i h_j
    expected = result.xreplace({deltav[i]: delta_entry, hv: x})
    domain = replace(
        ce.domain,
        sizes={K: [3, 4, 5], n_in: [3, 2]},
        indices={i: K, j: n_in},
        assumptions=["one softmax layer ŷ = softmax(W x + b), cross-entropy J"],
        definitions={**ce.domain.definitions, deltav: lambda row: delta_entry.xreplace({i: row})},
    )
    return expected, domain


def _transposed(result) -> list:
    return [
        (result.xreplace({i: j, j: i}), "transposed: indices i and j are swapped"),
        (result / x[j], "missing the factor x_j = ∂z_i/∂w_ij (this is ∂J/∂z_i)"),
    ]


LOGREG_DW = Quantity(
    name="logreg:dw",
    derivation="",
    key="",
    meaning="∂L/∂w_i for one sigmoid unit p = σ(wᵀx + b) with binary cross-entropy",
    accepts="p, y^*, ŷ, a (prediction σ(z)); y (target); x_i (input i)",
    symbols={**dict.fromkeys(PREDICTION, p), "y": y},
    indexed={"x": x},
    index_symbols={"i": i, "j": j, "k": k},
    swaps=((p, y),),
    build=_logreg_dw,
    mistakes=_logreg_mistakes,
    fixed_indices=True,
)

SOFTMAX_REGRESSION_DW = Quantity(
    name="softmax-regression:dW",
    derivation="",
    key="",
    meaning="∂J/∂w_ij for one softmax layer ŷ = softmax(W x + b) with cross-entropy J",
    accepts="ŷ_i, p_i (prediction); y_i (one-hot target); x_j or a_j (input); δ_i = ŷ_i − y_i",
    symbols={},
    # a_j is the input activation here (notes 002: δ_i a_j), not the prediction
    indexed={**dict.fromkeys(PREDICTION, pv), "y": yv, "x": x, "a": x, "delta": deltav},
    index_symbols={"i": i, "j": j, "k": k},
    swaps=((pv, yv),),
    related=((i, j),),
    build=_softmax_regression_dw,
    mistakes=_transposed,
    fixed_indices=True,
)

QUANTITIES = [LOGREG_DW, SOFTMAX_REGRESSION_DW]

__all__ = ["QUANTITIES"]
