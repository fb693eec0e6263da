"""The stability check (codegen/certify.py, codegen/rewrites.py): the issue's measured failures
are found, rewritten until the grid passes, or reported in the header and on stderr."""

import numpy as np
import pytest
import sympy as sp
from codegen_checks import torch_gradients, worst_error

from codegen import certify, stable
from codegen.derivations import activation_rule, output_rule
from codegen.generate import generate, load_module
from codegen.rewrites import certified
from codegen.spec_rules import activation_choice, loss_choice
from derive.symbols import h, z

DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
def test_naive_forms_fail_the_grid_and_their_rewrites_pass(dtype):
    naive = 1 - sp.exp(-h)  # softplus′ in its output h: all precision lost for small h
    inputs = {"h": stable.softplus(z)}
    assert not certify.check(naive, dtype, inputs).ok
    line, certificate, notes = certified(naive, dtype, inputs)
    assert certificate.ok and "expm1" in str(line)
    assert notes


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "activation",
    [
        "max(0, z) + min(0, exp(z) - 1)",  # ELU as max/min: inf·0 in the branch not taken
        "1.0507*(max(0, z) + min(0, 1.67326*(exp(z) - 1)))",  # SELU
        "(exp(z)-exp(-z))/(exp(z)+exp(-z))",  # tanh with exps: inf/inf
        "log(1+exp(z))",  # softplus: its output-form derivative 1 − e^{−h}
    ],
)
def test_activation_lines_are_certified_after_rewriting(activation, dtype):
    rule = activation_rule(activation_choice(activation, "activation"))
    forward, forward_cert, _ = certified(rule.forward, dtype, {})
    inputs = {"h": forward} if rule.in_output else {}
    _, slope_cert, _ = certified(rule.slope, dtype, inputs)
    assert forward_cert.ok, forward_cert.failures
    assert slope_cert.ok, slope_cert.failures


@pytest.mark.parametrize(
    "output, loss",
    [
        ("sigmoid", "-(1-p)^2*y*log(p)"),  # focal loss: NaN z < −745 without log σ → −softplus
        ("sigmoid", "-(1-p)^2*y*log(p) - p^2*(1-y)*log(1-p)"),  # binary form: NaN z > 37
        ("exp(z)", "p - y*log(p)"),  # Poisson NLL on exp: NaN/inf z < −745
    ],
)
def test_output_lines_are_certified_after_rewriting(output, loss):
    resolved = activation_choice(output, "output.activation")
    forward = activation_rule(resolved).forward
    delta = output_rule(resolved, loss_choice(loss, output)).delta
    assert not certify.check(delta, "float64", {"P": forward}).ok
    _, certificate, notes = certified(delta, "float64", {"P": forward})
    assert certificate.ok and notes


def test_a_deliberately_unstable_expression_is_reported_in_the_header_and_warned():
    spec = {
        "name": "unstable",
        "inputs": 2,
        "layers": [{"units": 3, "activation": "log(1 + exp(z) + exp(2*z))"}],
        "output": {"units": 1, "activation": "identity", "loss": "mse"},
    }
    source, warnings = generate(spec)
    assert any("not finite for z in [500, 1000]" in w for w in warnings)
    header = source.split('"""')[0]
    assert "log(1 + exp(z) + exp(2*z)): h = g(z): not finite for z in [500, 1000]" in header
    assert "|z| <= 1000" in header


def test_generate_warns_on_stderr(tmp_path, capsys):
    from backprop.cli import main

    spec = tmp_path / "unstable.toml"
    spec.write_text(
        'name = "unstable"\ninputs = 2\n[[layers]]\nunits = 3\n'
        'activation = "log(1 + exp(z) + exp(2*z))"\n'
        '[output]\nunits = 1\nactivation = "identity"\nloss = "mse"\n'
    )
    assert main(["generate", str(spec), "-o", str(tmp_path / "out.py")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err and all(line.startswith("backprop: warning: ") for line in err)


@pytest.mark.parametrize(
    "hidden, output, loss",
    [
        ("max(0, z) + min(0, exp(z) - 1)", "identity", "mse"),
        ("(exp(z)-exp(-z))/(exp(z)+exp(-z))", "identity", "mse"),
        ("tanh", "sigmoid", "-(1-p)^2*y*log(p)"),
        ("tanh", "exp(z)", "p - y*log(p)"),
    ],
)
def test_rewritten_modules_match_torch_at_ordinary_and_extreme_scale(hidden, output, loss):
    """Gradients at |z| ≈ 1, 30 and 1000 (weights scaled): finite where torch is, and equal."""
    spec = {
        "name": "extreme",
        "inputs": 3,
        "layers": [{"units": 4, "activation": hidden}],
        "output": {"units": 1, "activation": output, "loss": loss},
    }
    module = load_module(spec)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 3))
    Y = rng.uniform(0.1, 1.0, size=(8, 1))
    for scale in (1.0, 30.0, 1000.0):
        params = {k: v * scale + 0.1 for k, v in module.init_params(1).items()}
        loss_value, grads = module.gradients(params, X, Y)
        torch_loss, torch_grads = torch_gradients(spec, params, X, Y)
        for name, reference in torch_grads.items():
            finite = np.isfinite(reference)
            assert np.all(np.isfinite(grads[name][finite])), (scale, name)
        if np.isfinite(torch_loss) and all(np.isfinite(g).all() for g in torch_grads.values()):
            assert worst_error(grads, torch_grads) < 1e-8, scale
