"""The whole backward recurrence of a given fully connected network, line by line.

Each line is taken from a built-in derivation (its ``source``): δ^L from the output/loss pair
(softmax-ce, sigmoid-bce, mse), dW, db and dh from ``dense``, and δ^{l-1} from ``dense`` with
the activation's derivative in output form. Each line is then verified against SymPy's direct
differentiation of the entire network, written out at its concrete sizes.

Naming: x is the input; layer l has W{l} (n_l × n_{l-1}), b{l}, z{l}, h{l}; the output
h{L} is called p; delta{l} = ∂L/∂z{l} and dh{l} = ∂L/∂h{l} are the recurrence's quantities.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import sympy as sp

from derive.activations import ACTIVATIONS, Activation
from derive.builtins.activation import output_form_of
from derive.concrete import Writer, differentiate
from derive.errors import SpecError
from derive.model import Chain, Check, Derivation, Domain, Step
from derive.numeric import Definitions, evaluate
from derive.registry import register
from derive.registry import source as get
from derive.render.vector import elementwise_latex, elementwise_text
from derive.symbols import L, Wm, bv, deltav, hv, i, j, k, n_in, n_out, z
from derive.symbols import pv as p
from derive.symbols import yv as y
from derive.verify import sample

x = sp.IndexedBase("x")

# (output activation, loss) -> (derivation giving δ^L, the key of its result)
OUTPUT_RULES = {
    ("softmax", "cross-entropy"): ("softmax-ce", "dz"),
    ("sigmoid", "binary-cross-entropy"): ("sigmoid-bce", "dz"),
    ("identity", "mse"): ("mse", "dz_identity"),
    ("sigmoid", "mse"): ("mse", "dz_sigmoid"),
}


@dataclass(frozen=True)
class Network:
    """Layer sizes (input first), hidden activations, output activation and loss."""

    sizes: tuple[int, ...]
    hidden: tuple[str, ...]
    output: str
    loss: str

    def __post_init__(self):
        if len(self.sizes) < 2 or any(int(s) < 1 for s in self.sizes):
            raise SpecError("network: need at least two positive layer sizes")
        if len(self.hidden) != len(self.sizes) - 2:
            raise SpecError(
                f"network: {len(self.sizes) - 2} hidden layers need as many activations, "
                f"got {len(self.hidden)}"
            )
        if (self.output, self.loss) not in OUTPUT_RULES:
            pairs = ", ".join(f"{o}+{lo}" for o, lo in OUTPUT_RULES)
            raise SpecError(
                f"network: unsupported output/loss '{self.output}+{self.loss}' ({pairs})"
            )

    @property
    def depth(self) -> int:
        return len(self.sizes) - 1


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def tag(name: str, number: int) -> str:
    """δ⁽³⁾: a quantity of layer ``number`` as the notes write it."""
    return f"{name}⁽{str(number).translate(_SUPERSCRIPT)}⁾"


def layer(name, number):
    return sp.IndexedBase(f"{name}{number}")


def _sum(term, n):
    """Σ_{c=1}^{n} term(c) with a fresh bound variable, so substituting a definition inside
    another sum over k never captures its index."""
    c = sp.Dummy("c", integer=True, positive=True)
    return sp.Sum(term(c), (c, 1, n))


def _affine(W, below, b, r, n):
    """z_r = Σ_c W_rc h_c + b_r."""
    return _sum(lambda c: W[r, c] * below[c], n) + b[r]


def _value_of(act: Activation, arg):
    return act.expr.subs(z, arg)


def _latex_layer(base) -> str:
    """x, or h^{(2)} for the IndexedBase h2."""
    name = base.name
    return name if name in ("x", "p") else f"{name[0]}^{{({name[1:]})}}"


def _text_layer(base) -> str:
    name = base.name
    return name if name in ("x", "p") else tag(name[0], int(name[1:]))


class _Builder:
    """Definitions of the network from a chosen leaf upward, and the recurrence lines."""

    def __init__(self, net: Network, activations: dict[str, Activation]):
        self.net = net
        self.acts = activations
        self.L_layers = net.depth
        self.output_delta, self.output_source = self._output_delta()
        self._definitions: dict = {}  # leaf -> one shared dict, so lazy evaluation caches are shared

    def size(self, layer_number):
        return self.net.sizes[layer_number]

    def h(self, layer_number):
        if layer_number == 0:
            return x
        return p if layer_number == self.L_layers else layer("h", layer_number)

    def _output_delta(self):
        name, key = OUTPUT_RULES[(self.net.output, self.net.loss)]
        result = get(name)[key].rhs
        z_out = layer("z", self.L_layers)
        swap = {}
        for atom in result.atoms(sp.Indexed, sp.Symbol):
            base = atom.base.name if isinstance(atom, sp.Indexed) else atom.name
            target = {"p": p, "yhat": p, "y": y, "z": z_out}.get(base)
            if target is not None:
                swap[atom] = target[i]
        return result.xreplace(swap), name

    def definitions(self, leaf: tuple[str, int]):
        """Everything above the leaf ("x", 0) / ("z", l) / ("h", l) defined in terms of it."""
        if leaf not in self._definitions:
            self._definitions[leaf] = self._define(leaf)
        return self._definitions[leaf]

    def _define(self, leaf):
        kind, at = leaf
        defs = {}
        top = self.L_layers
        first = at + 1 if kind == "h" else at if kind == "z" else 1
        for number in range(first, top + 1):
            W, b, zl = layer("W", number), layer("b", number), layer("z", number)
            below, n_below = self.h(number - 1), self.size(number - 1)
            if not (kind == "z" and number == at):
                defs[zl] = lambda r, W=W, b=b, below=below, n=n_below: _affine(W, below, b, r, n)
            defs[self.h(number)] = self._activation_definition(number, zl)
        defs[L] = self._loss()
        # the recurrence itself: these are the quantities each line uses
        defs[layer("delta", top)] = lambda r: self.output_delta.xreplace({i: r})
        for number in range(top, 1, -1):
            defs[layer("dh", number - 1)] = self._dh_line(number)[1]
            defs[layer("delta", number - 1)] = self._delta_line(number - 1)[1]
        return defs

    def _activation_definition(self, number, zl):
        if number == self.L_layers:
            if self.net.output == "softmax":
                n = self.size(number)
                return lambda r: sp.exp(zl[r]) / _sum(lambda c: sp.exp(zl[c]), n)
            act = self.acts[self.net.output]
        else:
            act = self.acts[self.net.hidden[number - 1]]
        return lambda r, act=act: _value_of(act, zl[r])

    def _loss(self):
        n = self.size(self.L_layers)
        if self.net.loss == "cross-entropy":
            return -sp.Sum(y[k] * sp.log(p[k]), (k, 1, n))
        if self.net.loss == "binary-cross-entropy":
            return sp.Add(
                *[-y[r] * sp.log(p[r]) - (1 - y[r]) * sp.log(1 - p[r]) for r in range(1, n + 1)]
            )
        return sp.Sum((p[k] - y[k]) ** 2, (k, 1, n)) / 2

    # lines, each as (display expression in i/j, definition as a function of the index)
    def _dense_result(self, key, number):
        """A result of ``dense`` (``"dW"``, ``"db"``, ``"dh"``) with its generic symbols renamed
        to layer ``number``'s."""
        result = get("dense")[key].rhs
        return result.xreplace(
            {
                Wm: layer("W", number),
                bv: layer("b", number),
                deltav: layer("delta", number),
                hv: self.h(number - 1),
                n_out: sp.Integer(self.size(number)),
                n_in: sp.Integer(self.size(number - 1)),
            }
        )

    @functools.cache  # noqa: B019 - one builder per network, kept only while building it
    def _dh_line(self, number):
        expr = self._dense_result("dh", number)  # Σ_k W_kj δ_k
        return expr, lambda r, expr=expr: expr.xreplace({j: r})

    def has_output_form(self, name: str) -> bool:
        return name in ACTIVATIONS and output_form_of(ACTIVATIONS[name])[0] is not None

    @functools.cache  # noqa: B019
    def _delta_line(self, number):
        act = self.acts[self.net.hidden[number - 1]]
        in_output = output_form_of(act)[0] if act.name in ACTIVATIONS else None
        if in_output is not None:  # the activation derivation's output form
            slope = in_output.xreplace({sp.Symbol("h", real=True): self.h(number)[j]})
        else:  # a user-defined activation: its derivative in z (the output form may not exist)
            slope = sp.diff(act.expr, z).xreplace({z: layer("z", number)[j]})
        expr = layer("dh", number)[j] * slope
        return expr, lambda r, expr=expr: expr.xreplace({j: r})

    def domain(self, leaf, index_sizes):
        n_out_layer = self.size(self.L_layers)
        samplers = {("shape", y): (n_out_layer,)}
        if self.net.loss == "cross-entropy":
            from derive.builtins.softmax import one_hot

            samplers[y] = one_hot
        elif self.net.loss == "binary-cross-entropy":
            samplers[y] = lambda rng, n, shape: rng.uniform(0, 1, size=(n, *shape))
        return Domain(
            definitions=self.definitions(leaf),
            samplers=samplers,
            sizes={},
            indices={ix: sp.Integer(s) for ix, s in index_sizes.items()},
            assumptions=["y one-hot"] if self.net.loss == "cross-entropy" else [],
            lazy=True,
        )


def build(net: Network, activations: dict[str, Activation] | None = None) -> Derivation:
    """The backward recurrence of ``net``; activations maps names to Activation objects."""
    acts = dict(ACTIVATIONS)
    acts.update(activations or {})
    for name in (*net.hidden, net.output):
        if name != "softmax" and name not in acts:
            raise SpecError(f"network: unknown activation '{name}'")
    b = _Builder(net, acts)
    top = net.depth
    chains = []

    def add(line, lhs, rhs, why, source, leaf, index_sizes, title, matrix=("", "")):
        """line: (kind, layer) of the result, e.g. ("dW", 2), keyed "dW2"."""
        domain = b.domain(leaf, index_sizes)
        kind, number = line
        chains.append(
            Chain(
                key=f"{kind}{number}",
                kind=kind,
                layer=number,
                lhs=lhs,
                steps=[Step(rhs, why)],
                title=title,
                source=source,
                domain=domain,
                matrix_form=matrix[0],
                matrix_form_text=matrix[1],
            )
        )

    n = net.sizes
    add(
        ("delta", top),
        sp.Derivative(L, layer("z", top)[i]),
        b.output_delta,
        f"output layer: {b.output_source}",
        b.output_source,
        ("z", top),
        {i: n[top]},
        tag("δ", top),
    )
    for number in range(top, 0, -1):
        below = b.h(number - 1)
        add(
            ("dW", number),
            sp.Derivative(L, layer("W", number)[i, j]),
            b._dense_result("dW", number),
            "dense: ∂L/∂W = δ hᵀ",
            "dense",
            ("x", 0),
            {i: n[number], j: n[number - 1]},
            tag("∂L/∂W", number),
            (
                rf"\delta^{{({number})}} \left({_latex_layer(below)}\right)^{{\top}}",
                f"{tag('δ', number)} {_text_layer(below)}ᵀ",
            ),
        )
        add(
            ("db", number),
            sp.Derivative(L, layer("b", number)[i]),
            b._dense_result("db", number),
            "dense: ∂L/∂b = δ",
            "dense",
            ("x", 0),
            {i: n[number]},
            tag("∂L/∂b", number),
        )
        if number == 1:
            break
        add(
            ("dh", number - 1),
            sp.Derivative(L, layer("h", number - 1)[j]),
            b._dh_line(number)[0],
            "dense: ∂L/∂h = Wᵀ δ",
            "dense",
            ("h", number - 1),
            {j: n[number - 1]},
            tag("∂L/∂h", number - 1),
            (
                rf"\left(W^{{({number})}}\right)^{{\top}} \delta^{{({number})}}",
                f"{tag('W', number)}ᵀ {tag('δ', number)}",
            ),
        )
        act = net.hidden[number - 2]
        delta_line = b._delta_line(number - 1)[0]
        slope = delta_line.xreplace({layer("dh", number - 1)[j]: sp.Integer(1)})  # g′, entrywise
        add(
            ("delta", number - 1),
            sp.Derivative(L, layer("z", number - 1)[j]),
            delta_line,
            f"dense: δ = (∂L/∂h) ⊙ g′(z), with the derivative of {act}"
            + (" in output form" if b.has_output_form(act) else " (no output form: in z)"),
            f"dense, {act}",
            ("z", number - 1),
            {j: n[number - 1]},
            tag("δ", number - 1),
            (  # the vector recurrence δ^(l) = (W^(l+1))ᵀ δ^(l+1) ⊙ g′
                rf"\left(W^{{({number})}}\right)^{{\top}} \delta^{{({number})}} \odot "
                + elementwise_latex(slope, j),
                f"{tag('W', number)}ᵀ {tag('δ', number)} ⊙ " + elementwise_text(slope, j),
            ),
        )

    description = "-".join(str(s) for s in net.sizes)
    hidden = ", ".join(net.hidden) or "none"
    return Derivation(
        name="mlp",
        title=f"Backpropagation through a {description} network",
        summary=f"layers {description}; hidden {hidden}; output {net.output} + {net.loss}",
        chains=chains,
        domain=chains[0].domain,
        conventions=[
            f"Layer sizes {description} (input first); W^(l) has shape n_l × n_(l-1).",
            "One example x (column vector); z^(l) = W^(l) h^(l-1) + b^(l), h^(l) = g(z^(l)), "
            "h^(0) = x, p = h^(L).",
            "δ^(l) = ∂L/∂z^(l) is the error of layer l; each line names the derivation it comes from.",
            "Each line agrees with the derivative of the whole network, written out.",
        ],
        cross_checks=[lambda: _direct_check(_Builder(proxy(net), acts))],
    )


def proxy(net: Network) -> Network:
    """The smallest network with the same recurrence: each distinct hidden kind once, in order
    of first appearance, and every layer 2 wide. A line of the recurrence depends on its
    layer's kind only (not on width or depth), so checking each kind once checks them all;
    every line of the real network is still verified on its own (derive/network_check.py)."""
    kinds = tuple(dict.fromkeys(net.hidden))
    sizes = (min(net.sizes[0], 2), *(2 for _ in kinds), min(net.sizes[-1], 2))
    return Network(sizes=sizes, hidden=kinds, output=net.output, loss=net.loss)


def _direct_check(b: _Builder) -> Check:
    """SymPy differentiates the whole network, written out, w.r.t. W^(1)_11; the recurrence's
    value (which uses every line of it) must agree to 1e-8 at random points."""
    domain = b.domain(("x", 0), {})
    loss = Writer(domain.definitions, {}).write(L)  # every sum written out
    rng = np.random.default_rng(5)
    one = sp.Integer(1)
    compared = 0
    # the first layer's gradient runs through every line of the recurrence
    for number in (1,):
        for wrt, line in [
            (layer("W", number)[1, 1], b._dense_result("dW", number).xreplace({i: one, j: one})),
        ]:
            derivative = differentiate(sp.Derivative(loss, wrt))
            env0 = Definitions(domain.definitions, {})
            leaves = env0.leaves(line) | env0.leaves(loss)
            values = sample(domain, leaves, {}, 16, rng)
            want = evaluate(derivative, values)
            got = evaluate(line, values, Definitions(domain.definitions, values))
            if not np.allclose(got, want, rtol=1e-8, atol=1e-10):
                return Check(
                    "direct differentiation of the expanded network",
                    f"{wrt}: {got} vs {want}",
                    False,
                )
            compared += 16
    sizes = "-".join(str(s) for s in b.net.sizes)
    kinds = ", ".join(b.net.hidden) or "no hidden layer"
    return Check(
        "direct differentiation of the expanded network",
        f"∂L/∂W^(1)_11, which runs through every line of the recurrence, differentiated on the "
        f"written-out {sizes} network with one layer of each kind ({kinds}), "
        f"{compared} random points, rtol 1e-8",
        True,
    )


LECTURE_NETWORK = Network(
    sizes=(2, 2, 2, 3), hidden=("sigmoid", "sigmoid"), output="softmax", loss="cross-entropy"
)


@register("mlp", "the whole backward recurrence of a network (default: the lecture's 2-2-2-3)")
def lecture_mlp() -> Derivation:
    return build(LECTURE_NETWORK)


__all__ = ["LECTURE_NETWORK", "Network", "build", "np"]
