"""Mode 1 through the Python API, the accepted notations, and the examples list."""

import pathlib
import shlex

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from check import quantities
from check.answer import check_answer, read_answer
from check.reading import ShapeError
from derive.errors import ParseError

CORRECT = [
    ("sigmoid", "sigma(z)*(1 - sigma(z))"),
    ("sigmoid", "sigma(z)(1 - sigma(z))"),
    ("sigmoid", "exp(-z)/(1+exp(-z))^2"),
    ("sigmoid", r"\sigma(z)\left(1-\sigma(z)\right)"),
    ("sigmoid", r"\frac{e^{-z}}{(1+e^{-z})^2}"),
    ("sigmoid", "h(1-h)"),
    ("sigmoid", "logistic(z)(1 - logistic(z))"),
    ("tanh", "1 - tanh(z)**2"),
    ("tanh", "sech(z)^2"),
    ("tanh", "1 - a^2"),
    ("relu", "H(z)"),
    ("softmax", r"p_i(\delta_{ij} - p_j)"),
    ("softmax", "q[i](delta_ij - q[j])"),
    ("softmax-ce", "p - y"),
    ("softmax-ce", "ŷ_i - y_i"),
    ("softmax-ce", "yhat[k] - y[k]"),
    ("sigmoid-bce", r"\hat{y} - y"),
    ("sigmoid-bce", "y^* - y"),
    ("sigmoid-bce", "sigma(z) - y"),
    ("mse", "ŷ - y"),
    ("mse", "z - y"),
    ("dense:dW", "delta h^T"),
    ("dense:dW", r"\delta h^{\top}"),
    ("dense:db", "δ"),
    ("dense:dh", "W^T delta"),
    ("dense:dh", "Wᵀδ"),
    ("dense:delta", "(W^T delta) * g'(z)"),
    ("dense:delta", r"\left(W^{\top}\delta\right) \odot \sigma'(z_{prev})"),
    ("dense:delta", r"(W^T \delta) \circ g'(a)"),
]


@pytest.mark.parametrize("quantity, answer", CORRECT)
def test_correct_answers(quantity, answer):
    verdict = check_answer(quantity, answer)
    assert verdict.correct is True, verdict.to_text()


def test_incorrect_answer_has_counterexample_and_expected():
    verdict = check_answer("softmax-ce", "y - p")
    assert verdict.correct is False and verdict.exit_code == 1
    assert verdict.counterexample["answer"] == -verdict.counterexample["expected"]
    assert verdict.expected == "p_i − y_i"
    assert set(verdict.to_dict()) >= {"correct", "expected", "counterexample", "diagnosis"}


def test_explain_attaches_derivation():
    assert "Sigmoid" in check_answer("sigmoid-bce", "p - y", explain=True).explanation


@pytest.mark.parametrize(
    "text",
    ["__import__('os').system('touch x')", "().__class__.__base__.__subclasses__()",
     "lambda: 0", "p.__class__", "(" * 500 + "p" + ")" * 500, "p+" * 3000 + "p", "9**9**9",
     "sigma(z", "unknown(z)"],
)  # fmt: skip
def test_hostile_input_is_a_parse_error(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("sigmoid-bce", "dense:dW"):
        with pytest.raises(ParseError):
            check_answer(name, text)
    assert not (tmp_path / "x").exists()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60), st.sampled_from(quantities.names()))
def test_reader_returns_expression_or_parse_error(text, name):
    try:
        value = read_answer(quantities.get(name), text)
    except (ParseError, ShapeError):  # ShapeError: matrix notation whose shapes do not fit
        return
    assert isinstance(value, sp.Basic) or hasattr(value, "entry")


def _example_lines():
    path = pathlib.Path(__file__).parent.parent / "examples" / "check" / "answers.sh"
    for line in path.read_text().splitlines():
        if line.startswith("backprop check answer"):
            command, _, expect = line.partition("# expect ")
            yield shlex.split(command)[3:], int(expect.split()[0])


@pytest.mark.parametrize("args, status", list(_example_lines()))
def test_examples_list(args, status):
    verdict = check_answer(*args)
    assert verdict.exit_code == status, verdict.to_text()
    if status:
        assert verdict.diagnosis


def test_a_reading_with_g_prime_at_an_expression_is_decided_and_the_diagnosed_one_reported():
    # z^3: a power (g′ at z³, a Subs) or layer 3; both readings are wrong, the named one is shown
    verdict = check_answer("squared-error:delta", r"(\hat{y} - y)g'(z^3)")
    assert verdict.correct is False
    assert "factor" in verdict.diagnosis


def test_an_undecided_reading_keeps_the_verdict_undecided():
    from check.answer import _reported
    from check.report import Verdict

    wrong = Verdict("q", "a", "e", False, diagnosis="sign error")
    unsure = Verdict("q", "a", "e", None)
    assert _reported([wrong, unsure]) is unsure
    assert _reported([Verdict("q", "a", "e", False), wrong]) is wrong
