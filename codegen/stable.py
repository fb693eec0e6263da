"""Numerically stable primitives as SymPy functions, and the rewrites that bring them in.

Each primitive keeps its definition, derivative and NumPy form together, in the manner of
``sympy.codegen.numpy_nodes.logaddexp``: the definition is a rewrite to elementary functions
(``expr.rewrite(sp.exp)``), the derivative is SymPy's derivative of that definition, and
:class:`codegen.printer.NumPyIndexPrinter` prints it as stable NumPy through its own
``_print_<name>`` method. Primitives that take more than one NumPy call print as a call of a
small helper function whose source (:data:`NUMPY_HELPERS`) the generated module carries.

Row primitives take the index they run over as a ``(index, low, high)`` tuple, as ``Sum`` does:
``logsumexp(z[l], (l, 1, K))`` = log Σ_l e^{z_l} binds l; ``log_softmax(z[i], (i, 1, K))``
= z_i − logsumexp(z) keeps i free (it is entry i of a row).

:func:`stabilise` applies the rewrites (each one an identity, each tested on its own) to a
symbolic expression *before* it is printed, so a loss is computed from its logits:

>>> from derive.functions import sigmoid
>>> z, y = sp.symbols("z y", real=True)
>>> stabilise(-y * sp.log(sigmoid(z)) - (1 - y) * sp.log(1 - sigmoid(z)))
y*softplus(-z) + (1 - y)*softplus(z)
"""

from __future__ import annotations

import sympy as sp
from sympy.printing.precedence import PRECEDENCE

from codegen.softmax_rows import SOFTMAX_MINUS_TARGET_SOURCE
from codegen.special import ERF_SOURCE
from derive.functions import sigmoid

__all__ = [
    "LOG_RULES",
    "NUMPY_HELPERS",
    "RULES",
    "log_softmax",
    "logsumexp",
    "note",
    "sigmoid",
    "softmax",
    "softplus",
    "stabilise",
]


class softplus(sp.Function):  # noqa: N801 - SymPy function classes are lower case
    """softplus(x) = log(1 + e^x); printed as ``np.logaddexp(0, x)``, finite for any x."""

    nargs = 1

    @staticmethod
    def definition(x):
        return sp.log(1 + sp.exp(x))

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return self.definition(x)

    def fdiff(self, argindex=1):
        x = sp.Dummy("x")
        derivative = stabilise(sp.diff(self.definition(x), x))  # e^x / (1 + e^x) = σ(x)
        return derivative.xreplace({x: self.args[0]})

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return self.args[0].is_real or None


class one_plus_erf(sp.Function):  # noqa: N801
    """1 + erf(x), printed as ``erfc(-x)``: no cancellation where erf(x) ≈ −1 (GELU at z ≪ 0).
    Its own class, since SymPy writes erfc(−x) back as 2 − erfc(x)."""

    nargs = 1

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 + sp.erf(x)

    def fdiff(self, argindex=1):
        return 2 / sp.sqrt(sp.pi) * sp.exp(-(self.args[0] ** 2))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _numpy_index(self, printer):
        printer.helpers.add("erf")
        return f"erfc({printer._print(-self.args[0])})"

    _npcode = _numpy_index  # the name SymPy's NumPyPrinter instance asks for


class exp_clamped(sp.Function):  # noqa: N801
    """e^x with x capped at 690 (e^690 ≈ 1e300, below float64's overflow with room for a factor), printed as
    ``np.exp(np.minimum(x, 690))``: a finite number instead of inf, so that a product with a
    factor that vanishes there (x e^x sech²(e^x)) is 0, not inf·0 = NaN. Not an identity
    beyond the cap: the grid check compares it with the line before the rewrite."""

    nargs = 1
    CAP = "690"

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return sp.exp(sp.Min(x, sp.Float(self.CAP, 30)))

    def fdiff(self, argindex=1):
        return self

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return self.args[0].is_real or None

    def _numpy_index(self, printer):
        return f"np.exp(np.minimum({printer._print(self.args[0])}, {self.CAP}))"

    _npcode = _numpy_index


class exp_clamped_single(exp_clamped):  # noqa: N801
    """exp_clamped for float32: x capped at 80 (e^80 ≈ 6e34, below float32's overflow)."""

    CAP = "80"


class filled(sp.Function):  # noqa: N801
    """A constant as an array shaped like ``like`` (an entry of the logits Z): the Δ of a loss
    linear in p (ℓ = p − y: Δ = 1) still has one row per example. Printed ``np.full_like``."""

    nargs = 2

    def _eval_rewrite_as_exp(self, value, like, **kwargs):
        return value

    def fdiff(self, argindex=1):
        return sp.S.One if argindex == 1 else sp.S.Zero

    def _numpy_index(self, printer):
        value, like = self.args
        return f"np.full_like({printer._print(like)}, {printer._print(value)})"

    _npcode = _numpy_index


def note(rule) -> str:
    """What a rule does, in one line: its docstring's first line."""
    return rule.__doc__.splitlines()[0].rstrip(".")


def _fresh_index(expr, limits):
    """An index symbol for a row's summation that does not occur in expr."""
    index = limits[0]
    taken = expr.free_symbols | {index}
    for name in "lsqrtuv":
        candidate = sp.Symbol(name, integer=True, positive=True)
        if candidate not in taken:
            return candidate
    raise ValueError("no free index name")  # pragma: no cover - seven nested rows


class _RowFunction(sp.Function):
    """A function of a whole row, f(·) over the index range ``limits = (index, low, high)``."""

    nargs = 2

    @classmethod
    def eval(cls, f, limits):
        if not (isinstance(limits, sp.Tuple) and len(limits) == 3):
            raise ValueError(f"{cls.__name__}: limits must be (index, low, high)")
        return None

    @property
    def body(self):
        return self.args[0]

    @property
    def limits(self) -> sp.Tuple:
        return self.args[1]

    def _eval_rewrite_as_exp(self, f, limits, **kwargs):
        return self.definition().rewrite(sp.exp)

    def _eval_derivative(self, s):
        return sp.diff(self.definition().rewrite(sp.exp), s)


class logsumexp(_RowFunction):  # noqa: N801
    """log Σ_{l=a}^{b} e^{f}: the log-partition of a row; the index l is bound, as in Sum.

    Printed as ``logsumexp(Z)``, a helper shifted by the row maximum, so it never overflows.
    """

    def definition(self):
        return sp.log(sp.Sum(sp.exp(self.body), tuple(self.limits)))

    @property
    def free_symbols(self):
        index = self.limits[0]
        inner = {s for s in self.body.free_symbols if index not in s.free_symbols}
        return inner | self.limits[1:].free_symbols


class log_softmax(_RowFunction):  # noqa: N801
    """log softmax(f)_i = f_i − logsumexp(f): entry i of a row, i free; printed by definition."""

    precedence = PRECEDENCE["Add"]  # it prints as its definition, a difference

    def definition(self):
        index, low, high = self.limits
        along = _fresh_index(self.body, self.limits)
        row = logsumexp(self.body.xreplace({index: along}), sp.Tuple(along, low, high))
        return self.body - row


class softmax(_RowFunction):  # noqa: N801
    """softmax(f)_i = e^{f_i} / Σ_l e^{f_l}, printed as exp(log_softmax): nothing overflows."""

    def definition(self):
        return sp.exp(log_softmax(*self.args))


# -- rewrites: each replaces a naive form by a stable one; all are identities ------------------


def _is_one_plus_exp(e) -> bool:
    return isinstance(e, sp.Add) and isinstance(e - 1, sp.exp)


def softplus_from_log(expr):
    """log(1 + e^x) → softplus(x)."""
    return expr.replace(
        lambda e: isinstance(e, sp.log) and _is_one_plus_exp(e.args[0]),
        lambda e: softplus((e.args[0] - 1).args[0]),
    )


def sigmoid_from_exp(expr):
    """(1 + e^x)^(−q) → σ(−x)^q; with x = −z this is 1/(1 + e^{−z}) → σ(z)."""
    return expr.replace(
        lambda e: (
            isinstance(e, sp.Pow)
            and _is_one_plus_exp(e.base)
            and e.exp.is_Rational
            and e.exp.is_negative
        ),
        lambda e: sigmoid(-(e.base - 1).args[0]) ** -e.exp,
    )


def sigmoid_absorbs_exp(expr):
    """e^x · σ(−x) → σ(x), since e^x / (1 + e^x) = σ(x)."""

    def pair(term):
        factors = sp.Mul.make_args(term)
        for f in factors:
            if not isinstance(f, sp.exp):
                continue
            x = f.args[0]
            for g in factors:
                base, power = g.as_base_exp()
                if base == sigmoid(-x) and power.is_Integer and power > 0:
                    return f, g, x, power
        return None

    def absorb(term):
        f, g, x, power = pair(term)
        return term / (f * g) * sigmoid(x) * sigmoid(-x) ** (power - 1)

    return expr.replace(lambda e: isinstance(e, sp.Mul) and pair(e) is not None, absorb)


def log_sigmoid(expr):
    """log σ(x) → −softplus(−x)."""
    return expr.replace(
        lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sigmoid),
        lambda e: -softplus(-e.args[0].args[0]),
    )


def log_one_minus_sigmoid(expr):
    """log(1 − σ(x)) → −softplus(x)."""
    return expr.replace(
        lambda e: isinstance(e, sp.log) and isinstance(1 - e.args[0], sigmoid),
        lambda e: -softplus((1 - e.args[0]).args[0]),
    )


def _softmax_parts(term):
    """(e^a, (Σ_l e^b)^−1, softmax(a)) when term contains e^a / Σ_l e^b with b|_{l=i} = a."""
    factors = sp.Mul.make_args(term)
    for denominator in factors:
        base, power = denominator.as_base_exp()
        if power != -1 or not isinstance(base, sp.Sum) or len(base.limits) != 1:
            continue
        if not isinstance(base.function, sp.exp):
            continue
        (index, low, high), b = base.limits[0], base.function.args[0]
        for numerator in factors:
            if not isinstance(numerator, sp.exp):
                continue
            a = numerator.args[0]
            for entry in sorted(a.free_symbols, key=sp.default_sort_key):
                if b.xreplace({index: entry}) == a:
                    return numerator, denominator, softmax(a, sp.Tuple(entry, low, high))
    return None


def softmax_from_exp(expr):
    """e^{a_i} / Σ_l e^{a_l} → softmax(a)_i."""

    def recognise(term):
        numerator, denominator, entry = _softmax_parts(term)
        return term / (numerator * denominator) * entry

    return expr.replace(
        lambda e: isinstance(e, sp.Mul) and _softmax_parts(e) is not None, recognise
    )


def log_softmax_from_log(expr):
    """log p_k with p = softmax(z) → log_softmax(z)_k = z_k − logsumexp(z)."""
    return expr.replace(
        lambda e: isinstance(e, sp.log) and isinstance(e.args[0], softmax),
        lambda e: log_softmax(*e.args[0].args),
    )


RULES = (
    softplus_from_log,
    sigmoid_from_exp,
    sigmoid_absorbs_exp,
    log_sigmoid,
    log_one_minus_sigmoid,
    softmax_from_exp,
    log_softmax_from_log,
)


# the rewrites that take a log away from a probability: after them a loss reads its logits
LOG_RULES = (softplus_from_log, log_sigmoid, log_one_minus_sigmoid, log_softmax_from_log)


def stabilise(expr: sp.Basic, fired: list | None = None) -> sp.Basic:
    """Apply :data:`RULES` until none changes anything; ``fired`` collects the rules used."""
    for _ in range(20):
        before = expr
        for rule in RULES:
            rewritten = rule(expr)
            if rewritten != expr and fired is not None and rule not in fired:
                fired.append(rule)
            expr = rewritten
        if expr == before:
            return expr
    raise RuntimeError(f"stabilise: rules do not settle on {sp.sstr(expr)}")  # pragma: no cover


# -- NumPy helpers the printer calls; a generated module carries the ones it uses --------------

NUMPY_HELPERS = {
    "erf": ERF_SOURCE,
    "logsumexp": '''\
def logsumexp(Z):
    """log Σ_k exp(Z[..., k]) along the last axis: (m, K) -> (m,).

    Shifted by the row maximum, so exp never overflows (logits of ±1000 are fine).
    """
    top = Z.max(axis=-1)
    return top + np.log(np.exp(Z - top[..., None]).sum(axis=-1))
''',
    "tanh": '''\
def tanh(Z, out=None):
    """tanh(Z) elementwise; out may be Z itself.

    np.tanh where NumPy runs a vectorised (SIMD) loop for Z's dtype on this CPU (AVX2,
    AVX-512: about 2× faster than any rewrite in float32). Elsewhere its loop is scalar, and
    2 / (1 + exp(−2Z)) − 1, one exp and four cheap ufuncs, is 3 to 5× faster (bench/), within
    a few units of the dtype's epsilon; exp(−2Z) = inf for Z ≪ 0 gives exactly −1 (never
    NaN), so that overflow is not warned about.
    """
    if _VECTORISED_TANH.get(np.asarray(Z).dtype.char, False):
        return np.tanh(Z, out=out)
    out = np.multiply(Z, -2, out=out)
    with np.errstate(over="ignore"):
        np.exp(out, out=out)
    out += 1
    np.divide(2, out, out=out)
    out -= 1
    return out


def _vectorised(ufunc, dtype):
    """Whether NumPy dispatches ufunc's loop for dtype to a SIMD target above its build's
    baseline on this CPU (numpy.lib.introspect, NumPy ≥ 2; False where it cannot say)."""
    introspect = getattr(np.lib, "introspect", None)
    if introspect is None:
        return False
    dtype = np.dtype(dtype)
    loops = introspect.opt_func_info(func_name=f"^{ufunc}$", signature=f"^{dtype.name}")
    loop = loops.get(ufunc, {}).get(dtype.char * 2)
    return loop is not None and not loop["current"].startswith("baseline")


_VECTORISED_TANH = {"f": _vectorised("tanh", np.float32), "d": _vectorised("tanh", np.float64)}
''',
    "softmax_minus_target": SOFTMAX_MINUS_TARGET_SOURCE,
    "sigmoid": '''\
def sigmoid(Z):
    """σ(Z) = 1 / (1 + exp(−Z)) elementwise, through exp(−|Z|) ≤ 1, so exp never overflows."""
    E = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1, E) / (1 + E)
''',
}
