"""What exactly an answer is asked to be: the quantity's name plus what the name alone does not
fix (the entry, the layer, the network's activation), from ``dense:dW[1,2]@3`` or ``params``.

>>> question("dense:dh", None, None, {"layer": 7}).layer  # ∂L/∂h^7 = (W^8)ᵀ dz^8
8
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import sympy as sp

from derive.builtins.dense import g
from derive.errors import UnknownNameError

# ∂L/∂h and δ of layer l are written with the weights and δ of layer l + 1 (the layer z = W h + b
# that @L names); the other quantities with their own layer.
_LAYER_ABOVE = frozenset({"dense:dh", "dense:delta", "dense:dz"})
_SIGMOID_NAMES = re.compile(r"\\sigma|σ|sigma|sigmoid|logistic")


@dataclass(frozen=True)
class Question:
    """entry: (row, col) as text ("1", "j"), or None; layer: the layer of z = W h + b the
    answer's numbered labels must name, or None; activation: "sigmoid" when the network's
    activation g is the sigmoid; notation: a profile name the question implies."""

    entry: tuple | None = None
    layer: int | None = None
    activation: str | None = None
    notation: str | None = None
    layout: str | None = None  # "n_in × n_out": the notes' W is the transpose of z = W h + b's
    rows: bool = False  # gradients (δ, ∂L/∂h) written as rows
    layer_index: str | None = None  # "subscript": layers written h_{i-1}, W_k (note 004)
    letter_layer: tuple | None = None  # layer = "t-1": (letter, n) the labels must name
    sizes: tuple | None = None  # sizes = [1, 2, 1]: the network's layer sizes, layer 1 first
    hidden_layers: int | None = None  # hidden_layers = 2: L = 2, the output layer o = 3

    def layer_sizes(self) -> dict:
        """{n_out: …, n_in: …} of the layer z = W h + b asked about, from ``sizes``."""
        from derive.symbols import n_in, n_out

        if self.sizes is None or self.layer is None or not 2 <= self.layer <= len(self.sizes):
            return {}
        return {n_out: self.sizes[self.layer - 1], n_in: self.sizes[self.layer - 2]}

    def domain(self, q, text: str):
        """The quantity's domain, with g the sigmoid when the network's activation is σ: asked
        so, or an answer for a generic activation g that writes σ (every note calls it σ)."""
        domain = q.domain
        if g not in domain.definitions:
            return None
        if self.activation != "sigmoid" and not _SIGMOID_NAMES.search(text):
            return None
        x = sp.Dummy("x")
        definitions = {**domain.definitions, g: sp.Lambda(x, 1 / (1 + sp.exp(-x)))}
        return replace(
            domain,
            definitions=definitions,
            assumptions=[*domain.assumptions, "the activation g is the sigmoid σ"],
        )


def _entry(value) -> tuple | None:
    if value is None:
        return None
    parts = tuple(str(v).strip() for v in (value if isinstance(value, list | tuple) else [value]))
    parts = tuple("ell" if p in ("ℓ", "\\ell") else p for p in parts)
    if not 1 <= len(parts) <= 2 or not all(p.isdigit() or p in _ENTRY_LETTERS for p in parts):
        return None  # an entry named otherwise is not fixed here
    return parts


_ENTRY_LETTERS = ("i", "j", "k", "ell")  # ell: ℓ, the true class (notes 004)


def _sizes(value) -> tuple | None:
    """``sizes = [1, 2, 1]``: whole numbers 1 … 16, else None (not a size the literal needs)."""
    if not isinstance(value, list | tuple) or not 2 <= len(value) <= 16:
        return None
    if not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 16 for v in value):
        return None
    return tuple(value)


def _hidden_layers(value) -> int | None:
    """``hidden_layers = 2``: a whole number 1 … 16, else None."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 16:
        return value
    return None


def _letter_layer(layer, name: str) -> tuple | None:
    """``layer = "t-1"``, ``"i"``: the result's layer as a letter ± n (the layer of h in
    ∇_{h_{t-1}} L), as (letter, n) of the layer z = W h + b its labels name; else None."""
    found = (
        re.fullmatch(r"\s*([A-Za-z])\s*(?:([+-])\s*(\d{1,3}))?\s*", layer or "")
        if isinstance(layer, str)
        else None
    )
    if found is None:
        return None
    number = int(found[3] or 0) * (-1 if found[2] == "-" else 1)
    return (found[1], number + (1 if name in _LAYER_ABOVE else 0))


def question(name: str, entry, layer, params: dict) -> Question:
    """The question: ``entry`` and ``layer`` from the quantity's text win over ``params``."""
    if not isinstance(params, dict):
        raise UnknownNameError("params must be a table of names and values")
    if entry is None:
        entry = _entry(params.get("entry"))
    if layer is None and isinstance(params.get("layer"), int):
        layer = params["layer"] + (1 if name in _LAYER_ABOVE else 0)
    letter_layer = _letter_layer(params.get("layer"), name)
    activation = params.get("activation")
    notation = params.get("notation")
    layout = params.get("layout")
    if isinstance(layout, str) and re.fullmatch(r"n_in\s*[x×]\s*n_out", layout.strip()):
        layout = "n_in × n_out"
    elif layout == "columns":
        pass  # a batch with one example per column (DZ, H are n × m)
    elif layout is not None:
        layout = None  # other layouts (examples as columns) are other quantities
    return Question(
        layout=layout,
        rows=params.get("rows") is True,
        entry=entry,
        layer=layer,
        activation=activation if isinstance(activation, str) else None,
        notation=notation if isinstance(notation, str) else None,
        letter_layer=letter_layer,
        sizes=_sizes(params.get("sizes")),
        hidden_layers=_hidden_layers(params.get("hidden_layers")),
        layer_index=params.get("layer_index") if params.get("layer_index") == "subscript" else None,
    )
