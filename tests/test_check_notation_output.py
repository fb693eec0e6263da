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
