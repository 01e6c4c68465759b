"""People read the same strings on Telegram (buttons) and Zalo (numbered lists, no buttons): no
text tells them to press ("bấm") anything; "chọn «…»" works on both."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MESSAGES = Path(__file__).resolve().parent.parent / "messages"
#: Texts for whoever runs the bot (terminal, token errors), not for people in a chat.
OPERATOR_FILES = {"cli.toml", "zalo.toml"}


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _strings(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _strings(inner, f"{where}[{index}]")


def test_no_text_for_people_says_press() -> None:
    found = [
        where
        for path in sorted(MESSAGES.rglob("*.toml"))
        if path.name not in OPERATOR_FILES
        for where, text in _strings(tomllib.loads(path.read_text(encoding="utf-8")), path.name)
        if "bấm" in text.lower()
    ]
    assert found == []
