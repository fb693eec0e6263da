"""Entries of the dense layer's results as the notes write them: ∂L/∂z_i for δ_i (notes 000,
001, 002), the layer as the first subscript (a_{ki}, h_{k-1,j}, a_{L,j}: note 004), and the
softmax written over a_{L,i}."""

from __future__ import annotations

import pytest

from check.answer import check_answer
from derive.errors import ParseError

SUBSCRIPT = {"layer_index": "subscript"}


@pytest.mark.parametrize(
    "name, answer, params, correct",
    [
        ("dense:dW", r"\frac{\partial L}{\partial z_1^3} h_1^2", {"entry": [1, 1]}, True),  # 000
        ("dense:dW", r"\frac{\partial L}{\partial z_2^3} h_1^2", {"entry": [1, 1]}, False),
        ("dense:db", r"\frac{\partial e}{\partial z_j^l}", {}, True),  # 001, eq. 3
        ("dense:dW", r"a_i^{l-1} \frac{\partial e}{\partial z_j^l}", {"entry": ["j", "i"]}, True),
        ("dense:dW", r"\frac{\partial J}{\partial z_i} a_j", {}, True),  # 002, the delta rule
        ("dense:dW", r"\frac{\partial J}{\partial z_j} a_i", {}, False),
    ],
)
def test_loss_gradient_at_z_is_delta(name, answer, params, correct):
    assert check_answer(name, answer, params=params).correct is correct


def test_loss_gradient_at_the_wrong_layer_is_a_layer_mismatch():
    verdict = check_answer(
        "dense:dW", r"\frac{\partial L}{\partial z_1^2} h_1^2", params={"entry": [1, 1]}
    )
    assert verdict.correct is False and "layer" in verdict.diagnosis


@pytest.mark.parametrize(
    "name, answer, correct",
    [
        ("dense:dW", r"\frac{\partial \mathcal{L}(\theta)}{\partial a_{ki}} h_{k-1,j}", True),
        ("dense:dW", r"h_{k-1,j} \frac{\partial \mathcal{L}(\theta)}{\partial a_{ki}}", True),
        ("dense:dW", r"\frac{\partial \mathcal{L}(\theta)}{\partial a_{kj}} h_{k-1,i}", False),
        ("dense:dz", r"\frac{\partial \mathcal{L}(\theta)}{\partial h_{ij}} g'(a_{ij})", True),
        ("dense:dz", r"g'(a_{ij}) \frac{\partial \mathcal{L}(\theta)}{\partial h_{ij}}", True),
        ("dense:dz", r"\frac{\partial \mathcal{L}(\theta)}{\partial h_{ij}} g(a_{ij})", False),
    ],
)
def test_layer_as_the_first_subscript(name, answer, correct):
    """Note 004, lines 2543 and 2412: a_{ki} is entry i of layer k's pre-activation."""
    assert check_answer(name, answer, params=SUBSCRIPT).correct is correct


def test_layer_labels_of_first_subscripts_must_fit():
    verdict = check_answer(
        "dense:dW",
        r"\frac{\partial \mathcal{L}(\theta)}{\partial a_{ki}} h_{k,j}",
        params=SUBSCRIPT,
    )
    assert verdict.correct is False and "layer" in verdict.diagnosis


@pytest.mark.parametrize(
    "answer, params, correct",
    [
        (r"\frac{e^{a_{L,j}}}{\sum_{i=1}^k e^{a_{L,i}}}", SUBSCRIPT, True),  # 004, line 1390
        (r"\frac{\exp(a_{L,j})}{\sum_{i} \exp(a_{L,i})}", SUBSCRIPT, True),
        (r"\frac{e^{a_{L,j}}}{\sum_{i=1}^k a_{L,i}}", SUBSCRIPT, False),
        (r"\frac{\exp(z_i)}{\sum_{j} \exp(z_j)}", {}, True),
        (r"\frac{\exp(z_1)}{\exp(z_1)+\exp(z_2)}", {"K": 2}, True),
        (r"\frac{\exp(z_1)}{\exp(z_2)+\exp(z_3)}", {"K": 3}, False),
    ],
)
def test_softmax_forward_is_evaluated(answer, params, correct):
    assert check_answer("softmax:forward", answer, params=params).correct is correct


def test_numbered_softmax_without_the_number_of_classes_is_refused():
    with pytest.raises(ParseError, match="number of classes K"):
        check_answer("softmax:forward", r"\frac{\exp(z_1)}{\exp(z_1)+\exp(z_2)}")


@pytest.mark.parametrize(
    "name, answer, correct",
    [
        ("dense:dz", r"g'(z) \odot e^{(k)}", True),  # note 002, line 865: e the error
        ("dense:dz", r"e^{(k)} \odot g'(z)", True),
        ("dense:dz", r"g'(Z^{(k)}) \odot e^{(k)}", True),  # line 890
        ("dense:dz", r"g(z) \odot e^{(k)}", False),
        ("output:delta", r"\epsilon^{(3)} \circ g'(Z^{(3)})", True),  # line 720
        ("output:delta", r"(\epsilon^{(3)})^T g'(Z^{(3)})", False),
        ("output:delta", r"\epsilon^{(3)} \circ g'(Z^{(2)})", False),  # layers do not fit
        ("tanh:forward", r"\frac{e^{(z)} - e^{(-z)}}{e^{(z)} + e^{(-z)}}", True),  # e^{(z)}: exp
    ],
)
def test_error_of_a_layer_in_parentheses(name, answer, correct):
    assert check_answer(name, answer).correct is correct


@pytest.mark.parametrize(
    "name, answer, correct",
    [
        ("dense:delta", r"\sum_k \delta_k^{l+1} w_{kj}^{l+1} g'(z_j^l)", True),  # 001, eq. 2
        ("dense:delta", r"g'(z_j^l) \sum_k w_{kj}^{l+1} \delta_k^{l+1}", True),
        ("dense:delta", r"\sum_k w_{jk} \delta_k g'(z_j)", False),  # W's indices swapped
        ("dense:delta", r"\sum_k \delta_k^{l} w_{kj}^{l} g'(z_j^l)", False),  # layers
        ("dense:delta", r"\sum_k \delta_k^{l+1} w_{kj}^{l+1} g(z_j^l)", False),
        ("dense:dh", r"\sum_{k=1}^{n_{\mathrm{out}}} W_{kj} \delta_{k}", True),  # the tool's own
        ("dense:dh", "Σ_{k=1}^{n_in} W_kj δ_k", False),
        (
            "dense:delta",
            r"g'\left(z_{\mathrm{prev},j}\right) \sum_{k=1}^{n_{\mathrm{out}}} W_{kj} \delta_{k}",
            True,
        ),  # noqa: E501
    ],
)
def test_delta_of_the_layer_below_in_index_notation(name, answer, correct):
    assert check_answer(name, answer).correct is correct


def test_softmax_of_the_whole_vector_takes_an_entry():
    assert check_answer("softmax:forward", r"\mathrm{softmax}(a_L)_j", params=SUBSCRIPT).correct
    with pytest.raises(ParseError, match="whole vector"):
        check_answer("softmax:forward", "softmax(z_1)")
