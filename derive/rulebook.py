"""The rulebook: the registry of every named rule (functions, activations, losses).

Everything that needs to know the named rules asks here, so each rule is typed once, in its
record (derive/primitives.py, derive/activations.py, derive/losses.py):

- :func:`spellings` is the parser's function table: every name of the expression language
  (``exp``, ``ln``, ``sigma``, ``arctan``, ``elu``, ``leaky_relu`` …) → its record, whose
  ``apply(args, keywords)`` builds the SymPy expression (and raises ParseError on a bad call).
- :func:`activations` and :func:`losses` are the named activation and loss records.
- :func:`numeric_functions` maps SymPy classes to NumPy callables for derive/numeric.py.
- :func:`register_activation`, :func:`register_loss` and :func:`load_rules` (``--rules
  FILE.toml``) add user rules; their text goes through the one parser, never ``sympify``.

Builtins are installed by an explicit :func:`install_builtins` (the lookups call it once).

>>> sorted(spellings())[:3]
['Abs', 'Heaviside', 'Max']
>>> activations()["leaky_relu"].expr
Piecewise((z, z > 0), (z/100, True))
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from derive.errors import ParseError, SpecError

_FUNCTIONS: dict = {}
_ACTIVATIONS: dict = {}
_LOSSES: dict = {}
_USER: set[str] = set()  # names of user rules (replaced when registered again)
_SPELLINGS: dict = {}
_installed = False

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*")
MAX_RULES = 200  # user rules in one session: each is parsed and differentiated


def install_builtins() -> None:
    """Register the built-in records (idempotent)."""
    global _installed
    if _installed:
        return
    from derive.activations import BUILTIN_ACTIVATIONS
    from derive.losses import BUILTIN_LOSSES
    from derive.primitives import PRIMITIVES

    _FUNCTIONS.update(PRIMITIVES)
    _ACTIVATIONS.update(BUILTIN_ACTIVATIONS)
    _LOSSES.update(BUILTIN_LOSSES)
    _installed = True
    _SPELLINGS.clear()


def functions() -> Mapping:
    """Function records by canonical name (exp, log, …, sigmoid, relu, softplus, where)."""
    install_builtins()
    return MappingProxyType(_FUNCTIONS)


def activations() -> Mapping:
    """Activation records by name: the lecture's four, the named ones, then user rules."""
    install_builtins()
    return MappingProxyType(_ACTIVATIONS)


def losses() -> Mapping:
    """Loss records by name."""
    install_builtins()
    return MappingProxyType(_LOSSES)


def loss_named(name: str):
    """The loss record called ``name`` or one of its aliases; None if there is none."""
    table = losses()
    if name in table:
        return table[name]
    for loss in table.values():
        if name in loss.aliases:
            return loss
    return None


def spellings() -> Mapping:
    """The expression language's function table: spelling → record (primitives, then
    activations that are spelled in the language). Records are callable and have
    ``apply(args, keywords)``, ``min_args``, ``max_args``, ``params`` and ``exp_like``."""
    install_builtins()
    if not _SPELLINGS:
        for record in (*_FUNCTIONS.values(), *_ACTIVATIONS.values()):
            for spelling in record.spellings:
                if spelling in _SPELLINGS and _SPELLINGS[spelling] is not record:
                    raise AssertionError(f"two records spell '{spelling}'")  # a bug, not input
                _SPELLINGS[spelling] = record
    return MappingProxyType(_SPELLINGS)


def numeric_functions() -> dict:
    """SymPy class → NumPy callable of one argument, for every function record with both."""
    return {
        record.sympy: record.numeric
        for record in functions().values()
        if record.sympy is not None and record.numeric is not None and record.max_args == 1
    }


def numpy_emissions() -> dict:
    """SymPy class → function record, for records with a NumPy emission (``record.numpy``) or
    a helper (``record.numpy_helper``): what codegen/printer.py prints them as."""
    return {
        record.sympy: record
        for record in functions().values()
        if record.sympy is not None and (record.numpy or record.numpy_helper)
    }


# -- user rules -------------------------------------------------------------------------------


def _check_name(name, kind: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name) or len(name) > 40:
        raise SpecError(f"{kind} name must be a word such as 'softsign', got {name!r}")
    taken = name in _ACTIVATIONS or loss_named(name) is not None or name in spellings()
    if name not in _USER and taken:  # a loss's aliases (logcosh, mae) are its names too
        raise SpecError(f"{kind} '{name}' is already a built-in name")
    if len(_USER) >= MAX_RULES and name not in _USER:
        raise SpecError(f"too many user rules (limit {MAX_RULES})")
    return name


def register_activation(name: str, expr: str, latex: str | None = None, title: str = ""):
    """Add a named activation from text in z, e.g. ``register_activation("softsign",
    "z / (1 + abs(z))")``; it is then a spelling of the language and a name everywhere an
    activation is asked for. Returns the record; SpecError/ParseError on bad input."""
    from derive.activations import Activation
    from derive.custom import parse_activation

    install_builtins()
    name = _check_name(name, "activation")
    if not isinstance(expr, str):
        raise SpecError(f"activation '{name}': expr must be a string in z")
    if latex is not None and not isinstance(latex, str):
        raise SpecError(f"activation '{name}': latex must be a string")
    try:
        parsed = parse_activation(expr).expr
    except ParseError as exc:
        raise ParseError(f"activation '{name}': {exc}") from None
    escaped = name.replace("_", "\\_")
    latex_name = latex or rf"\operatorname{{{escaped}}}"
    record = Activation(
        name,
        title or f"The user-defined activation {name}",
        parsed,
        spellings=(name,),
        latex=latex_name,
    )
    _ACTIVATIONS[name] = record
    _USER.add(name)
    _SPELLINGS.clear()
    return record


def register_loss(name: str, expr: str, output: str | None = None, title: str = ""):
    """Add a named loss from text in p (the prediction) and y (the target), e.g.
    ``register_loss("logcosh2", "log(cosh(p - y))", output="identity")``."""
    from derive.custom import parse_loss
    from derive.losses import ANY_OUTPUT, Loss
    from derive.symbols import p, y

    install_builtins()
    name = _check_name(name, "loss")
    if not isinstance(expr, str):
        raise SpecError(f"loss '{name}': expr must be a string in p and y")
    if output is not None and (not isinstance(output, str) or not output.strip()):
        raise SpecError(f"loss '{name}': output must be an activation name or expression")
    try:
        parsed = parse_loss(expr)
    except ParseError as exc:
        raise ParseError(f"loss '{name}': {exc}") from None
    fits = (output.strip(), ANY_OUTPUT) if output else (ANY_OUTPUT,)
    record = Loss(name, title or f"The user-defined loss {name}", parsed, (p, y), fits)
    _LOSSES[name] = record
    _USER.add(name)
    return record


_KEYS = {
    "activation": {"name", "expr", "latex", "title"},
    "loss": {"name", "expr", "output", "title"},
}
MAX_RULES_FILE = 1_000_000  # bytes


def load_rules(path) -> list:
    """Register the ``[[activation]]`` and ``[[loss]]`` tables of a TOML file; returns the
    records. Any problem is one SpecError naming the file and the table."""
    import tomllib
    from pathlib import Path

    path = Path(path)
    try:
        if path.stat().st_size > MAX_RULES_FILE:
            raise SpecError(f"{path}: rules file too large (limit {MAX_RULES_FILE} bytes)")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except SpecError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: cannot read rules file ({exc.__class__.__name__})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: not valid TOML ({exc})") from None
    unknown = set(data) - set(_KEYS)
    if unknown:
        raise SpecError(f"{path}: unknown table '{sorted(unknown)[0]}' (activation, loss)")
    records = []
    for kind, register in (("activation", register_activation), ("loss", register_loss)):
        tables = data.get(kind, [])
        if not isinstance(tables, list):
            raise SpecError(f"{path}: write each {kind} as [[{kind}]]")
        for number, table in enumerate(tables, 1):
            where = f"{path}: {kind} {number}"
            if not isinstance(table, dict):
                raise SpecError(f"{where}: must be a table")
            extra = set(table) - _KEYS[kind]
            if extra or "name" not in table or "expr" not in table:
                problem = f"unknown key '{sorted(extra)[0]}'" if extra else "needs name and expr"
                raise SpecError(f"{where}: {problem}")
            try:
                records.append(register(**table))
            except (ParseError, SpecError) as exc:
                raise SpecError(f"{where}: {exc}") from None
    return records


def forget_user_rules() -> None:
    """Remove every user rule (tests, and a fresh session in one process)."""
    for name in _USER:
        _ACTIVATIONS.pop(name, None)
        _LOSSES.pop(name, None)
    _USER.clear()
    _SPELLINGS.clear()
