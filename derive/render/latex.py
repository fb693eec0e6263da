"""LaTeX output: a section per derivation, a standalone document, and a math-only Jupyter display.

Each chain is an ``align*`` block, one step per line with its justification beside it
(``&& \\mbox{...}``); when step and justification would not fit on the page together, every
justification of that chain goes on its own line under its step, in a ``\\parbox`` that wraps.
The document compiles with pdflatex (article, amsmath, amssymb).

>>> import derive.registry
>>> tex = render(derive.registry.get("softmax-ce"))
>>> r"\\section{Softmax with cross-entropy loss}" in tex
True
"""

from __future__ import annotations

import sympy as sp
from sympy.concrete.summations import Sum

from derive.model import Chain, Derivation
from derive.render import notation, prose, templates, verification
from derive.render.printer import NotesLatexPrinter, leibniz_operand, text
from derive.render.vector import vector_gradient, vector_name_latex

DEFAULT_TITLE = "Backpropagation, derived step by step"

# Width budget of one align* line, in units of one math letter at 11pt on A4 with 2.5 cm margins
# (about 450pt of text width). Justifications are set \small, about 0.8 letter per character.
LINE_BUDGET = 70.0
PROSE_LETTER = 0.8
EM_PER_LETTER = 0.6


def render(derivation: Derivation, standalone: bool = False, verification: str = "appendix") -> str:
    """A ``\\section`` for one derivation (followed by its verification record), or a whole
    document if ``standalone``. ``verification``: "appendix" (a ✓ and a footnote per chain, the
    record after the derivation or, in a document, in the appendix), "inline" (the record under
    each chain) or "none"."""
    if standalone:
        return render_document([derivation], verification=verification)
    return render_sections([derivation], verification)


def render_sections(derivations: list[Derivation], verification: str = "appendix") -> str:
    """Sections for a document of one's own; in appendix mode their record follows them."""
    sections = "\n".join(_section(d, verification) for d in derivations)
    if verification != "appendix":
        return sections
    return sections + "\n" + _appendix(derivations, heading=r"\section*", entry=r"\subsection*")


def render_document(
    derivations: list[Derivation], title: str = DEFAULT_TITLE, verification: str = "appendix"
) -> str:
    """A standalone article: title, the notes' conventions, every derivation, and (lecture
    mode, the default) the verification record as an appendix."""
    sections = [_section(d, verification) for d in derivations]
    appendix = ""
    if verification == "appendix":
        appendix = _appendix(
            derivations, heading=r"\appendix" "\n" r"\section", entry=r"\subsection"
        )
    return templates.latex_document.render(
        title=prose.to_text_mode(title),
        sections=sections,
        appendix=appendix,
        verification=verification,
    )


def _section(derivation: Derivation, mode: str) -> str:
    verification.require_mode(mode)
    verification.require_verified(derivation)
    return templates.latex_section.render(d=_section_view(derivation, mode))


def _appendix(derivations: list[Derivation], heading: str, entry: str) -> str:
    return templates.latex_appendix.render(
        heading=heading,
        entry=entry,
        records=[_record_view(d) for d in derivations],
    )


def render_display(derivation: Derivation) -> str:
    """Math-only LaTeX for Jupyter's ``_repr_latex_``: ``$$\\begin{aligned}...\\end{aligned}$$``."""
    verification.require_verified(derivation)
    printer = NotesLatexPrinter()
    chains = [
        [
            {"lhs": lhs, "rhs": rhs, "why": prose.to_math_mode(f"({why})")}
            for lhs, rhs, why in _rows(chain, printer)
        ]
        for chain in derivation.chains
    ]
    return templates.latex_display.render(chains=chains)


# --- the view a section template gets --------------------------------------------------------


def _label(d: Derivation, kind: str) -> str:
    return kind + ":" + "".join(c if c.isalnum() else "-" for c in d.name)


def _checks_view(d: Derivation) -> list[dict]:
    return [
        {
            "mark": {"✓": r"$\checkmark$", "✗": r"$\times$"}.get(verification.mark(c), "?"),
            "name": prose.to_text_mode(c.name),
            "detail": prose.to_text_mode(c.detail),
        }
        for c in d.checks
    ]


def _section_view(d: Derivation, mode: str) -> dict:
    printer = NotesLatexPrinter()
    return {
        "title": prose.to_text_mode(d.title),
        "label": _label(d, "sec"),
        "record_label": _label(d, "ver"),
        "summary": prose.to_text_mode(d.summary),
        "conventions": [prose.to_text_mode(c) for c in d.conventions],
        "chains": [_chain_view(chain, printer) for chain in d.chains],
        "checks": _checks_view(d) if mode == "inline" else [],
        "mode": mode,
    }


def _record_view(d: Derivation) -> dict:
    """The full verification record of one derivation, for the appendix."""
    return {
        "title": prose.to_text_mode(d.title),
        "label": _label(d, "ver"),
        "chains": [
            {
                "title": prose.to_text_mode(prose.sentence_case(chain.title)),
                "verified": _verified_lines(chain),
            }
            for chain in d.chains
        ],
        "checks": _checks_view(d),
        "assumptions": [prose.to_text_mode(a) for a in d.domain.assumptions],
    }


def _verified_lines(chain: Chain) -> list[str]:
    return [prose.to_text_mode(f"{label}: {how}") for label, how in verification.step_groups(chain)]


def _chain_view(chain: Chain, printer: NotesLatexPrinter) -> dict:
    rows = [
        {"lhs": lhs, "rhs": rhs, "why": prose.to_text_mode(f"({why})")}
        for lhs, rhs, why in _rows(chain, printer)
    ]
    return {
        "title": prose.to_text_mode(prose.sentence_case(chain.title)),
        "note": prose.to_text_mode(prose.sentence_case(chain.note)),
        "rows": rows,
        "below": not fits_beside(chain),
        "why_width": _why_width(chain),
        "matrix_form": chain.matrix_form,
        "matrix_lhs": vector_lhs_latex(chain),
        "verified": _verified_lines(chain),
        "footnote": prose.to_text_mode(verification.summary(chain)),
    }


def vector_lhs_latex(chain: Chain) -> str:
    """The left-hand side of a chain's matrix form: ∂L/∂W_ij → ∂L/∂W (empty if not a gradient).

    >>> from derive.symbols import L, Wm, i, j
    >>> print(vector_lhs_latex(Chain(lhs=sp.Derivative(L, Wm[i, j]), steps=[])))
    \\frac{\\partial L}{\\partial W}
    """
    parts = vector_gradient(chain)
    if parts is None:
        return ""
    return r"\frac{\partial %s}{\partial %s}" % (
        NotesLatexPrinter().doprint(parts[0]),
        vector_name_latex(parts[1]),
    )


def _rows(chain: Chain, printer: NotesLatexPrinter) -> list[tuple[str, str, str]]:
    """(lhs, rhs, why) per step; lhs only on the first line; a sum too wide for the line is
    broken over several (see ``broken_sum``)."""
    budget = LINE_BUDGET - visual_width(chain.lhs) - 2
    lhs = printer.doprint(chain.lhs)
    return [
        (lhs if n == 0 else "", broken_sum(step.rhs, printer, budget), step.why)
        for n, step in enumerate(chain.steps)
    ]


def broken_sum(expr: sp.Basic, printer: NotesLatexPrinter, budget: float = LINE_BUDGET) -> str:
    """``expr`` as LaTeX; a sum wider than ``budget`` letters is broken before a + or −, each
    continuation an ``align*`` line of its own (``\\\\ &\\qquad {} + …``).

    >>> a, b, c, d = sp.symbols("a b c d")
    >>> print(broken_sum(a + b - c + d, NotesLatexPrinter(), budget=8))
    a + b \\\\
      &\\qquad {} - c + d
    """
    if not isinstance(expr, sp.Add) or visual_width(expr) <= budget:
        return printer.doprint(expr)
    lines: list[list[str]] = [[]]
    width = 0.0
    for n, term in enumerate(printer._as_ordered_terms(expr)):
        sign = "- " if n and term.could_extract_minus_sign() else ("+ " if n else "")
        shown = -term if sign == "- " else term
        body = printer._print(shown)
        if printer._needs_add_brackets(shown):
            body = r"\left(%s\right)" % body
        term_width = visual_width(shown) + 2.5
        if lines[-1] and width + term_width > budget:
            lines.append([])
            width = 0.0
        lines[-1].append(sign + body)
        width += term_width
    return " \\\\\n  &\\qquad {} ".join(" ".join(line) for line in lines)


# --- layout ------------------------------------------------------------------------------------


def fits_beside(chain: Chain) -> bool:
    """Whether the widest step and the longest justification fit on one line together."""
    lhs = visual_width(chain.lhs)
    widest = max(visual_width(step.rhs) for step in chain.steps)
    longest = max(len(step.why) for step in chain.steps) + 2
    return lhs + 2 + widest + 3 + PROSE_LETTER * longest <= LINE_BUDGET


def _why_width(chain: Chain) -> str:
    """Width of a justification under its step: the line less the left-hand side and a \\qquad."""
    return r"\dimexpr\linewidth-%.1fem\relax" % (EM_PER_LETTER * visual_width(chain.lhs) + 4)


def visual_width(expr: sp.Basic) -> float:
    """Rough width of ``expr`` typeset in display math, in letters (fractions stack, Σ limits too).

    >>> visual_width(sp.Symbol("x") + 1)
    4.5
    """
    if isinstance(expr, (sp.Symbol, sp.Number, sp.NumberSymbol)):
        return float(min(len(str(expr)), 4))
    if isinstance(expr, (sp.Indexed, sp.KroneckerDelta)):  # a letter and a subscript
        return 1.0 + 0.7 * max(len(text(expr)) - 2, 1)
    if isinstance(expr, sp.Add):
        return sum(visual_width(a) for a in expr.args) + 2.5 * (len(expr.args) - 1)
    if isinstance(expr, sp.Mul):
        numer, denom = sp.fraction(expr, exact=True)
        if denom != 1:
            return max(visual_width(numer), visual_width(denom)) + 1
        return sum(visual_width(f) + (2 if f.is_Add else 0.5) for f in expr.args)
    if isinstance(expr, sp.Pow):
        if expr.exp.is_negative:
            return visual_width(1 / expr) + 1
        paren = 2 if expr.base.is_Add or isinstance(expr.base, Sum) else 0
        return visual_width(expr.base) + paren + 0.7 * visual_width(expr.exp)
    if isinstance(expr, Sum):
        limits = max(0.7 * sum(visual_width(x) for x in limit) for limit in expr.limits)
        return len(expr.limits) * max(2.0, limits) + visual_width(expr.function) + 1
    if isinstance(expr, sp.Derivative):
        variables = sum(visual_width(v) + 1 for v, _ in expr.variable_count)
        top = leibniz_operand(expr.expr)
        if top is not None:
            return max(visual_width(top) + 1, variables)
        return variables + visual_width(expr.expr) + 2
    if isinstance(expr, sp.exp):
        return 1 + 0.7 * visual_width(expr.args[0])
    if isinstance(expr, sp.Function):
        name = notation.FUNCTIONS_TEXT.get(type(expr).__name__, type(expr).__name__)
        return len(name) + 2 + sum(visual_width(a) for a in expr.args)
    return float(len(text(expr)))
