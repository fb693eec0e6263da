"""The exact worked solution of one example: every forward, backward and update quantity.

No formula is typed here. The forward pass evaluates the definitions the ``mlp`` derivation
is verified against (z^l = W^l h^(l-1) + b^l, h^l = g(z^l) from :mod:`derive.activations`, the
loss from :mod:`derive.losses`); the backward pass evaluates the lines of the verified
recurrence (``derive.mlp``: δ^L from the output/loss rule, dW, db, dh from ``dense``, δ^(l-1)
with the activation's derivative); ∂L/∂ŷ and g′(z) come from SymPy differentiating those
definitions. Inputs are exact Rationals (from the decimal text); values stay Rational while
they can and are otherwise evaluated to :data:`PRECISION` digits, so no rounding of ours can
change a verdict.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, field

import sympy as sp

import derive
from check.numbers_input import WorkedExample
from derive.activations import ACTIVATIONS
from derive.custom import activation_from_name_or_expression
from derive.errors import BackpropError, SpecError
from derive.symbols import z as z_symbol

PRECISION = 50  # significant digits of every non-rational value
ALPHA = sp.Symbol("α")


@dataclass
class Quantity:
    """One array of the worked solution.

    name: claim name ("z1", "dW2", "loss"); rule: how the whole array is computed (for the
    trace); shape: () or (n,) or (n, m); values / lines: 0-based index → number / the entry's
    formula in derive's 1-based Indexed symbols (empty for given inputs).
    """

    name: str
    rule: str
    shape: tuple[int, ...]
    values: dict = field(default_factory=dict)
    lines: dict = field(default_factory=dict)
    given: bool = False

    def value(self, index: tuple[int, ...] = ()):
        return self.values[index]

    def nested(self):
        """The values as nested lists (a scalar for shape ())."""
        if not self.shape:
            return self.values[()]
        if len(self.shape) == 1:
            return [self.values[(r,)] for r in range(self.shape[0])]
        return [[self.values[(r, c)] for c in range(self.shape[1])] for r in range(self.shape[0])]


@functools.lru_cache(maxsize=32)
def recurrence(sizes: tuple[int, ...], activations: tuple[str, ...], loss: str):
    """The verified ``mlp`` derivation of the network (cached: verifying takes ~1 s)."""
    output = activations[-1]
    try:
        return derive.mlp(sizes, list(activations[:-1]), output, loss)
    except SpecError as exc:
        raise SpecError(f"network: {str(exc).removeprefix('network: ')}") from None
    except BackpropError as exc:
        raise SpecError(f"network.activations: {exc}") from None


class Solution:
    """Compute every quantity of ``example`` in order; ``quantities`` keeps that order."""

    def __init__(self, example: WorkedExample):
        self.example = example
        for n, name in enumerate(example.activations[:-1]):
            if name == "softmax":
                raise SpecError(f"network.activations[{n}]: softmax only fits the output layer")
        self.derivation = recurrence(example.sizes, example.activations, example.loss)
        self.known: dict[tuple[str, tuple[int, ...]], sp.Number] = {}
        self.quantities: dict[str, Quantity] = {}
        self._given()
        self._forward()
        if example.y is not None:
            self._loss()
            self._backward()
            if example.learning_rate is not None:
                self._update()

    # bookkeeping -------------------------------------------------------------------------
    def _store(self, base: str, quantity: Quantity, index, value, line=None):
        value = value if value.is_Rational else value.evalf(PRECISION)
        if not value.is_finite or not value.is_real:
            raise SpecError(f"{quantity.name}{list(index)}: the value is not finite ({value})")
        quantity.values[index] = value
        if line is not None:
            quantity.lines[index] = line
        self.known[(base, tuple(i + 1 for i in index))] = value

    def _add(self, quantity: Quantity) -> Quantity:
        self.quantities[quantity.name] = quantity
        return quantity

    def evaluate(self, expr: sp.Expr) -> sp.Expr:
        """``expr`` (in derive's 1-based Indexed symbols) at the known values."""
        expr = expr.doit() if expr.has(sp.Sum) else expr
        swap = {
            atom: self.known[(atom.base.name, tuple(int(i) for i in atom.indices))]
            for atom in expr.atoms(sp.Indexed)
        }
        if ALPHA in expr.free_symbols:
            swap[ALPHA] = self.example.learning_rate
        return expr.xreplace(swap)

    def _fill(self, quantity: Quantity, base: str, line_of):
        """Evaluate ``line_of(1-based index)`` at every entry of ``quantity``."""
        for index in itertools.product(*(range(n) for n in quantity.shape)):
            line = line_of(*(sp.Integer(i + 1) for i in index))
            line = line.doit() if line.has(sp.Sum) else line
            self._store(base, quantity, index, self.evaluate(line), line)
        return self._add(quantity)

    def _given_array(self, name: str, base: str, values, shape, rule: str):
        quantity = Quantity(name, rule, shape, given=True)
        for index in itertools.product(*(range(n) for n in shape)):
            entry = values
            for i in index:
                entry = entry[i]
            self._store(base, quantity, index, entry)
        return self._add(quantity)

    @property
    def depth(self) -> int:
        return self.example.depth

    def size(self, layer: int) -> int:
        return self.example.sizes[layer]

    def output_base(self, layer: int) -> str:
        """derive's name for h^l: x, h1, h2, ..., p (the output)."""
        return "x" if layer == 0 else "p" if layer == self.depth else f"h{layer}"

    # the pass ------------------------------------------------------------------------------
    def _given(self):
        ex = self.example
        self._given_array("x", "x", ex.x, (self.size(0),), "given")
        if ex.y is not None:
            self._given_array("y", "y", ex.y, (self.size(self.depth),), "given")
        for layer in range(1, self.depth + 1):
            for name, shape in (
                (f"W{layer}", (self.size(layer), self.size(layer - 1))),
                (f"b{layer}", (self.size(layer),)),
            ):
                self._given_array(name, name, ex.parameters[name], shape, "given")

    def _definitions(self):
        """The forward definitions the recurrence is verified against (leaf: the input x)."""
        chain = self.derivation["dW1"].chain
        return {getattr(k, "name", str(k)): v for k, v in chain.domain.definitions.items()}

    def _forward(self):
        defs = self._definitions()
        self.loss_definition = defs["L"]
        for layer in range(1, self.depth + 1):
            n = (self.size(layer),)
            below = "x" if layer == 1 else f"h{layer - 1}"
            self._fill(
                Quantity(f"z{layer}", f"W{layer} {below} + b{layer}", n),
                f"z{layer}",
                defs[f"z{layer}"],
            )
            name = self.example.activations[layer - 1]
            self._fill(
                Quantity(f"h{layer}", f"{name}(z{layer})", n),
                self.output_base(layer),
                defs[self.output_base(layer)],
            )
            self._g_prime(layer)

    def _loss(self):
        rule = {"mse": "½ Σ (ŷ − y)²", "cross-entropy": "−Σ y log ŷ"}.get(
            self.example.loss, "−y log ŷ − (1 − y) log(1 − ŷ)"
        )
        self._fill(Quantity("loss", rule, ()), "L", lambda: self.loss_definition)

    def _backward(self):
        top = self.depth
        p = sp.IndexedBase("p")
        loss = self.loss_definition.doit()
        self._fill(
            Quantity(f"dh{top}", "∂L/∂ŷ (SymPy, from the loss)", (self.size(top),)),
            f"dh{top}",
            lambda r: sp.diff(loss, p[r]),
        )
        for chain in self.derivation.chains:  # lines keyed by (kind, layer): "dW2", "delta1"
            kind, layer, name = chain.kind, chain.layer, chain.key
            free = chain.lhs.variables[0].indices
            shape = tuple(
                self.size(layer)
                if ix.name == "i"
                else self.size(layer - 1 if kind == "dW" else layer)
                for ix in free
            )
            rule = chain.matrix_form_text or chain.title
            result = chain.result
            self._fill(
                Quantity(name, f"{rule}  [{chain.source}]", shape),
                name,
                lambda *idx, result=result, free=free: result.xreplace(
                    dict(zip(free, idx, strict=True))
                ),
            )

    def _g_prime(self, layer: int):
        """g′(z^l): the activation's derivative by derive (output form in h where it has one)."""
        name = self.example.activations[layer - 1]
        if name == "softmax":
            return
        act = activation_from_name_or_expression(name)
        h = sp.IndexedBase(self.output_base(layer))
        zl = sp.IndexedBase(f"z{layer}")
        slope_h = derive.get(name).results.get("slope_h") if name in ACTIVATIONS else None
        if slope_h is not None:
            slope = slope_h.rhs
            line = lambda r: slope.xreplace({sp.Symbol("h", real=True): h[r]})  # noqa: E731
        else:
            slope = sp.diff(act.expr, z_symbol)
            line = lambda r: slope.xreplace({z_symbol: zl[r]})  # noqa: E731
        self._fill(
            Quantity(f"g_prime{layer}", f"{name}′(z{layer})", (self.size(layer),)),
            f"g_prime{layer}",
            line,
        )

    def _update(self):
        for layer in range(1, self.depth + 1):
            for name in (f"W{layer}", f"b{layer}"):
                given = self.quantities[name]
                base = sp.IndexedBase(name)
                grad = sp.IndexedBase(f"d{name}")
                self._fill(
                    Quantity(f"{name}_new", f"{name} − α d{name}", given.shape),
                    f"{name}_new",
                    lambda *idx, base=base, grad=grad: sp.Add(
                        base[idx], -ALPHA * grad[idx], evaluate=False
                    ),
                )
