"""generate on the activations that used to crash it (issue 11): each module's gradients match
torch.autograd in float64, and erf's NumPy form matches mpmath to a few ulps."""

import mpmath
import numpy as np
import pytest
from codegen_checks import batch, random_params, small_spec, torch_gradients, worst_error

from codegen.generate import load_module
from codegen.special import ERF_SOURCE

ACTIVATIONS = [
    "z*tanh(sqrt(2/pi)*(z + 0.044715*z^3))",  # GELU, tanh form: a constant pulled out by cse
    "sin(z)",  # the ReLU-likeness probe met a complex rewrite
    "cos(z) + z",
    "z*erf(z)",  # erf: NumPy has none, the module carries one
    "z*erf(log(1 + exp(z)))",
]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_generated_gradients_match_torch(activation):
    spec = small_spec(hidden=(activation,), output="identity", loss="mse", units=2)
    module = load_module(spec)
    X, Y = batch(module)
    params = random_params(module)
    loss, grads = module.gradients(params, X, Y)
    torch_loss, torch_grads = torch_gradients(spec, params, X, Y)
    assert loss == pytest.approx(torch_loss, rel=1e-10)
    assert worst_error(grads, torch_grads) < 1e-10


def _helpers():
    namespace = {"np": np}
    exec(ERF_SOURCE, namespace)  # noqa: S102 - our own source
    return namespace["erf"], namespace["erfc"]


def test_erf_and_erfc_are_within_a_few_ulps_of_mpmath():
    erf, erfc = _helpers()
    x = np.linspace(-30, 30, 6001)
    mpmath.mp.dps = 30
    exact_erf = np.array([float(mpmath.erf(v)) for v in x])
    exact_erfc = np.array([float(mpmath.erfc(v)) for v in x])
    eps = np.finfo(np.float64).eps
    nonzero = exact_erf != 0
    assert np.max(np.abs(erf(x) - exact_erf)[nonzero] / np.abs(exact_erf[nonzero])) < 3 * eps
    normal = exact_erfc > np.finfo(np.float64).tiny
    error = np.abs(erfc(x) - exact_erfc)[normal] / exact_erfc[normal]
    assert np.max(error) < 4 * eps
    assert erf(np.float64(0.0)) == 0.0 and erfc(np.array([-1e30, 1e30])).tolist() == [2.0, 0.0]


def test_erf_keeps_float32():
    erf, erfc = _helpers()
    x = np.linspace(-5, 5, 101, dtype=np.float32)
    assert erf(x).dtype == np.float32 and erfc(x).dtype == np.float32
    exact = np.array([float(mpmath.erf(float(v))) for v in x])
    assert np.max(np.abs(erf(x) - exact)) < 4 * np.finfo(np.float32).eps
