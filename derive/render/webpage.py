"""HTML output: one self-contained page that typesets every formula offline (KaTeX embedded).

A table of contents lists the derivations and their chains; each chain is a table of steps
(left-hand side, ``= step``, justification with its math typeset) with a ✓ badge that links to
its verification record. Lecture mode (the default) puts the record in a last section;
``verification="inline"`` shows it under each chain, ``"none"`` leaves it out. All text is
HTML-escaped; math is TeX inside ``<span class="math">``, typeset by KaTeX when the page loads.

>>> import derive
>>> page = render(derive.get("sigmoid"))
>>> page.startswith("<!DOCTYPE html>") and 'class="math display"' in page
True
"""

from __future__ import annotations

import html

from derive.model import Chain, Derivation
from derive.render import html_page, prose
from derive.render.latex import DEFAULT_TITLE, vector_lhs_latex
from derive.render.printer import NotesLatexPrinter
from derive.render.verification import mark, require_mode, require_verified, step_groups, summary

CONVENTIONS = [
    "Vectors are column vectors indexed from 1: z_i is the i-th entry of z ∈ ℝ^K. Layer numbers "
    "are superscripts in parentheses (W^(2), δ^(2)), indices are subscripts (W^(2)_ij).",
    "A dense layer computes z = W h + b with W ∈ ℝ^{n_out × n_in}: W_ij connects input j to "
    "output i, and δ = ∂L/∂z is the error arriving at z.",
    "In batch form the m examples are the rows of a matrix: H ∈ ℝ^{m × n_in} and "
    "Z = H Wᵀ + 1 bᵀ. The batch loss is the mean L = (1/m) Σ_n ℓ_n, so 1/m appears exactly once.",
    "⊙ is the elementwise (Hadamard) product and σ the logistic sigmoid. 𝟙[i = k] is 1 if i = k "
    "and 0 otherwise (the Kronecker delta); 𝟙[z > 0] is 1 if z > 0 (so ReLU′(0) = 0).",
]


def typeset(text: str) -> str:
    """Prose as HTML: text escaped, math in ``<span class="math">`` for KaTeX.

    >>> print(typeset('Σ_k y_k = 1 because y is "one-hot"'))
    <span class="math">\\sum_{k} y_{k} = 1</span> because <span class="math">y</span> is &quot;one-hot&quot;
    """
    return prose.to_delimited(
        text, text=html.escape, math=lambda tex: '<span class="math">%s</span>' % html.escape(tex)
    )


def _id(*parts: str) -> str:
    return "-".join("".join(c if c.isalnum() else "-" for c in part) for part in parts)


def render(derivation: Derivation) -> str:
    """One derivation as a whole page (lecture mode)."""
    return render_document([derivation])


def render_document(
    derivations: list[Derivation], title: str = DEFAULT_TITLE, verification: str = "appendix"
) -> str:
    """Every derivation on one page, with a table of contents and (by default) the record."""
    require_mode(verification)
    for d in derivations:
        require_verified(d)
    views = [_section_view(d, verification) for d in derivations]
    appendix = ""
    if verification == "appendix":
        appendix = html_page.appendix.render(records=[_record_view(d) for d in derivations])
    return html_page.page.render(
        title=html.escape(title),
        katex_version=html_page.KATEX_VERSION,
        katex_css=html_page.katex_css(),
        katex_js=html_page.katex_js(),
        conventions=[typeset(c) for c in CONVENTIONS],
        toc=[
            {"id": v["id"], "title": v["title"], "chains": v["chains"]}
            for v in views  # chains carry id and title
        ],
        sections=[html_page.section.render(d=v) for v in views],
        appendix=appendix,
    )


def _checks(d: Derivation) -> list[dict]:
    return [
        {"mark": mark(c), "name": typeset(c.name), "detail": typeset(c.detail)} for c in d.checks
    ]


def _verified(chain: Chain) -> list[str]:
    return [typeset(f"{label}: {how}") for label, how in step_groups(chain)]


def _section_view(d: Derivation, mode: str) -> dict:
    printer = NotesLatexPrinter()
    return {
        "id": _id("sec", d.name),
        "record_id": _id("ver", d.name),
        "title": typeset(d.title),
        "summary": typeset(d.summary),
        "conventions": [typeset(c) for c in d.conventions],
        "mode": mode,
        "checks": _checks(d) if mode == "inline" else [],
        "chains": [_chain_view(d, n, chain, printer) for n, chain in enumerate(d.chains, 1)],
    }


def _chain_view(d: Derivation, number: int, chain: Chain, printer: NotesLatexPrinter) -> dict:
    matrix = ""
    if chain.matrix_form:
        lhs = vector_lhs_latex(chain)
        matrix = html.escape(f"{lhs} = {chain.matrix_form}" if lhs else chain.matrix_form)
    return {
        "id": _id("sec", d.name, str(number)),
        "title": typeset(prose.sentence_case(chain.title or d.title)),
        "note": typeset(prose.sentence_case(chain.note)),
        "rows": [
            {
                "lhs": html.escape(printer.doprint(chain.lhs)) if n == 0 else "",
                "rhs": html.escape(printer.doprint(step.rhs)),
                "why": typeset(step.why),
            }
            for n, step in enumerate(chain.steps)
        ],
        "matrix": matrix,
        "badge": html.escape(summary(chain)),
        "passed": all(step.verified_by for step in chain.steps),
        "verified": _verified(chain),
    }


def _record_view(d: Derivation) -> dict:
    return {
        "id": _id("ver", d.name),
        "title": typeset(d.title),
        "assumptions": [typeset(a) for a in d.domain.assumptions],
        "chains": [
            {"title": typeset(prose.sentence_case(c.title or d.title)), "verified": _verified(c)}
            for c in d.chains
        ],
        "checks": _checks(d),
    }
