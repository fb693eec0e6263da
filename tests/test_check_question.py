"""What exactly an answer is asked to be (check/question.py): entry, layer, activation, layout."""

import pytest

from check import check_answer
from check.question import question


def test_layer_of_the_gradient_at_the_layer_input_is_the_layer_above():
    assert question("dense:dh", None, None, {"layer": 7}).layer == 8
    assert question("dense:dW", None, None, {"layer": 3}).layer == 3
    assert question("dense:dW", None, 5, {"layer": 3}).layer == 5  # the quantity's @L wins


def test_entry_and_layout_from_params():
    ask = question("dense:dW", None, None, {"entry": ["j", "i"], "layout": "n_in x n_out"})
    assert ask.entry == ("j", "i") and ask.layout == "n_in × n_out"
    assert question("softmax-ce", None, None, {"entry": ["ell"]}).entry == ("ell",)  # ℓ


@pytest.mark.parametrize(
    "quantity, text, params, correct",
    [
        ("dense:dW", "dz_1^3 . h_2^2", {"entry": [1, 2]}, True),
        ("dense:dW", "dz_2^3 . h_1^2", {"entry": [1, 2]}, False),
        ("dense:dW", "a_i^{l-1} \\delta_j^l", {"entry": ["j", "i"]}, True),
        ("dense:dW", "\\delta^l (a^{l-1})^T", {"entry": ["j", "i"]}, True),
        ("dense:dW", "a_j^{l-1} \\delta_i^l", {"entry": ["j", "i"]}, False),
        ("dense:dh", "(W^8)^T.dz^8", {"layer": 7}, True),
        ("dense:dh", "(W^7)^T.dz^7", {"layer": 7}, False),
        ("softmax-ce", "a^{(3)} - y", {"layer": 3}, True),
        ("softmax-ce", "a^{(2)} - y", {"layer": 3}, False),
    ],
)  # fmt: skip
def test_params_name_the_exact_question(quantity, text, params, correct):
    assert check_answer(quantity, text, params=params).correct is correct


def test_sigma_written_for_a_generic_activation_is_the_sigmoid():
    text = "((W^3)^T dz^3) \\odot \\sigma(z^2)(1-\\sigma(z^2))"
    assert check_answer("dense:delta@3", text).correct
    assert check_answer("dense:delta@3", "((W^3)^T dz^3) \\odot (1 - \\tanh(z^2)^2)").correct
    wrong = check_answer("dense:delta@3", "((W^3)^T dz^3) \\odot \\sigma(z^2)")
    assert wrong.correct is False and "not its derivative" in wrong.diagnosis


def test_n_in_by_n_out_layout_with_gradients_as_rows():
    params = {"layout": "n_in x n_out", "rows": True, "activation": "sigmoid"}
    text = "\\left(\\delta^{(2)} (\\mathbf{w}^{(2)})^T \\right) \\odot \\mathcal{Z}"
    assert check_answer("dense:delta", text, params=params).correct
    z_outputs = "(\\delta^{(2)} (\\mathbf{w}^{(2)})^T) \\odot z^T(1 - z)^T"
    named = check_answer(
        "dense:delta", z_outputs, params=params, notation="ystar-calligraphic-activation"
    )
    assert named.correct
    assert (
        check_answer("dense:delta", "\\delta^{(2)} (\\mathbf{w}^{(2)})^T", params=params).correct
        is False
    )


def test_one_hot_e_of_y():
    assert check_answer("softmax-ce", "\\hat{y} - e(y)").correct
    assert check_answer("softmax-ce", "p - e^{y}").correct is False  # e^{…} is still exp


def test_sigmoid_itself_for_its_derivative():
    verdict = check_answer("sigmoid", "\\frac{1}{1+e^{-z}}")
    assert verdict.correct is False and "σ itself" in verdict.diagnosis


def test_index_zero_is_out_of_range_when_vectors_count_from_one():
    from derive.errors import ParseError

    with pytest.raises(ParseError, match="index out of range.*indexed from 1"):
        check_answer("softmax-ce", "p_0 - y_0")
    assert check_answer("softmax-ce", "p_1 - y_1").correct


def test_n_in_by_n_out_weight_gradient_is_h_delta_transposed():
    params = {"layout": "n_in x n_out"}
    assert check_answer("dense:dW", "h \\delta^T", params=params).correct
    wrong = check_answer("dense:dW", "\\delta h^T", params=params)
    assert wrong.correct is False and "transposed" in wrong.diagnosis
    assert check_answer("dense:dh", "W \\delta", params=params).correct


def test_the_notes_names_for_the_sigmoid():
    assert check_answer("sigmoid", "g(z)(1 - g(z))").correct
    assert check_answer("sigmoid", "\\mathcal{A}(z)(1 - \\mathcal{A}(z))").correct
    assert check_answer("sigmoid", "y^* - (y^*)^2").correct
    assert "σ itself" in check_answer("sigmoid", "g(z)").diagnosis


def test_the_notes_one_hot_and_network_output():
    assert check_answer("softmax-ce", "-(\\mathbf{e}(\\ell) - \\mathbf{f}(x))").correct
    assert check_answer("softmax-ce", "f(x) - e(y)").correct
    assert check_answer("softmax-ce", "e(y) - f(x)").correct is False
