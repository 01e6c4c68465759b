"""An announcement to many subscribers while people chat with the bot, through the outbox
sender and the fake Bot API server enforcing Telegram's 30 messages/s (any one-second window).

    python -m bench.broadcast [--recipients 10000] [--chatters 50] [--every 10] [--baseline 300]
                              [--rounds 2] [--reply-places N] [--database-url URL]

The chatters (each writes every ``--every`` seconds, at random phases) are measured in
alternating phases, ``--rounds`` of each: alone (``--baseline`` seconds in all, shared between
the rounds), then while the broadcast goes out (dispatcher → outbox, priority 1 → sender) until
its share of the recipients is served, then alone again, and so on; between two broadcast
phases the dispatcher stops and a new one takes the broadcast up, as after a restart. Until 5
December the phases did not alternate (the whole baseline, then the whole broadcast): the p99
of a quarter-hour's two halves then followed what else the machine did in each (the same code
gave 1.01× to 1.82×, the baseline's own p99 moving 26–48 ms between runs); alternating puts
the machine's slow minutes on both sides alike. Prints the 429s (target 0), each recipient
served once, the chatters' reply latency p50/p99 in each round and pooled, split into the turn
(message in → reply committed) and the sending (committed → at the platform) (target: pooled
p99 during the broadcast ≤ 1.5 × without), and the rates as shares of the limit over the
broadcast phases: the broadcast's, all sends', and the broadcast's share of what the replies
left. While people chat the pacer keeps places of the window free for their replies
(bot/pacer.py), so the broadcast alone cannot reach the rate target then: its rate (target
≥ 0.95 of the limit) is measured with ``--chatters 0``, a broadcast with nobody chatting.
The chatters are the same in both kinds of phase: each writes every ``--every`` seconds until
the phase ends (5 replies a second with the defaults). The baseline's default of 300 s gives
~1,500 replies, near the broadcast phases' ~2,100, so its p99 is not a handful of unlucky
replies. Each p99 is printed with its sample count; ``--rounds 1`` runs the phases as before.
The fake server runs in a process of its own, as the platform's servers are not on the bot's
event loop (``--platform-in-process`` puts it there, as the runs before 3 December's eighth
session did: its HTTP handling then counted in the replies' latency, about a quarter of the
loop's work per announcement); a reply's latency ends when the server accepted it.
At 30/s, 10,000 recipients take about 6 minutes: ``--recipients 1500`` measures the same in
~60 s (with ``--baseline 15``; a p99 needs a few hundred replies in each phase to mean much).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from sqlalchemy import func, insert, select

from bot.app import App, build_app, settle_memory
from bot.channels.telegram import build_application
from bot.channels.telegram_transport import TelegramTransport
from bot.inbound import text_event
from bot.rate_limits import TELEGRAM_LIMITS
from bot.sender import Sender
from bot.settings import Settings, load_settings
from handlers.types import Channel
from scheduler.broadcasts import Dispatcher, DispatchPolicy
from storage.models import Contact, OutboxMessage, Subscription, utcnow
from storage.outreach_repo import BULK, create_broadcast
from tests.fake_telegram import FakeTelegram

LIMIT = 30
#: The places kept for replies as shipped (the REPLY_PLACES setting's default).
SHIPPED_REPLY_PLACES: int = Settings.model_fields["reply_places"].default
FIRST_CHATTER = 900_000


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def _fake() -> FakeTelegram:
    return FakeTelegram(overall_per_second=LIMIT, private_burst=100, private_rate=100.0)


def _serve_platform(conn: Connection) -> None:
    """The fake Bot API in a process of its own, as Telegram's servers are: its work (the
    HTTP server, the limits) is not done on the bot's event loop. Each message it accepts is
    sent to the bench as (chat id, time on the shared monotonic clock)."""

    async def serve() -> None:
        fake = _fake()
        fake.on_send = lambda chat_id, at: conn.send((chat_id, at))
        await fake.start()
        conn.send((fake.token, fake.url))
        stop = asyncio.Event()
        asyncio.get_running_loop().add_reader(conn.fileno(), stop.set)
        await stop.wait()
        conn.send(("done", fake.rate_limited))
        await fake.close()

    asyncio.run(serve())


class Platform:
    """Where the bot's messages arrive: the sends the fake server accepted (chat id, time) as
    they come, waking the chatter whose reply it was. The server runs in its own process
    (default) or, ``in_process``, on the bot's event loop (as this bench did until 3 December:
    its work was then counted in the bot's latency)."""

    def __init__(self, in_process: bool) -> None:
        self.in_process = in_process
        self.sent: list[tuple[int, float]] = []
        #: A chatter waiting for its reply: the event, and where the reply's time goes.
        self.waiting: dict[int, tuple[asyncio.Event, list[float]]] = {}
        self.rate_limited = 0
        self.token = self.url = ""
        self._fake: FakeTelegram | None = None
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None

    def _arrived(self, chat_id: int, at: float) -> None:
        self.sent.append((chat_id, at))
        waiter = self.waiting.pop(chat_id, None)
        if waiter is not None:
            waiter[1].append(at)
            waiter[0].set()

    def _read(self) -> None:
        assert self._conn is not None
        while self._conn.poll():
            chat_id, at = self._conn.recv()
            self._arrived(chat_id, at)

    async def start(self) -> None:
        if self.in_process:
            self._fake = _fake()
            self._fake.on_send = self._arrived
            await self._fake.start()
            self.token, self.url = self._fake.token, self._fake.url
            return
        context = multiprocessing.get_context("spawn")  # no fork of a running event loop
        self._conn, theirs = context.Pipe()
        self._process = context.Process(target=_serve_platform, args=(theirs,), daemon=True)
        self._process.start()
        loop = asyncio.get_running_loop()
        self.token, self.url = await loop.run_in_executor(None, self._conn.recv)
        loop.add_reader(self._conn.fileno(), self._read)

    async def close(self) -> None:
        if self._fake is not None:
            self.rate_limited = self._fake.rate_limited
            await self._fake.close()
            return
        assert self._conn is not None and self._process is not None
        asyncio.get_running_loop().remove_reader(self._conn.fileno())
        self._conn.send("stop")
        while True:  # the sends still in the pipe, then the server's count of 429s
            message = self._conn.recv()
            if message[0] == "done":
                self.rate_limited = message[1]
                break
            self._arrived(*message)
        self._process.join(10)


class Latencies:
    """Each reply's latency (message in → reply at the platform) and the engine's part of it
    (the turn: message in → reply committed to the outbox); the rest is the sender's."""

    def __init__(self) -> None:
        self.total: list[float] = []
        self.turn: list[float] = []

    def line(self) -> str:
        def ms(values: list[float], q: float) -> str:
            return f"{_p(values, q) * 1000:.0f}"

        delivery = [a - b for a, b in zip(self.total, self.turn, strict=True)]
        return (
            f"p50 {ms(self.total, 0.5)} ms p99 {ms(self.total, 0.99)} ms (n={len(self.total)}; "
            f"turn p50/p99 {ms(self.turn, 0.5)}/{ms(self.turn, 0.99)}, "
            f"sending {ms(delivery, 0.5)}/{ms(delivery, 0.99)})"
        )


async def _chat(
    app: App, platform: Platform, user: int, every: float, done: Callable[[], bool],
    out: Latencies,
) -> None:
    """One chatter: a message every ``every`` seconds (after a random first wait) until
    ``done()``. The same in both phases, so both see the same rate of replies. A reply's time
    is when the platform accepted it (the loop's clock is the system's monotonic one, which
    the platform's process shares)."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(random.uniform(0, every))
    while not done():
        arrived, at = asyncio.Event(), list[float]()
        platform.waiting[user] = (arrived, at)
        started = loop.time()
        await app.engine.handle(text_event(Channel.TELEGRAM, str(user), "menu"))
        handled = loop.time()
        await arrived.wait()
        out.total.append(at[0] - started)
        out.turn.append(handled - started)
        await asyncio.sleep(every)


class Phases:
    """The chatters' phases: alternately without and during the broadcast (``rounds`` of
    each), so that what the machine does over the quarter hour (its speed moves the p99 by
    half between runs) weighs on both sides alike."""

    def __init__(self, app: App, platform: Platform, users: list[int], every: float) -> None:
        self.app, self.platform, self.users, self.every = app, platform, users, every
        self.alone: list[Latencies] = []
        self.during: list[Latencies] = []
        #: Each broadcast phase's (start, end) on the loop's (and the platform's) clock.
        self.windows: list[tuple[float, float]] = []
        self._seen = self._delivered = 0

    async def chat(self, done: Callable[[], bool], phase: list[Latencies]) -> None:
        out = Latencies()
        phase.append(out)
        await asyncio.gather(
            *(_chat(self.app, self.platform, u, self.every, done, out) for u in self.users)
        )

    async def reached(self, share: int) -> bool:
        """``share`` announcements are at the platform, counted as they come (no scan of all)."""
        sent = self.platform.sent
        self._delivered += sum(1 for chat_id, _ in sent[self._seen:] if chat_id < FIRST_CHATTER)
        self._seen = len(sent)
        return self._delivered >= share


def _past(loop: asyncio.AbstractEventLoop, end: float) -> bool:
    return loop.time() >= end


async def _none_pending(app: App) -> bool:
    """No announcement is left in the outbox (the dispatcher has stopped queuing them)."""
    async with app.db.reader() as session:
        pending = await session.scalar(
            select(func.count()).where(
                OutboxMessage.status == "pending", OutboxMessage.priority == BULK
            )
        )
    return not pending


async def _until(ready: Callable[[], Awaitable[bool]], deadline: float) -> None:
    """Checks ``ready`` five times a second until it holds or the loop's clock passes
    ``deadline`` (what it waits for is counted or read, not signalled)."""
    loop = asyncio.get_running_loop()
    while loop.time() < deadline:
        if await ready():
            return
        await asyncio.sleep(0.2)


def _merged(phase: list[Latencies]) -> Latencies:
    merged = Latencies()
    for each in phase:
        merged.total += each.total
        merged.turn += each.turn
    return merged


async def main(
    recipients: int, chatters: int, every: float, baseline: float, notices: bool = True,
    reply_places: int = SHIPPED_REPLY_PLACES,
    database_url: str | None = None, platform_in_process: bool = False, rounds: int = 2,
) -> int:
    platform = Platform(platform_in_process)
    await platform.start()
    senders: list[Sender] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            database_url=database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}",
            files_dir=Path(tmp),
        )

        def notify(chats: list[tuple[str, str]]) -> None:
            for sender in senders:
                sender.notify(chats)

        def expect_reply(channel: str) -> Callable[[], None]:
            # As ``python -m bot run`` does (bot/runtime.py); ``--no-notice`` measures a sender
            # that hears of no message (in another process than the engine).
            if not notices:
                return lambda: None
            withdraws = [sender.expect_reply() for sender in senders]

            def withdraw() -> None:
                for each in withdraws:
                    each()

            return withdraw

        async with build_app(settings, on_commit=notify, on_arrival=expect_reply) as app:
            now = utcnow()
            async with app.db.transaction() as session:
                await session.execute(
                    insert(Contact),
                    [
                        {
                            "channel": "telegram",
                            "platform_user_id": str(10_000 + i),
                            "display_name": "",
                            "created_at": now,
                            "last_seen_at": now,
                        }
                        for i in range(recipients)
                    ],
                )
                await session.flush()
                ids = (await session.scalars(select(Contact.id))).all()
                await session.execute(
                    insert(Subscription),
                    [
                        {
                            "contact_id": cid,
                            "unit_id": None,
                            "topics": ["training"],
                            "created_at": now,
                            "updated_at": now,
                        }
                        for cid in ids
                    ],
                )
            application = build_application(platform.token, platform.url)
            await application.initialize()
            transport = TelegramTransport(application.bot, app.files)
            limits = replace(TELEGRAM_LIMITS, max_reply_reserve=reply_places)
            sender = Sender(app.db, transport, limits, batch=app.engine.batch)
            senders.append(sender)
            sender_task = asyncio.create_task(sender.run())
            settle_memory()  # as ``python -m bot run`` does once started
            loop = asyncio.get_running_loop()

            quiet_free = DispatchPolicy(settings.zone, quiet_start=0, quiet_end=0)
            async with app.db.transaction() as session:
                await create_broadcast(
                    session,
                    unit_ids=[],
                    interest="training",
                    text="Lớp may công nghiệp khai giảng 15/12.",
                    send_at=utcnow(),
                    now=utcnow(),
                )
            users = [FIRST_CHATTER + i for i in range(chatters)]
            phases = Phases(app, platform, users, every)
            elapsed = 0.0
            cpu = [0.0, 0.0]
            for round_ in range(1, rounds + 1):
                if users:
                    end = loop.time() + baseline / rounds
                    await phases.chat(partial(_past, loop, end), phases.alone)
                # As `python -m bot run` starts it (bot/cli_run.py): the default poll interval;
                # a new one each round, as after a restart mid-broadcast.
                dispatcher = Dispatcher(app.db, quiet_free, on_commit=sender.notify)
                started = loop.time()
                cpu_started = time.process_time(), time.thread_time()
                dispatch_task = asyncio.create_task(dispatcher.run())
                stop_chat = asyncio.Event()
                chat_task = asyncio.create_task(phases.chat(stop_chat.is_set, phases.during))
                share = recipients * round_ // rounds
                deadline = started + recipients / rounds / LIMIT * 2 + 60
                await _until(partial(phases.reached, share), deadline)
                dispatcher.stop()
                await dispatch_task
                # What the dispatcher queued before it stopped still goes out in this phase.
                await _until(partial(_none_pending, app), deadline)
                phases.windows.append((started, loop.time()))
                elapsed += loop.time() - started
                cpu_now = time.process_time(), time.thread_time()
                cpu = [c + b - a for c, a, b in zip(cpu, cpu_started, cpu_now, strict=True)]
                stop_chat.set()
                await chat_task
            await sender.stop()
            sender_task.cancel()
            await application.shutdown()
    await platform.close()
    return _report(platform, phases, recipients, chatters, every, elapsed, cpu)


def _report(
    platform: Platform, phases: Phases, recipients: int, chatters: int, every: float,
    elapsed: float, cpu: list[float],
) -> int:
    bulk = [at for chat_id, at in platform.sent if chat_id < FIRST_CHATTER]
    sent_bulk = sent_all = 0
    span = 0.0
    for start, end in phases.windows:  # each broadcast phase's rates, the pauses left out
        mine = sorted(at for at in bulk if start <= at <= end)
        if len(mine) > 1:
            sent_bulk += len(mine) - 1
            sent_all += sum(1 for _, at in platform.sent if mine[0] <= at <= mine[-1]) - 1
            span += mine[-1] - mine[0]
    bulk_share = sent_bulk / span / LIMIT if span else float("nan")
    all_share = sent_all / span / LIMIT if span else float("nan")
    left_share = bulk_share / (1 - (all_share - bulk_share))
    unique = len({chat_id for chat_id, _ in platform.sent if chat_id < FIRST_CHATTER})
    rounds = len(phases.windows)
    print(
        f"recipients: {recipients}, delivered {len(bulk)} ({unique} distinct) in {elapsed:.1f} s"
        + (f" over {rounds} phases" if rounds > 1 else "")
    )
    print(f"429 answers: {platform.rate_limited}")
    print(
        f"CPU while the broadcast ran, per announcement: {cpu[0] / len(bulk) * 1000:.2f} ms "
        f"(the event loop's thread {cpu[1] / len(bulk) * 1000:.2f} ms)"
    )
    served = platform.rate_limited == 0 and unique == len(bulk) == recipients
    if not phases.users:
        print(
            f"broadcast rate, nobody chatting: {bulk_share:.3f} of the {LIMIT}/s limit "
            "(target ≥ 0.95)"
        )
        return 0 if served and bulk_share >= 0.95 else 1
    print(
        f"rates while {chatters} people chat: broadcast {bulk_share:.3f} of the {LIMIT}/s limit, "
        f"all sends {all_share:.3f}; the broadcast used {left_share:.3f} of what the replies "
        "left (its rate alone: --chatters 0)"
    )
    alone, during = _merged(phases.alone), _merged(phases.during)
    p99_alone, p99_during = _p(alone.total, 0.99), _p(during.total, 0.99)
    print(f"chatters ({chatters}, one message every {every:.0f} s), reply latency:")
    if rounds > 1:
        for n, (a, d) in enumerate(zip(phases.alone, phases.during, strict=True), 1):
            print(f"  round {n}: without {a.line()}")
            print(f"           during  {d.line()}")
    print(f"  without the broadcast {alone.line()}")
    print(f"  during the broadcast  {during.line()}")
    print(f"  p99 during / without: {p99_during / p99_alone:.2f}× (target ≤ 1.5×)")
    return 0 if served and p99_during <= 1.5 * p99_alone else 1

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--chatters", type=int, default=50)
    parser.add_argument("--every", type=float, default=10.0)
    parser.add_argument("--baseline", type=float, default=300.0)
    parser.add_argument(
        "--rounds",
        type=int,
        default=2,
        help="phases of each kind, alternating (without, during, without, during …)",
    )
    parser.add_argument(
        "--no-notice",
        action="store_true",
        help="the sender is not told of arriving messages (as in another process)",
    )
    parser.add_argument(
        "--reply-places",
        type=int,
        default=SHIPPED_REPLY_PLACES,
        help="the most places kept for replies (the REPLY_PLACES setting)",
    )
    parser.add_argument(
        "--platform-in-process",
        action="store_true",
        help="run the fake Bot API on the bot's event loop (as before 3 December's eighth "
        "session), not in its own process",
    )
    parser.add_argument(
        "--database-url",
        help="an EMPTY database to run on (e.g. PostgreSQL); default: a new SQLite file",
    )
    args = parser.parse_args()
    started = time.monotonic()
    code = asyncio.run(
        main(args.recipients, args.chatters, args.every, args.baseline, not args.no_notice,
             args.reply_places, args.database_url, args.platform_in_process, args.rounds)
    )
    print(f"({time.monotonic() - started:.0f} s)", file=sys.stderr)
    sys.exit(code)
