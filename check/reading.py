"""Reading a student's answer: every plausible reading, in the quantity's notation.

An answer is read with the one expression language (:mod:`derive.language`): as index
notation against the quantity's symbols, or, for the dense layer, as matrices and vectors
(:mod:`derive.language.tensor`).  Ambiguous text gives several readings (``h^2``: a square or
layer 2; ``⊗``: outer or elementwise; ``q1``: q_1 or q·1), each saying how it read the text;
the checker judges every one and never resolves an ambiguity against the student.  A notation
profile (:mod:`derive.language.profiles`) narrows the readings to one set of notes' conventions.

>>> from check import quantities
>>> [r.note for r in answer_readings(quantities.get("sigmoid"), "h^2(1-h^2)")]  # doctest: +SKIP
['h^2 read as the power h²', 'h^2 read as h of layer 2']
"""

from __future__ import annotations

import re

import sympy as sp

from check import literals
from check.quantities import Quantity
from derive.builtins.dense import g, zprev
from derive.errors import ParseError
from derive.language import Reading, function_table, parse, read_all
from derive.language.layer_labels import layer_like
from derive.language.profiles import Profile, default_profile
from derive.language.scalar import ScalarReader
from derive.language.tensor import TensorReader
from derive.language.tensor_algebra import ShapeError, Tensor
from derive.symbols import Wm, bv, deltav, hv, i, n_in, n_out

ONE = sp.Integer(1)


def _vector(name, size, base):
    return Tensor(size, ONE, lambda r, c: base[r], name)


# The dense layer z = W h + b in matrix notation, and the layer below: h = g(z_prev).
DENSE_TENSORS = {
    **dict.fromkeys(("W", "w"), Tensor(n_out, n_in, lambda r, c: Wm[r, c], "W")),
    **dict.fromkeys(("h", "x"), _vector("h", n_in, hv)),
    **dict.fromkeys(("delta", "dz", "dh_z"), _vector("δ", n_out, deltav)),
    "b": _vector("b", n_out, bv),
    **dict.fromkeys(("zprev", "z_prev", "z", "a"), _vector("z_prev", n_in, zprev)),
}
DENSE_ACTIVATIONS = dict.fromkeys(("g", "sigma", "f", "calA", "sigmoid"), g)
# where each name sits, relative to the layer z = W h + b: h, x and z_prev are one below
DENSE_LAYERS = dict.fromkeys(
    ("h", "x", "a", "z", "Z", "zprev", "z_prev", "dh", "dH", "e", "epsilon", "H", "X"), -1
)
# ∂L/∂h given as a vector of its own (dz = dh ⊙ g′(z)): the notes' dh, e (error), ε
dhv = sp.IndexedBase("dh")
GIVEN = dict.fromkeys(("dh", "e", "epsilon"), dhv)
# a is the activation in some notes (δ_i a_j, a^{l-1}), the pre-activation in others
DENSE_CHOICES = {
    "a": (
        "a-activation",
        DENSE_TENSORS["h"],
        "a read as the activation h = g(z) of the layer below",
        "a read as the pre-activation z of the layer below",
    )
}
# one neuron's weights w (its row i of W, as a column) in z_i = wᵀ h + b_i
NEURON_CHOICES = {
    "w": (
        "w-vector",
        Tensor(n_in, ONE, lambda r, c: Wm[i, r], "w"),
        "w read as one neuron's weight vector (row i of W)",
        "w read as the weight matrix W",
    )
}
_ONE_HOT_CALL = re.compile(r"(?<![A-Za-z\\])e\}?\s*\(")  # e(y), not e^{z} or e·(…) elsewhere
_NETWORK_CALL = re.compile(r"(?<![A-Za-z\\])f\}?\s*\(\s*(?:\\mathbf\s*\{\s*)?x\b")
_CLASS = sp.Symbol("ell")  # ℓ, the true class, only as the argument of e(ℓ)
_INPUT = sp.Symbol("x_input")  # x, the network's input, only as the argument of f(x)
_ONE_HOT_TARGETS = ("softmax-ce", "ce:dp")  # quantities where e(ℓ) is the one-hot target
_LITERAL = re.compile(r"\\begin\s*\{\s*(?:[a-zA-Z]?matrix|array)")
_INDEX_NOTATION = re.compile(r"_\{?[ijkn0-9]|\[[ijkn0-9]")


LOSS_NAMES = frozenset({"L", "J", "E", "e", "C", "calL", "ell"})


def _of_loss(node) -> bool:
    of = node.args[0]
    return of is not None and of.kind == "name" and of.text in LOSS_NAMES and of.sub is None


class GivenGradientReader(ScalarReader):
    """∂e/∂a_j (a = h, the activation) read as dh_j, the gradient given as a vector."""

    def _read_deriv(self, node):
        if _of_loss(node):
            var = self.read(node.args[1])
            if isinstance(var, sp.Indexed) and var.base == hv:
                return dhv[var.indices]
        return super()._read_deriv(node)


class _InOutWeights(sp.IndexedBase):
    """W as notes that write it n_in × n_out (note 003: z_1 = 𝒜(w_11 x_1 + w_21 x_2)) index
    it: W_ji joins input j to output i, so their W_ji is the derivations' W_ij."""

    def __getitem__(self, indices, **kw_args):
        if isinstance(indices, tuple) and len(indices) == 2:
            return Wm[indices[1], indices[0]]
        return Wm[indices]


IN_OUT_W = _InOutWeights("W")

_THIS_Z = sp.IndexedBase("z_this")  # z of the result's own layer, inside ∂L/∂z_i only


class DenseEntryReader(ScalarReader):
    r"""Entries of the dense layer's gradients with ∂L/∂z_i written out (any loss name):
    δ_i, the gradient at this layer's z (∂L/∂z_1^3 h_1^2, a_i^{l-1} ∂e/∂z_j^l); ∂L/∂a_{ki}
    too, where a is the pre-activation (note 004), judged beside a as the activation."""

    def _read_deriv(self, node):
        wrt = node.args[1]
        base = wrt
        while base.kind == "pow" and "maybe_layer" in base.marks:  # z_1^3: the label 3
            base = base.args[0]
        if _of_loss(node) and base.kind == "name" and base.text in ("z", "a"):
            preactivation = base.text == "z" or not self.ambiguous(
                "a-activation",
                "a read as the activation h = g(z) of the layer below",
                "∂L/∂a read as δ = ∂L/∂z (a the pre-activation)",
            )
            if preactivation:
                return self._this_layer_delta(base.text, wrt)
        return super()._read_deriv(node)

    def _this_layer_delta(self, name: str, wrt):
        saved, labels = self.indexed.get(name), len(self.labels)
        self.indexed = {**self.indexed, name: _THIS_Z}
        try:
            var = self.read(wrt)
        finally:
            self.indexed = {**self.indexed, name: saved} if saved is not None else {
                k: v for k, v in self.indexed.items() if k != name
            }  # fmt: skip
        if not (isinstance(var, sp.Indexed) and var.base == _THIS_Z):
            raise self.fail(f"∂L/∂{name} needs one entry, as in ∂L/∂{name}_i", wrt)
        # its layer label is δ's (this layer), not the layer below's
        self.labels[labels:] = [("delta", value, at) for _, value, at in self.labels[labels:]]
        return deltav[var.indices]


class _LossGradientTensors(TensorReader):
    r"""∇_{z^l} L, ∇_{a_k} \mathcal{L}(θ) (a the pre-activation, as in note 004): δ, the
    gradient at this layer's z; its layer label is δ's (∇_{a_{i+1}} L with W_{i+1})."""

    def _read_deriv(self, node):
        delta = self._loss_gradient(node)
        if delta is None:
            raise self.fail("a derivative in matrix notation must be ∂L/∂z, ∇_z L", node)
        return delta

    def _loss_gradient(self, node):
        """δ for ∂L/∂z (its label recorded as δ's), else None."""
        wrt = node.args[1]
        whole = wrt.kind == "name" and (wrt.layer is None or wrt.sub is None)  # not ∂L/∂a_j^L
        if _of_loss(node) and "delta" in self.tensors and whole:
            text, label = wrt.text, wrt.layer if wrt.layer is not None else wrt.sub
            preactivation = text == "z" or (
                text == "a"
                and not self.ambiguous(
                    "a-activation",
                    "a read as the activation h = g(z) of the layer below",
                    "∇ with respect to a read as δ = ∂L/∂z (a the pre-activation)",
                )
            )
            if preactivation and (label is None or layer_like(label, self.layer_letters)):
                if label is not None:
                    where = "superscript" if wrt.layer is not None else "subscript"
                    self.label("delta", label, wrt, where)
                return self.tensors["delta"]
        return None


class _GivenGradientTensors(_LossGradientTensors):
    """∇_{a^L} e, ∂e/∂a^L (a = h, the activation) read as the vector dh."""

    def _read_deriv(self, node):
        delta = self._loss_gradient(node)
        if delta is not None:
            return delta
        if _of_loss(node) and "dh" in self.tensors:
            var = self.read(node.args[1])
            if isinstance(var, Tensor) and var.text == "h":
                return self.tensors["dh"]
        raise self.fail("a derivative in matrix notation must be ∂L/∂h, ∇_h L", node)


def _tensor_names(profile: Profile) -> dict:
    """The dense table, with the profile's own names (z for the layer below, …) and layout:
    W n_in × n_out (W_note = Wᵀ), δ a row and 𝒵 the row of g′(z_prev) where the notes say so."""
    table = dict(DENSE_TENSORS)
    table["zprev"] = table["z_prev"] = table["zprev"]
    if profile.weights == "n_in × n_out":
        table["W"] = table["w"] = Tensor(n_in, n_out, lambda r, c: Wm[c, r], "W")
    if profile.gradient_rows:
        for name in ("delta", "dz", "dh_z"):
            table[name] = Tensor(ONE, n_out, lambda r, c: deltav[c], "δ")
        table["calZ"] = Tensor(ONE, n_in, lambda r, c: sp.Derivative(g(zprev[c]), zprev[c]), "𝒵")
    for alias, name in profile.dense_aliases.items():
        table[alias] = DENSE_TENSORS[name]
    if profile.weights == "n_in × n_out" and "u" not in table:
        table["u"] = DENSE_TENSORS["h"]  # I = wᵀ u, ∂L/∂w = u δ (notes 003): u the input
    return table


def _row_delta(profile: Profile) -> dict:
    """With W n_in × n_out, notes write δ as a row (u δ, δ wᵀ) and as a column (u δᵀ) alike:
    both readings of δ, where the question does not say (``rows``)."""
    if profile.weights != "n_in × n_out" or profile.gradient_rows:
        return {}
    row = Tensor(ONE, n_out, lambda r, c: deltav[c], "δ")
    return {
        "delta": ("delta-row", row, "δ read as a row (1 × n_out)", "δ read as a column (n_out × 1)")
    }


def answer_readings(
    q: Quantity, text: str, profile: Profile | None = None, sizes: dict | None = None
) -> list[Reading]:
    """Every plausible reading of ``text`` as the value of ``q``; ParseError if none.
    ``sizes``: the layer sizes the question gives ({n_out: 1, n_in: 2}), for matrix literals.

    A reading's value is a SymPy expression, a :class:`Tensor` (dense-layer matrix notation)
    or a :class:`ShapeError` (matrix notation whose shapes do not fit: a wrong answer)."""
    if not isinstance(text, str):
        raise ParseError("the answer must be text")
    profile = profile or default_profile()
    table = {**function_table(), **q.functions}
    if q.shape is not None:
        try:
            return _dense_readings(text, profile, table, q, sizes)
        except ParseError as matrix_error:
            if not _INDEX_NOTATION.search(text) or _LITERAL.search(text):
                raise matrix_error  # a literal's own error, not index notation's
    symbols = {**q.symbols, **profile.symbols_for(q.symbols)}
    bare = q.bare
    indexed, offsets = q.indexed, q.layers
    if q.shape is not None:  # entries of the dense layer: δ_1 h_2, dz_1^3 h_2^2, w_{12}^3
        indexed = {"dz": deltav, "w": Wm, "a": hv, **q.indexed}  # the quantity's own first
        # z_j: the layer below's pre-activation, in g′(z_j) Σ_k w_kj δ_k (δ of the layer below)
        indexed = {"z": zprev, "zprev": zprev, "z_prev": zprev, **indexed}
        symbols = {"n_out": n_out, "n_in": n_in, **symbols}  # Σ_{k=1}^{n_out}
        table = {**{n: f for n, f in DENSE_ACTIVATIONS.items() if n not in table}, **table}
        if q.given:  # dh_1 σ′(z_1): z is the layer below's here (∂e/∂z_j is this layer's)
            indexed |= {name: GIVEN[name] for name in q.given} | {"z": zprev, "zprev": zprev}
        offsets = DENSE_LAYERS
    if q.shape is not None and profile.weights == "n_in × n_out":  # w_{ji}: input j, output i
        indexed = {name: IN_OUT_W if base == Wm else base for name, base in indexed.items()}
    for alias, name in profile.aliases.items():  # a = z where a is the pre-activation
        if name in indexed and alias not in q.indexed:
            indexed = {**indexed, alias: indexed[name]}
    if "p" in q.indexed and "z" in q.indexed:
        table["softmax"] = _Softmax(q)
    elif q.name.startswith("softmax:forward") and "z" in q.indexed:  # softmax(a_L)_j: its entry
        table["softmax"] = _SoftmaxOf(q)
    base_name = q.name.split(" ")[0]  # softmax-ce (true class ℓ): softmax-ce's notation
    ell = q.index_symbols.get("ell")  # ℓ, the true class, where the question names it
    if ell is not None:
        symbols = {**symbols, "ell": ell}
    if base_name in _ONE_HOT_TARGETS and _ONE_HOT_CALL.search(text):  # e(y), e(ℓ): one-hot
        table["e"] = _OneHot(q.indexed["y"], q.index_symbols["i"])
        symbols = {"ell": _CLASS, **symbols}
    if base_name == "softmax-ce" and _NETWORK_CALL.search(text):  # f(x): the network's output
        table["f"] = _NetworkOutput(q.indexed["p"], q.index_symbols["i"])
        symbols = {**symbols, "x": _INPUT}
    tree = parse(text, set(table) | set(bare))

    def make_reader(flags):
        kind = q.reader or ScalarReader
        if issubclass(kind, TensorReader):  # index notation for a matrix quantity's entry
            kind = ScalarReader
        if kind is ScalarReader and q.shape is not None and not q.given and q.tensors is None:
            kind = DenseEntryReader  # the dense layer's entries: ∂L/∂z_i is δ_i
        reader = kind(symbols, table, indexed, q.index_symbols, bare, profile.flags(flags))
        reader.layer_offsets = offsets
        reader.letter_layers = _LETTER_LAYERS.get(q.name.split(" ")[0])
        reader.matrices = frozenset(
            n for n, base in indexed.items() if base == Wm or base is IN_OUT_W
        )
        reader.layer_letters = profile.layer_letters
        reader.result_layer = profile.result_layer
        reader.hidden_layers = profile.hidden_layers
        return reader

    found = read_all(tree, make_reader)
    return [
        Reading(_tidied(q, _function_alone(q, r.value)), r.notes, r.flags, r.layer)
        for r in found
        if profile.allows(r)
    ] or found[:1]


# A result written for layer l (δ^l (h^{l-1})ᵀ): the layer its labels may name.  ∂L/∂h and
# δ_prev are written both for layer l ((W^l)ᵀ δ^l) and for the layer below (w^{l+1}, δ^{l+1}).
_LETTER_LAYERS = {
    "dense:dW": frozenset({0}),
    "dense:db": frozenset({0}),
    "dense:dh": frozenset({0, 1}),
    "dense:delta": frozenset({0, 1}),
    "dense:dz": frozenset({0, 1}),
    "output:delta": frozenset({0, 1}),
    "batch:dW": frozenset({0}),
    "dense:dz/dW": frozenset({0}),
    "batch:dH": frozenset({0, 1}),
}


def _dense_readings(text: str, profile: Profile, table, q: Quantity, sizes) -> list[Reading]:
    """Matrix-notation readings: the dense layer's names, or the quantity's own (a batch).
    With matrix literals, one set of readings per size the layers may have (see _sized)."""
    tensors = q.tensors(profile) if q.tensors is not None else _tensor_names(profile)
    tensors |= {n: _vector(n, n_in, GIVEN[n]) for n in q.given}
    tree = parse(text, set(table) | set(DENSE_ACTIVATIONS))
    dims = set(literals.dims(tree))
    if not dims:
        return _tensor_readings(tree, profile, table, q, tensors)
    if q.tensors is not None or profile.weights == "n_in × n_out" or profile.gradient_rows:
        raise ParseError(
            f"a matrix written entry by entry is not judged for {q.name} in this notation: "
            "write it with the names of the vectors and matrices, or one entry alone"
        )
    return literals.sized_readings(
        q, tensors, dims, sizes, lambda bound: _tensor_readings(tree, profile, table, q, bound)
    )


def _tensor_readings(tree, profile, table, q, tensors) -> list[Reading]:
    name = q.name

    def make_reader(flags):
        kind = _GivenGradientTensors if q.given else _LossGradientTensors
        if q.reader is not None and issubclass(q.reader, TensorReader):  # the quantity's own
            kind = q.reader
        choices = DENSE_CHOICES | (NEURON_CHOICES if name.startswith("dense:z") else {})
        choices |= _row_delta(profile) if q.tensors is None else {}
        reader = kind(
            tensors, DENSE_ACTIVATIONS, table, profile.flags(flags), DENSE_LAYERS, choices
        )
        reader.letter_layers = _LETTER_LAYERS.get(name.split(" ")[0])
        reader.layer_letters = profile.layer_letters
        reader.result_layer = profile.result_layer
        reader.hidden_layers = profile.hidden_layers
        # a literal's entries are the dense layer's (a quantity with its own names has none)
        entries = literals.ENTRIES if q.tensors is None else {}
        reader.indexed, reader.index_symbols = entries, dict(q.index_symbols)
        reader.matrices = frozenset({"w", "W"})
        return reader

    found = []
    for reading in read_all(tree, make_reader):
        if profile.allows(reading):
            found.append(reading)
    return found or read_all(tree, make_reader)[:1]


class _Softmax:
    """softmax(z) in an answer about p = softmax(z): entry i of the prediction."""

    def __init__(self, q: Quantity):
        self.z, self.p = q.indexed["z"], q.indexed["p"]

    def apply(self, args, keywords=None):
        if len(args) != 1 or keywords:
            raise ParseError("'softmax' takes 1 argument")
        arg = args[0]
        if isinstance(arg, sp.Indexed) and arg.base == self.z:
            return self.p[arg.indices]
        raise ParseError("softmax(…) is only read as softmax(z), the prediction")


class _SoftmaxOf:
    """softmax(z)_j in an answer about softmax:forward: entry j of the derivation's softmax."""

    def __init__(self, q: Quantity):
        self.value, self.z = q.expected, q.indexed["z"]
        self.entry_index = q.index_symbols["i"]  # the result is entry i

    def apply(self, args, keywords=None):
        arg = args[0] if len(args) == 1 and not keywords else None
        if (
            isinstance(arg, sp.Indexed)
            and arg.base == self.z
            and arg.indices == (self.entry_index,)
        ):
            return self.value  # z alone is read as its entry i
        raise ParseError("softmax(…) is only read as softmax(z) of the whole vector z")


class _OneHot:
    """e(y) in an answer about softmax-ce: the one-hot vector of the class y, entry i of y."""

    def __init__(self, y, i):
        self.y, self.i = y, i
        self.entry_index = i  # e(ℓ)_j: entry j

    def apply(self, args, keywords=None):
        if len(args) != 1 or keywords:
            raise ParseError("'e' takes 1 argument: e(y), the one-hot vector of class y")
        arg = args[0]
        if isinstance(arg, sp.Indexed) and arg.base == self.y:
            return arg
        if arg == _CLASS or arg.is_Symbol and arg.name == "ell":  # e(ℓ), ℓ the true class
            return self.y[self.i]  # the one-hot target, entry i
        raise ParseError("e(…) is only read as e(y), the one-hot vector of the class y")


class _NetworkOutput:
    """f(x) in an answer about softmax-ce: the network's output, the prediction p (entry i)."""

    def __init__(self, p, i):
        self.p, self.i = p, i
        self.entry_index = i  # f(x)_j: entry j

    def apply(self, args, keywords=None):
        if len(args) != 1 or keywords or args[0] != _INPUT:
            raise ParseError("f(…) is only read as f(x), the network's output")
        return self.p[self.i]


def bound_apart(expr):
    """Each Σ's own index made a fresh symbol, so renaming a free index cannot capture it."""
    if not isinstance(expr, sp.Basic):
        return expr
    sums = [s for s in sp.preorder_traversal(expr) if isinstance(s, sp.Sum)]
    for s in sums:
        fresh = {v: sp.Dummy(v.name, integer=True) for v, *_ in s.limits}
        expr = expr.xreplace({s: s.xreplace(fresh)})
    return expr


def _tidied(q: Quantity, value):
    return q.tidy(value) if q.tidy is not None else value


def _function_alone(q: Quantity, expr):
    """σ(1 − σ): a call of σ on something without z is σ (the output) times that thing."""
    if not q.bare or not isinstance(expr, sp.Basic):
        return expr
    output = next(iter(q.bare.values()))
    return expr.replace(
        lambda e: (
            isinstance(e, sp.Function)
            and len(e.args) == 1
            and not e.args[0].has(sp.Symbol("z", real=True))
            and not e.args[0].is_number
            and e.func.__name__ in ("sigmoid", "tanh", "relu")
        ),
        lambda e: output * e.args[0],
    )


__all__ = ["DENSE_TENSORS", "ShapeError", "Tensor", "answer_readings", "zprev"]
