"""Random answers and derivations built from the notes' own pieces: whatever is typed, the
checker gives a verdict or a one-line error, never a traceback (seeded, so reproducible)."""

import random

import pytest

from check.answer import check_answer
from check.steps import check_steps
from derive.errors import BackpropError

ATOMS = (
    "p", "y", "z", "q", "h", "W", "b", "δ", r"\delta", "dz", "dh", "a", "x", "w", "1", "2",
    "K", "m", r"\hat{y}", "y^*", "p_i", "y_i", "z_j", "p_k", "W_{ij}", "h_j", r"\delta_i",
    "dz^3", "h^2", "(h^2)^T", "W^T", "(W^{l+1})^T", r"\delta^{l+1}", "a^L", "z^{(2)}",
    r"y_\ell", r"\ell", "n_out", r"e(\ell)", "DZ^l", "H^{l-1}", "Z", "(δ)^2", r"\dots",
    r"\begin{bmatrix} h_1 & h_2 \end{bmatrix}", r"\mathbb{1}[i=j]", "z_{prev,j}",
)  # fmt: skip
FUNCTIONS = (
    r"\sigma", r"\log", "exp", "g'", r"\sigma'", "tanh", "softmax", r"\mathcal{A}", "diag",
    "ReLU", "H", "e^",
)  # fmt: skip
OPERATORS = (" + ", " - ", " ", r" \odot ", " * ", r" \cdot ", " . ", " ⊗ ", "/", " = ")
QUANTITIES = (
    "softmax-ce", "sigmoid-bce", "sigmoid", "dense:dW", "dense:dh", "dense:delta",
    "softmax:jacobian", "ce:dp", "update-rule", "batch:dW", "batch:db", "net121:dW3[1,2]",
    "mse", "dense:z", "softmax:forward", "dense:db", "output:delta", "chain:composite",
)  # fmt: skip


def _expression(rng: random.Random, depth: int = 0) -> str:
    r = rng.random()
    if depth > 3 or r < 0.3:
        return rng.choice(ATOMS)
    if r < 0.45:
        f = rng.choice(FUNCTIONS)
        inner = _expression(rng, depth + 1)
        return f + ("{" + inner + "}" if f == "e^" else "(" + inner + ")")
    if r < 0.55:
        return r"\frac{" + _expression(rng, depth + 1) + "}{" + _expression(rng, depth + 1) + "}"
    if r < 0.62:
        index, top = rng.choice("kij"), rng.choice(["K", "n", "3", "m"])
        return rf"\sum_{{{index}=1}}^{{{top}}} " + _expression(rng, depth + 1)
    if r < 0.68:
        return f"({_expression(rng, depth + 1)})" + rng.choice(["^T", "^2", "^{-1}", "'", ""])
    if r < 0.72:
        top, bottom = rng.choice(["L", "p_i", "z"]), rng.choice(["z_i", "p", "W", "w_1", "z^2"])
        return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"
    return _expression(rng, depth + 1) + rng.choice(OPERATORS) + _expression(rng, depth + 1)


def _one_line(message: str) -> bool:
    return "\n" not in message and "Traceback" not in message


@pytest.mark.parametrize("seed", range(4))
def test_random_answers_get_a_verdict_or_one_line(seed):
    rng = random.Random(seed)
    for _ in range(75):
        text, quantity = _expression(rng), rng.choice(QUANTITIES)
        try:
            verdict = check_answer(quantity, text, timeout=2)
        except BackpropError as exc:
            assert _one_line(str(exc)), (quantity, text)
        else:
            assert verdict.correct in (True, False, None)
            assert verdict.read_as.strip(), (quantity, text)  # the reading, every time


@pytest.mark.parametrize("seed", range(2))
def test_random_derivations_get_a_report_or_one_line(seed):
    rng = random.Random(100 + seed)
    names = ["p", "q_1", "L", "y^*", "J", "h", r"\sigma(z)", "a^{(l)}_j", "p_i", "f"]
    for _ in range(40):
        lines = [f"{rng.choice(names)} = {_expression(rng)}" for _ in range(rng.randint(0, 2))]
        lines += ["assume y one-hot"] if rng.random() < 0.3 else []
        lines.append(rng.choice([r"\frac{\partial L}{\partial z}", _expression(rng)]))
        lines += [f"= {_expression(rng)}" for _ in range(rng.randint(1, 3))]
        try:
            check_steps("\n".join(lines), timeout=2).to_text()
        except BackpropError as exc:
            assert _one_line(str(exc)), lines
