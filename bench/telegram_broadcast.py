"""Broadcast 1,000 messages to 1,000 chats through the outbox sender, against the fake Bot API
server enforcing Telegram's 30 messages/s (any one-second window).

    python -m bench.telegram_broadcast

Prints the achieved rate as a fraction of the limit (target ≥ 0.95) and the number of 429s the
server answered (target 0). Takes about 35 s by nature.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from bot.app import build_app
from bot.channels.telegram import build_application
from bot.channels.telegram_transport import TelegramTransport
from bot.rate_limits import TELEGRAM_LIMITS
from bot.sender import Sender
from bot.settings import load_settings
from handlers.types import Reply, reply_to_payload
from storage.models import utcnow
from storage.repositories import record_outbox
from tests.fake_telegram import FakeTelegram

MESSAGES = 1000
LIMIT = 30


async def main() -> int:
    fake = FakeTelegram(overall_per_second=LIMIT)
    await fake.start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", files_dir=Path(tmp)
        )
        async with build_app(settings) as app:
            async with app.db.transaction() as session:
                for i in range(MESSAGES):
                    record_outbox(
                        session,
                        channel="telegram",
                        chat_id=str(10_000 + i),
                        payload=reply_to_payload(Reply(f"Thông báo số {i}: lớp học nghề mới.")),
                        now=utcnow(),
                    )
            application = build_application(fake.token, fake.url)
            await application.initialize()
            sender = Sender(app.db, TelegramTransport(application.bot, app.files), TELEGRAM_LIMITS)
            started = time.monotonic()
            task = asyncio.create_task(sender.run())
            await sender.drain(within=120)
            elapsed = time.monotonic() - started
            await sender.stop()
            task.cancel()
            await application.shutdown()
    await fake.close()
    times = sorted(s.at for s in fake.sent)
    span = times[-1] - times[0]
    # n messages spaced evenly at the limit span (n - 1) / limit seconds.
    fraction = (len(times) - 1) / span / LIMIT
    unique = len({s.text for s in fake.sent})
    print(f"delivered: {len(fake.sent)} ({unique} distinct) of {MESSAGES} in {elapsed:.1f} s")
    print(f"rate: {(len(times) - 1) / span:.2f} msg/s = {fraction:.3f} of the {LIMIT}/s limit")
    print(f"429 answers: {fake.rate_limited}")
    ok = fraction >= 0.95 and fake.rate_limited == 0 and unique == len(fake.sent) == MESSAGES
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
