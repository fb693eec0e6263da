"""The expression language's entry point, kept under its old name: see :mod:`derive.language`.

>>> import sympy as sp
>>> parse_expression("p(1-p)", {"p": sp.Symbol("p")})
p*(1 - p)
"""

from derive.language import (  # noqa: F401 - re-exported
    MAX_BRACKET_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_NUMBER_BITS,
    Reading,
    parse_expression,
    readings,
)


def __getattr__(name: str):
    if name == "DEFAULT_FUNCTIONS":
        from derive.language import function_table

        return function_table()
    raise AttributeError(f"module 'derive.parse' has no attribute {name!r}")
