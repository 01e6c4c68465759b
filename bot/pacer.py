"""The overall send pace of one channel: evenly spaced sends on a planned clock, never more than
the platform's count in any one-second window.

Why not aiolimiter here (it still does the per-chat buckets, bot/rate_limits.py): its leaky
bucket measures from the moment a waiter actually wakes. With a capacity of one (even spacing)
every wake-up delay is lost for good: a steady 30/s plan came out at 26.7-28.5/s in the
broadcast bench. With a larger capacity the bucket lets a burst through after the delay, and
Telegram counts over ANY one-second window, so a burst on top of the steady rate earns 429s.
Neither can "keep the schedule".

This pacer keeps a planned time for the next send (GCRA's "theoretical arrival time") and moves it
on by one interval from the PLANNED time, not from when the wait ended, so a late wake-up is made
up by the next send instead of slowing the whole stream. Two guards keep that honest:

- the planned clock may lag real time by at most ``catch_up`` (one interval): after an idle
  spell it restarts from now instead of releasing a burst of "owed" sends;
- a sliding window of the last ``count`` actual send times: a send waits until fewer than
  ``count`` went out in the last ``window + margin`` seconds. The platform measures arrival, not
  our departure, so ``margin`` absorbs the difference in network and scheduling delay between two
  sends ``count`` apart. With the pace below the limit the window never binds in steady state; it
  only stops a catch-up from squeezing ``count + 1`` sends into one window.

Waiters are served in arrival order (asyncio.Lock is FIFO), one at a time: the lock holder sleeps
until its slot, so the next waiter's slot is computed only after the previous send is recorded.
"""

from __future__ import annotations

import asyncio
from collections import deque


class Pacer:
    """At most ``count`` sends per ``window`` seconds, spaced evenly at ``rate`` per second."""

    def __init__(
        self, rate: float, count: int, *, window: float = 1.0, margin: float = 0.015
    ) -> None:
        if rate <= 0 or count < 1:
            raise ValueError("rate must be positive and count at least 1")
        self.interval = 1.0 / rate
        self.count = count
        self.span = window + margin
        self._lock = asyncio.Lock()
        self._planned = float("-inf")
        self._sent: deque[float] = deque(maxlen=count)
        self._paused_until = float("-inf")

    def pause_until(self, when: float) -> None:
        """No send before loop time ``when`` (the platform said "retry after")."""
        self._paused_until = max(self._paused_until, when)

    async def acquire(self) -> None:
        """Wait for this send's slot; the caller sends right after."""
        loop = asyncio.get_running_loop()
        async with self._lock:
            while True:
                now = loop.time()
                # A late wake-up (≤ one interval) keeps the planned slot: the lag is made up.
                planned = max(self._planned, now - self.interval)
                start = max(planned, self._paused_until, self._window_opens())
                if start <= now:
                    break
                # Re-check after sleeping: a pause may have been set meanwhile.
                await asyncio.sleep(start - now)
            self._sent.append(now)
            self._planned = planned + self.interval

    def _window_opens(self) -> float:
        if len(self._sent) < self.count:
            return float("-inf")
        return self._sent[0] + self.span
