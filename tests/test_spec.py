"""Network specs: the examples load, and every kind of mistake is one line naming its key."""

import tomllib
from pathlib import Path

import pytest
import sympy as sp

from codegen.spec import Spec, load_spec, spec_from_dict, spec_to_toml
from derive.errors import BackpropError, SpecError

EXAMPLES = sorted(Path("examples").glob("*.toml"))


def spec(**changes) -> dict:
    data = {
        "name": "net",
        "inputs": 4,
        "layers": [{"units": 5, "activation": "tanh"}],
        "output": {"units": 3, "activation": "softmax", "loss": "cross-entropy"},
    }
    for key, value in changes.items():
        data[key] = value
    return data


def output(**changes) -> dict:
    return {"units": 3, "activation": "softmax", "loss": "cross-entropy", **changes}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_load(path):
    loaded = load_spec(path)
    assert isinstance(loaded, Spec)
    assert loaded.sizes[0] == loaded.inputs


def test_issue_example_reads_into_the_dataclasses():
    loaded = load_spec("examples/digits.toml")
    assert loaded.sizes == (64, 32, 10)
    assert loaded.layers[0].activation.text == "tanh"
    assert (loaded.output.activation.text, loaded.output.loss.text) == ("softmax", "cross-entropy")
    assert (loaded.train.epochs, loaded.train.batch_size, loaded.train.learning_rate) == (
        30,
        32,
        0.1,
    )
    assert loaded.dtype == "float64" and loaded.task == "classification"


def test_defaults_and_normalisation():
    loaded = spec_from_dict(
        spec(output={"units": 1, "activation": "sigmoid", "loss": "cross-entropy"})
    )
    assert loaded.output.loss.text == "binary-cross-entropy"  # cross-entropy of a sigmoid is BCE
    assert loaded.dtype == "float64" and loaded.train.seed == 0
    assert loaded.to_dict()["output"]["loss"] == "binary-cross-entropy"


def test_spec_round_trips_through_its_toml(tmp_path):
    original = load_spec("examples/mish.toml")
    path = tmp_path / "mish.toml"
    path.write_text(spec_to_toml(original))
    assert load_spec(path) == original


@pytest.mark.parametrize(
    "data, message",
    [
        (spec(layer=[]), "layer: unknown key (did you mean 'layers'?)"),
        (
            spec(layers=[{"units": 5, "activation": "tanhh"}]),
            "layers[0].activation: unknown activation 'tanhh' (did you mean 'tanh'?)",
        ),
        (
            spec(layers=[{"units": 5, "activation": "tanh"}, {"units": 2, "activation": "tanhh"}]),
            "layers[1].activation: unknown activation 'tanhh' (did you mean 'tanh'?)",
        ),
        (
            spec(layers=[{"units": 0, "activation": "tanh"}]),
            "layers[0].units: must be a positive integer, got 0",
        ),
        (spec(layers=[{"units": 5}]), "layers[0].activation: missing"),
        (
            spec(layers=[{"units": 5, "activation": "softmax"}]),
            "layers[0].activation: 'softmax' is only available on the output layer",
        ),
        (
            spec(layers=[{"units": 5, "activation": "tanh", "dropuot": 0.5}]),
            "layers[0].dropuot: unknown key (did you mean 'dropout'?)",
        ),
        (spec(inputs=-3), "inputs: must be a positive integer, got -3"),
        (spec(inputs=2.5), "inputs: must be a positive integer, got 2.5"),
        (spec(inputs=True), "inputs: must be a positive integer, got True"),
        (spec(dtype="float16"), "dtype: must be 'float32' or 'float64', got 'float16'"),
        (spec(output=output(los="mse")), "output.los: unknown key (did you mean 'loss'?)"),
        (spec(output=output(units=1)), "output.units: softmax needs at least 2 units, got 1"),
        (
            spec(output=output(activation="identity")),
            "output.loss: 'cross-entropy' needs a softmax output, not 'identity'",
        ),
        (
            spec(output=output(activation="tanh", loss="binary-cross-entropy")),
            "output.loss: 'binary-cross-entropy' needs a sigmoid output, not 'tanh'",
        ),
        (
            spec(output=output(loss="crossentropy")),
            "output.loss: unknown loss 'crossentropy' (did you mean 'cross-entropy'?)",
        ),
        (
            spec(output=output(activation="sigmoid", loss="(p - q")),
            "output.loss: '(' at column 1 is never closed",
        ),
        (
            spec(output=output(activation="sigmoid", loss="y**2")),
            "output.loss: loss 'y**2' does not depend on the prediction p",
        ),
        (
            spec(layers=[{"units": 5, "activation": "z * tanh(log(1 + exp(z))"}]),
            "layers[0].activation: '(' at column 9 is never closed",
        ),
        (
            spec(layers=[{"units": 5, "activation": "__import__('os')"}]),
            'layers[0].activation: unexpected character "\'" at column 12',
        ),
        (
            spec(layers=[{"units": 5, "activation": "2 * y"}]),
            "layers[0].activation: unknown symbol 'y' at column 5",
        ),
        (
            spec(layers=[{"units": 5, "activation": "exp(2)"}]),
            "layers[0].activation: activation 'exp(2)' does not depend on z",
        ),
        (spec(train={"epochs": 0}), "train.epochs: must be a positive integer, got 0"),
        (
            spec(train={"learning_rate": -0.1}),
            "train.learning_rate: must be a positive number, got -0.1",
        ),
        (spec(train={"epoch": 3}), "train.epoch: unknown key (did you mean 'epochs'?)"),
        ({"inputs": 2}, "output: missing"),
    ],
)
def test_mistakes_are_one_line_errors_naming_the_key(data, message):
    with pytest.raises(SpecError) as caught:
        spec_from_dict(data)
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


def test_expressions_are_accepted_and_kept_as_written():
    loaded = spec_from_dict(
        spec(
            layers=[{"units": 5, "activation": "max(0.01*z, z)"}],
            output={"units": 1, "activation": "sigmoid", "loss": "(p - y)**2"},
        )
    )
    assert loaded.layers[0].activation.text == "max(0.01*z, z)"
    assert loaded.output.loss.text == "(p - y)**2" and loaded.task == "binary"
    on_softmax = spec_from_dict(spec(output=output(loss="-y*log(p)")))
    assert on_softmax.output.loss.text == "-y*log(p)"  # through derive's softmax Jacobian


def test_unreadable_files_are_user_errors(tmp_path):
    with pytest.raises(BackpropError, match="cannot read"):
        load_spec(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("inputs = [")
    with pytest.raises(SpecError, match=r"^.*bad\.toml: not valid TOML"):
        load_spec(bad)


def test_name_defaults_to_the_file_stem(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(
        'inputs = 2\n[output]\nunits = 1\nactivation = "sigmoid"\nloss = "binary-cross-entropy"\n'
    )
    assert load_spec(path).name == "tiny"


@pytest.mark.parametrize(
    "name",
    ['x"""\nimport os; os.system("touch pwned")\n#', "a b", "", "1abc", "x" * 65, "név"],
)
def test_a_name_that_could_escape_the_generated_docstring_is_refused(name):
    # the name is written into the generated module: only inert identifier-like text is allowed
    data = {
        "name": name,
        "inputs": 2,
        "layers": [{"units": 2, "activation": "tanh"}],
        "output": {"units": 1, "activation": "sigmoid", "loss": "cross-entropy"},
    }
    with pytest.raises(SpecError, match="^name: "):
        spec_from_dict(data)


# -- named rules with parameters: { name = "leaky_relu", negative_slope = 0.2 } -------------


def _hidden(activation) -> dict:
    return spec(layers=[{"units": 3, "activation": activation}])


def test_a_named_rule_with_parameters_resolves_to_its_call():
    table = {"name": "leaky_relu", "negative_slope": 0.2}
    assert (
        spec_from_dict(_hidden(table)).layers[0].activation.text
        == "leaky_relu(z, negative_slope=0.2)"
    )
    slope = {"name": "leaky_relu", "slope": 0.01}  # an alias the record states
    assert (
        spec_from_dict(_hidden(slope)).layers[0].activation.text
        == "leaky_relu(z, negative_slope=0.01)"
    )
    elu = {"name": "elu", "alpha": 1.5}
    assert spec_from_dict(_hidden(elu)).layers[0].activation.text == "elu(z, alpha=1.5)"
    assert spec_from_dict(_hidden({"name": "gelu"})).layers[0].activation.text == "gelu"


def test_every_named_activation_is_accepted_by_name():
    from derive import rulebook

    for name in rulebook.activations():
        assert spec_from_dict(_hidden(name)).layers[0].activation.text == name


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            {"name": "leaky_relu", "alpha": 0.2},
            "layers[0].activation.alpha: 'leaky_relu' has no parameter 'alpha' (negative_slope)",
        ),
        ({"name": "leaky_relu", "negative_slope": "big"}, "negative_slope: must be a number"),
        ({"name": "leaky_relu", "negative_slope": True}, "negative_slope: must be a number"),
        ({"name": "leaky_reluu"}, "unknown activation 'leaky_reluu' (did you mean 'leaky_relu'?)"),
        ({"negative_slope": 0.2}, "layers[0].activation.name: unknown activation None"),
        ({"name": "relu", "alpha": 1}, "'relu' has no parameter 'alpha' (none)"),
    ],
)
def test_a_wrong_parameterised_rule_is_one_spec_error(table, message):
    with pytest.raises(SpecError) as error:
        spec_from_dict(_hidden(table))
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_named_loss_of_the_rulebook_is_accepted():
    data = spec(output={"units": 1, "activation": "identity", "loss": "huber"})
    assert spec_from_dict(data).output.loss.text == "huber"


def test_parameters_reach_the_generated_module_and_train():
    import numpy as np

    from codegen.generate import load_module

    table = {"name": "leaky_relu", "negative_slope": 0.2}
    data = spec(
        layers=[{"units": 3, "activation": table}],
        output={"units": 1, "activation": "identity", "loss": "mse"},
        train={"epochs": 3, "batch_size": 4, "learning_rate": 0.05, "seed": 0},
    )
    module = load_module(spec_from_dict(data))
    assert module.SPEC["layers"][0]["activation"] == "leaky_relu(z, negative_slope=0.2)"
    params = module.init_params(seed=1)
    X = np.random.default_rng(0).normal(size=(8, 4))
    _, cache = module.forward(params, X)
    Z1 = cache["Z1"]
    assert (Z1 < 0).any()
    np.testing.assert_allclose(cache["A1"], np.where(Z1 > 0, Z1, 0.2 * Z1), rtol=1e-15)
    Y = np.random.default_rng(1).normal(size=(8, 1))
    _, grads = module.gradients(params, X, Y)  # the slope in the backward pass too
    eps, W1 = 1e-6, params["W1"].copy()
    for index in [(0, 0), (2, 3)]:
        up, down = ({**params, "W1": W1.copy()} for _ in range(2))
        up["W1"][index] += eps
        down["W1"][index] -= eps
        numeric = (module.loss(up, X, Y) - module.loss(down, X, Y)) / (2 * eps)
        assert abs(grads["W1"][index] - numeric) < 1e-6
    history = module.train(params, X, Y, epochs=3, batch_size=4)
    assert len(history["loss"]) == 3 and np.isfinite(history["loss"]).all()


def test_rules_are_resolved_once_at_load():
    from derive import rulebook
    from derive.functions import sigmoid
    from derive.symbols import p, y, z

    loaded = spec_from_dict(
        spec(
            layers=[
                {"units": 3, "activation": "elu"},
                {"units": 3, "activation": {"name": "leaky_relu", "negative_slope": 0.2}},
                {"units": 3, "activation": "z * sigmoid(z)"},
            ],
            output={"units": 1, "activation": "identity", "loss": "(p - y)^4"},
        )
    )
    elu, leaky, custom = (layer.activation for layer in loaded.layers)
    assert elu.rule is rulebook.activations()["elu"]
    record = rulebook.activations()["leaky_relu"]
    assert leaky.rule.expr == record.definition(z, negative_slope=sp.Rational(1, 5))
    assert custom.rule.expr == z * sigmoid(z)
    assert loaded.output.loss.record is None
    assert loaded.output.loss.per_output == (p - y) ** 4
    again = spec_from_dict(tomllib.loads(spec_to_toml(loaded)))
    assert again == loaded  # the TOML round-trip resolves to the same rules
