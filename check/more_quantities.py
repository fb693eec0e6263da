"""The quantities the notes derive beyond one chain of a built-in derivation: the update rule
(check/update_rule.py), ∂L/∂p for cross-entropy and binary cross-entropy, squared error at a sigmoid output, and the
mini-batch gradients.  Each result is built from a derivation's own parts (its loss definition,
a chain, or the optimizer record verified against torch.optim), never typed here.

>>> from check import check_answer
>>> check_answer("update-rule", "W - alpha dW").correct  # doctest: +SKIP
True
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

import derive
from check.batch_reading import BatchVectorReader
from check.diagnose import show
from check.quantities import PREDICTION, Quantity
from check.update_rule import UPDATE_RULE
from derive.errors import ParseError
from derive.losses import yhatv
from derive.model import Domain
from derive.symbols import L, i, j, k, m, n_in, n_out, p, pv, r, y, yv, zv

# -- ∂L/∂p for the two cross-entropies, from their loss definitions ---------------------------


def _ce_dp() -> tuple:
    from derive.rules import eliminate_deltas

    d = derive.get("softmax-ce")
    return eliminate_deltas(sp.diff(d.domain.definitions[L], pv[i])), d.domain


def _bce_dp() -> tuple:
    d = derive.get("sigmoid-bce")
    return sp.diff(d.domain.definitions[L], p), d.domain


def _loss_mistakes(result) -> list:
    return [(-result, "sign error: the loss has a minus sign in front")]


def _dp_mistakes(derivation: str):
    """The sign error, and the loss itself (or its term for the index i: −y_i log p_i of
    −Σ_k y_k log p_k) written where its derivative belongs; L from the derivation."""

    def mistakes(result) -> list:
        loss = derive.get(derivation).domain.definitions[L]
        term = loss.xreplace(
            {s: s.function.xreplace({s.limits[0][0]: i}) for s in loss.atoms(sp.Sum)}
        )
        itself = [(loss, "the loss itself, not its derivative")]
        if term != loss:
            itself.append((term, "the loss's term for i itself, not its derivative"))
        return _loss_mistakes(result) + itself

    return mistakes


def _dp(name: str, meaning: str, build, indexed: bool, derivation: str) -> Quantity:
    prediction = pv[i] if indexed else p
    target = yv[i] if indexed else y
    symbols = {**dict.fromkeys(PREDICTION, prediction), "y": target}
    symbols |= {f"{n}_i": prediction for n in PREDICTION} | {"y_i": target}
    return Quantity(
        name=name,
        derivation="",
        key="",
        meaning=meaning,
        accepts="p, q, ŷ, y*, a (prediction); y (target); with an index p_i, y_i"
        if indexed
        else "p, q, ŷ, y*, a (prediction); y (target)",
        symbols=symbols,
        indexed={**dict.fromkeys(PREDICTION, pv), "y": yv} if indexed else {},
        index_symbols={"i": i, "j": j, "k": k} if indexed else {},
        swaps=((prediction, target),),
        build=build,
        mistakes=_dp_mistakes(derivation),
    )


# -- squared error at a sigmoid output, and the mini-batch mean ------------------------------


def _chain(derivation: str, key: str):
    def build() -> tuple:
        d = derive.get(derivation)
        return d[key].rhs, d[key].domain or d.domain

    return build


def _missing_mean(result) -> list:
    return [
        (result * m, "missing 1/m: the gradient of the mean loss over the m examples"),
        (result * m**2, "m where 1/m belongs: the mean over the m examples divides by m"),
    ]


def _batch_tensors(profile) -> dict:
    """Δ (or DZ) and H one example per row (m × n), as the derivation; or per column (n × m),
    as notes 000 write DZ and H."""
    from derive.builtins.dense import Delta, H
    from derive.language.tensor_algebra import Tensor, scalar
    from derive.symbols import Wm

    if profile.examples == "columns":
        delta = Tensor(n_out, m, lambda row, col: Delta[col, row], "DZ")
        inputs = Tensor(n_in, m, lambda row, col: H[col, row], "H")
    else:
        delta = Tensor(m, n_out, lambda row, col: Delta[row, col], "Δ")
        inputs = Tensor(m, n_in, lambda row, col: H[row, col], "H")
    return {
        **dict.fromkeys(("Delta", "DZ", "dZ"), delta),
        **dict.fromkeys(("H", "X"), inputs),
        "W": Tensor(n_out, n_in, lambda row, col: Wm[row, col], "W"),
        "m": scalar(m),
    }


def _batch(part: str, meaning: str) -> Quantity:
    from derive.builtins.dense import Delta, H, n

    return Quantity(
        name=f"batch:{part}",
        derivation="",
        key="",
        meaning=meaning,
        accepts="index notation: Δ_{ni} or Delta[n, i] (∂ℓ_n/∂Z_ni), H_{nj} (example n's "
        "input, one example per row), m examples, \\sum_{n=1}^{m}",
        symbols={"m": m},
        indexed={"Delta": Delta, "H": H, "dZ": Delta, "DZ": Delta, "W": sp.IndexedBase("W")},
        index_symbols={"i": i, "j": j, "k": k, "r": r, "n": n},
        reader=BatchVectorReader if part == "db" else None,
        build=_chain("batch", part),
        mistakes=_missing_mean,
        shape=(n_out, n_in) if part == "dW" else None,
        entry=(i, j) if part == "dW" else (),
        tensors=_batch_tensors if part == "dW" else None,
    )


def _without_slope(result) -> list:
    """ŷ − y: the sigmoid's derivative σ′(z) = ŷ(1 − ŷ) left out (from the sigmoid derivation)."""
    from derive.builtins.losses import output_derivative

    slope = output_derivative("sigmoid", yhatv[i])
    without = sp.cancel(result / slope)
    return [
        (without, f"missing the derivative σ′(z) = {show(slope)} of the output"),
        (without * yhatv[i], "σ itself where σ′(z) belongs: the function, not its derivative"),
    ]


MSE_SIGMOID = Quantity(
    name="mse:sigmoid",
    derivation="",
    key="",
    meaning="∂L/∂z_i, L = ½ Σ_k (ŷ_k − y_k)², sigmoid output ŷ = σ(z)",
    accepts="ŷ_i, yhat_i, p_i, a_i (prediction); y_i (target); z_i; vectors ŷ − y (entry i)",
    symbols={**dict.fromkeys(PREDICTION, yhatv[i]), "y": yv[i], "z": zv[i]},
    indexed={**dict.fromkeys(PREDICTION, yhatv), "yhat": yhatv, "y": yv, "z": zv},
    index_symbols={"i": i, "j": j, "k": k},
    swaps=((yhatv, yv),),
    build=_chain("mse", "dz_sigmoid"),
    mistakes=_without_slope,
)


def _mse_dyhat() -> tuple:
    """∂J/∂ŷ = ŷ − y for J = ½(ŷ − y)²: the loss the mse derivation differentiates."""
    from derive.losses import LOSSES, yhat

    d = derive.get("mse")
    return sp.diff(LOSSES["mse"].per_output, yhat), d["dz_identity"].domain or d.domain


def _mse_dyhat_quantity() -> Quantity:
    from derive.losses import yhat

    symbols = {**dict.fromkeys(PREDICTION, yhat), "y": y}
    return Quantity(
        name="mse:dyhat",
        derivation="",
        key="",
        meaning="∂J/∂ŷ, J = ½(ŷ − y)² (with respect to the prediction, not z)",
        accepts="ŷ, yhat, p, a (prediction); y (target)",
        symbols=symbols | {f"{n}_i": yhat for n in PREDICTION} | {"y_i": y},
        swaps=((yhat, y),),
        build=_mse_dyhat,
    )


def _dz() -> tuple:
    """δ_prev = (Wᵀ δ) ⊙ g′(z_prev), the dense derivation's ``delta_below``, with ∂L/∂h (its
    ``dh``) also given as the vector dh: the domain defines dh_j as that result."""
    from check.reading import dhv

    d = derive.get("dense")
    delta_prev, dh = d["delta_below"], d["dh"]
    definitions = {**delta_prev.domain.definitions, dhv: lambda col: dh.rhs.xreplace({j: col})}
    return delta_prev.rhs, replace(delta_prev.domain, definitions=definitions)


def _without_derivative(result) -> list:
    slopes = {d: 1 for d in result.atoms(sp.Derivative)}
    return [(result.xreplace(slopes), "missing the derivative g′(z) of the activation")]


def _dense_dz(name: str, meaning: str) -> Quantity:
    from check.quantities import core
    from check.reading import GivenGradientReader
    from derive.builtins.dense import g as dense_g

    delta = core("dense:delta")
    return replace(
        delta,
        name=name,
        meaning=meaning,
        accepts="as dense:delta, and dh, e or ε (∂L/∂h, the error arriving at h) as a vector, "
        "∂e/∂a_j or ∇_{a^L} e (a the activation)",
        build=_dz,
        given=("dh", "e", "epsilon"),
        functions={**delta.functions, "g": dense_g},  # g′(z_j) in index notation
        reader=GivenGradientReader,
        mistakes=_without_derivative,
    )


# e = (y − ŷ)², as notes 001 define it (no ½); ŷ = g(z) for any activation g
SQUARED_ERROR = "(y - \\hat{y})^2"


def _squared_error_delta() -> tuple:
    from derive.builtins.dense import _tanh_g, g
    from derive.language import parse_expression
    from derive.symbols import z

    output = g(z)
    error = parse_expression(SQUARED_ERROR, {"y": y, "yhat": output})
    domain = Domain(definitions={g: _tanh_g()}, assumptions=["g is any activation (tanh here)"])
    return sp.diff(error, z), domain


def _squared_error_quantity() -> Quantity:
    from derive.builtins.dense import g
    from derive.symbols import z

    return Quantity(
        name="squared-error:delta",
        derivation="",
        key="",
        meaning="∂e/∂z for e = (y − ŷ)² (no ½), ŷ = g(z), any activation g",
        accepts="ŷ, yhat, a (the output g(z)); y; z; g(z), g′(z)",
        symbols={**dict.fromkeys(("yhat", "a", "p"), g(z)), "y": y, "z": z},
        functions={"g": g},
        swaps=((g(z), y),),
        build=_squared_error_delta,
        mistakes=_without_derivative,
    )


def _forgot_bias(result) -> list:
    from derive.symbols import bv

    return [(result - bv[i], "forgot the bias b: z = W h + b")] if result.has(bv) else []


_NEURON_BIAS = sp.Symbol("b_neuron", real=True)  # b alone: the neuron's own bias b_i


def _neuron_weights(expr):
    """w_k with one index, in z_i = Σ_k w_k h_k + b_i: the neuron's weight W_ik; b alone
    (z = w_1 a_1 + w_2 a_2 + b, notes 001) its bias b_i."""
    from check.reading import bound_apart
    from derive.symbols import Wm, bv

    if not isinstance(expr, sp.Basic):
        return expr
    return (
        bound_apart(expr)
        .replace(
            lambda e: isinstance(e, sp.Indexed) and e.base == Wm and len(e.indices) == 1,
            lambda e: Wm[i, e.indices[0]],
        )
        .xreplace({_NEURON_BIAS: bv[i]})
    )


def pre_activation(bias: bool = True, inputs: int | None = None) -> Quantity:
    """z = W h + b (entry i: Σ_l W_il h_l + b_i), the dense derivation's own definition of z;
    without the bias where the notes' neuron has none; ``inputs`` fixes n_in (an answer that
    writes the sum out term by term, w_1 h_1 + … + w_5 h_5, is for that many inputs)."""
    from check.quantities import core, made
    from derive.builtins.dense import dense_domain
    from derive.builtins.dense import g as dense_activation
    from derive.builtins.dense import pre_activation as z_of
    from derive.symbols import bv

    if inputs is not None and not (isinstance(inputs, int) and 1 <= inputs <= 12):
        raise ParseError("inputs must be a number of inputs from 1 to 12")

    def build() -> tuple:
        domain = dense_domain()
        if inputs is not None:
            domain = replace(domain, sizes={**domain.sizes, n_in: [inputs]})
        result = z_of(i) if bias else z_of(i) - bv[i]
        return result, domain

    suffix = ("" if bias else " without bias") + (f" ({inputs} inputs)" if inputs else "")
    return made(
        replace(
            core("dense:db"),
            name="dense:z" + suffix,
            meaning="z = W h + b, the pre-activation of the dense layer (n_out)"
            + (" (no bias)" if not bias else ""),
            symbols={"K": n_in, "b": _NEURON_BIAS},  # Σ_i unbounded: over the layer's inputs
            functions={"g": dense_activation},  # g(z): the activation, a wrong answer for z
            tidy=_neuron_weights,
            build=build,
            mistakes=_forgot_bias,
            alternatives=(),
        )
    )


def activated_pre_activation(bias: bool = True, inputs: int | None = None) -> Quantity:
    """h_i = g(z_i) with z_i written out, g(Σ_l W_il h_l + b_i): dense:h as note 003 writes
    one hidden unit (z_1 = 𝒜(w_11 x_1 + w_21 x_2)), built on :func:`pre_activation`."""
    from check.quantities import made
    from derive.builtins.dense import g as dense_activation
    from derive.symbols import bv

    written = pre_activation(bias, inputs)

    def build() -> tuple:
        result, domain = written.build()
        told = "h = g(z) with z = W h + b written out; g any activation, checked with g = tanh"
        stand_in = derive.get("dense")["delta_below"].domain.definitions[dense_activation]
        return dense_activation(result), replace(
            domain,
            definitions={**domain.definitions, dense_activation: stand_in},
            assumptions=[*domain.assumptions, told],
        )

    def tidy(expr):
        from check.forward_quantities import generic_activation_only  # tanh(…) is not g(…)

        return generic_activation_only(_neuron_weights(expr))

    def mistakes(result) -> list:
        inner = result.args[0]
        found = [(inner, "the activation is missing: that is z = W h + b, not h = g(z)")]
        if inner.has(bv):
            found.append((dense_activation(inner - bv[i]), "forgot the bias b: z = W h + b"))
        return found

    return made(
        replace(
            written,
            name="dense:h (z written out" + written.name[len("dense:z") :] + ")",
            meaning="h = g(W h + b), one unit of the dense layer with z written out",
            functions={"g": dense_activation, "calA": dense_activation},
            tensors=lambda profile: {},  # index notation only: σ(W h + b) is matrix_forms'
            tidy=tidy,
            build=build,
            mistakes=mistakes,
        )
    )


QUANTITIES = [
    UPDATE_RULE,
    pre_activation(),
    _squared_error_quantity(),
    _dense_dz(
        "dense:dz", "dz = ∂L/∂z of the layer below = dh ⊙ g′(z), with dh = ∂L/∂h given (n_in)"
    ),
    _dense_dz("output:delta", "δᴸ = ∇_a L ⊙ g′(zᴸ) at the output: a = g(zᴸ), any loss L"),
    _mse_dyhat_quantity(),
    _dp("ce:dp", "∂L/∂p_i, L = −Σ_k y_k log p_k (cross-entropy)", _ce_dp, True, "softmax-ce"),
    _dp("bce:dp", "∂L/∂p, L = −y log p − (1 − y) log(1 − p)", _bce_dp, False, "sigmoid-bce"),
    MSE_SIGMOID,
    _batch("dW", "∂L/∂W_ij of the mean loss over m examples: (1/m) Σ_n Δ_ni H_nj = (1/m) Δᵀ H"),
    _batch("db", "∂L/∂b_i of the mean loss over m examples: (1/m) Σ_n Δ_ni"),
]

__all__ = ["QUANTITIES", "ParseError", "n_in", "n_out"]
