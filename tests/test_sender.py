"""The outbox sender against the fake Bot API server, through the real PTB client."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.app import App
from bot.channels.telegram import build_application
from bot.channels.telegram_transport import TelegramTransport
from bot.delivery import TransientError
from bot.pacer import Slot
from bot.rate_limits import TELEGRAM_LIMITS, ChannelLimits
from bot.render import Rendered, render
from bot.sender import Sender
from handlers.types import Button, Channel, Reply, reply_to_payload
from storage.db import Database
from storage.models import Contact, OutboxMessage, utcnow
from storage.outreach_repo import BULK
from storage.repositories import get_or_create_contact, record_outbox
from tests.fake_telegram import FakeTelegram
from tests.telegram_harness import until
from tests.virtual_timer import VirtualTimer

FAST = ChannelLimits(
    overall_per_second=200.0,
    private_per_second=50.0,
    private_burst=5,
    group_per_minute=600.0,
    backoff_base=0.05,
    backoff_max=0.2,
)


@pytest.fixture
def timer() -> VirtualTimer:
    """The pacing clock of the sender and the fake server's limits: no test here waits on the
    wall clock for pacing, so a busy machine cannot make one fail."""
    return VirtualTimer()


@pytest.fixture
async def fake(timer: VirtualTimer) -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram(private_burst=100, private_rate=100.0, clock=timer.now)
    await server.start()
    yield server
    await server.close()


@pytest.fixture(autouse=True)
def _virtual_pacing(timer: VirtualTimer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every Sender built in these tests paces on the virtual timer unless told otherwise."""
    original = Sender.__init__

    def init(self: Sender, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("timer", timer)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Sender, "__init__", init)


async def enqueue(app: App, chat_id: int, text: str, **kw: Any) -> int:
    reply = kw.pop("reply", None) or Reply(text)
    async with app.db.transaction() as session:
        contact = None
        if chat_id > 0:
            contact = await get_or_create_contact(session, "telegram", str(chat_id), "", utcnow())
        row = record_outbox(
            session,
            channel="telegram",
            chat_id=str(chat_id),
            payload=reply_to_payload(reply),
            now=utcnow(),
            contact_id=contact.id if contact else None,
            is_group=chat_id < 0,
        )
        await session.flush()
        return row.id


async def rows(app: App) -> list[OutboxMessage]:
    async with app.db.session() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def deliver(app: App, transport: TelegramTransport, limits: ChannelLimits = FAST) -> Sender:
    sender = Sender(app.db, transport, limits, poll_interval=0.1)
    task = asyncio.create_task(sender.run())
    try:
        await sender.drain(within=30)
    finally:
        await sender.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return sender


async def test_messages_of_a_chat_arrive_in_order_with_their_buttons(
    app: App, fake: FakeTelegram, transport: TelegramTransport
) -> None:
    for i in range(5):
        await enqueue(app, 11, f"tin {i}")
    await enqueue(app, 11, "chọn", reply=Reply("chọn", [[Button("menu:register", "Đăng ký")]]))
    await deliver(app, transport)
    assert fake.texts_to(11) == [f"tin {i}" for i in range(5)] + ["chọn"]
    assert fake.sent[-1].buttons == [[("menu:register", "Đăng ký")]]
    assert {r.status for r in await rows(app)} == {"sent"}


async def test_long_reply_resumes_after_the_parts_already_sent(
    app: App, fake: FakeTelegram, transport: TelegramTransport
) -> None:
    long_text = "\n\n".join(f"Đoạn {i}: " + "chữ " * 400 for i in range(6))
    row_id = await enqueue(app, 12, long_text)
    async with app.db.transaction() as session:
        row = await session.get(OutboxMessage, row_id)
        assert row is not None
        row.parts_sent = 1  # as if the process died right after the first part was accepted
    await deliver(app, transport)
    parts = [p.text for p in render(Reply(long_text), Channel.TELEGRAM)]
    assert len(parts) >= 3
    assert fake.texts_to(12) == parts[1:]
    (row,) = await rows(app)
    assert row.status == "sent" and row.parts_sent == len(parts)


async def test_a_429_storm_delivers_everything_exactly_once(
    app: App, transport: TelegramTransport, timer: VirtualTimer
) -> None:
    strict = FakeTelegram(overall_per_second=8, clock=timer.now)
    await strict.start()
    application = build_application(strict.token, strict.url)
    await application.initialize()
    try:
        tight = TelegramTransport(application.bot, app.files)
        expected = [f"thông báo {i}" for i in range(30)]
        for i, text in enumerate(expected):
            await enqueue(app, 100 + i, text)
        await deliver(app, tight, FAST)
        assert strict.rate_limited > 0
        assert sorted(s.text for s in strict.sent) == sorted(expected)
    finally:
        await application.shutdown()
        await strict.close()


async def test_a_5xx_storm_and_timeouts_deliver_everything_exactly_once(
    app: App, fake: FakeTelegram
) -> None:
    # A hung request is given up after 4 s; a normal one never takes that, even on a machine so
    # busy that one took over 1 s (then sent twice: a timed-out send's fate is unknown, so it is
    # sent again, which is right for the bot and wrong for this test's count).
    fake.hang_seconds = 8.0
    fake.fail("timeout", 2)
    fake.storm("5xx", 0.4)
    expected = [f"tin {i}" for i in range(25)]
    for i, text in enumerate(expected):
        await enqueue(app, 200 + i % 5, text)
    application = build_application(fake.token, fake.url, read_timeout=4.0)
    await application.initialize()
    try:
        await deliver(app, TelegramTransport(application.bot, app.files))
    finally:
        await application.shutdown()
    assert fake.failed > 5
    assert sorted(s.text for s in fake.sent) == sorted(expected)
    for chat in range(200, 205):  # per-chat order survives the retries
        assert fake.texts_to(chat) == [t for i, t in enumerate(expected) if i % 5 == chat - 200]
    assert max(r.attempts for r in await rows(app)) >= 1


async def test_a_blocked_user_is_marked_unreachable_and_not_written_to_again(
    app: App, fake: FakeTelegram, transport: TelegramTransport
) -> None:
    fake.blocked.add(31)
    for i in range(3):
        await enqueue(app, 31, f"tin {i}")
    await enqueue(app, 32, "người khác")
    await deliver(app, transport)
    statuses = {(r.chat_id, r.status) for r in await rows(app)}
    assert statuses == {("31", "dropped"), ("32", "sent")}
    async with app.db.session() as session:
        contact = await session.scalar(select(Contact).where(Contact.platform_user_id == "31"))
    assert contact is not None and contact.unreachable_at is not None
    calls_before = len(fake.calls)
    await enqueue(app, 31, "tin sau")
    await deliver(app, transport)
    assert len(fake.calls) == calls_before  # dropped without asking Telegram again
    assert fake.texts_to(31) == []


async def test_a_refused_message_is_failed_with_the_reason_and_the_next_goes_on(
    app: App, fake: FakeTelegram, transport: TelegramTransport
) -> None:
    fake.fail("bad_request")
    await enqueue(app, 41, "quá dài")
    await enqueue(app, 41, "tin tiếp")
    await deliver(app, transport)
    first, second = await rows(app)
    assert first.status == "failed" and "too long" in (first.last_error or "")
    assert second.status == "sent"
    assert fake.texts_to(41) == ["tin tiếp"]


async def test_a_button_id_over_64_bytes_is_refused_before_sending(
    app: App, fake: FakeTelegram, transport: TelegramTransport
) -> None:
    reply = Reply("chọn", [[Button("x" * 65, "Quá dài")]])
    await enqueue(app, 42, "", reply=reply)
    await deliver(app, transport)
    (row,) = await rows(app)
    assert row.status == "failed" and "64" in (row.last_error or "")
    assert fake.sent == []


async def test_group_messages_keep_the_group_pace(
    app: App, fake: FakeTelegram, transport: TelegramTransport
) -> None:
    limits = ChannelLimits(overall_per_second=100.0, group_per_minute=240.0)  # one per 0.25 s
    for i in range(5):
        await enqueue(app, -500, f"nhóm {i}")
    await deliver(app, transport, limits)
    times = [s.at for s in fake.sent]
    assert fake.texts_to(-500) == [f"nhóm {i}" for i in range(5)]
    assert times[-1] - times[0] >= 0.9


class CutAfter:
    """A transport whose connection is cut after ``n`` sends: later ones wait for the cut,
    then fail without reaching the platform (what a process stopped mid-broadcast leaves)."""

    channel = Channel.TELEGRAM

    def __init__(self, inner: TelegramTransport, n: int) -> None:
        self.inner, self.n, self.started = inner, n, 0
        self.reached, self.cut = asyncio.Event(), asyncio.Event()

    async def send(self, chat_id: str, message: Rendered, *, is_group: bool = False) -> str:
        if self.started >= self.n:
            self.reached.set()
            await self.cut.wait()
            raise TransientError("connection lost")
        self.started += 1
        return await self.inner.send(chat_id, message, is_group=is_group)


async def test_restart_in_the_middle_of_a_broadcast_sends_each_message_once(
    app: App, fake: FakeTelegram, transport: TelegramTransport
) -> None:
    expected = [f"thông báo {i}" for i in range(60)]
    for i, text in enumerate(expected):
        await enqueue(app, 1000 + i, text)
    limits = ChannelLimits(
        overall_per_second=40.0, private_per_second=1.0, private_burst=2, backoff_base=0.05
    )
    cut = CutAfter(transport, 20)
    first = Sender(app.db, cut, limits, poll_interval=0.1)
    task = asyncio.create_task(first.run())
    await asyncio.wait_for(cut.reached.wait(), 30)
    stopping = asyncio.create_task(first.stop())  # sends in flight finish and are recorded
    await asyncio.sleep(0)
    cut.cut.set()
    await stopping
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert len(fake.sent) == 20
    await deliver(app, transport, limits)
    assert sorted(s.text for s in fake.sent) == sorted(expected)
    assert {r.status for r in await rows(app)} == {"sent"}


async def test_a_broadcast_at_the_real_limit_earns_no_429(
    app: App, fake: FakeTelegram, transport: TelegramTransport
) -> None:
    # The production overall limit against the server's 30 in any one-second window.
    assert fake.overall_per_second == 30
    expected = [f"thông báo {i}" for i in range(75)]
    for i, text in enumerate(expected):
        await enqueue(app, 3000 + i, text)
    await deliver(app, transport, ChannelLimits(overall_per_second=30.0, private_per_second=1.0))
    assert fake.rate_limited == 0
    assert sorted(s.text for s in fake.sent) == sorted(expected)
    times = [s.at for s in fake.sent]
    assert all(b - a >= 1.0 for a, b in zip(times, times[30:], strict=False))


class Counting:
    """A transport that counts what went through it."""

    channel = Channel.TELEGRAM

    def __init__(self, inner: TelegramTransport, signal_at: int = 0) -> None:
        self.inner, self.sends, self.signal_at = inner, 0, signal_at
        self.reached = asyncio.Event()

    async def send(self, chat_id: str, message: Rendered, *, is_group: bool = False) -> str:
        self.sends += 1
        try:
            return await self.inner.send(chat_id, message, is_group=is_group)
        finally:
            # Whatever that send's fate (a timeout on a busy machine is retried): the signal
            # must not be missed, or the test waits for it in vain.
            if self.signal_at and self.sends >= self.signal_at:
                self.reached.set()


async def two_senders_drain(
    app: App, transport: TelegramTransport
) -> tuple[list[Sender], list[Counting]]:
    """Two sender processes drain the outbox side by side; returns them and their transports."""
    # A second process: its own engine and connection pool on the same database.
    other = Database(app.settings.database_url)
    counted = [Counting(transport), Counting(transport)]
    senders = [
        Sender(app.db, counted[0], FAST, poll_interval=0.05),
        Sender(other, counted[1], FAST, poll_interval=0.05),
    ]
    tasks = [asyncio.create_task(s.run()) for s in senders]
    try:
        await senders[0].drain(within=30)
    finally:
        for sender in senders:
            await sender.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
        await other.dispose()
    return senders, counted


async def test_two_sender_processes_on_postgresql_send_each_message_once_in_order(
    app: App, backend: str, fake: FakeTelegram, transport: TelegramTransport
) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite serves one process: there is no second sender to race")
    expected = {chat: [f"tin {chat}-{n}" for n in range(4)] for chat in range(4000, 4015)}
    for n in range(4):
        for chat, texts in expected.items():
            await enqueue(app, chat, texts[n])
    _, counted = await two_senders_drain(app, transport)
    for chat, texts in expected.items():
        assert fake.texts_to(chat) == texts
    assert len(fake.sent) == sum(len(texts) for texts in expected.values())
    assert all(c.sends > 0 for c in counted)  # both really worked, on different chats or rows


async def test_two_postgresql_senders_share_announcements_a_batch_at_a_time_each_once(
    app: App, backend: str, fake: FakeTelegram, transport: TelegramTransport
) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite serves one process, and records its sends in the turns' batches")
    expected = {chat: f"thông báo {chat}" for chat in range(6000, 6060)}
    ids = [await enqueue(app, chat, text) for chat, text in expected.items()]
    async with app.db.transaction() as session:
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(priority=BULK)
        )
    fake.blocked.add(6007)
    fake.fail("5xx", times=3)  # three parts of batches fail, and only they are retried
    senders, _ = await two_senders_drain(app, transport)
    delivered = sorted(s.text for s in fake.sent)
    assert delivered == sorted(text for chat, text in expected.items() if chat != 6007)
    statuses = {r.chat_id: r.status for r in await rows(app)}
    assert statuses.pop("6007") == "dropped"
    assert set(statuses.values()) == {"sent"}
    claims = [s.delivery.bulk for s in senders]
    assert all(c is not None and c.parts > 0 for c in claims)  # both really worked
    parts = sum(c.parts for c in claims if c is not None)
    batches = sum(c.batches for c in claims if c is not None)
    assert parts == len(delivered)
    assert batches * 2 <= parts  # shared transactions, not one per announcement


async def test_a_reply_during_a_broadcast_overtakes_it_without_a_429(
    app: App, fake: FakeTelegram, transport: TelegramTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 120 announcements (outbox priority 1) at Telegram's real limit; a person writes when a
    # third of them are out.
    for i in range(120):
        row_id = await enqueue(app, 5000 + i, f"thông báo {i}")
        async with app.db.transaction() as session:
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row_id).values(priority=BULK)
            )
    counting = Counting(transport, signal_at=40)
    sender = Sender(app.db, counting, TELEGRAM_LIMITS, poll_interval=0.1)
    slots: list[tuple[str, str]] = []
    acquire = sender._limiter.acquire

    coming, reply_asked = asyncio.Event(), asyncio.Event()

    async def logged(chat_id: str, *, is_group: bool, bulk: bool = False) -> Slot:
        slots.append(("asks", chat_id))
        if chat_id == "77":
            reply_asked.set()
        elif coming.is_set() and not reply_asked.is_set():
            # The reply's database work (written, looked up, read) takes real time, while the
            # virtual clock runs on at the announcements' pace: on a loaded machine all 80
            # could go out meanwhile. Announcements not yet asking wait (a bounded real time)
            # for the reply to ask, so the order shows the sender's choice, not the machine's
            # speed; a reply never started still comes last.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(reply_asked.wait(), 10)
        slot = await acquire(chat_id, is_group=is_group, bulk=bulk)
        slots.append(("gets", chat_id))
        return slot

    monkeypatch.setattr(sender._limiter, "acquire", logged)
    task = asyncio.create_task(sender.run())
    try:
        await asyncio.wait_for(counting.reached.wait(), 60)
        coming.set()
        await enqueue(app, 77, "trả lời")
        sender.notify()
        await sender.drain(within=60)
    finally:
        await sender.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert fake.rate_limited == 0
    order = [s.text for s in fake.sent]
    assert sorted(order) == sorted([f"thông báo {i}" for i in range(120)] + ["trả lời"])
    assert order.index("trả lời") < 100  # not after the announcements queued before it
    # From the moment the reply asks for its place, no announcement gets one before it: the
    # reply takes the place the broadcast leaves, or the next one that frees. (How many
    # announcements go out while the reply's row is read depends on the machine: the virtual
    # clock moves with their pace, not with the reply's database work.)
    asked, got = slots.index(("asks", "77")), slots.index(("gets", "77"))
    assert [chat for what, chat in slots[asked:got] if what == "gets"] == []


async def test_a_worker_that_keeps_failing_is_restarted_after_a_doubling_pause(
    app: App, fake: FakeTelegram, transport: TelegramTransport, monkeypatch: pytest.MonkeyPatch,
) -> None:
    attempts: list[datetime] = []
    now: list[datetime] = []
    original = Sender._next_row

    async def next_row(self: Sender, chat_id: str) -> Any:
        if chat_id == "21":
            attempts.append(now[0])
            raise RuntimeError("the outbox row cannot be read")
        return await original(self, chat_id)

    monkeypatch.setattr(Sender, "_next_row", next_row)
    await enqueue(app, 21, "hỏng")
    await enqueue(app, 22, "tin thường")
    now.append(utcnow())
    sender = Sender(app.db, transport, FAST, clock=lambda: now[0], poll_interval=0.01)
    task = asyncio.create_task(sender.run())
    try:
        # Waited for, not slept for: on a loaded machine the first delivery may take a while.
        await until(lambda: fake.texts_to(22) == ["tin thường"])
        await asyncio.sleep(0.3)  # ~30 polls: the failing chat is not started again meanwhile
        assert len(attempts) == 1
        for pause, tries in ((0.5, 2), (1.0, 3)):
            now[0] += timedelta(seconds=pause)  # the clock moves past the pause: once more
            await until(lambda tries=tries: len(attempts) >= tries)
            await asyncio.sleep(0.1)
            assert len(attempts) == tries
    finally:
        await sender.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
