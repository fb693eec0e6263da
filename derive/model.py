"""Derivations as data: a named list of chains ``lhs = e0 = e1 = ...``, each step justified.

A :class:`Derivation` is built unverified by a builder function and verified by
:func:`derive.verify.verify`; renderers refuse an unverified derivation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp


@dataclass
class Step:
    """One link ``= rhs`` of a chain, with its justification and (after verification) how it was proven."""

    rhs: sp.Expr
    why: str
    verified_by: str = ""


@dataclass
class Chain:
    """``lhs = steps[0].rhs = steps[1].rhs = ...``; each step equals the one before it.

    ``lhs`` is what is being computed (often an unevaluated ``Derivative``); the first step is
    checked against ``lhs`` itself, evaluated under the derivation's definitions.
    """

    lhs: sp.Expr
    steps: list[Step]
    title: str = ""
    note: str = ""
    # optional display form of the result in matrix notation, e.g. "\delta h^T"
    matrix_form: str = ""
    matrix_form_text: str = ""
    # a chain may need its own domain (e.g. a different leaf variable); None: the derivation's
    domain: Domain | None = None
    source: str = ""  # the derivation a result line comes from (for composite derivations)

    @property
    def result(self) -> sp.Expr:
        return self.steps[-1].rhs


@dataclass
class Check:
    """An independent cross-check of a result (direct differentiation, finite differences)."""

    name: str
    detail: str
    passed: bool | None = None  # None: not run yet


@dataclass
class Domain:
    """How to evaluate a derivation's expressions numerically.

    definitions: replacements applied before evaluation, e.g. ``p[k] -> softmax(z)_k`` (keys are
        Symbols, or IndexedBases mapped to a function of the index tuple).
    samplers: symbol or IndexedBase -> callable(rng, size_or_None, K) giving random values.
    sizes: size symbol -> list of concrete values to try (e.g. K -> [2, 3, 4, 5, 6]).
    indices: index symbol -> the size symbol bounding it (1..size).
    assumptions: human-readable, shown in output (e.g. "y is one-hot").
    """

    definitions: dict = field(default_factory=dict)
    samplers: dict = field(default_factory=dict)
    sizes: dict = field(default_factory=dict)
    indices: dict = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)
    # lazy: evaluate definitions numerically (memoised) instead of substituting them, and take
    # derivatives in the lines by central differences; for deep compositions (whole networks)
    lazy: bool = False


@dataclass
class Derivation:
    """A named derivation: chains of verified steps plus independent checks of the results."""

    name: str
    title: str
    summary: str
    chains: list[Chain]
    domain: Domain
    conventions: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    # callables run by verify() for the independent route; each returns a Check
    cross_checks: list[Callable[[], Check]] = field(default_factory=list, repr=False)
    source: str = ""  # where the notation comes from (the lecture notes)
    verified: bool = False

    @property
    def steps(self) -> list[Step]:
        return [step for chain in self.chains for step in chain.steps]

    @property
    def result(self) -> sp.Expr:
        """The main result: the right-hand side of the last step of the first chain."""
        return self.chains[0].result

    @property
    def results(self) -> list[sp.Eq]:
        return [sp.Eq(chain.lhs, chain.result, evaluate=False) for chain in self.chains]

    # rendering (imported lazily so the model has no dependency on the renderers); ``notation``:
    # a notation profile whose symbols the formulas use (None: the default notation)
    def to_latex(self, standalone: bool = False, notation: str | None = None) -> str:
        from derive.render import render

        return render(self, "latex", standalone=standalone, notation=notation)

    def to_markdown(self, notation: str | None = None) -> str:
        from derive.render import render

        return render(self, "markdown", notation=notation)

    def to_text(self, notation: str | None = None) -> str:
        from derive.render import render

        return render(self, "text", notation=notation)

    def to_json(self, notation: str | None = None) -> str:
        from derive.render import render

        return render(self, "json", notation=notation)

    def _repr_latex_(self) -> str:
        from derive.render import latex

        return latex.render_display(self)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __str__(self) -> str:
        return self.to_text()
