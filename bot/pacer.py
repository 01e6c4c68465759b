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
again only at the next send leaving the window (about one interval, ~34 ms at Telegram's pace),
so a reply finds no place when as many replies as places came within that time. So the reserve
follows the replies' recent rate: the fewest places (``reserve`` to ``max_reserve``) for which
that chance, Poisson at that rate over one interval, is below ``miss`` (1%: the p99 reply must
not be a waiting one). With Telegram's limits (bot/rate_limits.py): one place, two from three
replies in ten seconds, three from about 4.4 a second. The rate is counted since the first reply
of the last ``rate_for`` seconds (replies that began lately count at once), and a reserve is
lowered only after ``rate_for`` seconds without needing it (the count swings). Measured on the
virtual clock at 5 replies a second beside a saturating broadcast: with two places 1.1% of the
replies waited (up to 0.1 s, the chatters' p99 during a broadcast), with three 0.2%. The price
is paid only while replies come that often: the broadcast then keeps 27 of the 30 places, minus
the replies (0.79 of the limit beside 5 replies a second, where two places gave 0.81).

That price is paid for replies that may come. In one process the engine knows when one is
coming: a message arrived, and its reply will ask for a place a turn later (a few ms to tens of
ms). ``expect()`` says so: until that reply takes its place (or the turn ends without one, or
``expect_for`` seconds pass), the other sends leave one more place free. While such notices come
the rate-sized reserve keeps one place fewer (at least ``reserve``), since the replies on their
way have theirs; a sender that hears of no message (another process's engine) keeps the rate
model alone. Measured on the virtual clock beside 5 replies a second: the broadcast keeps 0.81
of the limit instead of 0.79, with 0.4% of the replies waiting (one place plus the notices
alone kept 0.84, but 3.7% of the replies waited: too many for the p99).
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Callable
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
        max_reserve: int | None = None,
        miss: float = 0.01,
        rate_for: float = 10.0,
        expect_for: float = 2.0,
    ) -> None:
        most = reserve if max_reserve is None else max_reserve
        if rate <= 0 or count < 1 or not 0 <= reserve <= most < count or not 0 < miss < 1:
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
        #: Places of the window kept free for urgent sends, while one was seen lately: at least
        #: ``reserve``, more while they come often (``_reserve``), at most ``max_reserve``.
        self.reserve = reserve
        self.reserve_for = reserve_for
        self._urgent_seen = float("-inf")
        self.max_reserve = most
        #: The chance of an urgent send finding no place that the reserve is sized for.
        self.miss = miss
        #: Urgent sends of the last ``rate_for`` seconds: their rate sizes the reserve.
        self.rate_for = rate_for
        self._urgent_times: deque[float] = deque(maxlen=max(64, 10 * count))
        #: The reserve last raised (or kept), and until when it is kept.
        self._held = (0, float("-inf"))
        #: Replies announced by ``expect()`` and not sent yet (oldest first), each dropped after
        #: ``expect_for`` seconds; while they come (within ``rate_for``) they size the reserve.
        self.expect_for = expect_for
        self._expected: deque[_Expected] = deque()
        self._expect_seen = float("-inf")

    def expect(self) -> Callable[[], None]:
        """An urgent send is coming (a message arrived; its reply follows the turn): keep a
        place for it from now. Returns the call that withdraws the notice (no reply came)."""
        now = self.timer.now()
        notice = _Expected(now + self.expect_for)
        self._expected.append(notice)
        self._expect_seen = self._urgent_seen = now

        def withdraw() -> None:
            notice.withdrawn = True
            self._changed.set()  # a send waiting with every place in flight may take it now

        return withdraw

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
        if self._live_expected(self.timer.now()):
            self._expected.popleft().withdrawn = True  # the announced reply is here
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
        reserve = self._reserve(now)
        if now - self._expect_seen < self.rate_for:
            # The replies on their way have their places; the rate-sized reserve keeps one
            # fewer for the replies nobody announced yet (they come a turn later, by which time
            # the window has usually freed a place for them).
            reserve = max(self.reserve, reserve - 1) + self._live_expected(now)
        return self.count - min(reserve, self.count - 1)

    def _live_expected(self, now: float) -> int:
        """The announced replies still awaited (withdrawn and expired ones dropped)."""
        expected = self._expected
        while expected and (expected[0].withdrawn or expected[0].until <= now):
            expected.popleft()
        return sum(1 for notice in expected if not notice.withdrawn and notice.until > now)

    def _reserve(self, now: float) -> int:
        """The fewest places (from ``reserve`` to ``max_reserve``) such that an urgent send
        finds them all taken by earlier ones with a chance below ``miss``. A place an urgent
        send took is kept again once the next send leaves the window, about one interval
        later; at the recent rate of urgent sends, how many came within one interval is
        Poisson, and a send finds no place when at least as many as the reserve did."""
        times = self._urgent_times
        while times and now - times[0] >= self.rate_for:
            times.popleft()
        # The rate since the first of them (at least a second): replies that began lately are
        # counted at their rate at once, not diluted over the whole ``rate_for`` for a while.
        rate = (len(times) - 1) / max(now - times[0], 1.0) if times else 0.0
        expected = rate * self.interval
        places, exactly, fewer = 0, math.exp(-expected), 0.0  # P(N = places), P(N < places)
        while places < self.max_reserve and (places < self.reserve or 1.0 - fewer >= self.miss):
            fewer += exactly
            places += 1
            exactly *= expected / places
        # A reserve is lowered only after ``rate_for`` seconds without needing it: the rate
        # counted over a few seconds swings, and each dip left a place short while replies came
        # as often as before.
        held, until = self._held
        if places >= held or now >= until:
            self._held = (places, now + self.rate_for)
            return places
        return held

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


class _Expected:
    """A reply announced by ``Pacer.expect()``: kept until ``until`` unless withdrawn."""

    __slots__ = ("until", "withdrawn")

    def __init__(self, until: float) -> None:
        self.until = until
        self.withdrawn = False
