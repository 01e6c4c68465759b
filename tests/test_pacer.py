"""The pacer on a virtual clock: the platform's count holds in every window of ARRIVAL times,
however late sends arrive between our request and the platform's answer."""

from __future__ import annotations

import asyncio
import heapq
import random

import pytest

from bot.pacer import Pacer
from bot.rate_limits import ChannelLimits, RateLimiter
from tests.virtual_timer import VirtualTimer


class EventTimer:
    """A discrete-event clock: sleepers wake in the order of their wake-up times, and time
    jumps to the next one only when every task is waiting (pure in-memory tasks settle within
    a few loop turns). Unlike VirtualTimer, one long wait does not delay the others."""

    def __init__(self) -> None:
        self._now = 1000.0
        self._waiting: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = 0

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        self._seq += 1
        heapq.heappush(self._waiting, (self._now + max(seconds, 0.0), self._seq, future))
        await future

    async def run(self, work: asyncio.Future[object]) -> None:
        while not work.done():
            for _ in range(50):
                await asyncio.sleep(0)
            if self._waiting and not work.done():
                at, _, future = heapq.heappop(self._waiting)
                self._now = max(self._now, at)
                future.set_result(None)


async def _broadcast(n: int, seed: int, *, release_at_start: bool = False) -> list[float]:
    """``n`` concurrent sends at Telegram's limit; each arrives at a random moment of its round
    trip (up to 1.5 s), the way a busy machine or network delays requests."""
    timer = EventTimer()
    pacer = Pacer(30 * 0.98, 30, timer=timer)
    rng = random.Random(seed)
    arrivals: list[float] = []

    async def send() -> None:
        slot = await pacer.acquire()
        if release_at_start:  # the window counting sends when they start, not when answered
            slot.release()
        started = timer.now()
        trip = rng.choice([0.0, 0.001, 0.02, 0.2, 1.5]) * rng.random()
        arrivals.append(started + rng.random() * trip)
        await timer.sleep(trip)
        slot.release()

    work = asyncio.gather(*(send() for _ in range(n)))
    await timer.run(work)
    await work
    return sorted(arrivals)


def _tightest(arrivals: list[float], count: int = 30) -> float:
    """The shortest time holding ``count + 1`` arrivals (the platform wants >= 1 s)."""
    return min(b - a for a, b in zip(arrivals, arrivals[count:], strict=False))


@pytest.mark.parametrize("seed", range(8))
async def test_no_window_of_arrivals_holds_more_than_the_count(seed: int) -> None:
    arrivals = await _broadcast(150, seed)
    assert len(arrivals) == 150
    assert _tightest(arrivals) >= 1.0


async def test_counting_sends_when_they_start_would_cross_the_limit() -> None:
    # The design this replaced: the same delays put 31 arrivals in under a second.
    assert min([_tightest(await _broadcast(150, seed, release_at_start=True))
                for seed in range(8)]) < 1.0


async def test_a_steady_stream_keeps_the_planned_pace() -> None:
    timer = VirtualTimer()
    pacer = Pacer(29.4, 30, timer=timer)
    began = timer.now()
    for _ in range(295):
        (await pacer.acquire()).release()
    assert 295 / 29.4 - 0.1 <= timer.now() - began <= 295 / 29.4 + 0.1


async def test_a_pause_holds_every_send_back() -> None:
    timer = VirtualTimer()
    limiter = RateLimiter(ChannelLimits(overall_per_second=30.0), timer)
    (await limiter.acquire("1", is_group=False)).release()
    limiter.pause(5.0)
    paused_at = timer.now()
    (await limiter.acquire("2", is_group=False)).release()
    assert timer.now() - paused_at >= 5.0


async def test_chats_and_groups_keep_their_own_pace() -> None:
    timer = VirtualTimer()
    limits = ChannelLimits(overall_per_second=30.0, private_per_second=1.0, private_burst=2,
                           group_per_minute=19.0)
    limiter = RateLimiter(limits, timer)
    private, group = [], []
    for _ in range(6):
        (await limiter.acquire("7", is_group=False)).release()
        private.append(timer.now())
    for _ in range(21):
        (await limiter.acquire("-9", is_group=True)).release()
        group.append(timer.now())
    assert private[1] - private[0] < 0.1  # a reply in two parts goes at once
    assert all(b - a >= 2.0 - 1e-9 for a, b in zip(private, private[2:], strict=False))
    assert all(b - a >= 60.0 - 1e-9 for a, b in zip(group, group[19:], strict=False))
