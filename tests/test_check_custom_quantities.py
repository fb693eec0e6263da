"""Quantities made from the question's text (check/custom_quantities.py): derivative of a
given expression, --activation EXPR, --loss EXPR."""

import subprocess
import sys
from pathlib import Path

import pytest

from check import check_answer, custom_quantities
from derive.errors import ParseError

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "of, wrt, text, correct, diagnosis",
    [
        ("w^2", "w", "w + w", True, None),
        ("w^2", "w", "w^2", False, "expression itself"),
        ("w^2", "w", "w", False, "factor"),
        ("w_1^2 + w_2^2", "w_1", "2w_1", True, None),
        ("w_1^2 + w_2^2", "w_1", "2w_2", False, "wrong variable"),
        ("(y - \\hat{y})^2", "\\hat{y}", "-2(y - \\hat{y})", True, None),
    ],
)  # fmt: skip
def test_derivative_of_a_given_expression(of, wrt, text, correct, diagnosis):
    verdict = check_answer("derivative", text, params={"of": of, "wrt": wrt})
    assert verdict.correct is correct
    if diagnosis:
        assert diagnosis in verdict.diagnosis


def test_derivative_input_is_read_by_the_language_only():
    with pytest.raises(ParseError):
        check_answer("derivative", "1", params={"of": "__import__('os')", "wrt": "w"})
    with pytest.raises(ParseError):
        custom_quantities.derivative("w^2", "2")


def test_activation_and_loss_quantities():
    swish = custom_quantities.activation("z*sigmoid(z)")
    assert check_answer(swish, "sigmoid(z) + z sigmoid(z)(1 - sigmoid(z))").correct
    assert "itself" in check_answer(swish, "z sigmoid(z)").diagnosis
    squared = custom_quantities.loss("(y - p)^2")
    assert check_answer(squared, "2(p - y) p (1 - p)").correct
    assert check_answer(squared, "2(p - y)").correct is False


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "backprop.cli", "check", "answer", *args],
        capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT)}, timeout=60,
    )  # fmt: skip


def test_cli_activation_loss_and_derivative():
    assert _cli("--activation", "z*sigmoid(z)", "sigmoid(z)").returncode == 1
    assert _cli("--loss", "(y-p)^2", "2(p-y)p(1-p)").returncode == 0
    assert _cli("derivative", "2w", "--of", "w^2", "--wrt", "w").returncode == 0
    bad = _cli("--activation", "eval(z)", "1")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_forward_of_a_given_expression_is_the_expression_itself():
    params = {"of": "w_1^2 + w_2^2"}
    assert check_answer("forward", "w_1 w_1 + w_2 w_2", params=params).correct is True
    assert check_answer("forward", "2w_1 + 2w_2", params=params).correct is False
