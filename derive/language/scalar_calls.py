"""Function calls and derivatives in the expression language: f(x), f'(x), d/dz, ∂, ∇ at a
point. A mixin of :class:`derive.language.scalar.ScalarReader`."""

from __future__ import annotations

import operator
from dataclasses import replace

import sympy as sp
from sympy.core.function import AppliedUndef

from derive.language.grammar import Node
from derive.language.limits import MAX_EXPONENT, MAX_PRIMES, call_function


class CallReading:
    """The readings of calls and of derivative operators."""

    # -- calls and calculus -----------------------------------------------------------------
    def _read_call(self, node: Node):
        name = node.text
        if name in self.symbols and name not in self.bare and not node.primes and not node.ops:
            if (
                len(node.args) == 1
                and not node.keywords
                and not self.ambiguous(
                    "call",
                    f"{name}(…) read as the function {name}",
                    f"{name}(…) read as {name} times (…)",
                )
            ):
                return self.limits.build(
                    node.tok, operator.mul, self.symbols[name], self.read(node.args[0])
                )
        if name not in self.functions:
            raise self.fail(f"unknown function '{name}'", node)
        fn = self.functions[name]
        args = [self.read(arg) for arg in self._entry_argument(fn, node)]
        keywords = {key: self.read(value) for key, value in node.keywords}
        if getattr(fn, "exp_like", False) and args:
            args[0] = self.limits.check_exponent(args[0], node.tok, whole=False)
        if node.primes:
            value = self.derivative_of(fn, name, args, keywords, node)
        else:
            value = call_function(fn, name, args, keywords, node.tok, self.limits)
        if node.ops:
            count = self.read(node.ops[0])
            if not (count.is_Integer and 1 <= int(count) <= MAX_EXPONENT):
                raise self.fail(
                    f"'{name}^' needs a whole power from 1 to {MAX_EXPONENT}", node.ops[0]
                )
            value = self.limits.power_of(value, count, node.tok)
        return value

    def _entry_argument(self, fn, node: Node) -> list:
        """``g′(z_prev,j)``, the tool's own plain text for entry j of z_prev: a one-argument
        function given a name with a word subscript and then one index letter has one
        argument, that entry (as ``z_{prev,j}`` says it); else the arguments as written."""
        args = list(node.args)
        if len(args) != 2 or node.keywords or not (node.primes or getattr(fn, "arity", 0) == 1):
            return args
        first, second = args
        if first.kind != "name" or first.sub is None or first.sub.kind != "name":
            return args
        if f"{first.text}_{first.sub.text}" not in self.indexed:
            return args
        if second.kind != "name" or second.sub is not None or second.text not in self.index_symbols:
            return args
        named = f"{first.text}_{first.sub.text}"
        self.note(f"{named},{second.text} read as entry {second.text} of {named}")
        return [replace(first, sub=Node("indices", first.sub.tok, args=(first.sub, second)))]

    def derivative_of(self, fn, name: str, args: list, keywords: dict, node: Node):
        """g'(z): the derivative of a one-argument function at its argument (refused for a
        function whose record says why: ``no_derivative``, σ′ where σ′ is the question)."""
        refusal = getattr(fn, "no_derivative", None)
        if isinstance(refusal, str):
            raise self.fail(refusal, node)
        if len(args) != 1 or node.primes > MAX_PRIMES:
            raise self.fail(f"'{name}′' takes 1 argument (and at most {MAX_PRIMES} primes)", node)
        x = sp.Dummy("x", real=True)
        inner = call_function(fn, name, [x], keywords, node.tok, self.limits)
        slope = self.limits.build(node.tok, sp.diff, inner, x, node.primes)
        return self.limits.build(node.tok, slope.subs, x, args[0])

    def _read_deriv(self, node: Node):
        of, wrt = node.args
        top, var = self.read(of), self.read(wrt)
        # df/dg: with respect to a generic function's value g(x) (a bare g), as SymPy allows
        if not isinstance(var, sp.Symbol | sp.Indexed | AppliedUndef):
            raise self.fail("a derivative must be with respect to a variable", wrt)
        return self.limits.build(node.tok, sp.diff, top, var)

    def _read_gradat(self, node: Node):
        """``∇x`` without a subscript: no quantity but the update rule reads it."""
        raise self.fail("'∇' needs a subscript, as in \\nabla_{a_L} L", node)

    def _read_diffop(self, node: Node):
        wrt, operand = node.args if len(node.args) == 2 else (node.args[0], None)
        if operand is None:
            raise self.fail("'d/d…' needs something to differentiate", node)
        var = self.read(wrt)
        if not isinstance(var, sp.Symbol | sp.Indexed):
            raise self.fail("a derivative must be with respect to a variable", wrt)
        return self.limits.build(node.tok, sp.diff, self.read(operand), var)

    def _read_partial(self, node: Node):
        raise self.fail("'∂' must be part of a derivative such as ∂L/∂z", node)
