"""backprop.training: the split, the scaling, target encoding, the accuracy targets of the issue
on real data, divergence, and a side-by-side run against scikit-learn's MLPClassifier."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from example_modules import load

from backprop.datasets import load_dataset
from backprop.training import Standardiser, r2_score, split, train_on
from derive.errors import BackpropError


def run(name: str, dataset: str, **overrides):
    """Train examples/<name>.toml's module on a dataset with the spec's settings."""
    module = load(name)
    settings = dict(module.SPEC["train"]) | overrides
    return train_on(module, load_dataset(dataset), **settings, progress=False)


# --- split and scaling ----------------------------------------------------------------------


def test_split_is_stratified_reproducible_and_disjoint():
    labels = np.repeat([0, 1, 2], [50, 30, 20])
    train, test = split(labels, 100, 0.2, seed=3)
    assert np.array_equal(np.sort(np.concatenate([train, test])), np.arange(100))
    assert np.bincount(labels[test]).tolist() == [10, 6, 4]
    again = split(labels, 100, 0.2, seed=3)
    assert np.array_equal(train, again[0]) and np.array_equal(test, again[1])
    assert not np.array_equal(test, split(labels, 100, 0.2, seed=4)[1])


def test_split_keeps_a_training_row_of_every_class():
    train, test = split(np.array([0, 0, 0, 0, 1]), 5, 0.5, seed=0)
    assert 4 in train and len(test) == 2


def test_split_without_labels():
    train, test = split(None, 10, 0.3, seed=0)
    assert len(test) == 3 and len(np.intersect1d(train, test)) == 0


def test_split_rejects_a_bad_fraction():
    with pytest.raises(BackpropError, match="test fraction must be between 0 and 1"):
        split(None, 10, 1.0, seed=0)


def test_standardiser_keeps_constant_columns_finite():
    values = np.array([[1.0, 5.0], [3.0, 5.0]])
    scaler = Standardiser.fit(values)
    assert scaler(values).tolist() == [[-1, 0], [1, 0]]
    assert np.allclose(scaler.invert(scaler(values)), values)


def test_r2_score_matches_sklearn():
    metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    truth, predicted = rng.normal(size=(20, 2)), rng.normal(size=(20, 2))
    assert r2_score(truth, predicted) == pytest.approx(metrics.r2_score(truth, predicted))


# --- the issue's targets, with the specs' own settings ---------------------------------------


def test_xor_reaches_full_accuracy():
    result = run("xor", "xor")
    assert result.train_metric == result.test_metric == 1.0
    assert (result.n_train, result.n_test) == (4, 4)  # a truth table is its own test set


def test_digits_test_accuracy():
    pytest.importorskip("sklearn")
    result = run("digits", "digits")
    assert result.test_metric >= 0.95
    assert result.epochs == len(result.curves["train_loss"]) == len(result.curves["test_accuracy"])
    assert result.curves["test_accuracy"][-1] == result.test_metric


def test_breast_cancer_test_accuracy():
    pytest.importorskip("sklearn")
    assert run("breast_cancer", "breast-cancer").test_metric >= 0.95


def test_diabetes_test_r2():
    pytest.importorskip("sklearn")
    result = run("diabetes", "diabetes")
    assert result.test_metric >= 0.4
    assert set(result.metrics()) >= {"train_r2", "test_r2", "epochs", "seconds"}
    assert set(result.scaling) == {"x_mean", "x_scale", "y_mean", "y_scale"}


def test_features_are_standardised_with_training_rows_only():
    pytest.importorskip("sklearn")
    data = load_dataset("breast-cancer")
    result = run("breast_cancer", "breast-cancer", epochs=1)
    train, _ = split(data.y, len(data.y), 0.2, seed=load("breast_cancer").SPEC["train"]["seed"])
    assert np.allclose(result.scaling["x_mean"], data.X[train].mean(axis=0))


def test_same_seed_same_result():
    first, second = run("xor", "xor", epochs=50), run("xor", "xor", epochs=50)
    assert first.metrics() | {"seconds": 0} == second.metrics() | {"seconds": 0}


# --- errors -----------------------------------------------------------------------------------


def test_divergence_names_the_epoch_and_suggests_a_smaller_rate():
    pytest.importorskip("sklearn")
    with pytest.raises(BackpropError) as error:
        run("diabetes", "diabetes", learning_rate=1e6)
    assert re.fullmatch(
        # issue 12: a finite loss that explodes is divergence too, not only nan/inf
        r"training diverged at epoch \d+ \(loss = (nan|inf|\S+, from \S+ before training)\); "
        r"try a smaller learning rate, e\.g\. learning_rate=0\.01",
        str(error.value),
    )
    assert error.value.cli_message.endswith("e.g. --lr 0.01")  # the CLI names its flag


MISMATCHES = [
    ("digits", "iris", "spec digits takes 64 inputs, but dataset iris has 4 features"),
    ("xor", "iris", "spec xor takes 2 inputs, but dataset iris has 4 features"),
    ("diabetes", "wine", "spec diabetes takes 10 inputs, but dataset wine has 13 features"),
]


@pytest.mark.parametrize("spec, dataset, message", MISMATCHES)
def test_shape_mismatch(spec, dataset, message):
    pytest.importorskip("sklearn")
    with pytest.raises(BackpropError, match=message):
        run(spec, dataset)


def test_class_count_mismatch(tmp_path):
    rows = "\n".join(f"{i % 7},{i % 3},{i % 3}" for i in range(30))
    (tmp_path / "three.csv").write_text("a,b,label\n" + rows + "\n")
    with pytest.raises(
        BackpropError, match="spec xor is a binary classifier, but dataset three.csv has 3 classes"
    ):
        run("xor", str(tmp_path / "three.csv"))


def test_a_classifier_refuses_continuous_targets(tmp_path):
    rows = "\n".join(f"{i},{i % 4},{i / 7}" for i in range(30))
    (tmp_path / "values.csv").write_text("a,b,y\n" + rows + "\n")
    with pytest.raises(BackpropError, match="has continuous targets, but spec xor is a classifier"):
        run("xor", str(tmp_path / "values.csv"))


@pytest.mark.parametrize(
    "setting, message",
    [
        ({"epochs": 0}, "epochs must be a positive"),
        ({"learning_rate": -1.0}, "learning rate must be"),
    ],
)
def test_bad_settings(setting, message):
    with pytest.raises(BackpropError, match=message):
        run("xor", "xor", **setting)


# --- side by side with scikit-learn ----------------------------------------------------------


def sklearn_accuracy(module, data, seed: int) -> float:
    """MLPClassifier with the same architecture, plain SGD settings, epochs, split and scaling."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    spec, settings = module.SPEC, module.SPEC["train"]
    train, test = split(data.y, len(data.y), 0.2, seed)
    scaler = Standardiser.fit(data.X[train])
    classifier = MLPClassifier(
        hidden_layer_sizes=tuple(layer["units"] for layer in spec["layers"]),
        activation=spec["layers"][0]["activation"],
        solver="sgd",
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=0.0,
        batch_size=settings["batch_size"],
        learning_rate="constant",
        learning_rate_init=settings["learning_rate"],
        max_iter=settings["epochs"],
        n_iter_no_change=10**6,  # never stop early: exactly max_iter epochs
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        classifier.fit(scaler(data.X[train]), data.y[train])
    return classifier.score(scaler(data.X[test]), data.y[test])


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, dataset", [("digits", "digits"), ("breast_cancer", "breast-cancer")]
)
def test_accuracy_matches_sklearn_mlp(name, dataset):
    """Mean test accuracy over three seeds within 1.5 points of MLPClassifier's."""
    pytest.importorskip("sklearn")
    module, data = load(name), load_dataset(dataset)
    ours, theirs = [], []
    for seed in (0, 1, 2):
        ours.append(run(name, dataset, seed=seed).test_metric)
        theirs.append(sklearn_accuracy(module, data, seed))
    assert abs(np.mean(ours) - np.mean(theirs)) <= 0.015, (ours, theirs)
