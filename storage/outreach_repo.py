"""Reads and writes of outreach: who subscribed to what, who an announcement reaches, how a
broadcast went. The rules of the audience live here, in one place."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.cases_repo import CaseStatus
from storage.models import (
    Broadcast,
    BroadcastRecipient,
    Case,
    Contact,
    OutboxMessage,
    Subscription,
)
from storage.repositories import FINISHED_PAYLOAD

#: Interests an announcement (and a subscription) can name; "abroad:<country>" narrows abroad.
INTERESTS = ("training", "abroad", "scam")
#: Case kind → the interest of announcements about it.
CASE_INTEREST = {"course": "training", "abroad": "abroad"}
#: Cases that no longer want news about their kind.
CLOSED_CASES = frozenset(
    {CaseStatus.COMPLETED, CaseStatus.REJECTED, CaseStatus.CANCELLED, CaseStatus.WITHDRAWN}
)
#: Outbox priority of announcements (conversation replies are 0, and go first).
BULK = 1
#: Why a recipient was skipped when the platform had said the bot cannot write to them.
UNREACHABLE = "unreachable"


class InterestError(ValueError):
    """Not an interest: training, abroad, abroad:<country>, scam."""


def parse_interest(value: str) -> str:
    """The canonical interest string, or InterestError."""
    value = value.strip().lower()
    base, _, country = value.partition(":")
    if base not in INTERESTS or (country and base != "abroad") or value.endswith(":"):
        raise InterestError(value)
    return value


def topic_matches(topic: str, interest: str) -> bool:
    """Does a subscribed topic receive an announcement of ``interest``? "abroad" takes every
    country; "abroad:japan" takes announcements about Japan and about working abroad at large."""
    if topic == interest:
        return True
    t_base, _, t_country = topic.partition(":")
    i_base, _, i_country = interest.partition(":")
    return t_base == i_base == "abroad" and (not t_country or not i_country)


def unreachable(unreachable_at: datetime | None, last_seen_at: datetime) -> bool:
    """The platform refused the contact, and they have not written since."""
    return unreachable_at is not None and last_seen_at <= unreachable_at


@dataclass(frozen=True, slots=True)
class Audience:
    contact_ids: list[int]
    subscribers: int
    case_holders: int


async def audience(session: AsyncSession, unit_ids: Iterable[int], interest: str) -> Audience:
    """Who an announcement of ``interest`` to ``unit_ids`` (empty: every unit) reaches:
    subscribers of a matching topic in those units, plus people with an open case of that kind
    there; never anyone who said stop, never an unreachable contact."""
    units = set(unit_ids)
    stopped: set[int] = set()
    chosen: set[int] = set()
    # Columns, not ORM objects: at the start of a 10,000-recipient broadcast, loading each
    # subscription (and each contact, for the unreachable check) as an object held the event
    # loop, and people's replies with it, for a few hundred milliseconds.
    subscriptions = await session.execute(
        select(Subscription.contact_id, Subscription.unit_id, Subscription.topics,
               Subscription.stopped_at)
    )
    for contact_id, unit_id, topics, stopped_at in subscriptions:
        if stopped_at is not None:
            stopped.add(contact_id)
            continue
        if units and unit_id not in units:
            continue
        if any(topic_matches(str(t), interest) for t in topics):
            chosen.add(contact_id)
    subscribers = len(chosen)
    kind = next((k for k, i in CASE_INTEREST.items() if interest.split(":")[0] == i), None)
    holders: set[int] = set()
    if kind is not None:
        query = select(Case.contact_id, Case.unit_id, Case.market).where(
            Case.kind == kind,
            Case.contact_id.is_not(None),
            Case.status.not_in([s.value for s in CLOSED_CASES]),
        )
        country = interest.partition(":")[2]
        for contact_id, unit_id, market in (await session.execute(query)).all():
            if units and unit_id not in units:
                continue
            if country and market not in (None, country, "unsure"):
                continue
            if contact_id is not None:
                holders.add(contact_id)
    everyone = (chosen | holders) - stopped
    if everyone:
        # The few contacts the platform refused, rather than every recipient by id.
        refused = await session.execute(
            select(Contact.id, Contact.unreachable_at, Contact.last_seen_at).where(
                Contact.unreachable_at.is_not(None)
            )
        )
        everyone -= {cid for cid, at, seen in refused if unreachable(at, seen)}
    return Audience(sorted(everyone), subscribers, len(holders - chosen))


async def case_interests(session: AsyncSession, contact_id: int) -> list[str]:
    """The announcements a person's open cases bring them whatever they subscribed to (see
    ``audience``): of classes for a class registration, of work abroad for an abroad one."""
    kinds = set(
        (await session.scalars(
            select(Case.kind).where(
                Case.contact_id == contact_id,
                Case.status.not_in([s.value for s in CLOSED_CASES]),
            )
        )).all()
    )
    return [interest for kind, interest in CASE_INTEREST.items() if kind in kinds]


# -- subscriptions ---------------------------------------------------------------------------


async def get_subscription(session: AsyncSession, contact_id: int) -> Subscription | None:
    return await session.scalar(select(Subscription).where(Subscription.contact_id == contact_id))


async def subscribe(
    session: AsyncSession, contact_id: int, unit_id: int | None, topics: list[str], now: datetime
) -> Subscription:
    sub = await get_subscription(session, contact_id)
    if sub is None:
        sub = Subscription(contact_id=contact_id, created_at=now)
        session.add(sub)
    sub.unit_id = unit_id
    sub.topics = list(dict.fromkeys(topics))
    sub.updated_at = now
    sub.stopped_at = None
    await session.flush()
    return sub


async def stop_all(session: AsyncSession, contact_id: int, now: datetime) -> int:
    """The person said stop: no announcement from now on, including those already queued for
    them (their outbox rows are cancelled). Returns how many queued ones were cancelled."""
    sub = await get_subscription(session, contact_id)
    if sub is None:
        sub = Subscription(contact_id=contact_id, created_at=now, topics=[])
        session.add(sub)
    sub.stopped_at = now
    sub.updated_at = now
    await session.execute(
        update(BroadcastRecipient)
        .where(BroadcastRecipient.contact_id == contact_id, BroadcastRecipient.status == "waiting")
        .values(status="skipped", reason="stopped")
    )
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.contact_id == contact_id,
            OutboxMessage.priority == BULK,
            OutboxMessage.status == "pending",
        )
        .values(status="cancelled", last_error="stopped by the person", payload=FINISHED_PAYLOAD)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def resume(session: AsyncSession, contact_id: int, now: datetime) -> Subscription | None:
    """Undo a stop: what it stopped applies again (the topics chosen, and the news an open
    case brings: see ``audience``). None when there was no stop to undo."""
    sub = await get_subscription(session, contact_id)
    if sub is None or sub.stopped_at is None:
        return None
    sub.stopped_at = None
    sub.updated_at = now
    return sub


# -- broadcasts ------------------------------------------------------------------------------


async def broadcast_report(session: AsyncSession, broadcast: Broadcast) -> dict[str, Any]:
    """How a broadcast went: recipients queued (given an outbox row that was not cancelled),
    sent, failed, blocked (the platform said the bot cannot write to them, before or when
    sending), skipped (stopped or cancelled before sending), waiting (not queued yet) and
    pending (queued, not sent yet). Every recipient is in exactly one of sent, failed,
    blocked, skipped, waiting, pending."""
    rows = (
        await session.execute(
            select(
                BroadcastRecipient.status,
                BroadcastRecipient.reason,
                OutboxMessage.status,
                func.count(),
            )
            .outerjoin(OutboxMessage, OutboxMessage.id == BroadcastRecipient.outbox_id)
            .where(BroadcastRecipient.broadcast_id == broadcast.id)
            .group_by(BroadcastRecipient.status, BroadcastRecipient.reason, OutboxMessage.status)
        )
    ).all()
    counts = {"sent": 0, "failed": 0, "blocked": 0, "skipped": 0, "waiting": 0, "pending": 0}
    total = queued = 0
    for recipient_status, reason, outbox_status, n in rows:
        total += n
        if recipient_status == "waiting":
            counts["waiting"] += n
            continue
        if recipient_status == "skipped" and reason == UNREACHABLE:
            # Found blocked before their turn came: blocked, like those the sender finds so.
            counts["blocked"] += n
            continue
        if recipient_status == "skipped" or outbox_status in ("cancelled", None):
            # (No outbox row behind a queued recipient: it was deleted unsent, with the data of
            # someone it quoted.)
            counts["skipped"] += n
            continue
        queued += n
        if outbox_status == "sent":
            counts["sent"] += n
        elif outbox_status == "failed":
            counts["failed"] += n
        elif outbox_status == "dropped":
            counts["blocked"] += n
        else:
            counts["pending"] += n
    return {
        "id": broadcast.id,
        "status": broadcast.status,
        "interest": broadcast.interest,
        "unit_ids": list(broadcast.unit_ids),
        "send_at": broadcast.send_at.isoformat(),
        "recipients": total,
        "queued": queued,
        **counts,
        "stop_reason": broadcast.stop_reason,
    }


async def cancel_broadcast(session: AsyncSession, broadcast: Broadcast, now: datetime) -> None:
    """Nothing more of it goes out: waiting recipients skipped, queued rows cancelled."""
    await _halt(session, broadcast, "cancelled", now, None)


async def halt_broadcast(
    session: AsyncSession, broadcast: Broadcast, status: str, now: datetime, reason: str | None
) -> None:
    await _halt(session, broadcast, status, now, reason)


async def _halt(
    session: AsyncSession, broadcast: Broadcast, status: str, now: datetime, reason: str | None
) -> None:
    broadcast.status = status
    broadcast.finished_at = now
    broadcast.stop_reason = reason
    await session.execute(
        update(BroadcastRecipient)
        .where(
            BroadcastRecipient.broadcast_id == broadcast.id,
            BroadcastRecipient.status == "waiting",
        )
        .values(status="skipped", reason=status)
    )
    queued = select(BroadcastRecipient.outbox_id).where(
        BroadcastRecipient.broadcast_id == broadcast.id,
        BroadcastRecipient.outbox_id.is_not(None),
    )
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(queued), OutboxMessage.status == "pending")
        .values(status="cancelled", last_error=status, payload=FINISHED_PAYLOAD)
    )


async def create_broadcast(
    session: AsyncSession,
    *,
    unit_ids: list[int],
    interest: str,
    text: str,
    send_at: datetime,
    now: datetime,
    officer_id: int | None = None,
    photo_sha256: str = "",
    course_id: int | None = None,
) -> Broadcast:
    broadcast = Broadcast(
        officer_id=officer_id,
        unit_ids=sorted(set(unit_ids)),
        interest=parse_interest(interest),
        text=text,
        photo_sha256=photo_sha256,
        course_id=course_id,
        status="scheduled",
        send_at=send_at,
        created_at=now,
    )
    session.add(broadcast)
    await session.flush()
    return broadcast
