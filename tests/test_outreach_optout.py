"""Stopping announcements works from wherever the person is ("dừng nhận tin", "/stop", "hủy
nhận thông báo" in any spelling), leaves what they were doing as it was and keeps them out of
every later audience; a contact the platform reports blocked is skipped and counted as blocked
in the report, whether found so before their turn or when it is sent."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.util import await_only

from bot.app import App
from handlers.types import Channel
from messages import t
from scheduler.broadcasts import DispatchPolicy, _queue_batch, _waiting, dispatch_once
from storage.erasure import erase_contact_data
from storage.models import (
    Broadcast,
    BroadcastRecipient,
    Case,
    Contact,
    ConversationState,
    OutboxMessage,
    Subscription,
)
from storage.outreach_repo import (
    BULK,
    audience,
    broadcast_report,
    cancel_broadcast,
    create_broadcast,
    resume,
    stop_all,
    subscribe,
)
from storage.repositories import load_contact_and_state
from storage.survey_repo import open_round
from tests.helpers import Clock, intents, press, say
from tests.outreach_support import person, unit_id

Setup = Callable[[App, Clock, Channel], Awaitable[object]]


async def _in_survey(app: App, clock: Clock, channel: Channel) -> None:
    async with app.db.transaction() as session:
        await open_round(session, [], "2026-12", clock.now())
    await say(app, "u", "khao sat nhu cau hoc nghe", channel=channel)
    await press(app, "u", t("survey.button.consent"), channel=channel)


STATES: dict[str, Setup] = {
    "survey": _in_survey,
    # asks the commune: no case to take it from
    "subscribe": lambda app, clock, ch: say(app, "u", "nhận thông báo", channel=ch),
    "privacy": lambda app, clock, ch: say(app, "u", "xóa dữ liệu của tôi", channel=ch),
    "handoff": lambda app, clock, ch: say(app, "u", "gặp cán bộ", channel=ch),
    "menu": lambda app, clock, ch: say(app, "u", "menu", channel=ch),
    "intake": lambda app, clock, ch: say(app, "u", "đăng ký học nghề", channel=ch),
}


@pytest.mark.parametrize(
    ("state", "phrase", "channel"),
    [
        ("survey", "dừng nhận tin", Channel.ZALO),
        ("subscribe", "/stop", Channel.TELEGRAM),
        ("privacy", "DUNG NHAN TIN", Channel.CONSOLE),
        ("handoff", "huỷ nhận thông báo", Channel.ZALO),
        ("menu", "tắt thông báo", Channel.TELEGRAM),
        # "thôi" ("enough") before it: found in the simulator, it started the subscription.
        ("intake", "thoi dung gui tin nua", Channel.ZALO),
        ("menu", "Thôi đừng gửi tin nữa ạ", Channel.ZALO),
    ],
)
async def test_stop_from_any_state(
    app: App, clock: Clock, state: str, phrase: str, channel: Channel
) -> None:
    pl = await unit_id(app, "Phù Lưu")
    subscriber = await person(app, "u", clock.now(), unit=pl, topics=["training"],
                              channel=channel.value)
    await STATES[state](app, clock, channel)
    async with app.db.session() as session:
        before = await session.scalar(
            select(ConversationState.flow).where(ConversationState.contact_id == subscriber)
        )
    lines = await say(app, "u", phrase, channel=channel)
    assert intents(lines) == ["flow:subscribe.stop"], lines
    async with app.db.session() as session:
        sub = await session.scalar(select(Subscription))
        after = await session.scalar(
            select(ConversationState.flow).where(ConversationState.contact_id == subscriber)
        )
        who = await audience(session, [pl], "training")
    assert sub is not None and sub.stopped_at is not None
    # What they were doing stays; only a subscription being made is dropped (an "ok" to the
    # stop, typed under its «Đồng ý không?», subscribed again).
    assert after == (None if state == "subscribe" else before) and (state == "menu" or before)
    assert who.contact_ids == []


async def test_blocked_contacts_are_skipped_and_counted_as_blocked(
    app: App, clock: Clock
) -> None:
    pl = await unit_id(app, "Phù Lưu")
    ids = [await person(app, f"p{i}", clock.now(), unit=pl, topics=["training"])
           for i in range(4)]
    # p3 blocked the bot long ago: never a recipient.
    async with app.db.transaction() as session:
        contact = await session.get(Contact, ids[3])
        assert contact is not None
        contact.unreachable_at = contact.last_seen_at + timedelta(seconds=1)
        broadcast = await create_broadcast(session, unit_ids=[pl], interest="training",
                                           text="Lớp may.", send_at=clock.now(), now=clock.now())
    policy = DispatchPolicy(app.settings.zone, window=1)
    assert await dispatch_once(app.db, policy, clock.now()) == 1  # p0 queued
    # p0's message is refused as blocked when sent; p1 blocks the bot before their turn.
    async with app.db.transaction() as session:
        await session.execute(update(OutboxMessage).where(OutboxMessage.priority == BULK)
                              .values(status="dropped", payload={}))
        contact = await session.get(Contact, ids[1])
        assert contact is not None
        contact.unreachable_at = contact.last_seen_at + timedelta(seconds=1)
    for _ in range(3):
        await dispatch_once(app.db, policy, clock.now())
        async with app.db.transaction() as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.priority == BULK, OutboxMessage.status == "pending")
                .values(status="sent", payload={})
            )
    async with app.db.session() as session:
        queued_for = set(await session.scalars(
            select(OutboxMessage.contact_id).where(OutboxMessage.priority == BULK)))
        reasons = dict((await session.execute(
            select(BroadcastRecipient.contact_id, BroadcastRecipient.reason))).all())
        found = await session.get(Broadcast, broadcast.id)
        assert found is not None
        report = await broadcast_report(session, found)
    assert queued_for == {ids[0], ids[2]} and reasons[ids[1]] == "unreachable"
    assert ids[3] not in reasons
    assert (report["recipients"], report["sent"], report["blocked"], report["skipped"]) == (
        3, 1, 2, 0)
    assert report["queued"] == 2 and report["status"] == "done"
    parts = ("sent", "failed", "blocked", "skipped", "waiting", "pending")
    assert sum(int(report[k]) for k in parts) == report["recipients"]


async def test_an_announcement_cancelled_by_a_stop_or_a_cancel_keeps_no_text(
    app: App, clock: Clock
) -> None:
    pl = await unit_id(app, "Phù Lưu")
    for user in ("a", "b"):
        await person(app, user, clock.now(), unit=pl, topics=["training"])
    for text in ("Lớp may.", "Lớp hàn."):
        async with app.db.transaction() as session:
            await create_broadcast(session, unit_ids=[pl], interest="training", text=text,
                                   send_at=clock.now(), now=clock.now())
    assert await dispatch_once(app.db, DispatchPolicy(app.settings.zone), clock.now()) == 4
    await say(app, "a", "dừng nhận tin", channel=Channel.TELEGRAM)
    async with app.db.transaction() as session:
        second = await session.get(Broadcast, 2)
        assert second is not None
        await cancel_broadcast(session, second, clock.now())
    async with app.db.session() as session:
        rows = (await session.execute(select(OutboxMessage.chat_id, OutboxMessage.status,
                                             OutboxMessage.payload)
                                      .where(OutboxMessage.priority == BULK))).all()
    cancelled = [(chat, payload) for chat, status, payload in rows if status == "cancelled"]
    assert sorted(chat for chat, _ in cancelled) == ["a", "a", "b"]
    assert all(payload == {} for _, payload in cancelled)
    assert [status for chat, status, _ in rows if chat == "b"].count("pending") == 1


async def test_a_blocked_contact_who_writes_again_is_reachable_again(
    app: App, clock: Clock
) -> None:
    pl = await unit_id(app, "Phù Lưu")
    blocked = await person(app, "b", clock.now(), unit=pl, topics=["training"], blocked=True,
                           channel=Channel.TELEGRAM.value)

    async def reached() -> bool:
        async with app.db.session() as session:
            return blocked in (await audience(session, [pl], "training")).contact_ids

    assert not await reached()
    clock.advance(minutes=5)
    await say(app, "b", "menu", channel=Channel.TELEGRAM)  # unblocked the bot, wrote again
    assert await reached()


async def test_a_stop_while_a_batch_is_being_queued_still_wins(
    app: App, clock: Clock, backend: str
) -> None:
    """PostgreSQL (SQLite serialises writers, so there is no such moment): the person says stop
    after the dispatcher read their subscription and before it wrote their outbox row. The
    batch marks only recipients still waiting as queued and cancels the row it wrote for one
    who is not, instead of overwriting the stop."""
    if backend != "postgres":
        pytest.skip("only PostgreSQL runs two writers at once")
    pl = await unit_id(app, "Phù Lưu")
    await person(app, "p0", clock.now(), unit=pl, topics=["training"])
    async with app.db.transaction() as session:
        broadcast = await create_broadcast(session, unit_ids=[pl], interest="training",
                                           text="Lớp may.", send_at=clock.now(), now=clock.now())
    # The audience is fixed (window 0: nothing queued yet).
    assert await dispatch_once(app.db, DispatchPolicy(app.settings.zone, window=0),
                               clock.now()) == 0
    stop: asyncio.Future[list[dict[str, object]]] | None = None

    def between_read_and_write(state: ORMExecuteState) -> None:
        nonlocal stop
        if stop is None and state.is_insert:  # the batch's rows checked, its outbox rows not
            stop = asyncio.ensure_future(say(app, "p0", "dừng nhận tin", channel=Channel.TELEGRAM))
            await_only(asyncio.sleep(0.5))  # time enough for the stop to finish, if it can

    async with app.db.reader() as session:
        waiting = await _waiting(session, broadcast.id, "telegram", 10)
    assert len(waiting) == 1
    async with app.db.transaction() as session:
        locked = await session.get(Broadcast, broadcast.id, with_for_update=True)
        assert locked is not None
        event.listen(session.sync_session, "do_orm_execute", between_read_and_write)
        assert await _queue_batch(session, locked, "telegram", waiting, clock.now()) == 0
    assert stop is not None
    assert intents(await stop) == ["flow:subscribe.stop"]
    async with app.db.session() as session:
        statuses = list(await session.scalars(
            select(OutboxMessage.status).where(OutboxMessage.priority == BULK)))
    assert statuses == ["cancelled"]


@dataclass
class _Model:
    """What the audience rule says about one person, kept by hand."""

    topics: list[str] | None = None  # None: never subscribed (or erased without a stop)
    unit: int | None = None
    stopped: bool = False
    case_open: bool = False
    blocked: bool = False

    def reached(self, pl: int) -> bool:
        subscribed = self.topics is not None and "training" in self.topics and self.unit == pl
        return not self.blocked and not self.stopped and (subscribed or self.case_open)


async def test_random_sequences_of_subscribe_stop_resume_block_erase_keep_the_rule(
    app: App, clock: Clock
) -> None:
    """Seeded random histories (subscribe, stop, resume, block, write again, register, delete
    my data) of many people: after every step each one is in the audience exactly when the
    rule says, a stop surviving everything but a new subscription."""
    pl, yp = await unit_id(app, "Phù Lưu"), await unit_id(app, "Yên Phú")
    rng = random.Random(15)
    ops = ("subscribe", "stop", "resume", "block", "write", "register", "erase")
    now = clock.now()
    for n in range(25):
        user, model = f"r{n}", _Model()
        contact_id = await person(app, user, now)
        for _ in range(8):
            op = rng.choice(ops)
            now += timedelta(minutes=1)
            async with app.db.transaction() as session:
                contact = await session.get(Contact, contact_id)
                assert contact is not None
                if op == "subscribe":
                    unit, topics = rng.choice((pl, yp)), rng.choice((["training"], ["scam"]))
                    await subscribe(session, contact_id, unit, topics, now)
                    model.topics, model.unit, model.stopped = topics, unit, False
                elif op == "stop":
                    await stop_all(session, contact_id, now)
                    model.topics = model.topics if model.topics is not None else []
                    model.stopped = True
                elif op == "resume":
                    if await resume(session, contact_id, now) is not None:
                        model.stopped = False
                elif op == "block":
                    contact.unreachable_at = now
                    model.blocked = True
                elif op == "write":
                    await load_contact_and_state(session, "telegram", user, "", now)
                    model.blocked = False
                elif op == "register":
                    session.add(Case(ref=f"HY-R-{n}-{now.minute}", contact_id=contact_id,
                                     kind="course", status="new", unit_id=pl,
                                     created_at=now, updated_at=now))
                    model.case_open = True
                else:
                    await erase_contact_data(session, contact, now)
                    model.case_open = False
                    model.topics, model.unit = ([], None) if model.stopped else (None, None)
            async with app.db.session() as session:
                who = await audience(session, [pl], "training")
            assert (contact_id in who.contact_ids) == model.reached(pl), (user, op, model)


@pytest.mark.parametrize("undo", ["nhan lai", "thoi nhan lai di", "bat lai"])
async def test_a_stop_is_undone_in_the_words_people_type(
    app: App, clock: Clock, undo: str
) -> None:
    """Under "Đã dừng …", "nhan lai" was the return-home FAQ (ký quỹ "nhận lại") and "thoi
    nhan lai di" a "which topic?"; only the exact «nhận lại thông báo» undid the stop."""
    pl = await unit_id(app, "Phù Lưu")
    await person(app, "u", clock.now(), unit=pl, topics=["training"], channel="zalo")
    assert intents(await say(app, "u", "dung nhan tin", channel=Channel.ZALO)) == [
        "flow:subscribe.stop"
    ]
    lines = await say(app, "u", undo, channel=Channel.ZALO)
    assert intents(lines) == ["flow:subscribe.resume"], lines
    async with app.db.session() as session:
        who = await audience(session, [pl], "training")
    assert len(who.contact_ids) == 1
