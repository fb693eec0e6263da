"""How :class:`codegen.printer.NumPyIndexPrinter` prints elementwise functions as NumPy.

One method per SymPy class (``_print_<Class>``), as SymPy's own printers do. Plain name
mappings come from the rule records: every function record with a NumPy emission
(``abs`` → ``np.abs``, ``atan`` → ``np.arctan``, ``max`` → ``np.maximum``, …, see
:func:`derive.rulebook.numpy_emissions`) becomes a method by the loop at the end of this
module, as SymPy builds its printers from ``_known_functions_numpy``; methods written here are
for what a name cannot say (a piecewise as nested ``np.where``, a stable helper). A function class defined elsewhere (a rule's record) brings
its own emission as a method ``_numpy_index(self, printer)`` returning code (it prints its
arguments with ``printer._print`` and may ``printer.helpers.add(name)`` for a helper whose
source it put in :data:`codegen.stable.NUMPY_HELPERS`): the printer needs no change for it.

>>> import sympy as sp
>>> from codegen.printer import print_array
>>> Z = sp.IndexedBase("Z"); n, i = sp.symbols("n i", integer=True)
>>> print_array(sp.Piecewise((Z[n, i], Z[n, i] > 0), (0, True)), (n, i))
'np.where(Z > 0, Z, 0)'
>>> print_array(sp.Heaviside(Z[n, i], 0) + sp.sign(Z[n, i]), (n, i))
'(Z > 0) + np.sign(Z)'
"""

from __future__ import annotations

import sympy as sp

from derive import rulebook


class FunctionPrinting:
    """Mixin of ``_print_<Class>`` methods for elementwise functions; needs ``self._print``
    and ``self.helpers`` (a set of helper names), as NumPyIndexPrinter has."""

    printmethod = "_numpy_index"  # a function class's own emission, if it has one

    def _print_Function(self, expr):
        from codegen.printer import IndexPrintingError

        raise IndexPrintingError(f"no NumPy form for {sp.sstr(expr)}")

    def _helper(self, name: str, *args) -> str:
        self.helpers.add(name)
        return "%s(%s)" % (name, ", ".join(self._print(a) for a in args))

    def _nested(self, func, args):
        code = self._print(args[0])
        for arg in args[1:]:
            code = f"{func}({code}, {self._print(arg)})"
        return code

    def _print_Heaviside(self, expr):
        x, at_zero = expr.args if len(expr.args) == 2 else (expr.args[0], sp.S.Half)
        scale, rest = x.as_coeff_Mul()
        if scale.is_Number and scale != 0:  # H(c x) = H(sign(c) x)
            x = rest if scale > 0 else -rest
        if at_zero == 0:
            return f"({self._print(x)} > 0)"
        if at_zero == 1:
            return f"({self._print(x)} >= 0)"
        return f"np.heaviside({self._print(x)}, {float(at_zero)!r})"

    # comparisons print as operators (a boolean array), conditions combine with & | ~
    _RELATIONS = {">": ">", ">=": ">=", "<": "<", "<=": "<=", "==": "==", "!=": "!="}

    def _print_Relational(self, expr):
        lhs, rhs = self._print(expr.lhs), self._print(expr.rhs)
        return f"({lhs} {self._RELATIONS[expr.rel_op]} {rhs})"

    def _print_And(self, expr):
        return "(%s)" % " & ".join(self._print(a) for a in expr.args)

    def _print_Or(self, expr):
        return "(%s)" % " | ".join(self._print(a) for a in expr.args)

    def _print_Not(self, expr):
        return f"~{self._print(expr.args[0])}"

    def _print_Piecewise(self, expr):
        """Piecewise((a, c1), (b, c2), (d, True)) → np.where(c1, a, np.where(c2, b, d))."""
        *pieces, (last, otherwise) = expr.args
        if otherwise is not sp.true:
            from codegen.printer import IndexPrintingError

            raise IndexPrintingError(f"{sp.sstr(expr)}: a piecewise needs an 'otherwise' piece")
        code = self._print(last)
        for value, condition in reversed(pieces):
            cond = self._print(condition)
            if cond.startswith("(") and cond.endswith(")") and _balanced(cond[1:-1]):
                cond = cond[1:-1]
            code = f"np.where({cond}, {self._print(value)}, {code})"
        return code

    def _print_relu(self, expr):
        return f"np.maximum({self._print(expr.args[0])}, 0)"

    def _print_tanh(self, expr):
        return self._helper("tanh", expr.args[0])

    def _print_sigmoid(self, expr):
        return self._helper("sigmoid", expr.args[0])

    def _print_softplus(self, expr):
        return f"np.logaddexp(0, {self._print(expr.args[0])})"

    def _print_erf(self, expr):
        return self._helper("erf", expr.args[0])

    def _print_erfc(self, expr):
        self.helpers.add("erf")  # one helper source holds both
        return f"erfc({self._print(expr.args[0])})"


def _emission(numpy: str, nary: bool):
    """The ``_print_<Class>`` method of a record's NumPy name: ``np.f(x)``, or for a record of
    any number of arguments (max, min) the nested binary calls ``np.f(np.f(a, b), c)``."""

    def print_record(self, expr):
        if nary:
            return self._nested(numpy, expr.args)
        return "%s(%s)" % (numpy, ", ".join(self._print(arg) for arg in expr.args))

    print_record.__doc__ = f"{numpy}(…), from the function record"
    return print_record


for _class, _record in rulebook.numpy_emissions().items():
    _method = f"_print_{_class.__name__}"
    # a method of its own wins (Piecewise: nested np.where); sqrt is a Pow, not a class
    if isinstance(_class, type) and _record.numpy and _method not in vars(FunctionPrinting):
        setattr(FunctionPrinting, _method, _emission(_record.numpy, _record.max_args != 1))


def _balanced(code: str) -> bool:
    """code's parentheses pair up without closing below depth 0 (outer ones can be dropped)."""
    depth = 0
    for char in code:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0
