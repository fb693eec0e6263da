"""Diagnoses of the lecture notes' typical mistakes, in the notes' own notation (the forms are
those of tests/fixtures/notes/*.toml): each wrong answer is judged incorrect AND the mistake
is named; each rule is general (check/diagnose_rules.py, check/numbers_slips.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sympy as sp

from check import check_answer, check_numbers
from check.diagnose_rules import factors, indices, nested_terms, reciprocal_and_relatives

NUMBERS = Path(__file__).parent / "fixtures" / "notes" / "numbers"

# (quantity, answer as the notes print it, params, what the diagnosis must say)
MISTAKES = [
    # p and y swapped: in the whole loss, in the denominator only, in ∂L/∂p_i
    ("bce:loss", r"-\hat{y} \ln y - (1 - \hat{y}) \ln (1 - y)", {}, r"y and p swapped"),
    ("bce:loss", r"-y^* \log(y) - (1 - y^*) \log(1 - y)", {}, r"y and p swapped"),
    ("bce:dp", r"\frac{y^* - y}{y(1 - y)}", {}, r"swapped in the denominator"),
    ("ce:dp", r"-\frac{q_i}{y_i}", {}, r"y and p swapped"),
    # a factor left out or one too many
    ("bce:dp", r"\frac{y^*-y}{y^*}", {}, r"missing factor 1/\(1 − p\)"),
    ("softmax-ce", "(q - y) q (1 - q)", {}, r"extra factor p_i·\(1 − p_i\)"),
    ("dense:db", r"\delta_j^l a_j^{l-1}", {}, r"extra factor h_i"),
    ("dense:dW", r"\delta_i", {}, r"this is ∂L/∂b .*; missing factor h_j"),
    # the loss written where its derivative belongs
    ("ce:dp", "-y_i log(q_i)", {}, r"loss's term for i itself, not its derivative"),
    # σ′ and tanh′ confused; the softmax's slope for the loss gradient
    ("sigmoid", "1 - p^2", {}, r"tanh′ where sigmoid′ belongs"),
    ("sigmoid", "1 - a^2", {}, r"tanh′ where sigmoid′ belongs"),
    ("sigmoid", "1 - (g(z))^2", {"activation_name": "g"}, r"tanh′ where sigmoid′ belongs"),
    ("tanh", "h(1 - h)", {}, r"sigmoid′ where tanh′ belongs: .* with h = tanh\(z\)"),
    ("softmax-ce", "q(1-q)", {}, r"∂p_i/∂z_i .* where ∂L/∂z_i belongs"),
    ("softmax-ce", r"\hat{y}_i(1 - \hat{y}_i)", {}, r"∂p_i/∂z_i .* where ∂L/∂z_i belongs"),
    # the reciprocal, min for max, exp left out, a sign inside
    ("tanh:forward", r"\frac{e^z + e^{-z}}{e^z - e^{-z}}", {}, r"reciprocal: 1/tanh\(z\)"),
    ("relu:forward", r"\min(z, 0)", {}, r"min instead of max"),
    ("softmax:forward", r"\frac{z_1}{z_1 + z_2 + z_3}", {"K": 3, "entry": [1]}, r"exponential left out"),
    ("sigmoid:forward", r"\frac{1}{1-e^{-z^{L+1}}}", {}, r"sign error in the term exp\(−z\)"),
    # softmax with a term of its denominator missing, or the numerator's own term
    ("softmax:forward", r"\frac{\exp(z_1)}{exp(z_2) + exp(z_3)}", {"K": 3, "entry": [1]}, r"missing term exp\(z_1\)"),
    ("softmax:forward", r"\frac{e^{z_1^3}}{e^{z_1^3} + e^{z_2^3}}", {"K": 3, "entry": [1]}, r"missing term exp\(z_3\)"),
    # indices: one wrong, two values swapped, a matrix transposed
    ("softmax-ce", r"\hat{y}_1 - y_2", {}, r"wrong index: y_2 where y_1 belongs"),
    ("dense:dW", r"\delta_i a_i", {}, r"wrong index: h_i where h_j belongs"),
    ("dense:dW", "dz_1^3 . h_1^2", {"entry": [1, 2]}, r"wrong index"),
    ("dense:dW", "dz_2^3 . h_1^2", {"entry": [1, 2]}, r"transposed"),
    ("dense:dh", r"dz_1^3 w_{11}^3 + dz_2^3 w_{12}^3", {"entry": [1]}, r"transposed: the rows and columns of W"),
    ("dense:z", r"w_{11}^3 h_1^2 + w_{21}^3 h_2^2 + b_1^3", {"entry": [1], "layer": 3}, r"transposed"),
    ("dense:z", r"\sum_i w_{ij}^l a_i^{l-1} + b_j^l", {}, r"transposed: the rows and columns of W"),
    ("dense:dh", r"dz_1^3 w_{11}^3", {"entry": [1]}, r"missing terms: only"),
    ("dense:z", r"w_1^{L+1} h_1^L + w_2^{L+1} h_2^L", {"entry": [1], "inputs": 5, "bias": False}, r"missing terms: only the first 2"),
    # the diagonal's formula off the diagonal; an inverse where the transpose belongs
    ("softmax", "q_2(1-q_1)", {"entry": [2, 1]}, r"wrong index: the diagonal entry's formula"),
    ("dense:dh", r"W^{-1} \delta^{(3)}", {}, r"inverse of a matrix W .* not the transpose"),
    # a transposed column makes an outer product where a vector is asked for
    ("dense:dz", r"dh^2 \cdot \sigma'(z^2)^T", {"activation": "sigmoid"}, r"the transpose .* outer product"),
    # 0 everywhere, with what made it 0
    ("softmax-ce", "y_{1} - y_{1}", {}, r"written as the target .*0 everywhere"),
]  # fmt: skip


@pytest.mark.parametrize(("quantity", "answer", "params", "said"), MISTAKES)
def test_a_notes_mistake_is_named(quantity, answer, params, said):
    verdict = check_answer(quantity, answer, params=params or None)
    assert verdict.correct is False
    assert verdict.diagnosis and re.search(said, verdict.diagnosis), verdict.diagnosis


@pytest.mark.parametrize(
    ("quantity", "answer", "params"),
    [
        ("tanh:forward", r"\frac{e^z - e^{-z}}{e^z + e^{-z}}", {}),
        ("relu:forward", r"\max(0, z)", {}),
        ("sigmoid", "p(1 - p)", {}),
        ("softmax:forward", r"\frac{e^{z_1}}{e^{z_1} + e^{z_2} + e^{z_3}}", {"K": 3, "entry": [1]}),
        ("bce:dp", r"\frac{y^* - y}{y^*(1 - y^*)}", {}),
        ("dense:dW", r"\delta_i a_j", {}),
    ],
)
def test_the_correct_forms_stay_correct(quantity, answer, params):
    assert check_answer(quantity, answer, params=params or None).correct is True


@pytest.mark.parametrize(
    ("file", "claim", "said"),
    [
        ("000_gd_1d_slips.toml", "dw", r"the loss itself .* not its derivative"),
        ("000_gd_1d_slips.toml", "w_new", r"stepped uphill: w \+ α"),
        ("000_gd_1d_half.toml", "dw", r"off by a factor ½"),
        ("000_gd_1d_half.toml", "w_new", r"slipped gradient: off by a factor ½"),
        ("000_gd_2d_slips.toml", "dw2", r"sign error"),
        ("000_gd_2d_slips.toml", "w1_new", r"learning rate α left out"),
        ("000_sigmoid_layer_slips.toml", "g_prime1", r"the function itself, not its derivative"),
        ("002_single_neuron_no_bias.toml", "z1", r"forgot the bias b1"),
        ("002_single_neuron_no_bias.toml", "h1", r"forgot the bias b1"),
        ("002_forward_pass_no_output_bias.toml", "z2", r"forgot the bias b2"),
        ("002_forward_pass_no_output_bias.toml", "yhat", r"forgot the bias b2"),
    ],
)
def test_a_worked_example_slip_is_named(file, claim, said):
    report = check_numbers(str(NUMBERS / file))
    verdict = next(c for c in report.claims if c.key == claim)
    assert not verdict.correct
    diagnoses = [e.diagnosis for e in verdict.entries if not e.correct]
    assert diagnoses and all(re.search(said, d) for d in diagnoses), diagnoses


def test_right_claims_next_to_slips_stay_right():
    report = check_numbers(str(NUMBERS / "002_forward_pass_no_output_bias.toml"))
    assert next(c for c in report.claims if c.key == "h1").correct


# -- the rules themselves, on SymPy expressions ---------------------------------------------

p, y, z = sp.symbols("p y z", real=True)


def _said(tries, expr) -> list[str]:
    return [t[1] for t in tries if sp.simplify(t[0] - expr) == 0 and len(t) == 2]


def test_nested_terms_flip_or_drop_a_term_inside():
    e = 1 / (1 + sp.exp(-z))
    assert any("sign error" in m for m in _said(nested_terms(e), 1 / (1 - sp.exp(-z))))
    assert any("missing term 1" in m for m in _said(nested_terms(e), sp.exp(z)))


def test_index_rules_on_a_weight_entry():
    W, h = sp.IndexedBase("W"), sp.IndexedBase("h")
    e = W[1, 1] * h[1] + W[1, 2] * h[2]
    assert _said(indices(e, e), W[1, 1] * h[1] + W[2, 1] * h[2]) == [
        "transposed: the rows and columns of W are swapped"
    ]


def test_a_factor_of_the_result_alone_is_not_missing():
    assert not [m for _, m, *_ in factors(p - y, p - y) if "missing" in m]


def test_reciprocal_and_min_for_max():
    tries = reciprocal_and_relatives(sp.Max(0, z))
    assert _said(tries, sp.Min(0, z)) == ["min instead of max: Max(0, z) takes the max"]
