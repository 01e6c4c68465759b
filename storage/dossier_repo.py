"""Reads and writes of the dossier tables (documents, item states, history, tracker)."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.files import FileStore
from storage.models import (
    Case,
    DossierDocument,
    DossierEvent,
    DossierItem,
    DossierTracker,
)


async def cases_of_contact(session: AsyncSession, contact_id: int) -> list[Case]:
    """The cases a contact registered that can have a support dossier (work abroad)."""
    rows = await session.scalars(
        select(Case)
        .where(Case.contact_id == contact_id, Case.kind == "abroad")
        .order_by(Case.created_at, Case.id)
    )
    return list(rows)


async def get_tracker(session: AsyncSession, case_id: int, now: datetime) -> DossierTracker:
    """The case's tracker, created (dossier opened) on first use."""
    tracker = await session.get(DossierTracker, case_id)
    if tracker is None:
        tracker = DossierTracker(case_id=case_id, last_activity_at=now)
        session.add(tracker)
        await session.flush()
    return tracker


async def items_of(session: AsyncSession, case_id: int) -> dict[str, DossierItem]:
    rows = await session.scalars(select(DossierItem).where(DossierItem.case_id == case_id))
    return {row.item_key: row for row in rows}


async def get_item(
    session: AsyncSession, case_id: int, item_key: str, now: datetime
) -> DossierItem:
    item = await session.scalar(
        select(DossierItem).where(DossierItem.case_id == case_id, DossierItem.item_key == item_key)
    )
    if item is None:
        item = DossierItem(case_id=case_id, item_key=item_key, status="missing", updated_at=now)
        session.add(item)
        await session.flush()
    return item


async def documents_of(
    session: AsyncSession, case_id: int, item_key: str | None = None
) -> list[DossierDocument]:
    """Documents in checklist-independent order: by item key, then page (callers regroup)."""
    query = select(DossierDocument).where(DossierDocument.case_id == case_id)
    if item_key is not None:
        query = query.where(DossierDocument.item_key == item_key)
    rows = await session.scalars(query.order_by(DossierDocument.item_key, DossierDocument.page))
    return list(rows)


class ItemSize(NamedTuple):
    """What an item holds: its files (photos and PDFs) and the pages in them (a 3-page PDF is
    one file, three pages)."""

    files: int
    pages: int


async def page_counts(session: AsyncSession, case_id: int) -> dict[str, ItemSize]:
    rows = await session.execute(
        select(DossierDocument.item_key, func.count(), func.sum(DossierDocument.page_count))
        .where(DossierDocument.case_id == case_id)
        .group_by(DossierDocument.item_key)
    )
    return {
        key: ItemSize(int(files), max(int(pages or 0), int(files)))
        for key, files, pages in rows.all()
    }


async def find_duplicate(
    session: AsyncSession, case_id: int, sha256: str
) -> DossierDocument | None:
    return await session.scalar(
        select(DossierDocument)
        .where(DossierDocument.case_id == case_id, DossierDocument.sha256 == sha256)
        .limit(1)
    )


async def add_document(session: AsyncSession, doc: DossierDocument) -> DossierDocument:
    """Append ``doc`` as the item's next page (page number assigned here)."""
    last = await session.scalar(
        select(func.max(DossierDocument.page)).where(
            DossierDocument.case_id == doc.case_id, DossierDocument.item_key == doc.item_key
        )
    )
    doc.page = int(last or 0) + 1
    session.add(doc)
    await session.flush()
    return doc


async def remove_document(session: AsyncSession, doc: DossierDocument) -> None:
    """Delete one page and renumber the item's remaining pages 1..n."""
    case_id, item_key = doc.case_id, doc.item_key
    await session.delete(doc)
    await session.flush()
    for page, rest in enumerate(await documents_of(session, case_id, item_key), start=1):
        rest.page = page
    await session.flush()


async def clear_item_documents(session: AsyncSession, case_id: int, item_key: str) -> int:
    result = await session.execute(
        delete(DossierDocument).where(
            DossierDocument.case_id == case_id, DossierDocument.item_key == item_key
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def add_event(
    session: AsyncSession,
    *,
    case_id: int,
    action: str,
    now: datetime,
    item_key: str | None = None,
    reason: str | None = None,
    actor_contact_id: int | None = None,
    actor_role: str = "family",
    actor_name: str = "",
) -> DossierEvent:
    event = DossierEvent(
        case_id=case_id,
        item_key=item_key,
        action=action,
        reason=reason,
        actor_contact_id=actor_contact_id,
        actor_role=actor_role,
        actor_name=actor_name,
        created_at=now,
    )
    session.add(event)
    return event


async def history_of(session: AsyncSession, case_id: int) -> list[DossierEvent]:
    rows = await session.scalars(
        select(DossierEvent)
        .where(DossierEvent.case_id == case_id)
        .order_by(DossierEvent.created_at, DossierEvent.id)
    )
    return list(rows)


#: History action recording the pages an officer decided on (reason: their sha256, comma-joined).
REVIEWED_PAGES = "reviewed_pages"


async def last_reviewed_pages(
    session: AsyncSession, case_id: int, item_key: str
) -> tuple[DossierEvent, set[str]] | None:
    """The item's latest decision record and the hashes of the pages it covered, if any."""
    event = await session.scalar(
        select(DossierEvent)
        .where(
            DossierEvent.case_id == case_id,
            DossierEvent.item_key == item_key,
            DossierEvent.action == REVIEWED_PAGES,
        )
        .order_by(DossierEvent.id.desc())
        .limit(1)
    )
    if event is None:
        return None
    return event, {part for part in (event.reason or "").split(",") if part}


async def reviewed_items(session: AsyncSession, case_id: int) -> set[str]:
    """The items of the case an officer has decided on at least once (one query for all)."""
    keys = await session.scalars(
        select(DossierEvent.item_key).distinct()
        .where(DossierEvent.case_id == case_id, DossierEvent.action == REVIEWED_PAGES)
    )
    return {key for key in keys if key}


async def decision_before(session: AsyncSession, event: DossierEvent) -> DossierEvent | None:
    """The approval or rejection recorded just before ``event`` (same item)."""
    return await session.scalar(
        select(DossierEvent)
        .where(
            DossierEvent.case_id == event.case_id,
            DossierEvent.item_key == event.item_key,
            DossierEvent.action.in_(("approved", "rejected")),
            DossierEvent.id < event.id,
        )
        .order_by(DossierEvent.id.desc())
        .limit(1)
    )


async def trackers_with_status(
    session: AsyncSession, statuses: Sequence[str], case_ids: Collection[int] | None = None
) -> list[DossierTracker]:
    """Trackers in one of ``statuses``, of the given cases only when ``case_ids`` is given."""
    query = select(DossierTracker).where(DossierTracker.status.in_(list(statuses)))
    if case_ids is not None:
        query = query.where(DossierTracker.case_id.in_(list(case_ids)))
    return list(await session.scalars(query))


async def delete_case_documents(
    session: AsyncSession, case_id: int, files: FileStore | None = None
) -> None:
    """Remove every dossier row of a case and, given the store, the files nobody else uses.

    Call it inside the deleting transaction; the files go at once, so a rollback afterwards
    would leave metadata pointing at nothing — acceptable for a deletion the user asked for.
    """
    hashes = set(
        await session.scalars(
            select(DossierDocument.sha256).where(DossierDocument.case_id == case_id)
        )
    )
    for model in (DossierDocument, DossierItem, DossierEvent, DossierTracker):
        await session.execute(delete(model).where(model.case_id == case_id))
    await session.flush()
    if files is None or not hashes:
        return
    still_used = set(
        await session.scalars(
            select(DossierDocument.sha256).where(DossierDocument.sha256.in_(hashes))
        )
    )
    for sha in hashes - still_used:
        await asyncio.to_thread(files.path_for(sha).unlink, missing_ok=True)
