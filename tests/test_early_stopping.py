"""Early stopping: the generated rule against scikit-learn's on given loss sequences, and train()
stopping where the rule says with the best parameters restored."""

from __future__ import annotations

import numpy as np
import pytest

from codegen.generate import load_module
from tests.codegen_checks import small_spec

SEQUENCES = [
    [1.0, 0.8, 0.7, 0.69995, 0.7, 0.71, 0.72, 0.73, 0.6999, 0.74, 0.75, 0.76],
    [0.5] * 12,
    [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05, 0.01],
    [0.3, 0.31, 0.29, 0.32, 0.2899, 0.33, 0.34, 0.35, 0.36, 0.37, 0.38, 0.39],
]


@pytest.fixture(scope="module")
def module():
    return load_module(small_spec(train={"optimizer": "adam", "learning_rate": 0.01}))


def _stop_epoch(module, losses, tol, patience):
    best, count = np.inf, 0
    for epoch, value in enumerate(losses, start=1):
        best, count, _ = module.no_improvement(best, count, value, tol)
        if count > patience:
            return epoch
    return None


def _sklearn_stop_epoch(losses, tol, patience, early_stopping):
    from sklearn.neural_network import MLPClassifier

    mlp = MLPClassifier(tol=tol, n_iter_no_change=patience)
    mlp._no_improvement_count, mlp.best_loss_, mlp.loss_curve_ = 0, np.inf, []
    mlp.best_validation_score_, mlp.validation_scores_, mlp.coefs_, mlp.intercepts_ = (
        -np.inf,
        [],
        [],
        [],
    )
    for epoch, value in enumerate(losses, start=1):
        if early_stopping:  # its validation score, higher is better: here −loss
            mlp._score = lambda X, y, sample_weight=None, value=value: -value
        mlp.loss_curve_.append(value)
        mlp._update_no_improvement_count(early_stopping, None, None, None)
        if mlp._no_improvement_count > patience:
            return epoch
    return None


@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("tol, patience", [(1e-4, 2), (1e-4, 4), (0.0, 3), (0.05, 1)])
@pytest.mark.parametrize("losses", SEQUENCES)
def test_the_rule_stops_where_sklearns_does(module, losses, tol, patience, early_stopping):
    pytest.importorskip("sklearn")
    want = _sklearn_stop_epoch(losses, tol, patience, early_stopping)
    assert _stop_epoch(module, losses, tol, patience) == want


def test_train_stops_by_the_rule_and_restores_the_best_parameters(module):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    Y = np.eye(3)[rng.integers(0, 3, size=120)]  # noise: the validation loss soon worsens
    params = module.init_params(seed=1)
    history = module.train(
        params, X, Y, epochs=200, batch_size=16, early_stopping=True, n_iter_no_change=5
    )
    curve = history["validation_loss"]
    assert history["stopped_epoch"] == _stop_epoch(module, curve, 1e-4, 5) < 200
    assert history["best_epoch"] == int(np.argmin(curve)) + 1
    _, _, X_valid, Y_valid = module._hold_out(X, module._as_targets(Y), 0.1, 0)
    assert module.loss(params, X_valid, Y_valid) == pytest.approx(min(curve), rel=1e-12)
