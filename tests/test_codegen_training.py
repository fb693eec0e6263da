"""codegen/training.py: the L2 lines come from the derivation ``l2`` (dW gains λW, db nothing),
one step with weight decay is gradient descent on the regularised loss (torch.autograd), and
the flat layout covers every parameter once."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import derive
from codegen.generate import load_module
from codegen.spec import spec_from_dict
from codegen.training import l2_statements, make_training
from derive.builtins.regularization import lam
from derive.symbols import L, Wm, bv, i, j
from tests.codegen_checks import relative_error, small_spec


def test_the_l2_derivation_adds_lambda_w_to_dw_and_nothing_to_db():
    d = derive.get("l2")
    assert d.verified
    weights, biases = d.chains
    assert weights.result == sp.Derivative(L, Wm[i, j]) + lam * Wm[i, j]
    assert biases.result == sp.Derivative(L, bv[i])


def test_the_l2_lines_are_the_derived_term_in_place():
    assert l2_statements() == ("np.multiply(theta_w, weight_decay, out=s_w)", "grad_w += s_w")


def test_one_step_with_weight_decay_descends_the_regularised_loss():
    torch = pytest.importorskip("torch")
    weight_decay, rate = 0.3, 0.1
    module = load_module(small_spec(hidden=("tanh",), train={"learning_rate": rate}))
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(6, 4)), np.eye(3)[rng.integers(0, 3, size=6)]
    params = module.init_params(seed=1)
    w = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    module.train(params, X, Y, epochs=1, batch_size=6, shuffle=False, weight_decay=weight_decay)
    logits = torch.tanh(torch.tensor(X) @ w["W1"].T + w["b1"]) @ w["W2"].T + w["b2"]
    loss = -(torch.tensor(Y) * torch.log_softmax(logits, dim=1)).sum() / 6
    penalty = weight_decay / 2 * sum((w[k] ** 2).sum() for k in ("W1", "W2"))
    (loss + penalty).backward()
    for name, value in w.items():
        expected = (value - rate * value.grad).detach().numpy()
        assert relative_error(params[name], expected) < 1e-12, name


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "adamw"])
def test_the_flat_layout_covers_every_parameter_once(optimizer):
    spec = spec_from_dict(small_spec(hidden=("tanh", "relu"), train={"optimizer": optimizer}))
    training = make_training(spec)
    covered = np.zeros(training.parameter_count, dtype=int)
    for view in training.layout:
        covered[view.start : view.stop] += 1
        assert view.stop - view.start == int(np.prod(view.shape))
    assert (covered == 1).all()
    assert training.weight_count == sum(v.stop - v.start for v in training.layout[:3])
    assert all(v.name.startswith("W") for v in training.layout[:3])
    assert (training.l2 == ()) == (optimizer == "adamw")  # adamw decays apart from the gradient
    expected = {"sgd": (), "adam": ("beta1", "beta2", "eps"), "adamw": ("beta1", "beta2", "eps")}
    assert training.update_arguments == expected[optimizer]


@pytest.mark.parametrize(("dtype", "elements"), [("float32", 32_768), ("float64", 16_384)])
def test_an_update_block_is_128_kib_of_a_vector_whatever_the_dtype(dtype, elements):
    from codegen.training import UPDATE_BLOCK_BYTES, update_block

    assert update_block(dtype) == elements == UPDATE_BLOCK_BYTES // np.dtype(dtype).itemsize
    spec = small_spec(hidden=("tanh",))
    spec["dtype"], spec["inputs"], spec["layers"][0]["units"] = dtype, 400, 200
    assert make_training(spec_from_dict(spec)).block == elements


def test_the_blocked_update_keeps_its_scratch_in_the_head_of_s():
    """Every block's scratch is s[:block] (it stays in cache): the rest of s is never written,
    and the steps are the same as the whole-vector update's."""
    spec = small_spec(hidden=("tanh",), train={"optimizer": "adam", "learning_rate": 0.01})
    spec["inputs"], spec["layers"][0]["units"] = 400, 200
    blocked = load_module(spec)
    training = make_training(spec_from_dict(spec))
    block, size = training.block, training.parameter_count
    assert block is not None and size > 2 * block and size % block  # a short last block
    rng = np.random.default_rng(0)
    theta, grad = rng.normal(size=(2, size))
    s = np.full(size, 7.0)
    state = {"exp_sum": np.zeros(size), "exp_sum_sq": np.zeros(size)}
    whole = {k: v.copy() for k, v in state.items()}
    expected = theta.copy()
    for t in (1, 2):
        blocked._update(theta, grad, s, state, 0.01, t, 0.0, 0.9, 0.999, 1e-8)
        blocked._update_block(
            expected, grad, np.empty(size), *whole.values(), 0.01, t, 0.0, 0.9, 0.999, 1e-8
        )
    assert np.all(s[block:] == 7.0)
    np.testing.assert_array_equal(theta, expected)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "rmsprop", "adam", "adamw"])
def test_the_blocked_update_with_weight_decay_is_the_whole_vector_one(optimizer, monkeypatch):
    """Weight decay inside the blocks (the weights' blocks first, then the biases') takes the
    same steps, bit for bit, as the whole-vector update of the same network, generated with
    blocks too large to split it."""
    import codegen.training

    spec = small_spec(hidden=("tanh",), train={"optimizer": optimizer, "learning_rate": 0.01})
    spec["inputs"], spec["layers"][0]["units"] = 400, 200
    blocked = load_module(spec)
    monkeypatch.setattr(codegen.training, "UPDATE_BLOCK_BYTES", 1 << 40)
    whole = load_module(spec)
    assert "_update_block" in vars(blocked) and "_update_block" not in vars(whole)
    size = make_training(spec_from_dict(spec)).parameter_count
    names = make_training(spec_from_dict(spec)).optimizer.state
    hyper = {"sgd": (), "momentum": (0.9,), "rmsprop": (0.99, 1e-8)}.get(
        optimizer, (0.9, 0.999, 1e-8)
    )
    rng = np.random.default_rng(1)
    theta = rng.normal(size=size)
    runs = []
    for module in (blocked, whole):
        state = {name: np.zeros(size) for name in names}
        values = theta.copy()
        for t in (1, 2, 3):
            grad = np.random.default_rng(t).normal(size=size)
            module._update(values, grad, np.empty(size), state, 0.01, t, 0.1, *hyper)
        runs.append(values)
    np.testing.assert_array_equal(*runs)
    assert not np.array_equal(runs[0], theta)
