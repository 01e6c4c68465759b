"""Lower layers never import higher ones: storage/ and messages/ know nothing of handlers/ or
bot/, handlers/ nothing of bot/, scheduler/ nothing of bot/ (it gets a SchedulerConfig, not the
bot's settings). Read from the source, so a lazy import counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "messages": {"storage", "handlers", "bot", "scheduler"},
    "storage": {"handlers", "bot", "scheduler"},
    "handlers": {"bot", "scheduler"},
    "scheduler": {"bot"},
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


def test_a_lazy_import_of_a_higher_layer_is_seen(tmp_path: Path) -> None:
    job = tmp_path / "job.py"
    job.write_text(
        "import asyncio\n\ndef fire() -> None:\n    from bot.settings import load_settings\n",
        encoding="utf-8",
    )
    assert _imported_packages(job) & FORBIDDEN["scheduler"] == {"bot"}
