"""Output layer + loss: sigmoid with binary cross-entropy, and squared error (MSE).

Both reuse the activation derivations' output forms (σ′ = h(1 − h), identity′ = 1) with h
renamed to the output (p, ŷ), so the derivative of the activation is derived exactly once.
"""

from __future__ import annotations

import re

import sympy as sp

from derive import crosscheck, rules
from derive.activations import ACTIVATIONS
from derive.builtins.activation import output_form_of
from derive.losses import LOSSES, yhat, yhatv
from derive.model import Chain, Check, Derivation, Domain, Step
from derive.registry import register
from derive.symbols import K, L, h, i, k, p, r, y, yv, z, zv

BCE = LOSSES["binary-cross-entropy"]
MSE = LOSSES["mse"]
SIGMOID = ACTIVATIONS["sigmoid"].expr  # σ(z) = 1/(1 + e^{-z}), as SymPy differentiates it


def output_derivative(activation: str, output: sp.Basic) -> sp.Expr:
    """g′(z) in terms of the output, as the activation's derivation states it, h → output."""
    in_output, _ = output_form_of(ACTIVATIONS[activation])  # "in terms of the output h = g(z)"
    return in_output.xreplace({h: output})


def formula(expr: sp.Basic) -> str:
    """Plain-text form for justifications: ŷ_k − y_k rather than -y[k] + yhat[k]."""
    text = re.sub(r"\[(\w+)\]", r"_\1", sp.sstr(expr, order="rev-lex"))
    text = re.sub(r"KroneckerDelta\((\w+), (\w+)\)", r"𝟙[\1 = \2]", text)
    return text.replace("yhat", "ŷ").replace("*", "·").replace("-", "−")


def oriented(expr: sp.Expr, prediction: sp.Basic) -> sp.Expr:
    """Factor expr and write each factor as ŷ − y and 1 − ŷ (the signs flipped go in front)."""
    coeff, factors = sp.factor(expr).as_coeff_mul()
    sign, out = 1, []
    for factor in factors:
        if isinstance(factor, sp.Add) and _reads_backwards(factor, prediction):
            factor, sign = sp.Add(*[-term for term in factor.args]), -sign
        out.append(factor)
    return sign * coeff * sp.Mul(*out)


def _reads_backwards(factor: sp.Add, prediction: sp.Basic) -> bool:
    constant, terms = factor.as_coeff_add()
    if constant != 0:
        return constant < 0  # ŷ - 1 reads better as 1 - ŷ
    return all(t.could_extract_minus_sign() for t in terms if t.has(prediction))  # -ŷ + y


def labelled(checks, label: str):
    """Cross-check callables whose Check names say which chain they check."""

    def wrap(run):
        def labelled_run() -> Check:
            check = run()
            return Check(f"{label}: {check.name}", check.detail, check.passed)

        return labelled_run

    return [wrap(run) for run in checks]


def uniform(low, high):
    """A sampler of U(low, high) for a scalar (shape None) or an array of the given shape."""

    def sampler(rng, n, shape):
        return rng.uniform(low, high, size=n if shape is None else (n, *shape))

    return sampler


# --- sigmoid output with binary cross-entropy ------------------------------------------------


def bce_domain() -> Domain:
    return Domain(
        definitions={L: BCE.expr, p: SIGMOID},
        samplers={z: uniform(-3.0, 3.0), y: uniform(0.0, 1.0)},
        assumptions=["y ∈ [0, 1]"],
    )


@register("sigmoid-bce", "sigmoid + binary cross-entropy: ∂L/∂z = p − y")
def sigmoid_bce() -> Derivation:
    """L = −y log p − (1 − y) log(1 − p), p = σ(z): chain rule through p, then cancel."""
    domain = bce_domain()
    dL_dp = sp.diff(BCE.expr, p)
    chain_rule = dL_dp * sp.Derivative(p, z)
    dp_dz = output_derivative("sigmoid", p)
    substituted = chain_rule.replace(lambda e: isinstance(e, sp.Derivative), lambda e: dp_dz)
    cancelled = sp.together(substituted)
    result = sp.expand(cancelled)
    steps = [
        Step(sp.Derivative(BCE.expr, z), "L = −y log p − (1 − y) log(1 − p), with p = σ(z)"),
        Step(
            chain_rule,
            f"chain rule dL/dz = (dL/dp)(dp/dz); dL/dp = {formula(dL_dp)} (derivative of the logs)",
        ),
        Step(
            substituted, f"dp/dz = σ′(z) = {formula(dp_dz)}: the sigmoid derivative in its output"
        ),
        Step(cancelled, "common denominator p(1 − p) for dL/dp; it cancels against σ′(z)"),
        Step(result, "multiply out: the p·y terms cancel"),
    ]
    loss_in_z = BCE.expr.xreplace({p: SIGMOID})
    return Derivation(
        name="sigmoid-bce",
        title="Sigmoid output with binary cross-entropy",
        summary="∂L/∂z = p − y, where p = σ(z)",
        chains=[
            Chain(
                lhs=sp.Derivative(L, z),
                steps=steps,
                title="gradient at the logit",
                key="dz",
                note=(
                    "Work in p, not z: written in z, the same gradient is (−y + (1 − y)eᶻ)/(eᶻ + 1), "
                    "correct but not recognisably p − y."
                ),
            )
        ],
        domain=domain,
        conventions=[
            "z ∈ ℝ is the logit of the single output unit, p = σ(z) = 1/(1 + e^{−z}).",
            "L = −y log p − (1 − y) log(1 − p) for one example (natural log).",
            "y ∈ [0, 1]: p − y holds for soft targets too, not only for labels y ∈ {0, 1}.",
        ],
        cross_checks=crosscheck.standard(loss_in_z, z, result, domain),
        source="lecture notes 000 (Sigmoid Backpropagation) and 003 (single-layer network)",
    )


# --- squared error: identity output (per output) and sigmoid output (vector) ---------------------


def mse_domain() -> Domain:
    """ŷ = z for one output (scalar ``yhat``), ŷ_k = σ(z_k) for K outputs (IndexedBase ``yhat``).

    A domain gives each symbol one meaning, so the identity-output chain is done per output in
    scalars and the sigmoid-output chain over K outputs; the two never share a symbol.
    """
    return Domain(
        definitions={L: MSE.expr, yhatv: lambda a: SIGMOID.xreplace({z: zv[a]}), yhat: z},
        samplers={
            z: uniform(-2.0, 2.0),
            y: uniform(-2.0, 2.0),
            zv: uniform(-3.0, 3.0),
            yv: uniform(0.0, 1.0),
            ("shape", zv): (K,),
            ("shape", yv): (K,),
        },
        sizes={K: [1, 2, 3, 4]},
        indices={i: K},
        assumptions=["y ∈ ℝ (identity output), y_k ∈ [0, 1] (sigmoid outputs)"],
    )


def _identity_chain() -> Chain:
    """One output, ŷ = z: ∂/∂z ½(ŷ − y)² = (ŷ − y)·dŷ/dz = ŷ − y."""
    per_output = MSE.per_output
    dL_dyhat = sp.diff(per_output, yhat)
    chain_rule = dL_dyhat * sp.Derivative(yhat, z)
    dyhat_dz = output_derivative("identity", yhat)
    result = chain_rule.replace(lambda e: isinstance(e, sp.Derivative), lambda e: dyhat_dz)
    return Chain(
        lhs=sp.Derivative(per_output, z),
        steps=[
            Step(
                chain_rule,
                f"chain rule through ŷ; ∂/∂ŷ ½(ŷ − y)² = {formula(dL_dyhat)}: the ½ cancels the 2",
            ),
            Step(result, f"identity output ŷ = z: dŷ/dz = {formula(dyhat_dz)}"),
        ],
        title="identity (linear) output ŷ = z, one output",
        key="dz_identity",
        note=(
            "Per output: L = Σ_k ½(ŷ_k − y_k)² and z_i enters only the term k = i, "
            "so ∂L/∂z_i is this derivative for output i: ∂L/∂z_i = ŷ_i − y_i."
        ),
    )


def _sigmoid_chain() -> Chain:
    """K outputs, ŷ_k = σ(z_k): chain rule through every ŷ_k, then the Kronecker delta."""
    dL_dyhat = rules.eliminate_deltas(sp.diff(MSE.expr, yhatv[r])).subs(r, k)
    chain_rule = sp.Sum(dL_dyhat * sp.Derivative(yhatv[k], zv[i]), (k, 1, K))
    dyhat_dz = sp.diff(zv[k], zv[i]) * output_derivative("sigmoid", yhatv[k])
    substituted = chain_rule.replace(lambda e: isinstance(e, sp.Derivative), lambda e: dyhat_dz)
    result = oriented(rules.eliminate_deltas(substituted), yhatv)
    return Chain(
        lhs=sp.Derivative(L, zv[i]),
        steps=[
            Step(
                sp.Derivative(MSE.expr, zv[i]),
                "L = ½ Σ_k (ŷ_k − y_k)², with ŷ_k = σ(z_k)",
            ),
            Step(
                chain_rule,
                f"chain rule through every output ŷ_k; ∂L/∂ŷ_k = {formula(dL_dyhat)} "
                "(only the k-th term depends on ŷ_k; the ½ cancels the 2)",
            ),
            Step(
                substituted,
                f"ŷ_k = σ(z_k) depends on z_i only if k = i: ∂ŷ_k/∂z_i = {formula(dyhat_dz)} "
                "(σ′ in its output, from the sigmoid derivation)",
            ),
            Step(result, "Σ_k f(k) 𝟙[i = k] = f(i): only the term k = i is left; factor"),
        ],
        title="sigmoid output ŷ = σ(z), K outputs",
        key="dz_sigmoid",
        note="σ′ makes this gradient vanish when ŷ_i saturates near 0 or 1, even if ŷ_i ≠ y_i.",
    )


@register("mse", "squared error: ∂L/∂z_i = ŷ_i − y_i (identity), (ŷ_i − y_i)ŷ_i(1 − ŷ_i) (sigmoid)")
def mean_squared_error() -> Derivation:
    domain = mse_domain()
    identity, sigmoid_output = _identity_chain(), _sigmoid_chain()
    identity_checks = crosscheck.standard(MSE.per_output, z, identity.result, domain)
    sigmoid_checks = crosscheck.standard(MSE.expr, zv[i], sigmoid_output.result, domain)
    checks = labelled(identity_checks, "identity output") + labelled(
        sigmoid_checks, "sigmoid output"
    )
    return Derivation(
        name="mse",
        title="Squared error at an identity or a sigmoid output",
        summary="∂L/∂z_i = ŷ_i − y_i (identity output); (ŷ_i − y_i) ŷ_i (1 − ŷ_i) (sigmoid output)",
        chains=[identity, sigmoid_output],
        domain=domain,
        conventions=[
            "ŷ is the network's output (its prediction), y the target; K outputs, i, k ∈ {1, …, K}.",
            "L = ½ Σ_{k=1}^{K} (ŷ_k − y_k)² for one example. The ½ is a convention: it cancels "
            "the 2 from differentiating the square (e = (y − ŷ)² without it gives 2(ŷ − y)).",
            "Identity (linear) output: ŷ = z. Sigmoid output: ŷ_k = σ(z_k), elementwise.",
            "For a batch of m examples the mean loss multiplies every gradient by 1/m.",
        ],
        cross_checks=checks,
        source="lecture notes 001 (squared error e = (y − ŷ)²) and 003 (squared loss ½ Σ)",
    )
