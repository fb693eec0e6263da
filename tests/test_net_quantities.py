"""The notes' small networks as quantities (check/net_quantities.py): net121 (note 001), net2
(note 003), scalar-chain (note 002), in each note's own notation: the printed forms and their
rewritings correct, the slips incorrect with the mistake named."""

from __future__ import annotations

import re

import pytest
import sympy as sp

from check import check_answer, quantities
from check.net_quantities import NET2, NET121, SCALAR_CHAIN

CORRECT = [
    ("net121:db3", r"2(\hat{y} - y)g'(z^3)"),
    ("net121:db3", r"\delta^3"),
    ("net121:db2[1]", r"2(\hat{y} - y)w_{11}^3 g'(z^3)g'(z_1^2)"),
    ("net121:db2[1]", r"\delta^3 w_{11}^3 g'(z_1^2)"),
    ("net121:db2[2]", r"\delta^3 w_{12}^3 g'(z_2^2)"),
    ("net121:dW3[1,1]", r"2(\hat{y} - y)a_1^2 g'(z^3)"),
    ("net121:dW3[1,1]", r"a_1^2 \delta^3"),
    ("net121:dW3[1,2]", r"a_2^2 \delta^3"),
    ("net121:dW2[1,1]", r"2 x (\hat{y} - y) w_{11}^3 g'(z^3) g'(z_1^2)"),
    ("net121:dW2[1,1]", r"a_1^1 \delta_1^2"),
    ("net121:dW2[2,1]", r"x \delta_2^2"),
    ("net121:delta2[2]", r"((w^3)_{12} \delta^3) g'(z_2^2)".replace("(w^3)_{12}", "w_{12}^3")),
    ("net2:dW2[j,1]", r"(y^* - y) z_j"),
    ("net2:dW2[j,1]", r"\delta^{(2)} z_j"),
    (
        "net2:dW2[j,1]",
        r"\left(\frac{y^* - y}{y^*(1-y^*)} \right) \mathcal{A}'(\mathbf{v}_1^{(2)}) z_j",
    ),
    ("net2:dW1[j,i]", r"(y^* - y) z_i(1 - z_i) w_{i1}^{(2)} x_j"),
    ("net2:dW1[j,i]", r"\delta_i^{(1)} x_j"),
    ("net2:delta1[i]", r"\delta^{(2)} w_{i1}^{(2)} z_i (1 - z_i)"),
    ("scalar-chain:dw", r"\delta^{(l)} a^{(l-1)}"),
    ("scalar-chain:delta", r"e^{(l)} \cdot g'(z^{(l)})"),
    ("scalar-chain:delta", r"\frac{\partial J}{\partial a^{(l)}} g'(z^{(l)})"),
    ("scalar-chain:e", r"w^{(l+1)} \delta^{(l+1)}"),
    (
        "scalar-chain:e",
        r"\frac{\partial J}{\partial z^{(l+1)}} \cdot \frac{\partial z^{(l+1)}}{\partial a^{(l)}}",
    ),
]


@pytest.mark.parametrize(("name", "answer"), CORRECT)
def test_the_notes_forms_are_correct(name, answer):
    verdict = check_answer(name, answer)
    assert verdict.correct, (verdict.read_as, verdict.method)


MISTAKES = [
    ("net121:db3", r"(\hat{y} - y)g'(z^3)", "factor"),
    ("net121:db2[1]", r"2(\hat{y} - y)w_{12}^3 g'(z^3)g'(z_1^2)", "index"),  # w_12 for w_11
    ("net121:db2[1]", r"2(\hat{y} - y)w_{11}^3 g'(z_1^2)", "derivative"),
    ("net121:db2[2]", r"2(\hat{y} - y)w_{12}^3 g'(z^3)g'(z_1^2)", "index"),
    ("net121:dW3[1,1]", r"2(\hat{y} - y)a_2^2 g'(z^3)", "index"),
    ("net121:dW3[1,1]", r"2(\hat{y} - y)a_1^1 g'(z^3)", "layer"),
    ("net121:dW2[1,1]", r"2(\hat{y} - y)w_{11}^3 g'(z^3)g'(z_1^2)", "missing"),
    ("net121:dW2[2,1]", r"2(\hat{y} - y)w_{11}^3 g'(z^3)g'(z_1^2)x", "index"),
    ("net2:dW2[j,1]", r"(y^* - y) x_j", "belongs"),
    ("net2:dW2[j,1]", r"(y - y^*) z_j", "sign"),
    ("net2:dW2[j,1]", r"(y^* - y) z_j(1 - z_j)", "extra"),
    ("net2:dW1[j,i]", r"(y^* - y) z_i(1 - z_i) w_{i1}^{(2)} x_i", "index"),
    ("net2:dW1[j,i]", r"(y^* - y) z_j(1 - z_j) w_{j1}^{(2)} x_i", "transpos"),
    ("net2:dW1[j,i]", r"(y^* - y) z_i(1 - z_i) x_j", "missing"),
    ("net2:delta1[i]", r"\delta^{(2)} w_{1i}^{(2)} z_i (1 - z_i)", "transpos"),
    ("scalar-chain:dw", r"\delta^{(l)} a^{(l)}", "layer"),
    ("scalar-chain:dw", r"\delta^{(l)} a^{(l+1)}", "layer"),
    ("scalar-chain:delta", r"e^{(l)} \cdot g(z^{(l)})", "not its derivative"),
    ("scalar-chain:delta", r"e^{(l)} \cdot g'(z^{(l+1)})", "layer"),
    ("scalar-chain:e", r"\delta^{(l)} w^{(l)}", "layer"),
    ("scalar-chain:e", r"\delta^{(l+1)} a^{(l)}", "wrong variable"),
]


@pytest.mark.parametrize(("name", "answer", "named"), MISTAKES)
def test_the_slips_are_incorrect_and_named(name, answer, named):
    verdict = check_answer(name, answer)
    assert verdict.correct is False, verdict.read_as
    assert re.search(named, verdict.diagnosis or ""), verdict.diagnosis


def test_layer_labels_are_layers_not_powers():
    """a_1^2 is unit 1 of layer 2 (a_1^1 = x is another quantity), never a square."""
    from check.reading import answer_readings

    q = quantities.get("net121:dW3[1,1]")
    (reading,) = answer_readings(q, r"a_1^2 \delta^3")
    a2, delta3 = NET121.net.base("a", 1)[1], NET121.net.base("delta", 2)[1]
    assert reading.value == a2 * delta3
    assert check_answer("net121:dW3[1,1]", r"a_1^1 \delta^3").correct is False


def test_the_layer_asked_for_in_the_scalar_chain():
    """∂J/∂w^{(l+1)} (params layer = "l+1") is δ^{(l+1)} a^{(l)}; δ^{(l)} a^{(l-1)} is not it."""
    above = {"layer": "l+1"}
    assert check_answer("scalar-chain:dw", r"\delta^{(l+1)} a^{(l)}", params=above).correct
    assert not check_answer("scalar-chain:dw", r"\delta^{(l)} a^{(l)}", params=above).correct


@pytest.mark.parametrize(
    ("gradient", "answer", "correct"),
    [
        ("net2:dW2[j,1]", r"w_{j1}^{(2)} - \xi (y^* - y) z_j", True),
        ("net2:dW1[j,i]", r"w_{ji}^{(1)} - \xi \delta_i^{(1)} x_j", True),
        ("net2:dW1[j,i]", r"w_{ji}^{(1)} - \xi w_{i1}^{(2)} (y^* - y) z_i (1 - z_i) x_j", True),
        ("net2:dW1[j,i]", r"w_{ji}^{(1)} + \xi w_{i1}^{(2)} (y^* - y) z_i (1 - z_i) x_j", False),
        ("net2:dW1[j,i]", r"w_{ji}^{(1)} - \xi \delta_j^{(1)} x_i", False),
    ],
)
def test_the_update_rule_with_a_network_gradient(gradient, answer, correct):
    verdict = check_answer("update-rule", answer, params={"gradient": gradient})
    assert verdict.correct is correct, (verdict.read_as, verdict.diagnosis)


def _expanded_loss(network):
    """The loss as one expression of the input, weights, biases and y: every a and z written
    out, the activation as its stand-in function (tanh, the sigmoid)."""
    back, net = network.backward, network.net
    loss = back.loss
    for n in range(back.top, 0, -1):
        for r in range(1, net.sizes[n] + 1):
            a, z = net.base("a", n)[r], net.base("z", n)[r]
            loss = loss.xreplace({a: net.act(z)}).xreplace({z: back.z(n, r).doit()})
    return loss.subs(net.act, net.stand_in())


@pytest.mark.parametrize(
    ("network", "name", "parameter", "entry"),
    [
        (NET121, "net121:dW2[2,1]", NET121.net.base("w", 1)[2, 1], {}),
        (NET121, "net121:db2[1]", NET121.net.base("b", 1)[1], {}),
        (NET121, "net121:dW3[1,2]", NET121.net.base("w", 2)[1, 2], {}),
        (NET2, "net2:dW1[j,i]", NET2.net.base("w", 1)[2, 1], {"j": 2, "i": 1}),
        (NET2, "net2:dW2[j,1]", NET2.net.base("w", 2)[1, 1], {"j": 1}),
        (SCALAR_CHAIN, "scalar-chain:dw", SCALAR_CHAIN.net.base("w", 1)[1, 1], {}),
    ],
)
def test_each_result_is_the_derivative_of_the_whole_network(network, name, parameter, entry):
    """Cross-check: the chain-rule result equals SymPy's derivative of the loss written out as
    one expression of the leaves (the project's own decider, at random points)."""
    from check.equivalence import decide
    from derive.symbols import i, j

    q = quantities.get(name)
    at = {j: entry["j"], i: entry["i"]} if "i" in entry else {j: entry["j"]} if entry else {}
    direct = sp.diff(_expanded_loss(network), parameter)
    outcome, _ = decide(direct, q.expected.xreplace(at), q.domain)
    assert outcome.equal is True, outcome


def test_listed_with_meaning_and_notation():
    for name in ("net121:dW3[1,2]", "net2:dW1[j,i]", "scalar-chain:e"):
        q = quantities.get(name)
        assert q.meaning and q.accepts and name in quantities.names()


def test_bad_index_is_one_line_error():
    from derive.errors import ParseError

    with pytest.raises(ParseError):
        check_answer("net2:dW1[j,i]", r"(y^* - y) z_q x_j")
