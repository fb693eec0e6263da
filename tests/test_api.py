"""``import backprop``: the API, its docstrings, Python-speaking errors, and clean ``--json``."""

import inspect
import json
import os
import subprocess
import sys

import pytest

import backprop
from backprop import api
from backprop.cli import main
from derive.errors import BackpropError, SpecError, UnknownNameError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI_WORDS = ("try --", "--list", "--lr", "--label", "--plot", "--layers")


def test_import_backprop_does_not_import_sympy_or_the_cli():
    code = "import sys, backprop\nprint(' '.join(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": ROOT}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    modules = set(out.stdout.split())
    assert "backprop" in modules, out.stderr
    assert "sympy" not in modules and "numpy" not in modules
    assert not any(m == "backprop.cli" or m.startswith("backprop.commands") for m in modules)


def test_the_api_does_not_import_the_cli():
    code = (
        "import sys, backprop\nbackprop.check_answer; backprop.train; backprop.derive.get\n"
        "backprop.Result; backprop.Verdict; backprop.CodeReport\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    env = {**os.environ, "PYTHONPATH": ROOT}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    modules = set(out.stdout.split())
    assert "backprop.api" in modules, out.stderr
    assert not any(m == "backprop.cli" or m.startswith("backprop.commands") for m in modules)


@pytest.mark.parametrize("name", backprop.__all__)
def test_every_public_name_has_a_docstring(name):
    value = getattr(backprop, name)
    assert inspect.getdoc(value), f"backprop.{name} has no docstring"


@pytest.mark.parametrize("name", ["get", "names", "mlp", "custom_activation", "custom_loss"])
def test_backprop_derive_is_the_derive_package(name):
    assert inspect.getdoc(getattr(backprop.derive, name))


@pytest.mark.parametrize(
    "function", [api.check_answer, api.check_steps, api.check_code, api.generate, api.train]
)
def test_api_functions_take_options_by_keyword_and_show_an_example(function):
    parameters = inspect.signature(function).parameters.values()
    options = [p for p in parameters if p.default is not inspect.Parameter.empty]
    assert options and all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in options)
    assert ">>> " in function.__doc__


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        backprop.nothing  # noqa: B018


def test_check_answer_through_the_api():
    verdict = backprop.check_answer("softmax-ce", "y_i - p_i")
    assert verdict.correct is False and verdict.diagnosis.startswith("sign error")


def test_train_through_the_api():
    result = backprop.train("examples/xor.toml", "xor", epochs=3, learning_rate=0.5)
    assert isinstance(result, backprop.Result)
    assert result.epochs == 3 and len(result.curves["train_loss"]) == 3


def test_generate_through_the_api_is_the_commands_output(capsys):
    source = backprop.generate("examples/xor.toml")
    assert main(["generate", "examples/xor.toml"]) == 0
    assert capsys.readouterr().out == source + ("" if source.endswith("\n") else "\n")


# -- errors: Python in the library, flags only on the command line --------------------------


def _python_message(call) -> str:
    with pytest.raises(BackpropError) as error:
        call()
    return str(error.value)


PYTHON_ERRORS = {
    "derivation": lambda: backprop.derive.get("dens"),
    "quantity": lambda: backprop.check_answer("sigmoid-bcee", "p - y"),
    "layers": lambda: backprop.derive.mlp_from_options("2,x", None, None, None),
    "label": lambda: backprop.load_dataset("xor", label="y"),
}


@pytest.mark.parametrize("case", PYTHON_ERRORS)
def test_library_errors_name_no_command_line_flag(case):
    message = _python_message(PYTHON_ERRORS[case])
    assert not any(word in message for word in CLI_WORDS), message


def test_unknown_names_point_to_the_python_lister():
    assert _python_message(PYTHON_ERRORS["derivation"]) == (
        "unknown derivation 'dens' (did you mean 'dense'?); derive.names() lists them"
    )
    message = _python_message(PYTHON_ERRORS["quantity"])
    assert message.endswith("check.quantities.names() lists them")


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["derive", "dens"], "unknown derivation 'dens' (did you mean 'dense'?); try --list"),
        (["check", "answer", "sigmoid-bcee", "p - y"], "; try --list"),
        (["derive", "mlp", "--layers", "2,x"], "--layers: expected comma-separated integers"),
        (["train", "examples/xor.toml", "--dataset", "xor", "--label", "y"], "--label is for"),
    ],
)
def test_the_cli_adds_its_flags(argv, expected, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("backprop: error: ") and expected in err and err.count("\n") == 1


def test_cli_message_survives_the_bounded_child():
    from derive.bounded import bounded_call

    def fail():
        raise UnknownNameError("python words", cli_message="cli words")

    with pytest.raises(UnknownNameError) as error:
        bounded_call(fail, seconds=10)
    assert str(error.value) == "python words" and error.value.cli_message == "cli words"


def test_an_error_without_cli_message_prints_its_message():
    assert SpecError("layers: bad").cli_message == "layers: bad"


# -- --json: only JSON on stdout, for every command that has it -------------------------------

JSON_COMMANDS = {
    "check answer": ["check", "answer", "--json", "--explain", "softmax-ce", "y_i - p_i"],
    "check steps": ["check", "steps", "--json", "examples/check/sigmoid_bce.txt"],
    "check numbers": ["check", "numbers", "--json", "--trace", "examples/check/numbers_wrong.toml"],
    "check code": [
        "check",
        "code",
        "--json",
        "examples/check/student_sign_error.py:gradients",
        "--spec",
        "examples/lecture.toml",
    ],
    "train": ["train", "examples/xor.toml", "--dataset", "xor", "--epochs", "2", "--json"],
    "derive --format json": ["derive", "dense", "--format", "json"],
}


@pytest.mark.parametrize("command", JSON_COMMANDS)
def test_json_stdout_is_only_json(command, capsys):
    status = main(JSON_COMMANDS[command])
    out = capsys.readouterr().out
    assert status in (0, 1)
    json.loads(out)  # the whole of stdout parses


def test_train_json_pipes_into_json_tool(tmp_path):
    env = {**os.environ, "PYTHONPATH": ROOT}
    argv = [sys.executable, "-m", "backprop.cli", *JSON_COMMANDS["train"]]
    train = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    tool = subprocess.run(
        [sys.executable, "-m", "json.tool"], input=train.stdout, capture_output=True, text=True
    )
    assert train.returncode == 0 and tool.returncode == 0, train.stderr + tool.stderr
    assert "training xor" in train.stderr
