"""Name → derivation builder. ``get(name)`` builds and verifies one derivation on first use.

Nothing is built at import: a command pays only for the derivation it asks for. The built
(and then the verified) derivation is memoised on its registry entry, for this process only.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from derive.errors import UnknownNameError
from derive.model import Derivation
from derive.verify import verify


@dataclass
class Entry:
    """A registered builder; ``built`` holds its derivation once built (verified or not yet)."""

    name: str
    summary: str
    build: Callable[[], Derivation]
    built: Derivation | None = field(default=None, repr=False, compare=False)

    def derivation(self) -> Derivation:
        """The derivation, built on the first call (not verified here), in the default
        notation: a step's note is text, made once and kept, and the notation profiles
        translate it from the default notation when they render it."""
        if self.built is None:
            from derive.render import profile_notation

            with profile_notation.using(None):
                self.built = self.build()
        return self.built


_REGISTRY: dict[str, Entry] = {}


def register(name: str, summary: str):
    """Decorator: register a zero-argument builder under ``name``."""

    def wrap(build: Callable[[], Derivation]):
        _REGISTRY[name] = Entry(name, summary, build)
        return build

    return wrap


# the builder modules: importing one registers its derivations (imported only when needed)
BUILDERS = (
    "activation",
    "softmax",
    "losses",
    "chain_rule",
    "dense",
    "mlp",
    "regularization",
    "dropout",
)


def _load(until: str | None = None) -> None:
    """Import the builder modules in order: all of them, or until ``until`` is registered."""
    for module in BUILDERS:
        if until is not None and until in _REGISTRY:
            return
        importlib.import_module(f"derive.builtins.{module}")


# the order a lecture takes them in; anything registered later follows
LECTURE_ORDER = [
    "chain-rule",
    "sigmoid",
    "tanh",
    "relu",
    "identity",
    "softmax",
    "softmax-ce",
    "sigmoid-bce",
    "mse",
    "dense",
    "dense-in-out",
    "batch",
    "mlp",
    "l2",
    "dropout",
]


def names() -> list[str]:
    """The built-in derivations' names, in the lecture's order: ``["chain-rule", "sigmoid", …]``."""
    _load()
    rank = {name: n for n, name in enumerate(LECTURE_ORDER)}
    return sorted(_REGISTRY, key=lambda name: rank.get(name, len(rank)))


def entries() -> list[Entry]:
    return [_REGISTRY[name] for name in names()]


def source(name: str) -> Derivation:
    """The derivation ``name`` for use inside another one: built, verified only if something
    asked for it already. A composite derivation (mlp, sigmoid-bce, …) verifies every line it
    takes from its sources on its own, so it need not pay for theirs."""
    _load(until=name)
    if name not in _REGISTRY:
        raise UnknownNameError(f"unknown derivation '{name}'")
    return _REGISTRY[name].derivation()


# derivations written for one weight layout, and their twin for the other (W n_in × n_out)
IN_OUT_LAYOUT = {"dense": "dense-in-out"}


def get_in_notation(name: str, notation: str | None) -> Derivation:
    """The derivation ``name`` as notes in profile ``notation`` would derive it: where their W
    is n_in × n_out (z = Wᵀ h + b), the twin derivation in that layout (dense → dense-in-out)."""
    if notation is not None and name in IN_OUT_LAYOUT:
        from derive.language import profiles

        if profiles.get(notation).weights == "n_in × n_out":
            name = IN_OUT_LAYOUT[name]
    return get(name)


def get(name: str) -> Derivation:
    """The verified derivation called ``name`` (see ``names()``)."""
    _load(until=name)
    if name not in _REGISTRY:
        import difflib  # only for the error message

        close = difflib.get_close_matches(name, list(_REGISTRY), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        unknown = f"unknown derivation '{name}'{hint}"
        raise UnknownNameError(
            f"{unknown}; derive.names() lists them", cli_message=f"{unknown}; try --list"
        )
    return verify(_REGISTRY[name].derivation())  # verify() returns a verified one at once
