"""Plain Unicode for the terminal: one line per step, justifications in an aligned column.

Example (softmax-ce, abridged)::

    Gradient at the logits
      ∂L/∂z_i = ∂/∂z_i (−Σ_{k=1}^{K} y_k log(p_k))    (L = −Σ_k y_k log p_k)
              = …
              = p_i − y_i                            (Σ_k y_k = 1 because y is one-hot)
      ✓ steps 1–6 verified: numeric: 144 random points (K=2, K=3, K=4); y one-hot
"""

from __future__ import annotations

import unicodedata

from derive.model import Chain, Derivation
from derive.render import prose, verification
from derive.render.printer import NotesTextPrinter
from derive.render.vector import vector_lhs_text

INDENT = "  "
GAP = 4  # spaces between an equation and its justification
WHY_COLUMN_MAX = 64  # justifications of longer lines go on the next line, in the same column


def width(s: str) -> int:
    """Terminal columns of ``s`` (combining accents such as the hat of ŷ take none)."""
    return sum(0 if unicodedata.combining(c) else 1 for c in s)


def render(derivation: Derivation) -> str:
    """Title, conventions, each chain with its steps and how they were verified, cross-checks."""
    verification.require_verified(derivation)
    heading = f"{derivation.title} [{derivation.name}]"
    lines = [heading, "═" * width(heading), prose.to_unicode(derivation.summary)]
    if derivation.conventions:
        lines += ["", "Conventions"] + [
            f"{INDENT}• {prose.to_unicode(c)}" for c in derivation.conventions
        ]
    printer = NotesTextPrinter()
    for chain in derivation.chains:
        title = prose.to_unicode(prose.sentence_case(chain.title))
        lines += ["", title] + chain_lines(chain, printer)
    if derivation.checks:
        lines += ["", "Cross-checks"]
        lines += [
            f"{INDENT}{verification.mark(c)} {c.name}: {prose.to_unicode(c.detail)}"
            for c in derivation.checks
        ]
    return "\n".join(lines) + "\n"


def chain_lines(chain: Chain, printer: NotesTextPrinter) -> list[str]:
    """The aligned equation lines of one chain, then its note, matrix form and verification."""
    lhs = printer.doprint(chain.lhs)
    equations = [
        INDENT + (lhs if n == 0 else " " * width(lhs)) + " = " + printer.doprint(step.rhs)
        for n, step in enumerate(chain.steps)
    ]
    column = min(max(width(e) for e in equations), WHY_COLUMN_MAX) + GAP
    lines = []
    for equation, step in zip(equations, chain.steps, strict=True):
        why = f"({prose.to_unicode(step.why)})"
        if width(equation) + GAP <= column:
            lines.append(equation + " " * (column - width(equation)) + why)
        else:
            lines += [equation, " " * column + why]
    if chain.note:
        lines.append(f"{INDENT}note: {prose.to_unicode(chain.note)}")
    if chain.matrix_form_text:
        lhs = vector_lhs_text(chain)
        matrix = prose.to_unicode(chain.matrix_form_text)
        lines.append(f"{INDENT}in matrix form: " + (f"{lhs} = {matrix}" if lhs else matrix))
    lines += [
        f"{INDENT}✓ {label} verified: {how}" for label, how in verification.step_groups(chain)
    ]
    return lines
