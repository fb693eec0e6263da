"""The notes' network as one formula (a forward quantity): ŷ = O(W_3 g(W_2 g(W_1 x + b_1) + b_2)
+ b_3) for ``layers`` dense layers, g the hidden activation and O the output's.  Each layer is
the dense layer's own pre-activation z = W h + b; the sizes n_0 … n_L are distinct symbols, so
a product in the wrong order or a missing transpose does not fit (a shape verdict).

>>> from check import check_answer
>>> check_answer("network:forward", "O(W_2 g(W_1 x + b_1) + b_2)", params={"layers": 2}).correct  # doctest: +SKIP
True
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from check.quantities import Quantity, made
from derive.errors import ParseError
from derive.language.tensor_algebra import Tensor
from derive.model import Domain
from derive.symbols import i

ONE = sp.Integer(1)
O = sp.Function("O")  # the output activation
_T = sp.Dummy("t", real=True)


def _sizes(layers: int) -> list:
    return [sp.Symbol(f"n_{n}", integer=True, positive=True) for n in range(layers + 1)]


def _weights(n: int):
    return sp.IndexedBase(f"W{n}"), sp.IndexedBase(f"b{n}")


def _forward(layers: int):
    def build() -> tuple:
        from derive.builtins.dense import _tanh_g, g

        sizes = _sizes(layers)
        x = sp.IndexedBase("x")
        h = lambda row: x[row]  # noqa: E731 — the input, entry by entry
        for n in range(1, layers + 1):
            W, b = _weights(n)
            act = O if n == layers else g
            col = sp.Dummy(f"l{n}", integer=True, positive=True)
            below = h
            h = (  # noqa: E731 — layer n's output, entry by entry: act(Σ W h + b)
                lambda row, W=W, b=b, act=act, col=col, below=below, size=sizes[n - 1]: act(
                    sp.Sum(W[row, col] * below(col), (col, 1, size)) + b[row]
                )
            )
        domain = Domain(
            definitions={g: _tanh_g(), O: sp.Lambda(_T, sp.sin(_T) + _T / 3)},
            sizes={s: [2] for s in sizes},
            indices={i: sizes[-1]},
            assumptions=[f"{layers} dense layers; g (tanh here) and O (any) elementwise"],
        )
        return h(i), domain

    return build


def _without_biases(layers: int):
    def mistakes(result) -> list:
        def dropped(numbers):
            bases = {_weights(n)[1] for n in numbers}
            return result.replace(
                lambda e: isinstance(e, sp.Indexed) and e.base in bases, lambda e: sp.Integer(0)
            )

        found = [
            (dropped([n]), f"missing the bias b_{n}: forgot the bias") for n in range(1, layers + 1)
        ]
        found.append((dropped(range(1, layers + 1)), "missing every bias b_n: forgot the biases"))
        return found

    return mistakes


def _tensors(layers: int):
    def tensors(profile) -> dict:
        sizes = _sizes(layers)
        found = {"x": Tensor(sizes[0], ONE, lambda r, c: sp.IndexedBase("x")[r], "x")}
        for n in range(1, layers + 1):
            W, b = _weights(n)
            found[f"W_{n}"] = Tensor(sizes[n], sizes[n - 1], lambda r, c, W=W: W[r, c], f"W_{n}")
            found[f"b_{n}"] = Tensor(sizes[n], ONE, lambda r, c, b=b: b[r], f"b_{n}")
        return found

    return tensors


@cache
def network_forward(layers: int) -> Quantity:
    """network:forward for ``layers`` dense layers (1 to 6)."""
    if not (isinstance(layers, int) and 1 <= layers <= 6):
        raise ParseError("network:forward needs layers, a number of dense layers from 1 to 6")
    sizes = _sizes(layers)
    return made(
        Quantity(
            name=f"network:forward ({layers} layers)",
            derivation="",
            key="",
            meaning="ŷ = O(W_L g(… g(W_1 x + b_1) …) + b_L), the network's output",
            accepts="matrix notation: W_1 … W_L, b_1 … b_L, x; g (hidden), O (output)",
            functions={"O": O},
            index_symbols={"i": i},
            build=_forward(layers),
            mistakes=_without_biases(layers),
            shape=(sizes[-1], ONE),
            entry=(i, None),
            tensors=_tensors(layers),
        )
    )


def _listed() -> Quantity:
    """The name in ``--list``: three layers, as the notes write it (``layers`` for others)."""
    from dataclasses import replace

    three = network_forward(3)
    return replace(
        three, name="network:forward", meaning=three.meaning + " (layers = 3; params layers)"
    )


QUANTITIES = [_listed()]

__all__ = ["QUANTITIES", "network_forward"]
