"""Renderers of verified derivations: text (terminal), LaTeX (notes), Markdown, JSON.

``render(derivation, "latex")`` renders one derivation; ``render_many(derivations, fmt)`` renders
several (``--all``): LaTeX becomes one document, text and Markdown are concatenated, JSON is a
list. Every renderer refuses a derivation that has not been verified.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from derive.errors import UnknownNameError
from derive.model import Derivation
from derive.render import jsonout, latex, markdown, text

FORMATS = {
    "text": text,
    "latex": latex,
    "markdown": markdown,
    "json": jsonout,
}

# how several derivations of one format are joined (LaTeX and JSON are handled below)
_SEPARATORS = {"text": "\n", "markdown": "\n---\n\n"}


def _module(fmt: str):
    if fmt not in FORMATS:
        raise UnknownNameError(f"unknown format '{fmt}'; choose one of {', '.join(FORMATS)}")
    return FORMATS[fmt]


def render(derivation: Derivation, fmt: str, standalone: bool = False) -> str:
    """``derivation`` in format ``fmt``; ``standalone`` makes LaTeX a whole document."""
    module = _module(fmt)
    if fmt == "latex":
        return module.render(derivation, standalone=standalone)
    return module.render(derivation)


def render_many(derivations: Sequence[Derivation], fmt: str, standalone: bool = False) -> str:
    """Several derivations as one output: a LaTeX document (or sections), a JSON list, or text."""
    module = _module(fmt)
    if fmt == "latex":
        if standalone:
            return latex.render_document(list(derivations))
        return "\n".join(latex.render(d) for d in derivations)
    if fmt == "json":
        return json.dumps([jsonout.as_dict(d) for d in derivations], **jsonout.JSON_OPTIONS) + "\n"
    return _SEPARATORS[fmt].join(module.render(d) for d in derivations)
