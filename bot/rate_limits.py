"""How fast the sender may write on each channel.

Telegram (Bot FAQ): about 30 messages/s overall, about 1/s in one private chat with short bursts
tolerated, at most 20/min in one group. Each limit is kept by a pacer (bot/pacer.py): even
spacing on a planned clock below the limit, and never more than the limit in any window of
arrival times however late sends arrive. The overall pace aims at ``pace`` of the limit; a chat
at most ``private_burst`` per ``private_burst / private_per_second`` seconds, spaced at its rate;
a group 19/min. All of them read one Timer, so tests drive them on a virtual clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.pacer import LoopTimer, Pacer, Slot, Timer
from bot.settings import Settings
from handlers.types import Channel

#: Chat buckets unused this long are forgotten (they have long refilled by then).
_IDLE_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class ChannelLimits:
    """Send rates of one channel and the retry policy of its sender."""

    #: The platform's limit, counted over any one-second window.
    overall_per_second: float
    #: The fraction of that limit the pacer aims at: a steady stream stays a little below the
    #: limit, so the window (which holds it by construction) rarely has to make a send wait.
    pace: float = 0.98
    #: None: no per-chat limit (the platform sets none).
    private_per_second: float | None = None
    private_burst: int = 1
    group_per_minute: float | None = None
    #: Places of the overall window that announcements leave free while people are chatting,
    #: so that a reply goes out at once instead of after the next free place (bot/pacer.py).
    reply_reserve: int = 1
    #: ... more while replies come often, up to this many: as many as keep the chance of a
    #: reply finding no free place below ``reply_miss`` at their recent rate (bot/pacer.py:
    #: two from 3 replies in ten seconds, three from about 4.4 a second).
    max_reply_reserve: int = 3  # production: the REPLY_PLACES setting (``limits_for``)
    reply_miss: float = 0.01
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
    """The production limits of ``channel``, with the places kept for replies that the
    settings give (``REPLY_PLACES``)."""
    if channel == Channel.TELEGRAM:
        limits = TELEGRAM_LIMITS
    elif channel == Channel.ZALO:
        limits = ChannelLimits(overall_per_second=settings.zalo_rate_per_second)
    else:
        limits = ChannelLimits(overall_per_second=1000.0)
    return replace(limits, max_reply_reserve=settings.reply_places)


class RateLimiter:
    """One overall pacer, one pacer per chat, and a channel-wide pause after a 429."""

    def __init__(self, limits: ChannelLimits, timer: Timer | None = None) -> None:
        self.limits = limits
        self.timer: Timer = timer or LoopTimer()
        rate = limits.overall_per_second
        count = max(1, int(rate))
        self._overall = Pacer(
            rate * limits.pace,
            count,
            timer=self.timer,
            reserve=min(limits.reply_reserve, count - 1),
            max_reserve=min(max(limits.max_reply_reserve, limits.reply_reserve), count - 1),
            miss=limits.reply_miss,
        )
        self._chats: dict[str, tuple[Pacer, float]] = {}
        self._paused_until = float("-inf")
        #: Conversation sends waiting for the overall pace; bulk sends wait until there are none,
        #: and only one bulk send queues at the pacer at a time. A conversation send takes the
        #: next free place of the window ahead of it (``urgent``), which the bulk sends leave.
        self._urgent = 0
        self._no_urgent = asyncio.Event()
        self._no_urgent.set()
        self._bulk_gate = asyncio.Lock()

    def expect_reply(self) -> Callable[[], None]:
        """A message arrived: its reply will want a place of the window (``Pacer.expect``)."""
        return self._overall.expect()

    def pause(self, seconds: float) -> None:
        """The platform said "retry after": every send of this channel waits that long."""
        until = self.timer.now() + max(seconds, 0.0)
        self._paused_until = max(self._paused_until, until)
        self._overall.pause_until(self._paused_until)

    async def acquire(self, chat_id: str, *, is_group: bool, bulk: bool = False) -> Slot:
        """Wait until one message may go to ``chat_id``; ``release()`` the slot once answered.
        ``bulk`` (announcements) yields the overall pace to every conversation send waiting."""
        await self._wait_unpaused()
        chat = self._chat_pacer(chat_id, is_group)
        chat_slot = await chat.acquire() if chat is not None else Slot()
        try:
            overall = await (self._bulk_slot() if bulk else self._urgent_slot())
        except BaseException:
            chat_slot.release()
            raise
        return _Both(chat_slot, overall)

    async def _bulk_slot(self) -> Slot:
        async with self._bulk_gate:
            while self._urgent:
                await self._no_urgent.wait()
            return await self._overall.acquire()

    async def _urgent_slot(self) -> Slot:
        self._urgent += 1
        self._no_urgent.clear()
        try:
            return await self._overall.acquire(urgent=True)  # which also honours the pause
        finally:
            self._urgent -= 1
            if not self._urgent:
                self._no_urgent.set()

    async def _wait_unpaused(self) -> None:
        while True:
            remaining = self._paused_until - self.timer.now()
            if remaining <= 0:
                return
            await self.timer.sleep(remaining)

    def _chat_pacer(self, chat_id: str, is_group: bool) -> Pacer | None:
        now = self.timer.now()
        # The chats are kept least recently used first (each use moves its chat to the end), so
        # forgetting the idle ones looks at those only: a broadcast to thousands of chats must
        # not copy them all on each send (it did, once past 1,000, every send of a broadcast).
        while self._chats:
            oldest = next(iter(self._chats))
            if now - self._chats[oldest][1] < _IDLE_SECONDS:
                break
            del self._chats[oldest]
        found = self._chats.pop(chat_id, None)
        pacer = found[0] if found else self._new_pacer(is_group)
        if pacer is None:
            return None
        self._chats[chat_id] = (pacer, now)
        return pacer

    def _new_pacer(self, is_group: bool) -> Pacer | None:
        # A group's sends are spaced at its rate (a late one just comes later); a private chat
        # may get ``private_burst`` at once after a pause (a reply in two parts), then its rate.
        if is_group and self.limits.group_per_minute:
            per_minute = self.limits.group_per_minute
            return Pacer(
                per_minute / 60,
                max(1, int(per_minute)),
                window=60.0,
                timer=self.timer,
                catch_up=0.0,
            )
        if not is_group and self.limits.private_per_second:
            rate, burst = self.limits.private_per_second, self.limits.private_burst
            return Pacer(
                rate, burst, window=burst / rate, timer=self.timer, catch_up=(burst - 1) / rate
            )
        return None


class _Both(Slot):
    """The chat's slot and the channel's, released together."""

    def __init__(self, chat: Slot, overall: Slot) -> None:
        super().__init__()
        self._parts = (chat, overall)

    def release(self) -> None:
        for part in self._parts:
            part.release()
