"""Notation profiles: which symbols mean what in one set of lecture notes.

Students write in the notation of the notes they learn from.  A profile says, for one set of
conventions, what the prediction is called (ŷ, y*, q, p, a^L, h^L), what the activation is
called (g, σ, 𝒜), how a layer index is written (superscript l, (l), [l] or a subscript), which
way the weight matrix is laid out (n_out × n_in or n_in × n_out), what ``⊗`` means and where
vectors are indexed from.  The reader uses it to *order and narrow* the readings of ambiguous
text (``h^2`` is layer 2 in notes that write layers as superscripts, a square elsewhere); the
``default`` profile accepts every unambiguous form and judges every reading.

>>> get("superscript-layers").prefers
frozenset({'layer'})
>>> infer("y^* - y").name
'ystar-calligraphic-activation'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from derive.errors import UnknownNameError

# The letters a layer is named with where layers are subscripts (a_i = b_i + W_i h_{i-1},
# ∇_{a_k}, W_t): i, k, t besides l and L.  Only such notations read W_i as W of layer i.
SUBSCRIPT_LAYER_LETTERS = frozenset({"l", "L", "i", "k", "t"})


@dataclass(frozen=True)
class Profile:
    """One notation.  ``prefers``: reading flags taken first (``layer``: a digit superscript
    on a layer quantity is its layer; ``outer``: ⊗ is the outer product); ``forbids``: flags
    never taken.  ``aliases``: extra spellings → the canonical symbol they stand for in this
    notation (``a`` → ``z`` where a is the pre-activation).  ``uses``: a pattern of the text
    that marks this notation, for :func:`infer`."""

    name: str
    summary: str
    prediction: tuple[str, ...]
    activation: tuple[str, ...]
    layer_index: str  # "superscript l", "superscript (l)", "subscript", ...
    weights: str = "n_out × n_in"  # W z-major: z = W h + b, dW = δ hᵀ; or "n_in × n_out"
    gradient_rows: bool = False  # δ and ∂L/∂h written as rows (δ Wᵀ) in an n_in × n_out layout
    examples: str = "rows"  # a batch's examples: rows (H is m × n_in) or columns (n_in × m)
    otimes: str = "outer product"
    index_base: int = 1
    prefers: frozenset = frozenset()
    forbids: frozenset = frozenset()
    aliases: Mapping[str, str] = field(default_factory=dict)
    dense_aliases: Mapping[str, str] = field(default_factory=dict)
    uses: str = ""
    # letters a subscript names a layer with (h_{i-1}, W_k) besides l and L: the reader takes
    # W_i as W of layer i only in notations that write layers so; elsewhere i is an index
    layer_letters: frozenset = frozenset({"l", "L"})
    # the question's layer as (letter, n), e.g. ("t", 0) for ∇_{h_{t-1}} L: set from the
    # question (check.question), never by a notation; the labels must name this layer
    result_layer: tuple | None = None
    # the question's number of hidden layers L (notes 000: h^L the last, o = L + 1 the output
    # layer), so that dz^o (h^2)^T is read with o = 3; set from the question, never a notation
    hidden_layers: int | None = None

    def flags(self, toggled: frozenset) -> frozenset:
        """The flags of a reading: the preferred ones, with ``toggled`` switched."""
        return (self.prefers ^ toggled) - self.forbids

    def allows(self, reading) -> bool:
        return not (reading.flags & self.forbids)

    def symbols_for(self, symbols: Mapping) -> dict:
        """The profile's extra spellings, resolved in a quantity's symbol table."""
        return {
            alias: symbols[name]
            for alias, name in self.aliases.items()
            if name in symbols and alias not in symbols
        }

    def describe(self) -> str:
        return (
            f"{self.name}: {self.summary}\n"
            f"  prediction {', '.join(self.prediction)}; activation {', '.join(self.activation)}; "
            f"layer index {self.layer_index}; W is {self.weights}; ⊗ is the {self.otimes}; "
            f"vectors indexed from {self.index_base}"
        )


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in [
        Profile(
            "default",
            "every unambiguous form; each reading of ambiguous text is judged",
            ("p", "q", "ŷ", "y*", "a", "a^L", "h^L"),
            ("g", "σ", "𝒜"),
            "any (superscript l, (l), [l], or subscript)",
            aliases={"p": "h", "q": "h"},  # σ′ = p(1 − p) where p = σ(z) is the output
            dense_aliases={"Z": "z"},  # g′(Z^{(k)}) ⊙ e^{(k)}: one example's Z is its z
        ),
        Profile(
            "superscript-layers",
            "q = softmax output, p = sigmoid output; dz, dh, dW gradients; layer as a bare "
            "superscript (h^2 is layer 2); ⊗ elementwise (dz = dh ⊗ σ′(z))",
            ("q", "p", "h^L"),
            ("σ", "g"),
            "superscript l (h^2, W^3)",
            otimes="elementwise product",
            prefers=frozenset({"layer"}),
            forbids=frozenset({"outer"}),
            uses=r"\bdz\s*\^|\bdh\b|\bq(?:_\d|\d)|⊗",
        ),
        Profile(
            "delta-superscript-l",
            "a^l = g(z^l), layers 1..L as superscripts, δ^l = ∂C/∂z^l, ⊙ Hadamard, "
            "w^l_{jk}; prediction a^L or ŷ",
            ("a^L", "ŷ"),
            ("g", "σ"),
            "superscript l",
            prefers=frozenset({"layer", "a-activation"}),
            uses=r"\\delta\s*\^|δ\s*\^|\^\s*\{?\s*L\b",
        ),
        Profile(
            "yhat-subscript-indices",
            "ŷ prediction, J = ½(ŷ − y)², delta rule ∂J/∂w_ij = δ_i a_j, K classes; "
            "superscripts are powers",
            ("ŷ",),
            ("g", "σ"),
            "none (one layer at a time); W_ij",
            prefers=frozenset({"a-activation"}),
            forbids=frozenset({"layer"}),
            uses=r"\\hat\s*\{?\s*y|ŷ|yhat|y_hat",
        ),
        Profile(
            "ystar-calligraphic-activation",
            "y* prediction, 𝒜 activation (y* = 𝒜(wᵀx)), bold vectors, superscript (n) "
            "numbers the example",
            ("y*",),
            ("𝒜", "σ"),
            "superscript (l); (n) is the example",
            weights="n_in × n_out",
            gradient_rows=True,
            forbids=frozenset({"layer"}),
            dense_aliases={"z": "h"},  # z_i are the hidden units' outputs
            uses=r"y\s*\^\s*\{?\s*\*|y\*|\\mathcal|𝒜",
        ),
        Profile(
            "preactivation-a-subscript-layers",
            "a_i = b_i + W_i h_{i−1} is the pre-activation, h_i = g(a_i), ŷ = f(x) = O(a_L); "
            "layer as a subscript (h_L, W_i); e(ℓ) one-hot; ∇_{a_L} L",
            ("ŷ", "h_L"),
            ("g", "O"),
            "subscript (a_L, h_{i-1})",
            forbids=frozenset({"layer", "a-activation"}),
            aliases={"a": "z", "a_L": "z"},
            layer_letters=SUBSCRIPT_LAYER_LETTERS,
            uses=r"\\nabla|∇|a_L|h_\{?i\s*-\s*1|e\s*\(\s*(?:\\ell|ℓ)",
        ),
    ]
}


def names() -> list[str]:
    return list(PROFILES)


def get(name: str) -> Profile:
    if name not in PROFILES:
        close = difflib.get_close_matches(name, list(PROFILES), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise UnknownNameError(f"unknown notation '{name}'{hint}; known: {', '.join(PROFILES)}")
    return PROFILES[name]


def default_profile() -> Profile:
    return PROFILES["default"]


def infer(text: str) -> Profile:
    """The profile whose marks the text uses (the first that matches), else the default."""
    for profile in PROFILES.values():
        if profile.uses and re.search(profile.uses, text):
            return profile
    return default_profile()


__all__ = [
    "PROFILES",
    "SUBSCRIPT_LAYER_LETTERS",
    "Profile",
    "default_profile",
    "get",
    "infer",
    "names",
]
