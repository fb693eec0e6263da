"""Derivations as data: a named list of chains ``lhs = e0 = e1 = ...``, each step justified.

A :class:`Derivation` is built unverified by a builder function and verified by
:func:`derive.verify.verify`; renderers refuse an unverified derivation. Each chain has a
key, and results are addressed by it, never by position:

>>> import derive
>>> d = derive.get("dense")
>>> list(d.results)
['dW', 'db', 'dh', 'delta_below']
>>> d["db"].rhs
delta[i]
>>> d["db"].equation
Eq(Derivative(L, b[i]), delta[i])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

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
    # the name of the result, e.g. "dW", "slope_h", "delta2"; unique within a derivation
    key: str = ""
    # for lines of a network: the layer number and the kind of line ("dW", "db", "dh", "delta")
    layer: int | None = None
    kind: str = ""

    @property
    def result(self) -> sp.Expr:
        return self.steps[-1].rhs


@dataclass(frozen=True)
class Result:
    """One result of a derivation: ``lhs = rhs``, the last line of the chain called ``key``."""

    key: str
    chain: Chain

    @property
    def lhs(self) -> sp.Expr:
        return self.chain.lhs

    @property
    def rhs(self) -> sp.Expr:
        return self.chain.result

    @property
    def equation(self) -> sp.Eq:
        return sp.Eq(self.chain.lhs, self.chain.result, evaluate=False)

    @property
    def domain(self) -> Domain | None:
        """The chain's own domain, or None when it uses the derivation's."""
        return self.chain.domain


@dataclass(frozen=True)
class ActivationResult:
    """The two results of an activation's derivation: g′ in z, and g′ in h = g(z) if it has one."""

    slope_z: sp.Expr
    slope_h: sp.Expr | None

    @property
    def in_output(self) -> bool:
        return self.slope_h is not None

    @classmethod
    def of(cls, derivation: Derivation) -> ActivationResult:
        results = derivation.results
        slope_h = results["slope_h"].rhs if "slope_h" in results else None
        return cls(derivation["slope_z"].rhs, slope_h)


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

    def __post_init__(self):
        """Name unnamed chains ("result" when there is one, else "result1", "result2", …)."""
        for number, chain in enumerate(self.chains, 1):
            if not chain.key:
                chain.key = "result" if len(self.chains) == 1 else f"result{number}"
        keys = [chain.key for chain in self.chains]
        if len(set(keys)) != len(keys):
            raise AssertionError(f"{self.name}: two chains share a key in {keys}")  # a bug

    @property
    def results(self) -> Mapping[str, Result]:
        """key → :class:`Result`, in the order of the chains."""
        return MappingProxyType({chain.key: Result(chain.key, chain) for chain in self.chains})

    def __getitem__(self, key: str) -> Result:
        for chain in self.chains:
            if chain.key == key:
                return Result(key, chain)
        available = ", ".join(chain.key for chain in self.chains)
        raise KeyError(f"{self.name} has no result {key!r} (results: {available})")

    def __contains__(self, key: object) -> bool:
        return any(chain.key == key for chain in self.chains)

    @property
    def steps(self) -> Mapping[str, list[Step]]:
        """key → the steps of that chain (each chain keeps its own left-hand side)."""
        return MappingProxyType({chain.key: chain.steps for chain in self.chains})

    def all_steps(self) -> list[Step]:
        """Every step of every chain, in order (for checks that visit each step once)."""
        return [step for chain in self.chains for step in chain.steps]

    @property
    def result(self) -> sp.Expr:
        """The main result: the right-hand side of the first chain."""
        return self.chains[0].result

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
