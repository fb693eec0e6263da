"""Wrong on purpose: the gradient of the summed loss (no division by m).

A student's backprop for examples/lecture.toml (2-2-2-3, sigmoid, softmax + cross-entropy).

gradients(params, X, Y): X (m, 2) one example per row, Y (m, 3) one-hot; returns the gradients
of the MEAN loss with the keys and shapes of params: W1 (2, 2), b1 (2,), ..., W3 (3, 2), b3 (3,).
"""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def gradients(params, X, Y):
    m = X.shape[0]
    h0 = X
    h1 = sigmoid(h0 @ params["W1"].T + params["b1"])
    h2 = sigmoid(h1 @ params["W2"].T + params["b2"])
    z3 = h2 @ params["W3"].T + params["b3"]
    p = np.exp(z3 - z3.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    print("debug: loss", -np.sum(Y * np.log(p)) / m)  # noise the checker must ignore
    dz3 = p - Y
    dz2 = (dz3 @ params["W3"]) * h2 * (1 - h2)
    dz1 = (dz2 @ params["W2"]) * h1 * (1 - h1)
    return {
        "W1": dz1.T @ h0,
        "b1": dz1.sum(axis=0),
        "W2": dz2.T @ h1,
        "b2": dz2.sum(axis=0),
        "W3": dz3.T @ h2,
        "b3": dz3.sum(axis=0),
    }
