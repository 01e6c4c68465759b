"""Stored files that nothing refers to any more are removed (the scheduler runs it nightly).

Files are stored by content (storage/files.py), so one file may serve several rows, and a
deletion removes a file only when no remaining row names it (storage/erasure.py). Files held
by a flow before their row exists (a photo sent during the registration form, ``held_files``)
are named by no column: when that form is cancelled, restarted or expires, the file stays on
disk, and a later request to delete the person's data can no longer find it. The sweep removes
every stored file older than a day that no row names: no file column and no JSON value (a
draft, a flow's state, an outbox message's attachment, an inbound update); the same definition
the erasure uses (storage/file_refs.py). A file made for an officer (storage/models/exports.py)
is named by its row for a day, then the sweep drops the row and the file goes too.

A file written again (the same photo sent again) has its time renewed by the store, and the
sweep looks at the time once more just before removing it, so a file in use again is kept.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete

from storage.db import Database
from storage.file_refs import DIGEST, named_files
from storage.files import FileStore
from storage.models import EXPORT_LIFETIME, ExportFile

#: How old an unreferenced file must be before it is removed: a file is stored before the row
#: that names it is committed, and a form keeps its photos for its whole life (30 days).
MIN_AGE = timedelta(days=1)


def _older_than(path: Path, cutoff: datetime) -> bool:
    try:
        return path.stat().st_mtime < cutoff.timestamp()
    except FileNotFoundError:
        return False


async def sweep_files(db: Database, files: FileStore, now: datetime,
                      min_age: timedelta = MIN_AGE) -> int:
    """Remove the stored files older than ``min_age`` that no row names; returns how many.
    Files made for officers are named only while they may be fetched (``EXPORT_LIFETIME``)."""
    async with db.transaction() as session:
        await session.execute(
            delete(ExportFile).where(ExportFile.created_at < now - EXPORT_LIFETIME))
    cutoff = now - min_age
    old = await asyncio.to_thread(
        lambda: [p for p in files.root.glob("??/*")
                 if DIGEST.fullmatch(p.name) and _older_than(p, cutoff)])
    if not old:
        return 0
    async with db.session() as session:
        named = await named_files(session)
    removed = 0
    for path in old:
        # Looked at again: the same content may have been stored anew since the listing.
        if path.name not in named and _older_than(path, cutoff):
            path.unlink(missing_ok=True)
            removed += 1
    return removed
