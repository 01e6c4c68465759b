"""Lower layers never import higher ones: storage/ and messages/ know nothing of handlers/ or
bot/, handlers/ nothing of bot/ (read from the source, so a lazy import counts too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "messages": {"storage", "handlers", "bot", "scheduler"},
    "storage": {"handlers", "bot", "scheduler"},
    "handlers": {"bot", "scheduler"},
}


def _imported_packages(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_no_higher_layer(layer: str) -> None:
    wrong = {
        str(path.relative_to(ROOT)): sorted(_imported_packages(path) & FORBIDDEN[layer])
        for path in sorted((ROOT / layer).rglob("*.py"))
    }
    assert {name: pkgs for name, pkgs in wrong.items() if pkgs} == {}
