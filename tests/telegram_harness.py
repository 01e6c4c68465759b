"""A person talking to the bot on Telegram: the real PTB client polling the fake Bot API server,
the engine and the sender, with helpers that wait for the bot's whole answer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from bot.app import App
from bot.channels.telegram import TelegramChannel, build_application
from bot.channels.telegram_transport import TelegramTransport
from bot.rate_limits import ChannelLimits
from bot.sender import Sender
from tests.fake_telegram import (
    FakeTelegram,
    Sent,
    callback_update,
    document_update,
    photo_update,
    text_update,
)

FAST = ChannelLimits(overall_per_second=200.0, private_per_second=50.0, private_burst=5)


async def until(condition: Any, within: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("condition not met")
        await asyncio.sleep(0.02)


@dataclass
class TelegramUser:
    """One private chat: what the person sends, and what the bot answered."""

    fake: FakeTelegram
    sender: Sender
    uid: int
    _message_id: int = field(default=0)

    def _next_id(self) -> int:
        self._message_id += 1
        return self._message_id

    def received(self) -> list[Sent]:
        return [s for s in self.fake.sent if s.chat_id == self.uid]

    async def _exchange(self, update: dict[str, Any]) -> list[Sent]:
        """Inject ``update``; once polling confirmed it and the outbox is empty, the answer."""
        before = len(self.received())
        injected = self.fake.inject(update)
        await until(lambda: self.fake.confirmed > injected["update_id"])
        await self.sender.drain(within=10)
        return self.received()[before:]

    async def type(self, text: str, *, reply_to: int | None = None) -> list[Sent]:
        """Send ``text``; ``reply_to``: as a reply to the bot's message with that id."""
        update = text_update(self.uid, text, message_id=self._next_id(), reply_to=reply_to)
        return await self._exchange(update)

    def keyboard(self) -> Sent:
        """The last message that came with buttons (the one a person would press on)."""
        with_buttons = [s for s in self.received() if s.buttons]
        assert with_buttons, "the bot has shown no buttons"
        return with_buttons[-1]

    def callback_data(self, label: str) -> str:
        """The callback data behind the button showing ``label`` on the last keyboard."""
        shown = self.keyboard().buttons
        found = [data for row in shown for data, text in row if text == label]
        assert found, f"no button {label!r} among {[t for r in shown for _, t in r]}"
        return found[0]

    async def press(self, label: str) -> list[Sent]:
        """Press the button labelled ``label``: Telegram delivers its callback data only."""
        return await self.press_data(self.callback_data(label))

    async def press_data(self, data: str) -> list[Sent]:
        message = self.keyboard()
        assert data in [d for row in message.buttons for d, _ in row]
        update = callback_update(self.uid, data, message_id=message.message_id)
        return await self._exchange(update)

    async def photo(self, data: bytes) -> list[Sent]:
        file_id = self.fake.add_file(data)
        update = photo_update(self.uid, file_id, len(data), message_id=self._next_id())
        return await self._exchange(update)

    async def document(self, data: bytes, name: str) -> list[Sent]:
        file_id = self.fake.add_file(data)
        update = document_update(
            self.uid, file_id, len(data), name=name, message_id=self._next_id()
        )
        return await self._exchange(update)


@dataclass
class TelegramHarness:
    app: App
    fake: FakeTelegram
    channel: TelegramChannel
    sender: Sender

    def user(self, uid: int) -> TelegramUser:
        return TelegramUser(self.fake, self.sender, uid)


@contextlib.asynccontextmanager
async def telegram_harness(app: App) -> AsyncIterator[TelegramHarness]:
    """The fake server, the PTB application polling it, the engine and a fast sender."""
    fake = FakeTelegram(private_burst=100, private_rate=100.0)
    await fake.start()
    application = build_application(fake.token, fake.url, read_timeout=5.0)
    sender = Sender(app.db, TelegramTransport(application.bot, app.files), FAST, poll_interval=0.1)
    channel = TelegramChannel(application, app, on_commit=sender.notify)
    app.engine.on_commit = sender.notify
    await channel.start()
    sending = asyncio.create_task(sender.run())
    polling = asyncio.create_task(channel.poll(long_poll=1))
    try:
        yield TelegramHarness(app, fake, channel, sender)
    finally:
        polling.cancel()
        await asyncio.gather(polling, return_exceptions=True)
        await sender.stop()
        sending.cancel()
        await asyncio.gather(sending, return_exceptions=True)
        await channel.close()
        await fake.close()
