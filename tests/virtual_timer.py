"""A virtual clock for pacing tests: waiting costs no wall time and no machine load can bend it.

``sleep(d)`` lets every other ready task run once, then the clock stands at least ``d`` after
the moment the sleep began (several sleepers: the latest target wins, as if the loop woke late).
Time moves only when something sleeps, so a request in flight sees the clock move only if a
sleeper's target passes meanwhile, and a fake server stamping arrivals with ``now()`` stamps
them between the start of the request and its answer, as a real platform would.
"""

from __future__ import annotations

import asyncio


class VirtualTimer:
    def __init__(self, start: float = 1000.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        target = self._now + max(seconds, 0.0)
        await asyncio.sleep(0)
        self._now = max(self._now, target)
