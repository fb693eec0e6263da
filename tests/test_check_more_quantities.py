"""The quantities built from derivations' parts (check/more_quantities.py)."""

import pytest

from check import check_answer, quantities


@pytest.mark.parametrize(
    "quantity, text, correct, diagnosis",
    [
        ("update-rule", "W - \\alpha \\frac{\\partial L}{\\partial W}", True, None),
        ("update-rule", "W_{old} - \\alpha \\cdot dW", True, None),
        ("update-rule", "w_j - \\alpha \\frac{\\partial J}{\\partial w_j}", True, None),
        ("update-rule", "w_i - \\xi \\frac{\\partial L}{\\partial w_i}", True, None),
        ("update-rule", "W + \\alpha dW", False, "uphill"),
        ("update-rule", "W - dW", False, "learning rate"),
        ("update-rule", "w_{11} - \\alpha \\frac{\\partial L}{\\partial w_{1}}", False, None),
        ("ce:dp", "-\\frac{y_i}{q_i}", True, None),
        ("ce:dp", "y_i/p_i", False, "sign"),
        ("bce:dp", "\\frac{1-y}{1-p}-\\frac{y}{p}", True, None),
        ("bce:dp", "\\frac{p-y}{p(1-p)}", True, None),
        ("bce:dp", "p - y", False, None),
        ("mse:sigmoid", "(\\hat{y} - y) \\hat{y} (1 - \\hat{y})", True, None),
        ("mse:sigmoid", "\\hat{y} - y", False, "missing the derivative"),
        ("batch:dW", "\\frac{1}{m} \\sum_{n=1}^{m} Delta_{ni} H_{nj}", True, None),
        ("batch:dW", "\\sum_{n=1}^{m} Delta_{ni} H_{nj}", False, "missing 1/m"),
        ("batch:db", "\\frac{1}{m} \\sum_{n=1}^{m} Delta_{ni}", True, None),
        ("batch:db", "\\sum_{n=1}^{m} Delta_{ni}", False, "missing 1/m"),
    ],
)  # fmt: skip
def test_verdicts_and_diagnoses(quantity, text, correct, diagnosis):
    verdict = check_answer(quantity, text)
    assert verdict.correct is correct, verdict.to_text()
    if diagnosis:
        assert diagnosis in verdict.diagnosis


def test_results_come_from_the_derivations():
    assert str(quantities.get("ce:dp").expected) == "-y[i]/p[i]"
    assert quantities.get("update-rule").expected.free_symbols  # θ − α G, from the SGD record
    for name in ("update-rule", "ce:dp", "bce:dp", "mse:sigmoid", "batch:dW", "batch:db"):
        assert name in quantities.names()


@pytest.mark.parametrize(
    "text, params, correct, diagnosis",
    [
        ("dh^2 \\otimes \\sigma'(z^2)", {"layer": 2, "activation": "sigmoid"}, True, None),
        ("dh^2 \\odot h^2(1-h^2)", {"layer": 2, "activation": "sigmoid"}, True, None),
        ("dh^2 \\otimes \\sigma(z^2)", {"layer": 2, "activation": "sigmoid"}, False, "itself"),
        ("dh^2", {"layer": 2}, False, "missing the derivative"),
        ("dh^3 \\odot \\sigma'(z^3)", {"layer": 2}, False, "layer"),
        ("dh_1^2 h_1^2 (1 - h_1^2)", {"entry": [1], "activation": "sigmoid"}, True, None),
        ("dh_2^2 h_1^2 (1 - h_1^2)", {"entry": [1], "activation": "sigmoid"}, False, None),
    ],
)  # fmt: skip
def test_dense_dz_with_dh_given(text, params, correct, diagnosis):
    verdict = check_answer("dense:dz", text, params=params)
    assert verdict.correct is correct, verdict.to_text()
    if diagnosis:
        assert diagnosis in verdict.diagnosis


@pytest.mark.parametrize(
    "text, params, correct, diagnosis",
    [
        ("\\frac{1}{m} DZ^l (H^{l-1})^T", {"layout": "columns"}, True, None),
        ("DZ^l \\cdot (H^{l-1})^T", {"layout": "columns"}, False, "missing 1/m"),
        ("m DZ^l (H^{l-1})^T", {"layout": "columns"}, False, "1/m"),
        ("\\frac{1}{m} \\Delta^T H", {}, True, None),
        ("\\Delta^T H", {}, False, "missing 1/m"),
    ],
)  # fmt: skip
def test_batch_weight_gradient_in_matrix_notation(text, params, correct, diagnosis):
    verdict = check_answer("batch:dW", text, params=params)
    assert verdict.correct is correct, verdict.to_text()
    if diagnosis:
        assert diagnosis in verdict.diagnosis


@pytest.mark.parametrize(
    "quantity, text, correct, diagnosis",
    [
        ("output:delta", "\\nabla_{a^L} e \\circ g'(z^L)", True, None),
        ("output:delta", "\\frac{\\partial e}{\\partial a_j^L} g'(z_j^L)", True, None),
        ("output:delta", "\\nabla_{a^L} e \\circ g(z^L)", False, "not its derivative"),
        ("output:delta", "\\frac{\\partial e}{\\partial a_j^L}", False, "missing the derivative"),
        ("squared-error:delta", "2(\\hat{y} - y)g'(z^3)", True, None),
        ("squared-error:delta", "-2(y - \\hat{y}) g'(z^3)", True, None),
        ("squared-error:delta", "2(\\hat{y} - y)", False, "missing the derivative"),
    ],
)  # fmt: skip
def test_generic_output_delta(quantity, text, correct, diagnosis):
    verdict = check_answer(quantity, text)
    assert verdict.correct is correct, verdict.to_text()
    if diagnosis:
        assert diagnosis in verdict.diagnosis


@pytest.mark.parametrize(
    "text, params, correct, diagnosis",
    [
        ("W^l h^{l-1} + b^l", {}, True, None),
        ("W^l . h^{l-1}", {}, False, "bias"),
        ("W^l h^l + b^l", {}, False, "layer"),
        ("\\sum_i w_{ji}^l a_i^{l-1} + b_j^l", {}, True, None),
        ("\\sum_i w_{ij}^l a_i^{l-1} + b_j^l", {}, False, None),
        ("w_{11}^3 h_1^2 + w_{12}^3 h_2^2 + b_1^3", {"entry": [1], "layer": 3}, True, None),
        ("(w^{L+1})^T h^L", {"entry": [1], "inputs": 5, "bias": False}, True, None),
        ("w_1^{L+1} h_1^L + w_2^{L+1} h_2^L", {"entry": [1], "inputs": 5, "bias": False}, False, None),
    ],
)  # fmt: skip
def test_pre_activation(text, params, correct, diagnosis):
    verdict = check_answer("dense:z", text, params=params)
    assert verdict.correct is correct, verdict.to_text()
    if diagnosis:
        assert diagnosis in verdict.diagnosis


def test_a_sum_written_out_is_for_that_many_terms_only_when_complete():
    assert check_answer(
        "dense:dh", "dz_1^3 w_{11}^3 + dz_2^3 w_{21}^3", params={"entry": [1]}
    ).correct
    assert check_answer("dense:dh", "dz_1^3 w_{11}^3", params={"entry": [1]}).correct is False
