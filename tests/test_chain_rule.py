"""derive.builtins.chain_rule: the lecture's two chain-rule examples."""

import copy

import pytest
import sympy as sp

from derive import registry
from derive.builtins.chain_rule import f, r, theta, x, x_polar, y, z
from derive.errors import DerivationError
from derive.model import Derivation
from derive.verify import verify


def with_step(derivation: Derivation, chain: int, number: int, rhs: sp.Expr) -> Derivation:
    chains = copy.deepcopy(derivation.chains)
    chains[chain].steps[number - 1].rhs = rhs
    return Derivation(
        derivation.name, derivation.title, derivation.summary, chains, derivation.domain
    )


def test_chain_rule_verifies():
    derivation = registry.get("chain-rule")
    assert derivation.verified
    assert [chain.result for chain in derivation.chains] == [0, z]
    assert len(derivation.checks) == 4 and all(check.passed for check in derivation.checks)


def test_polar_result_agrees_with_direct_differentiation():
    composed = (r * sp.cos(theta)) ** 2 + (r * sp.sin(theta)) ** 2
    claim = registry.get("chain-rule")["polar"].rhs
    assert sp.simplify(sp.diff(composed, theta) - claim) == 0


def test_graph_result_agrees_with_direct_differentiation():
    claim = registry.get("chain-rule")["graph"].rhs
    assert sp.expand(sp.diff((x + y) * z, x) - claim) == 0


def test_polar_chain_rule_line_is_sympys():
    steps = registry.get("chain-rule").steps["polar"]
    assert steps[1].rhs.has(sp.Derivative(x_polar, theta))
    assert not steps[2].rhs.has(sp.Derivative)


def test_wrong_polar_step_is_caught():
    derivation = registry.get("chain-rule")
    wrong = 2 * r * x_polar * sp.sin(theta) + 2 * r * sp.Symbol("y", real=True) * sp.cos(theta)
    bad = with_step(derivation, 0, 3, wrong)
    with pytest.raises(DerivationError, match="step 3"):
        verify(bad)


def test_wrong_graph_step_is_caught():
    bad = with_step(registry.get("chain-rule"), 1, 2, z + 1)
    with pytest.raises(DerivationError, match="step 2 of 'a computational graph"):
        verify(bad)


def test_symbols_are_local_and_distinct():
    assert f != sp.Function("f", real=True)(r, theta)
    assert x != x_polar
