"""derive/render/profile_notation.py: derivations rendered in a notation profile's symbols.

The round trip: each result the checker has as a quantity, rendered in a profile, is judged
correct by ``check answer QUANTITY --notation PROFILE`` (the handout and the checker speak the
same notation).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import derive
from check import quantities
from check.answer import check_answer
from derive.errors import BackpropError, UnknownNameError
from derive.language import profiles
from derive.render import profile_notation, render
from derive.render.printer import latex, text
from derive.render.restate import restate

FIXTURES = Path(__file__).parent / "fixtures" / "profiles"
ROOT = Path(__file__).resolve().parents[1]

# results the checker cannot read yet in any notation, the default included (checker gaps)
UNREADABLE: dict[str, str] = {}  # quantities whose rendered plain text does not read back
UNREADABLE_LATEX = {("ystar-calligraphic-activation", "dense:delta"): "\\mathcal{A}' not read"}
# profiles whose notes write W as n_in × n_out (∂L/∂W = h δᵀ): the checker judges in their
# layout, while derive renders the n_out × n_in one (stated in its conventions)
OTHER_LAYOUT = {p for p in profiles.names() if profiles.get(p).weights == "n_in × n_out"}
# the quantities that are one result of a derivation (the others are built from several)
DERIVED = [n for n in quantities.names() if quantities.get(n).build is None]


def _derivation(q, profile=None):
    """The quantity's derivation as ``derive NAME --notation PROFILE`` renders it (for notes
    whose W is n_in × n_out, dense-in-out)."""
    if profile is not None and q.derivation in derive.registry.IN_OUT_LAYOUT:
        return derive.get_in_notation(q.derivation, profile)
    return quantities.derivation_named(q.derivation)


def _result(name: str, profile: str):
    q = quantities.get(name)
    return q, restate(_derivation(q, profile), profile_notation.setting(profile))[q.key].chain


def _judged_correct(name: str, answer: str, profile: str) -> bool:
    try:
        return check_answer(name, answer, notation=profile).correct is True
    except BackpropError:  # the checker cannot read it
        return False


@pytest.mark.parametrize("profile", profiles.names())
@pytest.mark.parametrize("name", DERIVED)
def test_rendered_result_is_judged_correct_in_its_profile(name, profile):
    q, chain = _result(name, profile)
    shown, tex = text(chain.result, profile), latex(chain.result, profile)
    assert shown in render(_derivation(q, profile), "text", notation=profile)
    assert tex in render(_derivation(q, profile), "latex", notation=profile)
    judged = _judged_correct(name, shown, profile) and _judged_correct(name, tex, profile)
    if not judged and name in UNREADABLE:
        pytest.xfail(UNREADABLE[name])
    assert judged


@pytest.mark.parametrize("profile", profiles.names())
@pytest.mark.parametrize("name", ["dense:dW", "dense:db", "dense:dh", "dense:delta"])
def test_matrix_form_is_judged_correct_in_its_profile(name, profile):
    """The matrix form as ``derive dense --notation PROFILE`` renders it (for notes whose W is
    n_in × n_out, the dense-in-out derivation: ∂L/∂W = h δᵀ) is judged correct there."""
    q = quantities.get(name)
    dense = derive.get_in_notation("dense", profile)
    assert (dense.name == "dense-in-out") == (profile in OTHER_LAYOUT)
    chain = restate(dense, profile_notation.setting(profile))[q.key].chain
    assert chain.matrix_form_text in render(dense, "text", notation=profile)
    assert _judged_correct(name, chain.matrix_form_text, profile)
    judged = _judged_correct(name, chain.matrix_form, profile)
    if not judged and (profile, name) in UNREADABLE_LATEX:
        pytest.xfail(UNREADABLE_LATEX[profile, name])
    assert judged


# the derivation itself, up to its verification record (whose wording is not the profile's)
RECORD = {"text": "\nCross-checks\n", "latex": "\n\\section*{Verification record}"}


def _derivation_part(shown: str, fmt: str) -> str:
    return shown[: shown.index(RECORD[fmt])]


@pytest.mark.parametrize("profile", [p for p in profiles.names() if p != "default"])
@pytest.mark.parametrize("fmt, suffix", [("text", "txt"), ("latex", "tex")])
def test_softmax_ce_exact_output(profile, fmt, suffix):
    expected = (FIXTURES / f"softmax-ce.{profile}.{suffix}").read_text(encoding="utf-8")
    shown = render(derive.get("softmax-ce"), fmt, notation=profile)
    assert _derivation_part(shown, fmt) == expected


def test_the_profiles_letters_in_softmax_ce():
    d = derive.get("softmax-ce")
    assert "= q_i − y_i " in render(d, "text", notation="superscript-layers")
    assert "= a_i^L − y_i " in render(d, "text", notation="delta-superscript-l")
    assert "&= y_{i}^{*} - y_{i}" in render(d, "latex", notation="ystar-calligraphic-activation")
    assert r"\log \hat{y}_{k}" in d.to_latex(notation="yhat-subscript-indices")


def test_sigmoid_output_keeps_p_where_q_is_the_softmax_output():
    shown = render(derive.get("sigmoid-bce"), "text", notation="superscript-layers")
    assert "= p − y " in shown and "q" not in shown.split("Cross-checks")[0]


def test_activation_letter_and_dropout_rate():
    dense = render(derive.get("dense"), "text", notation="ystar-calligraphic-activation")
    assert "𝒜′(z_prev,j)" in dense and "g′" not in dense and "g(" not in dense
    dropout = render(derive.get("dropout"), "text", notation="superscript-layers")
    assert dropout == render(derive.get("dropout"), "text")  # p is the rate there, g upstream


@pytest.mark.parametrize(
    "profile, marks, absent",
    [
        ("superscript-layers", ["W³_ij", "δ³"], ["⁽"]),
        ("preactivation-a-subscript-layers", ["W_3,ij", "δ_3"], ["⁽", "^("]),
        ("default", ["W⁽³⁾_ij", "δ⁽³⁾"], []),
    ],
)
def test_one_layer_style_per_document(profile, marks, absent):
    shown = render(derive.get("mlp"), "text", notation=profile)
    assert all(m in shown for m in marks)
    assert not any(a in shown for a in absent)


def test_mlp_latex_layer_style():
    tex = render(derive.get("mlp"), "latex", notation="superscript-layers")
    assert "W^{3}_{ij}" in tex and "^{(" not in tex


@pytest.mark.parametrize("name", derive.names())
def test_default_profile_is_todays_output(name):
    d = derive.get(name)
    assert render(d, "text", notation="default") == render(d, "text") == d.to_text()
    assert d.to_latex(notation="default") == d.to_latex()


def test_unknown_profile_raises_listing_profiles():
    with pytest.raises(UnknownNameError, match="known: default, superscript-layers"):
        render(derive.get("sigmoid"), "text", notation="nope")


def test_cli_unknown_profile_is_one_line_exit_2():
    run = subprocess.run(
        [sys.executable, "-m", "backprop.cli", "derive", "softmax-ce", "--notation", "nope"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "superscript-layers" in run.stderr


def test_spelling():
    assert profile_notation.spelling("y*").text_with("i") == "y*_i"
    assert profile_notation.spelling("ŷ").latex_with("k") == r"\hat{y}_{k}"
    assert profile_notation.spelling("𝒜").latex == r"\mathcal{A}"


@pytest.mark.parametrize(
    "profile, layer",
    [
        ("default", "(l)"),
        ("superscript-layers", "l"),
        ("delta-superscript-l", "l"),
        ("yhat-subscript-indices", "(l)"),
        ("ystar-calligraphic-activation", "(l)"),
        ("preactivation-a-subscript-layers", "subscript"),
    ],
)
def test_layer_style_of_each_profile(profile, layer):
    assert profile_notation.setting(profile).layer == layer


@pytest.mark.parametrize("fmt", ["markdown", "json", "html", "beamer", "latex"])
def test_every_format_and_all_take_the_profile(fmt):
    from derive.render import render_many

    chosen = [derive.get("softmax-ce"), derive.get("sigmoid-bce")]
    shown = render_many(chosen, fmt, notation="superscript-layers")
    assert "q_{i} - y_{i}" in shown and "p_{i}" not in shown


def test_cli_renders_in_the_profile():
    run = subprocess.run(
        [sys.executable, "-m", "backprop.cli", "derive", "softmax-ce", "--notation"]
        + ["superscript-layers"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    expected = (FIXTURES / "softmax-ce.superscript-layers.txt").read_text(encoding="utf-8")
    assert _derivation_part(run.stdout, "text") == expected
