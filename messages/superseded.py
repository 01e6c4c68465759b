"""The table of superseded legal instruments (``messages/superseded.toml``) and the check that
no knowledge-base source still cites one."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

SUPERSEDED_FILE = Path(__file__).parent / "superseded.toml"


@dataclass(frozen=True, slots=True)
class Superseded:
    instrument: str
    replaced_by: str
    since: date
    basis: str = ""

    def cited_in(self, source: str) -> bool:
        """``source`` names this instrument (not merely one whose number ends the same way)."""
        pattern = rf"(?<![\w/]){re.escape(self.instrument)}(?![\w/])"
        return re.search(pattern, unicodedata.normalize("NFC", source), re.IGNORECASE) is not None


@cache
def load_superseded(path: Path = SUPERSEDED_FILE) -> tuple[Superseded, ...]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    rows = data.get("instrument", [])
    out: list[Superseded] = []
    for i, row in enumerate(rows):
        if not (isinstance(row, dict) and isinstance(row.get("instrument"), str)
                and isinstance(row.get("replaced_by"), str) and type(row.get("from")) is date):
            raise ValueError(f"{path.name}: row {i + 1} needs instrument, replaced_by and from "
                             "(a date such as 2026-01-01)")
        out.append(Superseded(unicodedata.normalize("NFC", row["instrument"].strip()),
                              row["replaced_by"].strip(), row["from"],
                              str(row.get("basis", ""))))
    return tuple(out)


def superseded_in(source: str, today: date,
                  table: tuple[Superseded, ...] | None = None) -> list[Superseded]:
    """The instruments ``source`` cites that were replaced on or before ``today``."""
    rows = load_superseded() if table is None else table
    return [s for s in rows if s.since <= today and s.cited_in(source)]
