"""check.numbers: exact worked examples, precision rules, diagnoses, validation, CLI."""

from pathlib import Path

import numpy as np
import pytest

from backprop.cli import main
from check.numbers import check_numbers
from derive.errors import SpecError

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "check"

NETWORK = {
    "network": {"layers": [2, 2, 2], "activations": ["sigmoid", "sigmoid"], "loss": "mse"},
    "parameters": {
        "W1": [[0.1, 0.2], [0.3, 0.4]],
        "b1": [0.5, 0.5],
        "W2": [[0.6, 0.7], [0.8, 0.9]],
        "b2": [0.1, 0.1],
    },
    "data": {"x": [1.0, 0.5], "y": [0.0, 1.0], "learning_rate": 0.5},
}


def doc(claims=None, **changes):
    out = {key: dict(value) for key, value in NETWORK.items()}
    for section, values in changes.items():
        out[section].update(values)
    out["claims"] = claims or {}
    return out


@pytest.mark.parametrize(
    "name",
    [
        "numbers_correct",
        "seed_forward_pass",
        "seed_sigmoid_layer",
        "seed_gradient_descent",
        "seed_gradient_descent_2d",
    ],
)
def test_worked_examples_pass(name):
    report = check_numbers(EXAMPLES / f"{name}.toml")
    assert report.ok, report.to_text()
    assert report.exit_code == 0


def test_issue_example_as_written_is_diagnosed():
    report = check_numbers(EXAMPLES / "numbers_issue.toml")
    verdicts = {c.key: c.correct for c in report.claims}
    # z1[1] = 0.3·1 + 0.4·0.5 + 0.5 = 1.0: the issue's 1.1 is one unit off, and wrong
    assert verdicts == {
        "z1": False,
        "h1": False,
        "loss": False,
        "dW2[0,0]": False,
        "W1_new[1,0]": False,
    }
    assert (
        "z1[1] = W1[1,0] · x[0] + W1[1,1] · x[1] + b1[1] = 0.3 · 1 + 0.4 · 0.5 + 0.5 = 1.000000"
        in report.to_text()
    )


def test_wrong_file_gets_formulas_and_diagnoses():
    text = check_numbers(EXAMPLES / "numbers_wrong.toml").to_text()
    # entries are counted from 1, as in the derivations (issue 10), and the output says so
    assert text.startswith("(entries counted from 1, as in the derivations")
    assert "dW2[1,2] = δ2[1] · h1[2] = 0.1434 · 0.7311 = 0.104817" in text
    assert "diagnosis: transposed: the claim is dW2[2,1]" in text
    assert "diagnosis: off by a factor 2" in text  # the loss without its ½
    assert "diagnosis: the claim is dh2[1]" in text  # δ2 without σ′(z2)
    assert "diagnosis: sign error" in text
    assert "diagnosis: stepped up the gradient" in text
    assert "W1_new[2,1] = W1[2,1] - α · dW1[2,1] = 0.3 - 0.5 · 0.0133 = 0.293355" in text
    assert text.endswith("1 of 6 claims correct")


def test_gradients_match_finite_differences():
    """The exact backward pass agrees with central differences of a NumPy forward pass."""
    quantities = check_numbers(doc()).solution.quantities
    params = {k: np.array(v, dtype=float) for k, v in NETWORK["parameters"].items()}
    x, y = np.array(NETWORK["data"]["x"]), np.array(NETWORK["data"]["y"])

    def loss(p):
        h = 1 / (1 + np.exp(-(p["W1"] @ x + p["b1"])))
        out = 1 / (1 + np.exp(-(p["W2"] @ h + p["b2"])))
        return 0.5 * np.sum((out - y) ** 2)

    assert abs(float(quantities["loss"].value()) - loss(params)) < 1e-15
    for name, value in params.items():
        exact = np.array(quantities[f"d{name}"].nested(), dtype=float)
        for index in np.ndindex(value.shape):
            up, down = ({k: v.copy() for k, v in params.items()} for _ in range(2))
            up[name][index] += 1e-6
            down[name][index] -= 1e-6
            numeric = (loss(up) - loss(down)) / 2e-6
            assert abs(numeric - exact[index]) < 1e-9, (name, index)


@pytest.mark.parametrize(
    "claimed, ok",
    [
        *[("0.6682", True), ("0.6681", True), ("0.6680", False), ("0.66819", True)],
        *[("0.67", True), ("0.7", True), ("0.6", True), ("0.5", False), ("0.66", True)],
    ],
)
def test_precision_is_what_is_written(claimed, ok):
    # h1[1] = σ(0.7) = 0.66818...: strictly within one unit of the last written decimal
    # (so a truncated 0.6681 passes; 0.6680 is two units off)
    from decimal import Decimal

    assert check_numbers(doc({"h1[1]": Decimal(claimed)})).ok is ok


def test_integers_are_exact_and_tolerance_overrides():
    assert check_numbers(doc({"z1[2]": 1})).ok
    assert not check_numbers(doc({"h1[1]": 1})).ok
    assert check_numbers(doc({"h1[1]": 0.6, "tolerance": 0.1})).ok


def test_cross_entropy_softmax_and_hidden_tanh():
    d = doc(
        {"delta2": [0.0, 0.0], "tolerance": 1.0},
        network={"layers": [2, 2, 2], "activations": ["tanh", "softmax"], "loss": "cross-entropy"},
    )
    sol = check_numbers(d).solution.quantities
    p = [float(v) for v in sol["h2"].nested()]
    assert abs(sum(p) - 1) < 1e-15
    assert np.allclose([float(v) for v in sol["delta2"].nested()], np.array(p) - [0.0, 1.0])


@pytest.mark.parametrize(
    "claims, changes, fragment",
    [
        ({"dW3": 1.0}, {}, "claims.dW3: no layer 3"),
        ({"foo1": 1.0}, {}, "claims.foo1: unknown claim name 'foo1'"),
        ({"dW2[3,1]": 1.0}, {}, "claims.dW2[3,1]: index 3 out of range for axis 1 of size 2"),
        ({"dW2[0,1]": 1.0}, {}, "indices count from 1, as in the derivations"),
        ({"dW2[1]": 1.0}, {}, "needs 2 indices"),
        ({"index_base": 2}, {}, "index_base: must be 0 or 1"),
        ({"h1": [0.1, 0.2, 0.3]}, {}, "claims.h1: expected shape (2,)"),
        ({"loss": float("nan")}, {}, "claims.loss: NaN"),
        ({"loss": "0.28"}, {}, "claims.loss: expected a number"),
        ({}, {"parameters": {"W2": [[0.6, 0.7]]}}, "parameters.W2: expected shape (2, 2)"),
        (
            {},
            {"parameters": {"W1": [[0.1, "a"], [0.3, 0.4]]}},
            "parameters.W1[0][1]: expected a number",
        ),
        ({}, {"network": {"activations": ["sigmoid", "sigmod"]}}, "sigmod"),
        ({}, {"network": {"loss": "hinge"}}, "network.loss: unknown loss 'hinge'"),
        ({}, {"data": {"x": [1.0]}}, "data.x: expected shape (2,)"),
    ],
)
def test_bad_input_is_one_line_naming_the_key(claims, changes, fragment):
    with pytest.raises(SpecError) as info:
        check_numbers(doc(claims, **changes))
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_cli_exit_codes_trace_and_json(capsys, tmp_path):
    assert main(["check", "numbers", str(EXAMPLES / "numbers_correct.toml"), "--trace"]) == 0
    out = capsys.readouterr().out
    assert "Forward pass" in out and "Backward pass" in out and "Update" in out
    assert "dW2       [  0.0958    0.1048]   = δ⁽²⁾ h⁽¹⁾ᵀ  [dense]" in out

    assert main(["check", "numbers", str(EXAMPLES / "numbers_wrong.toml"), "--json"]) == 1
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["correct"] is False
    dw = next(c for c in data["claims"] if c["claim"] == "dW2[1,2]")
    assert dw["entries"][0]["diagnosis"].startswith("transposed")

    bad = tmp_path / "bad.toml"
    bad.write_text('[network]\nlayers = [2, 2]\nactivations = ["sigmoid"]\nloss = "mse"\n')
    assert main(["check", "numbers", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "backprop: error: [parameters]: missing"
    assert main(["check", "numbers", str(tmp_path / "missing.toml")]) == 2


def test_index_base_zero_for_code_minded_users():
    report = check_numbers(doc({"h1[0]": 0.6682, "z1[1]": 1, "index_base": 0}))
    assert report.ok and report.to_text().startswith("(entries counted from 0")
    top = check_numbers({**doc({"h1[0]": 0.6682}), "index_base": 0})
    assert top.ok and top.to_dict()["index_base"] == 0


def test_off_by_one_index_is_diagnosed():
    # h1 = [σ(0.7), σ(1.0)] = [0.6682, 0.7311]: the value of h1[1] claimed for h1[2]
    text = check_numbers(doc({"h1[2]": 0.6682})).to_text()
    assert "diagnosis: off by one index: the claim is h1[1]" in text
