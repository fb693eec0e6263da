"""Lecture mode: the notes read as a lecturer writes them, in one notation (issue 14).

Exact-output tests for the slips the issue names: δ used for the gradient and the Kronecker
delta in one formula, three layer-superscript styles in one document, the mlp δ lines without
their vector recurrence, an upright "dh" beside an italic h, ``log`` as italic text, SymPy's
internals in the prose, and the verification record after every line.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

import derive
from derive.render import latex, render, render_many, text
from tools import readme_images

NAMES = derive.names()


@pytest.fixture(scope="module")
def derivations():
    return [derive.get(name) for name in NAMES]


@pytest.fixture(scope="module")
def document(derivations):
    return render_many(derivations, "latex", standalone=True)


def _body(document: str) -> str:
    """The document without its appendix (the verification record)."""
    return document.partition(r"\appendix")[0]


def _formulas(tex: str) -> list[str]:
    """Every formula of a LaTeX document: align* blocks, $...$ and \\ensuremath{...}."""
    found = re.findall(r"\\begin\{align\*\}(.*?)\\end\{align\*\}", tex, flags=re.S)
    found += re.findall(r"\$([^$]+)\$", tex)
    found += re.findall(r"\\ensuremath\{((?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*)\}", tex)
    return found


def test_kronecker_delta_is_never_a_delta(document, derivations):
    # δ is the gradient; the Kronecker delta is 𝟙[i = k], in formulas and in prose
    assert not re.search(r"\\delta_\{[a-z]{2}\}", document)
    assert "δ_ik" not in render_many(derivations, "text")
    step = derive.get("dense").steps["dW"][1]
    assert latex.NotesLatexPrinter().doprint(step.rhs) == (
        r"\sum_{k=1}^{n_{\mathrm{out}}} \delta_{k} \sum_{l=1}^{n_{\mathrm{in}}} "
        r"\mathbb{1}\left[i = k\right] \mathbb{1}\left[j = l\right] h_{l}"
    )
    for formula in _formulas(document):
        kronecker = re.search(r"\\delta_\{[a-z]{2}\}", formula)
        assert not kronecker, formula


def test_one_layer_superscript_style(document):
    # layers are W^{(2)}, never W^2, W^l or W^{l}
    styles = set(re.findall(r"(?:W|b|z|\\delta)\^\{?(\(?)(?:l|L|[0-9])\b", document))
    assert styles == {"("}
    assert not re.search(r"h\^\{?(?:l|L)\b", document)  # h^{2} is a square, h^{l} would not be
    assert re.search(r"z\^\{\(l\)\} = W\^\{\(l\)\}(\\,| )h\^\{\(l-1\)\} \+ b\^\{\(l\)\}", document)
    assert r"\partial W^{(1)}_{11}" in document


def test_mlp_states_the_vector_recurrence_for_every_layer():
    tex = derive.get("mlp").to_latex()
    for number in (1, 2):
        assert (
            r"\frac{\partial L}{\partial z^{(%d)}} = \left(W^{(%d)}\right)^{\top} "
            r"\delta^{(%d)} \odot h^{(%d)} \odot \left(1 - h^{(%d)}\right)"
            % (number, number + 1, number + 1, number, number)
        ) in tex
    assert r"\frac{\partial L}{\partial W^{(3)}} = \delta^{(3)}" in tex
    out = text.render(derive.get("mlp"))
    assert "in matrix form: ∂L/∂z⁽²⁾ = W⁽³⁾ᵀ δ⁽³⁾ ⊙ h⁽²⁾ ⊙ (1 − h⁽²⁾)" in out


def test_tanh_recurrence_in_vectors():
    d = derive.mlp([2, 3, 1], ["tanh"], "sigmoid", "binary-cross-entropy")
    assert r"\delta^{(2)} \odot \left(1 - h^{(1)} \odot h^{(1)}\right)" in d.to_latex()


def test_no_upright_d_beside_an_italic_letter(document):
    assert r"\mathrm{d}" not in document
    assert not re.search(r"\bdh\b|\bdW\b|\bdb\b", _body(document))
    delta_2 = derive.get("mlp").to_latex()
    assert (
        r"\frac{\partial L}{\partial z^{(2)}_{j}} &= \frac{\partial L}{\partial h^{(2)}_{j}} "
        r"h^{(2)}_{j} \left(1 - h^{(2)}_{j}\right)"
    ) in delta_2


def test_log_is_upright_in_prose(document):
    # \log in math, never the italic or text word "log" of a justification
    assert not re.search(r"(?<![\\A-Za-z])log(?![A-Za-z])", document)
    assert r"(\ensuremath{L = -\sum_{k} y_{k} \log p_{k}})" in document
    assert r"\itshape" not in document


def test_prose_speaks_of_the_mathematics(document, derivations):
    body = _body(document)
    for internal in ("SymPy", "simplify()", "the notes", "upstream", "srepr", "Kronecker deltas"):
        assert internal not in body, internal
    for d in derivations:
        for step in d.all_steps():
            assert "SymPy" not in step.why, (d.name, step.why)


def test_verification_is_a_check_mark_and_an_appendix(document, derivations):
    body, appendix = _body(document), document.partition(r"\appendix")[2]
    chains = sum(len(d.chains) for d in derivations)
    assert body.count(r"\hfill$\checkmark$\footnote{") == chains
    assert "random points (" not in body and "Verified:" not in body
    assert appendix.startswith("\n\\section{Verification record}")
    assert appendix.count(r"\subsection{") == len(derivations)
    # every cross-check says what it checks
    assert r"\item[$\checkmark$] weights: central finite differences" in appendix
    assert "All 6 steps checked numerically at random points." in body


def test_verification_modes():
    d = derive.get("softmax-ce")
    inline = render(d, "latex", standalone=True, verification="inline")
    assert r"\appendix" not in inline and "Verified: steps 1--6: numeric" in inline
    none = render(d, "latex", standalone=True, verification="none")
    assert "numeric" not in none and r"\checkmark" not in none
    with pytest.raises(ValueError, match="appendix, inline, none"):
        render(d, "latex", verification="footnote")


# --- the same slips in every format of every built-in derivation --------------------------

FORMATS = ("latex", "beamer", "html", "markdown", "text")
# the vector recurrence of layer 1 of mlp, as each format writes it
RECURRENCE = {
    "text": "in matrix form: ∂L/∂z⁽¹⁾ = W⁽²⁾ᵀ δ⁽²⁾ ⊙ h⁽¹⁾ ⊙ (1 − h⁽¹⁾)",
    "tex": r"\frac{\partial L}{\partial z^{(1)}} = \left(W^{(2)}\right)^{\top} \delta^{(2)} "
    r"\odot h^{(1)} \odot \left(1 - h^{(1)}\right)",
}


@pytest.fixture(scope="module")
def outputs(derivations):
    """Every built-in in each format, as one document (scripts and styles of the page cut)."""
    out = {fmt: render_many(derivations, fmt, standalone=True) for fmt in FORMATS}
    out["html"] = re.sub(r"<(script|style)\b.*?</\1>", "", out["html"], flags=re.S)
    return out


@pytest.mark.parametrize("fmt", FORMATS)
def test_kronecker_delta_is_an_indicator_in_every_format(outputs, fmt):
    doc = outputs[fmt]
    assert not re.findall(r"\\delta_\{?[a-z]{2}\b|δ_[a-z]{2}\b", doc)
    assert ("𝟙[i = k]" if fmt == "text" else r"\mathbb{1}\left[i = k\right]") in doc


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_layer_label_style_in_every_format(outputs, fmt):
    doc = outputs[fmt]
    if fmt == "text":  # W⁽³⁾ and W⁽ˡ⁾ everywhere: never W^(l), W^1 or W¹
        assert not re.findall(r"[Wbzhδ]\^|[Wbzδ][⁰¹²³⁴⁵⁶⁷⁸⁹ˡᴸ]", doc)
        assert "z⁽ˡ⁾ = W⁽ˡ⁾ h⁽ˡ⁻¹⁾ + b⁽ˡ⁾" in doc and "∂L/∂W⁽¹⁾_11" in doc
    else:  # W^{(3)} and W^{(l)} everywhere: never W^l, W^1 or W^{1}
        assert set(re.findall(r"(?:W|b|z|\\delta)\^\{?(\(?)(?:l|L|[0-9])\b", doc)) == {"("}
        assert r"\partial W^{(1)}_{11}" in doc


@pytest.mark.parametrize("fmt", FORMATS)
def test_mlp_vector_recurrence_in_every_format(outputs, fmt):
    assert RECURRENCE["text" if fmt == "text" else "tex"] in outputs[fmt]


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_upright_d_no_italic_log_no_internals_in_every_format(outputs, fmt):
    doc = outputs[fmt]
    body = re.split(r"\\appendix|Verification record", doc)[0]
    assert not re.findall(r".{20}\bd[hWb]\b.{10}", body)  # ∂L/∂h, never an upright dh
    assert r"\mathrm{d}" not in doc
    for internal in ("SymPy", "simplify()", "the notes", "srepr"):
        assert internal not in body, internal
    if fmt == "text":  # a product is juxtaposed or ·, never SymPy's *
        assert not re.findall(r"\w\*\w", doc) and "E[u] = p·0 + h/(1 − p)·(1 − p)" in doc
    else:  # \log, never the italic letters l o g; an unevaluated product keeps its dot
        assert not re.findall(r".{20}(?<![\\A-Za-z])log(?![A-Za-z]).{10}", doc)
        assert r"= p \cdot 0 + \frac{h}{1 - p}" in doc


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_cli_notes_compile_without_overfull_boxes(tmp_path):
    # the README's picture is made by the same commands (tools/readme_images.py)
    pdf, log = readme_images.notes_pdf(tmp_path)  # derive --all --standalone, pdflatex twice
    lines = log.splitlines()
    overfull = [" ".join(lines[i : i + 3]) for i, x in enumerate(lines) if "Overfull" in x]
    assert not overfull, overfull  # "Overfull \\hbox (12.3pt too wide) in paragraph at ..."
    assert "undefined" not in log.lower()
    if shutil.which("pdftoppm") and shutil.which("pdftotext"):
        page = readme_images.pdf_page_png(pdf, tmp_path / readme_images.PDF_IMAGE)
        assert page.stat().st_size > 10_000
        readme_images.keep_artifact(page)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_a_long_sum_is_broken_over_lines(tmp_path):
    # a user's activation whose derivative is wider than the page: broken before a + or −
    d = derive.custom_activation("z * tanh(log(1 + exp(z))) + log(1 + exp(2*z)) / (1 + z^2)")
    tex = render(d, "latex", standalone=True)
    assert r"\\" + "\n" + r"  &\qquad {} - \frac{2 z \log" in tex
    (tmp_path / "act.tex").write_text(tex)
    result = subprocess.run(
        [*readme_images.PDFLATEX, "act.tex"], cwd=tmp_path, capture_output=True, timeout=300
    )
    assert result.returncode == 0
    assert "Overfull" not in (tmp_path / "act.log").read_text(errors="replace")
