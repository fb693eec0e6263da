"""Every optimizer, with and without weight decay, under every schedule: 20 steps of the
generated train (shuffle=False) against torch.optim from the same parameters, float64."""

from __future__ import annotations

import numpy as np
import pytest

from codegen.generate import load_module
from codegen.optimizers import OPTIMIZERS, SCHEDULES, algorithm_latex, algorithm_text
from tests.codegen_checks import relative_error, small_spec

torch = pytest.importorskip("torch")

ROWS, BATCH, EPOCHS = 40, 8, 4  # 5 steps an epoch: 20 steps, and 4 epochs for the schedules
RATES = {
    "sgd": 0.1,
    "momentum": 0.05,
    "nesterov": 0.05,
    "rmsprop": 0.01,
    "adam": 0.01,
    "adamw": 0.01,
}
SCHEDULE_SETTINGS = {"step": {"step_size": 1, "gamma": 0.5}, "invscaling": {"power_t": 0.5}}


def _module(optimizer, schedule, weight_decay):
    train = {"optimizer": optimizer, "schedule": schedule, "learning_rate": RATES[optimizer]}
    train |= SCHEDULE_SETTINGS.get(schedule, {})
    if weight_decay:
        train["weight_decay"] = weight_decay
    spec = small_spec(hidden=("tanh", "relu"), train=train)
    return load_module(spec), spec


def _data(seed=0, columns=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(ROWS, columns))
    return X, np.eye(3)[rng.integers(0, 3, size=ROWS)]


def _torch_optimizer(name, groups, lr):
    if name == "sgd":
        return torch.optim.SGD(groups, lr=lr)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(groups, lr=lr, momentum=0.9, nesterov=name == "nesterov")
    if name == "rmsprop":
        return torch.optim.RMSprop(groups, lr=lr, alpha=0.99, eps=1e-8)
    kind = torch.optim.Adam if name == "adam" else torch.optim.AdamW
    return kind(groups, lr=lr, betas=(0.9, 0.999), eps=1e-8)


def _torch_schedule(name, optimizer, epochs):
    lr_scheduler = torch.optim.lr_scheduler
    if name == "step":
        return lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    if name == "cosine":
        return lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    if name == "invscaling":  # scikit-learn's: η / (samples seen + 1)^power_t
        return lr_scheduler.LambdaLR(optimizer, lambda e: 1 / (e * ROWS + 1) ** 0.5)
    return None


def torch_trajectory(params, X, Y, optimizer, schedule, weight_decay, lr, epochs=EPOCHS):
    """The parameters after `epochs` epochs of torch.optim, batches in row order."""
    w = {
        k: torch.tensor(np.array(v), dtype=torch.float64, requires_grad=True)
        for k, v in params.items()
    }
    weights = [w[k] for k in w if k.startswith("W")]
    biases = [w[k] for k in w if k.startswith("b")]
    groups = [
        {"params": weights, "weight_decay": weight_decay},
        {"params": biases, "weight_decay": 0.0},
    ]
    opt = _torch_optimizer(optimizer, groups, lr)
    sched = _torch_schedule(schedule, opt, epochs)
    X, Y = torch.tensor(X), torch.tensor(Y)
    for _ in range(epochs):
        for start in range(0, ROWS, BATCH):
            x, y = X[start : start + BATCH], Y[start : start + BATCH]
            h = torch.tanh(x @ w["W1"].T + w["b1"])
            h = torch.relu(h @ w["W2"].T + w["b2"])
            logits = h @ w["W3"].T + w["b3"]
            loss = -(y * torch.log_softmax(logits, dim=1)).sum() / x.shape[0]
            opt.zero_grad()
            loss.backward()
            opt.step()
        if sched is not None:
            sched.step()
    return {k: v.detach().numpy() for k, v in w.items()}


@pytest.mark.parametrize("schedule", list(SCHEDULES))
@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_twenty_steps_equal_torch_optim(optimizer, weight_decay, schedule):
    module, _ = _module(optimizer, schedule, weight_decay)
    X, Y = _data()
    params = module.init_params(seed=3)
    start = {k: v.copy() for k, v in params.items()}
    history = module.train(
        params, X, Y, epochs=EPOCHS, batch_size=BATCH, shuffle=False, weight_decay=weight_decay
    )
    assert history["state"]["step"] == 20
    reference = torch_trajectory(start, X, Y, optimizer, schedule, weight_decay, RATES[optimizer])
    for name, value in params.items():
        assert relative_error(value, reference[name]) <= 1e-10, name
        assert relative_error(value, start[name]) > 1e-3, name  # it did move


@pytest.mark.parametrize("optimizer", ["momentum", "adam", "adamw"])
def test_the_update_by_blocks_of_a_large_network_equals_torch_optim(optimizer):
    """Over 2 × UPDATE_BLOCK parameters the update runs block by block: still torch's steps."""
    from codegen.training import UPDATE_BLOCK

    train = {"optimizer": optimizer, "learning_rate": RATES[optimizer], "weight_decay": 0.05}
    spec = small_spec(hidden=("tanh", "relu"), train=train)
    spec["inputs"], spec["layers"][0]["units"] = 400, 200  # 81 208 parameters
    module = load_module(spec)
    assert "_update_block" in dir(module) and 80_000 > 2 * UPDATE_BLOCK
    X, Y = _data(columns=400)
    params = module.init_params(seed=3)
    start = {k: v.copy() for k, v in params.items()}
    module.train(params, X, Y, epochs=1, batch_size=BATCH, shuffle=False)
    reference = torch_trajectory(start, X, Y, optimizer, "constant", 0.05, RATES[optimizer], 1)
    for name, value in params.items():
        assert relative_error(value, reference[name]) <= 1e-10, name


def test_resuming_from_the_state_continues_the_same_run():
    module, _ = _module("adam", "step", 0.01)
    X, Y = _data()
    once = module.init_params(seed=3)
    module.train(once, X, Y, epochs=4, batch_size=BATCH, shuffle=False)
    twice = module.init_params(seed=3)
    state = {}
    module.train(twice, X, Y, epochs=2, batch_size=BATCH, shuffle=False, state=state)
    module.train(twice, X, Y, epochs=2, batch_size=BATCH, shuffle=False, state=state)
    assert state["step"] == 20 and state["epoch"] == 4
    for name in once:
        np.testing.assert_array_equal(once[name], twice[name])


def test_the_generated_comment_quotes_the_algorithm():
    module, spec = _module("adamw", "cosine", 0.01)
    from codegen.generate import generate_source

    source = generate_source(spec)
    for line in algorithm_text("adamw"):
        assert f"#   {line}\n" in source
    assert "\\beta_1" in algorithm_latex("adam")


HYPERPARAMETERS = {"momentum": 0.9, "alpha": 0.99, "eps": 1e-8, "beta1": 0.9, "beta2": 0.999}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_the_update_allocates_no_array(optimizer, weight_decay, dtype):
    """_update is fused and in place: no temporary vector per step (NumPy reports to tracemalloc;
    a float32 vector times a NumPy float64 scalar would allocate cast buffers)."""
    import tracemalloc

    from codegen.spec import spec_from_dict
    from codegen.training import make_training

    module, spec = _module(optimizer, "constant", weight_decay)
    names = make_training(spec_from_dict(spec)).update_arguments
    size = 100_000  # the statements work on any length; long enough that a temporary shows
    rng = np.random.default_rng(0)
    theta, grad = rng.normal(size=(2, size)).astype(dtype)
    s = np.empty(size, dtype)
    state = {name: np.zeros(size, dtype) for name in OPTIMIZERS[optimizer].state}
    arguments = (0.01, 1, weight_decay, *(HYPERPARAMETERS[name] for name in names))
    module._update(theta, grad, s, state, *arguments)  # warm-up
    before = theta.copy()
    tracemalloc.start()
    try:
        module._update(theta, grad, s, state, *arguments[:1], 2, *arguments[2:])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < theta.nbytes / 100, peak
    assert relative_error(theta, before) > 1e-6  # it did update
