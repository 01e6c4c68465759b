"""The columns of the import files (``messages/import_columns.toml``): per kind of file, each
column's Vietnamese label and the headers officers write for it; and the words before a unit's
name in a cell ("xã Phù Lưu"). Loaded and checked once."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from messages.text import fold

COLUMNS_FILE = Path(__file__).parent / "import_columns.toml"
_NOT_WORD = re.compile(r"[\W_]+")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


def header_key(text: str) -> str:
    """A header as compared: folded, punctuation and ``_`` as spaces ("Số_chỗ:" → "so cho")."""
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


def bare_header_key(text: str) -> str:
    """``header_key`` of the header without what is in brackets ("Ngày khai giảng
    (dd/mm/yyyy)" → "ngay khai giang"); "" when nothing is left."""
    return header_key(_BRACKETED.sub(" ", fold(text)))


@dataclass(frozen=True, slots=True)
class KindColumns:
    """One kind of file: the label of each column, and each header key → its column."""

    labels: dict[str, str]
    by_key: dict[str, str]

    def column_of(self, header: str) -> str:
        """The column a header names ("" for none): as written, else without brackets."""
        found = self.by_key.get(header_key(header))
        if found is None:
            found = self.by_key.get(bare_header_key(header))
        return found or ""


@dataclass(frozen=True, slots=True)
class ImportColumns:
    kinds: dict[str, KindColumns]
    #: Folded words before a unit's name ("xa", "ubnd xa") → the kind of unit they say,
    #: longest first.
    unit_prefixes: tuple[tuple[str, str], ...]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def read_import_columns(path: Path = COLUMNS_FILE) -> ImportColumns:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    prefixes = data.pop("unit_prefixes", {})
    if not isinstance(prefixes, dict) or not all(
        isinstance(v, str) and fold(k) for k, v in prefixes.items()
    ):
        raise ValueError(f"{path.name}: unit_prefixes maps words to a kind of unit")
    kinds: dict[str, KindColumns] = {}
    for kind, columns in data.items():
        labels: dict[str, str] = {}
        by_key: dict[str, str] = {}
        for name, spec in columns.items():
            headers = spec.get("headers", [])
            if not isinstance(spec.get("label"), str) or not all(
                isinstance(h, str) for h in headers
            ):
                raise ValueError(f"{path.name}: {kind}.{name} needs a label and headers")
            labels[name] = _nfc(spec["label"])
            for header in (name, *headers):
                key = header_key(header)
                if by_key.setdefault(key, name) != name:
                    raise ValueError(
                        f"{path.name}: {kind}: header {header!r} is both {by_key[key]} and {name}"
                    )
        kinds[kind] = KindColumns(labels, by_key)
    ordered = sorted(((fold(k), _nfc(v)) for k, v in prefixes.items()), key=lambda p: -len(p[0]))
    return ImportColumns(kinds, tuple(ordered))


@cache
def import_columns() -> ImportColumns:
    return read_import_columns()
