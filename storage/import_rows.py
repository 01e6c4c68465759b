"""What every import kind checks a row with (storage/importers.py runs them, one file at a time):
the units and programmes looked up once, a row error worded for the report, the cell-length
rule, and the declaration of a kind (its columns, its row check, its whole-file check).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import t
from messages.import_columns import header_key, import_columns
from messages.text import fold
from storage.models import Program, Unit
from storage.plan_repo import AmbiguousUnitError, pick_unit
from storage.tables import Row

#: Longest cell accepted (the longest real one, a programme's name, is 300 characters).
MAX_CELL = 1000
#: Longest cell value quoted back in a report line.
MAX_SHOWN = 60
#: Longest header quoted back when a report line names a column.
MAX_HEADER_SHOWN = 40

#: A row's verdict: its error line (or lines: every error of the row), or what writes it once
#: the whole file is clean.
Writer = Callable[[], Awaitable[bool]]
Checked = str | list[str] | Writer


class Lookup:
    """Units and programmes loaded once, so a 10,000-row file costs two queries, not 20,000;
    and how report lines name the file's columns (``column_names``)."""

    def __init__(
        self,
        units: list[Unit],
        programs: list[Program],
        columns: Mapping[str, str] | None = None,
    ) -> None:
        self.by_key: dict[str, list[Unit]] = defaultdict(list)
        for unit in units:
            self.by_key[unit.code].append(unit)
            if unit.name_key != unit.code:
                self.by_key[unit.name_key].append(unit)
        self.programs = {p.code: p for p in programs}
        self.columns = dict(columns or {})

    def column(self, name: str) -> str:
        """A column as a report line names it (``column_names``)."""
        return self.columns.get(name) or f"«{name}»"

    def _named(self, text: str) -> list[Unit]:
        found = {
            u.id: u for u in self.by_key.get(text.strip(), []) + self.by_key.get(fold(text), [])
        }
        return list(found.values())

    def unit(self, text: str) -> Unit | None:
        """The unit named by code or name; "xã Phù Lưu" names Phù Lưu (the words before a name,
        messages/import_columns.toml, are tried when the cell as written names no unit)."""
        found = self._named(text)
        key = fold(text)
        if not found:
            for prefix, kind in import_columns().unit_prefixes:
                if key.startswith(prefix + " "):
                    found = self._named(key[len(prefix) :])
                    found = [u for u in found if u.kind == kind] or found
                    break
        return pick_unit(found, text)

    def unit_of_row(self, line: int, text: str) -> Unit | str:
        """The unit a row names, or that row's error (several units by that name, or none)."""
        if not text.strip():
            return row_error(line, "no_unit", column=self.column("unit"))
        try:
            unit = self.unit(text)
        except AmbiguousUnitError:
            return row_error(line, "ambiguous_unit", value=text)
        return unit if unit is not None else row_error(line, "unknown_unit", value=text)


async def load_lookup(
    session: AsyncSession, columns: Mapping[str, str] | None = None
) -> Lookup:
    return Lookup(
        list(await session.scalars(select(Unit))),
        list(await session.scalars(select(Program))),
        columns,
    )


def column_names(kind: str, written: Mapping[str, str] | None = None) -> dict[str, str]:
    """How report lines name each column of ``kind``: the header as written in the file, with
    the Vietnamese label (messages/import_columns.toml) when neither holds the other's words
    («seats» (Số chỗ)); the label alone for a column the file does not have, or with no file."""
    names = {}
    for name, label in import_columns().kinds[kind].labels.items():
        header = (written or {}).get(name)
        if header is None:
            names[name] = f"«{label}»"
            continue
        quoted = f"«{shown(header, MAX_HEADER_SHOWN)}»"
        keys = (f" {header_key(label)} ", f" {header_key(header)} ")
        says = keys[0] in keys[1] or keys[1] in keys[0]
        names[name] = quoted if says else f"{quoted} ({label})"
    return names


Checker = Callable[[AsyncSession, Lookup, int, dict[str, str], datetime], Checked]
#: After every row is checked: more errors (rows that clash), and the writers to use instead
#: of the rows' own (None: keep them).
FileChecker = Callable[
    [AsyncSession, Lookup, list[Row], datetime], tuple[list[str], list[Writer] | None]
]


@dataclass(frozen=True, slots=True)
class ImportKind:
    """One kind of file: the columns it must have, the check of one row, and optionally a
    check of the whole file."""

    required: tuple[str, ...]
    check_row: Checker
    check_file: FileChecker | None = None


def column_length(column: Any) -> int:
    """What a name column holds (PostgreSQL refuses longer values with an error)."""
    return int(getattr(column.type, "length", None) or MAX_CELL)


def shown(value: object, most: int = MAX_SHOWN) -> str:
    """A cell as quoted in a report line: printable, and short (a cell may be 200,000 long)."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value)[: most + 1])
    return text if len(text) <= most else text[:most] + "…"


def row_error(line: int, key: str, **params: Any) -> str:
    """The report line for row ``line``: an officials.import.* reason, its cells quoted (a
    ``column`` is given as ``Lookup.column`` names it, already quoted)."""
    quoted = {
        k: shown(v) if isinstance(v, str) and k != "column" else v for k, v in params.items()
    }
    return t("officials.import.line", line=line, reason=t(f"officials.import.{key}", **quoted))


def too_long(lookup: Lookup, line: int, cells: dict[str, str]) -> list[str]:
    """The row's cells longer than any column holds, each an error."""
    return [
        row_error(
            line, "cell_too_long", column=lookup.column(column), length=len(value), most=MAX_CELL
        )
        for column, value in cells.items()
        if len(value) > MAX_CELL
    ]
