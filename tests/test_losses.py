"""derive.losses (the loss definitions) and derive.builtins.losses (sigmoid-bce, mse)."""

import copy

import pytest
import sympy as sp

from derive import registry
from derive.builtins import softmax
from derive.builtins.losses import formula, oriented
from derive.errors import DerivationError
from derive.losses import CROSS_ENTROPY, LOSSES, yhat, yhatv
from derive.model import Derivation
from derive.symbols import K, h, i, k, p, pv, y, yv, z, zv
from derive.verify import verify

SIGMOID_Z = 1 / (1 + sp.exp(-z))


def with_step(derivation: Derivation, chain: int, number: int, rhs: sp.Expr) -> Derivation:
    """A fresh, unverified copy of derivation whose step ``number`` (1-based) is replaced."""
    chains = copy.deepcopy(derivation.chains)
    for step in (s for c in chains for s in c.steps):
        step.verified_by = ""
    chains[chain].steps[number - 1].rhs = rhs
    return Derivation(
        derivation.name, derivation.title, derivation.summary, chains, derivation.domain
    )


# --- the loss registry -----------------------------------------------------------------------


def test_losses_are_defined_once():
    assert list(LOSSES) == ["cross-entropy", "binary-cross-entropy", "mse"]
    assert softmax.CROSS_ENTROPY is CROSS_ENTROPY
    assert LOSSES["cross-entropy"].expr is CROSS_ENTROPY
    assert LOSSES["binary-cross-entropy"].variables == (p, y)
    assert LOSSES["mse"].variables == (yhatv, yv)


def test_losses_fit_their_outputs():
    assert LOSSES["cross-entropy"].fits_output("softmax")
    assert not LOSSES["cross-entropy"].fits_output("sigmoid")
    assert LOSSES["binary-cross-entropy"].fits_output("sigmoid")
    assert not LOSSES["binary-cross-entropy"].fits_output("softmax")
    assert all(LOSSES["mse"].fits_output(out) for out in ["identity", "sigmoid", "tanh"])


def test_mse_per_output_form_is_one_term_of_the_sum():
    mse = LOSSES["mse"]
    (total,) = mse.expr.atoms(sp.Sum)
    assert mse.expr == total / 2
    term = total.function / 2
    assert sp.expand(term.subs({yhatv[k]: yhat, yv[k]: y}) - mse.per_output) == 0
    assert (
        sp.expand(mse.expr.subs(K, 1).doit() - mse.per_output.subs({yhat: yhatv[1], y: yv[1]})) == 0
    )


# --- sigmoid + binary cross-entropy ----------------------------------------------------------


def test_sigmoid_bce_verifies_to_p_minus_y():
    derivation = registry.get("sigmoid-bce")
    assert derivation.verified
    assert derivation.result == p - y
    assert all(check.passed for check in derivation.checks) and len(derivation.checks) == 2


def test_sigmoid_bce_agrees_with_direct_differentiation_in_z():
    loss_z = LOSSES["binary-cross-entropy"].expr.subs(p, SIGMOID_Z)
    claim = registry.get("sigmoid-bce").result.subs(p, SIGMOID_Z)
    assert sp.simplify(sp.diff(loss_z, z) - (SIGMOID_Z - y)) == 0
    assert sp.simplify(sp.diff(loss_z, z) - claim) == 0


def test_sigmoid_bce_reuses_the_sigmoid_output_form():
    steps = registry.get("sigmoid-bce").steps["dz"]
    sigma_prime = registry.get("sigmoid")["slope_h"].rhs  # h(1 - h)
    assert not steps[2].rhs.has(sp.Derivative)
    assert steps[2].rhs.has(sigma_prime.xreplace({h: p}))


def test_sigmoid_bce_wrong_step_is_caught():
    bad = with_step(registry.get("sigmoid-bce"), 0, 3, p + y)
    with pytest.raises(DerivationError, match="step 3"):
        verify(bad)


def test_sigmoid_bce_wrong_result_fails_the_cross_check():
    good = registry.get("sigmoid-bce")
    from derive import crosscheck

    loss_z = LOSSES["binary-cross-entropy"].expr.subs(p, SIGMOID_Z)
    bad = Derivation(
        "bce-wrong-claim",
        "",
        "",
        [],
        good.domain,
        cross_checks=crosscheck.standard(loss_z, z, y - p, good.domain),
    )
    with pytest.raises(DerivationError, match="cross-check failed"):
        verify(bad)


# --- squared error -----------------------------------------------------------------------------


def test_mse_verifies_with_two_chains():
    derivation = registry.get("mse")
    assert derivation.verified
    assert len(derivation.chains) == 2
    identity, sigmoid_output = derivation.chains
    assert identity.result == yhat - y
    expected = (yhatv[i] - yv[i]) * yhatv[i] * (1 - yhatv[i])
    assert sigmoid_output.result == expected
    assert len(derivation.checks) == 4 and all(check.passed for check in derivation.checks)


def test_mse_identity_agrees_with_direct_differentiation():
    loss = LOSSES["mse"].per_output.subs(yhat, z)
    claim = registry.get("mse")["dz_identity"].rhs.subs(yhat, z)
    assert sp.simplify(sp.diff(loss, z) - claim) == 0


@pytest.mark.parametrize("size,index", [(1, 1), (3, 2), (4, 4)])
def test_mse_sigmoid_agrees_with_direct_differentiation(size, index):
    def sig(a):
        return 1 / (1 + sp.exp(-zv[a]))

    loss = sp.Rational(1, 2) * sum((sig(a) - yv[a]) ** 2 for a in range(1, size + 1))
    claim = registry.get("mse")["dz_sigmoid"].rhs.subs(i, index).subs(yhatv[index], sig(index))
    assert sp.simplify(sp.diff(loss, zv[index]) - claim) == 0


def test_mse_wrong_step_is_caught():
    derivation = registry.get("mse")
    bad = with_step(derivation, 1, 4, (yhatv[i] - yv[i]) * yhatv[i])  # σ′ forgotten
    with pytest.raises(DerivationError, match="step 4 of 'sigmoid output"):
        verify(bad)


def test_mse_wrong_identity_step_is_caught():
    bad = with_step(registry.get("mse"), 0, 2, 2 * (yhat - y))  # the ½ forgotten
    with pytest.raises(DerivationError, match="step 2 of 'identity"):
        verify(bad)


# --- helpers -----------------------------------------------------------------------------------


def test_oriented_writes_prediction_first_and_one_minus():
    messy = (yv[i] - yhatv[i]) * (yhatv[i] - 1) * yhatv[i]
    tidy = oriented(messy, yhatv)
    assert tidy == (yhatv[i] - yv[i]) * (1 - yhatv[i]) * yhatv[i]
    assert sp.expand(tidy - messy) == 0
    odd = oriented((yv[i] - yhatv[i]) * yhatv[i], yhatv)
    assert sp.expand(odd - (yv[i] - yhatv[i]) * yhatv[i]) == 0


def test_formula_text():
    assert formula(yhatv[k] - yv[k]) == "ŷ_k − y_k"
    assert formula(sp.KroneckerDelta(i, k) * pv[k]) in {"𝟙[i = k]·p_k", "p_k·𝟙[i = k]"}


def test_sigmoid_bce_note_on_the_z_form_is_accurate():
    """The chain's note: simplify() on the z-form does not produce p − y recognisably."""
    loss_z = LOSSES["binary-cross-entropy"].expr.subs(p, SIGMOID_Z)
    simplified = sp.simplify(sp.diff(loss_z, z))
    assert simplified == (-y + (1 - y) * sp.exp(z)) / (sp.exp(z) + 1)
    assert "(−y + (1 − y)eᶻ)/(eᶻ + 1)" in registry.get("sigmoid-bce")["dz"].chain.note
