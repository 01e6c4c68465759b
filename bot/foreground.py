"""The work people are waiting for (their turns and their replies' sends), and background work
(announcements) stepping aside for it on the one event loop.

Every task of the process shares the loop: a step of an announcement (its send, the batch that
records it, the dispatcher's queuing, the sender's lookup) that runs while a person's turn waits
on the database takes the loop from that turn whenever its answer comes back. So background
work waits, before each such step, for a moment when no turn and no reply is under way, for at
most ``most`` seconds: a step already started finishes, but no new one starts in front of a
person. ``most`` keeps a broadcast moving however busy the conversations are (bench.broadcast
measures what the replies gain and what the announcement loses).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator


class Foreground:
    """Counts the turns and reply sends under way; ``quiet()`` waits for none (or ``most`` s)."""

    def __init__(self, most: float = 0.1) -> None:
        self.most = most
        self._running = 0
        self._idle = asyncio.Event()
        self._idle.set()
        #: Steps that waited, and those that gave up after ``most`` (benchmarks, tests).
        self.waited = 0
        self.overrun = 0

    @property
    def busy(self) -> bool:
        return self._running > 0

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """A person's turn, or the send of a reply, runs inside this block."""
        self._running += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._running -= 1
            if not self._running:
                self._idle.set()

    async def quiet(self) -> None:
        """Return once nothing runs in the foreground, or after ``most`` seconds."""
        if not self._running:
            return
        self.waited += 1
        try:
            async with asyncio.timeout(self.most):
                await self._idle.wait()
        except TimeoutError:
            self.overrun += 1
