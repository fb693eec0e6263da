"""Renderers of verified derivations: text (terminal), LaTeX (notes), Markdown, JSON, HTML (one
self-contained page) and beamer (slides).

``render(derivation, "latex")`` renders one derivation; ``render_many(derivations, fmt)`` renders
several (``--all``): LaTeX becomes one document, text and Markdown are concatenated, JSON is a
list. Every renderer refuses a derivation that has not been verified. ``notation=PROFILE`` writes
the formulas and the prose in a notation profile's symbols (``derive.render.profile_notation``).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from derive.errors import UnknownNameError
from derive.model import Derivation
from derive.render import profile_notation
from derive.render.restate import restate
from derive.render.verification import VERIFICATION_MODES, require_mode

__all__ = ["VERIFICATION_MODES", "render", "render_many"]

# format -> renderer module, imported on first use (the LaTeX and Markdown renderers compile
# Jinja templates, which `import derive` should not pay for)
_MODULES = {
    "text": "text",
    "latex": "latex",
    "markdown": "markdown",
    "json": "jsonout",
    "html": "webpage",
    "beamer": "beamer",
}

# formats that are documents, with a verification mode (the others show the full record)
_DOCUMENTS = ("latex", "html", "beamer")

# how several derivations of one format are joined (documents and JSON are handled below)
_SEPARATORS = {"text": "\n", "markdown": "\n---\n\n"}


def __getattr__(name: str):
    if name == "FORMATS":  # {format: renderer module}
        return {fmt: _module(fmt) for fmt in _MODULES}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _module(fmt: str):
    if fmt not in _MODULES:
        raise UnknownNameError(f"unknown format '{fmt}'; choose one of {', '.join(_MODULES)}")
    return importlib.import_module(f"derive.render.{_MODULES[fmt]}")


def render(
    derivation: Derivation,
    fmt: str,
    standalone: bool = False,
    verification: str = "appendix",
    notation: str | None = None,
) -> str:
    """``derivation`` in format ``fmt``; ``standalone`` makes LaTeX a whole document.

    ``verification`` (documents: latex, html, beamer): "appendix" (lecture mode: a ✓ and a
    footnote per chain, the record at the end), "inline" (under each chain) or "none".
    ``notation``: a notation profile (``derive.language.profiles``) whose symbols the
    formulas use; None is the default notation. UnknownNameError for an unknown profile.
    """
    if fmt in _DOCUMENTS:
        return render_many([derivation], fmt, standalone, verification, notation)
    with profile_notation.using(notation) as chosen:
        return _module(fmt).render(restate(derivation, chosen))


def render_many(
    derivations: Sequence[Derivation],
    fmt: str,
    standalone: bool = False,
    verification: str = "appendix",
    notation: str | None = None,
) -> str:
    """Several derivations as one output: a document (or LaTeX sections), a JSON list, or text,
    in the notation profile ``notation`` (None: the default notation)."""
    module = _module(fmt)
    with profile_notation.using(notation) as chosen:
        restated = [restate(d, chosen) for d in derivations]
        return _render_many(module, restated, fmt, standalone, verification)


def _render_many(module, derivations: list, fmt: str, standalone: bool, verification: str) -> str:
    if fmt in _DOCUMENTS:
        require_mode(verification)
        if fmt == "latex" and not standalone:
            return module.render_sections(derivations, verification)
        return module.render_document(derivations, verification=verification)
    if fmt == "json":
        import json

        return json.dumps([module.as_dict(d) for d in derivations], **module.JSON_OPTIONS) + "\n"
    return _SEPARATORS[fmt].join(module.render(d) for d in derivations)
