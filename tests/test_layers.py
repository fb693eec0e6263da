"""The folder layout is the architecture: imports point one way (STYLE.md, "Layers that point one way").

derive/ is the mathematics and imports neither codegen/ nor check/; codegen/ and check/ consume
derivations; none of the libraries imports the CLI package backprop/ (it imports them). Every
import is found, including those inside functions (lazy imports count as much as eager ones).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package -> packages it must never import
FORBIDDEN = {
    "derive": {"codegen", "check", "backprop", "classroom"},
    "codegen": {"check", "backprop", "classroom"},
    "check": {"backprop", "classroom"},
}


def imported_packages(path: Path) -> set[str]:
    """The top-level package names imported anywhere in one source file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package):
    wrong = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in sorted(imported_packages(path) & FORBIDDEN[package])
    ]
    assert not wrong, "\n".join(wrong)


def test_the_scanner_sees_lazy_imports(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from backprop.output import write_text\n", encoding="utf-8")
    assert imported_packages(source) == {"backprop"}
