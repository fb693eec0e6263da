"""The tool's own exception types: one-line messages for users, never tracebacks.

A message speaks of Python (functions, arguments), never of command-line flags; where the
command line says it differently, the error also carries ``cli_message``, which the CLI prints
instead:

>>> error = UnknownNameError(
...     "unknown derivation 'dens'; derive.names() lists them",
...     cli_message="unknown derivation 'dens'; try --list",
... )
>>> str(error)
"unknown derivation 'dens'; derive.names() lists them"
>>> error.cli_message
"unknown derivation 'dens'; try --list"
"""


class BackpropError(Exception):
    """Base class of every error a user can cause; the CLI prints it on one line, exit 2."""

    def __init__(self, *args, cli_message: str = ""):
        super().__init__(*args)
        self.cli_message = cli_message or (str(args[0]) if args else "")


class ParseError(BackpropError):
    """User text (an expression, a LaTeX snippet) could not be read."""


class UnknownNameError(BackpropError):
    """A derivation, activation, loss or quantity name that does not exist."""


class SpecError(BackpropError):
    """A network description that is malformed or inconsistent."""


class DerivationError(BackpropError):
    """A derivation step failed verification: a bug in a rule, never shown as proven."""
