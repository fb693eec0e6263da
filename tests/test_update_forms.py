"""Update rules, mini-batch sums and the batch mean loss as the lecture notes write them
(corpus entries of tests/fixtures/notes/*.toml): the forms read, their mistakes judged incorrect."""

import pytest
import sympy as sp

from check import check_answer
from derive.errors import ParseError


@pytest.mark.parametrize(
    "text, correct, diagnosis, read",
    [
        # note 000: layer i written as a superscript letter
        ("W^i-\\alpha .  \\frac{\\partial L}{\\partial W^i}", True, None, "W of layer i"),
        ("W^i - \\alpha dW^i", True, None, "dW of layer i"),
        ("W^i+\\alpha . \\frac{\\partial L}{\\partial W^i}", False, "uphill", "W of layer i"),
        ("W^i - \\alpha dW^j", False, "layer labels do not fit", "layer j"),
        ("W^i - dW^i", False, "learning rate", "layer i"),
        # note 004: θ_t the parameter at step t; ∇θ_t printed without ∇'s subscript
        ("\\theta_t - \\eta \\nabla \\theta_t", True, None, "printed without its subscript"),
        ("\\theta_t + \\eta \\nabla \\theta_t", False, "uphill", "at step t"),
        ("\\theta_t - \\nabla \\theta_t", False, "learning rate", "at step t"),
        ("\\theta_t - \\eta \\nabla_{\\theta} \\mathcal{L}(\\theta_t)", True, None, "step t"),
        ("\\theta_t + \\eta \\nabla_{\\theta} \\mathcal{L}(\\theta_t)", False, "uphill", "step t"),
        # note 002: Δw_ij ≡ ∂J/∂w_ij (the delta rule), and δ_i a_j written out
        ("w_{ij} - \\alpha \\Delta w_{ij}", True, None, "Δw read as ∂L/∂w"),
        ("w_{ij} - \\Delta w_{ij}", False, "learning rate", "Δw read as ∂L/∂w"),
        ("w_{ij} + \\alpha \\Delta w_{ij}", False, "uphill", "Δw read as ∂L/∂w"),
        ("w_{ij} - \\alpha \\delta_i a_j", True, None, "softmax-regression:dW"),
        ("w_{ij} - \\delta_i a_j", False, "learning rate", "softmax-regression:dW"),
        ("w_{ij} - \\alpha \\delta_i a_i", False, "wrong index", "softmax-regression:dW"),
        # w_ij from unit i to unit j (note 003's order): δ_j a_i is that weight's gradient
        ("w_{ij} - \\alpha \\delta_j a_i", True, None, "from unit i to unit j"),
        # note 003: a single unit's gradient (y* − y) x_i written out, y* the prediction
        ("w_i - \\xi (y^* - y) x_i", True, None, "logreg:dw"),
        ("w_i - \\xi (y - y^*) x_i", False, "uphill", "logreg:dw"),
        ("w_i - (y^* - y) x_i", False, "learning rate", "logreg:dw"),
        ("w_i - \\xi (y^* - y) x_j", False, "wrong index", "logreg:dw"),
    ],
)  # fmt: skip
def test_update_rule_forms(text, correct, diagnosis, read):
    verdict = check_answer("update-rule", text)
    assert verdict.correct is correct, verdict.to_text()
    assert read in verdict.read_as
    if diagnosis:
        assert diagnosis in verdict.diagnosis


def test_a_bare_nabla_is_still_refused_outside_the_update_rule():
    with pytest.raises(ParseError, match="needs a subscript"):
        check_answer("softmax-ce", "\\nabla z")


def test_a_letter_superscript_is_a_layer_only_of_the_parameter_and_its_gradient():
    with pytest.raises(ParseError, match="unknown symbol"):
        check_answer("update-rule", "W - \\alpha^i dW")


def test_the_gradient_written_out_is_read_only_when_no_gradient_is_given():
    verdict = check_answer(
        "update-rule", "w_i - \\xi (y^* - y) x_i", params={"gradient": "logreg:dw"}
    )
    assert verdict.correct and "written out" not in verdict.read_as
    with pytest.raises(ParseError, match="unknown symbol"):
        check_answer("update-rule", "w_i - \\xi (y^* - y) x_i + q_{zz}")


@pytest.mark.parametrize(
    "text, correct, diagnosis",
    [
        ("\\frac{1}{m} \\sum_{n=1}^{m} DZ^l_n", True, None),
        ("(1/m) \\sum_n DZ^l_n", True, None),
        ("\\frac{1}{m} \\sum_{n=1}^{m} DZ^l_{ni}", True, None),
        ("\\sum_{n=1}^{m} DZ^l_n", False, "missing 1/m"),
        ("\\sum_n DZ^l_n", False, "missing 1/m"),
        ("m \\sum_n DZ^l_n", False, "m where 1/m belongs"),
    ],
)  # fmt: skip
def test_batch_bias_gradient_as_note_000_writes_it(text, correct, diagnosis):
    verdict = check_answer("batch:db", text, params={"layout": "columns"})
    assert verdict.correct is correct, verdict.to_text()
    if diagnosis:
        assert diagnosis in verdict.diagnosis


def test_a_lone_unit_index_on_dz_is_not_an_example():
    verdict = check_answer(
        "batch:db", "\\frac{1}{m} \\sum_{i=1}^{m} DZ^l_i", params={"layout": "columns"}
    )
    assert not verdict.correct


@pytest.mark.parametrize(
    "text, correct, diagnosis",
    [
        ("\\frac{1}{n} \\sum_{i=1}^{n} L(F(x_i), y_i)", True, None),
        ("\\frac{1}{N} \\sum_{j=1}^{N} L(F(x_j), y_j)", True, None),
        ("\\frac{1}{n} \\sum_{i=1}^{n} L(y_i, F(x_i))", True, None),  # the target first
        ("\\sum_{i=1}^{n} L(F(x_i), y_i)", False, "missing 1/m"),
        ("\\frac{1}{n} \\sum_{i=1}^{n} L(F(x_i), y_1)", False, None),
        ("\\frac{1}{n} \\sum_{i=1}^{n} L(F(x_i), y_i)^2", False, None),
    ],
)  # fmt: skip
def test_mean_loss(text, correct, diagnosis):
    verdict = check_answer("batch:mean-loss", text)
    assert verdict.correct is correct, verdict.to_text()
    if diagnosis:
        assert diagnosis in verdict.diagnosis


def test_mean_loss_is_built_from_the_batch_derivation_and_listed():
    from check import quantities

    assert "batch:mean-loss" in quantities.names()
    expected = quantities.get("batch:mean-loss").expected
    assert expected.atoms(sp.Sum) and "L(F(x[n]), y[n])" in str(expected)


@pytest.mark.parametrize(
    "quantity, text, correct, diagnosis",
    [
        # note 003: y^{*(n)}, the star then the example label (n)
        ("mse:loss", "\\frac{1}{2} \\sum_{j=1}^J (y_j^{(n)} - y_j^{*(n)})^2", True, None),
        ("mse:loss", "\\sum_{j=1}^J (y_j^{(n)} - y_j^{*(n)})^2", False, "constant factor"),
        ("ce:loss", "- \\sum_{j=1}^J y_j^{(n)} \\log y_j^{*(n)}", True, None),
        ("ce:loss", "- \\sum_{j=1}^J y_j^{*(n)} \\log y_j^{(n)}", False, "swapped"),
        ("ce:loss", "\\sum_{j=1}^J y_j^{(n)} \\log y_j^{*(n)}", False, "sign"),
    ],
)  # fmt: skip
def test_star_then_example_label(quantity, text, correct, diagnosis):
    verdict = check_answer(quantity, text)
    assert verdict.correct is correct, verdict.to_text()
    assert "label, not a power" in verdict.read_as
    if diagnosis:
        assert diagnosis in verdict.diagnosis


@pytest.mark.parametrize(
    "text, correct, diagnosis",
    [
        # note 004: N examples (N is m), 3 outputs each (read as K: the question does not fix it)
        ("\\frac{1}{N} \\sum_{i=1}^{N} \\sum_{j=1}^{3} (\\hat{y}_{ij} - y_{ij})^{2}", True, None),
        ("\\frac{1}{N} \\sum_{j=1}^{3} \\sum_{i=1}^{N} (y_{ij} - \\hat{y}_{ij})^{2}", True, None),
        ("\\frac{1}{N} \\sum_{i=1}^{N} \\sum_{j=1}^{3} (\\hat{y}_{ji} - y_{ji})^{2}", True, None),
        ("\\sum_{i=1}^{N} \\sum_{j=1}^{3} (\\hat{y}_{ij} - y_{ij})^{2}", False, "missing 1/m"),
        ("\\frac{1}{N} \\sum_{i=1}^{N} \\sum_{j=1}^{3} (\\hat{y}_{ij} - y_{ij})", False, None),
        ("\\frac{1}{N} \\sum_{i=1}^{N} \\sum_{j=1}^{3} (\\hat{y}_{ij} - y_{ji})^{2}", False, None),
        # one output per example: the quantity's own reading, as before
        ("\\frac{1}{m} \\sum_{n=1}^{m} (y_n - \\hat{y}_n)^2", True, None),
        ("\\sum_{n=1}^{m} (y_n - \\hat{y}_n)^2", False, "missing 1/m"),
    ],
)  # fmt: skip
def test_batch_squared_error_with_several_outputs(text, correct, diagnosis):
    verdict = check_answer("batch:se-loss", text)
    assert verdict.correct is correct, verdict.to_text()
    if diagnosis:
        assert diagnosis in verdict.diagnosis


@pytest.mark.parametrize(
    "text, correct, diagnosis",
    [
        # note 002: the sum over the examples left out is one example's term, judged wrong
        ("(\\hat{y}^{(i)} - y^{(i)}) x_j^{(i)}", False, "missing the sum over the examples"),
        ("\\sum_{i=1}^m (\\hat{y}^{(i)} - y^{(i)}) x_j^{(i)}", True, None),
        ("\\sum_{i=1}^m (\\hat{y}^{(i)} - y^{(i)})", False, "missing the factor"),
    ],
)  # fmt: skip
def test_linreg_gradient_over_the_batch(text, correct, diagnosis):
    verdict = check_answer("linreg:dw", text)
    assert verdict.correct is correct, verdict.to_text()
    if diagnosis:
        assert diagnosis in verdict.diagnosis


@pytest.mark.parametrize(
    "text, correct, diagnosis",
    [
        # note 000: one weight of layer 3, its gradient written out as dz of layer 3 times h of 2
        ("w_{11}^3 - \\alpha dz_1^3 h_1^2", True, None),
        ("w_{11}^3 - \\alpha dz_1^3 h_2^2", False, "wrong index"),
        ("w_{11}^3 - \\alpha dz_1^3 h_1^3", False, "layer labels"),
        ("w_{12}^3 - \\alpha dz_1^3 h_2^2", True, None),
        ("w_{12}^3 - \\alpha dz_2^3 h_1^2", True, None),  # w_12 from unit 1 to unit 2
        ("w_{12}^3 - \\alpha dz_1^3 h_1^2", False, None),
    ],
)  # fmt: skip
def test_one_dense_weight_with_its_gradient_written_out(text, correct, diagnosis):
    verdict = check_answer("update-rule", text, params={"parameter": "w_{11}^3"})
    assert verdict.correct is correct, verdict.to_text()
    if diagnosis:
        assert diagnosis in verdict.diagnosis
