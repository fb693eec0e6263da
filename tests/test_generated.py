"""Numeric layer: every emitted module's gradients against central differences and PyTorch,
float32 and float64, stability at logits of ±1000, and the training API the harness uses.

Driven from derive's registries (activations, output/loss pairs), the committed modules and
custom expressions, so a new activation or loss is checked without new test code.
"""

import functools
import json
import os
import warnings

import numpy as np
import pytest
from codegen_checks import (
    batch,
    finite_differences,
    random_params,
    relative_error,
    small_spec,
    torch_gradients,
    worst_error,
)

from codegen.generate import load_module
from codegen.spec import load_spec
from derive.activations import ACTIVATIONS
from derive.builtins.mlp import OUTPUT_RULES

FD_TOLERANCE = 1e-6
TORCH_TOLERANCE = 1e-10
COMMITTED = ["xor", "lecture", "digits", "breast_cancer", "diabetes"]
CUSTOM_EXAMPLES = ["mish", "logcosh"]
CUSTOM_ACTIVATIONS = {
    "softplus": "log(1 + exp(z))",
    "swish": "z * sigmoid(z)",
    "mish": "z * tanh(log(1 + exp(z)))",
    "leaky_relu": "max(0.01*z, z)",
}
CUSTOM_LOSSES = {
    "squared_error_on_sigmoid": ("sigmoid", "(p - y)**2"),
    "bce_written_out": ("sigmoid", "-y*log(p) - (1 - y)*log(1 - p)"),
    "log_cosh": ("identity", "log(cosh(p - y))"),
    "mse_on_custom_output": ("z / (1 + abs(z))", "mse"),
    "custom_loss_on_custom_output": ("z * sigmoid(z)", "(p - y)**4 / 4"),
    "cross_entropy_written_out": ("softmax", "-y*log(p)"),
    "custom_loss_through_softmax": ("softmax", "(p - y)**2"),
}


def _cases() -> dict[str, dict]:
    """name -> spec dict: built-in activations, output/loss pairs, custom expressions."""
    cases = {}
    for name in ACTIVATIONS:
        cases[f"hidden-{name}"] = small_spec(hidden=(name, "tanh"))
    extra = [("sigmoid", "cross-entropy"), ("tanh", "mse"), ("softmax", "mse")]
    for output, loss in [*OUTPUT_RULES, *extra]:
        cases[f"output-{output}-{loss}"] = small_spec(output=output, loss=loss)
    for name, text in CUSTOM_ACTIVATIONS.items():
        cases[f"custom-{name}"] = small_spec(hidden=(text, text))
    for name, (output, loss) in CUSTOM_LOSSES.items():
        cases[f"loss-{name}"] = small_spec(output=output, loss=loss, units=2)
    return cases


CASES = _cases()


@functools.cache
def module_for(key: str):
    """A generated module (cached): an example's name, or a spec dict as JSON."""
    if key in COMMITTED:
        return load_module(f"generated/{key}.py")
    if key in CUSTOM_EXAMPLES:
        return load_module(f"examples/{key}.toml")
    return load_module(json.loads(key))


def case_module(name: str, dtype: str = "float64"):
    return module_for(json.dumps({**CASES[name], "dtype": dtype}, sort_keys=True))


ALL = [*COMMITTED, *CUSTOM_EXAMPLES, *CASES]


def module_of(name, dtype="float64"):
    return case_module(name, dtype) if name in CASES else module_for(name)


def spec_of(name):
    if name in CASES:
        return CASES[name]
    return load_spec(f"examples/{name}.toml")


@pytest.mark.parametrize("name", ALL)
def test_gradients_match_central_differences(name):
    module = module_of(name)
    X, Y = batch(module, m=5)
    params = random_params(module)
    _, grads = module.gradients(params, X, Y)
    assert worst_error(grads, finite_differences(module, params, X, Y)) < FD_TOLERANCE


@pytest.mark.parametrize("name", ALL)
def test_gradients_match_torch_autograd(name):
    pytest.importorskip("torch")
    module = module_of(name)
    X, Y = batch(module, m=7, seed=3)
    params = random_params(module, seed=4)
    loss, grads = module.gradients(params, X, Y)
    torch_loss, torch_grads = torch_gradients(spec_of(name), params, X, Y)
    assert abs(loss - torch_loss) <= TORCH_TOLERANCE * abs(torch_loss)
    assert worst_error(grads, torch_grads) < TORCH_TOLERANCE


def test_torch_runs_in_ci():
    """CI installs torch, so the autograd checks above must not skip there."""
    if not os.environ.get("CI"):
        pytest.skip("only enforced in CI")
    import torch  # noqa: F401


@pytest.mark.parametrize("name", [*COMMITTED, "custom-mish", "loss-log_cosh"])
def test_float32_modules_compute_in_float32(name):
    spec = module_for(name).SPEC if name in COMMITTED else CASES[name]
    single = module_for(json.dumps({**spec, "dtype": "float32"}, sort_keys=True))
    double = module_of(name)
    assert single.DTYPE is np.float32 and double.DTYPE is np.float64
    X, Y = batch(double, m=6)
    params = random_params(double)
    output, _ = single.forward({k: v.astype(np.float32) for k, v in params.items()}, X)
    loss32, grads32 = single.gradients({k: v.astype(np.float32) for k, v in params.items()}, X, Y)
    loss64, grads64 = double.gradients(params, X, Y)
    assert output.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads32.values())
    assert all(v.dtype == np.float32 for v in single.init_params(0).values())
    assert abs(loss32 - loss64) <= 1e-5 * max(1.0, abs(loss64))
    assert worst_error(grads32, grads64) < 1e-4


STABILITY = {
    "softmax + cross-entropy": small_spec(output="softmax", loss="cross-entropy"),
    "sigmoid + binary cross-entropy": small_spec(output="sigmoid", loss="binary-cross-entropy"),
    "sigmoid + BCE written out": small_spec(
        output="sigmoid", loss="-y*log(p) - (1 - y)*log(1 - p)"
    ),
    "softmax + cross-entropy written out": small_spec(output="softmax", loss="-y*log(p)"),
    "softmax + mse": small_spec(output="softmax", loss="mse"),
    "sigmoid + mse": small_spec(output="sigmoid", loss="mse"),
    "identity + mse": small_spec(output="identity", loss="mse"),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", list(STABILITY))
def test_logits_of_1000_give_finite_loss_and_gradients_without_warnings(name, dtype):
    module = module_for(json.dumps({**STABILITY[name], "dtype": dtype}, sort_keys=True))
    params = module.init_params(0)
    last = len(module.LAYER_SIZES) - 1
    params[f"W{last}"][:] = 0
    params[f"b{last}"][:] = np.resize(np.array([1000.0, -1000.0, -1.0]), params[f"b{last}"].shape)
    X, Y = batch(module, m=4)
    Y = np.round(Y) if module.OUTPUT == "sigmoid" else Y
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            loss, grads = module.gradients(params, X, Y)
    assert np.isfinite(loss)
    assert all(np.isfinite(g).all() for g in grads.values())


def test_cross_entropy_at_huge_logits_has_the_exact_value():
    module = case_module("output-softmax-cross-entropy")
    params = module.init_params(0)
    params["W2"][:] = 0
    params["b2"][:] = [1000.0, 0.0, -1.0]
    X, _ = batch(module, m=2)
    loss = module.loss(params, X, np.array([0, 2]))
    expected = (0.0 + 1001.0 + np.log1p(np.exp(-1000) + np.exp(-1001))) / 2
    assert loss == pytest.approx(expected, rel=1e-12)


# -- the training API the harness relies on -----------------------------------------------------

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])


def test_xor_example_learns_xor_with_its_own_settings():
    module = module_for("xor")
    settings = module.SPEC["train"]
    params = module.init_params(settings["seed"])
    history = module.train(
        params,
        XOR_X,
        XOR_Y,
        epochs=settings["epochs"],
        batch_size=settings["batch_size"],
        learning_rate=settings["learning_rate"],
        seed=settings["seed"],
    )
    assert history["epochs"] == settings["epochs"] == len(history["loss"])
    assert history["loss"][-1] < 0.05
    assert np.array_equal(module.predict(params, XOR_X), XOR_Y)


def test_train_is_reproducible_in_place_and_reports_batch_average_losses():
    module = module_for("digits")
    X, Y = batch(module, m=50)
    runs = []
    for _ in range(2):
        params = module.init_params(3)
        before = params["W1"]
        history = module.train(params, X, Y, epochs=3, batch_size=16, learning_rate=0.1, seed=5)
        assert params["W1"] is before  # updated in place
        runs.append((history["loss"], params["W2"].copy()))
    assert runs[0][0] == runs[1][0] and np.array_equal(runs[0][1], runs[1][1])
    assert len(runs[0][0]) == 3 and all(isinstance(v, float) for v in runs[0][0])
    other = module.init_params(3)
    module.train(other, X, Y, epochs=3, batch_size=16, learning_rate=0.1, seed=6)
    assert not np.array_equal(other["W2"], runs[0][1])


def test_callback_sees_every_epoch_and_can_stop_training():
    module = module_for("xor")
    seen = []

    def callback(epoch, loss):
        seen.append((epoch, loss))
        return epoch < 3 and None  # None keeps going, False stops

    history = module.train(
        module.init_params(0),
        XOR_X,
        XOR_Y,
        epochs=50,
        batch_size=2,
        learning_rate=0.5,
        callback=lambda e, l: callback(e, l) if e < 3 else False,
    )
    assert history["epochs"] == 3 and [e for e, _ in seen] == [1, 2]
    assert history["loss"][:2] == [loss for _, loss in seen]


def test_divergence_raises_floating_point_error_naming_the_epoch():
    module = module_for("diabetes")
    X, Y = batch(module, m=40)
    with pytest.raises(
        FloatingPointError, match=r"^training diverged at epoch \d+: loss is (nan|inf)$"
    ):
        module.train(module.init_params(0), X, Y * 1e3, epochs=50, batch_size=8, learning_rate=10.0)


def test_targets_in_every_accepted_shape():
    softmax = module_for("digits")
    X, one_hot = batch(softmax, m=9)
    params = softmax.init_params(0)
    labels = one_hot.argmax(axis=1)
    assert softmax.loss(params, X, labels) == softmax.loss(params, X, one_hot)
    sigmoid = module_for("breast_cancer")
    Xb, Yb = batch(sigmoid, m=9)
    params = sigmoid.init_params(0)
    assert sigmoid.loss(params, Xb, Yb[:, 0]) == sigmoid.loss(params, Xb, Yb)
    with pytest.raises(ValueError, match="Y must have shape"):
        softmax.loss(softmax.init_params(0), X, np.zeros((9, 3)))


@pytest.mark.parametrize(
    "name, shape, kind",
    [
        ("digits", (9,), "i"),
        ("breast_cancer", (9,), "i"),
        ("diabetes", (9,), "f"),
        ("lecture", (9,), "i"),
    ],
)
def test_predictions(name, shape, kind):
    module = module_for(name)
    X, _ = batch(module, m=9)
    predicted = module.predict(module.init_params(0), X)
    assert predicted.shape == shape and predicted.dtype.kind == kind


def test_module_constants_describe_the_network():
    module = module_for("digits")
    assert module.LAYER_SIZES == (64, 32, 10)
    assert (module.OUTPUT, module.LOSS, module.TASK) == (
        "softmax",
        "cross-entropy",
        "classification",
    )
    assert module.SPEC["train"] == {
        "epochs": 30,
        "batch_size": 32,
        "learning_rate": 0.1,
        "seed": 0,
        "optimizer": "sgd",
        "weight_decay": 0.0,
        "schedule": "constant",
        "early_stopping": False,
    }
    params = module.init_params(0)
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (32, 64),
        "b1": (32,),
        "W2": (10, 32),
        "b2": (10,),
    }
    assert relative_error(params["W1"], module.init_params(0)["W1"]) == 0
    assert module_for("breast_cancer").TASK == "binary"
    assert module_for("diabetes").TASK == "regression"


def plain_sgd(module, params, X, Y, *, epochs, batch_size, learning_rate, seed):
    """The reference train() must match: gradients() per batch, params -= rate * gradient."""
    rng = np.random.default_rng(seed)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(X.shape[0])
        batch_losses = []
        for start in range(0, X.shape[0], batch_size):
            rows = order[start : start + batch_size]
            batch_loss, grads = module.gradients(params, X[rows], Y[rows])
            for name, grad in grads.items():
                params[name] -= learning_rate * grad
            batch_losses.append(batch_loss)
        losses.append(float(np.mean(batch_losses)))
    return losses


@pytest.mark.parametrize(
    "name", [*COMMITTED, *CUSTOM_EXAMPLES, "hidden-relu", "custom-swish", "loss-log_cosh"]
)
def test_train_steps_are_plain_sgd_with_gradients(name):
    """train's in-place fast path takes the steps gradients() gives, last partial batch too."""
    module = module_of(name)
    X, Y = batch(module, m=23, seed=2)
    fast, reference = random_params(module, scale=0.1), random_params(module, scale=0.1)
    settings = {"epochs": 3, "batch_size": 8, "learning_rate": 0.05, "seed": 4}
    history = module.train(fast, X, Y, **settings)
    expected = plain_sgd(module, reference, X, Y, **settings)
    assert history["loss"] == pytest.approx(expected, rel=1e-12)
    assert worst_error(fast, reference) < 1e-12


@pytest.mark.parametrize("name", ["lecture", "hidden-relu"])
def test_weights_are_column_major_and_train_takes_either_layout(name):
    """init_params stores W column-major (H @ W.T then hands BLAS a row-major matrix); train
    takes the same steps on row-major weights, updating the caller's arrays in place."""
    module = module_of(name)
    params = module.init_params(3)
    weights = [k for k in params if k.startswith("W")]
    assert all(params[k].flags.f_contiguous and params[k].ndim == 2 for k in weights)
    rows = {k: np.array(v, order="C") for k, v in params.items()}  # copies
    assert not any(rows[k].flags.f_contiguous for k in weights if min(rows[k].shape) > 1)
    arrays = {k: rows[k] for k in weights}
    X, Y = batch(module, m=21, seed=5)
    settings = {"epochs": 2, "batch_size": 8, "learning_rate": 0.05, "seed": 1}
    # The same steps; BLAS may round a column-major and a row-major product differently.
    history = module.train(params, X, Y, **settings)
    assert module.train(rows, X, Y, **settings)["loss"] == pytest.approx(history["loss"], rel=1e-12)
    assert worst_error(params, rows) < 1e-12
    assert all(rows[k] is arrays[k] for k in weights)  # updated in place, not replaced
