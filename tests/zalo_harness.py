"""The real Zalo path wired to the fake server: client → polling → parser → engine → sender.

``ZaloHarness.send(update)`` pushes an event into the fake platform and returns the texts the
bot sent back through it, once the event is processed and the outbox drained. Only the clock and
the network address are the test's; everything else is what ``python -m bot run zalo`` runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from bot.app import App
from bot.channels.zalo import ImageDownloader
from bot.channels.zalo_client import ZaloClient
from bot.channels.zalo_receive import ZaloReceiver, run_polling
from bot.channels.zalo_transport import ZaloTransport
from bot.rate_limits import ChannelLimits
from bot.sender import Sender
from tests.fake_zalo import TOKEN, FakeZalo


class RecordingReceiver(ZaloReceiver):
    """The real receiver; also counts the payloads it finished (so a test knows when to look)."""

    handled: int = 0
    changed: asyncio.Event

    async def handle_payload(self, payload: Any) -> None:
        try:
            await super().handle_payload(payload)
        finally:
            self.handled += 1
            self.changed.set()

    async def wait_handled(self, count: int, within: float = 30.0) -> None:
        async with asyncio.timeout(within):
            while self.handled < count:
                self.changed.clear()
                await self.changed.wait()


@dataclass
class ZaloHarness:
    app: App
    fake: FakeZalo
    client: ZaloClient
    receiver: RecordingReceiver
    sender: Sender
    pushed: int = 0
    seen: int = field(default=0)

    async def send(self, update: dict[str, Any]) -> list[str]:
        """Push one event; the texts (and captions) the bot sent in answer, in order."""
        self.pushed += 1
        self.fake.push(update)
        await self.receiver.wait_handled(self.pushed)
        return await self.delivered()

    async def delivered(self) -> list[str]:
        """Drain the outbox; the texts sent since the last look."""
        await self.sender.drain(within=10.0)
        texts = self.fake.sent_texts()
        new, self.seen = texts[self.seen :], len(texts)
        return new


@asynccontextmanager
async def zalo_harness(
    app: App, fake: FakeZalo, *, fetch: Any = None, transport_backoff: float = 0.05
) -> AsyncIterator[ZaloHarness]:
    """Start polling and the sender against ``fake``; stop both on exit."""
    downloader = ImageDownloader()
    async with ZaloClient(TOKEN, base_url=fake.url) as client:
        receiver = RecordingReceiver(app.engine, client, fetch or downloader)
        receiver.changed = asyncio.Event()
        transport = ZaloTransport(client, backoff_base=transport_backoff)
        sender = Sender(
            app.db,
            transport,
            ChannelLimits(overall_per_second=200.0, backoff_base=0.05, backoff_max=0.2),
            clock=app.engine.clock,
            poll_interval=0.05,
        )
        app.engine.on_commit = sender.notify
        stop = asyncio.Event()
        tasks = [
            asyncio.create_task(
                run_polling(client, receiver, stop=stop, poll_seconds=1, backoff_base=0.05)
            ),
            asyncio.create_task(sender.run()),
        ]
        try:
            yield ZaloHarness(app, fake, client, receiver, sender)
        finally:
            stop.set()
            await sender.stop()
            await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 5.0)
            await downloader.aclose()
