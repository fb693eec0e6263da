"""The one expression language: every example of issue 10's "what goes wrong" list and the
syntax issue 11 needs, read as the notes write them (derive/language/)."""

import time

import pytest
import sympy as sp

from check.answer import check_answer
from derive.errors import ParseError
from derive.language import profiles, readings
from derive.parse import parse_expression

z, p, y, h, ystar, yhat = sp.symbols("z p y h ystar yhat", real=True)
S = {"z": z, "p": p, "y": y, "h": h, "a": h, "ystar": ystar, "yhat": yhat}


def value(text, symbols=S, **kw):
    return parse_expression(text, symbols, **kw)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a^L - y", h - y),
        (r"a^{(3)} - y", h - y),
        (r"z^{L+1}", z),
        ("h_L - y", h - y),
        (r"\frac{y^*-y}{y^*}", (ystar - y) / ystar),
        ("y^* - y", ystar - y),
        ("y* - y", ystar - y),
        (r"\hat{\mathbf{y}} - y", yhat - y),
        (r"\vec{y} + \overrightarrow{y}", 2 * y),
        (r"\frac{\partial L}{\partial z} = p - y", p - y),
        (r"\frac{d}{dz} \sigma(z)", sp.diff(1 / (1 + sp.exp(-z)), z)),
        ("z \\cdot 2 . h", 2 * z * h),
        ("1.702*z", sp.Rational(851, 500) * z),
        ("2.5e-3 z", z / 400),
        ("where(z > 0, z, 0)", sp.Piecewise((z, z > 0), (0, True))),
        (r"\mathbb{1}[z > 0]", sp.Piecewise((1, z > 0), (0, True))),
        ("1[z >= 0]", sp.Piecewise((1, z >= 0), (0, True))),
        (r"\begin{cases} z & z > 0 \\ 0 & \text{otherwise} \end{cases}", sp.Piecewise((z, z > 0), (0, True))),
    ],
)  # fmt: skip
def test_notes_notation(text, expected):
    assert sp.simplify(value(text) - expected) == 0


def test_named_parameters_and_constants():
    assert value("leaky_relu(z, 0.01)") == value("leaky_relu(z, negative_slope=0.01)")
    assert value("elu(z, alpha=1.0)").subs(z, -1) == sp.exp(-1) - 1
    assert value("softplus(z, beta=2)") == sp.log(1 + sp.exp(2 * z)) / 2
    selu = value("1.0507009873554804934193349852946*1.6732632423543772848170429916717*z")
    assert abs(float(selu.subs(z, 1)) - 1.7580993408473768) < 1e-15
    assert value("z/(1 + exp(-1.702*z))").has(sp.Float)  # no (e^(z/500))^851
    with pytest.raises(ParseError, match="no parameter"):
        value("elu(z, beta=1)")


def test_sums_and_dots():
    k, i = sp.Symbol("k", integer=True), sp.Symbol("i", integer=True)
    Y = sp.IndexedBase("y")
    vectors = {"indexed": {"y": Y}, "index_symbols": {"i": i, "k": k}}
    K = sp.Symbol("K", integer=True, positive=True)
    assert value(r"\sum_{k=1}^{K} y_k", {"K": K}, **vectors) == sp.Sum(Y[k], (k, 1, K))
    dots = value(r"y_1 + y_2 + \dots + y_K", {"K": K}, **vectors)
    assert dots == sp.Sum(Y[k], (k, 1, K))


def test_ambiguous_text_has_every_reading():
    found = readings("h^2(1 - h^2)", S)
    assert [r.value for r in found] == [h**2 * (1 - h**2), h * (1 - h)]
    assert "layer 2" in found[1].note
    assert value("p - py - y + py") == p - y  # py: p·y (both are symbols), never a new name
    mixed = [r.value for r in readings("h^2(1 - h^3)", S)]  # layers 2 and 3 cannot both be h
    assert mixed[0] == h**2 * (1 - h**3) and all(isinstance(v, Exception) for v in mixed[1:])


@pytest.mark.parametrize(
    ("quantity", "answer"),
    [
        ("sigmoid", "h^2(1-h^2)"),
        ("sigmoid", "a^{(3)}(1 - a^{(3)})"),
        ("sigmoid", "p(1-p)"),
        ("sigmoid-bce", "a^L - y"),
        ("sigmoid-bce", r"\frac{y^*-y}{y^*} y^*"),
        ("sigmoid-bce", "-y/p + p + y/p - y"),
        ("softmax-ce", "softmax(z) - y"),
        ("softmax-ce", r"\frac{\partial L}{\partial z_i} = p_i - y_i"),
        ("softmax", "-q_1q_2"),
        ("softmax", "q_1(1-q_1)"),
        ("dense:dW", "dz^3 . (h^2)^T"),
        ("dense:dW", r"\delta \otimes h"),
        ("dense:dW", r"\delta^l (a^{l-1})^T"),
        ("dense:dW", r"\delta_1 h_2"),
        ("dense:dh", r"(W^{l+1})^T \delta^{l+1}"),
        ("dense:delta", r"g'(z) \odot W^T \delta"),
        ("dense:delta", r"((w^{l+1})^T \delta^{l+1}) \circ g'(z^l)"),
    ],
)
def test_correct_answers_in_the_notes_notation(quantity, answer):
    verdict = check_answer(quantity, answer)
    assert verdict.correct is True, verdict.to_text()


@pytest.mark.parametrize(
    ("quantity", "answer"),
    [
        ("dense:dW", "dz^3 . (h^3)^T"),  # h of the wrong layer
        ("dense:dh", "(W^2)^T . dz^3"),
        ("dense:db", r"\delta_j^{l+1}"),
        ("dense:delta", r"((w^{l})^T \delta^{l}) \circ g'(z^l)"),
        ("dense:dW", "dz^l (h^{l})^T"),
        ("sigmoid", "h^2(1-h^3)"),
    ],
)
def test_wrong_layers_are_wrong(quantity, answer):
    verdict = check_answer(quantity, answer)
    assert verdict.correct is False, verdict.to_text()


def test_notation_profile_orders_and_narrows_readings():
    assert profiles.infer("dz^3 . (h^2)^T").name == "superscript-layers"
    verdict = check_answer("sigmoid", "h^2(1-h^2)", notation="yhat-subscript-indices")
    assert verdict.correct is False  # in notes where superscripts are powers, h² is a square
    assert check_answer("sigmoid", "h^2(1-h^2)", notation="superscript-layers").correct
    with pytest.raises(Exception, match="unknown notation"):
        check_answer("sigmoid", "h", notation="nope")


def test_bounds_refuse_fast():
    start = time.perf_counter()
    for text in ["(p+y+z+h+ystar+3)^100", "\\tanh " * 150 + "z", "(" * 150 + "z" + ")" * 150]:
        with pytest.raises(ParseError):
            value(text)
    assert value("(p + y)^100").is_Pow  # 101 terms when expanded: fine
    assert time.perf_counter() - start < 2


@pytest.mark.parametrize(
    ("quantity", "answer", "correct"),
    [
        ("dense:dW[1,2]", "dz_1^3 . h_2^2", True),
        ("dense:dW[1,2]", "dz_2^3 . h_1^2", False),
        ("dense:dW[j,i]", r"a_i^{l-1} \delta_j^l", True),
        ("dense:dW[j,i]", r"a_j^{l-1} \delta_i^l", False),
        ("dense:dh@8", "(W^8)^T.dz^8", True),
        ("dense:dh@8", "(W^7)^T.dz^7", False),
        ("softmax-ce@3", "a^{(2)} - y", False),
    ],
)
def test_entry_and_layer_of_the_question(quantity, answer, correct):
    verdict = check_answer(quantity, answer)
    assert verdict.correct is correct, verdict.to_text()


def test_a_parameter_alias_names_the_same_parameter():
    z = {"z": sp.Symbol("z", real=True)}
    assert parse_expression("leaky_relu(z, slope=0.2)", z) == parse_expression(
        "leaky_relu(z, negative_slope=0.2)", z
    )


def test_leibniz_differential_of_a_function_name():
    # \frac{df}{dg} (note 001's chain rule): d run into a function's name is a derivative
    from derive.language import parse

    tree = parse(r"\frac{df}{dg}", {"f", "g"})
    assert tree.kind == "deriv"
    assert [a.text for a in tree.args] == ["f", "g"]
    assert parse(r"\frac{dz}{dx}", {"f"}).kind == "frac"  # dz a name (δ in notes 000)


def test_subscript_run_into_the_next_name():
    # w_Dx_D (note 003, spaces lost) is w_D x_D; w_ij alone keeps its two-letter subscript
    x, w = sp.IndexedBase("x"), sp.IndexedBase("w")
    D, i, j = sp.symbols("D i j", integer=True)
    idx = {"D": D, "i": i, "j": j}
    read = value("w_Dx_D", {}, indexed={"w": w, "x": x}, index_symbols=idx)
    assert read == w[D] * x[D]
    assert value("w_ij", {}, indexed={"w": w}, index_symbols=idx) == w[i, j]
