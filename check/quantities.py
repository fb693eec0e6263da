"""The quantities an answer can be checked against: name → verified result, notation, domain.

Each :class:`Quantity` names one chain of a built-in derivation (``derive.get(name)``), so the
expected result is never written by hand here. It also says which spellings of each symbol
the answer may use: the prediction is p, q, ŷ (``\\hat{y}``, ``yhat``), y* or a; the
pre-activation is z; ``a`` is the prediction (the output activation) everywhere except the
dense layer, where it is the pre-activation of the layer below, as in ``a = W h + b``.

>>> q = get("softmax-ce")
>>> q.expected
p[i] - y[i]
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import sympy as sp

import derive
from derive import rulebook
from derive.builtins.dense import zprev
from derive.errors import UnknownNameError
from derive.losses import yhat
from derive.model import Domain
from derive.symbols import Wm, bv, deltav, h, hv, i, j, k, n_in, n_out, p, pv, y, yv, z, zv

PREDICTION = ("p", "q", "yhat", "ystar", "a")  # spellings of the network's prediction
SIGMOID_NAMES = rulebook.functions()["sigmoid"].spellings  # sigmoid, sigma, logistic


def _heaviside(x):
    """The unit step H(x) with H(0) = 0, the convention ``derive`` uses for ReLU′."""
    return sp.Heaviside(x, 0)


# H and step as answers write the unit step; "heaviside(z, 0)" is the record's own spelling
STEP_FUNCTIONS = dict.fromkeys(("H", "step"), _heaviside)


def _sigmoid_function(x):
    from derive.functions import sigmoid

    return sigmoid(x)


# the notes' names for the sigmoid when it is the activation asked about: g (notes 004), 𝒜 (003)
_NOTES_SIGMOID = dict.fromkeys(("g", "calA"), _sigmoid_function)


@dataclass(frozen=True)
class Quantity:
    """One checkable result: the result ``key`` of the derivation ``derivation``.

    ``symbols`` maps accepted spellings to SymPy symbols, ``indexed`` vector names to
    IndexedBases, ``bare`` function names written alone (σ in σ(1 − σ)) to the output they
    stand for. ``swaps`` are (prediction, target) pairs for the "y and p swapped" diagnosis;
    ``related`` (this, that) pairs for "in terms of the wrong variable"; ``shape`` (rows,
    cols) and ``entry`` (row index, col index) describe a dense-layer matrix or vector.
    """

    name: str
    derivation: str
    key: str
    meaning: str
    accepts: str  # human-readable list of accepted symbols, for --list
    symbols: dict = field(default_factory=dict)
    indexed: dict = field(default_factory=dict)
    index_symbols: dict = field(default_factory=dict)
    bare: dict = field(default_factory=dict)
    functions: dict = field(default_factory=dict)
    swaps: tuple = ()
    related: tuple = ()
    alternatives: tuple = ()  # (label, derivation, key): a result for another variable
    shape: tuple | None = None
    entry: tuple = ()
    # a result that is not one chain's: built (once) from a derivation's or a record's parts
    build: Callable | None = None  # () -> (result, Domain)
    reader: type | None = None  # a ScalarReader subclass for the quantity's own notation
    tidy: Callable | None = None  # the answer's reading -> the form compared with the result
    mistakes: Callable | None = None  # result -> [(expression, diagnosis)] of its own
    given: tuple = ()  # names of vectors the answer may use as given (dh in dz = dh ⊙ g′(z))
    tensors: Callable | None = None  # profile -> matrix-notation names, when not the dense layer's
    # the question names the result's indices (∂L/∂w_i): an answer's other index is wrong, not
    # renamed (x_j for ∂L/∂w_i); without it a lone free index is renamed (p_k − y_k for p_i − y_i)
    fixed_indices: bool = False
    # index notation with layer labels: name -> its layer relative to the result's (h: −1, as
    # the dense layer's DENSE_LAYERS), so a^{l} where a^{l-1} belongs is the wrong layer
    layers: dict = field(default_factory=dict)
    # the entry this quantity is the gradient of (w_{j1}^{(2)}): the θ of an update rule with it
    parameter: sp.Basic | None = None

    @property
    def expected(self) -> sp.Expr:
        """The verified result (index notation for vectors and matrices)."""
        if self.build is not None:
            return _built(self.name)[0]
        return derivation_named(self.derivation)[self.key].rhs

    @property
    def domain(self) -> Domain:
        if self.build is not None:
            return _built(self.name)[1]
        d = derivation_named(self.derivation)
        return d[self.key].domain or d.domain

    @property
    def explanation(self) -> str:
        if not self.derivation:
            return f"{self.name}: {self.meaning}\n  = {self.expected}"
        return derivation_named(self.derivation).to_text()


def derivation_named(name: str):
    """A built-in derivation, or the derivation of a named activation record (built-in or
    user rule: ``derive.custom_activation`` of its name)."""
    if name in derive.names():
        return derive.get(name)
    record = rulebook.activations()[name]
    return _activation_derivation(name, record.expr)


@functools.cache
def _activation_derivation(name: str, expr: sp.Expr):
    """Keyed by the definition too: a user rule registered again with another one is new."""
    return derive.custom_activation(name)


def _names(names, value) -> dict:
    return dict.fromkeys(names, value)


def _notes_activation(name: str) -> dict:
    """g, 𝒜: the notes' name for the activation asked about (g(z) = tanh(z) in notes 004's
    tanh′ = 1 − (g(z))²), the record's own function."""
    from derive.language import function_table

    own = function_table().get(name)
    return dict.fromkeys(("g", "calA"), own) if own is not None else {}


def _activation(name: str, chain_output: str | None = None) -> Quantity:
    """d/dz of a named activation record; its spellings alone stand for its output h."""
    record = rulebook.activations()[name]
    if chain_output is None:
        from derive.render.printer import text  # noqa: PLC0415

        chain_output = text(record.shown)
    # a lecture activation's name belongs to its function record (sigmoid, sigma, logistic)
    spelled = rulebook.functions().get(name) if not record.spellings else None
    own = spelled.spellings if spelled is not None else (*record.spellings, name)
    return Quantity(
        name=name,
        derivation=name,
        key="slope_z",
        meaning=f"d/dz {chain_output}",
        accepts=f"z (pre-activation); h, a, or {own[0]} alone (the output {chain_output})",
        symbols={"z": z, **_names(("h", "a"), h), **({"ystar": h} if name == "sigmoid" else {})},
        bare=_names(own, h),
        functions={
            **(STEP_FUNCTIONS if name == "relu" or record.expr.has(sp.Piecewise) else {}),
            **_asked(
                {**(_NOTES_SIGMOID if name == "sigmoid" else _notes_activation(name)), **_own(own)},
                chain_output.removesuffix("(z)"),
            ),
        },
        related=((z, h), (h, z)),
    )


def _own(spellings) -> dict:
    """The function records that the activation's own spellings name (σ, sigma, sigmoid)."""
    from derive.language import function_table

    table = function_table()
    return {s: table[s] for s in spellings if s in table}


class _AskedAbout:
    """The activation a question asks the derivative of: its value may be used in the answer
    (σ(z)(1 − σ(z))), its derivative (σ′(z)) is the question itself, refused as an answer."""

    def __init__(self, function, name: str):
        self._function = function
        self.no_derivative = (
            f"the answer writes {name}′, the derivative asked for: write it out, in z or in "
            f"{name}(z)"
        )

    def __call__(self, *args):
        return self._function(*args)

    def __getattr__(self, attribute: str):
        return getattr(self._function, attribute)


def _asked(functions: dict, name: str) -> dict:
    return {spelling: _AskedAbout(f, name) for spelling, f in functions.items()}


def _indexed_losses(name: str, derivation: str, meaning: str) -> Quantity:
    # one free index (softmax-ce): p − y in vector notation means entry i of each vector
    vectors = {} if name == "softmax" else {**_names(PREDICTION, pv[i]), "y": yv[i], "z": zv[i]}
    if vectors:  # h_L, h^L: the last layer's output is the prediction (notes 000, 004)
        vectors |= _names(("h_L", "h^L"), pv[i])
    return Quantity(
        name=name,
        derivation=derivation,
        key="jacobian" if name == "softmax" else "dz",
        meaning=meaning,
        accepts="p_i, q_i, ŷ_i, y*_i, a_i (prediction p = softmax(z)); y_i (one-hot target); "
        "z_i (logits); δ_ij or delta_ij (Kronecker delta); indices p_i, p_{i}, p[i]; for "
        "softmax-ce also vectors p − y (entry i)",
        symbols={**_names(("delta_ij", "delta_ji"), sp.KroneckerDelta(i, j)), **vectors},
        indexed={**_names(PREDICTION, pv), "z": zv, "y": yv},
        index_symbols={"i": i, "j": j, "k": k},
        swaps=((pv, yv),),
        related=((pv, zv), (zv, pv)),
    )


def _scalar_loss(name: str, derivation: str, meaning: str, prediction) -> Quantity:
    subscripted = {f"{n}_i": prediction for n in PREDICTION} | {"y_i": y, "z_i": z}
    return Quantity(
        name=name,
        derivation=derivation,
        key="dz_identity" if derivation == "mse" else "dz",
        meaning=meaning,
        accepts="p, q, ŷ, yhat, y*, a (prediction); y (target); z (pre-activation); "
        "an index _i may be added",
        symbols={**_names(PREDICTION, prediction), "y": y, "z": z, **subscripted},
        bare=_names(SIGMOID_NAMES, prediction) if derivation == "sigmoid-bce" else {},
        swaps=((prediction, y),),
        related=((prediction, z), (z, prediction)),
    )


_DENSE_ACCEPTS = (
    "matrix notation: W (n_out×n_in), h or x (layer input, n_in), δ, delta or dz (∂L/∂z, "
    "n_out), z_prev, z or a (pre-activation of the layer below, n_in), g'(z) or σ'(z); "
    "transpose h^T, W^{\\top}, hᵀ; products by juxtaposition, *, \\cdot; elementwise ⊙, "
    "\\odot, \\circ, ⊗, or * between vectors; or index notation delta_i h_j, W[k, j]"
)


def _dense(part: str, key: str, meaning: str, shape, entry) -> Quantity:
    # an unbounded Σ_k (Σ_k w_{k1} dz_k) runs over the size the result sums over: the outputs
    summed = {"K": n_out} if part in ("dh", "delta") else {}
    return Quantity(
        name=f"dense:{part}",
        derivation="dense",
        key=key,
        meaning=meaning,
        accepts=_DENSE_ACCEPTS,
        symbols=summed,
        indexed={"W": Wm, "h": hv, "x": hv, "delta": deltav, "b": bv},
        index_symbols={"i": i, "j": j, "k": k},
        related=((i, j),),
        alternatives=tuple(alt for alt in _DENSE_ALTERNATIVES if alt[2] != key),
        shape=shape,
        entry=entry,
    )


_DENSE_ALTERNATIVES = (
    ("∂L/∂W (the weight gradient)", "dense", "dW"),
    ("∂L/∂b (the bias gradient)", "dense", "db"),
    ("∂L/∂h (the gradient at the layer input)", "dense", "dh"),
)


@cache
def _built(name: str) -> tuple:
    return (_registry().get(name) or _MADE[name]).build()


_MADE: dict[str, Quantity] = {}  # quantities made from the question's text (--loss, of/wrt)


def made(q: Quantity) -> Quantity:
    """Register a quantity made for one question (its name says what it is made from)."""
    return _MADE.setdefault(q.name, q)


def _more() -> list[Quantity]:
    from check import (
        batch_quantities,
        chain_quantities,
        forward_quantities,
        model_quantities,
        more_quantities,
        net_quantities,
        network_quantities,
        regression_quantities,
    )

    return [
        *more_quantities.QUANTITIES,
        *forward_quantities.QUANTITIES,
        *chain_quantities.QUANTITIES,
        *regression_quantities.QUANTITIES,
        *model_quantities.QUANTITIES,
        *batch_quantities.QUANTITIES,
        *network_quantities.QUANTITIES,
        *net_quantities.QUANTITIES,
    ]


# the quantities defined here; the other modules' are added on first use (:func:`_registry`),
# so that any of those modules can be imported first
_CORE: dict[str, Quantity] = {
    q.name: q
    for q in [
        _activation("sigmoid", "σ(z)"),
        _activation("tanh", "tanh(z)"),
        _activation("relu", "ReLU(z)"),
        _indexed_losses("softmax", "softmax", "∂p_i/∂z_j, p = softmax(z)"),
        _indexed_losses("softmax-ce", "softmax-ce", "∂L/∂z_i, L = −Σ_k y_k log p_k"),
        _scalar_loss(
            "sigmoid-bce", "sigmoid-bce", "∂L/∂z, L = −y log p − (1 − y) log(1 − p), p = σ(z)", p
        ),
        _scalar_loss("mse", "mse", "∂L/∂z, L = ½(ŷ − y)², identity output ŷ = z", yhat),
        _dense("dW", "dW", "∂L/∂W for z = W h + b (n_out × n_in)", (n_out, n_in), (i, j)),
        _dense("db", "db", "∂L/∂b (n_out)", (n_out, 1), (i, None)),
        _dense("dh", "dh", "∂L/∂h (n_in)", (n_in, 1), (j, None)),
        _dense(
            "delta",
            "delta_below",
            "δ of the layer below, ∂L/∂z_prev, h = g(z_prev) (n_in)",
            (n_in, 1),
            (j, None),
        ),
    ]
}
_ALTERNATIVE_LOSS = {
    "softmax-ce": ("∂L/∂p_i (with respect to the prediction, not z)", -yv[i] / pv[i]),
    "sigmoid-bce": ("∂L/∂p (with respect to the prediction p, not z)", (p - y) / (p * (1 - p))),
}


def alternative_results(q: Quantity) -> list[tuple[str, sp.Expr]]:
    """Results for other variables that an answer may have computed by mistake, and the
    quantity's own typical mistakes (a step uphill, a missing 1/m)."""
    if q.build is not None:
        return [(message, e) for e, message in (q.mistakes(q.expected) if q.mistakes else [])]
    found = [(label, derive.get(name)[key].rhs) for label, name, key in q.alternatives]
    if q.name in _ALTERNATIVE_LOSS:
        found.append(_ALTERNATIVE_LOSS[q.name])
    wrong = [
        (f"derivative with respect to the wrong variable: this is {label}", e) for label, e in found
    ]
    lhs = derivation_named(q.derivation)[q.key].lhs
    if q.name in ("sigmoid", "tanh", "relu") and isinstance(lhs, sp.Derivative):
        function = lhs.expr  # the activation itself, from the derivation's left-hand side
        wrong.append((f"{show_name(q.name)} itself: the function, not its derivative", function))
        wrong += _other_slopes(q.name, function)
    if q.name == "softmax-ce":
        wrong += _softmax_slope()
    return wrong


def _other_slopes(name: str, function: sp.Expr) -> list[tuple[str, sp.Expr]]:
    """Another activation's derivative, in terms of its output, written for this one's
    (1 − σ(z)² is tanh′ where σ′ belongs): each derivation's slope_h with h = this output."""
    from derive.render.printer import text  # noqa: PLC0415

    found = []
    for other in ("sigmoid", "tanh", "relu"):
        if other != name:
            slope = derive.get(other)["slope_h"]
            mistaken = slope.rhs.xreplace({h: function})
            found.append(
                (
                    f"{other}′ where {name}′ belongs: {text(mistaken)} is {text(slope.rhs)}, "
                    f"the derivative of {text(slope.lhs.expr)} in terms of its output h, with "
                    f"h = {text(function)}",
                    mistaken,
                )
            )
    return found


def _softmax_slope() -> list[tuple[str, sp.Expr]]:
    """∂p_i/∂z_i = p_i(1 − p_i), the softmax's own slope (σ′ of the output), where the loss's
    gradient ∂L/∂z_i belongs; from the softmax derivation's Jacobian at j = i."""
    from derive.render.printer import text  # noqa: PLC0415

    diagonal = derive.get("softmax")["jacobian"].rhs.xreplace({j: i})
    return [
        (
            f"∂p_i/∂z_i = {text(diagonal)} (the softmax's own slope, σ′ of the output) where "
            "∂L/∂z_i belongs",
            diagonal,
        )
    ]


def show_name(name: str) -> str:
    return {"sigmoid": "that is σ", "tanh": "that is tanh", "relu": "that is ReLU"}[name]


def core(name: str) -> Quantity:
    """A quantity defined in this module (dense:delta, dense:db, …), for the modules that build
    theirs from one while the registry is not complete yet."""
    return _CORE[name]


@functools.cache
def _registry() -> dict[str, Quantity]:
    """Every quantity by name: this module's, then the other quantity modules'."""
    return {**_CORE, **{q.name: q for q in _more()}}


def __getattr__(name: str):
    """``QUANTITIES``, the registry, made on first use (PEP 562)."""
    if name == "QUANTITIES":
        return _registry()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def names() -> list[str]:
    return list(_registry())


def get(name: str) -> Quantity:
    """The quantity called ``name``, or d/dz of the activation record called ``name``;
    UnknownNameError (one line, with a suggestion) if none."""
    QUANTITIES = _registry()  # noqa: N806 - the registry
    if name not in QUANTITIES and name in rulebook.activations():
        return _activation(name)
    if name not in QUANTITIES:
        close = difflib.get_close_matches(name, list(QUANTITIES), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        unknown = f"unknown quantity '{name}'{hint}"
        raise UnknownNameError(
            f"{unknown}; check.quantities.names() lists them",
            cli_message=f"{unknown}; try --list",
        )
    return QUANTITIES[name]


__all__ = ["Quantity", "alternative_results", "core", "get", "names", "zprev"]
