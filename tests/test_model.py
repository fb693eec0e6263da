"""Derivation results addressed by key (derive/model.py), never by chain position."""

import pytest
import sympy as sp

import derive
from derive.activations import ACTIVATIONS
from derive.model import ActivationResult, Chain, Derivation, Domain, Result, Step
from derive.symbols import L, Wm, bv, deltav, hv, i, j, z

# every built-in derivation with a fixed set of results, and their keys
EXPECTED_KEYS = {
    "dense": ["dW", "db", "dh", "delta_below"],
    "batch": ["dW", "db", "dH"],
    "l2": ["dW", "db"],
    "dropout": ["dh", "expectation"],
    "softmax": ["jacobian"],
    "softmax-ce": ["dz"],
    "sigmoid-bce": ["dz"],
    "mse": ["dz_identity", "dz_sigmoid"],
    "chain-rule": ["polar", "graph"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED_KEYS))
def test_builtin_results_have_their_keys(name):
    assert list(derive.get(name).results) == EXPECTED_KEYS[name]


def test_every_registered_derivation_has_unique_named_results():
    for name in derive.names():
        d = derive.get(name)
        keys = [chain.key for chain in d.chains]
        assert all(keys) and len(set(keys)) == len(keys), name
        for key, result in d.results.items():
            assert isinstance(result, Result) and result.key == key
            assert result.equation == sp.Eq(result.lhs, result.rhs, evaluate=False)


def test_dense_results_by_key():
    d = derive.get("dense")
    assert d["dW"].lhs == sp.Derivative(L, Wm[i, j])
    assert d["dW"].rhs == deltav[i] * hv[j]
    assert d["db"].rhs == deltav[i]
    assert d["dh"].lhs == sp.Derivative(L, hv[j])
    assert d["delta_below"].domain is not None  # its own domain: h = g(z_prev)
    assert "dW" in d and "dz" not in d


def test_a_wrong_key_is_a_key_error_listing_the_available_keys():
    with pytest.raises(
        KeyError, match=r"dense has no result 'dz' \(results: dW, db, dh, delta_below\)"
    ):
        derive.get("dense")["dz"]


def test_steps_are_given_per_chain():
    d = derive.get("dense")
    assert list(d.steps) == list(d.results)
    assert d.steps["db"] is d["db"].chain.steps
    assert len(d.all_steps()) == sum(len(steps) for steps in d.steps.values())


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_results_are_typed(name):
    d = derive.get(name)
    slopes = ActivationResult.of(d)
    assert slopes.slope_z == d["slope_z"].rhs
    assert slopes.in_output == ("slope_h" in d)
    if slopes.in_output:
        assert slopes.slope_h == d["slope_h"].rhs


def test_custom_derivations_are_keyed():
    assert list(derive.custom_activation("1/(1 + exp(-z))").results) == ["slope_z", "slope_h"]
    assert list(derive.custom_loss("(p - y)**2", output="sigmoid").results) == ["dz"]


def test_mlp_lines_carry_layer_and_kind():
    d = derive.get("mlp")  # the lecture's 2-2-2-3 network
    assert list(d.results) == [
        *("delta3", "dW3", "db3", "dh2", "delta2", "dW2", "db2", "dh1", "delta1", "dW1", "db1")
    ]
    for chain in d.chains:
        assert chain.key == f"{chain.kind}{chain.layer}"
    assert d["dW1"].chain.layer == 1 and d["dW1"].chain.kind == "dW"
    assert d["dW1"].lhs.variables[0].base.name == "W1"


def test_unnamed_chains_get_default_keys_and_duplicates_are_refused():
    one = Chain(lhs=sp.Derivative(z**2, z), steps=[Step(2 * z, "power rule")])
    assert list(Derivation("x", "", "", [one], Domain()).results) == ["result"]
    two = [Chain(lhs=z, steps=[Step(z, "")]), Chain(lhs=z, steps=[Step(z, "")])]
    assert list(Derivation("x", "", "", two, Domain()).results) == ["result1", "result2"]
    same = [Chain(lhs=z, steps=[Step(z, "")], key="a"), Chain(lhs=z, steps=[Step(z, "")], key="a")]
    with pytest.raises(AssertionError, match="two chains share a key"):
        Derivation("x", "", "", same, Domain())


def test_bias_gradient_equation():
    assert derive.get("dense")["db"].equation == sp.Eq(sp.Derivative(L, bv[i]), deltav[i])
