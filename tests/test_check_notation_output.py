"""`check answer --notation NAME` writes "read as" and "expected" in that profile's symbols."""

import pytest

from check.answer import check_answer
from derive.errors import UnknownNameError


def test_expected_in_the_chosen_profile():
    verdict = check_answer("softmax-ce", "y^* - y", notation="ystar-calligraphic-activation")
    assert verdict.correct
    assert verdict.expected == "y*_i − y_i"
    assert verdict.read_as.startswith("y*_i − y_i")


def test_wrong_answer_expected_in_profile():
    verdict = check_answer("softmax-ce", "y - y^*", notation="ystar-calligraphic-activation")
    assert not verdict.correct
    assert "y*_i" in verdict.expected and "p_i" not in verdict.expected


def test_default_notation_unchanged():
    assert check_answer("softmax-ce", "y^* - y").expected == "p_i − y_i"


def test_unknown_profile_is_named():
    with pytest.raises(UnknownNameError, match="unknown notation"):
        check_answer("softmax-ce", "p - y", notation="nope")


def test_a_derivation_built_during_a_profiled_check_renders_in_any_profile():
    """The derivation behind the quantity is built (and kept) in the default notation, so a
    later render in another profile is not left with the first profile's letters."""
    import derive
    from derive import registry
    from derive.render import render

    registry._REGISTRY["softmax-ce"].built = None  # as if first built inside the check
    check_answer("softmax-ce", "y^* - y", notation="ystar-calligraphic-activation")
    text = render(derive.get("softmax-ce"), "text", notation="superscript-layers")
    assert "y*" not in text and "−y_k/q_k" in text


IN_OUT = "ystar-calligraphic-activation"  # note 003: W is n_in × n_out, w_ji input j → output i


def test_in_out_weights_indexed_as_the_notes_do():
    """z_1 = 𝒜(w_11 x_1 + w_21 x_2) (note 003): W_jk joins input j to output k, so ∂L/∂h_j is
    Σ_k W_jk δ_k there, and "read as" / "expected" write it so."""
    right = check_answer("dense:dh", r"\sum_k W_{jk} \delta_k", notation=IN_OUT)
    assert right.correct and right.expected == "Σ_{k=1}^{n_out} W_jk δ_k"
    assert right.read_as.startswith("Σ_{k=1}^{n_out} W_jk δ_k")
    assert not check_answer("dense:dh", r"\sum_k W_{kj} \delta_k", notation=IN_OUT).correct
    # the default notation's W is n_out × n_in
    assert check_answer("dense:dh", r"\sum_k W_{kj} \delta_k").correct
    assert not check_answer("dense:dh", r"\sum_k W_{jk} \delta_k").correct


def test_derive_dense_in_the_in_out_profile_is_the_in_out_derivation():
    import derive
    from derive.render import render

    d = derive.get_in_notation("dense", IN_OUT)
    assert d.name == "dense-in-out" and d.verified
    assert derive.get_in_notation("dense", "superscript-layers").name == "dense"
    text = render(d, "text", notation=IN_OUT)
    assert "in matrix form: ∂L/∂W = h δ\n" in text and "∂L/∂h = δ Wᵀ" in text
    for name in ("dense:dW", "dense:dh", "dense:delta"):
        chain = {c.key: c for c in d.chains}[{"dense:delta": "delta_below"}.get(name, name[6:])]
        assert check_answer(name, chain.matrix_form_text, notation=IN_OUT).correct, name
