"""The one-unit models themselves (forward quantities): linear regression ŷ = Σ_i w_i x_i + b
and logistic regression ŷ = σ(Σ_i w_i x_i + b), the notes' bias written as w_0 x_0 with
x_0 = 1 or as b; ``bias = false`` for a model without one (notes 003: y* = 𝒜(wᵀx)).

The pre-activation is the dense layer's (one row of z = W h + b); the logistic model applies
the sigmoid record to it.  ``wᵀx`` is read as the inner product Σ_i w_i x_i.

>>> from check import check_answer
>>> check_answer("logreg:forward", r"\\sigma(\\sum_{i=0}^n w_i x_i)").correct  # doctest: +SKIP
True
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from check.quantities import _NOTES_SIGMOID, PREDICTION, Quantity, made
from derive import rulebook
from derive.errors import ParseError
from derive.language.scalar import ScalarReader
from derive.language.tensor import TensorReader
from derive.language.tensor_algebra import ShapeError, Tensor
from derive.model import Domain
from derive.symbols import K, bv, hv, i, j, k, l, n_in, pv, yv, zv

ONE = sp.Integer(1)

w = sp.IndexedBase("w")  # the unit's weights (one row of W)
x = sp.IndexedBase("x")  # its input
b = sp.Symbol("b", real=True)


def _unit(bias: bool) -> sp.Expr:
    """Σ_l w_l x_l (+ b): row i of the dense layer's pre-activation, written for one unit."""
    from derive.builtins.dense import pre_activation
    from derive.symbols import Wm

    row = pre_activation(i)
    written = row.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == Wm, lambda e: w[e.indices[1]]
    )
    written = written.xreplace({bv[i]: b if bias else 0}).replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == hv, lambda e: x[e.indices[0]]
    )
    return written


class _InnerProduct(ScalarReader):
    """``w^T x``: a transposed vector times a vector is Σ_l w_l x_l; so is a product of two
    vectors written without the transpose (w · x, 𝒜(w) x), the only number it can be (the
    elementwise product is a vector, never the number ŷ)."""

    def _read_call(self, node):
        if node.text in ("calA", "g") and not node.primes:  # y* = 𝒜(wᵀx) (notes 003)
            shown = "𝒜" if node.text == "calA" else "g"
            self.note(f"{shown} read as σ, the logistic sigmoid (not linear)")
        return super()._read_call(node)

    def _read_product(self, node):
        first = node.args[0]
        if len(node.args) != 2 or node.ops[1] not in ("", "·", "*"):
            return super()._read_product(node)
        index = self.index_symbols["i"]
        if first.kind != "transpose":
            if any(_subscripted(arg) for arg in node.args) or not all(
                index in self.read(arg).free_symbols for arg in node.args
            ):
                return super()._read_product(node)  # w_i x_i: entry i as written, not summed
            value = super()._read_product(node)
            self.note("a product of two vectors read as the inner product Σ_l (w · x)")
            return sp.Sum(value.xreplace({index: l}), (l, 1, n_in))
        value = super()._read_product(node)
        if index not in value.free_symbols:
            return value
        self.note("wᵀx read as the inner product Σ_l w_l x_l")
        return sp.Sum(value.xreplace({index: l}), (l, 1, n_in))


def _subscripted(node) -> bool:
    """A name with a subscript (w_i) anywhere in the tree: index notation, not a bare vector."""
    if node.kind == "name" and node.sub is not None:
        return True
    return any(_subscripted(arg) for arg in node.args if hasattr(arg, "kind"))


def _tidy(bias: bool):
    """Σ_{i=0}^{n}: the sum's letter limit is the number of inputs; w_0 x_0 (x_0 = 1) is the
    bias b when the model has one."""

    def tidy(expr):
        from check.forward_quantities import classes_limit

        if not isinstance(expr, sp.Basic):
            return expr
        expr = classes_limit(n_in)(expr)
        if bias:
            expr = expr.replace(
                lambda e: isinstance(e, sp.Sum) and e.limits[0][1] == 0,
                lambda e: (
                    e.function.xreplace({e.limits[0][0]: 0})
                    + sp.Sum(e.function, (e.limits[0][0], 1, e.limits[0][2]))
                ),
            )
            expr = expr.xreplace({w[0]: b, x[0]: 1})
        return expr

    return tidy


def _forward(name: str, bias: bool):
    def build() -> tuple:
        z = _unit(bias)
        result = (
            rulebook.activations()["sigmoid"].expr.xreplace({sp.Symbol("z", real=True): z})
            if name == "logreg"
            else z
        )
        told = "x_0 = 1, w_0 = b (the bias)" if bias else "no bias"
        return result, Domain(
            sizes={n_in: [1, 2, 3]},
            assumptions=[f"one unit, n inputs ({told}), judged for n = 1, 2, 3"],
        )

    return build


def _mistakes(name: str, bias: bool):
    def mistakes(result) -> list:
        found = []
        if bias:
            found.append(
                (
                    result.xreplace({b: 0}),
                    "missing the bias term w_0 x_0 (x_0 = 1): forgot the bias",
                )
            )
        if name == "logreg":
            from derive.functions import sigmoid

            z = _unit(bias)
            each = sp.Add(
                *(
                    sp.Sum(sigmoid(t.function), *t.limits) if isinstance(t, sp.Sum) else sigmoid(t)
                    for t in sp.Add.make_args(z)
                )
            )
            found.append((each, "σ of each term w_i x_i instead of σ of the sum z = Σ_i w_i x_i"))
            weights = z.replace(
                lambda e: isinstance(e, sp.Indexed) and e.base == w, lambda e: sigmoid(e)
            )
            found.append(
                (
                    weights,
                    "the activation applied to the weights alone: σ(w)ᵀx where σ(wᵀx) belongs "
                    "(σ, as 𝒜 or g here, is the logistic sigmoid, not linear)",
                )
            )
        return found

    return mistakes


def _quantity(name: str, bias: bool) -> Quantity:
    model = "σ(Σ_i w_i x_i + b)" if name == "logreg" else "Σ_i w_i x_i + b"
    return Quantity(
        name=f"{name}:forward" + ("" if bias else " (no bias)"),
        derivation="",
        key="",
        meaning=f"ŷ = {model}, one unit (the bias as w_0 x_0 with x_0 = 1, or b)"
        if bias
        else f"ŷ = {model.replace(' + b', '')}, one unit without a bias",
        accepts="w_i, x_i (superscript example labels x_i^{(j)} allowed), b; Σ_{i=0}^{n}, wᵀx; σ, 𝒜, g",
        # bare w and x are the vectors (entry i), so that wᵀx is their inner product
        symbols={"b": b, "w": w[i], "x": x[i], **dict.fromkeys(("n", "D", "N"), n_in)},
        indexed={"w": w, "x": x},
        index_symbols={"i": i, "j": j, "k": k},
        functions=_NOTES_SIGMOID,
        build=_forward(name, bias),
        reader=_InnerProduct,
        tidy=_tidy(bias),
        mistakes=_mistakes(name, bias),
    )


@cache
def without_bias(name: str) -> Quantity:
    """linreg:forward / logreg:forward for a model without a bias (``bias = false``)."""
    return made(_quantity(name.split(":")[0], False))


QUANTITIES = [_quantity("linreg", True), _quantity("logreg", True)]

__all__ = ["QUANTITIES", "without_bias"]


# -- the softmax Jacobian in matrix notation: diag(p) − p pᵀ ---------------------------------


class _DiagonalTensors(TensorReader):
    """Matrix notation with ``diag(v)``: the square matrix with v on its diagonal."""

    def _read_call(self, node):
        if node.text != "diag":
            return super()._read_call(node)
        if len(node.args) != 1:
            raise self.fail("'diag' takes 1 argument, a vector", node)
        v = self.read(node.args[0])
        if v.cols != ONE:
            raise ShapeError(f"diag of {v.describe()}: needs a column vector")
        return Tensor(
            v.rows,
            v.rows,
            lambda r, c: sp.KroneckerDelta(r, c) * v.entry(r, ONE),
            f"diag({v.text})",
        )


def _softmax_tensors(profile) -> dict:
    prediction = Tensor(K, ONE, lambda r, c: pv[r], "p")
    return {**dict.fromkeys(PREDICTION, prediction), "y^*": prediction}


def _not_a_function(*args):
    raise ParseError("diag(…) is read in matrix notation only")


def _jacobian_quantity() -> Quantity:
    """∂p/∂z for p = softmax(z): the softmax derivation's Jacobian p_i(δ_ij − p_j), written as
    a K × K matrix (diag(p) − p pᵀ), or its entry (i, j) in index notation, as the derivation
    writes it."""
    delta = sp.KroneckerDelta(i, j)
    return Quantity(
        name="softmax:jacobian",
        derivation="softmax",
        key="jacobian",
        meaning="∂p/∂z, p = softmax(z), as a K × K matrix: entry (i, j) is ∂p_i/∂z_j",
        accepts="matrix notation: p, q, ŷ (K-vectors), diag(q), q q^T, q ⊗ q, transposes; "
        "or entry (i, j): p_i(𝟙[i = j] − p_j), δ_ij",
        symbols={"delta_ij": delta, "delta_ji": delta},
        indexed={**dict.fromkeys(PREDICTION, pv), "z": zv, "y": yv},
        functions={"diag": _not_a_function},
        index_symbols={"i": i, "j": j, "k": k},
        shape=(K, K),
        entry=(i, j),
        tensors=_softmax_tensors,
        reader=_DiagonalTensors,
    )


QUANTITIES.append(_jacobian_quantity())
