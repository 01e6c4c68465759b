"""What every import kind checks a row with (storage/importers.py runs them, one file at a time):
the units and programmes looked up once, a row error worded for the report, the cell-length
rule, and the declaration of a kind (its columns, its row check, its whole-file check).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from messages import t
from messages.text import fold
from storage.models import Program, Unit
from storage.plan_repo import AmbiguousUnitError, pick_unit
from storage.tables import Row

#: Longest cell accepted (the longest real one, a programme's name, is 300 characters).
MAX_CELL = 1000
#: Longest cell value quoted back in a report line.
MAX_SHOWN = 60

#: A row's verdict: its error line, or what writes it once the whole file is clean.
Writer = Callable[[], Awaitable[bool]]
Checked = str | Writer


class Lookup:
    """Units and programmes loaded once, so a 10,000-row file costs two queries, not 20,000."""

    def __init__(self, units: list[Unit], programs: list[Program]) -> None:
        self.by_key: dict[str, list[Unit]] = defaultdict(list)
        for unit in units:
            self.by_key[unit.code].append(unit)
            if unit.name_key != unit.code:
                self.by_key[unit.name_key].append(unit)
        self.programs = {p.code: p for p in programs}

    def unit(self, text: str) -> Unit | None:
        found = {
            u.id: u for u in self.by_key.get(text.strip(), []) + self.by_key.get(fold(text), [])
        }
        return pick_unit(list(found.values()), text)

    def unit_of_row(self, line: int, text: str) -> Unit | str:
        """The unit a row names, or that row's error (several units by that name, or none)."""
        try:
            unit = self.unit(text)
        except AmbiguousUnitError:
            return row_error(line, "ambiguous_unit", value=text)
        return unit if unit is not None else row_error(line, "unknown_unit", value=text)


async def load_lookup(session: AsyncSession) -> Lookup:
    return Lookup(
        list(await session.scalars(select(Unit))), list(await session.scalars(select(Program)))
    )


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


def shown(value: object) -> str:
    """A cell as quoted in a report line: printable, and short (a cell may be 200,000 long)."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value)[:MAX_SHOWN + 1])
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"


def row_error(line: int, key: str, **params: Any) -> str:
    """The report line for row ``line``: an officials.import.* reason, its cells quoted."""
    quoted = {k: shown(v) if isinstance(v, str) else v for k, v in params.items()}
    return t("officials.import.line", line=line, reason=t(f"officials.import.{key}", **quoted))


def too_long(line: int, cells: dict[str, str]) -> str | None:
    for column, value in cells.items():
        if len(value) > MAX_CELL:
            return row_error(
                line, "cell_too_long", column=column, length=len(value), most=MAX_CELL
            )
    return None
