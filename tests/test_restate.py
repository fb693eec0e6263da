"""derive/render/restate.py: a derivation's own prose in a profile's names and layer style."""

from __future__ import annotations

import pytest

import derive
from derive.render.profile_notation import RenderNotation, setting, spelling
from derive.render.restate import restate, restate_prose

Q = {"p": spelling("q")}


@pytest.mark.parametrize(
    "prose, expected",
    [
        ("L = −Σ_k y_k log p_k", "L = −Σ_k y_k log q_k"),
        ("∂L/∂p_{k} = −y_k/p", "∂L/∂q_k = −y_k/q"),
        ("z_prev, \\partial, p(1 − p)", "z_prev, \\partial, q(1 − q)"),
        ("a prop, up, p2", "a prop, up, p2"),
        ("2p − 2y, dp/dz = p(1 − p), dz/dp", "2q − 2y, dq/dz = q(1 − q), dz/dq"),
    ],
)
def test_prediction_letter_as_a_whole_symbol(prose, expected):
    assert restate_prose(prose, Q, "(l)", latex=False) == expected


def test_star_and_superscript_spellings_take_the_index_first():
    names = {"p": spelling("a^L")}
    assert restate_prose("p_k cancels", names, "(l)", latex=False) == "a_k^L cancels"
    assert restate_prose(r"p_{k}", names, "(l)", latex=True) == "a_{k}^{L}"
    assert restate_prose("p_i", {"p": spelling("y*")}, "(l)", latex=False) == "y*_i"


@pytest.mark.parametrize(
    "layer, text, tex",
    [
        ("l", "W^l h^{l-1}, δ³", "W^{3}"),
        ("[l]", "W^[l] h^[l-1], δ^[3]", "W^{[3]}"),
        ("subscript", "W_l h_{l-1}, δ_3", "W_{3}"),
    ],
)
def test_layer_styles(layer, text, tex):
    assert restate_prose("W^(l) h^(l-1), δ⁽³⁾", {}, layer, latex=False) == text
    assert restate_prose("W^{(3)}", {}, layer, latex=True) == tex


def test_only_the_objects_a_derivation_uses_are_renamed():
    dropout = derive.get("dropout")  # p is the dropout rate, g the upstream gradient
    assert restate(dropout, setting("ystar-calligraphic-activation")).conventions == (
        dropout.conventions
    )
    dense = restate(derive.get("dense"), setting("ystar-calligraphic-activation"))
    assert (
        dense.chains[3].matrix_form
        == r"\left(W^{\top} \delta\right) \odot \mathcal{A}'\left(z_{\mathrm{prev}}\right)"
    )


def test_default_setting_is_the_derivation_itself():
    d = derive.get("mlp")
    assert restate(d, RenderNotation()) is d
    assert restate(d, setting("default")) is d
