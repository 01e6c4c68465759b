"""Threads between a person and the officers, and the history of case statuses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Case, CaseStatusChange, Thread, ThreadMessage

OPEN = "open"
CLOSED = "closed"
PERSON = "person"
OFFICER = "officer"


async def get_open_thread(session: AsyncSession, contact_id: int) -> Thread | None:
    """The person's open thread (the latest, if several), or None."""
    thread: Thread | None = await session.scalar(
        select(Thread)
        .where(Thread.contact_id == contact_id, Thread.status == OPEN)
        .order_by(Thread.id.desc())
        .limit(1)
    )
    return thread


async def open_thread(
    session: AsyncSession,
    *,
    contact_id: int,
    unit_id: int | None,
    case_id: int | None,
    text: str,
    now: datetime,
) -> Thread:
    thread = Thread(
        contact_id=contact_id,
        unit_id=unit_id,
        case_id=case_id,
        status=OPEN,
        created_at=now,
        waiting_since=now,
    )
    session.add(thread)
    await session.flush()
    session.add(ThreadMessage(thread_id=thread.id, author=PERSON, text=text, created_at=now))
    return thread


def add_person_message(session: AsyncSession, thread: Thread, text: str, now: datetime) -> None:
    session.add(ThreadMessage(thread_id=thread.id, author=PERSON, text=text, created_at=now))
    if thread.waiting_since is None:
        thread.waiting_since = now
        thread.reminded_at = None
        thread.escalated_at = None


def add_officer_answer(
    session: AsyncSession, thread: Thread, officer_id: int, text: str, now: datetime
) -> None:
    session.add(
        ThreadMessage(
            thread_id=thread.id, author=OFFICER, officer_id=officer_id, text=text, created_at=now
        )
    )
    if thread.officer_id is None:
        thread.officer_id = officer_id
    thread.waiting_since = None
    thread.reminded_at = None
    thread.escalated_at = None


def close_thread(thread: Thread, now: datetime) -> None:
    thread.status = CLOSED
    thread.closed_at = now
    thread.waiting_since = None


def reopen_thread(thread: Thread) -> None:
    """An officer answers a closed thread: it is open again, for the person's reply."""
    thread.status = OPEN
    thread.closed_at = None


async def first_question(session: AsyncSession, thread_id: int) -> str:
    """The person's latest message not yet answered (what a reminder quotes)."""
    text = await session.scalar(
        select(ThreadMessage.text)
        .where(ThreadMessage.thread_id == thread_id, ThreadMessage.author == PERSON)
        .order_by(ThreadMessage.id.desc())
        .limit(1)
    )
    return text or ""


async def get_waiting_threads(session: AsyncSession, before: datetime) -> list[Thread]:
    """Open threads whose person has waited for an answer since before ``before``."""
    rows = await session.scalars(
        select(Thread)
        .where(
            Thread.status == OPEN,
            Thread.waiting_since.is_not(None),
            Thread.waiting_since < before,
        )
        .order_by(Thread.id)
    )
    return list(rows)


def record_status_change(
    session: AsyncSession,
    case: Case,
    status: str,
    *,
    officer_id: int | None,
    note: str | None,
    now: datetime,
) -> CaseStatusChange:
    """Move ``case`` to ``status`` and keep who did it, when and why."""
    case.status = status
    case.updated_at = now
    change = CaseStatusChange(
        case_id=case.id, status=status, note=note, officer_id=officer_id, created_at=now
    )
    session.add(change)
    return change


async def get_status_history(session: AsyncSession, case_id: int) -> list[CaseStatusChange]:
    rows = await session.scalars(
        select(CaseStatusChange)
        .where(CaseStatusChange.case_id == case_id)
        .order_by(CaseStatusChange.id)
    )
    return list(rows)
