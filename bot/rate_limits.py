"""How fast the sender may write on each channel.

Telegram (Bot FAQ): about 30 messages/s overall, about 1/s in one private chat with short bursts
tolerated, at most 20/min in one group. The overall rate is kept by a pacer (bot/pacer.py): even
spacing on a planned clock at ``pace`` of the limit, and never more than the limit in any
one-second window. Chats and groups use aiolimiter's leaky buckets, where a wake-up delay only
makes a chat a little slower, which nobody notices. Groups get 19/min.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiolimiter import AsyncLimiter

from bot.pacer import Pacer
from bot.settings import Settings
from handlers.types import Channel

#: Chat buckets unused this long are forgotten (they have long refilled by then).
_IDLE_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class ChannelLimits:
    """Send rates of one channel and the retry policy of its sender."""

    #: The platform's limit, counted over any one-second window.
    overall_per_second: float
    #: The fraction of that limit the pacer aims at: the rest absorbs network and scheduling
    #: jitter, so that sends 30 apart never arrive within one second (0.98 measured 0 429s).
    pace: float = 0.98
    #: None: no per-chat limit (the platform sets none).
    private_per_second: float | None = None
    private_burst: int = 1
    group_per_minute: float | None = None
    backoff_base: float = 1.0
    backoff_max: float = 600.0
    #: With the defaults, about six hours of retries before a row is marked failed.
    max_attempts: int = 45


TELEGRAM_LIMITS = ChannelLimits(
    overall_per_second=30.0,
    private_per_second=1.0,
    private_burst=2,
    group_per_minute=19.0,
)


def limits_for(channel: Channel, settings: Settings) -> ChannelLimits:
    """The production limits of ``channel``."""
    if channel == Channel.TELEGRAM:
        return TELEGRAM_LIMITS
    if channel == Channel.ZALO:
        return ChannelLimits(overall_per_second=settings.zalo_rate_per_second)
    return ChannelLimits(overall_per_second=1000.0)


class RateLimiter:
    """One overall pacer, one bucket per chat, and a channel-wide pause after a 429."""

    def __init__(self, limits: ChannelLimits) -> None:
        self.limits = limits
        rate = limits.overall_per_second
        self._overall = Pacer(rate * limits.pace, max(1, int(rate)))
        self._chats: dict[str, tuple[AsyncLimiter, float]] = {}
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        """The platform said "retry after": every send of this channel waits that long."""
        until = asyncio.get_running_loop().time() + max(seconds, 0.0)
        self._paused_until = max(self._paused_until, until)
        self._overall.pause_until(self._paused_until)

    async def acquire(self, chat_id: str, *, is_group: bool) -> None:
        """Wait until one message may go to ``chat_id``."""
        await self._wait_unpaused()
        chat = self._chat_bucket(chat_id, is_group)
        if chat is not None:
            await chat.acquire()
        await self._overall.acquire()  # which also honours the pause

    async def _wait_unpaused(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            remaining = self._paused_until - loop.time()
            if remaining <= 0:
                return
            await asyncio.sleep(remaining)

    def _chat_bucket(self, chat_id: str, is_group: bool) -> AsyncLimiter | None:
        now = asyncio.get_running_loop().time()
        if len(self._chats) > 1000:
            self._chats = {k: v for k, v in self._chats.items() if now - v[1] < _IDLE_SECONDS}
        found = self._chats.get(chat_id)
        bucket = found[0] if found else self._new_bucket(is_group)
        if bucket is None:
            return None
        self._chats[chat_id] = (bucket, now)
        return bucket

    def _new_bucket(self, is_group: bool) -> AsyncLimiter | None:
        if is_group and self.limits.group_per_minute:
            return AsyncLimiter(1, 60 / self.limits.group_per_minute)
        if not is_group and self.limits.private_per_second:
            burst = self.limits.private_burst
            return AsyncLimiter(burst, burst / self.limits.private_per_second)
        return None
