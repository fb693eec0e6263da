"""Spellings from the notes that the checker reads: letters run into a function (ylog(p),
notes 000), bare σ squared (σ − σ², notes 002), g for the activation asked about (notes 004's
tanh′ = 1 − (g(z))²), h_L for the prediction, one neuron's bias b alone (notes 001)."""

from __future__ import annotations

import pytest

from check.answer import check_answer

NEURON = {"entry": [1], "inputs": 2}


@pytest.mark.parametrize(
    "name, answer, params, correct",
    [
        ("bce:loss", "-(ylog(p)+(1-y)log(1-p))", {}, True),  # 000, line 489 (spaces lost)
        ("bce:loss", "-(plog(y)+(1-p)log(1-y))", {}, False),
        ("bce:loss", "ylog(p)+(1-y)log(1-p)", {}, False),
        ("sigmoid", r"\sigma - \sigma^2", {}, True),  # 002
        ("sigmoid", r"\sigma(z) - \sigma^2(z)", {}, True),
        ("tanh", r"1 - \tanh^2(z)", {}, True),
        ("tanh", "1 - (g(z))^2", {}, True),  # 004, line 2966
        ("tanh", "(1 - g(z))(1 + g(z))", {}, True),
        ("tanh", "g(z)(1 - g(z))", {}, False),
        ("softmax-ce", "h_L - y", {}, True),  # 004
        ("softmax-ce", "y - h_L", {}, False),
        ("dense:z", "w_1 a_1 + w_2 a_2 + b", NEURON, True),  # 001, line 21
        ("dense:z", "b + w_1 a_1 + w_2 a_2", NEURON, True),
        ("dense:z", r"\sum_{i=1}^{2} w_i a_i + b", NEURON, True),
        ("dense:z", "w_1 a_1 + w_2 a_2", NEURON, False),
    ],
)
def test_spelling_from_the_notes(name, answer, params, correct):
    assert check_answer(name, answer, params=params).correct is correct


def test_a_name_that_ends_like_a_function_is_split_only_before_its_call():
    verdict = check_answer("bce:loss", "-(ylog(p)+(1-y)log(1-p))")
    assert "y log(p)" in verdict.read_as


def test_plain_text_entry_of_z_prev_in_a_call():
    """``g′(z_prev,j)``, the tool's own plain text, is one argument: entry j of z_prev."""
    from check.answer import check_answer

    right = check_answer("dense:delta", "g′(z_prev,j) Σ_{k=1}^{n_out} W_kj δ_k")
    assert right.correct and "entry j of z_prev" in right.read_as
    assert not check_answer("dense:delta", "g′(z_prev,j) Σ_{k=1}^{n_out} W_jk δ_k").correct


def test_a_parenthesised_base_squared_is_a_power_not_a_layer():
    """(δ)^2 is δ², never δ of layer 2 (which a bare δ^2 may be)."""
    from check.answer import check_answer

    verdict = check_answer("dense:db", "(δ)^2")
    assert verdict.correct is False and "layer" not in verdict.read_as
    assert check_answer("dense:db", "δ^2").correct  # δ of layer 2, a reading said


def test_the_derivative_asked_for_is_not_an_answer():
    """σ′(z) for d/dz σ(z) restates the question: refused, saying how to write it; σ′ on the
    left of an equation is the notes' way of stating it, and the right side is judged."""
    import pytest

    from check.answer import check_answer
    from derive.errors import ParseError

    for text in (r"\sigma'(z)", "σ′(z)", "g'(z)"):
        with pytest.raises(ParseError, match="the derivative asked for: write it out"):
            check_answer("sigmoid", text)
    with pytest.raises(ParseError, match="tanh′"):
        check_answer("tanh", "tanh'(z)")
    assert check_answer("sigmoid", r"\sigma'(z) = \sigma(z)(1-\sigma(z))").correct
    assert check_answer("tanh", "1 - tanh(z)^2").correct
