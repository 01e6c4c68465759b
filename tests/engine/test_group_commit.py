"""Group commit keeps the engine's guarantees: one contact's failure is its own, batches really
form, and a crash in the middle of a batch under load loses nothing and repeats nothing."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App, build_app
from bot.engine import Engine
from bot.inbound import text_event
from bot.settings import Settings
from handlers.context import Context
from handlers.types import Channel, Inbound
from storage.core_writes import save_state
from storage.group_commit import Gathered, GroupCommit
from storage.models import Contact, ConversationState, InboundLog, OutboxMessage, utcnow
from storage.repositories import load_contact_and_state, record_update, someone_elses_state
from tests.engine.test_engine import CountingFlow, engine_with


class PickyFlow(CountingFlow):
    """Counts like CountingFlow, but fails on the text "boom" after changing the state."""

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        await super().on_message(event, ctx)
        if event.text == "boom":
            raise RuntimeError("handler bug")


async def test_one_failing_turn_in_a_batch_rolls_back_only_itself(app: App) -> None:
    engine = engine_with(app, answerer=PickyFlow())
    users = [f"u{i}" for i in range(30)]
    results = await asyncio.gather(
        *(engine.handle(text_event(Channel.ZALO, u, "boom" if u == "u7" else "ok")) for u in users)
    )
    # 29 turns committed (the failing one apologises in a transaction of its own), in batches.
    assert engine.batch.units == 29 and engine.batch.batches < 29, "turns were grouped"
    by_user = dict(zip(users, results, strict=True))
    assert by_user["u7"][0].payload["meta"]["intent"] == "error"
    assert all(rows[0].payload["text"] == "ok" for u, rows in by_user.items() if u != "u7")
    # Each turn gets back its own rows only, though the batch shared one session.
    assert all({r.chat_id for r in rows} == {u} for u, rows in by_user.items())
    async with app.db.session() as s:
        seen = dict(
            (
                await s.execute(
                    select(Contact.platform_user_id, ConversationState.data).join(
                        ConversationState, ConversationState.contact_id == Contact.id
                    )
                )
            ).all()
        )
    assert seen["u7"] == {}, "the failing turn's state change was rolled back"
    assert all(seen[u] == {"seen": ["ok"]} for u in users if u != "u7")


class StallingFlow(CountingFlow):
    """Counts; the text "stall" hangs the turn (and with it the whole batch) until cancelled."""

    stalled = asyncio.Event()

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        await super().on_message(event, ctx)
        if event.text.startswith("stall"):
            self.stalled.set()
            await asyncio.Event().wait()


async def _send_all(engine: Engine, texts: dict[str, list[str]]) -> None:
    """Each user's messages in order (update ids "user:i"), all users at once; a platform
    re-delivers everything not acknowledged, here simply everything."""

    async def user(name: str) -> None:
        for i, text in enumerate(texts[name]):
            await engine.handle(text_event(Channel.TELEGRAM, name, text, update_id=f"{name}:{i}"))

    await asyncio.gather(*(user(name) for name in texts))


async def test_a_crash_in_the_middle_of_a_batch_under_load_loses_and_repeats_nothing(
    settings: Settings,
) -> None:
    texts = {f"p{u}": [f"m{i}" for i in range(6)] for u in range(40)}
    texts["p13"][3] = "stall"
    flow = StallingFlow()
    async with build_app(settings) as app:
        engine = engine_with(app, answerer=flow)
        crashing = asyncio.create_task(_send_all(engine, texts))
        await asyncio.wait_for(flow.stalled.wait(), 30)
        # The process dies with a batch half done (and more queued behind it).
        await engine.batch.close(abort=True)
        crashing.cancel()
        await asyncio.gather(crashing, return_exceptions=True)
    texts["p13"][3] = "m3"  # after the restart the platform re-delivers it (and the rest)
    async with build_app(settings) as app:
        await _send_all(engine_with(app), texts)
        async with app.db.session() as s:
            logged = Counter((await s.scalars(select(InboundLog.update_key))).all())
            replies = await s.scalar(select(func.count()).select_from(OutboxMessage))
            states = dict(
                (
                    await s.execute(
                        select(Contact.platform_user_id, ConversationState.data).join(
                            ConversationState, ConversationState.contact_id == Contact.id
                        )
                    )
                ).all()
            )
    every = {f"{u}:{i}" for u, msgs in texts.items() for i in range(len(msgs))}
    assert set(logged) == every and set(logged.values()) == {1}, "each update exactly once"
    assert replies == len(every), "each with its one reply in the outbox"
    assert all(states[u] == {"seen": msgs} for u, msgs in texts.items()), "in order, no repeats"


async def test_gathered_items_are_written_once_by_one_unit_even_when_a_neighbour_fails(
    app: App,
) -> None:
    batch = GroupCommit(app.db)

    async def write(session: AsyncSession, keys: list[str]) -> None:
        now = utcnow()
        for key in keys:
            record_update(session, "console", key, None, now)

    gathered: Gathered[str] = Gathered(batch, write)

    async def failing(_session: AsyncSession) -> None:
        raise RuntimeError("neighbour bug")

    # Three callers and a failing unit queued together: the batch runs twice (the second time
    # without the failing unit); the gathered unit keeps exactly its items.
    results = await asyncio.gather(
        gathered.add(["a"]),
        gathered.add(["b", "c"]),
        batch.run(failing),
        gathered.add(["d"]),
        return_exceptions=True,
    )
    assert [r if r is None else type(r) for r in results] == [None, None, RuntimeError, None]
    await gathered.add(["e"])  # a later caller gets a new unit
    async with app.db.session() as s:
        keys = (await s.scalars(select(InboundLog.update_key))).all()
    assert sorted(keys) == ["a", "b", "c", "d", "e"], "each exactly once"
    assert batch.units == 2, "one unit for the four items queued together, one for the last"
    await batch.close()


async def test_a_unit_given_time_rides_in_the_batch_others_start_and_is_run_at_close(
    app: App,
) -> None:
    # An announcement's record may wait for the next turn's transaction instead of taking
    # SQLite's write lock for one of its own (turns arriving meanwhile waited for it).
    batch = GroupCommit(app.db)

    def write(key: str) -> Callable[[AsyncSession], Awaitable[str]]:
        async def unit(session: AsyncSession) -> str:
            record_update(session, "console", key, None, utcnow())
            return key

        return unit

    waiting = asyncio.create_task(batch.run(write("lazy"), within=3600))
    for _ in range(20):
        await asyncio.sleep(0)
    assert not waiting.done() and batch.batches == 0
    assert await batch.run(write("turn")) == "turn"
    assert await waiting == "lazy"
    assert (batch.batches, batch.units) == (1, 2), "both in the turn's transaction"
    # At shutdown a unit still waiting is written, not dropped.
    last = asyncio.create_task(batch.run(write("last"), within=3600))
    await asyncio.sleep(0)
    await batch.close()
    assert await last == "last"
    async with app.db.session() as s:
        keys = (await s.scalars(select(InboundLog.update_key))).all()
    assert sorted(keys) == ["last", "lazy", "turn"]


class NudgingFlow(CountingFlow):
    """Counts (keeping other data); "nudge <user>" changes that person's state, as an officer's
    answer does (handlers/threads.py)."""

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        if event.text.startswith("nudge "):
            person = await ctx.session.scalar(
                select(Contact).where(Contact.platform_user_id == event.text.split()[1])
            )
            assert person is not None
            state = await ctx.session.get(ConversationState, person.id)
            assert state is not None
            state.data = {**state.data, "nudged": event.text.split()[2]}
            ctx.reply("nudged")
            return
        seen = [*ctx.data.get("seen", []), event.text]
        ctx.update(seen=seen)
        ctx.reply(",".join(seen))


async def test_a_turn_changing_someone_elses_state_in_the_same_batch_loses_nothing(
    app: App,
) -> None:
    engine = engine_with(app, answerer=NudgingFlow())
    await engine.handle(text_event(Channel.ZALO, "person", "a"))
    # Both orders inside one batch: the person's own turn first, then the officer's; then the
    # officer's first. Each turn's write must see the other's.
    for first, second, mark in (("person", "officer", "1"), ("officer", "person", "2")):
        texts = {"person": f"b{mark}", "officer": f"nudge person {mark}"}
        batches = engine.batch.batches
        await asyncio.gather(
            *(engine.handle(text_event(Channel.ZALO, u, texts[u])) for u in (first, second))
        )
        assert engine.batch.batches == batches + 1, "the two turns shared one transaction"
    async with app.db.session() as s:
        data = await s.scalar(
            select(ConversationState.data)
            .join(Contact, Contact.id == ConversationState.contact_id)
            .where(Contact.platform_user_id == "person")
        )
    assert data == {"seen": ["a", "b1", "b2"], "nudged": "2"}


async def test_on_postgresql_a_batch_starts_beside_a_slow_one_and_waits_only_for_its_person(
    app: App, backend: str
) -> None:
    # On PostgreSQL batches run side by side: a turn arriving while another's transaction is
    # slow starts at once (it used to wait for that one to commit). An officer's change to a
    # person's state still waits for that person's turn under way, and both changes stay.
    if backend == "sqlite":
        pytest.skip("SQLite has one writer: one batch at a time")
    now = utcnow()
    async with app.db.transaction() as session:
        person, state = await load_contact_and_state(session, "zalo", "person", "", now)
        state.data = {"form": 1}
        await save_state(session, state)
    batch = GroupCommit(app.db)
    holding, release, started = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def persons_turn(session: AsyncSession) -> None:
        _, mine = await load_contact_and_state(session, "zalo", "person", "", utcnow())
        holding.set()
        await release.wait()
        mine.data = {**mine.data, "step": "name"}
        await save_state(session, mine)

    async def officers_answer(session: AsyncSession) -> None:
        started.set()
        _, theirs = await someone_elses_state(session, person.id)
        assert theirs is not None
        theirs.data = {**theirs.data, "answered": True}

    first = asyncio.create_task(batch.run(persons_turn))
    await asyncio.wait_for(holding.wait(), 10)
    second = asyncio.create_task(batch.run(officers_answer))
    await asyncio.wait_for(started.wait(), 10)  # not queued behind the slow turn
    # The officer's answer goes as far as it can: it waits for the person's lock (without
    # that lock it would commit, and the person's turn then write over it).
    await asyncio.wait_for(_waiting_for_a_lock_or(second, app), 10)
    release.set()
    await asyncio.wait_for(asyncio.gather(first, second), 10)
    await batch.close()
    async with app.db.reader() as session:
        data = await session.scalar(
            select(ConversationState.data).where(ConversationState.contact_id == person.id)
        )
    assert data == {"form": 1, "step": "name", "answered": True}


async def _waiting_for_a_lock_or(task: asyncio.Task[None], app: App) -> None:
    """Until ``task`` is done or a backend of this database waits for a row lock."""
    waiting = select(func.count()).select_from(sql("pg_stat_activity")).where(
        sql("wait_event_type = 'Lock' AND datname = current_database()")
    )
    while not task.done():
        async with app.db.reader() as session:
            if await session.scalar(waiting):
                return
        await asyncio.sleep(0.01)
