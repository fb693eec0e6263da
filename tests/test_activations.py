"""Every activation record, driven from the registry (derive/activations.py via the rulebook):
a new record is tested by these without new test code.

For each record: ``derive`` (a verified derivation, rendered as text, LaTeX and JSON, titled
by the record's name), ``check answer`` and ``check steps`` (its derivative, written in the
expression language, is accepted and a wrong one refused), and ``generate`` + ``train`` (the
generated module's gradient agrees with central differences of its own loss, and training
stays finite).

Fast enough for every CI run: each record's derivation and generated module are built once per
session (cached below), the checks are called in-process through ``backprop.api``, and the CLI
itself is exercised on a few records only.
"""

import functools
import json
import re

import numpy as np
import pytest
import sympy as sp
from sympy.printing.str import StrPrinter

import derive
from backprop.api import check_answer, check_steps
from backprop.cli import main
from codegen.generate import load_module
from codegen.spec import spec_from_dict
from derive import rulebook
from derive.builtins.activation import named_call
from derive.render import printer
from derive.symbols import z

NAMES = sorted(rulebook.activations())
CLI_NAMES = ["elu", "hardtanh", "leaky_relu"]  # the CLI itself, on a few records


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


@functools.cache  # one derivation per record per session
def derivation(name: str):
    return derive.custom_activation(name)


@functools.cache
def right_answer(name: str) -> str:
    """The record's derivative g′(z), as a student would type it."""
    return language(derivation(name)["slope_z"].rhs)


@functools.cache  # one generated module per record per session
def generated(name: str):
    return load_module(
        spec_from_dict(
            {
                "name": "one_activation",
                "inputs": 2,
                "layers": [{"units": 3, "activation": name}],
                "output": {"units": 1, "activation": "identity", "loss": "mse"},
                "train": {"epochs": 1, "batch_size": 4, "learning_rate": 0.01, "seed": 0},
            }
        )
    )


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _steps(name: str, answer: str) -> str:
    return f"d/dz {name}(z)\n= {answer}\n"


@pytest.mark.parametrize("name", NAMES)
def test_derive_renders_text_latex_and_json(name):
    d = derivation(name)
    assert d.verified and all(step.verified_by for step in d.all_steps())
    assert d.checks and all(check.passed for check in d.checks)
    result = d["slope_z"].rhs  # each rendering states the derivative
    assert printer.text(result) in d.to_text()
    flat = re.sub(r" \\\\\n\s*&\\qquad \{\} ", " ", d.to_latex())  # long lines are broken
    assert printer.latex(result) in flat
    data = json.loads(d.to_json())
    assert [chain["key"] for chain in data["chains"]] == list(d.results)
    assert data["chains"][0]["result"]["text"] == printer.text(result)


@pytest.mark.parametrize("name", NAMES)
def test_a_named_rule_is_titled_by_its_name_then_defined(name):
    """The title and the first line name the rule (elu(z), \\operatorname{elu}); the next step
    is its definition. LaTeX titles are clean: balanced braces, no Python reprs."""
    record, d = rulebook.activations()[name], derivation(name)
    named = named_call(record)
    shown = f"{name}(z)" if named is not None else printer.text(record.shown)
    assert d.title == f"{record.title}: {shown}"
    chain = d.chains[0]
    assert chain.lhs == sp.Derivative(named if named is not None else record.shown, z)
    if named is not None:
        assert printer.text(chain.lhs) == f"d/dz {name}(z)"
        assert printer.latex(chain.lhs) == rf"\frac{{d}}{{d z}} {record.latex}\left(z\right)"
        assert chain.steps[0].rhs == sp.Derivative(record.expr, z)
        assert chain.steps[0].why == f"definition of {name}(z)"
    title = d.to_latex().splitlines()[0]
    assert title.startswith(r"\section{") and _balanced(title), title
    assert not any(bad in title for bad in ("Piecewise(", "**", "Max(", "Heaviside(")), title


def _balanced(tex: str) -> bool:
    depth = 0
    for char in re.sub(r"\\[{}]", "", tex):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def test_a_named_rule_renders_as_its_name_exactly():
    assert derivation("elu").to_text().splitlines()[:3] == [
        "The exponential linear unit: elu(z) [activation]",
        "════════════════════════════════════════════════",
        "d/dz elu(z) = {1 if z > 0; exp(z)}",
    ]
    tex = derivation("leaky_relu").to_latex()
    assert tex.splitlines()[0] == (
        r"\section{The leaky rectified linear unit: leaky\_relu(\ensuremath{z})}\label{sec:activation}"
    )
    assert r"\frac{d}{d z} \operatorname{leaky\_relu}\left(z\right) &= \frac{d}{d z}" in tex


@pytest.mark.parametrize("name", NAMES)
def test_check_answer_accepts_the_derivative_and_refuses_a_wrong_one(name):
    right = right_answer(name)
    assert check_answer(name, right).correct is True, right
    assert check_answer(name, f"{right} + 1/3").correct is False, right


@pytest.mark.parametrize("name", NAMES)
def test_check_steps_accepts_the_derivative(name):
    report = check_steps(_steps(name, right_answer(name)))
    assert report.valid, report


@pytest.mark.parametrize("name", CLI_NAMES)
def test_the_cli_checks_answers_and_steps(capsys, tmp_path, name):
    right = right_answer(name)
    status, out, _ = run(capsys, "check", "answer", name, right)
    assert status == 0, out
    status, out, _ = run(capsys, "check", "answer", name, f"{right} + 1/3")
    assert status == 1, out
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text(_steps(name, right), encoding="utf-8")
    bad.write_text(_steps(name, f"{right} + 1/3"), encoding="utf-8")
    status, out, _ = run(capsys, "check", "steps", str(good))
    assert status == 0, out
    status, out, _ = run(capsys, "check", "steps", str(bad))
    assert status == 1, out


@pytest.mark.parametrize("name", NAMES)
def test_generate_and_train(name):
    module = generated(name)
    params = module.init_params(seed=1)
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    _, grads = module.gradients(params, X, Y)
    eps = 1e-6
    for index in [(0, 0), (2, 1)]:
        up = {**params, "W1": params["W1"].copy()}
        down = {**params, "W1": params["W1"].copy()}
        up["W1"][index] += eps
        down["W1"][index] -= eps
        numeric = (module.loss(up, X, Y) - module.loss(down, X, Y)) / (2 * eps)
        assert abs(grads["W1"][index] - numeric) <= 1e-6 * max(1.0, abs(numeric)), index
    history = module.train(params, X, Y, epochs=1, batch_size=4)
    assert np.isfinite(history["loss"]).all()
