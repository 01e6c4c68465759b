"""Announcements step aside for people: while a person's turn or reply is under way, no
announcement work starts (its lookup, its send, the dispatcher's queuing), for at most
``Foreground.most`` seconds (bot/foreground.py; what it buys: bench.broadcast)."""

# ruff: noqa: F811  (the fixtures of tests/test_sender.py, imported, are the tests' arguments)

from __future__ import annotations

import asyncio

from bot.app import App
from bot.channels.telegram_transport import TelegramTransport
from bot.foreground import Foreground
from bot.inbound import text_event
from bot.sender import Sender
from handlers.types import Channel
from scheduler.broadcasts import Dispatcher, DispatchPolicy
from tests.fake_telegram import FakeTelegram
from tests.helpers import Clock
from tests.test_outreach_broadcast import ZONE_POLICY, _broadcast, _bulk_rows, _people
from tests.test_sender import (  # noqa: F401
    FAST,
    _virtual_pacing,
    fake,
    timer,
    transport,
)
from tests.test_sender_lookups import _announcements, _until


async def test_quiet_returns_once_the_last_of_the_work_under_way_ends() -> None:
    foreground = Foreground(most=60)
    await foreground.quiet()  # nothing runs: at once
    assert (foreground.waited, foreground.busy) == (0, False)
    with foreground.running():
        with foreground.running():
            waiting = asyncio.create_task(foreground.quiet())
            await _until(lambda: foreground.waited)
        await asyncio.sleep(0)
        assert not waiting.done()  # one of the two still runs
    await asyncio.wait_for(waiting, 5)
    assert (foreground.waited, foreground.overrun, foreground.busy) == (1, 0, False)


async def test_quiet_gives_up_after_most_seconds_so_a_broadcast_keeps_moving() -> None:
    foreground = Foreground(most=0.02)
    with foreground.running():
        await asyncio.wait_for(foreground.quiet(), 5)
    assert (foreground.waited, foreground.overrun) == (1, 1)


async def test_announcements_wait_for_a_turn_under_way_and_a_reply_does_not(
    app: App, fake: FakeTelegram, transport: TelegramTransport
) -> None:
    foreground = app.engine.foreground
    foreground.most = 60.0
    await _announcements(app, range(5000, 5010))
    sender = Sender(app.db, transport, FAST, poll_interval=0.05, foreground=foreground)
    app.engine.on_commit = sender.notify
    task = asyncio.create_task(sender.run())
    try:
        with foreground.running():  # someone's turn, waiting on the database
            await _until(lambda: foreground.waited)
            # Another person writes meanwhile: the reply goes out, the announcements wait.
            await app.engine.handle(text_event(Channel.TELEGRAM, "77", "menu"))
            await _until(lambda: fake.texts_to(77))
            assert fake.sent and all(sent.chat_id == 77 for sent in fake.sent)
        await _until(lambda: len(fake.sent) == len(fake.texts_to(77)) + 10)
    finally:
        await sender.stop()
        task.cancel()
    assert foreground.overrun == 0


async def test_the_dispatcher_queues_nothing_while_a_turn_is_under_way(
    app: App, clock: Clock
) -> None:
    foreground = Foreground(most=60)
    await _people(app, clock, 3)
    await _broadcast(app, clock)
    always = DispatchPolicy(ZONE_POLICY.zone, quiet_start=0, quiet_end=0)
    dispatcher = Dispatcher(
        app.db, always, clock=clock.now, poll_interval=0.01, step_aside=foreground.quiet
    )
    task = asyncio.create_task(dispatcher.run())
    try:
        with foreground.running():
            await _until(lambda: foreground.waited)
            await asyncio.sleep(0.2)  # twenty of its polls
            assert await _bulk_rows(app) == []
        for _ in range(1000):  # its pass once the turn has ended
            if len(await _bulk_rows(app)) == 3:
                break
            await asyncio.sleep(0.01)
        assert len(await _bulk_rows(app)) == 3
    finally:
        dispatcher.stop()
        await asyncio.wait_for(task, 10)
    assert foreground.overrun == 0
