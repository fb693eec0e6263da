"""``backprop check``: exit 0 correct, 1 incorrect, 2 bad input with one line on stderr."""

import json
import pathlib

import pytest

from backprop.cli import main

EXAMPLES = pathlib.Path(__file__).parent.parent / "examples" / "check"


def test_correct_answer_exit_0(capsys):
    assert main(["check", "answer", "sigmoid", "sigma(z)*(1 - sigma(z))"]) == 0
    assert "sigmoid: correct" in capsys.readouterr().out


def test_incorrect_answer_json(capsys):
    assert main(["check", "answer", "softmax-ce", "y - p", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["correct"] is False and "sign error" in data["diagnosis"]
    assert set(data) >= {"correct", "expected", "counterexample", "diagnosis"}


def test_transposed_dw(capsys):
    assert main(["check", "answer", "dense:dW", "h delta^T"]) == 1
    assert "transposed" in capsys.readouterr().out


def test_explain_and_list(capsys):
    assert main(["check", "answer", "sigmoid-bce", "p - y", "--explain"]) == 0
    assert "chain rule" in capsys.readouterr().out
    assert main(["check", "answer", "--list"]) == 0
    out = capsys.readouterr().out
    assert "dense:delta" in out and "a (prediction)" in out


@pytest.mark.parametrize(
    "args",
    [["check", "answer", "nope", "p"], ["check", "answer", "sigmoid", "__import__('os').system('touch x')"],
     ["check", "answer", "sigmoid", "().__class__.__base__.__subclasses__()"],
     ["check", "answer", "sigmoid", "lambda: 0"], ["check", "answer", "sigmoid", "z.real"],
     ["check", "answer", "sigmoid", "(" * 100 + "z" + ")" * 100], ["check", "answer", "sigmoid", "z" * 5000],
     ["check", "steps", "does-not-exist.txt"]],
)  # fmt: skip
def test_bad_input_exit_2_one_line(args, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("backprop: error:")
    assert not (tmp_path / "x").exists()


def test_steps_exit_codes(capsys):
    assert main(["check", "steps", str(EXAMPLES / "sigmoid_bce.txt")]) == 0
    assert main(["check", "steps", str(EXAMPLES / "seed002_sigmoid_damaged.txt"), "--json"]) == 1
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{") :])["first_wrong_line"] == 6
