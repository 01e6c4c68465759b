"""Webhooks store first and process after (bot/inbox.py): acknowledged once stored, processed
in each person's order, kept across a restart, a poison update consumed after a few tries."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import select

from bot.app import App, build_app
from bot.channels.zalo import ImageDownloader, read_zalo_update
from bot.channels.zalo_client import ZaloClient
from bot.channels.zalo_receive import SECRET_HEADER, WEBHOOK_PATH, ZaloReceiver, update_keys
from bot.inbox import Inbox
from bot.settings import Settings
from bot.webhook import secret_route, serve_webhooks
from storage.inbox import MAX_ATTEMPTS, claim_updates, finish_updates, store_update, waiting_count
from storage.models import ConversationState, InboundLog, OutboxMessage, StoredUpdate
from tests.fake_zalo import TOKEN, text_update
from tests.helpers import Clock

SECRET = "zalo-webhook-secret-42"


@asynccontextmanager
async def webhook_with_inbox(
    app: App, wrap: Callable[[Callable[[Any], Awaitable[None]]], Any] | None = None
) -> AsyncIterator[tuple[str, Inbox]]:
    """Zalo's webhook storing into an Inbox (not running: tests drive it); yields URL, inbox."""
    downloader = ImageDownloader()
    # Text updates never call the Zalo API: the client points nowhere.
    async with ZaloClient(TOKEN, base_url="http://127.0.0.1:9") as client:
        receiver = ZaloReceiver(app.engine, client, downloader)
        process = receiver.handle_payload if wrap is None else wrap(receiver.handle_payload)
        inbox = Inbox(app.engine.batch, app.engine.clock)
        inbox.register("zalo", update_keys, process)
        route = secret_route(
            WEBHOOK_PATH, header=SECRET_HEADER, secret=SECRET, handle=inbox.handler("zalo")
        )
        async with serve_webhooks([route], "127.0.0.1", 0) as port:
            yield f"http://127.0.0.1:{port}{WEBHOOK_PATH}", inbox
    await downloader.aclose()


async def post_all(url: str, bodies: list[dict[str, Any]]) -> list[int]:
    limits = httpx.Limits(max_connections=100)
    async with httpx.AsyncClient(limits=limits, timeout=60) as http:
        responses = await asyncio.gather(
            *(http.post(url, json=b, headers={SECRET_HEADER: SECRET}) for b in bodies)
        )
    return [r.status_code for r in responses]


async def drain(inbox: Inbox) -> None:
    while await inbox.process_waiting():
        pass


async def counts(app: App) -> tuple[int, int, int]:
    async with app.db.session() as s:
        logged = len((await s.scalars(select(InboundLog.id))).all())
        replies = len((await s.scalars(select(OutboxMessage.id))).all())
        waiting = await waiting_count(s)
    return logged, replies, waiting


def burst(users: int, per_user: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        text_update("xin chào", message_id=f"m{u}-{i}", user=f"user{u}")
        for i in range(start, start + per_user)
        for u in range(users)
    ]


async def test_a_burst_is_acknowledged_once_stored_and_processed_after(app: App) -> None:
    # Sixty at once, thirty people: the stores share the group commit's batches (200 proved
    # no more and cost 8 s a backend).
    bodies = burst(users=30, per_user=2)
    async with webhook_with_inbox(app) as (url, inbox):
        statuses = await post_all(url, bodies)
        assert statuses == [200] * len(bodies)
        assert await counts(app) == (0, 0, 60), "acknowledged before processing"
        assert await post_all(url, bodies[:10]) == [200] * 10  # redeliveries are not stored
        await drain(inbox)
    assert await counts(app) == (60, 60, 0)


async def test_one_persons_stored_updates_are_processed_in_order(app: App) -> None:
    texts = [str(i) for i in range(6)]
    bodies = [text_update(t, message_id=f"o{t}", user="u1") for t in texts]
    async with webhook_with_inbox(app) as (url, inbox):
        for body in bodies:  # the platform sends one person's messages one after the other
            assert await post_all(url, [body]) == [200]
        await drain(inbox)
    async with app.db.session() as s:
        rows = (await s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert len(rows) == 6
    async with app.db.session() as s:
        keys = (await s.scalars(select(InboundLog.update_key).order_by(InboundLog.id))).all()
    assert [k.rsplit(":", 1)[1] for k in keys] == [f"o{t}" for t in texts]


async def test_stored_updates_survive_a_restart_and_are_processed_after_it(
    settings: Settings, clock: Clock
) -> None:
    async with build_app(settings, clock=clock.now) as app:
        async with webhook_with_inbox(app) as (url, _inbox):
            assert await post_all(url, burst(users=20, per_user=1)) == [200] * 20
        assert await counts(app) == (0, 0, 20)
    # Restarted (nothing processed before the stop).
    async with build_app(settings, clock=clock.now) as app:
        async with webhook_with_inbox(app) as (_url, inbox):
            await drain(inbox)
        assert await counts(app) == (20, 20, 0)


async def test_updates_claimed_by_a_worker_that_died_are_taken_again_after_the_lease(
    app: App, clock: Clock
) -> None:
    async with webhook_with_inbox(app) as (url, inbox):
        await post_all(url, burst(users=3, per_user=1))
        async with app.db.transaction() as s:  # a worker claims them, then dies
            assert len(await claim_updates(s, ["zalo"], clock.now(), 10)) == 3
        assert await inbox.process_waiting() == 0, "still leased"
        clock.advance(minutes=2)
        await drain(inbox)
    assert await counts(app) == (3, 3, 0)


async def test_a_poison_update_is_recorded_as_failed_and_the_persons_next_one_goes_on(
    app: App, clock: Clock
) -> None:
    def poisoned(process: Callable[[Any], Awaitable[None]]) -> Callable[[Any], Awaitable[None]]:
        async def wrapped(payload: Any) -> None:
            update = read_zalo_update(payload)
            if update is not None and update.message and update.message.text == "poison":
                raise RuntimeError("cannot be processed")
            await process(payload)

        return wrapped

    bodies = [
        text_update("poison", message_id="p1", user="u1"),
        text_update("xin chào", message_id="p2", user="u1"),
        text_update("xin chào", message_id="q1", user="u2"),
    ]
    async with webhook_with_inbox(app, wrap=poisoned) as (url, inbox):
        for body in bodies:
            assert await post_all(url, [body]) == [200], "never a 500"
        for _ in range(MAX_ATTEMPTS):
            await drain(inbox)
            clock.advance(minutes=1)
        await drain(inbox)
        assert await post_all(url, bodies[:1]) == [200], "a redelivery is not stored again"
        await drain(inbox)
    async with app.db.session() as s:
        failed = (await s.scalars(select(StoredUpdate))).all()
        states = len((await s.scalars(select(ConversationState))).all())
    assert [(f.update_key, f.status, f.payload, f.attempts) for f in failed] == [
        ("message.text.received:p1", "failed", None, MAX_ATTEMPTS)
    ]
    assert await counts(app) == (2, 2, 0)
    assert states == 2


async def test_a_claim_takes_only_each_persons_earliest_waiting_update(
    app: App, clock: Clock
) -> None:
    async with app.db.transaction() as s:
        for n, user in enumerate(["p1", "p2", "p1", "p1", "p2"]):
            await store_update(s, "zalo", f"k{n}", user, {"n": n}, clock.now())

    async def claim() -> list[int]:
        async with app.db.transaction() as s:
            return [c.payload["n"] for c in await claim_updates(s, ["zalo"], clock.now(), 10)]

    assert await claim() == [0, 1], "one per person, the earliest"
    assert await claim() == [], "each person's next one waits while the first is processed"
    async with app.db.transaction() as s:
        first = await s.scalar(select(StoredUpdate.id).where(StoredUpdate.update_key == "k0"))
        assert first is not None
        await finish_updates(s, [first])
    assert await claim() == [2], "p1's next; p2's first is still being processed"
    clock.advance(minutes=2)
    assert await claim() == [1, 2], "a lapsed lease gives back the same update, not the next"
