"""The notes' small networks as quantities, in each note's own symbols and layer numbering.

- ``net121:*`` (note 001): x → two hidden units → ŷ, z_j^l = Σ_i w_{ji}^l a_i^{l-1} + b_j^l,
  a_j^l = g(z_j^l), a^1 = x, ŷ = a^3, e = (y − ŷ)² (no ½); ``net121:db3``, ``net121:db2[1]``,
  ``net121:dW3[1,2]``, ``net121:dW2[2,1]``, ``net121:delta2[1]``.
- ``net2:*`` (note 003): inputs x_j, hidden outputs z_i = 𝒜(v_i^{(1)}), v_i^{(1)} = Σ_j
  w_{ji}^{(1)} x_j (w from j to i, no bias), y* = 𝒜(v_1^{(2)}), 𝒜 the sigmoid, binary
  cross-entropy; ``net2:dW2[j,1]``, ``net2:dW1[j,i]``, ``net2:delta1[i]``, ``net2:delta2``.
- ``scalar-chain:*`` (note 002): one unit per layer, z^{(l)} = w^{(l)} a^{(l-1)}, a^{(l)} =
  g(z^{(l)}), up to ŷ = a^{(l+1)} and J = ½(ŷ − y)²; ``scalar-chain:dw`` (∂J/∂w^{(l)}),
  ``scalar-chain:delta`` (δ^{(l)} = ∂J/∂z^{(l)}), ``scalar-chain:e`` (e^{(l)} = ∂J/∂a^{(l)}).

Every result is derived here by SymPy: each layer's pre-activation is the dense layer's own
(``derive.builtins.dense.pre_activation``), the loss is the notes' (the loss records), and each
gradient is the chain rule through the layers with every local derivative taken by
``sp.diff``; nothing is typed.  The network's δ, a, z (and the notes' e) are quantities of
their own that an answer may use (δ^3 w_{11}^3 g′(z_1^2)): the domain defines each one by its
derivation, so δ_1^2 is the network's own ∂e/∂z_1^2.  Layer labels are read as layers: a_1^2
is unit 1 of layer 2 (a different quantity from a_1^1 = x), never a square.

Shapes: every layer's a, z, δ is a vector (IndexedBase, entries from 1), w^l a matrix
(n_l × n_{l-1}; note 003's w^{(l)} is n_{l-1} × n_l, its entry w_{ji} from j to i).

>>> from check import check_answer
>>> check_answer("net121:dW3[1,1]", r"a_1^2 \\delta^3").correct  # doctest: +SKIP
True
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from check.net_model import (
    ACTIVATION_SHOWN,
    Backward,
    LayeredReader,
    Net,
    Y,
    local_derivative,
    primed,
    sigmoid_stand_in,
    tanh_stand_in,
)
from check.quantities import Quantity
from derive.errors import ParseError
from derive.symbols import i, j, k


class Network:
    """One network of the notes: its backward pass, the reader of its notation and its
    quantities (``quantity(name)``), each result derived by :class:`Backward`."""

    def __init__(self, net: Net, loss_name: str):
        self.net = net
        self.backward = Backward(net)
        self.loss_symbol = sp.Symbol(loss_name, real=True)
        self.layers = {}  # (written, label) -> (base, rank, single unit)
        self.what = {}  # base -> (what, layer)
        for n, label in enumerate(net.labels):
            for what, written in net.names:
                if n == 0 and what != "a":
                    continue
                base = net.base(what, n)
                rank = 2 if what == "w" else 1
                single = net.sizes[n] == 1 and (what != "w" or net.sizes[n - 1] == 1)
                if written is not None:
                    self.layers[(written, label)] = (base, rank, single)
                self.what[base] = (what, n)
        self.results: dict = {}  # name -> (meaning, result): each quantity's, for the others
        self.symbols = {"y": Y, loss_name: self.loss_symbol}
        self.indexed = {}
        for spelling, what, n, unit in net.plain:
            base = net.base(what, n)
            if unit is None:
                self.indexed[spelling] = base
            else:
                self.symbols[spelling] = base[unit]

    def one_level(self, entry):
        """The definition of ``entry`` in terms of the layer below (None for a leaf)."""
        if entry == self.loss_symbol:
            return self.backward.loss
        if not isinstance(entry, sp.Indexed) or entry.base not in self.what:
            return None
        what, n = self.what[entry.base]
        if n == 0 or what not in ("a", "z"):
            return None
        if what == "a":
            return self.net.act(self.net.base("z", n)[entry.indices])
        return self.backward.z(n, entry.indices[0])

    def total(self, top, var, depth: int = 0):
        """d top/d var through the network (the chain rule over each definition's entries);
        None if ``top`` is not one of the network's quantities."""
        if top == var:
            return sp.Integer(1)
        local = self.one_level(top)
        local = local.doit() if local is not None else None  # sums of known size written out
        if local is None:
            return None if depth == 0 else sp.Integer(0)
        parts = []
        for u in sorted(local.atoms(sp.Indexed), key=sp.default_sort_key):
            below = self.total(u, var, depth + 1)
            if below not in (None, 0):
                parts.append(primed(self.net, local_derivative(local, u)) * below)
        return sp.Add(*parts)

    @cache  # noqa: B019 - one Network per set of notes, alive for the process
    def reader(self) -> type:
        return type(
            f"{self.net.prefix}Reader",
            (LayeredReader,),
            {"LAYERS": self.layers, "TOTAL": staticmethod(self.total)},
        )

    def mistakes(self, result) -> list:
        """The slips of one result: an entry replaced by its neighbour (w_{12}^3 for w_{11}^3: a
        wrong index; a_1^1 for a_1^2: a wrong layer), every label one layer off, i and j
        swapped (transposed), a factor left out, act for act′, or act′ left out."""
        found = []
        entries = [
            a
            for a in sorted(result.atoms(sp.Indexed), key=sp.default_sort_key)
            if a.base in self.what
        ]
        for a in entries:
            for other, kind in self._neighbours(a, result):
                found.append(
                    (
                        result.xreplace({a: other}),
                        f"wrong {kind}: {_text(other)} where {_text(a)} belongs",
                    )
                )
        for shift in (-1, 1):
            moved = {a: self._at_layer(a, self.what[a.base][1] + shift) for a in entries}
            if entries and all(v is not None for v in moved.values()):
                found.append((result.xreplace(moved), "wrong layer: every layer label one off"))
        if result.has(i) and result.has(j):
            found.append((result.xreplace({i: j, j: i}), "transposed: i and j swapped"))
        act = ACTIVATION_SHOWN.get(self.net.act_name, self.net.act_name)  # calA is written 𝒜
        for a in entries:
            what, n = self.what[a.base]
            if what == "a" and n > 0:
                extra = self.backward.slope(n, a.indices[0])
                found.append((result * extra, f"an extra factor {_text(extra)} (of {_text(a)})"))
                found.append(
                    (result * extra / a, f"an extra factor {_text(extra)}/{_text(a)}: "
                     f"{_text(a)}'s derivative written in for {_text(a)}")
                )  # fmt: skip
        for f in sorted(result.atoms(self.net.act_prime), key=sp.default_sort_key):
            left = result.xreplace({f: sp.Integer(1)})
            found.append((left, f"missing the derivative {act}′ ({_text(f)})"))
            itself = result.xreplace({f: self.net.act(*f.args)})
            found.append((itself, f"{act} for {act}′: the activation, not its derivative"))
        if isinstance(result, sp.Mul):
            for factor in result.args:
                if not factor.is_number:
                    left = result / factor
                    found.append((left, f"missing the factor {_text(factor)}: it is left out"))
        return found

    def others(self, name: str) -> list:
        """The network's other results: another entry of the same gradient is a wrong index,
        another quantity the wrong variable."""
        stem = name.split("[")[0].split(" ")[0]
        result = self.results[name][1]()[0]
        found = []
        for other, (meaning, made) in self.results.items():
            value = made()[0]
            free = {i, j} & value.free_symbols
            if other == name or value == result or not free <= result.free_symbols:
                continue  # the same value, or one with an index this question does not have
            same = other.split("[")[0].split(" ")[0] == stem
            kind = "wrong index" if same else "derivative with respect to the wrong variable"
            found.append((value, f"{kind}: this is {meaning}"))
        return found

    def _at_layer(self, a, m):
        what, _ = self.what[a.base]
        if not 0 <= m < len(self.net.labels):
            return None
        other = self.net.base(what, m)
        return other[a.indices] if other in self.what else None

    def _neighbours(self, a, result) -> list:
        what, n = self.what[a.base]
        found = [
            (self._at_layer(a, m), "layer")
            for m in range(len(self.net.labels))
            if m != n and self._at_layer(a, m) is not None
        ]
        if len(a.indices) == 2 and a.indices[0] != a.indices[1]:
            found.append((a.base[a.indices[::-1]], "index (transposed)"))
        letters = [ix for ix in (i, j) if result.has(ix)]
        for pos, ix in enumerate(a.indices):
            values = [ix - 1, ix + 1] if ix.is_Integer else [v for v in letters if v != ix]
            for v in values:
                if v.is_Integer and v < 1:
                    continue
                moved = tuple(v if p == pos else x for p, x in enumerate(a.indices))
                found.append((a.base[moved], "index"))
        return found

    def quantity(self, name: str, meaning: str, make, indices: dict, parameter=None) -> Quantity:
        """The quantity ``prefix:name``, the gradient of ``parameter``: ``make()`` gives its
        result (in the layers' symbols) and the result in the network's δ and e, whose slips
        (δ^{(l)} for δ^{(l+1)}, a missing factor) are named as well; made when first asked."""
        made = cache(make)
        self.results[name] = (meaning.split(":")[0], made)

        def mistakes(expected) -> list:
            result, short = made()
            forms = [result] if short == result else [short, result]
            return [*(m for form in forms for m in self.mistakes(form)), *self.others(name)]

        return Quantity(
            name=f"{self.net.prefix}:{name}",
            derivation="",
            key="",
            meaning=meaning,
            accepts=self.accepts(),
            symbols=self.symbols,
            indexed=self.indexed,
            index_symbols={"i": i, "j": j, "k": k},
            functions={self.net.act_name: self.net.act},
            build=lambda: (made()[0], self.backward.domain(indices)),
            reader=self.reader(),
            tidy=lambda expr: primed(self.net, expr),
            mistakes=mistakes,
            fixed_indices=True,
            parameter=parameter,
        )

    def accepts(self) -> str:
        labels = ", ".join(self.net.labels[1:])
        written = ", ".join(w for _, w in self.net.names if w is not None)
        plain = ", ".join(s for s, *_ in self.net.plain)
        return (
            f"{written} with a layer label ({labels}) and unit indices; {plain}; y; "
            f"{self.net.act_name}, {self.net.act_name}′; ∂{self.loss_symbol}/∂… through the network"
        )


def _text(a) -> str:
    """w_{11}^3, δ_1^{(l+1)}, 𝒜′(v_i^{(1)}): an entry as the notes write it."""
    if isinstance(a, sp.Indexed):
        name, _, label = a.base.name.partition("^")
        sub = "".join(map(str, a.indices))
        sub = sub if len(sub) == 1 else f"{{{sub}}}"
        label = label if len(label) <= 1 else f"{{{label}}}"  # x_j: no label, no ^{}
        return f"{name}_{sub}^{label}" if label else f"{name}_{sub}"
    if isinstance(a, sp.Function) and len(a.args) == 1:
        return f"{a.func.__name__}({_text(a.args[0])})"
    return str(a)


def _squared_error(prediction):
    """e = (y − ŷ)², note 001's error (no ½), read from the checker's own record of it."""
    from check.more_quantities import SQUARED_ERROR
    from derive.language import parse_expression

    return parse_expression(SQUARED_ERROR, {"y": Y, "yhat": prediction})


def _half_squared_error(prediction):
    from derive.losses import MSE_PER_OUTPUT, yhat
    from derive.symbols import y

    return MSE_PER_OUTPUT.xreplace({yhat: prediction, y: Y})


def _binary_cross_entropy(prediction):
    from derive.losses import BINARY_CROSS_ENTROPY
    from derive.symbols import p, y

    return BINARY_CROSS_ENTROPY.xreplace({p: prediction, y: Y})


_LETTERS = (("a", "a"), ("z", "z"), ("w", "w"), ("b", "b"), ("delta", "delta"))

NET121 = Network(
    Net(
        prefix="net121",
        labels=("1", "2", "3"),
        sizes=(1, 2, 1),
        from_to=False,
        bias=True,
        act_name="g",
        stand_in=tanh_stand_in,
        loss=_squared_error,
        names=_LETTERS,
        plain=(("x", "a", 0, 1), ("x_1", "a", 0, 1), ("yhat", "a", 2, 1)),
        shown=((("a", 0), "x"), (("a", 2), "ŷ")),
    ),
    "e",
)
NET2 = Network(
    Net(
        prefix="net2",
        labels=("0", "1", "2"),
        sizes=(2, 2, 1),
        from_to=True,
        bias=False,
        act_name="calA",
        stand_in=sigmoid_stand_in,
        loss=_binary_cross_entropy,
        names=(("a", None), ("z", "v"), ("w", "w"), ("delta", "delta")),
        plain=(("x", "a", 0, None), ("z", "a", 1, None), ("ystar", "a", 2, 1)),
        shown=((("a", 0), "x"), (("a", 1), "z"), (("a", 2), "y*")),
        parens=True,
    ),
    "L",
)
SCALAR_CHAIN = Network(
    Net(
        prefix="scalar-chain",
        labels=("l-1", "l", "l+1"),
        sizes=(1, 1, 1),
        from_to=False,
        bias=False,
        act_name="g",
        stand_in=tanh_stand_in,
        loss=_half_squared_error,
        names=(*_LETTERS[:3], ("delta", "delta"), ("e", "e")),
        plain=(("yhat", "a", 2, 1),),
        shown=((("a", 2), "ŷ"),),
        parens=True,
    ),
    "J",
)

ONE = sp.Integer(1)


def _gradient(network: Network, name, meaning, what, layer, index, indices=None) -> Quantity:
    """∂loss/∂(what)^layer_index, written out in the layers' symbols (its δ-form's slips named)."""
    back = network.backward
    index = tuple(sp.Integer(ix) if isinstance(ix, int) else ix for ix in index)  # 1 or j

    def make():
        return back.gradient(what, layer, index), back.gradient(what, layer, index, False)

    parameter = network.net.base(what, layer)[index]
    return network.quantity(name, meaning, make, indices or {}, parameter=parameter)


def _delta(network: Network, name, meaning, layer, row, indices=None) -> Quantity:
    back = network.backward
    return network.quantity(
        name,
        meaning,
        lambda: (back.delta(layer, row, True), back.delta(layer, row)),
        indices or {},
    )


def _net121() -> list[Quantity]:
    net = NET121
    found = [
        _gradient(net, "db3", "∂e/∂b_1^3 = δ^3: e = (y − ŷ)², x → 2 hidden units → ŷ = g(z^3) "
                  "(note 001)", "b", 2, (1,)),
        _delta(net, "delta3", "δ^3 = ∂e/∂z^3 = 2(ŷ − y) g′(z^3)", 2, ONE),
    ]  # fmt: skip
    for r in (1, 2):
        found += [
            _gradient(net, f"db2[{r}]", f"∂e/∂b_{r}^2 = δ_{r}^2", "b", 1, (r,)),
            _gradient(net, f"dW3[1,{r}]", f"∂e/∂w_{{1{r}}}^3 = a_{r}^2 δ^3", "w", 2, (1, r)),
            _gradient(net, f"dW2[{r},1]", f"∂e/∂w_{{{r}1}}^2 = x δ_{r}^2", "w", 1, (r, 1)),
            _delta(net, f"delta2[{r}]", f"δ_{r}^2 = ∂e/∂z_{r}^2", 1, sp.Integer(r)),
        ]
    return found


def _net2() -> list[Quantity]:
    net = NET2
    return [
        _gradient(net, "dW2[j,1]", "∂L/∂w_{j1}^{(2)}: L binary cross-entropy, y* = 𝒜(Σ_j "
                  "w_{j1}^{(2)} z_j), 𝒜 the sigmoid (note 003)", "w", 2, (j, 1), {j: 2}),
        _gradient(net, "dW1[j,i]", "∂L/∂w_{ji}^{(1)}: z_i = 𝒜(Σ_j w_{ji}^{(1)} x_j) (note 003)",
                  "w", 1, (j, i), {j: 2, i: 2}),
        _delta(net, "delta1[i]", "δ_i^{(1)} = ∂L/∂v_i^{(1)} (note 003)", 1, i, {i: 2}),
        _delta(net, "delta2", "δ^{(2)} = ∂L/∂v^{(2)} (note 003)", 2, ONE),
    ]  # fmt: skip


def _scalar_chain() -> list[Quantity]:
    net, back = SCALAR_CHAIN, SCALAR_CHAIN.backward
    return [
        _gradient(net, "dw", "∂J/∂w^{(l)} = δ^{(l)} a^{(l-1)}: one unit per layer, z^{(l)} = "
                  "w^{(l)} a^{(l-1)}, a^{(l)} = g(z^{(l)}), J = ½(ŷ − y)², ŷ = a^{(l+1)} "
                  "(note 002); params layer = \"l+1\" for w^{(l+1)}", "w", 1, (1, 1)),
        _delta(net, "delta", "δ^{(l)} = ∂J/∂z^{(l)} = e^{(l)} g′(z^{(l)})", 1, ONE),
        net.quantity("e", "e^{(l)} = ∂J/∂a^{(l)} = δ^{(l+1)} w^{(l+1)}",
                     lambda: (back.error(1, ONE),) * 2, {}),
    ]  # fmt: skip


@cache
def scalar_dw_above() -> Quantity:
    """scalar-chain:dw asked for w^{(l+1)} (params layer = "l+1"): δ^{(l+1)} a^{(l)}."""
    from check.quantities import made

    return made(
        _gradient(
            SCALAR_CHAIN, "dw (layer l+1)", "∂J/∂w^{(l+1)} = δ^{(l+1)} a^{(l)}", "w", 2, (1, 1)
        )
    )


QUANTITIES = [*_net121(), *_net2(), *_scalar_chain()]
scalar_dw_above()  # its result is one of the scalar chain's others (a slip for e^{(l)})

__all__ = ["QUANTITIES", "ParseError", "scalar_dw_above"]
