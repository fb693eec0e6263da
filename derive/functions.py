"""Named functions of the lecture notes as SymPy functions: σ (logistic sigmoid) and ReLU.

Each is defined by a rewrite to elementary functions, and its derivative is SymPy's derivative
of that rewrite: nothing here states a derivative by hand. Their names, spellings and numeric
evaluation are in their records (derive/primitives.py).
"""

import sympy as sp


class sigmoid(sp.Function):  # noqa: N801 - SymPy function classes are lower case
    """The logistic function σ(x) = 1 / (1 + e^{-x})."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sp.Rational(1, 2)
        return None

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sp.exp(-x))

    def fdiff(self, argindex=1):
        x = sp.Dummy("x")
        derivative = sp.diff(self._eval_rewrite_as_exp(x), x)
        return derivative.subs(x, self.args[0])

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return self.args[0].is_real or None

    def _latex(self, printer):
        return r"\sigma\left(%s\right)" % printer._print(self.args[0])

    def _pretty(self, printer):
        return printer._print_Function(self, func_name="σ")

    def _sympystr(self, printer):
        return "sigmoid(%s)" % printer._print(self.args[0])


class relu(sp.Function):  # noqa: N801
    """ReLU(x) = max(0, x); its derivative is taken as 0 at x = 0 (PyTorch's convention)."""

    nargs = 1

    @classmethod
    def eval(cls, x):
        if x.is_number:
            return sp.Max(0, x)
        return None

    def _eval_rewrite_as_Max(self, x, **kwargs):
        return sp.Max(0, x)

    def fdiff(self, argindex=1):
        # SymPy differentiates Max(0, x) to Heaviside(x) with H(0) = 1/2; fix the convention at 0.
        x = sp.Dummy("x")
        derivative = sp.diff(sp.Max(0, x), x)
        return derivative.subs(x, self.args[0]).replace(
            sp.Heaviside, lambda arg, *rest: sp.Heaviside(arg, 0)
        )

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_nonnegative(self):
        return self.args[0].is_real or None

    def _latex(self, printer):
        return r"\operatorname{ReLU}\left(%s\right)" % printer._print(self.args[0])

    def _pretty(self, printer):
        return printer._print_Function(self, func_name="ReLU")
