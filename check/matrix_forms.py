"""Forward results written in matrix notation inside a call: ``σ(W^l h^{l-1} + b^l)`` for
h = g(z), ``softmax(W^o h^L + b^o)`` for p = softmax(z), the notes' pseudocode forms.

The scalar quantities ``dense:h`` and ``softmax:forward`` read z as a scalar or an entry z_i;
where the answer writes the layer's z = W h + b instead, it is judged as the vector of the
dense layer (n_out × 1, entry i), against the same results built from the derivations: the
dense derivation's z_i = Σ_l W_il h_l + b_i and activation g, and softmax-ce's own p_i with
its logits z_k replaced by the dense layer's z_k (K = n_out).

>>> matrix_form(quantities.get("dense:h")).shape
(n_out, 1)
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp

import derive
from check import quantities
from check.quantities import Quantity, made
from check.reading import _LossGradientTensors, bound_apart
from derive.builtins.dense import g
from derive.builtins.dense import pre_activation as z_of
from derive.errors import ParseError
from derive.language.grammar import Node
from derive.language.tensor_algebra import ONE, Tensor, is_scalar
from derive.symbols import K, bv, i, n_out, pv, zv


def _softmax_of(entry_of, size, row):
    """Entry ``row`` of softmax-ce's p = softmax(z) with z_k = ``entry_of(k)``, K = ``size``."""
    p_row = bound_apart(derive.get("softmax-ce").domain.definitions[pv](row))  # no capture
    return p_row.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == zv,
        lambda e: entry_of(e.indices[0]),
    ).xreplace({K: size})


class ForwardTensors(_LossGradientTensors):
    """Matrix notation with the vector functions of a forward pass: ``softmax(v)`` of a column
    vector (softmax-ce's p with z = v), and ``Σ v`` without an index, the sum of v's entries
    (the denominator of exp(v) / Σ exp(v))."""

    def _read_call(self, node: Node):
        if node.text != "softmax":
            return super()._read_call(node)
        if len(node.args) != 1 or node.keywords or node.primes or node.ops:
            raise self.fail("'softmax' takes 1 argument, a vector", node)
        v = self.read(node.args[0])
        if v.cols != ONE or is_scalar(v):
            raise self.fail(f"softmax of {v.describe()}: needs a column vector", node)
        return Tensor(
            v.rows,
            ONE,
            lambda r, c: _softmax_of(lambda k: v.entry(k, ONE), v.rows, r),
            f"softmax({v.text})",
        )

    def _read_bigsum(self, node: Node):
        index, lower, upper, body = node.args
        if index is not None or lower is not None or upper is not None:
            raise self.fail("a sum over an index is not matrix notation (write Σ v)", node)
        v = self.read(body)
        if v.cols != ONE:
            raise self.fail(f"Σ of {v.describe()}: needs a column vector", node)
        if v.rows.is_Integer:
            total = sp.Add(*(v.entry(sp.Integer(k), ONE) for k in range(1, int(v.rows) + 1)))
        else:
            k = sp.Dummy("k", integer=True, positive=True)
            total = sp.Sum(v.entry(k, ONE), (k, 1, v.rows))
        return Tensor(ONE, ONE, lambda r, c: total, f"Σ {v.text}")


class _VectorOnly:
    """softmax in index notation, for the matrix-notation form: only its vector reading."""

    def apply(self, args, keywords=None):
        raise ParseError("softmax(…) of the dense layer is read in matrix notation only")


def _dense_h_build() -> tuple:
    """h_i = g(z_i) with z_i = Σ_l W_il h_l + b_i: the dense derivation's g and z."""
    domain = derive.get("dense")["delta_below"].domain  # g defined, as dense:h's own
    return g(z_of(i)), replace(domain, assumptions=[*domain.assumptions, "h = g(W h + b)"])


def _softmax_build() -> tuple:
    """p_i = softmax(z)_i of the dense layer's z = W h + b (K = n_out classes)."""
    from derive.builtins.dense import dense_domain

    domain = dense_domain()
    return _softmax_of(z_of, n_out, i), replace(
        domain, assumptions=[*domain.assumptions, "p = softmax(W h + b)"]
    )


def _forgot_bias(result) -> list:
    without = result.replace(lambda e: isinstance(e, sp.Indexed) and e.base == bv, lambda e: 0)
    return [(without, "forgot the bias b: z = W h + b")]


def _matrix(name: str, meaning: str, build) -> Quantity:
    base = quantities.QUANTITIES["dense:db"]  # the dense layer's vector z: n_out × 1, entry i
    return made(
        replace(
            base,
            name=f"{name} (matrix notation)",
            meaning=meaning,
            build=build,
            reader=ForwardTensors,
            mistakes=_forgot_bias,
            alternatives=(),
            related=(),
            swaps=(),
            tidy=None,
            functions={"softmax": _VectorOnly()},
        )
    )


_FORMS = {
    "dense:h": lambda: _matrix(
        "dense:h", "h = g(W h + b) of the dense layer (n_out)", _dense_h_build
    ),
    "softmax:forward": lambda: _matrix(
        "softmax:forward", "p = softmax(W h + b) of the dense layer (K = n_out)", _softmax_build
    ),
}


def matrix_form(q: Quantity) -> Quantity | None:
    """The matrix-notation form of a scalar forward quantity, or None if it has none."""
    make = _FORMS.get(q.name)
    return make() if make is not None else None


__all__ = ["ForwardTensors", "ParseError", "matrix_form"]
