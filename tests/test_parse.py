"""Tests of derive.parse: the safe parser of user text (plain math and LaTeX) into SymPy."""

import ast
import builtins
import inspect
import os
import time

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from derive import language
from derive import parse as parse_module
from derive.errors import ParseError
from derive.functions import relu, sigmoid
from derive.language import grammar, lexer, profiles, scalar, tensor
from derive.parse import MAX_LENGTH, parse_expression

z, p, y, yhat, delta = sp.symbols("z p y yhat delta", real=True)
Z = {"z": z}
LOSS = {"p": p, "y": y, "yhat": yhat}
P_VEC, Y_VEC = sp.IndexedBase("p"), sp.IndexedBase("y")
IDX = sp.Symbol("i", integer=True)
VECTORS = {"indexed": {"p": P_VEC, "y": Y_VEC}, "index_symbols": {"i": IDX}}


def same(a, b) -> bool:
    return a == b or sp.simplify(a - b) == 0


# -- functional: plain text --------------------------------------------------------------------

PLAIN = [
    ("z", z),
    ("2z", 2 * z),
    ("2 * z + 1", 2 * z + 1),
    ("z^2", z**2),
    ("z**2", z**2),
    ("-z^2", -(z**2)),
    ("z^-1", 1 / z),
    ("2^3^2", sp.Integer(2) ** 9),
    ("1/2z", z / 2),
    ("(1-z)(1+z)", (1 - z) * (1 + z)),
    ("sigma(z)(1-sigma(z))", sigmoid(z) * (1 - sigmoid(z))),
    ("sigmoid(z) * (1 - sigmoid(z))", sigmoid(z) * (1 - sigmoid(z))),
    ("logistic(z)", sigmoid(z)),
    ("2 sigma(z)", 2 * sigmoid(z)),
    ("z tanh(z)", z * sp.tanh(z)),
    ("1 - tanh(z)**2", 1 - sp.tanh(z) ** 2),
    ("sech(z)^2", 1 / sp.cosh(z) ** 2),
    ("log(1 + exp(z))", sp.log(1 + sp.exp(z))),
    ("ln(z)", sp.log(z)),
    ("softplus(z)", sp.log(1 + sp.exp(z))),
    ("z * tanh(log(1 + exp(z)))", z * sp.tanh(sp.log(1 + sp.exp(z)))),
    ("max(0.01*z, z)", sp.Max(sp.Rational(1, 100) * z, z)),
    ("Max(0, z)", sp.Max(0, z)),
    ("min(z, 1, 2)", sp.Min(z, 1)),
    ("relu(z)", relu(z)),
    ("ReLU(z)", relu(z)),
    ("abs(z) + Abs(z)", 2 * sp.Abs(z)),
    ("sqrt(z)", sp.sqrt(z)),
    (
        "sinh(z) + cosh(z) + sin(z) + cos(z) + tan(z)",
        sp.sinh(z) + sp.cosh(z) + sp.sin(z) + sp.cos(z) + sp.tan(z),
    ),
    ("erf(z)", sp.erf(z)),
    ("e^z", sp.exp(z)),
    ("e^(-z)", sp.exp(-z)),
    ("pi z", sp.pi * z),
    ("1.5z", sp.Rational(3, 2) * z),
    ("1e-3 z", z / 1000),
    ("exp z", sp.exp(z)),
    ("((z))", z),
]


@pytest.mark.parametrize(("text", "expected"), PLAIN)
def test_plain(text, expected):
    assert same(parse_expression(text, Z), expected)


def test_loss_names_and_implicit_multiplication():
    assert parse_expression("p(1-p)", LOSS) == p * (1 - p)
    assert parse_expression("y log(p)", LOSS) == y * sp.log(p)
    assert same(
        parse_expression("-(y log(p) + (1-y) log(1-p))", LOSS),
        -(y * sp.log(p) + (1 - y) * sp.log(1 - p)),
    )


@pytest.mark.parametrize(
    "text", [r"\hat{y} - y", r"\hat y - y", "ŷ - y", "y\u0302 - y", "yhat - y", "y_hat - y"]
)
def test_yhat_spellings(text):
    assert parse_expression(text, LOSS) == yhat - y


def test_greek_names():
    symbols = {"delta": delta, "alpha": sp.Symbol("alpha"), "z": z}
    assert parse_expression(r"\delta z", symbols) == delta * z
    assert parse_expression("δ z", symbols) == delta * z
    assert parse_expression(r"\alpha z", symbols) == sp.Symbol("alpha") * z
    assert parse_expression("σ(z)", Z) == sigmoid(z)
    assert parse_expression(r"\pi", Z) == sp.pi


def test_symbols_take_precedence():
    e = sp.Symbol("e")
    assert parse_expression("e^z", {"e": e, "z": z}) == e**z
    sigma = sp.Symbol("sigma")
    assert parse_expression("sigma(z)", {"sigma": sigma, "z": z}) == sigma * z


def test_indexed():
    assert parse_expression("p_i - y_i", {}, **VECTORS) == P_VEC[IDX] - Y_VEC[IDX]
    assert parse_expression("p[i]", {}, **VECTORS) == P_VEC[IDX]
    assert parse_expression("p_{i}", {}, **VECTORS) == P_VEC[IDX]
    assert parse_expression("y_{i} log(p_i)", {}, **VECTORS) == Y_VEC[IDX] * sp.log(P_VEC[IDX])
    assert parse_expression("p_0", {}, **VECTORS) == P_VEC[0]
    with pytest.raises(ParseError, match="unknown index 'j'"):
        parse_expression("p_j", {}, **VECTORS)
    with pytest.raises(ParseError, match="needs an index"):
        parse_expression("p + 1", {}, **VECTORS)
    with pytest.raises(ParseError, match="unknown symbol 'p_i'"):
        parse_expression("p_i", LOSS)
    p_i = sp.Symbol("p_i")
    assert parse_expression("p_i", {"p_i": p_i}) == p_i


def test_custom_functions():
    f = sp.Function("f")
    assert parse_expression("f(z, 2)", Z, functions={"f": f}) == f(z, 2)
    assert parse_expression("log(z)", Z, functions={"log": sp.exp}) == sp.exp(z)
    with pytest.raises(ParseError, match="'g'"):
        parse_expression("g(z, z)", Z, functions={"g": lambda x: x})


# -- functional: LaTeX ---------------------------------------------------------------------------

LATEX = [
    (r"\frac{e^{-z}}{(1+e^{-z})^2}", sp.exp(-z) / (1 + sp.exp(-z)) ** 2),
    (r"\frac{z}{2}", z / 2),
    (r"\frac12", sp.Rational(1, 2)),
    (r"\frac12 z", z / 2),
    (r"\frac1z", 1 / z),
    (r"\dfrac{1}{1+e^{-z}}", 1 / (1 + sp.exp(-z))),
    (r"\tfrac{z}{3}", z / 3),
    (r"e^{z}", sp.exp(z)),
    (r"\exp(z)", sp.exp(z)),
    (r"\exp\left(z\right)", sp.exp(z)),
    (r"\log(1 + \exp(z))", sp.log(1 + sp.exp(z))),
    (r"\ln z", sp.log(z)),
    (r"\tanh(z)", sp.tanh(z)),
    (r"\sigma(z)", sigmoid(z)),
    (r"\sigma\left(z\right)", sigmoid(z)),
    (r"\sigma(z)\left(1-\sigma(z)\right)", sigmoid(z) * (1 - sigmoid(z))),
    (r"\operatorname{ReLU}(z)", relu(z)),
    (r"\operatorname{sigmoid}(z)", sigmoid(z)),
    (r"\mathrm{softplus}(z)", sp.log(1 + sp.exp(z))),
    (r"\left[ z + 1 \right] \cdot 2", 2 * (z + 1)),
    (r"\bigl( z + 1 \bigr) \times 3", 3 * (z + 1)),
    (r"z \cdot \, 2 \; + \! \quad 1", 2 * z + 1),
    (r"z^{2}", z**2),
    (r"z^2", z**2),
    (r"\sqrt{z}", sp.sqrt(z)),
    (r"\tanh^2(z)", sp.tanh(z) ** 2),
    (r"1 - \tanh^{2}(z)", 1 - sp.tanh(z) ** 2),
    (r"\sigma^2(z)", sigmoid(z) ** 2),
    (r"\cosh^2(z)", sp.cosh(z) ** 2),
    (r"\operatorname{sech}^2(z)", 1 / sp.cosh(z) ** 2),
    (r"{\left(1 - z\right)}", 1 - z),
    (r"\mathbf{z} + \boldsymbol{z}", 2 * z),
    (r"\left. z \right.", z),
]


@pytest.mark.parametrize(("text", "expected"), LATEX)
def test_latex(text, expected):
    assert same(parse_expression(text, Z), expected)


def test_unicode():
    assert parse_expression("σ(z)(1−σ(z))", Z) == sigmoid(z) * (1 - sigmoid(z))
    assert parse_expression("z²", Z) == z**2
    assert parse_expression("2·z × 3", Z) == 6 * z


# -- errors: one line, with a column -------------------------------------------------------------

ERRORS = [
    ("foo(z)", "unknown function 'foo' at column 1"),
    ("2 + foo(z)", "unknown function 'foo' at column 5"),
    ("z + q", "unknown symbol 'q' at column 5"),
    ("xy", "unknown symbol 'xy'"),
    ("(z + 1))", "unexpected ')' at column 8"),
    ("(z + 1", "'(' at column 1 is never closed"),
    ("(z]", "expected ')' but found ']' at column 3"),
    ("z +", "unexpected end of input at column 4"),
    (r"\foo{z}", r"unsupported LaTeX command '\foo' at column 1"),
    ("exp(z, z)", "'exp' takes 1 argument, got 2 at column 1"),
    ("exp()", "'exp' takes 1 argument, got 0"),
    ("max(z)", "'max' takes at least 2 arguments"),
    ("exp", "function 'exp' needs an argument"),
    ("", "empty expression"),
    ("   ", "empty expression"),
    ("1/0", "undefined"),
    ("z^(1/0)", "undefined"),
    (r"\tanh^{-1}(z)", "needs a whole power"),
    (r"\sqrt[3]{z}", "not supported"),
    ("z $ z", "unexpected character '$' at column 3"),
    ("z,", "unexpected ','"),
    ("\\", "lone backslash"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_errors(text, message):
    with pytest.raises(ParseError) as info:
        parse_expression(text, Z)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_not_a_string():
    with pytest.raises(ParseError, match="must be a string"):
        parse_expression(b"z", Z)  # type: ignore[arg-type]


# -- safety ----------------------------------------------------------------------------------------

HOSTILE = [
    "__import__('os').system('touch x')",
    '__import__("os").system("touch x")',
    "().__class__.__base__.__subclasses__()",
    "lambda: 0",
    "z.__class__",
    "exec('1')",
    "eval('1')",
    "open('f')",
    "exec",
    "eval(z)",
    "open(z)",
    "9**9**9",
    "10**10**10",
    "z**100000",
    "2^1000",
    "2^(1/10^9)",
    "exp(log(2) / 10^9)",
    "exp(10^9 * log(1 + 10^-9))",
    "exp(10^9 z)",
    "cosh(cosh(cosh(10)))",
    "sin(cosh(10^30))",
    "log(-2)^100",
    "(10^100)^100",
    "((10^90)^5)^5",
    "sqrt(10^100 * 10^100 * 10^100 * 10^100 * 10^100 + 1)",
    "1e99999999999",
    "9" * 60,
    "-" * 100000 + "1",
    "(" * 10000 + "z" + ")" * 10000,
    "z" * 3000,
    "z; import os",
    "'z'",
    '"z"',
    "z if z else z",
    "[z for z in z]",
    "z == z",
    "z @ z",
    "z.real",
    "z\nimport os",
    "{z: z}",
    "z[0]",
    "getattr(z, 'x')",
    "\\input{/etc/passwd}",
    "\\def\\x{1}",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_is_rejected(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    start = time.perf_counter()
    with pytest.raises(ParseError) as info:
        parse_expression(text, Z)
    assert time.perf_counter() - start < 2
    assert "\n" not in str(info.value)
    assert not os.path.exists(tmp_path / "x")
    assert list(tmp_path.iterdir()) == []


LANGUAGE_MODULES = [parse_module, language, lexer, grammar, scalar, tensor, profiles]


@pytest.mark.parametrize("module", LANGUAGE_MODULES, ids=lambda m: m.__name__)
def test_source_never_evaluates_text(module):
    tree = ast.parse(inspect.getsource(module))
    banned_names = {"eval", "exec", "compile", "__import__", "sympify", "parse_expr"}
    banned_attributes = {"eval", "exec", "sympify", "parse_expr", "S", "parse_latex"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in banned_names, f"calls {node.func.id}, line {node.lineno}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr not in banned_attributes, f"calls {node.func.attr}"


def test_nothing_is_evaluated_at_run_time(monkeypatch):
    calls = []
    for name in ("eval", "exec", "compile"):
        original = getattr(builtins, name)
        monkeypatch.setattr(
            builtins, name, lambda *a, _f=original, _n=name, **k: calls.append(_n) or _f(*a, **k)
        )
    monkeypatch.setattr(sp, "sympify", lambda *a, **k: calls.append("sympify"))
    parse_expression(r"\frac{e^{-z}}{(1+e^{-z})^2} + sigma(z)(1 - sigma(z)) + max(0.01 z, z)", Z)
    for text in HOSTILE[:8]:
        with pytest.raises(ParseError):
            parse_expression(text, Z)
    monkeypatch.undo()
    assert calls == []


def test_limits():
    with pytest.raises(
        ParseError, match=rf"input too long \(3000 characters, limit {MAX_LENGTH}\)"
    ):
        parse_expression("z" * 3000, Z)
    with pytest.raises(ParseError, match="nested too deeply"):
        parse_expression("(" * 61 + "z" + ")" * 61, Z)
    assert parse_expression("(" * 60 + "z" + ")" * 60, Z) == z
    with pytest.raises(ParseError, match="nested too deeply"):
        parse_expression("z^" * 200 + "z", Z)
    with pytest.raises(ParseError, match="exponent too large"):
        parse_expression("z^101", Z)
    assert parse_expression("z^100", Z) == z**100
    assert parse_expression("-" * 1999 + "z", Z) == -z
    assert parse_expression("10^38", Z) == sp.Integer(10) ** 38
    with pytest.raises(ParseError, match="number too large"):
        parse_expression("10^39", Z)
    with pytest.raises(ParseError, match="exponent denominator too large"):
        parse_expression("z^0.001", Z)


@pytest.mark.parametrize("joiner", ["+", "*"])
def test_big_numbers_stay_bounded(joiner):
    # SymPy merges sqrt(a)*sqrt(b) into sqrt(a*b); the number cap stops the product growing.
    text = joiner.join(f"sqrt(3*10^36 + {k})" for k in range(1, 100))
    start = time.perf_counter()
    try:
        parse_expression(text, Z)
    except ParseError as exc:
        assert "number too large" in str(exc)
    assert time.perf_counter() - start < 5


# -- properties ------------------------------------------------------------------------------------

TOKENS = ["z", "(", ")", "+", "-", "*", "/", "^", "exp", "\\frac{", "}", "{", "\\sigma", " "]
TOKENS += list("0123456789") + ["_", "[", "]", ",", "e", "\\left(", "\\right)", "**", "tanh"]
TOKENS += ["\\tanh^2", "max(", "sqrt", ".", "10^", "\\hat{y}", "p", "y"]


def _returns_expr_or_parse_error(text):
    try:
        result = parse_expression(text, {"z": z, "p": p, "y": y}, **VECTORS)
    except ParseError as exc:
        assert "\n" not in str(exc)
    else:
        assert isinstance(result, sp.Expr)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_expr_or_parse_error(text):
    _returns_expr_or_parse_error(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=60).map("".join))
def test_token_soup_gives_expr_or_parse_error(text):
    _returns_expr_or_parse_error(text)
