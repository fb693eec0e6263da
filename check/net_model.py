"""The notes' small networks as a model: layers, their quantities and the chain rule.

:class:`Net` describes one network as a note writes it (layer labels, sizes, whether w goes
from or to, the bias, the activation's letter, the loss); :class:`Backward` derives every
gradient of it by the chain rule, each local derivative taken by ``sp.diff``; and
:class:`LayeredReader` reads the note's layered names (w_{11}^3, δ^{(l+1)}, v_i^{(1)}) as that
network's quantities.  :mod:`check.net_quantities` makes the quantities from them.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from derive import rules
from derive.language.layer_labels import flat_text
from derive.language.scalar import ScalarReader
from derive.model import Domain

Y = sp.Symbol("y", real=True)  # the target
_T = sp.Dummy("t", real=True)


@dataclass(frozen=True)
class Net:
    """A chain of dense layers as one set of notes numbers and writes it.

    labels: the layer labels, input first ("1", "2", "3"; "0", "1", "2"; "l-1", "l", "l+1");
    sizes: units per layer, input first; from_to: w_{ji} runs from unit j to unit i (note
    003) rather than to j from i; bias: z has a bias b; act_name: the activation as answers
    write it (g, calA), sampled as ``stand_in``; loss: the notes' loss of the prediction;
    names: how the notes write each layer's a, z, w, b, δ, e (None: not written with a label);
    plain: other spellings -> (what, layer, unit)."""

    prefix: str
    labels: tuple
    sizes: tuple
    from_to: bool
    bias: bool
    act_name: str
    stand_in: object  # () -> sp.Lambda
    loss: object  # prediction -> the loss
    names: tuple  # (what, written) pairs
    plain: tuple = ()  # (spelling, what, layer, unit)
    shown: tuple = ()  # ((what, layer), name): a layer's vector shown by its own name (x, ŷ)
    parens: bool = False  # layer labels written in parentheses: w^{(2)}, δ^{(l+1)}

    @property
    def act(self):
        return sp.Function(ACTIVATION_SHOWN.get(self.act_name, self.act_name))

    @property
    def act_prime(self):
        return sp.Function(f"{ACTIVATION_SHOWN.get(self.act_name, self.act_name)}′")

    def base(self, what: str, layer: int) -> sp.IndexedBase:
        """Layer ``layer``'s ``what`` (a, z, w, b, delta, e), named as the notes write it."""
        name = dict(self.shown).get((what, layer))
        if name is None:
            label = self.labels[layer]
            written = dict(self.names).get(what) or what
            name = f"{written}^({label})" if self.parens else f"{written}^{label}"
        return sp.IndexedBase(name)


ACTIVATION_SHOWN = {"calA": "𝒜"}


def _pre_activation(net: Net, layer: int, row):
    """z_row of ``layer`` = Σ_c w_{row,c} a_c + b_row: the dense layer's own definition."""
    from derive.builtins.dense import pre_activation
    from derive.symbols import Wm, bv, hv, n_in

    W, b, below = net.base("w", layer), net.base("b", layer), net.base("a", layer - 1)
    expr = pre_activation(row)
    expr = expr.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == Wm,
        lambda e: W[e.indices[::-1]] if net.from_to else W[e.indices],
    )
    expr = expr.replace(
        lambda e: isinstance(e, sp.Indexed) and e.base == bv,
        lambda e: b[e.indices] if net.bias else sp.Integer(0),
    )
    return expr.xreplace({hv: below, n_in: sp.Integer(net.sizes[layer - 1])})


def primed(net: Net, expr):
    """Each act′ as SymPy writes it (a Derivative, or a Subs of one) as the function act′."""
    if not isinstance(expr, sp.Basic):
        return expr
    expr = expr.replace(lambda e: isinstance(e, sp.Subs), lambda e: e.doit())
    return expr.replace(
        lambda e: (
            isinstance(e, sp.Derivative)
            and e.expr.func == net.act
            and len(e.variable_count) == 1
            and e.variable_count[0][1] == 1
            and e.expr.args == (e.variable_count[0][0],)
        ),
        lambda e: net.act_prime(e.variable_count[0][0]),
    )


def local_derivative(expr, wrt):
    """∂expr/∂wrt by SymPy, its Kronecker deltas picking their terms."""
    done = sp.diff(expr, wrt)
    return rules.eliminate_deltas(rules.split_sums(done)).doit()


class Backward:
    """The network's forward definitions and its gradients, by the chain rule with every local
    derivative from ``sp.diff``: e^L = ∂loss/∂a^L, e^l_r = Σ_k δ^{l+1}_k ∂z^{l+1}_k/∂a^l_r,
    δ^l = e^l ∂a^l/∂z^l, ∂loss/∂w^l = δ^l ∂z^l/∂w^l, ∂loss/∂b^l = δ^l ∂z^l/∂b^l."""

    def __init__(self, net: Net):
        self.net = net
        self.top = len(net.sizes) - 1
        self.loss = net.loss(net.base("a", self.top)[1])

    def z(self, layer, row):
        return _pre_activation(self.net, layer, row)

    def error(self, layer, row, written_out=False):
        """e^layer_row = ∂loss/∂a^layer_row; written out: in no δ of a layer above."""
        net = self.net
        a = net.base("a", layer)[row]
        if layer == self.top:
            return local_derivative(self.loss, a)
        above = []
        for unit in range(1, net.sizes[layer + 1] + 1):
            upstream = (
                self.delta(layer + 1, unit, True)
                if written_out
                else net.base("delta", layer + 1)[unit]
            )
            above.append(upstream * local_derivative(self.z(layer + 1, unit), a))
        return sp.Add(*above)

    def delta(self, layer, row, written_out=False):
        """δ^layer_row = ∂loss/∂z^layer_row = e^layer_row · act′(z^layer_row)."""
        return self.error(layer, row, written_out) * self.slope(layer, row)

    def slope(self, layer, row):
        """∂a^layer_row/∂z^layer_row = act′(z^layer_row)."""
        z = self.net.base("z", layer)[row]
        return primed(self.net, sp.diff(self.net.act(z), z))

    def gradient(self, what, layer, index, written_out=True):
        """∂loss/∂w^layer_index or ∂loss/∂b^layer_index (index: numbers or index letters)."""
        row = index[1] if what == "w" and self.net.from_to else index[0]
        target = self.net.base(what, layer)[index]
        delta = self.delta(layer, row, True) if written_out else self.net.base("delta", layer)[row]
        return delta * local_derivative(self.z(layer, row), target)

    def domain(self, indices: dict) -> Domain:
        """Every a, z, δ, e defined by the derivation; input, weights, biases and y sampled."""
        net = self.net
        stand_in = net.stand_in()
        (var,) = stand_in.variables
        definitions = {
            net.act: stand_in,
            net.act_prime: sp.Lambda(var, sp.diff(stand_in.expr, var)),
        }
        for n in range(1, self.top + 1):
            definitions[net.base("z", n)] = lambda r, n=n: self.z(n, r)
            definitions[net.base("a", n)] = lambda r, n=n: net.act(net.base("z", n)[r])
            definitions[net.base("delta", n)] = lambda r, n=n: self.delta(n, r)
            definitions[net.base("e", n)] = lambda r, n=n: self.error(n, r)
        sizes = "-".join(map(str, net.sizes))
        return Domain(
            definitions=definitions,
            indices={ix: sp.Integer(size) for ix, size in indices.items()},
            assumptions=[f"the notes' {sizes} network; {net.act_name} sampled as {stand_in}"],
        )


def sigmoid_stand_in() -> sp.Lambda:
    from derive.functions import sigmoid

    return sp.Lambda(_T, sigmoid(_T))


def tanh_stand_in() -> sp.Lambda:
    from derive.builtins.dense import _tanh_g

    return _tanh_g()


def _index_parts(sub) -> list[str]:
    """w_{11}, w_{1i}, w_{j,1}, δ_i: the indices written, one text each."""
    if sub.kind in ("product", "indices"):
        return [part for arg in sub.args for part in _index_parts(arg)]
    flat = flat_text(sub).replace(" ", "")
    return list(flat) if len(flat) == 2 and sub.kind in ("name", "num") else [flat]


class LayeredReader(ScalarReader):
    """A name with a layer label is the network's quantity of that layer: ``w_{11}^3``,
    ``a_1^2``, ``\\delta^{(l+1)}``, ``v_i^{(1)}``; ``LAYERS`` maps (letter, label) to its
    IndexedBase and the layer's size: a layer of one unit may be written without an index
    (z^3, δ^{(2)}).  ∂J/∂z^{(l+1)}, ∂z^{(l+1)}/∂a^{(l)}: derivatives through the network."""

    LAYERS: dict = {}
    TOTAL: object = None  # (of, wrt) -> the derivative through the network, or None

    def resolve(self, node):
        if node.layer is not None and not node.primes:
            label = flat_text(node.layer).strip("()")
            key = (self.base_text(node), label)
            if key in self.LAYERS:
                return self._entry(node, *self.LAYERS[key])
        return super().resolve(node)

    def _read_pow(self, node):
        """``w_{11}^3``, ``e^{(l)}``: a layered name with one of its layer labels is that layer's
        quantity (the name alone is no symbol here, so no power of it is a reading)."""
        base, exponent = node.args
        if base.kind == "name" and base.layer is None and not base.primes:
            key = (self.base_text(base), flat_text(exponent).strip("()"))
            if key in self.LAYERS:
                return self._entry(base, *self.LAYERS[key])
        return super()._read_pow(node)

    def _entry(self, node, base, rank, single):
        if node.sub is None:
            if not single:
                raise self.fail(f"'{self.base_text(node)}' needs an index such as _1", node)
            return base[(sp.Integer(1),) * rank]
        parts = _index_parts(node.sub)
        if len(parts) != rank:
            raise self.fail(f"'{self.base_text(node)}' takes {rank} index(es) here", node)
        values = []
        for part in parts:
            if part.isdigit():
                values.append(sp.Integer(part))
            elif part in self.index_symbols:
                values.append(self.index_symbols[part])
            else:
                raise self.fail(f"unknown index '{part}' for '{self.base_text(node)}'", node)
        return base[tuple(values)] if len(values) > 1 else base[values[0]]

    def _read_deriv(self, node):
        of, wrt = node.args
        if self.TOTAL is not None and of is not None:
            top, var = self.read(of), self.read(wrt)
            found = type(self).TOTAL(top, var)
            if found is not None:
                return found
        return super()._read_deriv(node)
