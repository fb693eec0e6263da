"""Layer labels and matrix notation the lecture notes use (corpus notes 000–004): labels such
as o (the output layer) and I (OCR damage for l), matrix notation inside a function call, and
a "read as" line that shows the matrix reading even when its product does not fit."""

from __future__ import annotations

import pytest

from check.answer import check_answer
from derive.errors import ParseError


def test_misfit_product_is_shown_in_matrix_notation():
    verdict = check_answer("dense:dW", "(h^2)^T . dz^3")
    assert verdict.correct is False
    assert verdict.read_as.startswith("hᵀ · δ")
    assert "(h^2)ᵀ · δ^3" in verdict.read_as  # the elementwise-square reading, bracketed


@pytest.mark.parametrize(
    ("quantity", "answer", "shown"),
    [
        ("dense:dh", "dz^3 . (W^3)^T", "δ · Wᵀ"),
        ("dense:dW", "h^T delta", "hᵀ · δ"),
        ("dense:z", "W + b", "W + b"),
    ],
)
def test_read_as_never_blank_for_shapes_that_do_not_fit(quantity, answer, shown):
    verdict = check_answer(quantity, answer)
    assert verdict.correct is False
    assert verdict.read_as.startswith(shown)


def _judged(quantity, answer, **params):
    return check_answer(quantity, answer, params=params)


# note 000: o is the output layer (hidden_layers = 2: o = 3), I the layer l as OCR prints it
@pytest.mark.parametrize(
    ("quantity", "answer", "params", "correct"),
    [
        ("dense:dW", r"dz^o \cdot (h^2)^T", {"layer": "o", "hidden_layers": 2}, True),
        ("dense:dW", r"dz^o \cdot (h^L)^T", {"layer": "o", "hidden_layers": 2}, True),
        ("dense:dW", r"dz^o \cdot (h^3)^T", {"layer": "o", "hidden_layers": 2}, False),
        ("dense:dW", r"dz^o \cdot (h^o)^T", {"layer": "o"}, False),
        ("dense:z", r"W^{I}.h^{I-1} + b^{I}", {}, True),
        ("dense:z", r"W^{I}.h^{I} + b^{I}", {}, False),
        ("dense:z", r"(W^{I})^T h^{I-1} + b^{I}", {}, False),
        ("softmax:forward", r"softmax(W^o h^L + b^o)", {"layer": "o"}, True),
        ("softmax:forward", r"\frac{exp(W^o h^L + b^o)}{\sum exp(W^o h^L + b^o)}", {}, True),
        ("softmax:forward", r"softmax(W^o h^o + b^o)", {"layer": "o"}, False),
        ("softmax:forward", r"softmax(W^o h^L)", {"layer": "o"}, False),
        ("softmax:forward", r"exp(W^o h^L + b^o)", {}, False),
    ],
)
def test_output_and_ocr_layer_labels(quantity, answer, params, correct):
    assert _judged(quantity, answer, **params).correct is correct


def test_labels_say_how_they_were_read():
    assert "I in W^I read as a layer label" in _judged("dense:z", r"W^{I}.h^{I-1} + b^{I}").read_as
    verdict = _judged("dense:dW", r"dz^o \cdot (h^2)^T", layer="o", hidden_layers=2)
    assert "o in dz^o read as the output layer" in verdict.read_as


def test_output_layer_beside_numbers_without_hidden_layers_is_never_wrong():
    verdict = _judged("dense:dW", r"dz^o \cdot (h^2)^T")
    assert verdict.correct is None
    assert "hidden_layers" in verdict.diagnosis


# matrix notation inside g(…), σ(…), softmax(…): notes 000, 001, 004
@pytest.mark.parametrize(
    ("answer", "params", "correct", "diagnosis"),
    [
        (r"\sigma(W^l . h^{l-1} + b^l)", {"activation": "sigmoid"}, True, None),
        (r"\sigma(W^l h^{l-1} + b^l)", {"activation": "sigmoid"}, True, None),
        ("g(w^l a^{l-1} + b^l)", {}, True, None),
        ("g(b^l + w^l a^{l-1})", {}, True, None),
        ("g(w^l a^{l} + b^l)", {}, False, "layer"),
        ("g(w^l a^{l-1})", {}, False, "bias"),
        ("g((w^l)^T a^{l-1} + b^l)", {}, False, "transpose"),
        ("g(b_i + W_i h_{i-1})", {"layer_index": "subscript"}, True, None),
        ("g(b_i + W_i h_i)", {"layer_index": "subscript"}, False, "layer"),
        ("g'(W h + b)", {}, False, None),
    ],
)
def test_matrix_notation_inside_the_activation(answer, params, correct, diagnosis):
    verdict = _judged("dense:h", answer, **params)
    assert verdict.correct is correct
    if diagnosis:
        assert diagnosis in verdict.diagnosis


def test_index_notation_is_still_the_scalar_quantity():
    verdict = _judged("dense:h", "g(z)")
    assert verdict.correct and verdict.quantity == "dense:h"
    with pytest.raises(ParseError, match="number of classes K"):
        check_answer("softmax:forward", r"\frac{\exp(z_1)}{\exp(z_1)+\exp(z_2)}")


# note 004: O labels the output function's layer, the layer above a_L
@pytest.mark.parametrize(
    ("answer", "correct"),
    [("W_O a_L + b_O", True), ("W_O a_O + b_O", False), ("W_O a_L", False)],
)
def test_output_layer_as_a_subscript(answer, correct):
    assert _judged("dense:z", answer, layer_index="subscript").correct is correct


# note 003: W is n_in × n_out, u^{(l)} the input of layer l, δ written as a row or a column
_IN_OUT = {"layout": "n_in x n_out"}


@pytest.mark.parametrize(
    ("quantity", "answer", "params", "correct"),
    [
        ("dense:dW", r"\mathbf{u}^{(2)} \delta^{(2)}", _IN_OUT, True),
        ("dense:dW", r"\mathbf{u}^{(2)} (\delta^{(2)})^T", _IN_OUT, True),
        ("dense:dW", r"u \delta^T", _IN_OUT, True),
        ("dense:dW", r"\delta^{(2)} (\mathbf{u}^{(2)})^T", _IN_OUT, False),
        ("dense:dW", r"\mathbf{u}^{(2)} \delta^{(3)}", _IN_OUT, False),
        ("dense:z", r"(\mathbf{w}^{(1)})^T \mathbf{u}^{(1)}", {**_IN_OUT, "bias": False}, True),
        ("dense:z", r"\mathbf{w}^{(1)} \mathbf{u}^{(1)}", {**_IN_OUT, "bias": False}, False),
        ("dense:dh", r"\delta^{(2)} (\mathbf{w}^{(2)})^T", _IN_OUT, True),
        ("dense:dh", r"\delta^{(2)} \mathbf{w}^{(2)}", _IN_OUT, False),
    ],
)
def test_inputs_u_and_delta_rows_in_the_n_in_by_n_out_layout(quantity, answer, params, correct):
    assert _judged(quantity, answer, **params).correct is correct


def test_u_is_no_name_in_the_usual_layout():
    with pytest.raises(ParseError, match="unknown name 'u'"):
        check_answer("dense:dW", r"u \delta^T")


# note 002: e^{(k)T}, the error of layer k transposed
def test_error_of_a_layer_transposed():
    verdict = _judged("dense:dz", "g'(z) e^{(k)T}")
    assert verdict.correct is False and "transpos" in verdict.diagnosis
    assert _judged("dense:dz", r"g'(z) \odot e^{(k)}").correct is True


# note 004: a column of W written with '·' (W_{i+1,·,j}), judged as entry j of Wᵀ δ
@pytest.mark.parametrize(
    ("answer", "correct"),
    [
        (r"(W_{i+1,\cdot,j})^T \nabla_{a_{i+1}} \mathcal{L}(\theta)", True),
        (r"(W_{i+1,j,\cdot})^T \nabla_{a_{i+1}} \mathcal{L}(\theta)", False),
        (r"(W_{i,\cdot,j})^T \nabla_{a_{i+1}} \mathcal{L}(\theta)", False),
    ],
)
def test_column_of_w_with_a_dot(answer, correct):
    assert _judged("dense:dh", answer, layer_index="subscript").correct is correct
