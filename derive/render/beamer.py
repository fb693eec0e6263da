"""Slides (beamer): one frame per derivation chain, its steps revealed one by one.

Step n of a chain and its justification appear on overlay n (``\\uncover<n->``), the matrix
form and the ✓ with the last step. Lecture mode (the default) ends with the verification
record, one frame per derivation; ``verification="inline"`` puts each chain's record at the
foot of its frame, ``"none"`` leaves it out. Compiles with pdflatex (beamer, amsmath).

>>> import derive
>>> slides = render(derive.get("softmax-ce"))
>>> slides.count(r"\\begin{frame}"), r"\\uncover<6->" in slides
(4, True)
"""

from __future__ import annotations

from derive.model import Chain, Derivation
from derive.render import prose
from derive.render.latex import DEFAULT_TITLE, vector_lhs_latex
from derive.render.printer import NotesLatexPrinter
from derive.render.templates import latex_environment
from derive.render.verification import (
    mark,
    require_mode,
    require_verified,
    step_groups,
    summary,
)

SLIDES = r"""<# Slides.
   Expects: title (LaTeX text), verification (the mode), derivations (list of: title, summary,
   conventions (list), chains (list of: title, note, rows (list of show (an overlay
   specification such as <2->), lhs, rhs, why), last (the overlays of the last step), matrix (LaTeX math or empty), footnote, verified (list))),
   records (list of: title, chains (list of title, verified), checks (list of mark, name,
   detail)). All values are LaTeX. #>
\documentclass[11pt,aspectratio=169]{beamer}
\usepackage{amsmath,amssymb}
% amsfonts has no blackboard-bold digits: draw the indicator \mathbb{1} as a double-struck one
\let\amsmathbb\mathbb
\renewcommand{\mathbb}[1]{\ifx1#1\mathrm{1\kern-0.3em1}\else\amsmathbb{#1}\fi}
\setbeamertemplate{navigation symbols}{}
\setbeamertemplate{footline}[frame number]
\title{<< title >>}
\date{}

\begin{document}
\begin{frame}
\titlepage
\end{frame}
<% for d in derivations %>

\section{<< d.title >>}
\begin{frame}{<< d.title >>}
\emph{<< d.summary >>}
<% if d.conventions %>
\begin{itemize}
<% for convention in d.conventions %>
  \item \small << convention >>
<% endfor %>
\end{itemize}
<% endif %>
\end{frame}
<% for chain in d.chains %>

\begin{frame}{<< chain.title >>}
<% if chain.note %>
{\small << chain.note >>\par}
<% endif %>
<% if chain.rows | length > 4 %>\footnotesize<% else %>\small<% endif %>

\begin{align*}
<% for row in chain.rows %>
  << row.lhs >> &\uncover<< row.show >>{= << row.rhs >>} && \uncover<< row.show >>{\parbox[t]{0.36\linewidth}{\scriptsize\raggedright << row.why >>}}<% if not loop.last %> \\[0.3ex]<% endif %>

<% endfor %>
\end{align*}
<% if chain.matrix %>
\uncover<< chain.last >>{In matrix form: $\displaystyle << chain.matrix >>$}
<% endif %>
<% if verification == "appendix" %>

\uncover<< chain.last >>{\hfill{\scriptsize $\checkmark$ << chain.footnote >>}}
<% elif verification == "inline" %>

\uncover<< chain.last >>{{\tiny $\checkmark$<% for line in chain.verified %> << line >><% if not loop.last %>;<% endif %><% endfor %>.\par}}
<% endif %>
\end{frame}
<% endfor %>
<% endfor %>
<% if records %>

\appendix
\section{Verification record}
<% for record in records %>
\begin{frame}[allowframebreaks]{Verification record: << record.title >>}
\scriptsize
\begin{itemize}
<% for chain in record.chains %>
  \item \textbf{<< chain.title >>}:<% for line in chain.verified %> << line >><% if not loop.last %>;<% endif %><% endfor %>.
<% endfor %>
<% for check in record.checks %>
  \item[<< check.mark >>] << check.name >>: << check.detail >>
<% endfor %>
\end{itemize}
\end{frame}
<% endfor %>
<% endif %>
\end{document}
"""

_ENV = latex_environment()
slides = _ENV.from_string(SLIDES)


def render(derivation: Derivation) -> str:
    """One derivation as a slide deck (lecture mode)."""
    return render_document([derivation])


def render_document(
    derivations: list[Derivation], title: str = DEFAULT_TITLE, verification: str = "appendix"
) -> str:
    """Every derivation as slides: a frame of conventions, then one frame per chain."""
    require_mode(verification)
    for d in derivations:
        require_verified(d)
    printer = NotesLatexPrinter()
    return slides.render(
        title=prose.to_text_mode(title),
        verification=verification,
        derivations=[_derivation_view(d, printer) for d in derivations],
        records=[_record_view(d) for d in derivations] if verification == "appendix" else [],
    )


def _verified(chain: Chain) -> list[str]:
    return [prose.to_text_mode(f"{label}: {how}") for label, how in step_groups(chain)]


def _derivation_view(d: Derivation, printer: NotesLatexPrinter) -> dict:
    return {
        "title": prose.to_text_mode(d.title),
        "summary": prose.to_text_mode(d.summary),
        "conventions": [prose.to_text_mode(c) for c in d.conventions],
        "chains": [_chain_view(d, chain, printer) for chain in d.chains],
    }


def _chain_view(d: Derivation, chain: Chain, printer: NotesLatexPrinter) -> dict:
    matrix = ""
    if chain.matrix_form:
        lhs = vector_lhs_latex(chain)
        matrix = f"{lhs} = {chain.matrix_form}" if lhs else chain.matrix_form
    return {
        "title": prose.to_text_mode(prose.sentence_case(chain.title or d.title)),
        "note": prose.to_text_mode(prose.sentence_case(chain.note)),
        "rows": [
            {
                "show": f"<{n}->",  # the overlays on which step n is shown
                "lhs": printer.doprint(chain.lhs) if n == 1 else "",
                "rhs": printer.doprint(step.rhs),
                "why": prose.to_text_mode(step.why),
            }
            for n, step in enumerate(chain.steps, start=1)
        ],
        "last": f"<{len(chain.steps)}->",
        "matrix": matrix,
        "footnote": prose.to_text_mode(summary(chain)),
        "verified": _verified(chain),
    }


def _record_view(d: Derivation) -> dict:
    return {
        "title": prose.to_text_mode(d.title),
        "chains": [
            {
                "title": prose.to_text_mode(prose.sentence_case(c.title or d.title)),
                "verified": _verified(c),
            }
            for c in d.chains
        ],
        "checks": [
            {
                "mark": {"✓": r"$\checkmark$", "✗": r"$\times$"}.get(mark(c), "?"),
                "name": prose.to_text_mode(c.name),
                "detail": prose.to_text_mode(c.detail),
            }
            for c in d.checks
        ],
    }
