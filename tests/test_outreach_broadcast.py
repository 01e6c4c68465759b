"""Broadcast delivery: batches into the outbox, stop mid-broadcast, restart, two dispatchers,
quiet hours, repeated refusals, cancel, and a broadcast created by another process."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import cli
from bot.app import App
from bot.settings import Settings
from handlers.outreach.rules import RuleError, check_time
from handlers.types import Channel
from scheduler.broadcasts import Dispatcher, DispatchPolicy, dispatch_once
from storage.db import Database
from storage.models import Broadcast, OutboxMessage, utcnow
from storage.outreach_repo import (
    BULK,
    Audience,
    audience,
    broadcast_report,
    cancel_broadcast,
    create_broadcast,
)
from tests.helpers import Clock, say, texts
from tests.outreach_support import person, unit_id

TG = Channel.TELEGRAM
ZONE_POLICY = DispatchPolicy(Settings().zone)


def policy(window: int = 240, max_refusals: int = 20) -> DispatchPolicy:
    return DispatchPolicy(ZONE_POLICY.zone, window=window, max_refusals=max_refusals)


async def _people(app: App, clock: Clock, n: int, channel: str = "telegram") -> list[int]:
    pl = await unit_id(app, "Phù Lưu")
    return [
        await person(app, f"p{i}", clock.now(), unit=pl, topics=["training"], channel=channel)
        for i in range(n)
    ]


async def _broadcast(app: App, clock: Clock, **kw: object) -> int:
    pl = await unit_id(app, "Phù Lưu")
    async with app.db.transaction() as session:
        b = await create_broadcast(
            session,
            unit_ids=[pl],
            interest="training",
            text="Lớp may khai giảng 10/12.",
            send_at=kw.pop("send_at", clock.now()),  # type: ignore[arg-type]
            now=clock.now(),
        )
        return b.id


async def _bulk_rows(app: App) -> list[OutboxMessage]:
    async with app.db.session() as session:
        return list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.priority == BULK)
                .order_by(OutboxMessage.id)
            )
        )


async def _send_all_pending(app: App) -> None:
    """What a sender does with the queued rows, without a platform."""
    async with app.db.transaction() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.priority == BULK, OutboxMessage.status == "pending")
            .values(status="sent")
        )


async def _report(app: App, broadcast_id: int) -> dict[str, object]:
    async with app.db.session() as session:
        b = await session.get(Broadcast, broadcast_id)
        assert b is not None
        return await broadcast_report(session, b)


async def _send_some_pending(app: App, n: int) -> None:
    async with app.db.transaction() as session:
        ids = list(await session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.priority == BULK, OutboxMessage.status == "pending")
            .order_by(OutboxMessage.id).limit(n)))
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(status="sent"))


async def test_a_window_is_refilled_a_full_batch_at_a_time(app: App, clock: Clock) -> None:
    """A pass queues only once the window has room for a whole batch (or for all that is
    left): each pass that queues costs the event loop the same whatever its size."""
    await _people(app, clock, 10)
    bid = await _broadcast(app, clock)
    assert await dispatch_once(app.db, policy(window=4), clock.now()) == 4
    await _send_some_pending(app, 2)
    assert await dispatch_once(app.db, policy(window=4), clock.now()) == 0  # room for 2 of 4
    await _send_some_pending(app, 2)
    assert await dispatch_once(app.db, policy(window=4), clock.now()) == 4
    await _send_all_pending(app)
    assert await dispatch_once(app.db, policy(window=4), clock.now()) == 2  # the last two
    await _send_all_pending(app)
    assert (await _report(app, bid))["status"] == "done"
    assert len(await _bulk_rows(app)) == 10


async def test_batches_stop_line_and_report(app: App, clock: Clock) -> None:
    people = await _people(app, clock, 5)
    bid = await _broadcast(app, clock)
    assert await dispatch_once(app.db, policy(window=2), clock.now()) == 2
    # The window is full until the sender drains it.
    assert await dispatch_once(app.db, policy(window=2), clock.now()) == 0
    await _send_all_pending(app)
    assert await dispatch_once(app.db, policy(window=2), clock.now()) == 2
    await _send_all_pending(app)
    assert await dispatch_once(app.db, policy(window=2), clock.now()) == 1
    rows = await _bulk_rows(app)
    assert sorted(r.contact_id for r in rows if r.contact_id) == sorted(people)
    assert all("dừng nhận tin" in r.payload["text"] for r in rows)
    report = await _report(app, bid)
    assert report["status"] == "done"
    assert (report["recipients"], report["queued"], report["sent"], report["pending"]) == (
        5,
        5,
        4,
        1,
    )


async def test_stop_mid_broadcast(app: App, clock: Clock) -> None:
    await _people(app, clock, 4)
    bid = await _broadcast(app, clock)
    await dispatch_once(app.db, policy(window=2), clock.now())  # p0, p1 queued
    # p0's announcement is queued but unsent; p3's not queued yet: both say stop.
    assert "không nhận thông báo" in texts(await say(app, "p0", "dừng nhận tin", channel=TG))
    await say(app, "p3", "huy nhan thong bao", channel=TG)
    rows = await _bulk_rows(app)
    assert [r.status for r in rows] == ["cancelled", "pending"]
    await _send_all_pending(app)
    await dispatch_once(app.db, policy(window=2), clock.now())
    queued_for = {r.chat_id for r in await _bulk_rows(app)}
    assert queued_for == {"p0", "p1", "p2"}  # p3 never queued
    report = await _report(app, bid)
    assert (report["sent"], report["skipped"], report["pending"]) == (1, 2, 1)


async def test_restart_and_second_dispatcher_send_once(
    app: App, settings: Settings, clock: Clock
) -> None:
    people = await _people(app, clock, 30)
    await _broadcast(app, clock)
    await dispatch_once(app.db, policy(window=7), clock.now())
    # A "restart" and a second process: two fresh database handles, dispatching side by side.
    other = [Database(settings.database_url), Database(settings.database_url)]
    try:
        for _ in range(10):
            await _send_all_pending(app)
            await asyncio.gather(
                *(dispatch_once(db, policy(window=7), clock.now()) for db in other)
            )
    finally:
        for db in other:
            await db.dispose()
    per_contact = Counter(r.contact_id for r in await _bulk_rows(app))
    assert sorted(per_contact) == sorted(people)
    assert set(per_contact.values()) == {1}


async def test_quiet_hours(app: App, clock: Clock) -> None:
    await _people(app, clock, 2)
    clock.at = datetime(2026, 7, 10, 15, 30, tzinfo=UTC)  # 22:30 local
    await _broadcast(app, clock)
    assert await dispatch_once(app.db, policy(), clock.now()) == 0
    clock.advance(hours=9)  # 07:30 local
    assert await dispatch_once(app.db, policy(), clock.now()) == 2
    zone = ZONE_POLICY.zone
    with pytest.raises(RuleError, match="quiet"):
        check_time(datetime(2026, 7, 10, 22, 0, tzinfo=zone), clock.now(), zone, (21, 7))
    with pytest.raises(RuleError, match="past"):
        check_time(clock.now() - timedelta(hours=12), clock.now(), zone, (21, 7))
    later = check_time(datetime(2026, 7, 11, 9, 0, tzinfo=zone), clock.now(), zone, (21, 7))
    assert later.astimezone(UTC).hour == 2


async def test_scheduled_later_waits(app: App, clock: Clock) -> None:
    await _people(app, clock, 1)
    await _broadcast(app, clock, send_at=clock.now() + timedelta(hours=2))
    assert await dispatch_once(app.db, policy(), clock.now()) == 0
    clock.advance(hours=2)
    assert await dispatch_once(app.db, policy(), clock.now()) == 1


async def test_repeated_refusals_stop_the_broadcast(app: App, clock: Clock) -> None:
    await _people(app, clock, 8, channel="zalo")
    bid = await _broadcast(app, clock)
    await dispatch_once(app.db, policy(window=3, max_refusals=3), clock.now())
    async with app.db.transaction() as session:
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.priority == BULK).values(status="failed")
        )
    assert await dispatch_once(app.db, policy(window=3, max_refusals=3), clock.now()) == 0
    report = await _report(app, bid)
    assert report["status"] == "stopped"
    assert (report["failed"], report["skipped"], report["waiting"]) == (3, 5, 0)
    assert "từ chối 3 tin" in str(report["stop_reason"])


async def test_cancel(app: App, clock: Clock) -> None:
    await _people(app, clock, 4)
    bid = await _broadcast(app, clock)
    await dispatch_once(app.db, policy(window=2), clock.now())
    async with app.db.transaction() as session:
        b = await session.get(Broadcast, bid)
        assert b is not None
        await cancel_broadcast(session, b, clock.now())
    assert await dispatch_once(app.db, policy(window=2), clock.now()) == 0
    assert {r.status for r in await _bulk_rows(app)} == {"cancelled"}
    report = await _report(app, bid)
    assert (report["status"], report["skipped"], report["sent"]) == ("cancelled", 4, 0)


async def test_broadcast_from_another_process_is_picked_up(
    app: App, settings: Settings, clock: Clock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``python -m bot broadcast send`` (its own event loop and database handle, as another
    process has) while a dispatcher polls: the rows appear without anyone waking it."""
    await _people(app, clock, 3)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("FILES_DIR", str(tmp_path / "files"))
    woken: list[int] = []
    # The command stamps the real time: the dispatcher reads the real clock, no quiet hours.
    always = DispatchPolicy(ZONE_POLICY.zone, quiet_start=0, quiet_end=0)
    dispatcher = Dispatcher(
        app.db, always, clock=utcnow, poll_interval=0.05, on_commit=lambda: woken.append(1)
    )
    task = asyncio.create_task(dispatcher.run())
    try:
        code = await asyncio.to_thread(
            cli.main,
            [
                "broadcast",
                "send",
                "--unit",
                "Phù Lưu",
                "--interest",
                "training",
                "--text",
                "Lớp mới!",
                "--yes",
            ],
        )
        assert code == 0
        for _ in range(200):
            if len(await _bulk_rows(app)) == 3:
                break
            await asyncio.sleep(0.02)
    finally:
        dispatcher.stop()
        await task
    assert len(await _bulk_rows(app)) == 3 and woken
    # ``broadcast report`` without an id is the latest; an unknown id is said, exit status 2.
    capsys.readouterr()
    assert await asyncio.to_thread(cli.main, ["broadcast", "report", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["queued"] == 3 and {"id", "sent", "failed", "blocked", "skipped"} <= set(report)
    assert await asyncio.to_thread(cli.main, ["broadcast", "report", str(report["id"] + 1)]) != 0


async def test_a_start_writes_its_recipients_in_short_transactions(
    app: App, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One transaction for the whole audience held SQLite's single writer 360 ms for 3,000
    # recipients: every reply of that moment waited (bench.broadcast, the slowest replies).
    import scheduler.broadcasts as broadcasts
    from storage.models import BroadcastRecipient

    monkeypatch.setattr(broadcasts, "RECIPIENTS_PER_WRITE", 2)
    ids = await _people(app, clock, 5)
    b = await _broadcast(app, clock)
    opened = 0
    transaction = Database.transaction

    def counting(db: Database) -> AbstractAsyncContextManager[AsyncSession]:
        nonlocal opened
        opened += 1
        return transaction(db)

    monkeypatch.setattr(Database, "transaction", counting)
    await broadcasts._start(app.db, b)
    assert opened == 3 + 1  # 2 + 2 + 1 recipients, then the status
    async with app.db.session() as session:
        rows = (await session.scalars(select(BroadcastRecipient.contact_id).where(
            BroadcastRecipient.broadcast_id == b))).all()
        assert sorted(rows) == sorted(ids)
        broadcast = await session.get(Broadcast, b)
        assert broadcast is not None and broadcast.status == "sending"
    # Started twice (another process, a pass cut short): each recipient once still.
    async with app.db.transaction() as session:
        await session.execute(update(Broadcast).where(Broadcast.id == b).values(
            status="scheduled"))
    await broadcasts._start(app.db, b)
    async with app.db.session() as session:
        assert len((await session.scalars(select(BroadcastRecipient.id).where(
            BroadcastRecipient.broadcast_id == b))).all()) == 5


async def test_a_broadcast_cancelled_while_it_starts_leaves_nobody_waiting(
    app: App, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import scheduler.broadcasts as broadcasts
    from storage.models import BroadcastRecipient

    monkeypatch.setattr(broadcasts, "RECIPIENTS_PER_WRITE", 2)
    await _people(app, clock, 5)
    b = await _broadcast(app, clock)
    read = audience

    async def cancelled_meanwhile(
        session: AsyncSession, unit_ids: Iterable[int], interest: str
    ) -> Audience:
        who = await read(session, unit_ids, interest)
        async with app.db.transaction() as session:
            broadcast = await session.get(Broadcast, b)
            assert broadcast is not None
            await cancel_broadcast(session, broadcast, clock.now())
        return who

    monkeypatch.setattr(broadcasts, "audience", cancelled_meanwhile)
    await broadcasts._start(app.db, b)
    async with app.db.session() as session:
        statuses = Counter((await session.scalars(select(BroadcastRecipient.status).where(
            BroadcastRecipient.broadcast_id == b))).all())
        broadcast = await session.get(Broadcast, b)
    assert statuses == Counter({"skipped": 5})
    assert broadcast is not None and broadcast.status == "cancelled"
    assert await dispatch_once(app.db, policy(), clock.now()) == 0


async def test_a_pass_queues_its_batch_in_one_insert_each_row_its_recipients(
    app: App, clock: Clock
) -> None:
    # Keeping the parameters' order for the returned ids made SQLAlchemy send one INSERT per
    # row on SQLite (5.4 ms for 14 rows, inside the write lock that people's turns wait for).
    from sqlalchemy import event

    from storage.models import BroadcastRecipient

    await _people(app, clock, 6)
    b = await _broadcast(app, clock)
    inserts = 0

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        nonlocal inserts
        inserts += statement.startswith("INSERT INTO outbox")

    event.listen(app.db.engine.sync_engine, "before_cursor_execute", count)
    try:
        assert await dispatch_once(app.db, policy(), clock.now()) == 6
    finally:
        event.remove(app.db.engine.sync_engine, "before_cursor_execute", count)
    assert inserts == 1
    async with app.db.session() as session:
        pairs = (await session.execute(
            select(BroadcastRecipient.contact_id, OutboxMessage.contact_id)
            .join(OutboxMessage, OutboxMessage.id == BroadcastRecipient.outbox_id)
            .where(BroadcastRecipient.broadcast_id == b)
        )).all()
    assert len(pairs) == 6 and all(recipient == row for recipient, row in pairs)
