"""Test accuracy of the generated modules against scikit-learn's MLPClassifier, same settings.

For each data set (scikit-learn's bundled digits and breast cancer) and optimizer (adam,
momentum), both train the spec's architecture with the same optimizer, learning rate, batch
size, epochs and L2 penalty (MLPClassifier's alpha = λ · batch size) on the same stratified
split and standardisation, for seeds 0..4; the table gives each one's mean test accuracy.

    python bench/compare_sklearn.py            # the README table; writes bench/results/
    python bench/compare_sklearn.py --seeds 2  # quicker
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backprop.commands.train import load_module  # noqa: E402
from backprop.datasets import load_dataset  # noqa: E402
from backprop.training import Standardiser, split, train_on  # noqa: E402

CASES = {
    "digits": ("examples/digits.toml", "digits"),
    "breast-cancer": ("examples/breast_cancer.toml", "breast-cancer"),
}
WEIGHT_DECAY = 1e-4
SETTINGS = {  # optimizer: (learning rate, epochs)
    "adam": {"learning_rate": 0.001, "epochs": 50},
    "momentum": {"learning_rate": 0.01, "epochs": 50},
}
BATCH = 32


def ours(spec_path: str, dataset, optimizer: str, seed: int) -> float:
    settings = SETTINGS[optimizer]
    module = load_module(
        str(ROOT / spec_path), {"optimizer": optimizer, "weight_decay": WEIGHT_DECAY}
    )
    result = train_on(
        module,
        dataset,
        epochs=settings["epochs"],
        batch_size=BATCH,
        learning_rate=settings["learning_rate"],
        seed=seed,
        progress=False,
    )
    return result.test_metric


def sklearn(module_layers, dataset, optimizer: str, seed: int) -> float:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    settings = SETTINGS[optimizer]
    train, test = split(dataset.y, len(dataset.y), 0.2, seed)
    scaler = Standardiser.fit(dataset.X[train])
    extra = {"momentum": 0.9, "nesterovs_momentum": False} if optimizer == "momentum" else {}
    classifier = MLPClassifier(
        hidden_layer_sizes=module_layers,
        activation="tanh",
        solver="adam" if optimizer == "adam" else "sgd",
        alpha=WEIGHT_DECAY * BATCH,
        batch_size=BATCH,
        learning_rate_init=settings["learning_rate"],
        max_iter=settings["epochs"],
        n_iter_no_change=10**6,  # exactly max_iter epochs
        random_state=seed,
        **extra,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        classifier.fit(scaler(dataset.X[train]), dataset.y[train])
    return float(classifier.score(scaler(dataset.X[test]), dataset.y[test]))


def compare(name: str, optimizer: str, seeds) -> dict:
    spec_path, dataset_name = CASES[name]
    dataset = load_dataset(dataset_name)
    module = load_module(str(ROOT / spec_path))
    layers = tuple(layer["units"] for layer in module.SPEC["layers"])
    mine = [ours(spec_path, dataset, optimizer, seed) for seed in seeds]
    theirs = [sklearn(layers, dataset, optimizer, seed) for seed in seeds]
    return {
        "dataset": name,
        "optimizer": optimizer,
        "seeds": list(seeds),
        "generated": mine,
        "sklearn": theirs,
        "generated_mean": float(np.mean(mine)),
        "sklearn_mean": float(np.mean(theirs)),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "bench/results/compare_sklearn.json"))
    args = parser.parse_args(argv)
    rows = [compare(name, opt, range(args.seeds)) for name in CASES for opt in SETTINGS]
    print("| data set | optimizer | settings | generated | MLPClassifier | difference |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        s = SETTINGS[row["optimizer"]]
        setting = (
            f"lr {s['learning_rate']:g}, {s['epochs']} epochs, batch {BATCH}, λ {WEIGHT_DECAY:g}"
        )
        diff = 100 * (row["generated_mean"] - row["sklearn_mean"])
        print(
            f"| {row['dataset']} | {row['optimizer']} | {setting} | {100 * row['generated_mean']:.2f}% "
            f"| {100 * row['sklearn_mean']:.2f}% | {diff:+.2f} |"
        )
    Path(args.out).write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
