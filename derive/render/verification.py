"""What every renderer says about verification: the refusal, step groups and check marks.

>>> from derive.model import Chain, Step
>>> chain = Chain(lhs=0, steps=[Step(0, "", "numeric: 24 random points")] * 2)
>>> step_groups(chain)
[('steps 1–2', 'numeric: 24 random points')]
"""

from __future__ import annotations

from itertools import groupby

from derive.errors import DerivationError
from derive.model import Chain, Check, Derivation


def require_verified(derivation: Derivation) -> None:
    """Renderers show only proven steps: an unverified derivation is refused."""
    if not derivation.verified:
        raise DerivationError(
            f"derivation '{derivation.name}' is not verified; "
            "get it from derive.registry or run derive.verify.verify first"
        )


def step_groups(chain: Chain) -> list[tuple[str, str]]:
    """(label, how) for each run of consecutive steps verified the same way: ('steps 1–5', ...)."""
    groups = []
    numbered = enumerate(chain.steps, start=1)
    for how, run in groupby(numbered, key=lambda pair: pair[1].verified_by or "not recorded"):
        numbers = [n for n, _ in run]
        if len(numbers) == 1:
            label = f"step {numbers[0]}"
        else:
            label = f"steps {numbers[0]}–{numbers[-1]}"
        groups.append((label, how))
    return groups


def mark(check: Check) -> str:
    """✓ passed, ✗ failed, ? not run."""
    return {True: "✓", False: "✗"}.get(check.passed, "?")


# how each kind of proof reads in a lecturer's footnote (the part of verified_by before ':')
_METHODS = {"symbolic": "symbolically", "numeric": "numerically at random points"}

VERIFICATION_MODES = ("appendix", "inline", "none")


def require_mode(mode: str) -> str:
    """``mode`` if it is one of :data:`VERIFICATION_MODES`, else a ValueError naming them."""
    if mode not in VERIFICATION_MODES:
        raise ValueError(
            f"verification must be one of {', '.join(VERIFICATION_MODES)}, not {mode!r}"
        )
    return mode


def summary(chain: Chain) -> str:
    """One short sentence for a footnote: how the chain's steps were proven.

    >>> from derive.model import Step
    >>> summary(Chain(lhs=0, steps=[Step(0, "", "numeric: 24 random points")] * 2))
    'Both steps checked numerically at random points.'
    """
    methods = []
    for step in chain.steps:
        method = _METHODS.get(step.verified_by.split(":", 1)[0], "as recorded")
        if method not in methods:
            methods.append(method)
    count = len(chain.steps)
    subject = {1: "Checked", 2: "Both steps checked"}.get(count, f"All {count} steps checked")
    return f"{subject} {' and '.join(methods)}."
