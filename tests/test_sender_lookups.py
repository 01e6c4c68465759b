"""When the sender looks through the outbox. A person's reply is started by the engine's commit,
which names the chat, not by an outbox-wide lookup; a broadcast is looked up a batch of chats at
a time, their rows read together (and read again when a commit names the chat meanwhile).
(A lookup used to run each time a chat's worker ended,
about 30 times a second during a broadcast, in front of the replies: bench.broadcast.)"""

# ruff: noqa: F811  (the fixtures of tests/test_sender.py, imported, are the tests' arguments)

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from contextlib import AsyncExitStack
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.app import App
from bot.channels.telegram_transport import TelegramTransport
from bot.inbound import text_event
from bot.rate_limits import TELEGRAM_LIMITS
from bot.runtime import Runtime
from bot.sender import Sender
from handlers.types import Channel
from storage.models import OutboxMessage
from storage.outreach_repo import BULK
from tests.fake_telegram import FakeTelegram
from tests.test_sender import (  # noqa: F401
    FAST,
    _virtual_pacing,
    enqueue,
    fake,
    timer,
)


async def _announcements(app: App, chats: range) -> None:
    for chat in chats:
        row_id = await enqueue(app, chat, f"thông báo {chat}")
        async with app.db.transaction() as session:
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row_id).values(priority=BULK)
            )


async def _until(condition: Callable[[], object], within: float = 30.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.01)


def _count_lookups(monkeypatch: pytest.MonkeyPatch, *, hang_after: int = 0) -> list[int]:
    """Counts the sender's outbox-wide lookups; with ``hang_after``, the later ones never end
    (the database busy, the loop slow): what still goes out does not wait for a lookup."""
    calls = [0]
    never = asyncio.Event()
    original = Sender._due_chats

    async def due_chats(self: Sender, wanted: int) -> Any:
        calls[0] += 1
        if hang_after and calls[0] > hang_after:
            await never.wait()
        return await original(self, wanted)

    monkeypatch.setattr(Sender, "_due_chats", due_chats)
    return calls


async def _stopped(sender: Sender, task: asyncio.Task[None]) -> None:
    task.cancel()  # the run loop may be inside a lookup that never ends
    await asyncio.gather(task, return_exceptions=True)
    await sender.stop()


async def test_a_reply_during_a_broadcast_goes_out_while_the_outbox_lookup_hangs(
    app: App, fake: FakeTelegram, transport: TelegramTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _announcements(app, range(5000, 5040))
    lookups = _count_lookups(monkeypatch, hang_after=1)
    sender = Sender(app.db, transport, TELEGRAM_LIMITS, poll_interval=0.05)
    app.engine.on_commit = sender.notify
    task = asyncio.create_task(sender.run())
    try:
        await _until(lambda: lookups[0] == 2 and fake.sent)  # the broadcast runs, lookup hangs
        await app.engine.handle(text_event(Channel.TELEGRAM, "77", "menu"))
        await _until(lambda: fake.texts_to(77))
    finally:
        await _stopped(sender, task)
    assert lookups[0] == 2


async def test_a_broadcast_is_looked_up_a_batch_at_a_time_and_each_recipient_read_once(
    app: App, fake: FakeTelegram, transport: TelegramTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    chats = range(6000, 6120)
    await _announcements(app, chats)
    lookups = _count_lookups(monkeypatch)
    reads: Counter[str] = Counter()
    original = Sender._next_row

    async def next_row(self: Sender, chat_id: str) -> Any:
        reads[chat_id] += 1
        return await original(self, chat_id)

    monkeypatch.setattr(Sender, "_next_row", next_row)
    sender = Sender(app.db, transport, TELEGRAM_LIMITS, poll_interval=60.0)  # no poll meanwhile
    task = asyncio.create_task(sender.run())
    try:
        await _until(lambda: len(fake.sent) >= len(chats))
    finally:
        await _stopped(sender, task)
    assert sorted(s.text for s in fake.sent) == sorted(f"thông báo {c}" for c in chats)
    # Each recipient's row is read with its batch: no read of its own (there was one per
    # recipient), nor a second one finding nothing more.
    assert not reads
    # About one lookup per batch of chats, not one per chat.
    assert lookups[0] <= len(chats) // 10, lookups


async def test_a_chat_served_between_the_lookups_two_reads_is_not_started_to_read_nothing(
    app: App, fake: FakeTelegram, transport: TelegramTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On SQLite the lookup's first read may see a snapshot older than a worker's record, and
    # that worker may be gone by the time the lookup looks at who is busy: the chat comes back
    # as due, and its rows' read finds nothing. It is not started (it read its row once, alone,
    # under load: a flaky count in the test above). Here the first read names a served chat.
    await _announcements(app, range(6200, 6210))
    reads: Counter[str] = Counter()
    original_due, original_next = Sender._due_chats, Sender._next_row

    async def due_chats(self: Sender, wanted: int) -> Any:
        urgent, bulk = await original_due(self, wanted)
        return urgent, [*bulk, "6299"] if bulk else bulk

    async def next_row(self: Sender, chat_id: str) -> Any:
        reads[chat_id] += 1
        return await original_next(self, chat_id)

    monkeypatch.setattr(Sender, "_due_chats", due_chats)
    monkeypatch.setattr(Sender, "_next_row", next_row)
    sender = Sender(app.db, transport, TELEGRAM_LIMITS, poll_interval=60.0)
    task = asyncio.create_task(sender.run())
    try:
        await _until(lambda: len(fake.sent) >= 10)
    finally:
        await _stopped(sender, task)
    assert sorted(s.text for s in fake.sent) == sorted(f"thông báo {c}" for c in range(6200, 6210))
    assert not reads


async def test_a_reply_committed_as_its_chats_worker_ends_is_sent_without_a_lookup(
    app: App, fake: FakeTelegram, transport: TelegramTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The chat's worker has read that nothing more is pending when the engine commits a new
    # row for it and names the chat: the chat starts again as that worker ends.
    await enqueue(app, 31, "tin 1")
    lookups = _count_lookups(monkeypatch, hang_after=1)  # only the first lookup ends
    original = Sender._next_row
    committed: list[int] = []

    async def next_row(self: Sender, chat_id: str) -> Any:
        found = await original(self, chat_id)
        if chat_id == "31" and found is None and not committed:
            committed.append(await enqueue(app, 31, "tin 2"))
            self.notify([("telegram", "31")])
        return found

    monkeypatch.setattr(Sender, "_next_row", next_row)
    sender = Sender(app.db, transport, FAST, poll_interval=0.05)
    task = asyncio.create_task(sender.run())
    try:
        await _until(lambda: len(fake.texts_to(31)) == 2)
    finally:
        await _stopped(sender, task)
    assert fake.texts_to(31) == ["tin 1", "tin 2"]  # though every lookup after the first hangs
    assert lookups[0] >= 1


async def test_with_the_engines_group_commit_sends_are_recorded_in_its_transactions(
    app: App, fake: FakeTelegram, transport: TelegramTransport
) -> None:
    # SQLite: what was sent is recorded in the turns' shared transactions, not in one
    # transaction per send holding the single write lock in front of people's turns; and the
    # parts sent meanwhile share one unit of work (one statement), not one unit per send.
    for i in range(20):
        await enqueue(app, 7000 + i, f"tin {i}")
    units = app.engine.batch.units
    sender = Sender(app.db, transport, FAST, poll_interval=0.05, batch=app.engine.batch)
    task = asyncio.create_task(sender.run())
    try:
        await sender.drain(within=30)
    finally:
        await _stopped(sender, task)
    assert sorted(s.text for s in fake.sent) == sorted(f"tin {i}" for i in range(20))
    async with app.db.session() as session:
        statuses = list(await session.scalars(select(OutboxMessage.status)))
    assert statuses == ["sent"] * 20
    if app.db.is_sqlite:
        assert 0 < app.engine.batch.units - units < 20


async def test_the_senders_reads_do_not_wait_for_a_writer(
    app: App, transport: TelegramTransport
) -> None:
    # Every read used to BEGIN IMMEDIATE, i.e. take SQLite's single write lock: a reply's read
    # of its row waited for whatever group commit or broadcast batch was being written, then
    # held the turns up in turn (bench.broadcast: most of the replies' slowest sends). The
    # sender's reads now read a snapshot beside the writer (storage.db: Database.reader()),
    # as PostgreSQL's always did.
    await enqueue(app, 42, "trả lời")
    sender = Sender(app.db, transport, TELEGRAM_LIMITS)
    async with app.db.transaction() as session:  # a writer holds the lock meanwhile
        await session.execute(update(OutboxMessage).values(attempts=0))
        found = await asyncio.wait_for(sender._next_row("42"), 5)
        urgent, _bulk = await asyncio.wait_for(sender._due_chats(8), 5)
    assert found is not None and found[0].chat_id == "42" and not found[1]
    assert urgent == ["42"]


async def _announcement(app: App, chat: int) -> int:
    """An announcement queued for ``chat``; returns its row id."""
    row_id = await enqueue(app, chat, "thông báo lớp may")
    async with app.db.transaction() as session:
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id == row_id).values(priority=BULK)
        )
    return row_id


async def _status(app: App, row_id: int) -> str:
    async with app.db.reader() as session:
        found = await session.scalar(
            select(OutboxMessage.status).where(OutboxMessage.id == row_id)
        )
    return str(found)


async def test_a_stop_said_while_the_announcement_waits_for_its_place_is_honoured(
    app: App, fake: FakeTelegram, transport: TelegramTransport, backend: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The announcement was read and waits for its rate slot when the person says stop (which
    # cancels it): it is read again before anything is sent, and never goes out. (It used to
    # be sent as read.)
    if backend != "sqlite":
        pytest.skip("PostgreSQL locks the row before it takes the slot: a stop waits for it")
    row_id = await _announcement(app, 88)
    sender = Sender(app.db, transport, TELEGRAM_LIMITS, poll_interval=0.05)
    app.engine.on_commit = sender.notify
    waiting, go = asyncio.Event(), asyncio.Event()
    acquire = sender._limiter.acquire

    async def held(chat_id: str, *, is_group: bool, bulk: bool = False) -> Any:
        if chat_id == "88" and bulk:
            waiting.set()
            await go.wait()
        return await acquire(chat_id, is_group=is_group, bulk=bulk)

    monkeypatch.setattr(sender._limiter, "acquire", held)
    task = asyncio.create_task(sender.run())
    try:
        await asyncio.wait_for(waiting.wait(), 30)
        await app.engine.handle(text_event(Channel.TELEGRAM, "88", "dừng nhận tin"))
        go.set()
        await sender.drain(within=30)
    finally:
        await _stopped(sender, task)
    assert await _status(app, row_id) == "cancelled"
    texts = fake.texts_to(88)
    assert "thông báo lớp may" not in texts
    assert len(texts) == 1 and "không nhận thông báo" in texts[0]


async def test_a_row_read_with_the_batch_is_not_used_once_its_chat_was_named(
    app: App, fake: FakeTelegram, transport: TelegramTransport
) -> None:
    # The lookup reads the next rows of its batch of chats together; a chat named by a commit
    # (here the person's stop) before its worker starts is read again, not sent as read.
    row_id = await _announcement(app, 89)
    await _announcements(app, range(6500, 6503))
    sender = Sender(app.db, transport, TELEGRAM_LIMITS, max_bulk_workers=0)  # none starts
    app.engine.on_commit = sender.notify
    try:
        await sender._start_due_chats()
        assert set(sender._prefetched) == {"89", "6500", "6501", "6502"}
        await app.engine.handle(text_event(Channel.TELEGRAM, "89", "dừng nhận tin"))
        assert "89" not in sender._prefetched
        sender.max_bulk_workers = 16
        sender._start_backlog()
        await sender.drain(within=30)
    finally:
        await sender.stop()
    assert await _status(app, row_id) == "cancelled"
    assert fake.texts_to(89) and "thông báo lớp may" not in fake.texts_to(89)
    assert all(fake.texts_to(chat) == [f"thông báo {chat}"] for chat in range(6500, 6503))


async def test_a_chat_named_while_the_batch_is_read_is_read_again(
    app: App, transport: TelegramTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A commit naming a chat while its row is being read with the batch (its worker may send
    # or the person cancel that row meanwhile): the row as read is not kept for later.
    await _announcements(app, range(6600, 6603))
    sender = Sender(app.db, transport, TELEGRAM_LIMITS, max_bulk_workers=0)
    original = sender.rows.oldest_rows

    async def read(chat_ids: Any) -> Any:
        found = await original(chat_ids)
        sender.notify([("telegram", "6601")])
        return found

    monkeypatch.setattr(sender.rows, "oldest_rows", read)
    try:
        await sender._start_due_chats()
        assert set(sender._prefetched) == {"6600", "6602"}
    finally:
        await sender.stop()


async def test_a_message_announces_its_reply_to_the_sender_and_a_turn_without_one_withdraws(
    app: App, transport: TelegramTransport
) -> None:
    # ``python -m bot run`` wires the engine's arrivals to the senders (bot/runtime.py): the
    # pacer holds a place for the reply from the moment the message arrives (bot/pacer.py).
    sender = Sender(app.db, transport, TELEGRAM_LIMITS, poll_interval=60.0)
    rt = Runtime(settings=app.settings, webhook=False, stack=AsyncExitStack())
    rt.senders.append(sender)
    app.engine.on_arrival = rt.expect_reply
    pacer = sender._limiter._overall
    seen: list[int] = []
    handle = app.engine.router.route

    async def route(event: Any, ctx: Any) -> None:
        seen.append(pacer._live_expected(pacer.timer.now()))
        await handle(event, ctx)

    app.engine.router.route = route  # type: ignore[method-assign]
    await app.engine.handle(text_event(Channel.TELEGRAM, "91", "menu", update_id="u1"))
    assert seen == [1]  # announced during the turn ...
    assert pacer._live_expected(pacer.timer.now()) == 1  # ... and kept until the reply is sent
    (await sender._limiter.acquire("91", is_group=False)).release()
    assert pacer._live_expected(pacer.timer.now()) == 0
    # The same update again writes nothing: its notice is withdrawn at the end of the turn.
    await app.engine.handle(text_event(Channel.TELEGRAM, "91", "menu", update_id="u1"))
    assert pacer._live_expected(pacer.timer.now()) == 0
    # A message on another channel leaves this sender's pace alone.
    await app.engine.handle(text_event(Channel.ZALO, "91", "menu"))
    assert pacer._live_expected(pacer.timer.now()) == 0
