"""The tool's own exception types: one-line messages for users, never tracebacks."""


class BackpropError(Exception):
    """Base class of every error a user can cause; the CLI prints it on one line, exit 2."""


class ParseError(BackpropError):
    """User text (an expression, a LaTeX snippet) could not be read."""


class UnknownNameError(BackpropError):
    """A derivation, activation, loss or quantity name that does not exist."""


class SpecError(BackpropError):
    """A network description that is malformed or inconsistent."""


class DerivationError(BackpropError):
    """A derivation step failed verification: a bug in a rule, never shown as proven."""
