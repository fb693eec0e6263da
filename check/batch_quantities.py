"""Mini-batch quantities beyond dW and db, with the examples as columns as notes 000 write
them (DZ, H, P, Y are n × m): the gradient at the layer input dH = Wᵀ DZ and the output's
DZ = P − Y.  Both are per-example gradients (no 1/m: the notes apply it once, in dW and db):
dH is m times the batch derivation's ∂L/∂H of the mean loss, DZ at the output the
softmax-ce derivation's p − y for each example.

>>> from check import check_answer
>>> check_answer("batch:delta-out", "P - Y", params={"layout": "columns"}).correct  # doctest: +SKIP
True
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

import derive
import derive.symbols
from check.quantities import Quantity
from derive.errors import ParseError
from derive.language.tensor import TensorReader
from derive.language.tensor_algebra import Tensor, divide, elementwise_product, product
from derive.model import Domain
from derive.symbols import K, i, j, k, m, n_in, pv, r, yv

P = sp.IndexedBase("P")  # the batch's predictions, one example per column (K × m)
Y = sp.IndexedBase("Y")  # its one-hot targets


def _columns_only(profile, name: str) -> None:
    if profile.examples != "columns":
        raise ParseError(f"{name} is written with the examples as columns: give layout = columns")


def _dh() -> tuple:
    """∂ℓ_n/∂H for each example: m · ∂L/∂H of the batch derivation (L = (1/m) Σ_n ℓ_n)."""
    d = derive.get("batch")
    return m * d["dH"].rhs, d.domain


def _dh_tensors(profile) -> dict:
    from check.more_quantities import _batch_tensors

    _columns_only(profile, "batch:dH")
    return _batch_tensors(profile)


def _dh_mistakes(result) -> list:
    return [(result / m, "an extra 1/m: dH is per example; the mean's 1/m belongs in dW and db")]


def _delta_out() -> tuple:
    """DZ at a softmax output with cross-entropy: the softmax-ce result p − y for example r."""
    d = derive.get("softmax-ce")
    result = d["dz"].rhs.xreplace({pv[i]: P[i, r], yv[i]: Y[i, r]})
    domain = Domain(sizes={K: [2, 3], m: [2, 3]}, indices={i: K, r: m})
    return result, domain


def _output_tensors(profile) -> dict:
    _columns_only(profile, "batch:delta-out")
    return {
        "P": Tensor(K, m, lambda row, col: P[row, col], "P"),
        "Y": Tensor(K, m, lambda row, col: Y[row, col], "Y"),
        "m": Tensor(sp.Integer(1), sp.Integer(1), lambda row, col: m, "m"),
    }


def _flipped(result) -> list:
    return [(-result, "sign error: P − Y, the prediction minus the target")]


dH = sp.IndexedBase("dH")  # ∂ℓ/∂H of the layer, given (n_in × m, examples as columns)
Zb = sp.IndexedBase("Z")  # the layer's pre-activations (n_in × m)


def _delta() -> tuple:
    """DZ = dH ⊙ g′(Z): the dense derivation's δ of the layer below, (Wᵀδ)_j g′(z_prev,j), with
    its ∂L/∂h_j given as dH and z_prev,j as Z, entry (j, r) for example r."""
    from derive.builtins.dense import _tanh_g, g, zprev

    d = derive.get("dense")
    below = d["delta_below"].rhs
    result = below.xreplace({d["dh"].rhs: dH[j, r]}).subs(zprev[j], Zb[j, r])
    domain = Domain(
        definitions={g: _tanh_g()},
        sizes={n_in: [2, 3], m: [2, 3]},
        indices={j: n_in, r: m},
        assumptions=["g is any activation (tanh here)"],
    )
    return result, domain


class _ElementwiseBatch(TensorReader):
    """σ(Z)(1 − σ(Z)), dH * σ′(Z): between two n × m matrices of a batch the product the notes
    mean is elementwise (their matrix product does not fit)."""

    def _read_product(self, node):
        value = self.read(node.args[0])
        for op, factor in zip(node.ops[1:], node.args[1:], strict=True):
            rhs = self.read(factor)
            if op != "/" and value.shape == rhs.shape and value.cols != rhs.rows:
                value = elementwise_product(value, rhs, f"{value.text} ⊙ {rhs.text}")
            else:
                value = divide(value, rhs) if op == "/" else product(value, rhs, op)
        return value

    def _read_apply(self, node):
        name, group = (self.read(arg) for arg in node.args)
        if name.shape == group.shape and name.cols != group.rows:
            return elementwise_product(name, group, f"{name.text} ⊙ {group.text}")
        return product(name, group, "")


def _delta_tensors(profile) -> dict:
    _columns_only(profile, "batch:delta")
    return {
        **dict.fromkeys(("dH", "dh"), Tensor(n_in, m, lambda row, col: dH[row, col], "dH")),
        "Z": Tensor(n_in, m, lambda row, col: Zb[row, col], "Z"),
    }


# -- the mean loss over the batch (the empirical risk), note 000's G(w, b) ------------------

loss_fn = sp.Function("L")  # ℓ(prediction, target): any per-example loss
model_fn = sp.Function("F")  # the network's output F(x)
xv = sp.IndexedBase("x")  # example n's input x_n, its target y_n
EXAMPLE_COUNT = ("m", "n", "N")  # the number of examples, as the notes name it
_A, _B = sp.Dummy("a", real=True), sp.Dummy("b", real=True)
_STAND_INS = {  # for sampling: a loss symmetric in its two arguments, a smooth network
    loss_fn: sp.Lambda((_A, _B), (_A - _B) ** 2 + sp.cos(_A + _B)),
    model_fn: sp.Lambda(_A, sp.sin(sp.Rational(13, 10) * _A) + sp.Rational(2, 5) * _A**2),
}


def _mean_loss() -> tuple:
    """(1/m) Σ_n L(F(x_n), y_n): the batch derivation's mean loss L = (1/m) Σ_n ℓ_n, its sum
    over the m examples kept and each example's ℓ_n written as L(F(x_n), y_n)."""
    d = derive.get("batch")
    loss = d.domain.definitions[derive.symbols.L]
    (total,) = [s for s in loss.atoms(sp.Sum) if any(lim[2] == m for lim in s.limits)]
    (example,) = [lim for lim in total.limits if lim[2] == m]
    n = example[0]
    per_example = sp.Sum(loss_fn(model_fn(xv[n]), yv[n]), example)
    domain = Domain(
        sizes={m: [1, 2, 3, 4]},
        definitions=dict(_STAND_INS),
        assumptions=[
            "m examples, judged for m = 1, 2, 3, 4",
            "L and F any functions (sampled as fixed smooth ones; L symmetric, so L(y, F(x)) "
            "is read as the notes that write the target first mean it)",
        ],
    )
    return loss.xreplace({total: per_example}), domain


def _mean_loss_mistakes(result) -> list:
    return [(result * m, "missing 1/m: the mean loss over the m examples, not their sum")]


# -- the batch squared error with K outputs per example (note 004's Σ_i Σ_{j=1}^{3}) ----------


def _se_mean_outputs() -> tuple:
    """(1/m) Σ_n Σ_k e_nk: batch:se-loss's squared error e = (y − ŷ)² of one output, summed
    over the K outputs of each example, then averaged over the m examples."""
    from check.more_quantities import SQUARED_ERROR
    from derive.language import parse_expression

    n = sp.Symbol("n", integer=True, positive=True)
    error = parse_expression(SQUARED_ERROR, {"y": yv[n, k], "yhat": pv[n, k]})
    domain = Domain(
        sizes={m: [1, 2, 3], K: [1, 2, 3]},
        assumptions=["m examples of K outputs each, judged for m, K = 1, 2, 3"],
    )
    return sp.Sum(error, (k, 1, K), (n, 1, m)) / m, domain


def _outputs_summed(expr):
    """The tidy step: the inner sum over the outputs, its count written as a number (3) or K,
    runs to K (the question does not fix it); entries written output first (ŷ_{ji}, every
    one so) are put example first, as the result writes them."""
    if not isinstance(expr, sp.Basic):
        return expr
    counted = [  # (the sum, its limit over the outputs): SymPy keeps nested sums as one
        (total, at)
        for total in expr.atoms(sp.Sum)
        for at, (_, low, high) in enumerate(total.limits)
        if low == 1 and (high.is_Integer or high == K)
    ]
    two = [a for a in expr.atoms(sp.Indexed) if a.base in (pv, yv) and len(a.indices) == 2]
    if len(counted) != 1 or not two:  # not written for K outputs: the one-output reading's
        raise ParseError("not written with K outputs per example (ŷ_{ij}, Σ_{j=1}^{3})")
    total, at = counted[0]
    var = total.limits[at][0]
    limits = [(v, lo, K if n == at else hi) for n, (v, lo, hi) in enumerate(total.limits)]
    expr = expr.xreplace({total: sp.Sum(total.function, *limits)})
    entries = [a for a in expr.atoms(sp.Indexed) if a.base in (pv, yv) and len(a.indices) == 2]
    if entries and all(a.indices[0] == var and a.indices[1] != var for a in entries):
        expr = expr.xreplace({a: a.base[a.indices[1], a.indices[0]] for a in entries})
    return expr


def se_loss_outputs() -> Quantity:
    """batch:se-loss for K outputs per example: tried when the answer writes two indices
    (ŷ_{ij}: example i, output j) and the one-output reading cannot decide it."""
    from check import quantities
    from check.more_quantities import _missing_mean

    base = quantities.get("batch:se-loss")
    return quantities.made(
        replace(
            base,
            name="batch:se-loss (K outputs)",
            meaning="(1/m) Σ_n Σ_k (y_nk − ŷ_nk)² over m examples of K outputs",
            symbols={**base.symbols, "K": K},
            build=_se_mean_outputs,
            tidy=lambda expr: _outputs_summed(base.tidy(expr) if base.tidy else expr),
            mistakes=_missing_mean,
        )
    )


QUANTITIES = [
    Quantity(
        name="batch:mean-loss",
        derivation="",
        key="",
        meaning="(1/m) Σ_n L(F(x_n), y_n): the mean loss over m examples (empirical risk)",
        accepts="L(F(x_i), y_i) (any loss L, network F), x_i, y_i (example i); m, n or N "
        "examples; \\sum_{i=1}^{n}",
        symbols=dict.fromkeys(EXAMPLE_COUNT, m),
        indexed={"x": xv, "y": yv},
        index_symbols={"i": i, "j": j, "k": k, "r": r},
        functions={"L": loss_fn, "ell": loss_fn, "F": model_fn, "f": model_fn},
        build=_mean_loss,
        mistakes=_mean_loss_mistakes,
    ),
    Quantity(
        name="batch:delta",
        derivation="",
        key="",
        meaning="DZ = dH ⊙ g′(Z) of a layer, dH = ∂ℓ/∂H given (examples as columns: n × m)",
        accepts="matrix notation: dH, Z (n × m); g′(Z), σ′(Z); ⊙, ⊗, * elementwise",
        index_symbols={"i": i, "j": j, "k": k, "r": r},
        build=_delta,
        shape=(n_in, m),
        entry=(j, r),
        tensors=_delta_tensors,
        reader=_ElementwiseBatch,
    ),
    Quantity(
        name="batch:dH",
        derivation="",
        key="",
        meaning="dH = Wᵀ DZ, ∂ℓ/∂H of every example (examples as columns: n_in × m, no 1/m)",
        accepts="matrix notation: W (n_out × n_in), DZ or dZ (n_out × m), layer labels W^{l+1}",
        symbols={"m": m},
        index_symbols={"i": i, "j": j, "k": k, "r": r},
        build=_dh,
        mistakes=_dh_mistakes,
        shape=(n_in, m),
        entry=(j, r),
        tensors=_dh_tensors,
    ),
    Quantity(
        name="batch:delta-out",
        derivation="",
        key="",
        meaning="DZ = P − Y at a softmax output with cross-entropy (examples as columns: K × m)",
        accepts="matrix notation: P (predictions), Y (one-hot targets), K × m",
        index_symbols={"i": i, "j": j, "k": k, "r": r},
        build=_delta_out,
        mistakes=_flipped,
        shape=(K, m),
        entry=(i, r),
        tensors=_output_tensors,
    ),
]

__all__ = ["QUANTITIES"]
