"""The contenders of bench_train.py's race, each with ``run()``: one epoch of mini-batch training.

``Generated`` (the generated module's ``train``), ``Torch`` (``nn.Sequential`` and
torch.optim), ``Sklearn`` (``MLPClassifier.partial_fit``) and ``MatmulLimit`` (the epoch's GEMMs
alone), all from the same parameters; OPTIMIZERS holds each optimizer's settings (the
generated spec's ``[train]`` table), which all three trainers are given. bench_train.py
describes the race.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

from codegen.generate import load_module

OPTIMIZERS = {  # the generated spec's [train] table
    "sgd": {"optimizer": "sgd", "learning_rate": 0.1},
    "momentum": {"optimizer": "momentum", "learning_rate": 0.01, "momentum": 0.9},
    "adam": {"optimizer": "adam", "learning_rate": 0.001, "betas": [0.9, 0.999], "eps": 1e-8},
}
BATCH = 128
THREADS = os.cpu_count()  # PyTorch's threads; bench_train --threads sets it

# -- the contenders ----------------------------------------------------------------------------


def relative_error(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = max(np.abs(a).max(), np.abs(b).max())
    return 0.0 if scale == 0 else float(np.abs(a - b).max() / scale)


class Generated:
    def __init__(self, spec, params, X, Y):
        self.module = load_module(spec)
        self.params = {k: v.copy() for k, v in params.items()}
        self.X, self.Y, self.state = X, Y, {}

    def run(self):
        # the spec's learning rate and optimizer settings are train()'s defaults
        self.module.train(self.params, self.X, self.Y, epochs=1, batch_size=BATCH, state=self.state)


def torch_optimizer(torch, parameters, optimizer: str):
    settings = OPTIMIZERS[optimizer]
    if optimizer == "adam":
        betas = tuple(settings["betas"])
        return torch.optim.Adam(parameters, settings["learning_rate"], betas, settings["eps"])
    momentum = settings.get("momentum", 0.0)
    return torch.optim.SGD(parameters, lr=settings["learning_rate"], momentum=momentum)


class Torch:
    def __init__(self, params, X, labels, dtype, optimizer="sgd"):
        import torch

        torch.set_num_threads(THREADS)
        self.torch = torch
        layers = []
        count = len(params) // 2
        for number in range(1, count + 1):
            W = params[f"W{number}"]
            linear = torch.nn.Linear(W.shape[1], W.shape[0]).to(getattr(torch, dtype))
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(W))
                linear.bias.copy_(torch.from_numpy(params[f"b{number}"]))
            layers += [linear, torch.nn.Tanh()] if number < count else [linear]
        self.model = torch.nn.Sequential(*layers)
        self.optimizer = torch_optimizer(torch, self.model.parameters(), optimizer)
        self.loss = torch.nn.CrossEntropyLoss()
        self.X, self.labels = torch.from_numpy(X), torch.from_numpy(labels)
        self.generator = torch.Generator().manual_seed(0)

    def gradients(self, X, labels):
        self.model.zero_grad()
        self.loss(self.model(self.torch.from_numpy(X)), self.torch.from_numpy(labels)).backward()
        linears = [layer for layer in self.model if isinstance(layer, self.torch.nn.Linear)]
        out = {}
        for number, linear in enumerate(linears, start=1):
            out[f"W{number}"] = linear.weight.grad.numpy().copy()
            out[f"b{number}"] = linear.bias.grad.numpy().copy()
        return out

    def parameters(self) -> dict:
        linears = [layer for layer in self.model if isinstance(layer, self.torch.nn.Linear)]
        out = {}
        for number, linear in enumerate(linears, start=1):
            out[f"W{number}"] = linear.weight.detach().numpy().copy()
            out[f"b{number}"] = linear.bias.detach().numpy().copy()
        return out

    def steps(self, rows: int):
        """Steps on the first rows, batches in row order (no shuffling)."""
        for start in range(0, rows, BATCH):
            self.optimizer.zero_grad()
            batch = slice(start, min(start + BATCH, rows))
            self.loss(self.model(self.X[batch]), self.labels[batch]).backward()
            self.optimizer.step()

    def run(self):
        order = self.torch.randperm(self.X.shape[0], generator=self.generator)
        for start in range(0, self.X.shape[0], BATCH):
            rows = order[start : start + BATCH]
            self.optimizer.zero_grad()
            self.loss(self.model(self.X[rows]), self.labels[rows]).backward()
            self.optimizer.step()


def sklearn_classifier(params, X, labels, optimizer="sgd"):
    """MLPClassifier with our weights (it keeps W as (in, out): the transpose)."""
    from sklearn.neural_network import MLPClassifier

    count = len(params) // 2
    hidden = tuple(params[f"W{n}"].shape[0] for n in range(1, count))
    settings = OPTIMIZERS[optimizer]
    if optimizer == "adam":
        beta_1, beta_2 = settings["betas"]
        solver = {"solver": "adam", "beta_1": beta_1, "beta_2": beta_2, "epsilon": settings["eps"]}
    else:
        solver = {"solver": "sgd", "momentum": settings.get("momentum", 0.0),
                  "nesterovs_momentum": False}  # fmt: skip
    model = MLPClassifier(
        hidden_layer_sizes=hidden, activation="tanh", batch_size=BATCH, alpha=0,
        learning_rate="constant", learning_rate_init=settings["learning_rate"], shuffle=True,
        random_state=0, **solver,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.partial_fit(X[:BATCH], labels[:BATCH], classes=np.unique(labels))  # allocates
    model.coefs_ = [params[f"W{n}"].T.copy() for n in range(1, count + 1)]
    model.intercepts_ = [params[f"b{n}"].copy() for n in range(1, count + 1)]
    return model


class Sklearn:
    def __init__(self, params, X, labels, optimizer="sgd"):
        self.model = sklearn_classifier(params, X, labels, optimizer)
        self.X, self.labels = X, labels

    def run(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.model.partial_fit(self.X, self.labels)


class MatmulLimit:
    """The GEMMs of one epoch at batch 128 (forward, dW, dH per layer), on preallocated arrays."""

    def __init__(self, params, X):
        self.X, self.rng = X, np.random.default_rng(0)
        count = len(params) // 2
        self.W = [params[f"W{n}"] for n in range(1, count + 1)]
        dtype = X.dtype
        self.H = [np.empty((BATCH, W.shape[0]), dtype) for W in self.W]
        self.D = [np.empty((BATCH, W.shape[0]), dtype) for W in self.W]
        self.dW = [np.empty_like(W) for W in self.W]
        self.dH = [np.empty((BATCH, W.shape[1]), dtype) for W in self.W]
        for D in self.D:
            D[:] = self.rng.normal(size=D.shape) * 1e-3
        self.batches = self.X.shape[0] // BATCH
        weights = sum(W.size for W in self.W)
        self.epoch_flops = 6 * weights * X.shape[0]
        self.run_flops = 6 * weights * BATCH * self.batches

    def run(self):
        for batch in range(self.batches):
            below = self.X[batch * BATCH : (batch + 1) * BATCH]
            for W, H in zip(self.W, self.H, strict=True):
                np.matmul(below, W.T, out=H)
                below = H
            inputs = [self.X[:BATCH], *self.H[:-1]]
            for W, D, dW, dH, H in zip(self.W, self.D, self.dW, self.dH, inputs, strict=True):
                np.matmul(D.T, H, out=dW)
                np.matmul(D, W, out=dH)

    def epoch_seconds(self, run_seconds: float) -> float:
        """The limit for a whole epoch: its FLOPs at the throughput this run measured."""
        return run_seconds * self.epoch_flops / self.run_flops
