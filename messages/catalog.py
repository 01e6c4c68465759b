"""Every user-facing string, loaded from the TOML files in ``messages/strings``.

Keys are dotted English names (``menu.welcome``); a file's top-level tables give the first part.
Placeholders are named (``{ref}``). Editing a file and restarting is all it takes to change text.
The deployment profile's values (``{department}``, ``{communes}``…, see messages/deployment.toml)
are default placeholders of every string, so no string names an office or a place.
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections import ChainMap
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from messages.deployment import fill, profile_fields

STRINGS_DIR = Path(__file__).parent / "strings"


class MessageKeyError(KeyError):
    """A handler asked for a key no strings file defines."""


def _flatten(prefix: str, table: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            yield from _flatten(full, value)
        else:
            yield full, value


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


@cache
def load_strings(directory: Path = STRINGS_DIR) -> dict[str, Any]:
    """All keys of all files; a key defined twice is an error naming both files."""
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for path in sorted(directory.glob("*.toml")):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        for key, value in _flatten("", data):
            if key in merged:
                raise ValueError(f"message key {key!r} is defined in {origin[key]} and {path.name}")
            merged[key] = _nfc(value)
            origin[key] = path.name
    return merged


def raw(key: str) -> Any:
    """The value of a key as stored (a string, or a list for option lists)."""
    try:
        return load_strings()[key]
    except KeyError:
        raise MessageKeyError(key) from None


def t(key: str, **params: Any) -> str:
    """The string for ``key`` with its named placeholders filled in."""
    value = raw(key)
    if not isinstance(value, str):
        raise MessageKeyError(f"{key} is not a string")
    if "{" not in value:
        return value
    if params:
        return value.format_map(ChainMap(params, profile_fields()))
    return fill(value)


def has(key: str) -> bool:
    return key in load_strings()
