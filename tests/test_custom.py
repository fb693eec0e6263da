"""derive.custom: user-defined activations and losses, parsed from text and fully verified."""

import os

import numpy as np
import pytest
import sympy as sp

import derive
from derive.custom import parse_activation, parse_loss
from derive.errors import BackpropError, ParseError, UnknownNameError
from derive.symbols import h, p, y, z

POINTS = np.linspace(-4.0, 4.0, 17)

# Each derivation is built once and kept for the whole session: verify.concrete caches by
# id(domain), so a freed domain's address reused by the next one could serve stale expansions
# (see tests/test_verify.py::test_a_new_domain_at_a_reused_address_is_not_served_stale_results).
_DERIVED: dict = {}


def activation(text):
    if text not in _DERIVED:
        _DERIVED[text] = derive.custom_activation(text)
    return _DERIVED[text]


def loss(text, output):
    if (text, output) not in _DERIVED:
        _DERIVED[text, output] = derive.custom_loss(text, output=output)
    return _DERIVED[text, output]


def at(expr, value):
    return float(expr.subs(z, value))


def np_sigmoid(v):
    return 1 / (1 + np.exp(-v))


def assert_derivative_matches(derivation, function):
    """The derivation's result equals a NumPy central difference of ``function``."""
    eps = 1e-6
    for value in POINTS:
        want = (function(value + eps) - function(value - eps)) / (2 * eps)
        assert at(derivation.result, value) == pytest.approx(want, rel=1e-6, abs=1e-8)


# --- activations -----------------------------------------------------------------------------


def test_softplus_derivative_is_the_sigmoid():
    softplus = activation("log(1 + exp(z))")
    assert softplus.verified and all(check.passed for check in softplus.checks)
    for value in POINTS:
        assert at(softplus.result, value) == pytest.approx(np_sigmoid(value), rel=1e-12)
    assert_derivative_matches(softplus, lambda v: np.log1p(np.exp(v)))


def test_softplus_output_form_is_one_minus_exp_minus_h():
    softplus = activation("log(1 + exp(z))")
    assert len(softplus.chains) == 2
    assert softplus["slope_h"].rhs == 1 - sp.exp(-h)
    assert softplus.steps["slope_h"][0].verified_by


def test_swish_has_no_output_form_but_is_verified():
    swish = activation("z/(1+exp(-z))")
    assert swish.verified and all(step.verified_by for step in swish.all_steps())
    assert len(swish.chains) == 1
    assert any("No form in terms of h" in note for note in swish.conventions)
    assert_derivative_matches(swish, lambda v: v * np_sigmoid(v))


def test_mish_is_verified():
    mish = activation("z*tanh(log(1+exp(z)))")
    assert mish.verified and all(check.passed for check in mish.checks)
    assert_derivative_matches(mish, lambda v: v * np.tanh(np.log1p(np.exp(v))))


def test_leaky_relu_is_verified():
    leaky = activation("max(0.01*z, z)")
    assert leaky.verified
    # 0.01 became an exact rational, and the slope is 1/100 left of zero, 1 right of it
    assert leaky["slope_z"].lhs.has(sp.Rational(1, 100))
    assert at(leaky.result, -2.0) == pytest.approx(0.01)
    assert at(leaky.result, 3.0) == pytest.approx(1.0)


def test_a_builtin_name_is_a_valid_expression_too():
    # "tanh(z)" through the custom route gives the same derivative as the built-in
    custom = activation("tanh(z)")
    assert sp.simplify(custom.result - (1 - sp.tanh(z) ** 2)) == 0
    assert custom["slope_h"].rhs == derive.get("tanh")["slope_h"].rhs


def test_x_is_accepted_for_z():
    assert parse_activation("x**2").expr == z**2


# --- losses ----------------------------------------------------------------------------------


def test_binary_cross_entropy_on_sigmoid_is_p_minus_y():
    bce = loss("-y*log(p) - (1-y)*log(1-p)", "sigmoid")
    assert bce.verified and all(check.passed for check in bce.checks)
    assert bce.result == p - y
    assert sp.simplify(bce.result) == p - y


def test_squared_error_on_identity_is_twice_the_residual():
    mse = loss("(p - y)^2", "identity")
    assert mse.verified and all(check.passed for check in mse.checks)
    assert sp.expand(mse.result) == 2 * (p - y) and sp.sstr(mse.result) == "2*(p - y)"


def test_squared_error_on_sigmoid_keeps_the_sigmoid_slope():
    squared = loss("(p - y)^2", "sigmoid")
    assert sp.expand(squared.result - 2 * (p - y) * p * (1 - p)) == 0


def test_loss_aliases_for_the_prediction():
    assert parse_loss("(yhat - y)^2") == parse_loss("(q - y)^2") == (p - y) ** 2


def test_unknown_output_activation_is_a_tool_error():
    with pytest.raises(UnknownNameError, match="softmax"):
        derive.custom_loss("(p - y)^2", output="softmax")


def test_a_loss_must_depend_on_the_prediction():
    with pytest.raises(ParseError, match="does not depend on the prediction"):
        derive.custom_loss("y^2")


# --- rejected input: ParseError, and nothing executed ----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('touch x')",
        "y",  # does not depend on z
        "2 + 3",  # does not depend on z
        "foo(z)",
        "z.__class__",
        "exec('1')",
        "lambda: z",
        "",
        "z +",
    ],
)
def test_bad_activations_are_parse_errors_and_nothing_runs(text, tmp_path, monkeypatch):
    calls = []
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "system", lambda *args: calls.append(args) or 0)
    with pytest.raises(ParseError) as raised:
        derive.custom_activation(text)
    assert isinstance(raised.value, BackpropError)
    assert "\n" not in str(raised.value)
    assert calls == []
    assert list(tmp_path.iterdir()) == []


def test_a_constant_activation_says_why():
    with pytest.raises(ParseError, match="does not depend on z"):
        derive.custom_activation("exp(1)")


def test_points_where_the_function_is_undefined_are_not_counterexamples():
    # log z is undefined for z < 0, which the sampler draws; its derivative is still 1/z
    d = derive.custom_activation("log(z)")
    assert d.verified and d.result == 1 / sp.Symbol("z", real=True)


def test_a_function_undefined_almost_everywhere_sampled_is_refused_with_a_reason():
    with pytest.raises(BackpropError, match="undefined at most of the sampled points"):
        derive.custom_activation("log(z - 10)")
