"""Jinja templates of the LaTeX and Markdown output, kept as strings so that they ship with the code.

Every template states in its header comment what it expects. They render with ``StrictUndefined``
(a missing field is an error, not an empty string) and ``keep_trailing_newline``. Values arrive
already converted (printed math, escaped prose): templates only lay them out. LaTeX templates use
``<< >>``, ``<% %>`` and ``<# #>`` as delimiters, because ``{{`` and ``{%`` occur in LaTeX.
"""

from __future__ import annotations

import jinja2

LATEX_DOCUMENT = r"""<# A standalone document.
   Expects: title (LaTeX text), sections (list of LaTeX strings, one per derivation),
   appendix (LaTeX: the verification record, or empty), verification (the mode). #>
\documentclass[11pt,a4paper]{article}
\usepackage[margin=2.5cm]{geometry}
\usepackage{amsmath,amssymb}
\allowdisplaybreaks
\sloppy
% amsfonts has no blackboard-bold digits: draw the indicator \mathbb{1} as a double-struck one
\let\amsmathbb\mathbb
\renewcommand{\mathbb}[1]{\ifx1#1\mathrm{1\kern-0.3em1}\else\amsmathbb{#1}\fi}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5\baselineskip}

\title{<< title >>}
\author{}
\date{}

\begin{document}
\maketitle

\section*{Conventions}
\begin{itemize}
  \item Vectors are column vectors indexed from 1: $z_{i}$ is the $i$-th entry of
    $z \in \mathbb{R}^{K}$. Layer numbers are superscripts in parentheses ($W^{(2)}$,
    $\delta^{(2)}$), indices are subscripts ($W^{(2)}_{ij}$).
  \item A dense layer computes $z = W h + b$ with
    $W \in \mathbb{R}^{n_{\mathrm{out}} \times n_{\mathrm{in}}}$: $W_{ij}$ connects input $j$
    to output $i$, and $\delta = \partial L / \partial z$ is the error arriving at $z$.
  \item In batch form the $m$ examples are the rows of a matrix:
    $H \in \mathbb{R}^{m \times n_{\mathrm{in}}}$ and $Z = H W^{\top} + \mathbf{1} b^{\top}$.
  \item The batch loss is the mean $L = \frac{1}{m} \sum_{n=1}^{m} \ell_{n}$. The factor
    $\frac{1}{m}$ appears exactly once: in the parameter gradients
    ($\partial L / \partial W = \frac{1}{m} \Delta^{\top} H$), or equivalently by scaling the
    output gradient once; per-example gradients $\Delta$ do not carry it.
  \item $\odot$ is the elementwise (Hadamard) product and $\sigma$ the logistic sigmoid.
    $\mathbb{1}\left[\cdot\right]$ is the indicator: $\mathbb{1}\left[i = k\right]$ is 1 if
    $i = k$ and 0 otherwise (the Kronecker delta), $\mathbb{1}\left[z > 0\right]$ is 1 if
    $z > 0$ (so $\operatorname{ReLU}'(0) = 0$).
<% if verification != "none" %>
  \item Every step below was checked to equal the one before it, symbolically where possible,
    otherwise numerically at random points for several sizes, and every result was
    cross-checked by an independent route (direct differentiation, finite differences).
<% if verification == "appendix" %>
    A $\checkmark$ marks a checked chain; the full record is in the appendix.
<% endif %>
<% endif %>
\end{itemize}
<% for section in sections %>

<< section >>
<% endfor %>
<% if appendix %>

<< appendix >>
<% endif %>

\end{document}
"""

LATEX_SECTION = r"""<# One derivation as a section.
   Expects d with: title, label, record_label, summary, conventions (list), mode ("appendix",
   "inline" or "none"), checks (list of mark, name, detail; inline mode only) and chains (list
   of: title, note, rows (list of lhs, rhs, why), below (bool: justification under its step
   instead of beside it), why_width (a TeX length: the width of a justification under its
   step), matrix_form, matrix_lhs (its left-hand side, or empty), verified (list), footnote
   (one sentence)). All values are LaTeX; justifications are text mode, in an \mbox or
   \parbox so that their math is in text style. #>
\section{<< d.title >>}\label{<< d.label >>}
\emph{<< d.summary >>}
<% if d.conventions %>
\begin{itemize}
<% for convention in d.conventions %>
  \item << convention >>
<% endfor %>
\end{itemize}
<% endif %>
<% for chain in d.chains %>

\subsection*{<< chain.title >>}
<% if chain.note %>
<< chain.note >>
<% endif %>
\begin{align*}
<% for row in chain.rows %>
<% if chain.below %>
  << row.lhs >> &= << row.rhs >> \\
  &\qquad \parbox[t]{<< chain.why_width >>}{\small\raggedright << row.why >>}<% if not loop.last %> \\[0.6ex]<% endif %>

<% else %>
  << row.lhs >> &= << row.rhs >> && \mbox{\small << row.why >>}<% if not loop.last %> \\<% endif %>

<% endif %>
<% endfor %>
\end{align*}
<% if chain.matrix_form %>
In matrix form: $\displaystyle <% if chain.matrix_lhs %><< chain.matrix_lhs >> = <% endif %><< chain.matrix_form >>$.<% if d.mode == "appendix" %>
\hfill$\checkmark$\footnote{<< chain.footnote >> Record: appendix, \ref{<< d.record_label >>}.}<% endif %>

<% elif d.mode == "appendix" %>
\hfill$\checkmark$\footnote{<< chain.footnote >> Record: appendix, \ref{<< d.record_label >>}.}

<% endif %>
<% if d.mode == "inline" %>
{\footnotesize Verified:<% for line in chain.verified %> << line >><% if not loop.last %>;<% endif %><% endfor %>.\par}
<% endif %>
<% endfor %>
<% if d.checks %>

\paragraph{Cross-checks.}
\begin{itemize}
<% for check in d.checks %>
  \item[<< check.mark >>] << check.name >>: << check.detail >>
<% endfor %>
\end{itemize}
<% endif %>
"""

LATEX_APPENDIX = r"""<# The verification record of every derivation (lecture mode).
   Expects: heading (the sectioning command of the record, e.g. \appendix\section), entry (that
   of each derivation's record, e.g. \subsection), records (list of: title, label, assumptions
   (list), chains (list of title, verified (list)), checks (list of mark, name, detail)). #>
<< heading >>{Verification record}
Each step of a chain was checked to equal the step before it: symbolically where that can be
decided, otherwise by evaluating both sides at random points of the domain, for several sizes
of the vectors involved. Each result was then cross-checked by two independent routes: direct
differentiation of the whole composition written out at small sizes, and central finite
differences.
<% for record in records %>

<< entry >>{<< record.title >>}\label{<< record.label >>}
<% if record.assumptions %>
Sampled with: <% for a in record.assumptions %><< a >><% if not loop.last %>; <% endif %><% endfor %>.
<% endif %>
\begin{itemize}
<% for chain in record.chains %>
  \item \textbf{<< chain.title >>}:<% for line in chain.verified %> << line >><% if not loop.last %>;<% endif %><% endfor %>.
<% endfor %>
<% for check in record.checks %>
  \item[<< check.mark >>] << check.name >>: << check.detail >>
<% endfor %>
\end{itemize}
<% endfor %>
"""

LATEX_DISPLAY = r"""<# Math-only display for Jupyter (_repr_latex_, MathJax).
   Expects chains: list of rows (list of lhs, rhs, why), values in math-mode LaTeX. #>
$$
\begin{aligned}
<% for rows in chains %>
<% set outer = loop %>
<% for row in rows %>
<< row.lhs >> &= << row.rhs >> &&\quad {\textstyle << row.why >>}<% if not (loop.last and outer.last) %> \\<% if loop.last %>[2ex]<% endif %><% endif %>

<% endfor %>
<% endfor %>
\end{aligned}
$$
"""

MARKDOWN = r"""{# One derivation in Markdown with $$ display math (GitHub and Jupyter).
   Expects d with: title, name, summary, conventions (list), checks (list of mark, name, detail)
   and chains (list of: title, note, rows (list of lhs, rhs: math-mode LaTeX), whys (list, one
   per step), verified (list of lines), matrix_form, matrix_lhs (its left-hand side, or empty)).
   Prose is Markdown-escaped already. #}
## {{ d.title }}

{{ d.summary }}
{% if d.conventions %}

**Conventions**

{% for convention in d.conventions %}
- {{ convention }}
{% endfor %}
{% endif %}
{% for chain in d.chains %}

### {{ chain.title }}
{% if chain.note %}

*{{ chain.note }}*
{% endif %}

$$
\begin{aligned}
{% for row in chain.rows %}
{{ row.lhs }} &= {{ row.rhs }} && \text{({{ loop.index }})}{% if not loop.last %} \\{% endif %}

{% endfor %}
\end{aligned}
$$

{% for why in chain.whys %}
{{ loop.index }}. {{ why }}
{% endfor %}

{% for line in chain.verified %}
*✓ {{ line }}*{% if not loop.last %}<br>{% endif %}

{% endfor %}
{% if chain.matrix_form %}

In matrix form: $\displaystyle {% if chain.matrix_lhs %}{{ chain.matrix_lhs }} = {% endif %}{{ chain.matrix_form }}$
{% endif %}
{% endfor %}
{% if d.checks %}

**Cross-checks**

{% for check in d.checks %}
- {{ check.mark }} {{ check.name }}: {{ check.detail }}
{% endfor %}
{% endif %}
"""


def latex_environment(loader=None) -> jinja2.Environment:
    """The Jinja2 environment of every LaTeX template (handouts, slides, exercises): LaTeX's
    braces are left alone (blocks ``<% %>``, values ``<< >>``, comments ``<# #>``), strict
    about undefined names, no HTML escaping (values are LaTeX already)."""
    return jinja2.Environment(
        loader=loader,
        block_start_string="<%",
        block_end_string="%>",
        variable_start_string="<<",
        variable_end_string=">>",
        comment_start_string="<#",
        comment_end_string="#>",
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # noqa: S701 - the output is LaTeX
    )


_LATEX = latex_environment()
_MARKDOWN = jinja2.Environment(
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,
)

latex_document = _LATEX.from_string(LATEX_DOCUMENT)
latex_section = _LATEX.from_string(LATEX_SECTION)
latex_display = _LATEX.from_string(LATEX_DISPLAY)
latex_appendix = _LATEX.from_string(LATEX_APPENDIX)
markdown = _MARKDOWN.from_string(MARKDOWN)
