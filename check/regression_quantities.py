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
from dataclasses import replace as dc_replace

import sympy as sp

import derive
from check.quantities import PREDICTION, Quantity, made
from derive import rules
from derive.language.scalar import ScalarReader
from derive.model import Domain
from derive.symbols import K, deltav, hv, i, j, k, l, n_in, p, pv, y, yv

w = sp.IndexedBase("w")  # one unit's weights, z = Σ_l w_l x_l + b
x = sp.IndexedBase("x")  # the model's input
M = sp.Symbol("m", integer=True, positive=True)  # the number of examples (derive.symbols.m)
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
        indices={i: n_in, j: n_in, k: n_in},
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
        *(
            (result.xreplace({i: other}), f"wrong index: x_{other} where x_i belongs (∂L/∂w_i)")
            for other in (j, k)
        ),
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


def _mse_loss() -> tuple:
    """J = Σ_k ½(ŷ_k − y_k)²: the mse record's per-output loss summed over the K outputs."""
    from derive.losses import LOSSES, yhat

    per_output = LOSSES["mse"].per_output
    loss = sp.Sum(per_output.xreplace({yhat: pv[k], y: yv[k]}), (k, 1, K))
    domain = Domain(sizes={K: [1, 2, 3, 4]}, assumptions=["K outputs, judged for K = 1, 2, 3, 4"])
    return loss, domain


def _se_mean() -> tuple:
    """(1/m) Σ_n e_n, e = (y − ŷ)² the notes' squared error of one example (no ½), over m
    examples."""
    from check.more_quantities import SQUARED_ERROR
    from derive.language import parse_expression
    from derive.symbols import m

    n = sp.Symbol("n", integer=True, positive=True)
    error = parse_expression(SQUARED_ERROR, {"y": yv[n], "yhat": pv[n]})
    domain = Domain(sizes={m: [1, 2, 3, 4]}, assumptions=["m examples, judged for m = 1, 2, 3, 4"])
    return sp.Sum(error, (n, 1, m)) / m, domain


def _no_half(result) -> list:
    return [(2 * result, "missing the factor ½ of J = ½ Σ (ŷ − y)²")]


def _limits_as(size):
    """The tidy step reading Σ^{J}, Σ^{n} with the question's size (imported when used:
    forward_quantities imports this module's registry)."""

    def tidy(expr):
        from check.forward_quantities import classes_limit

        return classes_limit(size)(expr)

    return tidy


def _loss_quantity(name: str, meaning: str, build, sizes: dict, mistakes) -> Quantity:
    return Quantity(
        name=name,
        derivation="",
        key="",
        meaning=meaning,
        accepts="ŷ_k, y^*_k, p_k (prediction); y_k (target); Σ with limits",
        symbols=sizes,
        indexed={**dict.fromkeys(PREDICTION, pv), "y": yv},
        index_symbols={"i": i, "j": j, "k": k},
        swaps=((pv, yv),),
        build=build,
        tidy=_limits_as(next(iter(sizes.values()))),
        mistakes=mistakes,
    )


def _mean_mistakes(result) -> list:
    from check.more_quantities import _missing_mean

    return _missing_mean(result)


QUANTITIES += [
    _loss_quantity(
        "mse:loss",
        "J = ½ Σ_k (ŷ_k − y_k)² over the K outputs (squared error with ½)",
        _mse_loss,
        {"K": K, "J": K},
        _no_half,
    ),
    _loss_quantity(
        "batch:se-loss",
        "(1/m) Σ_n (y_n − ŷ_n)² over m examples (the squared error e = (y − ŷ)², no ½)",
        _se_mean,
        dict.fromkeys(("m", "n", "N"), M),
        _mean_mistakes,
    ),
]


def _dz_dw() -> tuple:
    """∂z_i/∂W_ij for z_i = Σ_l W_il h_l + b_i: SymPy's derivative of the dense layer's own
    pre-activation, its Kronecker delta eliminated (= h_j)."""
    from derive.builtins.dense import pre_activation

    d = derive.get("dense")
    return _through_z(pre_activation(i), derive.get("dense")["dW"].lhs.variables[0]), replace(
        d.domain, indices={i: d.domain.indices[i], j: d.domain.indices[j], k: n_in}
    )


def _dz_dw_mistakes(result) -> list:
    from derive.symbols import Wm

    return [
        (
            result.xreplace({j: i}),
            "wrong index: the input multiplied by W_ij is h_j, the column index (∂z_i/∂W_ij = h_j)",
        ),
        (Wm[i, j], "the weight itself, not the input it multiplies: wrong variable"),
    ]


def _dz_dw_quantity() -> Quantity:
    from check.reading import DENSE_LAYERS
    from derive.symbols import Wm

    return Quantity(
        name="dense:dz/dW",
        derivation="",
        key="",
        meaning="∂z_i/∂W_ij for z = W h + b: the input h_j the weight multiplies",
        accepts="h_j, a_j, x_j (the layer input); w_ij, W_ij; layer labels h^{l-1}",
        symbols={},
        indexed={"h": hv, "a": hv, "x": hv, "w": Wm, "W": Wm},
        index_symbols={"i": i, "j": j, "k": k},
        build=_dz_dw,
        mistakes=_dz_dw_mistakes,
        fixed_indices=True,
        layers=DENSE_LAYERS,
        entry=(i, j),  # the weight W_ij: an entry [j, i] asks for ∂z_j/∂W_ji
    )


QUANTITIES.append(_dz_dw_quantity())


# -- over a batch: Σ_i (ŷ^{(i)} − y^{(i)}) x_j^{(i)}, the superscript (i) naming the example ---

P_ex = sp.IndexedBase("yhat")  # ŷ^{(n)}: the prediction for example n
Y_ex = sp.IndexedBase("y")  # y^{(n)}
X_ex = sp.IndexedBase("x")  # x_j^{(n)}: feature j of example n (X[n, j])


class _ExampleLabels(ScalarReader):
    """ŷ^{(i)}, y^{(i)}, x_j^{(i)}: a superscript index letter names the example, so these are
    entries of the batch (ŷ_i, y_i, X_ij), not labels dropped."""

    def resolve(self, node):
        label = node.layer
        letter = label.text if label is not None and label.kind == "name" else None
        if letter not in ("i", "n", "k") or letter not in self.index_symbols:
            return super().resolve(node)
        example = self.index_symbols[letter]
        inner = super().resolve(dc_replace(node, layer=None))
        if inner == p:
            return P_ex[example]
        if inner == y:
            return Y_ex[example]
        if isinstance(inner, sp.Indexed) and inner.base == x and len(inner.indices) == 1:
            return X_ex[example, inner.indices[0]]
        raise self.fail(f"'{node.text}^({letter})': only ŷ, y and x are given per example", node)


EXAMPLE = sp.Symbol("i", integer=True)  # i free: one example's term (not the index i)


def _one_example(expr):
    """(ŷ^{(i)} − y^{(i)}) x_j^{(i)} with i summed nowhere: the term of an example i (judged
    for every i of the m), not an index of the result."""
    if isinstance(expr, sp.Basic) and i in expr.free_symbols:
        return expr.xreplace({i: EXAMPLE})
    return expr


def _batch_dw(derivation: str, key: str):
    """∂J/∂w_j = Σ_n ∂ℓ_n/∂z_n · ∂z_n/∂w_j: the derivation's result for one example (ŷ − y),
    at example n, times SymPy's ∂z_n/∂w_j for z_n = Σ_l w_l X_nl + b (= X_nj)."""
    from derive.symbols import m

    def build() -> tuple:
        n = sp.Symbol("n", integer=True, positive=True)
        d = derive.get(derivation)
        per_example = d[key].rhs.xreplace({p: P_ex[n], y: Y_ex[n]})
        if derivation == "mse":
            from derive.losses import yhat

            per_example = d[key].rhs.xreplace({yhat: P_ex[n], y: Y_ex[n]})
        z_n = sp.Sum(w[l] * X_ex[n, l], (l, 1, n_in)) + b
        result = sp.Sum(per_example * _through_z(z_n, w[j]), (n, 1, m))
        domain = Domain(
            sizes={m: [2, 3], n_in: [2, 3]},
            indices={j: n_in, k: n_in, EXAMPLE: m},  # a term left unsummed is example i's
            assumptions=["J summed over the m examples (no 1/m), judged for m = 2, 3"],
        )
        return result, domain

    return build


def _batch_mistakes(derivation: str):
    def mistakes(result) -> list:
        from derive.builtins.losses import output_derivative

        found = [
            (
                result.replace(
                    lambda e: isinstance(e, sp.Indexed) and e.base == X_ex, lambda e: sp.Integer(1)
                ),
                "missing the factor x_j^{(i)} = ∂z/∂w_j",
            )
        ]
        if isinstance(result, sp.Sum):  # (ŷ^{(i)} − y^{(i)}) x_j^{(i)}: one example's term
            example = result.limits[0][0]
            found.append(
                (
                    result.function.xreplace({example: EXAMPLE}),
                    "missing the sum over the examples Σ_{i=1}^{m}: this is example i's term",
                )
            )
        if derivation == "sigmoid-bce":
            summed = result.function if isinstance(result, sp.Sum) else None
            if summed is not None:
                slope = output_derivative("sigmoid", P_ex[result.limits[0][0]])
                found.append(
                    (
                        sp.Sum(summed * slope, *result.limits),
                        "extra factor σ′(z) = ŷ(1 − ŷ): the cross-entropy cancels it",
                    )
                )
        return found

    return mistakes


def _batch_gradient(name: str, derivation: str, key: str, meaning: str) -> Quantity:
    from derive.symbols import m

    return Quantity(
        name=name,
        derivation="",
        key="",
        meaning=meaning,
        accepts="ŷ^{(i)}, y^{(i)} (example i), x_j^{(i)} (feature j of example i); Σ_{i=1}^{m}",
        symbols={**dict.fromkeys(PREDICTION, p), "y": y, "m": m},
        indexed={"x": x},
        index_symbols={"i": i, "j": j, "k": k},
        swaps=((P_ex, Y_ex),),
        build=_batch_dw(derivation, key),
        mistakes=_batch_mistakes(derivation),
        tidy=_one_example,
        reader=_ExampleLabels,
        fixed_indices=True,
    )


LINREG_DW = _batch_gradient(
    "linreg:dw", "mse", "dz_identity", "∂J/∂w_j, J = Σ_i ½(ŷ^{(i)} − y^{(i)})², ŷ = Σ_j w_j x_j + b"
)
LOGREG_BATCH_DW = made(
    _batch_gradient(
        "logreg:dw (a sum over examples)",
        "sigmoid-bce",
        "dz",
        "∂J/∂w_j, J = Σ_i BCE(ŷ^{(i)}, y^{(i)}), ŷ = σ(Σ_j w_j x_j + b)",
    )
)
QUANTITIES.append(LINREG_DW)
