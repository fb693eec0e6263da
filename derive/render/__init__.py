"""Renderers of verified derivations: text (terminal), LaTeX (notes), Markdown, JSON.

``render(derivation, "latex")`` renders one derivation; ``render_many(derivations, fmt)`` renders
several (``--all``): LaTeX becomes one document, text and Markdown are concatenated, JSON is a
list. Every renderer refuses a derivation that has not been verified.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from derive.errors import UnknownNameError
from derive.model import Derivation

# format -> renderer module, imported on first use (the LaTeX and Markdown renderers compile
# Jinja templates, which `import derive` should not pay for)
_MODULES = {"text": "text", "latex": "latex", "markdown": "markdown", "json": "jsonout"}

# how several derivations of one format are joined (LaTeX and JSON are handled below)
_SEPARATORS = {"text": "\n", "markdown": "\n---\n\n"}


def __getattr__(name: str):
    if name == "FORMATS":  # {format: renderer module}
        return {fmt: _module(fmt) for fmt in _MODULES}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _module(fmt: str):
    if fmt not in _MODULES:
        raise UnknownNameError(f"unknown format '{fmt}'; choose one of {', '.join(_MODULES)}")
    return importlib.import_module(f"derive.render.{_MODULES[fmt]}")


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
            return module.render_document(list(derivations))
        return "\n".join(module.render(d) for d in derivations)
    if fmt == "json":
        import json

        return json.dumps([module.as_dict(d) for d in derivations], **module.JSON_OPTIONS) + "\n"
    return _SEPARATORS[fmt].join(module.render(d) for d in derivations)
