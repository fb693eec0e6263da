"""Note 003's notation (y*, hidden outputs z_i, learning rate ξ, w^t at step t): the sigmoid's
output named by ``params output``, the update rule at step t, and the update rule with its
gradient written out (``params gradient``)."""

import pytest

from check import check_answer
from derive.errors import UnknownNameError


@pytest.mark.parametrize("text", ["z_i(1 - z_i)", "z_i - z_i^2", "z_{i}(1 - z_{i})"])
def test_hidden_output_z_i_is_the_sigmoid_output(text):
    assert check_answer("sigmoid", text, params={"output": "z_i"}).correct


def test_hidden_output_named_keeps_z_the_pre_activation():
    # z alone is still the pre-activation: z(1 − z) is in terms of the wrong variable
    assert not check_answer("sigmoid", "z(1 - z)", params={"output": "z_i"}).correct
    assert not check_answer("sigmoid", "z_i(1 + z_i)", params={"output": "z_i"}).correct
    with pytest.raises(Exception, match="z_i"):
        check_answer("sigmoid", "z_i(1 - z_i)")  # without the param z_i is no name it knows


@pytest.mark.parametrize(
    "text",
    [r"\mathbf{w}^t - \xi \nabla_{\mathbf{w}^t} L", r"w^t - \xi \frac{\partial L}{\partial w^t}"],
)
def test_update_at_step_t(text):
    verdict = check_answer("update-rule", text)
    assert verdict.correct
    assert "at step t" in verdict.read_as


def test_update_at_step_t_uphill():
    verdict = check_answer("update-rule", r"\mathbf{w}^t + \xi \nabla_{\mathbf{w}^t} L")
    assert not verdict.correct
    assert "uphill" in verdict.diagnosis


def test_t_stays_unknown_outside_the_update_rule():
    with pytest.raises(Exception, match="'t'"):
        check_answer("sigmoid", "h^t")


@pytest.mark.parametrize(
    "text",
    [r"b - \xi (y^* - y)", r"b - \xi \frac{\partial L}{\partial b}", r"b - \xi (y^* - y) \cdot 1"],
)
def test_update_with_the_gradient_written_out(text):
    assert check_answer("update-rule", text, params={"gradient": "sigmoid-bce"}).correct


@pytest.mark.parametrize(
    ("text", "diagnosis"),
    [
        (r"b + \xi (y^* - y)", "uphill"),
        (r"b - \xi (y - y^*)", "uphill"),
        (r"b - (y^* - y)", "learning rate"),
        (r"b - \xi y^*", None),
    ],
)
def test_update_with_the_gradient_mistakes(text, diagnosis):
    verdict = check_answer("update-rule", text, params={"gradient": "sigmoid-bce"})
    assert not verdict.correct
    if diagnosis:
        assert diagnosis in verdict.diagnosis


def test_update_with_a_matrix_gradient_is_refused():
    with pytest.raises(UnknownNameError, match="not supported"):
        check_answer("update-rule", "W - xi dW", params={"gradient": "dense:dW"})


# a gradient with one free index (softmax-ce's ∂L/∂z_i = p_i − y_i) updates the entry θ_i
@pytest.mark.parametrize(
    "text",
    [
        r"w_i - \xi (p_i - y_i)",
        r"\mathbf{w} - \xi (\mathbf{p} - \mathbf{y})",  # vectors written bare: entry i
        r"w_i - \xi \frac{\partial L}{\partial w_i}",
    ],
)
def test_update_of_one_entry(text):
    verdict = check_answer("update-rule", text, params={"gradient": "softmax-ce"})
    assert verdict.correct
    assert "θ_i" in verdict.read_as


@pytest.mark.parametrize(
    "text",
    [
        r"w_i - \xi (p_j - y_j)",  # the gradient of another entry
        r"w - \xi (p_j - y_j)",
        r"w_i - \xi \frac{\partial L}{\partial w_j}",
        r"w_i + \xi (p_i - y_i)",
    ],
)
def test_update_of_one_entry_wrong(text):
    assert not check_answer("update-rule", text, params={"gradient": "softmax-ce"}).correct


def test_numbered_entries_probed_before_simplify():
    # w_1, x_1 are variables to the probe (note 003's derivations are written in them), so a
    # step that differs as written skips simplify; an identity or a symbolic index does not
    import sympy as sp

    from derive.verify import differ_at_random_points, symbolic_equal

    x, w = sp.IndexedBase("x", real=True), sp.IndexedBase("w", real=True)
    i = sp.Symbol("i", integer=True)
    assert differ_at_random_points(2 * x[1] * w[1], 3 * x[1] * w[1])
    assert not differ_at_random_points(x[1] * (1 + w[2]), x[1] + x[1] * w[2])
    assert not differ_at_random_points(2 * x[i], 3 * x[i])
    assert symbolic_equal(sp.exp(x[1]) ** 2, sp.exp(2 * x[1]))
