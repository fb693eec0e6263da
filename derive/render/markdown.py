"""Markdown output with ``$$`` display math, for GitHub and Jupyter (``_repr_markdown_``).

Each chain is one ``aligned`` block whose lines are numbered (1), (2), …; a numbered list under
it gives each step's justification, then how the steps were verified. The math in prose is set
as ``$...$``; its text stays Unicode, with the characters Markdown would interpret escaped.
"""

from __future__ import annotations

import re

from derive.model import Chain, Derivation
from derive.render import prose, templates, verification
from derive.render.latex import vector_lhs_latex
from derive.render.printer import NotesLatexPrinter

# characters with a meaning in Markdown (or to MathJax: $) anywhere in a line
_SPECIAL = re.compile(r"([\\`*_\[\]<>$|#~])")
# a line start that would open a list (- item, + item, 1. item); > and # are escaped anyway
_LINE_START = re.compile(r"^(\s*)(?:([-+])|(\d+)([.)]))")


def escape(prose: str) -> str:
    """Prose as Markdown that shows exactly these characters.

    >>> escape("Σ_k y_k = 1")
    'Σ\\\\_k y\\\\_k = 1'
    """
    escaped = _SPECIAL.sub(r"\\\1", prose.replace("\n", " "))
    return _LINE_START.sub(_escape_list_marker, escaped)


def typeset(text: str) -> str:
    """Prose as Markdown whose math is ``$...$`` (typeset by GitHub and Jupyter) and whose text
    shows exactly its characters.

    >>> print(typeset("L = −Σ_k y_k log p_k, for 1. example"))
    $L = -\\sum_{k} y_{k} \\log p_{k}$, for 1. example
    """
    typeset_text = prose.to_delimited(
        text.replace("\n", " "), text=lambda run: _SPECIAL.sub(r"\\\1", run)
    )
    return _LINE_START.sub(_escape_list_marker, typeset_text)


def _escape_list_marker(match: re.Match) -> str:
    # only punctuation can be backslash-escaped: -y → \-y, but 1. → 1\.
    indent, bullet, number, dot = match.groups()
    return indent + ("\\" + bullet if bullet else number + "\\" + dot)


def render(derivation: Derivation) -> str:
    """One derivation: heading, summary, conventions, chains, cross-checks."""
    verification.require_verified(derivation)
    printer = NotesLatexPrinter()
    view = {
        "title": typeset(derivation.title),
        "name": derivation.name,
        "summary": typeset(derivation.summary),
        "conventions": [typeset(c) for c in derivation.conventions],
        "chains": [_chain_view(chain, printer) for chain in derivation.chains],
        "checks": [
            {"mark": verification.mark(c), "name": typeset(c.name), "detail": typeset(c.detail)}
            for c in derivation.checks
        ],
    }
    return templates.markdown.render(d=view)


def _chain_view(chain: Chain, printer: NotesLatexPrinter) -> dict:
    return {
        "title": typeset(prose.sentence_case(chain.title)),
        "note": typeset(chain.note),
        "rows": [
            {"lhs": printer.doprint(chain.lhs) if n == 0 else "", "rhs": printer.doprint(s.rhs)}
            for n, s in enumerate(chain.steps)
        ],
        "whys": [typeset(s.why) for s in chain.steps],
        "verified": [
            typeset(f"{label} verified: {how}") for label, how in verification.step_groups(chain)
        ],
        "matrix_form": chain.matrix_form,
        "matrix_lhs": vector_lhs_latex(chain),
    }
