"""Reads and writes of the core tables, used by the engine and the sender."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.core_writes import insert_rows, save_state
from storage.models import (
    Broadcast,
    Contact,
    ConversationState,
    InboundLog,
    OutboxMessage,
    SurveyRound,
)

#: last_seen_at is refreshed at most this often: one UPDATE fewer on most turns.
SEEN_RESOLUTION = timedelta(minutes=10)
#: ``session.info`` key of the outbox rows recorded in a transaction.
TURN_ROWS = "outbox_rows"
#: ``session.info`` key: how many of those rows ``remember_recorded`` has gone through.
REMEMBERED_ROWS = "outbox_rows_remembered"


async def get_or_create_contact(
    session: AsyncSession, channel: str, platform_user_id: str, display_name: str, now: datetime
) -> Contact:
    """The contact for (channel, user id), created on first contact. Not a turn of theirs: a
    contact marked unreachable stays so (``load_contact_and_state``'s ``revive``)."""
    contact, state = await load_contact_and_state(
        session, channel, platform_user_id, display_name, now, revive=False
    )
    await save_state(session, state)
    return contact


# The turn's statements are built once: building a statement and its cache key costs about as
# much CPU as running it (SQLAlchemy then finds the compiled form in its cache).
_CONTACT_AND_STATE = (
    select(Contact, ConversationState)
    .outerjoin(ConversationState, ConversationState.contact_id == Contact.id)
    .where(Contact.channel == bindparam("channel"), Contact.platform_user_id == bindparam("user"))
    .with_for_update(of=Contact)
)


async def load_contact_and_state(
    session: AsyncSession,
    channel: str,
    platform_user_id: str,
    display_name: str,
    now: datetime,
    *,
    revive: bool = True,
) -> tuple[Contact, ConversationState]:
    """The contact and its conversation state in one query, both created on first contact:
    the contact row at once, the state row by ``save_state`` (storage/core_writes.py), which
    the caller runs once the state is final (one statement fewer on a person's first turn).

    The contact row is locked for the transaction (PostgreSQL), so two processes never handle
    the same person's messages at once; SQLite serialises writers anyway.
    """
    found = (
        await session.execute(_CONTACT_AND_STATE, {"channel": channel, "user": platform_user_id})
    ).first()
    state: ConversationState | None
    if found is None:
        contact = Contact(
            channel=channel,
            platform_user_id=platform_user_id,
            display_name=display_name,
            created_at=now,
            last_seen_at=now,
        )
        await insert_rows(session, [contact])
        state = None
    else:
        contact, state = found
        # A person marked unreachable (they had blocked the bot) who writes (``revive``: this
        # is their turn) is reachable again at once: last_seen_at then moves whatever its
        # resolution, or the replies to them, and announcements, would be dropped for up to
        # ten minutes more.
        marked = contact.unreachable_at if revive else None
        stale = now - contact.last_seen_at > SEEN_RESOLUTION
        if stale or (marked is not None and contact.last_seen_at <= marked):
            contact.last_seen_at = now
        if display_name and not contact.display_name:
            contact.display_name = display_name
    if state is None:
        state = ConversationState(
            contact_id=contact.id, flow=None, step=None, data={}, last_buttons=[], updated_at=now
        )
    return contact, state


async def someone_elses_state(
    session: AsyncSession, contact_id: int
) -> tuple[Contact | None, ConversationState | None]:
    """Another person's contact and state, for a turn that changes them (an officer's answer
    puts the person back in the thread). Their contact row is locked first, as their own turn
    locks it (``load_contact_and_state``): a turn of theirs under way commits before the state
    is read, so neither turn's change to it is lost. (Turns run in concurrent transactions on
    PostgreSQL, in one process as in several; SQLite has one writer.)"""
    contact = await session.get(Contact, contact_id, with_for_update=True)
    if contact is None:
        return None, None
    state = await session.get(ConversationState, contact_id, populate_existing=True)
    return contact, state


async def seen_update(session: AsyncSession, channel: str, update_key: str) -> bool:
    found = await session.scalar(
        select(InboundLog.id).where(
            InboundLog.channel == channel, InboundLog.update_key == update_key
        )
    )
    return found is not None


async def claim_update(
    session: AsyncSession, channel: str, update_key: str, contact_id: int | None, now: datetime
) -> bool:
    """Record the update as processed; False when it already was (a redelivery).

    One statement (INSERT … ON CONFLICT DO NOTHING) instead of a look-up and an insert. On
    PostgreSQL a concurrent transaction holding the same key makes this wait for its outcome,
    so two processes never both claim one update.
    """
    claimed = await session.scalar(
        _CLAIM[session.get_bind().dialect.name == "sqlite"],
        {
            "channel": channel,
            "update_key": update_key[:128],
            "contact_id": contact_id,
            "received_at": now,
        },
    )
    return claimed is not None


#: INSERT … ON CONFLICT DO NOTHING RETURNING id, by "is it SQLite?".
_CLAIM = {
    is_sqlite: dialect.insert(InboundLog)
    .on_conflict_do_nothing(index_elements=["channel", "update_key"])
    .returning(InboundLog.id)
    for is_sqlite, dialect in ((True, sqlite), (False, postgresql))
}


def record_update(
    session: AsyncSession,
    channel: str,
    update_key: str,
    contact_id: int | None,
    now: datetime,
    *,
    failed: str | None = None,
) -> None:
    """Log a processed update; ``failed`` (an error id) marks one consumed without processing."""
    session.add(
        InboundLog(
            channel=channel,
            update_key=update_key[:128],
            contact_id=contact_id,
            received_at=now,
            failed=failed,
        )
    )


def record_outbox(
    session: AsyncSession,
    *,
    channel: str,
    chat_id: str,
    payload: dict[str, Any],
    now: datetime,
    contact_id: int | None = None,
    is_group: bool = False,
    notice_id: int | None = None,
    subject_contact_id: int | None = None,
) -> OutboxMessage:
    row = new_outbox(
        channel=channel,
        chat_id=chat_id,
        payload=payload,
        now=now,
        contact_id=contact_id,
        is_group=is_group,
        notice_id=notice_id,
        subject_contact_id=subject_contact_id,
    )
    session.add(row)
    # The engine shows every row of a turn (the simulator prints messages to others too).
    session.info.setdefault(TURN_ROWS, []).append(row)
    return row


def new_outbox(
    *,
    channel: str,
    chat_id: str,
    payload: dict[str, Any],
    now: datetime,
    contact_id: int | None = None,
    is_group: bool = False,
    notice_id: int | None = None,
    subject_contact_id: int | None = None,
) -> OutboxMessage:
    """A pending outbox row, in no session yet (``record_outbox`` adds it; the engine writes
    its turn's replies with storage/core_writes.insert_rows)."""
    return OutboxMessage(
        channel=channel,
        chat_id=chat_id,
        is_group=is_group,
        contact_id=contact_id,
        subject_contact_id=subject_contact_id,
        payload=payload,
        intent=_intent_of(payload),
        notice_id=notice_id,
        status="pending",
        created_at=now,
        next_attempt_at=now,
    )


#: What an outbox row keeps once it is finished (sent, failed, dropped): no text, buttons or
#: attachments, which may quote a phone number or a name; ``intent`` has its own column.
FINISHED_PAYLOAD: dict[str, Any] = {}

#: The intent of a row that deletes a message the bot delivered earlier in its chat (queued by
#: storage/erasure.py; the sender asks the platform to delete instead of sending anything).
RETRACT_INTENT = "retract"


def retraction_payload(message_id: str) -> dict[str, Any]:
    """The payload of a row that deletes platform message ``message_id`` of the row's chat: that
    id only, no text and nothing that says whom the message was about."""
    return {"retract": message_id, "meta": {"intent": RETRACT_INTENT}}


def retracted_message(payload: dict[str, Any]) -> str | None:
    """The platform message a row's payload deletes; None for a message to send."""
    value = payload.get("retract")
    return value if isinstance(value, str) and value else None


def _intent_of(payload: dict[str, Any]) -> str | None:
    meta = payload.get("meta")
    intent = meta.get("intent") if isinstance(meta, dict) else None
    return str(intent)[:64] if intent else None


def start_turn(session: AsyncSession) -> None:
    """A new turn in ``session``: turn_rows counts from here (a group commit runs the turns of
    several people one after the other in one session)."""
    session.info[TURN_ROWS] = []
    session.info[REMEMBERED_ROWS] = 0


def turn_rows(session: AsyncSession) -> list[OutboxMessage]:
    """Every outbox row recorded in this session so far, in order."""
    rows: list[OutboxMessage] = session.info.get(TURN_ROWS, [])
    return rows


async def mark_sent(session: AsyncSession, ids: list[int], now: datetime) -> None:
    if ids:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(status="sent", sent_at=now, payload=FINISHED_PAYLOAD)
        )


async def remember_options(
    session: AsyncSession,
    channel: str,
    platform_user_id: str,
    options: list[list[str]],
    now: datetime,
) -> None:
    """Make ``options`` ([[id, label], ...]) the choices a number typed by this person refers
    to: the options of the last message they received, whoever caused it. The state's
    ``updated_at`` says when they were offered (``received_since`` compares with it)."""
    contact_id = (
        select(Contact.id)
        .where(Contact.channel == channel, Contact.platform_user_id == platform_user_id)
        .scalar_subquery()
    )
    await session.execute(
        update(ConversationState)
        .where(ConversationState.contact_id == contact_id)
        .values(last_buttons=options, updated_at=now)
    )


async def remember_recorded(
    session: AsyncSession, now: datetime, *, besides: tuple[str, str] | None = None
) -> None:
    """The options of each outbox row recorded in this session (``record_outbox``) become what
    a number its recipient types next picks (``remember_options``), once per row, in the order
    the rows were recorded; a group's rows offer nothing to pick, and ``besides`` (channel,
    chat id: the person whose turn this is) gets their own turn's options from the engine."""
    rows = turn_rows(session)
    done = int(session.info.get(REMEMBERED_ROWS, 0))
    session.info[REMEMBERED_ROWS] = len(rows)
    for row in rows[done:]:
        offered = [[b[0], b[1]] for line in row.payload.get("buttons", []) for b in line]
        if offered and not row.is_group and (row.channel, row.chat_id) != besides:
            await remember_options(session, row.channel, row.chat_id, offered, now)


async def received_since(
    session: AsyncSession, channel: str, chat_id: str, since: datetime
) -> bool:
    """Whether ``chat_id`` was sent a message written after ``since`` (an announcement, a
    reminder, a notice: anything the person's own turn at ``since`` did not write). One
    lookup in ``ix_outbox_chat``; a message not delivered yet does not count (the person has
    not seen it), nor one that never will be (cancelled, dropped, failed)."""
    found = await session.scalar(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.chat_id == chat_id,
            OutboxMessage.created_at > since,
            OutboxMessage.status == "sent",
            # A deleted message shows nothing new (storage/erasure.py: a retraction).
            OutboxMessage.intent.is_distinct_from(RETRACT_INTENT),
        )
        .limit(1)
    )
    return found is not None


#: The tables whose commands report "this one, or by default the latest".
Reported = TypeVar("Reported", Broadcast, SurveyRound)


async def by_id_or_latest(
    session: AsyncSession, model: type[Reported], row_id: int | None
) -> Reported | None:
    """The row with ``row_id``, or the newest one when no id is given (the commands' default)."""
    if row_id is not None:
        return await session.get(model, row_id)
    return await session.scalar(select(model).order_by(model.id.desc()))
