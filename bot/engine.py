"""The engine: one inbound event → its share of one database transaction → outbox rows.

For each event: load the contact and its state (locked), record the update in the inbound log
(a redelivery is dropped there), let the router's handler decide, then keep the new state,
domain rows and outgoing messages together. Events of different contacts are group-committed
(storage/group_commit.py): gathered while the previous transaction runs and committed in one; a
turn that fails is rolled back alone (the others run again without it). Delivery happens after
the commit, from the outbox, so a crash never loses a reply.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.choices import LABEL_ONLY, resolve_choice, typed_number
from bot.locks import KeyedLocks
from handlers.config import HandlerConfig
from handlers.context import Context
from handlers.menu import main_menu_buttons
from handlers.router import Router
from handlers.textnorm import MAX_TEXT, clean_text
from handlers.types import Inbound, Reply, reply_to_payload
from messages import t
from storage.core_writes import insert_rows, save_state
from storage.db import Database
from storage.files import FileStore
from storage.group_commit import GroupCommit
from storage.models import ConversationState, OutboxMessage, utcnow
from storage.repositories import (
    claim_update,
    load_contact_and_state,
    new_outbox,
    received_since,
    record_update,
    remember_options,
    remember_recorded,
    seen_update,
    start_turn,
    turn_rows,
)

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
#: Called after a turn committed, with the (channel, chat id) of each outbox row it wrote: the
#: senders start those chats at once (bot/sender.py ``Sender.notify``).
OnCommit = Callable[[list[tuple[str, str]]], None]
#: Called when an event arrives, with its channel: a reply is coming, and the senders keep a place
#: of the channel's pace for it (bot/pacer.py ``expect``). Returns the call that withdraws the
#: notice, made when the turn wrote nothing to that channel.
OnArrival = Callable[[str], Callable[[], None]]

#: The length of ``contacts.display_name``.
NAME_LIMIT = 200


class Engine:
    """Processes events; events of one contact strictly in order, different contacts in parallel."""

    def __init__(
        self,
        db: Database,
        router: Router,
        files: FileStore,
        config: HandlerConfig | None = None,
        *,
        clock: Clock = utcnow,
        on_commit: OnCommit | None = None,
        on_arrival: OnArrival | None = None,
    ) -> None:
        self.db = db
        self.router = router
        self.files = files
        self.config = config or HandlerConfig()
        self.clock = clock
        self.on_commit = on_commit
        self.on_arrival = on_arrival
        self._locks = KeyedLocks()
        #: Shared transactions for the turns of different contacts (and for other short writes
        #: that can ride along, like marking local replies shown).
        self.batch = GroupCommit(db)

    async def handle(self, event: Inbound) -> list[OutboxMessage]:
        """Process one event; returns the committed outbox rows it produced, in order.

        Nothing an event holds makes this raise: a failure anywhere (cleaning, choices, the
        handler, the commit) gives the user an apology with an error id, logged with that id;
        if even the apology cannot be written, the update is recorded as failed, so a platform
        redelivering it is not answered with the same failure forever."""
        withdraw = self.on_arrival(event.channel) if self.on_arrival is not None else None
        async with self._locks.hold((event.channel, event.user_id)):
            cleaned = event
            try:
                cleaned, cut = _normalised(event)
                # The contact's lock is held until the batch holding this event committed, so
                # one contact's events never share a batch and always commit in order.
                rows = await self.batch.run(partial(self._process, cleaned, cut))
            except Exception as exc:
                rows = await self._recover(cleaned, exc)
        if withdraw is not None and not any(row.channel == event.channel for row in rows):
            withdraw()
        if rows and self.on_commit is not None:
            # The chats, so that the sender starts them without looking through the outbox.
            self.on_commit([(row.channel, row.chat_id) for row in rows])
        return rows

    async def _process(
        self, event: Inbound, cut: bool, session: AsyncSession
    ) -> list[OutboxMessage]:
        """One turn inside the batch's transaction; raising rolls back only this turn."""
        now = self.clock()
        start_turn(session)
        contact, state = await load_contact_and_state(
            session, event.channel, event.user_id, event.display_name, now
        )
        if event.update_id and not await claim_update(
            session, event.channel, event.update_id, contact.id, now
        ):
            log.info("redelivered update %s/%s ignored", event.channel, event.update_id)
            return []
        # A typed number answers the options of the latest message only: when a message
        # without options (an announcement, a reminder, a notice) reached the chat after the
        # options were offered, the number picks nothing and the person is asked again. A
        # read here, on a typed number, rather than a state write per announcement recipient.
        number = typed_number(event, state.last_buttons)
        outdated = number is not None and await received_since(
            session, event.channel, event.reply_to, state.updated_at
        )
        event = resolve_choice(event, state.last_buttons, numbers=not outdated)
        ctx = Context(
            session=session,
            contact=contact,
            state=state,
            now=now,
            config=self.config,
            router=self.router,
            files=self.files,
            channel=event.channel,
            outdated_number=number if outdated else None,
        )
        await self.router.route(event, ctx)
        _fill_intents(ctx.replies, state)
        if cut:
            note = t("menu.text_cut", limit=f"{MAX_TEXT:,}".replace(",", "."))
            ctx.replies.insert(0, Reply(note, meta={"intent": "notice.text_cut"}))
        state.updated_at = now
        return await _record(session, event, contact.id, state, ctx, now)

    async def _recover(self, event: Inbound, exc: Exception) -> list[OutboxMessage]:
        """After a failed turn (its transaction rolled back): the apology, or the failure record."""
        if isinstance(exc, IntegrityError) and await self._already_recorded(event):
            # Another process recorded the same update between our check and our commit.
            log.info("duplicate update %s/%s dropped at commit", event.channel, event.update_id)
            return []
        error_id = uuid.uuid4().hex[:8]
        log.error(
            "turn failed (error id %s) on %s/%s",
            error_id,
            event.channel,
            event.user_id,
            exc_info=exc,
        )
        try:
            return await self._apologise(event, error_id)
        except Exception:
            log.exception("the apology (error id %s) could not be written either", error_id)
        await self.record_failed(event.channel, event.update_id, error_id)
        return []

    async def record_failed(self, channel: str, update_id: str, error_id: str) -> None:
        """Mark an update consumed without processing it (an adapter that cannot parse it uses
        this too); a redelivery is then dropped instead of failing again. Never raises."""
        if not update_id:
            return
        try:
            async with self.db.transaction() as session:
                if not await seen_update(session, channel, update_id):
                    record_update(session, channel, update_id, None, self.clock(), failed=error_id)
        except Exception:
            log.exception("update %s/%s could not be recorded as failed", channel, update_id)

    async def _already_recorded(self, event: Inbound) -> bool:
        if not event.update_id:
            return False
        try:
            async with self.db.transaction() as session:
                return await seen_update(session, event.channel, event.update_id)
        except Exception:
            return False

    async def _apologise(self, event: Inbound, error_id: str) -> list[OutboxMessage]:
        """The turn failed: its changes are rolled back; the user gets an apology + menu."""
        now = self.clock()
        reply = Reply(
            t("menu.error", error_id=error_id),
            main_menu_buttons(),
            meta={"intent": "error", "error_id": error_id},
        )
        async with self.db.transaction() as session:
            contact, state = await load_contact_and_state(
                session, event.channel, event.user_id, event.display_name, now
            )
            if event.update_id:
                record_update(session, event.channel, event.update_id, contact.id, now)
            state.last_buttons = _options([reply])
            state.updated_at = now
            await save_state(session, state)
            row = _to_sender(event, contact.id, reply, now)
            session.add(row)
        return [row]


async def _record(
    session: AsyncSession,
    event: Inbound,
    contact_id: int,
    state: ConversationState,
    ctx: Context,
    now: datetime,
) -> list[OutboxMessage]:
    """Keep the state, write outbox rows for the turn's replies and messages to others, and
    remember what was offered to whom.

    The state and the turn's own rows go through prebuilt statements (storage/core_writes.py),
    the handler's other writes through the ORM's flush, before the rows that may refer to them.
    """
    state.last_buttons = offered_options(ctx.replies)
    await save_state(session, state)
    await session.flush()
    rows = [_to_sender(event, contact_id, reply, now) for reply in ctx.replies]
    rows += [
        new_outbox(
            channel=out.to.channel,
            chat_id=out.to.chat_id,
            payload=reply_to_payload(out.reply),
            now=now,
            is_group=out.to.is_group,
        )
        for out in ctx.outgoing
    ]
    await insert_rows(session, rows)
    # Notices and relays the handlers wrote straight to the outbox (officers, other people):
    # their options, unless remembered already (record_for_officers does at once).
    await remember_recorded(session, now, besides=(event.channel, event.reply_to))
    others = turn_rows(session)
    for out in ctx.outgoing:
        offered = _options([out.reply])
        if offered and not out.to.is_group and out.to.chat_id != event.reply_to:
            await remember_options(session, out.to.channel, out.to.chat_id, offered, now)
    return rows + others


def _to_sender(event: Inbound, contact_id: int, reply: Reply, now: datetime) -> OutboxMessage:
    return new_outbox(
        channel=event.channel,
        chat_id=event.reply_to,
        payload=reply_to_payload(reply),
        now=now,
        contact_id=contact_id,
        subject_contact_id=reply.about,
    )


def offered_options(replies: list[Reply]) -> list[list[str]]:
    """What the user can answer after this turn: the LATEST message's options ([id, label],
    numbered as shown), then those of earlier messages of the turn, by label only (marked
    LABEL_ONLY): every message numbers its own options from 1, so "5" means the last one's."""
    with_options = [r for r in replies if r.buttons]
    if not with_options:
        return []
    older = [[b.id, b.label, LABEL_ONLY] for r in with_options[:-1] for b in r.all_buttons()]
    return _options(with_options[-1:]) + older


def _options(replies: list[Reply]) -> list[list[str]]:
    """The options offered by ``replies`` as stored in the state: [[id, label], ...]."""
    return [option for reply in replies for option in reply.offered()]


def _normalised(event: Inbound) -> tuple[Inbound, bool]:
    """The event with its text cleaned (handlers/textnorm.clean_text), and whether it was cut."""
    text, cut = clean_text(event.text)
    cleaned = replace(
        event,
        text=text,
        command=clean_text(event.command, 64)[0],
        args=clean_text(event.args)[0],
        display_name=clean_text(event.display_name, NAME_LIMIT)[0],
    )
    return cleaned, cut


def _fill_intents(replies: list[Reply], state: ConversationState) -> None:
    """Every reply carries meta.intent: a reply without one inherits the turn's first one."""
    first = next((r.meta["intent"] for r in replies if "intent" in r.meta), None)
    if first is None:
        first = f"flow:{state.flow}.{state.step}" if state.flow else "fallback"
    for reply in replies:
        reply.meta.setdefault("intent", first)
