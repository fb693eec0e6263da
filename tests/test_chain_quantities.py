"""The chain-rule quantities: the chain-rule derivation's two examples, and the composite and
quotient rules for generic f, g, h (SymPy's derivative of the composition)."""

import pytest

from check import check_answer
from check.quantities import names


@pytest.mark.parametrize(
    ("quantity", "answer", "correct", "diagnosis"),
    [
        ("chain-rule:polar", r"(2x) \cdot (-r \sin \theta) + (2y) \cdot (r \cos \theta)", True, ""),
        ("chain-rule:polar", "0", True, ""),
        ("chain-rule:polar", r"2 r (y \cos\theta - x \sin\theta)", True, ""),
        (
            "chain-rule:polar",
            r"(2x) \cdot (r \sin \theta) + (2y) \cdot (r \cos \theta)",
            False,
            "sign",
        ),
        ("chain-rule:polar", r"(2x) \cdot (-r \sin \theta)", False, "missing term"),
        ("chain-rule:polar", r"2x \cos\theta + 2y \sin\theta", False, "∂f/∂r"),
        ("chain-rule:product", r"z \cdot 1", True, ""),
        ("chain-rule:product", "x + y", False, "∂f/∂z"),
        ("chain-rule:product", "(x + y) z", False, "itself"),
        ("chain:composite", "g'(x) f'(g(x))", True, ""),
        ("chain:composite", "f'(x) g'(x)", False, "belongs"),
        ("chain:composite", "f'(g(x))", False, "missing the inner derivative"),
        ("chain:composite", "g'(f(x)) f'(x)", False, "wrong order"),
        ("chain:quotient", r"\frac{g'(x) h(x) - g(x) h'(x)}{h(x)^2}", True, ""),
        (
            "chain:quotient",
            r"\frac{\partial g(x)}{\partial x} \frac{1}{h(x)} - \frac{g(x)}{h(x)^2} \frac{\partial h(x)}{\partial x}",
            True,
            "",
        ),
        ("chain:quotient", r"\frac{g'(x) h(x) + g(x) h'(x)}{h(x)^2}", False, "sign"),
        ("chain:quotient", r"\frac{g'(x)}{h'(x)}", False, "quotient of the derivatives"),
    ],
)
def test_chain_rule_answers(quantity, answer, correct, diagnosis):
    verdict = check_answer(quantity, answer)
    assert verdict.correct is correct
    assert diagnosis in (verdict.diagnosis or "")


def test_chain_quantities_are_listed():
    assert {"chain-rule:polar", "chain-rule:product", "chain:composite", "chain:quotient"} <= set(
        names()
    )


def test_composite_is_proved_for_any_functions_not_only_the_stand_ins():
    verdict = check_answer("chain:composite", r"f'(g(x)) \cdot g'(x)")
    assert verdict.method.startswith("symbolic: identical")
