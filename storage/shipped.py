"""The data files shipped with the bot (``storage/data/*.csv``: units, programmes, demo courses,
the seed article's history), read once per process: the seeding runs at every start and the
files do not change while the process runs."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"


@functools.cache
def shipped_rows(name: str) -> tuple[dict[str, str], ...]:
    """The rows of ``storage/data/<name>``, each value stripped (an empty cell is "")."""
    with (DATA_DIR / name).open(encoding="utf-8-sig", newline="") as fh:
        return tuple({k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh))
