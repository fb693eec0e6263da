"""Tests of derive.render: exact printer output, every format for every built-in, JSON round
trip, refusal of unverified derivations, and a pdflatex compile of the whole document."""

from __future__ import annotations

import doctest
import json
import random
import shutil
import subprocess

import pytest
import sympy as sp

import derive.registry
from derive.errors import DerivationError, UnknownNameError
from derive.functions import relu, sigmoid
from derive.model import Chain, Check, Derivation, Domain, Step
from derive.render import (
    FORMATS,
    forms,
    jsonout,
    latex,
    markdown,
    notation,
    printer,
    prose,
    render,
    render_many,
    templates,
    text,
    textprinter,
    verification,
)
from derive.render.printer import NotesLatexPrinter, NotesTextPrinter
from derive.symbols import K, L, Wm, deltav, i, j, k, m, n_in, pv, yv, z, zv

NAMES = derive.registry.names()
W = Wm
x = sp.IndexedBase("x")
n = sp.Symbol("n", integer=True, positive=True)


@pytest.fixture(scope="session")
def derivations() -> list[Derivation]:
    """Every built-in, verified once for the whole session (about a second each)."""
    return [derive.registry.get(name) for name in NAMES]


def random_prose(count: int, seed: int = 0) -> list[str]:
    """Deterministic random strings over every character the prose converter knows, and more."""
    alphabet = "".join(notation.PROSE_LATEX) + "".join(notation.ACCENTS) + "ab xyz_^{}()-'\\"
    alphabet += "ᶻₖ²ŷé☃\t"
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(40)) for _ in range(count)]


@pytest.fixture(scope="session")
def awkward() -> Derivation:
    """A (pretend-)verified derivation whose prose holds every kind of awkward character."""
    nasty = (
        "50% & #1 $5 ~ \\ {x} <y> |z| a_b^c x_i_j² ŷ café ☃ Σ_{l=1}^{K} e^{z_l} hᵀ ∂L/∂W ⊙ — “q”"
    )
    chain = Chain(
        lhs=sp.Derivative(L, W[i, j]),
        steps=[Step(deltav[i] * sp.IndexedBase("h")[j], nasty, "numeric: " + nasty)],
        title=nasty,
        note=nasty,
        matrix_form=r"\delta h^{\top}",
        matrix_form_text="δ hᵀ",
    )
    return Derivation(
        name="awkward_name#1",
        title="Awkward: " + nasty,
        summary=nasty,
        chains=[chain],
        domain=Domain(),
        conventions=[nasty, "-y[k]/p[k] starts a line", "1. looks like a list", *random_prose(40)],
        checks=[Check("finite differences " + nasty, nasty, True), Check("skipped", "", None)],
        verified=True,
    )


def tex(expr) -> str:
    return NotesLatexPrinter().doprint(expr)


def txt(expr) -> str:
    return NotesTextPrinter().doprint(expr)


# --- LaTeX printer ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (sp.Sum(yv[k], (k, 1, K)), r"\sum_{k=1}^{K} y_{k}"),
        (zv[i], "z_{i}"),
        (W[i, j], "W_{ij}"),
        (W[i, j + 1], "W_{i,j + 1}"),
        (deltav[i], r"\delta_{i}"),
        (sp.IndexedBase("W2")[i, j], "W^{(2)}_{ij}"),
        (sp.IndexedBase("zprev")[j], r"z_{\mathrm{prev},j}"),
        (sp.IndexedBase("yhat")[k], r"\hat{y}_{k}"),
        # the Kronecker delta is the indicator 𝟙[i = j]: δ is the gradient (issue 14)
        (sp.KroneckerDelta(i, j), r"\mathbb{1}\left[i = j\right]"),
        (sp.KroneckerDelta(i, j + 1), r"\mathbb{1}\left[i = j + 1\right]"),
        (sp.IndexedBase("dh2")[j], r"\frac{\partial L}{\partial h^{(2)}_{j}}"),
        (sp.Symbol("delta"), r"\delta"),
        (n_in, r"n_{\mathrm{in}}"),
        (sp.Symbol("yhat"), r"\hat{y}"),
        (sp.Derivative(L, zv[i]), r"\frac{\partial L}{\partial z_{i}}"),
        (sp.Derivative(pv[i], zv[j]), r"\frac{\partial p_{i}}{\partial z_{j}}"),
        (sp.Derivative(sigmoid(z), z), r"\frac{d}{d z} \sigma\left(z\right)"),
        (sp.Derivative(z**2 + z, z), r"\frac{d}{d z} \left(z^{2} + z\right)"),
        (sp.Derivative(L, zv[i], zv[j]), r"\frac{\partial^{2} L}{\partial z_{i} \partial z_{j}}"),
        (
            sp.Derivative(-sp.Sum(yv[k] * sp.log(pv[k]), (k, 1, K)), zv[i]),
            r"\frac{\partial}{\partial z_{i}} \left(- \sum_{k=1}^{K} y_{k} \log p_{k}\right)",
        ),
        (sp.Derivative(sp.Function("g")(z), z), r"g'\left(z\right)"),
        (sp.Heaviside(z, 0), r"\mathbb{1}\left[z > 0\right]"),
        (sp.Heaviside(z, 1), r"\mathbb{1}\left[z \geq 0\right]"),
        (sp.Heaviside(z), r"H\left(z\right)"),
        (sigmoid(z), r"\sigma\left(z\right)"),
        (relu(z), r"\operatorname{ReLU}\left(z\right)"),
        (
            sigmoid(z) * (1 - sigmoid(z)),
            r"\sigma\left(z\right) \left(1 - \sigma\left(z\right)\right)",
        ),
        (pv[i] - yv[i], "p_{i} - y_{i}"),
        (sp.Symbol("yhat") - sp.Symbol("y"), r"\hat{y} - y"),
        (sp.log(1 - sp.Symbol("p")), r"\log\left(1 - p\right)"),
        (sp.Sum(W[i, j], (i, 1, m), (j, 1, n)), r"\sum_{j=1}^{n} \sum_{i=1}^{m} W_{ij}"),
        (sp.Sum(x[n], (n, 1, m)) / m, r"\frac{1}{m} \sum_{n=1}^{m} x_{n}"),
        (sp.Sum(-yv[k] / pv[k], (k, 1, K)), r"\sum_{k=1}^{K} \left(- \frac{y_{k}}{p_{k}}\right)"),
    ],
)
def test_latex_printer(expr, expected):
    assert tex(expr) == expected


def test_latex_printer_matrices():
    A, B = sp.MatrixSymbol("A", 2, 2), sp.MatrixSymbol("B", 2, 2)
    assert tex(A.T) == r"A^{\top}"
    assert tex(sp.HadamardProduct(A, B)) == r"A \odot B"


# --- Unicode printer -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (sp.Derivative(L, zv[i]), "∂L/∂z_i"),
        (pv[i] - yv[i], "p_i − y_i"),
        (sigmoid(z) * (1 - sigmoid(z)), "σ(z)·(1 − σ(z))"),
        (sp.Sum(yv[k] * sp.log(pv[k]), (k, 1, K)), "Σ_{k=1}^{K} y_k log(p_k)"),
        (sp.KroneckerDelta(i, j), "𝟙[i = j]"),
        (sp.IndexedBase("dh2")[j], "(∂L/∂h⁽²⁾_j)"),
        (sp.Heaviside(z, 0), "𝟙[z > 0]"),
        (sp.Symbol("h") ** 2, "h²"),
        (sp.Symbol("yhat") - sp.Symbol("y"), "ŷ − y"),
        (sp.exp(-z) / (1 + sp.exp(-z)) ** 2, "exp(−z)/(1 + exp(−z))²"),
        (sp.Derivative(sigmoid(z), z), "d/dz σ(z)"),
        (sp.Sum(x[n], (n, 1, m)) / m, "(1/m) Σ_{n=1}^{m} x_n"),
        (W[i, j + 1], "W_{i,j + 1}"),
        (sp.IndexedBase("W3")[i, j], "W⁽³⁾_ij"),
        (n_in, "n_in"),
        (sp.Rational(-1, 2), "−1/2"),
        (relu(z), "ReLU(z)"),
    ],
)
def test_text_printer(expr, expected):
    assert txt(expr) == expected


def test_srepr_keeps_unevaluated_steps_and_function_assumptions():
    r, theta = sp.symbols("r theta", real=True)
    f = sp.Function("f", real=True)(r, theta)
    unevaluated = sp.Add(2 * f, -2 * f, evaluate=False)
    for expr in (f, unevaluated, sp.Mul(2, 3, evaluate=False)):
        assert sp.sympify(printer.srepr(expr)) == expr


# --- prose (justifications) -------------------------------------------------------------------


def test_prose_to_latex():
    # one formula is one math run, across spaces, digits and = / , ( ) (issue 14)
    assert prose.to_text_mode("Σ_k y_k = 1") == r"\ensuremath{\sum_{k} y_{k} = 1}"
    assert prose.to_text_mode("Σ_k y_k = 1 because") == r"\ensuremath{\sum_{k} y_{k} = 1} because"
    assert prose.to_text_mode("ε = 1e-06") == r"\ensuremath{\varepsilon} = 1e-06"
    assert prose.to_math_mode("p_i − y_i") == r"p_{i}\text{ }-\text{ }y_{i}"
    assert prose.to_text_mode("one-hot, 50%") == r"one-hot, 50\ensuremath{\%}"
    assert prose.to_text_mode("n_in, z_prev, δ_ki") == (
        r"\ensuremath{n_{\mathrm{in}}, z_{\mathrm{prev}}, \delta_{ki}}"
    )
    # function names are upright operators, also in italic prose; "logits" stays a word
    assert prose.to_text_mode("−y_k log p_k of the logits") == (
        r"\ensuremath{-y_{k} \log p_{k}} of the logits"
    )
    # brackets balance inside each formula
    assert prose.to_delimited("p = softmax(z), y ∈ {0,1}^K") == (
        r"$p$ = softmax($z$), $y \in \{0,1\}^{K}$"
    )
    assert prose.to_text_mode("x_i_j") == r"\ensuremath{x_{ij}}"  # never a double subscript
    # a number before an operator is the formula's left operand: 1 − p, never 1 and then −p
    assert prose.to_text_mode("with probability 1 − p") == r"with probability \ensuremath{1 - p}"
    assert prose.to_text_mode("(1 − p) cancels") == r"\ensuremath{(1 - p)} cancels"
    assert prose.to_text_mode("W2 − x") == r"W2 \ensuremath{- x}"  # a name's digit stays put
    assert prose.to_text_mode("steps 1–3") == "steps 1--3"
    # a Greek subscript is a subscript (L_λ); a programming name keeps its underscore
    assert prose.to_text_mode("L_λ = L") == r"\ensuremath{L_{\lambda} = L}"
    assert prose.to_text_mode("weight_decay=λ") == r"weight\_decay=\ensuremath{\lambda}"
    # a coefficient's letter is a variable (2x), an exponent's e is not (1e-06)
    assert prose.to_text_mode("∂f/∂x = 2x") == r"\ensuremath{\partial f/\partial x = 2x}"
    assert prose.to_text_mode("rtol 1e-06, W2x") == "rtol 1e-06, W2x"


def test_prose_is_ascii_and_balanced():
    fixed = ["☃ ü ŷ ᶻ Ω ℓ", "a_{b", "^^^___", "{}{}\\\\", "x_i^2_j^3"]
    for text_in in fixed + random_prose(200, seed=1):
        for out in (prose.to_text_mode(text_in), prose.to_math_mode(text_in)):
            assert out.isascii(), text_in
            escaped = out.replace(r"\{", "").replace(r"\}", "")
            assert escaped.count("{") == escaped.count("}"), text_in


def test_markdown_escape():
    assert markdown.escape("Σ_k y_k = 1") == r"Σ\_k y\_k = 1"
    assert markdown.escape("-y[k] costs $5") == r"\-y\[k\] costs \$5"


# --- renderers -----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("name", NAMES)
def test_every_format_renders_every_builtin(name, fmt):
    d = derive.registry.get(name)
    out = render(d, fmt)
    assert out.strip()
    assert out == render(d, fmt)  # deterministic
    if fmt == "latex":
        assert out.isascii()
        assert out.count(r"\begin{align*}") == len(d.chains)


def test_text_softmax_ce():
    out = derive.registry.get("softmax-ce").to_text()
    assert "∂L/∂z_i = ∂/∂z_i (−Σ_{k=1}^{K} y_k log(p_k))" in out
    assert "= p_i − y_i " in out
    assert "(Σ_k y_k = 1 because y is one-hot)" in out
    assert "✓ steps 1–6 verified: numeric:" in out
    lines = [line for line in out.splitlines() if line.rstrip().endswith("one-hot)")]
    assert len({line.index("(") for line in lines}) == 1  # justifications in one column


def test_text_layout_of_long_lines():
    chain = Chain(lhs=L, steps=[Step(sp.Add(*[yv[q] for q in range(1, 40)]), "why")])
    lines = text.chain_lines(chain, NotesTextPrinter())
    assert lines[1].strip() == "(why)"
    assert text.width("ŷ") == 1


def test_latex_section_and_document(derivations):
    d = derive.registry.get("softmax-ce")
    section = d.to_latex()
    assert section.startswith(r"\section{Softmax with cross-entropy loss}\label{sec:softmax-ce}")
    assert r"&= p_{i} - y_{i}" in section
    assert r"\frac{\partial L}{\partial z_{i}} &= " in section
    # lecture mode: a ✓ and a footnote per chain, the record after the sections (issue 14)
    assert "Verified:" not in section
    assert (
        r"\hfill$\checkmark$\footnote{All 6 steps checked numerically at random points." in section
    )
    assert r"\subsection*{Softmax with cross-entropy loss}\label{ver:softmax-ce}" in section
    assert "steps 1--6: numeric" in section
    inline = latex.render(d, verification="inline")
    assert "Verified: steps 1--6: numeric" in inline and r"\checkmark$\footnote" not in inline
    bare = latex.render(d, verification="none")
    assert "numeric" not in bare and r"\checkmark" not in bare
    document = d.to_latex(standalone=True)
    assert document == latex.render_document([d])
    assert document.startswith(r"\documentclass")
    assert document.rstrip().endswith(r"\end{document}")
    many = render_many(derivations, "latex", standalone=True)
    assert many.count(r"\section{") == len(derivations) + 1  # and the verification record
    assert many.count(r"\appendix") == 1
    assert many.count(r"\subsection{") == len(derivations)  # one record per derivation
    assert render_many(derivations, "latex").count(r"\section{") == len(derivations)


def test_side_or_below_layout():
    short = Chain(lhs=sp.Derivative(L, z), steps=[Step(z, "short")])
    assert latex.fits_beside(short)
    long_why = Chain(lhs=sp.Derivative(L, z), steps=[Step(z, "w" * 120)])
    assert not latex.fits_beside(long_why)


def test_repr_latex_and_markdown():
    d = derive.registry.get("softmax-ce")
    display = d._repr_latex_()
    assert display.startswith("$$\n\\begin{aligned}")
    assert display.rstrip().endswith("\\end{aligned}\n$$")
    assert r"\section" not in display and r"\ensuremath" not in display
    md = d._repr_markdown_()
    assert md.startswith("## Softmax with cross-entropy loss")
    assert "$$\n\\begin{aligned}" in md
    assert r"&= p_{i} - y_{i} && \text{(6)}" in md
    assert "\n6. $\\sum_{k} y_{k} = 1$ because $y$ is one-hot\n" in md  # prose typeset
    assert "\n*✓ steps 1–6 verified: numeric:" in md


def test_json_round_trips_every_expression(derivations):
    local = {"sigmoid": sigmoid, "relu": relu}
    for d in derivations:
        data = json.loads(d.to_json())
        assert data["name"] == d.name and data["verified"] is True
        assert [c["name"] for c in data["checks"]] == [c.name for c in d.checks]
        for chain, shown in zip(d.chains, data["chains"], strict=True):
            pairs = [(chain.lhs, shown["lhs"]), (chain.result, shown["result"])]
            pairs += [(s.rhs, t["rhs"]) for s, t in zip(chain.steps, shown["steps"], strict=True)]
            for expr, out in pairs:
                assert sp.sympify(out["sympy"], locals=local) == expr, (d.name, out["sympy"])
                assert out["latex"] == tex(expr) and out["text"] == txt(expr)


def test_render_many_json_and_text(derivations):
    data = json.loads(render_many(derivations, "json"))
    assert [d["name"] for d in data] == NAMES
    joined = render_many(derivations, "text")
    assert all(d.title in joined for d in derivations)
    assert render_many(derivations, "markdown").count("\n---\n") == len(derivations) - 1


def test_unverified_derivation_is_refused():
    d = derive.registry.entries()[0].build()  # built, not verified
    assert not d.verified
    calls = [
        lambda: d.to_latex(),
        lambda: d.to_latex(standalone=True),
        lambda: d.to_markdown(),
        lambda: d.to_text(),
        lambda: d.to_json(),
        lambda: d._repr_latex_(),
        lambda: render_many([d], "json"),
        *[lambda fmt=fmt: render(d, fmt) for fmt in FORMATS],
    ]
    for call in calls:
        with pytest.raises(DerivationError, match="not verified"):
            call()


def test_unknown_format():
    with pytest.raises(UnknownNameError, match="unknown format"):
        render(derive.registry.get("tanh"), "pdf")


def test_awkward_prose_renders(awkward):
    for fmt in FORMATS:
        assert render(awkward, fmt)
    assert latex.render(awkward, standalone=True).isascii()
    md = awkward.to_markdown()
    assert "\n- $-y[k]/p[k]$ starts a line" in md
    assert "\n- 1\\. looks like a list" in md


@pytest.mark.parametrize(
    "module",
    [
        forms,
        printer,
        textprinter,
        prose,
        notation,
        latex,
        markdown,
        text,
        jsonout,
        templates,
        verification,
    ],
)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.failed == 0


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_document_compiles_with_pdflatex(tmp_path, derivations, awkward):
    source = tmp_path / "notes.tex"
    source.write_text(render_many([*derivations, awkward], "latex", standalone=True))
    result = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", source.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert (tmp_path / "notes.pdf").stat().st_size > 0
