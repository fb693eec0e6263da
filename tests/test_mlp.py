"""derive.builtins.mlp and derive.network: the whole backward recurrence of a network.

The numeric layer is an independent NumPy forward + backward pass of the lecture's 2-2-2-3
network (sigmoid, sigmoid, softmax + cross-entropy), written here and checked against central
differences; the derivation's lines, evaluated at the same parameters, must agree with it.
"""

import numpy as np
import pytest
import sympy as sp

import derive
from derive import registry
from derive.builtins.mlp import LECTURE_NETWORK, Network
from derive.errors import BackpropError, ParseError, SpecError
from derive.numeric import Definitions, evaluate
from derive.symbols import L, i, j
from derive.symbols import pv as p
from derive.symbols import yv as y

x = sp.IndexedBase("x")
SIZES = (2, 2, 2, 3)
# the lines of the lecture network's recurrence, in backward order: (quantity, layer)
LECTURE_LINES = [
    ("z", 3),
    ("W", 3),
    ("b", 3),
    ("h", 2),
    ("z", 2),
    ("W", 2),
    ("b", 2),
    ("h", 1),
    ("z", 1),
    ("W", 1),
    ("b", 1),
]
TITLE_START = {"z": "δ", "W": "∂L/∂W", "b": "∂L/∂b", "h": "∂L/∂h"}


def layer(name, number):
    return sp.IndexedBase(f"{name}{number}")


def wrt(quantity, number, top=3):
    """The entry a line differentiates by: W[i, j], b[i], z[i] at the output, else z[j], h[j]."""
    base = layer(quantity, number)
    if quantity == "W":
        return base[i, j]
    if quantity == "b" or (quantity == "z" and number == top):
        return base[i]
    return base[j]


@pytest.fixture(scope="module")
def lecture():
    return registry.get("mlp")


def line(derivation, quantity, number):
    """The line computing ∂L/∂(quantity of layer number), found by what it differentiates."""
    base = layer(quantity, number)
    (found,) = [c for c in derivation.chains if c.lhs.variables[0].base == base]
    return found


# --- the recurrence: order, sources, results -------------------------------------------------


def test_lecture_network_is_the_default(lecture):
    assert LECTURE_NETWORK == Network(SIZES, ("sigmoid", "sigmoid"), "softmax", "cross-entropy")
    assert lecture.verified and all(check.passed for check in lecture.checks)
    assert all(step.verified_by for step in lecture.all_steps())


def test_lines_come_in_backward_order(lecture):
    expected = [sp.Derivative(L, wrt(q, n)) for q, n in LECTURE_LINES]
    assert [c.lhs for c in lecture.chains] == expected


def test_each_line_has_a_title_and_a_source(lecture):
    titles = [c.title for c in lecture.chains]
    assert len(set(titles)) == len(titles)
    for c, (quantity, _) in zip(lecture.chains, LECTURE_LINES, strict=True):
        assert c.title.startswith(TITLE_START[quantity]), c.title
        assert c.source, f"{c.title} has no source"
    assert line(lecture, "z", 3).source == "softmax-ce"
    for quantity in ("W", "b"):
        assert {line(lecture, quantity, n).source for n in (1, 2, 3)} == {"dense"}
    assert {line(lecture, "h", n).source for n in (1, 2)} == {"dense"}
    assert line(lecture, "z", 2).source == line(lecture, "z", 1).source == "dense, sigmoid"


def test_lecture_lines_are_the_textbook_recurrence(lecture):
    d, h, dh = (lambda n: layer("delta", n)), (lambda n: layer("h", n)), (lambda n: layer("dh", n))
    k = sp.Symbol("k", integer=True, positive=True)
    assert line(lecture, "z", 3).result == p[i] - y[i]
    assert line(lecture, "W", 3).result == d(3)[i] * h(2)[j]
    assert line(lecture, "b", 3).result == d(3)[i]
    assert line(lecture, "h", 2).result == sp.Sum(layer("W", 3)[k, j] * d(3)[k], (k, 1, 3))
    assert sp.expand(line(lecture, "z", 2).result - dh(2)[j] * h(2)[j] * (1 - h(2)[j])) == 0
    assert line(lecture, "W", 1).result == d(1)[i] * x[j]
    assert line(lecture, "b", 1).result == d(1)[i]


# --- other networks --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tanh_bce():
    return derive.mlp([4, 3, 2], ["tanh"], "sigmoid", "bce")


@pytest.fixture(scope="module")
def softplus_mse():
    return derive.mlp([3, 4, 2], ["log(1+exp(z))"], "identity", "mse")


def test_tanh_network_with_sigmoid_bce_verifies(tanh_bce):
    assert tanh_bce.verified and all(check.passed for check in tanh_bce.checks)
    order = [("z", 2), ("W", 2), ("b", 2), ("h", 1), ("z", 1), ("W", 1), ("b", 1)]
    assert [c.lhs for c in tanh_bce.chains] == [sp.Derivative(L, wrt(*q, top=2)) for q in order]
    assert line(tanh_bce, "z", 2).source == "sigmoid-bce"
    h1, dh1 = layer("h", 1), layer("dh", 1)
    # tanh′ in its output form, from the tanh derivation
    assert sp.expand(line(tanh_bce, "z", 1).result - dh1[j] * (1 - h1[j] ** 2)) == 0


def test_softplus_network_with_identity_mse_verifies(softplus_mse):
    assert softplus_mse.verified and all(check.passed for check in softplus_mse.checks)
    assert line(softplus_mse, "z", 2).source == "mse"
    assert line(softplus_mse, "z", 2).result == p[i] - y[i]
    z1, dh1 = layer("z", 1), layer("dh", 1)
    # softplus′ = σ: the user-defined activation is differentiated in z
    got = line(softplus_mse, "z", 1).result
    assert sp.simplify(got - dh1[j] / (1 + sp.exp(-z1[j]))) == 0


# --- numeric: an independent NumPy network ---------------------------------------------------


def sigmoid(v):
    return 1 / (1 + np.exp(-v))


def forward(params, x_in, y_true):
    """The lecture network in NumPy: returns the loss and the cached activations."""
    W1, b1, W2, b2, W3, b3 = params
    z1 = W1 @ x_in + b1
    h1 = sigmoid(z1)
    z2 = W2 @ h1 + b2
    h2 = sigmoid(z2)
    z3 = W3 @ h2 + b3
    e = np.exp(z3 - z3.max())
    prob = e / e.sum()
    loss = -np.sum(y_true * np.log(prob))
    return loss, (h1, h2, prob)


def backward(params, x_in, y_true):
    """Backpropagation by hand: every intermediate quantity of the recurrence."""
    W1, b1, W2, b2, W3, b3 = params
    _, (h1, h2, prob) = forward(params, x_in, y_true)
    out = {}  # (quantity, layer) -> ∂L/∂quantity
    out["z", 3] = prob - y_true
    out["W", 3], out["b", 3] = np.outer(out["z", 3], h2), out["z", 3]
    out["h", 2] = W3.T @ out["z", 3]
    out["z", 2] = out["h", 2] * h2 * (1 - h2)
    out["W", 2], out["b", 2] = np.outer(out["z", 2], h1), out["z", 2]
    out["h", 1] = W2.T @ out["z", 2]
    out["z", 1] = out["h", 1] * h1 * (1 - h1)
    out["W", 1], out["b", 1] = np.outer(out["z", 1], x_in), out["z", 1]
    return out


@pytest.fixture(scope="module")
def point():
    rng = np.random.default_rng(3)
    params = [
        rng.normal(size=(2, 2)),
        rng.normal(size=2),
        rng.normal(size=(2, 2)),
        rng.normal(size=2),
        rng.normal(size=(3, 2)),
        rng.normal(size=3),
    ]
    return params, rng.normal(size=2), np.array([0.0, 0.0, 1.0])


def test_numpy_backward_agrees_with_finite_differences(point):
    params, x_in, y_true = point
    grads = backward(params, x_in, y_true)
    names = ["W1", "b1", "W2", "b2", "W3", "b3"]
    eps = 1e-6
    for n, (name, value) in enumerate(zip(names, params, strict=True)):
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            shifted = []
            for sign in (+1, -1):
                moved = [q.copy() for q in params]
                moved[n][index] += sign * eps
                shifted.append(forward(moved, x_in, y_true)[0])
            numeric[index] = (shifted[0] - shifted[1]) / (2 * eps)
        key = (name[0], int(name[1]))
        np.testing.assert_allclose(grads[key], numeric, rtol=1e-6, atol=1e-9, err_msg=name)


def test_derivation_lines_evaluate_to_the_numpy_backward_pass(lecture, point):
    params, x_in, y_true = point
    want = backward(params, x_in, y_true)
    # the ("x", 0) domain defines every quantity of the network in terms of x, W, b, y
    definitions = line(lecture, "W", 1).domain.definitions
    values = {y[r + 1]: np.array([v]) for r, v in enumerate(y_true)}
    values.update({x[r + 1]: np.array([v]) for r, v in enumerate(x_in)})
    for number in (1, 2, 3):
        W, b = params[2 * number - 2], params[2 * number - 1]
        for index in np.ndindex(W.shape):
            values[layer("W", number)[index[0] + 1, index[1] + 1]] = np.array([W[index]])
        for r, v in enumerate(b):
            values[layer("b", number)[r + 1]] = np.array([v])
    env = Definitions(definitions, values)
    loss_here = evaluate(L, values, env)
    np.testing.assert_allclose(loss_here, forward(params, x_in, y_true)[0], rtol=1e-12)
    for c, key in zip(lecture.chains, LECTURE_LINES, strict=True):
        expected = np.atleast_1d(want[key])
        got = np.zeros_like(expected)
        free = [ix for ix in (i, j) if c.result.has(ix)]
        for index in np.ndindex(expected.shape):
            subs = {ix: sp.Integer(v + 1) for ix, v in zip(free, index, strict=True)}
            got[index] = evaluate(c.result.xreplace(subs), values, env)[0]
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12, err_msg=c.title)


# --- bad specifications are the tool's errors ------------------------------------------------


@pytest.mark.parametrize(
    "args, error",
    [
        (([2], [], "softmax", "ce"), SpecError),
        (([], [], "softmax", "ce"), SpecError),
        (([2, 0, 2], ["tanh"], "softmax", "ce"), SpecError),
        (([2, 3, 2], [], "softmax", "ce"), SpecError),
        (([2, 3, 2], ["tanh", "tanh"], "softmax", "ce"), SpecError),
        (([2, 3, 2], ["tanh"], "softmax", "hinge"), SpecError),
        (([2, 3, 2], ["tanh"], "softmax", "mse"), SpecError),
        (([2, 3, 2], ["tanh"], "relu", "ce"), SpecError),
        (([2, 3, 2], ["foo"], "softmax", "ce"), ParseError),
        (([2, 3, 2], ["2"], "softmax", "ce"), ParseError),
    ],
)
def test_bad_specs_raise_the_tools_errors(args, error):
    with pytest.raises(error) as raised:
        derive.mlp(*args)
    assert isinstance(raised.value, BackpropError)
    assert "\n" not in str(raised.value)


def test_unknown_activation_name_is_reported_as_a_parse_error():
    with pytest.raises(ParseError, match="foo"):
        derive.mlp([2, 3, 2], ["foo"], "softmax", "cross-entropy")


def test_bad_command_line_layers_are_a_spec_error():
    with pytest.raises(SpecError, match="2,x"):
        derive.mlp_from_options("2,x", None, None, None)
    with pytest.raises(SpecError):
        derive.mlp_from_options("2", None, None, None)


def test_non_integer_sizes_are_a_spec_error():
    with pytest.raises(SpecError):
        derive.mlp(["2", "x", "2"], ["tanh"], "softmax", "ce")


def test_relu_networks_verify_although_differences_cross_the_kink():
    # five-point differences straddle ReLU's kink at some sample points; those points must be
    # left out rather than fail a correct recurrence
    d = derive.mlp([3, 4, 2], ["relu"], "sigmoid", "bce")
    assert d.verified and all(step.verified_by for step in d.all_steps())
    leaky = derive.mlp([2, 5, 5, 3], ["relu", "max(0.01*z, z)"])
    assert leaky.verified


def test_hidden_activations_split_only_at_top_level_commas():
    from derive.network import split_top_level

    assert split_top_level("relu,max(0.01*z, z)") == ["relu", "max(0.01*z, z)"]
    assert split_top_level("tanh") == ["tanh"]
