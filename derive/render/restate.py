"""A derivation's own prose restated in a notation profile's names and layer style.

The printers spell the expressions (:mod:`derive.render.profile_notation`); the derivations'
prose (summary, conventions, justifications, titles, matrix forms) is source text written in
the default notation, so a profile's document restates it: the prediction's letter where the
derivation's formulas use that object (p_k → q_k in softmax-ce, never the dropout rate p), the
activation's letter where they use the generic g, and the layer style (W^(l), δ⁽³⁾ → W^l, δ³).
It is never applied to printed output.

>>> import derive
>>> from derive.render.profile_notation import setting
>>> restate(derive.get("softmax-ce"), setting("superscript-layers")).conventions[1]
'L = −Σ_{k=1}^{K} y_k log q_k for one example.'
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Mapping

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.losses import yhat, yhatv
from derive.model import Derivation
from derive.render.forms import LAYER_LABELS
from derive.render.profile_notation import DEFAULT_LAYER, RenderNotation, Spelling
from derive.symbols import p, pv

# how the derivations' prose writes the objects a profile renames
PROSE_NAMES: dict[sp.Basic, str] = {pv: "p", p: "p", yhat: "ŷ", yhatv: "ŷ"}

# a layer number in prose: W^(l), δ⁽³⁾ (text) and W^{(3)} (LaTeX matrix forms)
_LAYER_PROSE = re.compile(r"\^\((\w+(?:-1)?)\)|⁽([⁰¹²³⁴⁵⁶⁷⁸⁹ⁱˡᴸ⁻]+)⁾")
_LAYER_LATEX = re.compile(r"\^\{\((\w+(?:-1)?)\)\}")


def _word(name: str) -> re.Pattern:
    """``name`` as a whole symbol in prose, with its index: p_k, 2p, dp (of dp/dz) and p in log p, not
    the p of prev, p2 or \\partial."""
    return re.compile(
        r"(?:(?<![A-Za-z_\\])|(?<=(?<![A-Za-z])d))%s(?![A-Za-z0-9\u0300-\u036f])"
        r"(?:_(\{[^{}]*\}|[A-Za-z0-9]))?" % re.escape(name)
    )


def prose_names(setting: RenderNotation, exprs: list[sp.Basic]) -> dict[str, Spelling]:
    """Prose spelling → the profile's, for the renamed objects and functions ``exprs`` use."""
    used = set().union(*(e.atoms(sp.Symbol, sp.IndexedBase) for e in exprs))
    functions = {type(f).__name__ for e in exprs for f in e.atoms(AppliedUndef)}
    names = {PROSE_NAMES[o]: s for o, s in setting.names.items() if o in used and o in PROSE_NAMES}
    return names | {n: s for n, s in setting.functions.items() if n in functions}


def _index(sub: str | None) -> str:
    return "" if sub is None else sub.strip("{}")


def restate_prose(prose: str, names: Mapping[str, Spelling], layer: str, latex: bool) -> str:
    """The derivation's own prose (``latex``: a LaTeX matrix form) with the profile's names and
    layer style: it is source text of the derivation, never printed output."""
    for name, spelled in names.items():
        write = spelled.latex_with if latex else spelled.text_with
        prose = _word(name).sub(lambda m, write=write: write(_index(m.group(1))), prose)
    if layer == DEFAULT_LAYER:
        return prose
    if latex:
        return _LAYER_LATEX.sub(lambda m: _layer_latex(m.group(1), layer), prose)
    return _LAYER_PROSE.sub(lambda m: _layer_text(m.group(1), m.group(2), layer), prose)


def _layer_latex(number: str, layer: str) -> str:
    label = LAYER_LABELS[layer]
    return "_{%s}" % number if label is None else "^{%s}" % label.format(number)


def _layer_text(plain: str | None, raised: str | None, layer: str) -> str:
    if raised is not None and layer == "l":
        return raised  # δ⁽³⁾ → δ³
    number = plain if raised is None else unicodedata.normalize("NFKC", raised)
    label = LAYER_LABELS[layer]
    if label is None or layer == "l":
        return ("_" if label is None else "^") + (number if len(number) == 1 else "{%s}" % number)
    return "^" + label.format(number)


def restate(derivation: Derivation, setting: RenderNotation) -> Derivation:
    """A copy of ``derivation`` whose prose, titles and matrix forms use the profile's names
    and layer style (the expressions are unchanged: the printers spell them)."""
    if setting.is_default:
        return derivation
    exprs = [e for c in derivation.chains for e in (c.lhs, *(s.rhs for s in c.steps))]
    names = prose_names(setting, exprs)

    def say(prose: str, latex: bool = False) -> str:
        return restate_prose(prose, names, setting.layer, latex)

    chains = [
        dataclasses.replace(
            c,
            title=say(c.title),
            note=say(c.note),
            matrix_form=say(c.matrix_form, latex=True),
            matrix_form_text=say(c.matrix_form_text),
            steps=[
                dataclasses.replace(s, why=say(s.why), verified_by=say(s.verified_by))
                for s in c.steps
            ],
        )
        for c in derivation.chains
    ]
    return dataclasses.replace(
        derivation,
        title=say(derivation.title),
        summary=say(derivation.summary),
        conventions=[say(c) for c in derivation.conventions],
        chains=chains,
        checks=[
            dataclasses.replace(c, name=say(c.name), detail=say(c.detail))
            for c in derivation.checks
        ],
    )


__all__ = ["prose_names", "restate", "restate_prose"]
