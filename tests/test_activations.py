"""Every activation record, driven from the registry (derive/activations.py via the rulebook):
a new record is tested by these without new test code.

For each record: ``derive`` (a verified derivation, rendered as text, LaTeX and JSON),
``check answer`` and ``check steps`` (its derivative, written in the expression language, is
accepted and a wrong one refused), and ``generate`` + ``train`` (the generated module's
gradient agrees with central differences of its own loss, and training stays finite).
"""

import json

import numpy as np
import pytest
import sympy as sp
from sympy.printing.str import StrPrinter

import derive
from backprop.cli import main
from codegen.generate import load_module
from codegen.spec import spec_from_dict
from derive import rulebook
from derive.render import printer

NAMES = sorted(rulebook.activations())


class _Language(StrPrinter):
    """A SymPy expression as text of the expression language (what a student would type):
    piecewise as nested ``where``, conditions joined by nesting (the language has no and/or)."""

    def _print_Piecewise(self, expr):
        *pieces, (last, otherwise) = expr.args
        assert otherwise is sp.true
        code = self._print(last)
        for value, condition in reversed(pieces):
            code = self._where(condition, self._print(value), code)
        return code

    def _where(self, condition, then: str, otherwise: str) -> str:
        if isinstance(condition, sp.And):
            for part in reversed(condition.args):
                then = self._where(part, then, otherwise)
            return then
        if isinstance(condition, sp.Or):
            for part in reversed(condition.args):
                otherwise = self._where(part, then, otherwise)
            return otherwise
        if isinstance(condition, sp.Not):
            return self._where(condition.args[0], otherwise, then)
        return f"where({self._print(condition)}, {then}, {otherwise})"

    def _print_Exp1(self, expr):
        return "exp(1)"

    def _print_Float(self, expr):
        return sp.Float(expr, 17).__str__()


def language(expr: sp.Expr) -> str:
    return _Language().doprint(expr)


def slope(name: str) -> sp.Expr:
    return derive.custom_activation(name)["slope_z"].rhs


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("name", NAMES)
def test_derive_renders_text_latex_and_json(name):
    d = derive.custom_activation(name)
    assert d.verified and all(step.verified_by for step in d.all_steps())
    assert d.checks and all(check.passed for check in d.checks)
    result = d["slope_z"].rhs  # each rendering states the derivative
    assert printer.text(result) in d.to_text()
    assert printer.latex(result) in d.to_latex()
    data = json.loads(d.to_json())
    assert [chain["key"] for chain in data["chains"]] == list(d.results)
    assert data["chains"][0]["result"]["text"] == printer.text(result)


@pytest.mark.slow  # about a second per record
@pytest.mark.parametrize("name", NAMES)
def test_check_answer_accepts_the_derivative_and_refuses_a_wrong_one(capsys, name):
    right = language(slope(name))
    status, out, _ = run(capsys, "check", "answer", name, right)
    assert status == 0, out
    status, out, _ = run(capsys, "check", "answer", name, f"{right} + 1/3")
    assert status == 1, out


@pytest.mark.slow  # about a second per record
@pytest.mark.parametrize("name", NAMES)
def test_check_steps_accepts_the_derivative_and_refuses_a_wrong_one(capsys, tmp_path, name):
    right = language(slope(name))
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text(f"d/dz {name}(z)\n= {right}\n", encoding="utf-8")
    bad.write_text(f"d/dz {name}(z)\n= {right} + 1/3\n", encoding="utf-8")
    status, out, _ = run(capsys, "check", "steps", str(good))
    assert status == 0, out
    status, out, _ = run(capsys, "check", "steps", str(bad))
    assert status == 1, out


@pytest.mark.slow  # about a second per record
@pytest.mark.parametrize("name", NAMES)
def test_generate_and_train(name):
    spec = spec_from_dict(
        {
            "name": "one_activation",
            "inputs": 3,
            "layers": [{"units": 4, "activation": name}],
            "output": {"units": 1, "activation": "identity", "loss": "mse"},
            "train": {"epochs": 2, "batch_size": 4, "learning_rate": 0.01, "seed": 0},
        }
    )
    module = load_module(spec)
    params = module.init_params(seed=1)
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 1))
    _, grads = module.gradients(params, X, Y)
    eps = 1e-6
    for index in [(0, 0), (3, 2)]:
        up = {**params, "W1": params["W1"].copy()}
        down = {**params, "W1": params["W1"].copy()}
        up["W1"][index] += eps
        down["W1"][index] -= eps
        numeric = (module.loss(up, X, Y) - module.loss(down, X, Y)) / (2 * eps)
        assert abs(grads["W1"][index] - numeric) <= 1e-6 * max(1.0, abs(numeric)), index
    history = module.train(params, X, Y, epochs=2, batch_size=4)
    assert np.isfinite(history["loss"]).all()
