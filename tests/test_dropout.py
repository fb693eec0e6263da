"""Inverted dropout in generated modules: the derivation, gradients through fixed masks against
torch.autograd, the training step's masks, and the mean of training against inference."""

from __future__ import annotations

import numpy as np
import pytest

import derive
from codegen.generate import load_module
from tests.codegen_checks import relative_error, small_spec

RATES = (0.3, 0.5)


@pytest.fixture(scope="module")
def module():
    spec = small_spec(hidden=("tanh", "relu"))
    for layer, rate in zip(spec["layers"], RATES, strict=True):
        layer["dropout"] = rate
    return load_module(spec)


def _data(m=7, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, 4)), np.eye(3)[rng.integers(0, 3, size=m)]


def _masks(rng, m):
    return {f"M{n}": (rng.random((m, 5)) >= rate).astype(float) for n, rate in enumerate(RATES, 1)}


def test_the_derivation_states_the_mask_and_the_scale():
    d = derive.get("dropout")
    assert d.verified
    text = d.to_text()
    assert "g_j m_j/(1 − p)" in text and "= h " in text


def test_gradients_through_fixed_masks_equal_torch(module):
    torch = pytest.importorskip("torch")
    X, Y = _data()
    params = module.init_params(seed=2)
    masks = _masks(np.random.default_rng(5), X.shape[0])
    _, grads = module.gradients(params, X, Y, masks=masks)
    w = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items()}
    keep = {k: torch.tensor(v) for k, v in masks.items()}
    h = torch.tanh(torch.tensor(X) @ w["W1"].T + w["b1"]) * keep["M1"] / (1 - RATES[0])
    h = torch.relu(h @ w["W2"].T + w["b2"]) * keep["M2"] / (1 - RATES[1])
    logits = h @ w["W3"].T + w["b3"]
    loss = -(torch.tensor(Y) * torch.log_softmax(logits, dim=1)).sum() / X.shape[0]
    loss.backward()
    for name, value in grads.items():
        assert relative_error(value, w[name].grad.numpy()) < 1e-12, name
    _, plain = module.gradients(params, X, Y)
    assert relative_error(plain["W1"], grads["W1"]) > 1e-3  # the masks made a difference


def test_the_training_step_draws_its_masks_from_the_generator(module):
    X, Y = _data()
    params = module.init_params(seed=2)
    work = module._workspace(params, X.shape[0])
    for name, value in params.items():
        work[f"d{name}"] = np.empty_like(value)
    step_loss = module._train_step(params, work, X, Y, np.random.default_rng(9))
    loss, grads = module.gradients(params, X, Y, masks=_masks(np.random.default_rng(9), 7))
    assert step_loss == pytest.approx(loss, rel=1e-12)
    for name, value in grads.items():
        assert relative_error(work[f"d{name}"], value) < 1e-12, name


def _same_mean(dropped, undropped):
    """Column means within 5 standard errors of the dropped values' mean."""
    error = np.abs(dropped.mean(axis=0) - undropped.mean(axis=0))
    return (error < 5 * dropped.std(axis=0) / np.sqrt(dropped.shape[0]) + 1e-12).all()


def test_the_mean_in_training_is_the_inference_output(module):
    X, _ = _data(m=20000, seed=1)
    params = module.init_params(seed=2)
    _, inference = module.forward(params, X)
    _, training = module.forward(params, X, train=True, seed=4)
    np.testing.assert_array_equal(inference["D1"], inference["A1"])  # no dropout at inference
    assert _same_mean(training["D1"], inference["D1"])  # the first layer: the same inputs
    for n, rate in enumerate(RATES, start=1):  # every layer, given its own input
        assert (training[f"M{n}"] == 0).mean() == pytest.approx(rate, abs=0.02)
        assert _same_mean(training[f"D{n}"], training[f"A{n}"])
    # without the 1/(1 − p) the ReLU layer's mean would be off: the test can fail
    assert not _same_mean(training["D2"] * (1 - RATES[1]), training["A2"])


def test_training_with_dropout_is_reproducible_from_the_seed(module):
    X, Y = _data(m=40)
    runs = []
    for _ in range(2):
        params = module.init_params(seed=0)
        module.train(params, X, Y, epochs=3, batch_size=8, seed=11)
        runs.append(params)
    for name in runs[0]:
        np.testing.assert_array_equal(runs[0][name], runs[1][name])
