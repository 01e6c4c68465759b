"""Which stored files are still named by a row: the one definition the erasure of a person's
data (storage/erasure.py) and the nightly sweep (storage/file_sweep.py) both use.

Files are stored by content (storage/files.py), so one file may serve several rows and several
people. A file is named by a row when a file column holds its hash (columns called ``sha256``
or ``*_sha256``) or when any JSON value holds it as a 64-hex string: a draft's or a flow's
``held_files`` (also inside a paused flow's place), an outbox message's attachment, an inbound
update. A file no row names can be removed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from typing import Any

from sqlalchemy import JSON, Column, Table, Text, cast, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Base

#: A content hash as the file store names files (lower-case hex SHA-256).
DIGEST = re.compile(r"\b[0-9a-f]{64}\b")


def file_columns(table: Table) -> list[Column[Any]]:
    return [c for c in table.columns if c.name == "sha256" or c.name.endswith("_sha256")]


def _json_columns(table: Table) -> list[Column[Any]]:
    return [c for c in table.columns if isinstance(c.type, JSON)]


async def named_files(session: AsyncSession, among: Collection[str] | None = None) -> set[str]:
    """The hashes some row names (see the module docstring); only those ``among`` when given.

    With ``among``, only the rows whose value mentions one of them are read: a file column is
    compared with the hashes, a JSON value is filtered by its text containing one, then read
    properly (a hash counts only as a whole 64-hex string)."""
    wanted = set(among) if among is not None else None
    if wanted is not None and not wanted:
        return set()
    found: set[str] = set()
    for table in Base.metadata.sorted_tables:
        for column in file_columns(table):
            named = select(column).where(column.is_not(None))
            if wanted is not None:
                named = named.where(column.in_(wanted))
            found.update(await session.scalars(named))
        for column in _json_columns(table):
            values = select(column)
            if wanted is not None:
                text = cast(column, Text)
                values = values.where(or_(*(text.contains(h) for h in sorted(wanted))))
            rows = await session.stream_scalars(values.execution_options(yield_per=1000))
            async for value in rows:
                if value:
                    found.update(DIGEST.findall(json.dumps(value)))
    return found if wanted is None else found & wanted
