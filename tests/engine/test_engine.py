"""The engine's guarantees: de-duplication, per-contact order, one transaction, no silence."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import func, select

from bot.app import App
from bot.engine import Engine
from bot.inbound import text_event
from handlers.callbacks import CallbackData
from handlers.context import Context
from handlers.flow import Flow
from handlers.menu import MenuFlow
from handlers.router import Router
from handlers.types import Channel, Inbound, Recipient, Reply
from storage.models import ConversationState, InboundLog, OutboxMessage


class CountingFlow(Flow):
    """Appends every text to the flow data and replies with the list so far."""

    name = "count"

    async def start(self, event: Inbound, ctx: Context) -> None:
        await self.on_message(event, ctx)

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        seen = [*ctx.data.get("seen", []), event.text]
        ctx.enter(self.name, "counting", {"seen": seen})
        ctx.reply(",".join(seen), intent="flow:count")


class ExplodingFlow(Flow):
    """Changes the state, then fails: the change must not survive."""

    name = "boom"

    async def start(self, event: Inbound, ctx: Context) -> None:
        ctx.enter(self.name, "half-done", {"written": True})
        ctx.reply("never sent")
        raise RuntimeError("handler bug")


def engine_with(app: App, *flows: Flow, answerer: Flow | None = None) -> Engine:
    router = Router([MenuFlow(), *flows], answerer=answerer or CountingFlow())
    return Engine(app.db, router, app.files, clock=app.engine.clock)


async def test_a_redelivered_update_is_processed_once(app: App) -> None:
    engine = engine_with(app)
    event = text_event(Channel.TELEGRAM, "42", "một", update_id="1001")
    first = await engine.handle(event)
    second = await engine.handle(event)
    assert len(first) == 1
    assert second == []
    async with app.db.session() as s:
        assert await s.scalar(select(func.count()).select_from(OutboxMessage)) == 1
        assert await s.scalar(select(func.count()).select_from(InboundLog)) == 1


async def test_updates_without_ids_are_never_deduplicated(app: App) -> None:
    engine = engine_with(app)
    event = text_event(Channel.CONSOLE, "u", "một")
    await engine.handle(event)
    rows = await engine.handle(event)
    assert rows[0].payload["text"] == "một,một"


async def test_messages_of_one_contact_are_processed_in_order_across_100_contacts(
    app: App,
) -> None:
    engine = engine_with(app)
    per_contact = 5
    tasks = [
        # Words, not bare numbers: a bare number outside a flow is an option number (router).
        asyncio.create_task(engine.handle(text_event(Channel.ZALO, f"user{c}", f"tin {i}")))
        for i in range(per_contact)
        for c in range(100)
    ]
    await asyncio.gather(*tasks)
    async with app.db.session() as s:
        states = (await s.scalars(select(ConversationState))).all()
    assert len(states) == 100
    expected = [f"tin {i}" for i in range(per_contact)]
    assert all(state.data["seen"] == expected for state in states)


async def test_per_contact_locks_are_forgotten_once_idle(app: App) -> None:
    engine = engine_with(app)
    await asyncio.gather(
        *(engine.handle(text_event(Channel.ZALO, f"user{c}", "x")) for c in range(50))
    )
    assert len(engine._locks) == 0


async def test_a_failing_handler_leaves_state_unchanged_and_apologises(app: App) -> None:
    engine = engine_with(app, ExplodingFlow(), answerer=ExplodingFlow())
    rows = await engine.handle(text_event(Channel.CONSOLE, "u", "xin chào", update_id="7"))
    assert len(rows) == 1
    payload = rows[0].payload
    assert payload["meta"]["intent"] == "error"
    assert payload["meta"]["error_id"] in payload["text"]
    assert payload["buttons"], "the apology offers the menu"
    async with app.db.session() as s:
        state = await s.scalar(select(ConversationState))
        assert state is not None and state.flow is None and state.data == {}
        texts = (await s.scalars(select(OutboxMessage.payload))).all()
    assert all(p["text"] != "never sent" for p in texts)
    # The failed update is logged: a redelivery does not apologise twice.
    assert await engine.handle(text_event(Channel.CONSOLE, "u", "xin chào", update_id="7")) == []


async def test_state_and_replies_commit_together(app: App) -> None:
    engine = engine_with(app)
    await engine.handle(text_event(Channel.CONSOLE, "u", "a"))
    async with app.db.session() as s:
        state = await s.scalar(select(ConversationState))
        pending = await s.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")
        )
    assert state is not None and state.data == {"seen": ["a"]}
    assert pending == 1


@dataclass(frozen=True)
class Redo(CallbackData, prefix="count:redo"):
    pass


class NotifyingFlow(Flow):
    """Sends the other user a question with options, as a review decision does."""

    name = "notify"

    async def start(self, event: Inbound, ctx: Context) -> None:
        await self.on_message(event, ctx)

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        ctx.send(
            Recipient(Channel.ZALO, "family"),
            Reply("Chụp lại giấy tờ?", [[Redo().button("Gửi lại")]]),
        )
        ctx.reply("Đã báo gia đình.")


async def test_a_number_refers_to_the_options_of_the_last_message_received(app: App) -> None:
    officer = engine_with(app, NotifyingFlow(), answerer=NotifyingFlow())
    family = engine_with(app)
    await family.handle(text_event(Channel.ZALO, "family", "xin chào"))
    await officer.handle(text_event(Channel.ZALO, "officer", "từ chối"))
    rows = await family.handle(text_event(Channel.ZALO, "family", "1"))
    # "1" became the "Gửi lại" button, routed to the flow named by its id prefix.
    assert rows[0].payload["text"] == "xin chào,Gửi lại"
