"""backprop/rules_option.py: ``--rules FILE.toml`` on every command, run in-process.

One rules file defines a new activation (``softsign2``) and a new loss (``logcosh2``); every
command must know them with the option and refuse them without it.
"""

import json
import textwrap

import pytest

from backprop.cli import build_parser, main
from derive import rulebook

RULES = """\
[[activation]]
name = "softsign2"
expr = "z / (1 + abs(z))"
latex = '\\operatorname{ss}(z)'

[[loss]]
name = "logcosh2"
expr = "log(cosh(p - y))"
output = "identity"
"""

SPEC = """\
name = "user_rules"
inputs = 2
[[layers]]
units = 3
activation = "softsign2"
[output]
units = 1
activation = "identity"
loss = "logcosh2"
[train]
epochs = 2
batch_size = 4
learning_rate = 0.05
seed = 0
"""

STUDENT = """\
import numpy as np


def gradients(params, X, Y):
    m = X.shape[0]
    z1 = X @ params["W1"].T + params["b1"]
    h1 = z1 / (1 + np.abs(z1))
    p = h1 @ params["W2"].T + params["b2"]
    dp = np.tanh(p - Y) / m
    dz1 = (dp @ params["W2"]) / (1 + np.abs(z1)) ** 2
    return {"W1": dz1.T @ X, "b1": dz1.sum(axis=0), "W2": dp.T @ h1, "b2": dp.sum(axis=0)}
"""

NUMBERS = """\
[network]
layers = [2, 2, 1]
activations = ["softsign2", "identity"]
loss = "mse"

[parameters]
W1 = [[1, 0], [0, 1]]
b1 = [0, 0]
W2 = [[1, 1]]
b2 = [0]

[data]
x = [1, -3]
y = [0]

[claims]
h1 = [0.5, -0.75]
"""


@pytest.fixture(autouse=True)
def fresh_rules():
    rulebook.forget_user_rules()
    yield
    rulebook.forget_user_rules()


@pytest.fixture
def files(tmp_path):
    paths = {}
    for name, text in [
        ("rules.toml", RULES),
        ("spec.toml", SPEC),
        ("student.py", STUDENT),
        ("numbers.toml", NUMBERS),
        ("steps.txt", "d/dz softsign2(z)\n= 1/(1 + abs(z))^2\n"),
    ]:
        paths[name] = tmp_path / name
        paths[name].write_text(text, encoding="utf-8")
    return {name: str(path) for name, path in paths.items()}


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_every_command_has_the_rules_option():
    parser = build_parser()
    sub = parser._subparsers._group_actions[0].choices  # noqa: SLF001
    for command in ("derive", "generate", "train", "demo"):
        assert "--rules" in sub[command]._option_string_actions, command  # noqa: SLF001
    from backprop.commands.check import build_parser as check_parser

    modes = check_parser()._subparsers._group_actions[0].choices  # noqa: SLF001
    assert set(modes) == {"answer", "steps", "numbers", "code"}
    for mode, p in modes.items():
        assert "--rules" in p._option_string_actions, mode  # noqa: SLF001


def test_derive_an_activation_and_a_loss_from_the_rules(capsys, files):
    status, out, _ = run(
        capsys, "derive", "--rules", files["rules.toml"], "--activation", "softsign2"
    )
    assert status == 0 and "softsign2" in out
    rulebook.forget_user_rules()
    status, out, _ = run(
        capsys,
        *("derive", "--rules", files["rules.toml"], "--loss", "logcosh2"),
        *("--output-activation", "identity", "--format", "json"),
    )
    assert status == 0
    assert json.loads(out)["chains"][0]["result"]["text"] == "tanh(p − y)"


def test_without_the_rules_the_names_are_unknown(capsys, files):
    status, _, err = run(capsys, "derive", "--activation", "softsign2")
    assert status == 2 and "softsign2" in err


def test_generate_with_the_rules(capsys, files, tmp_path):
    out_file = tmp_path / "user_rules.py"
    status, _, err = run(
        capsys, "generate", files["spec.toml"], "--rules", files["rules.toml"], "-o", str(out_file)
    )
    assert status == 0, err
    source = out_file.read_text(encoding="utf-8")
    assert 'activation = "softsign2"' in source and 'loss = "logcosh2"' in source
    assert "np.abs" in source  # the rule's definition reached the generated code
    assert f"--rules {files['rules.toml']}" in source  # the regenerate command needs the rules
    rulebook.forget_user_rules()
    status, _, err = run(capsys, "generate", files["spec.toml"])
    assert status == 2 and "unknown activation 'softsign2'" in err


def test_train_with_the_rules(capsys, files):
    status, out, err = run(
        capsys,
        *("train", files["spec.toml"], "--rules", files["rules.toml"]),
        *("--dataset", "xor", "--quiet", "--json"),
    )
    assert status == 0, err
    assert "train_loss" in json.loads(out.splitlines()[-1])


def test_check_steps_with_the_rules(capsys, files):
    status, out, _ = run(
        capsys, "check", "steps", "--rules", files["rules.toml"], files["steps.txt"]
    )
    assert status == 0, out
    assert "every step is valid" in out


def test_check_answer_with_the_rules(capsys, files):
    status, out, _ = run(
        capsys, "check", "answer", "--rules", files["rules.toml"], "softsign2", "1/(1 + abs(z))^2"
    )
    assert status == 0, out
    status, out, _ = run(
        capsys, "check", "answer", "--rules", files["rules.toml"], "softsign2", "1/(1 + abs(z))"
    )
    assert status == 1, out


def test_check_numbers_with_the_rules(capsys, files):
    status, out, err = run(
        capsys, "check", "numbers", "--rules", files["rules.toml"], files["numbers.toml"]
    )
    assert status == 0, out + err
    assert "1 of 1 claims correct" in out


def test_check_code_with_the_rules(capsys, files):
    target = f"{files['student.py']}:gradients"
    status, out, err = run(
        capsys,
        *("check", "code", "--rules", files["rules.toml"], target, "--spec", files["spec.toml"]),
    )
    assert status == 0, out + err


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("x = ", "not valid TOML"),
        ("[[activation]]\nname = 'a1'\n", "needs name and expr"),
        ("[[activation]]\nname = 'a1'\nexpr = 'z +* 2'\n", "activation 1"),
        ("[[activation]]\nname = 'relu'\nexpr = 'z'\n", "already a built-in name"),
        ("[[layer]]\nname = 'a1'\n", "unknown table 'layer'"),
        ("[[loss]]\nname = 'logcosh'\nexpr = 'p - y'\n", "already a built-in name"),
    ],
)
def test_a_bad_rules_file_is_one_line_exit_2(capsys, tmp_path, text, fragment):
    bad = tmp_path / "bad.toml"
    bad.write_text(textwrap.dedent(text), encoding="utf-8")
    for argv in (["derive", "sigmoid"], ["check", "steps", str(bad)], ["generate", str(bad)]):
        status, _, err = run(capsys, *argv[:1], *argv[1:], "--rules", str(bad))
        assert status == 2
        assert len(err.splitlines()) == 1 and err.startswith("backprop: error: ")
        assert fragment in err


def test_a_missing_rules_file_is_one_line_exit_2(capsys, tmp_path):
    status, _, err = run(capsys, "derive", "sigmoid", "--rules", str(tmp_path / "none.toml"))
    assert status == 2 and "cannot read rules file" in err and len(err.splitlines()) == 1


def test_python_registration_is_exported_from_derive():
    import derive

    derive.register_activation("softsign3", "z / (1 + abs(z))")
    derive.register_loss("logcosh3", "log(cosh(p - y))", output="identity")
    assert derive.custom_activation("softsign3")["slope_z"].rhs is not None
    assert derive.custom_loss("logcosh3", output="identity")["dz"].rhs.has(__import__("sympy").tanh)


def test_the_example_rules_and_their_network(capsys):
    from pathlib import Path

    from codegen.spec import load_spec

    examples = Path(__file__).resolve().parent.parent / "examples" / "rules"
    rulebook.load_rules(examples / "lecun.toml")
    spec = load_spec(examples / "lecun_net.toml")
    assert [layer.activation.text for layer in spec.layers] == [
        "lecun_tanh",
        "leaky_relu(z, negative_slope=0.2)",
    ]
    assert spec.output.loss.text == "pseudo_huber"


@pytest.mark.parametrize(
    "before, after",
    [
        (("check", "--rules", "RULES"), ("answer",)),  # before the mode
        (("check", "--rules=RULES"), ("answer",)),
        (("--rules", "RULES", "check"), ("answer",)),  # before the command
        (("--rules", "RULES", "check", "answer", "--rules", "RULES"), ()),  # both: twice is fine
    ],
)
def test_the_rules_option_before_the_mode_or_the_command(capsys, files, before, after):
    words = [w.replace("RULES", files["rules.toml"]) for w in (*before, *after)]
    status, out, err = run(capsys, *words, "softsign2", "1/(1 + abs(z))^2")
    assert status == 0, out + err
    rulebook.forget_user_rules()
    status, out, err = run(capsys, *words, "softsign2", "1/(1 + abs(z))")
    assert status == 1, out + err


def test_the_rules_option_before_generate(capsys, files, tmp_path):
    out_file = tmp_path / "user_rules.py"
    status, out, err = run(
        capsys, "--rules", files["rules.toml"], "generate", files["spec.toml"], "-o", str(out_file)
    )
    assert status == 0, out + err
    assert f"--rules {files['rules.toml']}" in out_file.read_text()


def test_the_rules_option_without_a_file_is_a_one_line_error(capsys):
    status, out, err = run(capsys, "check", "--rules")
    assert status == 2 and err.startswith("backprop: error:") and err.count("\n") == 1, err
