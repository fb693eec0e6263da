"""A notation setting for the printers: a derivation rendered in a notation profile's symbols.

A profile (:mod:`derive.language.profiles`) says what the notes call the prediction, the
activation and how they write a layer index. :func:`setting` turns one profile record into a
:class:`RenderNotation`, a table the printers look up in ``_print_Symbol``, ``_print_Indexed``
and the layer-label printing: which SymPy object is written how (``p`` as q), which undefined
function is written with which letter (g as 𝒜), and one layer-index style for the whole
document (W^{(l)}, W^{[l]}, W^l or W_l). The default profile is today's notation unchanged.

Which object plays which part is fixed by the derivations' shared symbols, so that a symbol of
the same name that means something else (the dropout rate p) keeps its name:

* the softmax output, IndexedBase ``p``: the profile's first prediction (q, a^L, ŷ, y*);
* the sigmoid output, Symbol ``p``, and the regression output ``yhat``: the first prediction
  that is not ``q`` (notes that use both letters keep q for the softmax output).

>>> s = setting("superscript-layers")
>>> s.layer, s.functions["g"].text, s.spelling_of_base("p").text
('l', 'σ', 'q')
>>> setting("default").is_default
True
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field

import sympy as sp

from derive.language import profiles
from derive.losses import yhat, yhatv
from derive.render import notation
from derive.render.forms import LAYER_LABELS
from derive.symbols import Wm, p, pv

LAYER_STYLES = tuple(LAYER_LABELS)  # "(l)" W^{(3)}, "[l]" W^{[3]}, "l" W^3, "subscript" W_3
DEFAULT_LAYER = "(l)"

# the objects whose name a profile sets, and the role each plays
SOFTMAX_OUTPUT = "softmax output"
OUTPUT = "output"  # a sigmoid or regression output: never q, which is the softmax output
ROLES: dict[sp.Basic, str] = {pv: SOFTMAX_OUTPUT, p: OUTPUT, yhat: OUTPUT, yhatv: OUTPUT}
SOFTMAX_ONLY = frozenset({"q"})

# the generic activation of the derivations (dense: h = g(z_prev))
ACTIVATION = "g"

# letters whose LaTeX is not their Unicode (accented letters go through notation.ACCENTS)
LATEX_LETTERS = {"𝒜": r"\mathcal{A}", "σ": r"\sigma", "*": "*"}


@dataclass(frozen=True)
class Spelling:
    """How one symbol is written: a base letter and an optional superscript (y*, a^L).

    An index goes between them (a_i^L, y*_i), as the checker reads it.

    >>> spelling("a^L").text_with("i"), spelling("a^L").latex_with("i")
    ('a_i^L', 'a_{i}^{L}')
    """

    text: str
    latex: str
    sup: str = ""

    def text_with(self, sub: str = "") -> str:
        star = self.sup == "*"
        out = self.text + ("*" if star else "")
        out += f"_{sub}" if sub else ""
        return out + (f"^{self.sup}" if self.sup and not star else "")

    def latex_with(self, sub: str = "") -> str:
        out = self.latex + (f"_{{{sub}}}" if sub else "")
        return out + (f"^{{{LATEX_LETTERS.get(self.sup, self.sup)}}}" if self.sup else "")


def spelling(written: str) -> Spelling:
    """The spelling of a profile's name for a symbol: ``"ŷ"``, ``"y*"``, ``"a^L"``, ``"𝒜"``."""
    base, _, sup = written.partition("^")
    if base.endswith("*") and not sup:
        base, sup = base[:-1], "*"
    return Spelling(text=base, latex=_latex_letter(base), sup=sup)


def _latex_letter(letter: str) -> str:
    if letter in LATEX_LETTERS:
        return LATEX_LETTERS[letter]
    plain, *marks = unicodedata.normalize("NFD", letter)
    for mark in reversed(marks):
        plain = r"%s{%s}" % (notation.ACCENTS[mark], plain)
    return plain


@dataclass(frozen=True)
class RenderNotation:
    """The printers' notation setting: spellings by SymPy object, activation letters by
    function name, one layer-index style (one of ``LAYER_STYLES``)."""

    profile: str = "default"
    names: Mapping[sp.Basic, Spelling] = field(default_factory=dict)
    functions: Mapping[str, Spelling] = field(default_factory=dict)
    layer: str = DEFAULT_LAYER

    @property
    def is_default(self) -> bool:
        return not self.names and not self.functions and self.layer == DEFAULT_LAYER

    def spelling_of(self, obj: sp.Basic) -> Spelling | None:
        """The spelling of a Symbol or IndexedBase, None where the profile keeps its name."""
        return self.names.get(obj)

    def spelling_of_base(self, name: str) -> Spelling | None:
        """The spelling of the vector ``name`` (IndexedBase), None where it keeps its name."""
        return self.names.get(sp.IndexedBase(name))


DEFAULT = RenderNotation()


def layer_style(profile: profiles.Profile) -> str:
    """The layer-index style a profile describes (``layer_index``); the default's otherwise."""
    described = profile.layer_index
    if described.startswith("subscript"):
        return "subscript"
    if described.startswith("superscript l"):
        return "l"
    if "[l]" in described and not described.startswith("any"):
        return "[l]"
    return DEFAULT_LAYER


def from_profile(profile: profiles.Profile) -> RenderNotation:
    """The notation setting of one profile record (the default profile: today's notation)."""
    if profile.name == profiles.default_profile().name:
        return DEFAULT
    first = profile.prediction[0]
    output = next((n for n in profile.prediction if n not in SOFTMAX_ONLY), first)
    letters = {SOFTMAX_OUTPUT: spelling(first), OUTPUT: spelling(output)}
    names = {obj: letters[role] for obj, role in ROLES.items()}
    return RenderNotation(
        profile=profile.name,
        names={obj: s for obj, s in names.items() if s.text_with() != _own_name(obj)},
        functions={ACTIVATION: spelling(profile.activation[0])},
        layer=layer_style(profile),
    )


def _own_name(obj: sp.Basic) -> str:
    return obj.label.name if isinstance(obj, sp.IndexedBase) else obj.name


def setting(name: str | RenderNotation | None) -> RenderNotation:
    """The setting for a profile name (UnknownNameError listing the profiles if unknown)."""
    if name is None:
        return DEFAULT
    if isinstance(name, RenderNotation):
        return name
    return from_profile(profiles.get(name))


_CURRENT: ContextVar[RenderNotation] = ContextVar("render_notation", default=DEFAULT)
_IN_OUT: ContextVar[bool] = ContextVar("weights_in_out", default=False)


def current() -> RenderNotation:
    """The setting of the rendering under way (printers made without one use it)."""
    return _CURRENT.get()


@contextlib.contextmanager
def weights_written(layout: str) -> Iterator[None]:
    """Inside the block, with ``layout`` "n_in × n_out", the derivations' W_ij (output i,
    input j) is printed W_ji, as notes whose W is n_in × n_out index it (the checker's
    "read as" and "expected" for those notes); "n_out × n_in" changes nothing."""
    token = _IN_OUT.set(layout == "n_in × n_out")
    try:
        yield
    finally:
        _IN_OUT.reset(token)


def as_written(expr: sp.Indexed) -> sp.Indexed:
    """An entry of W as the current layout indexes it (see :func:`weights_written`)."""
    if _IN_OUT.get() and expr.base == Wm and len(expr.indices) == 2:
        return sp.Indexed(expr.base, expr.indices[1], expr.indices[0])
    return expr


@contextlib.contextmanager
def using(name: str | RenderNotation | None) -> Iterator[RenderNotation]:
    """Render in profile ``name`` inside the block (None: the default notation)."""
    token = _CURRENT.set(setting(name))
    try:
        yield _CURRENT.get()
    finally:
        _CURRENT.reset(token)


__all__ = [
    "DEFAULT",
    "LAYER_STYLES",
    "RenderNotation",
    "Spelling",
    "current",
    "from_profile",
    "setting",
    "spelling",
    "using",
]
