"""The modules generated from examples/<name>.toml, generated once per test session."""

from __future__ import annotations

import functools
from pathlib import Path

from codegen.generate import load_module

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@functools.cache
def load(name: str):
    """The module generated now (not the committed copy) from examples/<name>.toml."""
    return load_module(EXAMPLES / f"{name}.toml")
