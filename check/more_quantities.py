"""The quantities the notes derive beyond one chain of a built-in derivation: the update rule,
∂L/∂p for cross-entropy and binary cross-entropy, squared error at a sigmoid output, and the
mini-batch gradients.  Each result is built from a derivation's own parts (its loss definition,
a chain, or the optimizer record verified against torch.optim), never typed here.

>>> from check import check_answer
>>> check_answer("update-rule", "W - alpha dW").correct  # doctest: +SKIP
True
"""

from __future__ import annotations

import operator
from dataclasses import replace

import sympy as sp

import derive
from check.batch_reading import BatchVectorReader
from check.diagnose import show
from check.quantities import PREDICTION, Quantity
from derive.errors import ParseError
from derive.language.scalar import ScalarReader
from derive.losses import yhatv
from derive.model import Domain
from derive.symbols import L, i, j, k, m, n_in, n_out, p, pv, r, y, yv, zv

# -- the update rule θ ← θ − η g ------------------------------------------------------------

theta = sp.Symbol("theta", real=True)  # the parameter, before the step
rate = sp.Symbol("alpha", real=True, positive=True)  # the learning rate α, η, ξ
grad = sp.Symbol("G", real=True)  # ∂L/∂θ, the gradient at θ
theta_v, grad_v = sp.IndexedBase("theta"), sp.IndexedBase("G")
PARAMETER_NAMES = ("W", "w", "theta", "W_old", "w_old", "theta_old", "b")
RATE_NAMES = ("alpha", "eta", "xi", "lr", "epsilon")
GRADIENT_NAMES = ("dW", "dw", "g", "db", "grad")
LOSS_NAMES = frozenset({"L", "J", "E", "e", "C", "calL", "ell"})
LAYERED_NAMES = frozenset({"W", "w", "b", "dW", "dw", "db"})  # names W^i may label a layer of


def _sgd_step() -> tuple:
    """θ − η g from the SGD record of codegen.optimizers (its LaTeX, read by the language)."""
    from codegen.optimizers import OPTIMIZERS
    from derive.language import parse_expression

    rule = OPTIMIZERS["sgd"].latex[0]
    rhs = rule.split(r"\leftarrow", 1)[1]
    step = parse_expression(rhs, {"theta": theta, "eta": rate, "g": grad})
    return step, Domain(assumptions=["θ the parameter, α the learning rate, G = ∂L/∂θ"])


class GradientReader(ScalarReader):
    """Reads ∂L/∂W (any loss name) as the gradient G at the parameter, with its indices."""

    def _read_deriv(self, node):
        of, wrt = node.args
        if of is not None and of.kind == "name" and of.text in LOSS_NAMES and not of.sub:
            var = self.read(wrt)
            if var == theta:
                return grad
            if isinstance(var, sp.Indexed) and var.base == theta_v:
                return grad_v[var.indices]
            raise self.fail("the derivative must be with respect to the parameter", wrt)
        return super()._read_deriv(node)

    def _read_pow(self, node):
        """``w^t``: the parameter at step t, as in w^{t+1} = w^t − ξ ∇_{w^t} L.
        The update rule knows no symbol t, so the power w to the t is no reading of it."""
        base, exponent = node.args
        if (
            exponent.kind == "name"
            and exponent.text == "t"
            and not exponent.sub
            and "t" not in self.symbols
        ):
            value = self.read(base)
            if value == theta or (isinstance(value, sp.Indexed) and value.base == theta_v):
                self.note(f"{base.text}^t read as {base.text} at step t")
                return value
        if self._letter_layer(base, exponent):  # W^i - α ∂L/∂W^i: i names the layer
            self.layer_letters = self.layer_letters | {exponent.text}
            return self.read(replace(base, layer=exponent))
        return super()._read_pow(node)

    def _letter_layer(self, base, exponent) -> bool:
        """``W^i``, ``dW^i``: a parameter or its gradient with a one-letter label that is no
        symbol here (note 000 writes layer i so); θ to the power i is no reading of it."""
        return (
            exponent.kind == "name"
            and len(exponent.text) == 1
            and not exponent.sub
            and exponent.text not in self.symbols
            and exponent.text != "T"
            and base.kind == "name"
            and base.layer is None
            and base.text in LAYERED_NAMES
        )

    def subscripted(self, node, text):
        """``θ_t``: the parameter at step t (note 004's θ_{t+1} ← θ_t − η ∇θ_t); the update
        rule has no index t, so no entry t is meant."""
        sub = node.sub
        if (
            sub.kind == "name"
            and sub.text == "t"
            and not sub.sub
            and "t" not in self.index_symbols
            and self.symbols.get(text) == theta
        ):
            self.note(f"{text}_t read as {text} at step t")
            return theta
        return super().subscripted(node, text)

    def _read_product(self, node):
        """``Δw_{ij}``: the gradient ∂J/∂w_ij, as note 002's delta rule names it (∂J/∂w_ij =
        δ_i a_j ≡ Δw_ij, then w_ij = w_ij − α Δw_ij)."""
        args, ops = node.args, node.ops
        factors, at = [], 0
        while at < len(args):
            op, factor = ops[at], args[at]
            nxt = args[at + 1] if at + 1 < len(args) and ops[at + 1] == "" else None
            if _is_delta(factor) and nxt is not None:
                value = self.read(nxt)
                if value == theta or isinstance(value, sp.Indexed) and value.base == theta_v:
                    self.note("Δw read as ∂L/∂w, the gradient (the delta rule's Δw)")
                    factors.append((op, grad if value == theta else grad_v[value.indices], nxt))
                    at += 2
                    continue
            factors.append((op, self.read(factor), factor))
            at += 1
        value = factors[0][1]
        for op, rhs, factor in factors[1:]:
            if op == "@":
                raise self.fail("'@' is a matrix product: not in a scalar expression", factor)
            fn = operator.truediv if op == "/" else operator.mul
            value = self.limits.build(factor.tok, fn, value, rhs)
        return value

    def _read_gradat(self, node):
        """``∇θ_t`` with its subscript lost (note 004, printed so): the gradient at θ_t."""
        of = node.args[0]
        value = self.read(of)
        if value == theta or (isinstance(value, sp.Indexed) and value.base == theta_v):
            self.note("∇θ read as the gradient of the loss at θ (∇ printed without its subscript)")
            return grad if value == theta else grad_v[value.indices]
        return super()._read_gradat(node)


def _is_delta(node) -> bool:
    return node.kind == "name" and node.text == "Delta" and node.sub is None and not node.layer


def _one_parameter(expr):
    """w_j − α ∂L/∂w_j is θ − α G: one entry of θ and of G, the same entry of each."""
    if not isinstance(expr, sp.Basic):
        return expr
    entries = {a.indices for a in expr.atoms(sp.Indexed) if a.base in (theta_v, grad_v)}
    if len(entries) != 1:
        return expr  # none, or different entries: compared as written (so a slip is wrong)
    (index,) = entries
    return expr.xreplace({theta_v[index]: theta, grad_v[index]: grad})


def _update_mistakes(result) -> list:
    return [
        (result.xreplace({rate: -rate}), "uphill: the step adds + α·∂L/∂θ (sign error)"),
        (result.xreplace({rate: 1}), "missing the learning rate α"),
        (result - theta, "missing the parameter θ: this is only the step − α ∂L/∂θ"),
        (theta - result, "missing the parameter θ: this is only the step α ∂L/∂θ"),
    ]


UPDATE_RULE = Quantity(
    name="update-rule",
    derivation="",
    key="",
    meaning="θ − α ∂L/∂θ: one gradient-descent step (SGD, as torch.optim.SGD)",
    accepts="the parameter W, w, θ (W_old; one entry w_ij with ∂L/∂w_ij); the learning rate "
    "α, η, ξ or lr; the gradient dW, g, ∂L/∂W (L, J, E, C, 𝓛)",
    symbols={
        **dict.fromkeys(PARAMETER_NAMES, theta),
        **dict.fromkeys(RATE_NAMES, rate),
        **dict.fromkeys(GRADIENT_NAMES, grad),
    },
    indexed={**dict.fromkeys(("W", "w", "theta"), theta_v), "dW": grad_v, "dw": grad_v},
    index_symbols={"i": i, "j": j, "k": k},
    build=_sgd_step,
    reader=GradientReader,
    tidy=_one_parameter,
    mistakes=_update_mistakes,
)


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
    from derive.language.tensor import Tensor, scalar
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
    from check.quantities import QUANTITIES as BUILT_IN
    from check.reading import GivenGradientReader
    from derive.builtins.dense import g as dense_g

    delta = BUILT_IN["dense:delta"]
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
    from check.quantities import QUANTITIES as BUILT_IN
    from check.quantities import made
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
            BUILT_IN["dense:db"],
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

__all__ = ["QUANTITIES", "GradientReader", "ParseError", "n_in", "n_out"]
