"""The softmax Jacobian and softmax + cross-entropy, for a symbolic number of classes K."""

from __future__ import annotations

import numpy as np
import sympy as sp

from derive import crosscheck, rules
from derive.losses import CROSS_ENTROPY
from derive.model import Chain, Derivation, Domain, Step
from derive.registry import register
from derive.render.printer import text as math_text
from derive.symbols import K, L, i, j, k, l, pv, r, yv, zv


def softmax_entry(a):
    """p_a = e^{z_a} / Σ_l e^{z_l}."""
    return sp.exp(zv[a]) / sp.Sum(sp.exp(zv[l]), (l, 1, K))


def one_hot(rng, n, shape):
    """Random one-hot rows: (n, K)."""
    out = np.zeros((n, *shape))
    out[np.arange(n), rng.integers(0, shape[0], size=n)] = 1.0
    return out


def _z_vector(rng, n, shape):
    return rng.uniform(-3.0, 3.0, size=(n, *shape))


def softmax_domain(with_loss: bool) -> Domain:
    definitions = {pv: softmax_entry}
    if with_loss:
        definitions[L] = CROSS_ENTROPY
    return Domain(
        definitions=definitions,
        samplers={zv: _z_vector, yv: one_hot, ("shape", yv): (K,), ("shape", zv): (K,)},
        sizes={K: [2, 3, 4, 5, 6]},
        indices={i: K, j: K},
        assumptions=["y one-hot"] if with_loss else [],
    )


def _jacobian_steps():
    """p_i = e^{z_i}/Σ e^{z_l}: SymPy's derivative, then deltas, then p recognised."""
    defined = softmax_entry(i)
    raw = sp.diff(defined, zv[j])
    no_delta = rules.eliminate_deltas(rules.split_sums(raw))
    in_p = rules.recognise_softmax(no_delta, zv, pv)
    factored = sp.factor(in_p)
    return [
        Step(sp.Derivative(defined, zv[j]), "definition p_i = e^{z_i} / Σ_l e^{z_l}"),
        Step(raw, "quotient rule, with ∂z_l/∂z_j = 𝟙[l = j]"),
        Step(no_delta, "Σ_l e^{z_l} 𝟙[l = j] = e^{z_j}: only the term l = j is left"),
        Step(in_p, "substitute p_a = e^{z_a} / Σ_l e^{z_l}"),
        Step(factored, "factor out p_i"),
    ]


@register("softmax", "softmax Jacobian ∂p_i/∂z_j = p_i(𝟙[i = j] − p_j)")
def softmax_jacobian() -> Derivation:
    domain = softmax_domain(with_loss=False)
    steps = _jacobian_steps()
    result = steps[-1].rhs
    return Derivation(
        name="softmax",
        title="The softmax Jacobian",
        summary="∂p_i/∂z_j = p_i(𝟙[i = j] − p_j)",
        chains=[
            Chain(
                lhs=sp.Derivative(pv[i], zv[j]),
                steps=steps,
                title="softmax Jacobian",
                key="jacobian",
            )
        ],
        domain=domain,
        conventions=[
            "p = softmax(z), p_i = e^{z_i} / Σ_{l=1}^{K} e^{z_l}, for K classes; i, j ∈ {1, …, K}.",
            "𝟙[i = j] is 1 if i = j, else 0 (the Kronecker delta).",
        ],
        cross_checks=crosscheck.standard(pv[i], zv[j], result, domain),
    )


@register("softmax-ce", "softmax + cross-entropy: ∂L/∂z_i = p_i − y_i")
def softmax_cross_entropy() -> Derivation:
    domain = softmax_domain(with_loss=True)
    # ∂L/∂p_r by SymPy, then the Kronecker delta removed
    dL_dp = rules.eliminate_deltas(sp.diff(CROSS_ENTROPY, pv[r]))
    chain_rule = sp.Sum(dL_dp.subs(r, k) * sp.Derivative(pv[k], zv[i]), (k, 1, K))
    jacobian = softmax_jacobian()["jacobian"].rhs  # p_i (δ_ij − p_j), in i, j
    substituted = chain_rule.replace(
        lambda e: isinstance(e, sp.Derivative) and e.expr.base == pv,
        lambda e: jacobian.xreplace({i: e.expr.indices[0], j: e.variables[0].indices[0]}),
    )
    split = rules.split_sums(substituted)
    picked = rules.eliminate_deltas(split)
    result = rules.one_hot_sums(picked, yv)
    steps = [
        Step(sp.Derivative(CROSS_ENTROPY, zv[i]), "L = −Σ_k y_k log p_k"),
        Step(
            chain_rule,
            f"chain rule through every p_k; ∂L/∂p_k = {math_text(dL_dp.subs(r, k))} (derivative of log)",
        ),
        Step(substituted, "softmax Jacobian ∂p_k/∂z_i = p_k(𝟙[k = i] − p_i); p_k cancels"),
        Step(split, "split the sum; p_i does not depend on k"),
        Step(picked, "Σ_k y_k 𝟙[k = i] = y_i: only the term k = i is left"),
        Step(result, "Σ_k y_k = 1 because y is one-hot"),
    ]
    return Derivation(
        name="softmax-ce",
        title="Softmax with cross-entropy loss",
        summary="∂L/∂z_i = p_i − y_i, for any number of classes K",
        chains=[
            Chain(
                lhs=sp.Derivative(L, zv[i]), steps=steps, title="gradient at the logits", key="dz"
            )
        ],
        domain=domain,
        conventions=[
            "z ∈ ℝ^K are the logits, p = softmax(z), y ∈ {0,1}^K is one-hot (Σ_k y_k = 1).",
            "L = −Σ_{k=1}^{K} y_k log p_k for one example.",
        ],
        cross_checks=crosscheck.standard(CROSS_ENTROPY, zv[i], result, domain),
    )
