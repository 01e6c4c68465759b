"""The send pace of one channel (or one chat): evenly spaced sends on a planned clock, and never
more than the platform's count in any window, whatever delays the network or the machine adds.

Why not aiolimiter: its leaky bucket measures from the moment a waiter actually wakes. With a
capacity of one (even spacing) every wake-up delay is lost for good: a steady 30/s plan came out
at 26.7-28.5/s in the broadcast bench. With a larger capacity the bucket lets a burst through
after the delay, and Telegram counts over ANY one-second window, so a burst on top of the steady
rate earns 429s. Neither keeps the schedule, and neither can run on an injected clock.

The pacer keeps a planned time for the next send (GCRA's "theoretical arrival time") and moves it
on by one interval from the PLANNED time, not from when the wait ended, so a late wake-up is made
up by the next send instead of slowing the whole stream; the planned clock may lag real time by
at most ``catch_up`` (after an idle spell it restarts from now instead of releasing a burst).

The window is what makes the limit hold by construction. The platform counts a send when it
ARRIVES, at some moment between our starting the request and our receiving the answer, and
scheduling jitter (a busy CPU, a slow event loop) can move that moment anywhere in between. So a
send holds its slot from ``acquire()`` until ``release()`` after the answer, and a new send may
start only while fewer than ``count`` sends are in flight or were answered within the last
``window``. Then any ``window`` of arrival times holds at most ``count`` sends: the last of them
to start saw all the others in flight or answered less than ``window`` before (their arrivals
are in the same window), and they were fewer than ``count``. Jitter can slow the stream, never
cross the limit. The price is the round trip: a send waits ``window`` after the answer to the
one ``count`` before it, about 25/s instead of 29.4/s at Telegram's limit with a 200 ms round
trip, and no 429 (whose ``retry_after`` costs whole seconds).

Time comes from a ``Timer``: the event loop's clock in production, a virtual one in tests, so
pacing tests neither sleep nor depend on how busy the machine is.

Waiters are served in arrival order (asyncio.Lock is FIFO), one at a time: the lock holder sleeps
until its slot, so the next waiter's slot is computed only after the previous one was taken.

Urgent sends (conversation replies) do not queue: ``acquire(urgent=True)`` skips the lock and the
planned spacing, and takes the next free place in the window at once (moving the planned clock
on, so the stream behind it yields one interval). The window still holds by construction: an
urgent send, too, starts only while fewer than ``count`` sends are in flight or recent. So that
a reply finds a free place, the other sends may fill only ``count - reserve`` places while an
urgent send was seen within ``reserve_for`` seconds: a busy broadcast runs at 29/30 of the limit
while people chat with the bot, at the full pace otherwise.

One reserved place is not enough when replies come often. The place a reply took is reserved
again only at the next send leaving the window (up to one interval, ~34 ms at Telegram's pace),
so a reply within that time of another waited for it: measured on the virtual clock at 3-5
replies a second, 9-17% of the replies waited, up to 35-57 ms, the whole of the chatters' p99
during a broadcast. So while urgent sends come often (``busy_count`` within ``busy_for``
seconds: more than one in ten seconds would wait) ``busy_reserve`` places are kept instead:
with two, under 2% waited. It costs the broadcast one more place (28/30) only then.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Protocol


class Timer(Protocol):
    """A monotonic clock in seconds and a way to wait on it."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class LoopTimer:
    """The running event loop's clock (production)."""

    def now(self) -> float:
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class Slot:
    """One send's place in a pacer; ``release()`` once the platform has answered (or failed)."""

    def __init__(self, pacer: Pacer | None = None) -> None:
        self._pacer = pacer

    def release(self) -> None:
        if self._pacer is not None:
            self._pacer._release()
            self._pacer = None


class Pacer:
    """At most ``count`` sends per ``window`` seconds, spaced evenly at ``rate`` per second."""

    def __init__(
        self,
        rate: float,
        count: int,
        *,
        window: float = 1.0,
        timer: Timer | None = None,
        catch_up: float | None = None,
        reserve: int = 0,
        reserve_for: float = 30.0,
        busy_reserve: int | None = None,
        busy_count: int = 3,
        busy_for: float = 10.0,
    ) -> None:
        busy = reserve if busy_reserve is None else busy_reserve
        if rate <= 0 or count < 1 or not 0 <= reserve <= busy < count or busy_count < 1:
            raise ValueError("rate must be positive, count at least 1, reserves below count")
        self.interval = 1.0 / rate
        self.count = count
        self.window = window
        self.timer: Timer = timer or LoopTimer()
        #: How far the planned clock may lag now (a late wake-up made up); default one interval.
        self.catch_up = self.interval if catch_up is None else catch_up
        self._lock = asyncio.Lock()
        self._planned = float("-inf")
        self._in_flight = 0
        self._answered: deque[float] = deque(maxlen=count)
        self._changed = asyncio.Event()
        self._paused_until = float("-inf")
        #: Places of the window kept free for urgent sends, while one was seen lately.
        self.reserve = reserve
        self.reserve_for = reserve_for
        self._urgent_seen = float("-inf")
        #: More places while urgent sends come often: the last ``busy_count`` urgent sends.
        self.busy_reserve = busy
        self.busy_for = busy_for
        self._urgent_times: deque[float] = deque(maxlen=busy_count)

    def pause_until(self, when: float) -> None:
        """No send before timer time ``when`` (the platform said "retry after")."""
        self._paused_until = max(self._paused_until, when)

    async def acquire(self, *, urgent: bool = False) -> Slot:
        """Wait for this send's slot; send right after, then ``release()`` the slot.
        ``urgent``: take the next free place in the window, ahead of every queued send."""
        if urgent:
            return await self._acquire_urgent()
        async with self._lock:
            while True:
                now = self.timer.now()
                planned = max(self._planned, now - self.catch_up)
                start = max(planned, self._paused_until)
                if start > now:
                    # Re-check after sleeping: a pause may have been set meanwhile.
                    await self.timer.sleep(start - now)
                    continue
                recent = self._recent(now)
                if self._in_flight + len(recent) < self._places(now):
                    break
                await self._wait_for_a_place(recent, now)
            self._in_flight += 1
            self._planned = planned + self.interval
        return Slot(self)

    async def _acquire_urgent(self) -> Slot:
        self._urgent_times.append(self.timer.now())
        while True:
            now = self.timer.now()
            self._urgent_seen = now
            if self._paused_until > now:
                await self.timer.sleep(self._paused_until - now)
                continue
            recent = self._recent(now)
            if self._in_flight + len(recent) < self.count:
                break
            await self._wait_for_a_place(recent, now)
        self._in_flight += 1
        self._planned = max(self._planned, now - self.catch_up) + self.interval
        return Slot(self)

    def _places(self, now: float) -> int:
        """Places of the window a non-urgent send may fill."""
        if now - self._urgent_seen >= self.reserve_for:
            return self.count
        times = self._urgent_times
        if len(times) == times.maxlen and now - times[0] < self.busy_for:
            return self.count - self.busy_reserve
        return self.count - self.reserve

    def _recent(self, now: float) -> list[float]:
        # ``t + window > now``, not ``t > now - window``: the wait below ends at ``t + window``
        # exactly, where the other form can still count ``t`` by a rounding (and wait again).
        return [t for t in self._answered if t + self.window > now]

    async def _wait_for_a_place(self, recent: list[float], now: float) -> None:
        if recent:
            await self.timer.sleep(recent[0] + self.window - now)
        else:  # all in flight: the first answer starts the clock
            self._changed.clear()
            await self._changed.wait()

    def _release(self) -> None:
        self._in_flight -= 1
        self._answered.append(self.timer.now())
        self._changed.set()
