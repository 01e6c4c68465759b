"""Issue 11, findings 7 and 8: receiving survives anything a platform (or an attacker) sends."""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.app import App
from bot.runtime import TaskHealth, supervise
from bot.webhook import RefusalLog, secret_route, serve_webhooks
from handlers.types import Channel
from storage.models import InboundLog, OutboxMessage
from tests.fake_telegram import _message, text_update, user
from tests.telegram_harness import telegram_harness, until

SECRET = "s3cret_ok"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _audio_without_unique_id(uid: int) -> dict[str, Any]:
    """What an older Bot API sent: PTB 22 cannot build an Update from it."""
    return {"message": _message(uid, 7, audio={"file_id": "old", "duration": 3})}


async def _failed_keys(app: App) -> list[str]:
    async with app.db.session() as session:
        rows = await session.scalars(select(InboundLog).where(InboundLog.failed.is_not(None)))
        return [r.update_key for r in rows]


# -- finding 7: one update PTB cannot parse no longer stops polling ------------------------------
async def test_an_unparseable_update_is_recorded_and_skipped_and_polling_goes_on(
    app: App,
) -> None:
    async with telegram_harness(app) as tg:
        tg.fake.inject(text_update(601, "/start"))
        poison = tg.fake.inject(_audio_without_unique_id(602))
        last = tg.fake.inject(text_update(603, "/start"))
        await until(lambda: tg.fake.confirmed > last["update_id"])
        await tg.sender.drain(within=10)
        assert tg.fake.texts_to(601) and tg.fake.texts_to(603)
        assert tg.fake.texts_to(602) == []
        later = await tg.user(604).type("/start")
        assert later
    assert await _failed_keys(app) == [str(poison["update_id"])]


def _kinds(uid: int) -> dict[str, tuple[dict[str, Any], bool]]:
    """Every update kind Telegram sends, and whether the person should get a reply."""
    group = {"id": -100, "type": "supergroup", "title": "Cán bộ xã"}
    private = _message(uid, 1)
    in_group = {**private, "chat": group}
    location = {"latitude": 21.8, "longitude": 105.0}
    sticker = {
        "file_id": "st",
        "file_unique_id": "ust",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    payment = {
        "currency": "VND",
        "total_amount": 1000,
        "invoice_payload": "x",
        "telegram_payment_charge_id": "t",
        "provider_payment_charge_id": "p",
    }
    poll = {
        "id": "p1",
        "question": "?",
        "options": [{"persistent_id": f"o{n}", "text": f"{n}", "voter_count": 0} for n in range(2)],
        "total_voter_count": 0,
        "is_closed": False,
        "is_anonymous": True,
        "type": "regular",
        "allows_multiple_answers": False,
        "allows_revoting": False,
        "members_only": False,
    }
    member = {
        "chat": group,
        "from": user(uid),
        "date": 1_780_000_000,
        "old_chat_member": {"status": "left", "user": user(777000)},
        "new_chat_member": {"status": "member", "user": user(777000)},
    }
    return {
        "location": ({"message": {**private, "location": location}}, True),
        "contact": (
            {"message": {**private, "contact": {"phone_number": "0912", "first_name": "A"}}},
            True,
        ),
        "voice": (
            {
                "message": {
                    **private,
                    "voice": {"file_id": "v", "file_unique_id": "uv", "duration": 2},
                }
            },
            True,
        ),
        "sticker": ({"message": {**private, "sticker": sticker}}, True),
        "poll": ({"message": {**private, "poll": poll}}, True),
        "dice": ({"message": {**private, "dice": {"emoji": "🎲", "value": 3}}}, True),
        "edited": ({"edited_message": {**private, "text": "sửa", "edit_date": 1}}, False),
        "channel_post": (
            {"channel_post": {**private, "chat": {"id": -5, "type": "channel"}, "text": "tin"}},
            False,
        ),
        "inline_query": (
            {"inline_query": {"id": "q", "from": user(uid), "query": "x", "offset": ""}},
            False,
        ),
        "pre_checkout": (
            {
                "pre_checkout_query": {
                    "id": "pc",
                    "from": user(uid),
                    "currency": "VND",
                    "total_amount": 1000,
                    "invoice_payload": "x",
                }
            },
            False,
        ),
        "payment": ({"message": {**private, "successful_payment": payment}}, False),
        "poll_update": ({"poll": poll}, False),
        "my_chat_member": ({"my_chat_member": member}, False),
        "joined": ({"message": {**in_group, "new_chat_members": [user(uid)]}}, False),
        "left": ({"message": {**in_group, "left_chat_member": user(uid)}}, False),
        "pinned": ({"message": {**private, "pinned_message": {**private, "text": "x"}}}, False),
        "group_sticker": ({"message": {**in_group, "sticker": sticker}}, False),
        "other_bot": (
            {"message": {**private, "from": {**user(uid), "is_bot": True}, "text": "hi"}},
            False,
        ),
        "callback_without_message": (
            {
                "callback_query": {
                    "id": "c",
                    "from": user(uid),
                    "chat_instance": "i",
                    "data": "menu:main",
                }
            },
            True,
        ),
    }


async def test_every_update_kind_is_handled_or_ignored_without_a_reply(app: App) -> None:
    async with telegram_harness(app) as tg:
        expected: dict[str, bool] = {}
        for n, (name, (update, replies)) in enumerate(_kinds(700).items()):
            uid = 700 + n
            update = _kinds(uid)[name][0]
            tg.fake.inject({"update_id": 6000 + n, **update})
            expected[name] = replies
        await until(lambda: tg.fake.confirmed > 6000 + len(expected) - 1)
        await tg.sender.drain(within=10)
        answered = {name: bool(tg.fake.texts_to(700 + n)) for n, name in enumerate(expected)}
    assert answered == expected
    assert await _failed_keys(app) == []


# -- the webhook: status codes and a poison update ----------------------------------------------
async def test_webhook_bodies_that_are_not_updates_get_400_not_500(app: App) -> None:
    async with telegram_harness(app) as tg:
        route = secret_route(
            "/webhook/telegram", header=HEADER, secret=SECRET, handle=tg.channel.handle_json
        )
        deep = "[" * 100_000 + "]" * 100_000
        deep_object = '{"a":' * 50_000 + "1" + "}" * 50_000
        async with serve_webhooks([route], "127.0.0.1", 0) as port, aiohttp.ClientSession() as s:
            url = f"http://127.0.0.1:{port}/webhook/telegram"

            async def post(body: str | bytes) -> int:
                headers = {HEADER: SECRET, "Content-Type": "application/json"}
                async with s.post(url, data=body, headers=headers) as response:
                    return response.status

            statuses = {
                "empty object": await post("{}"),
                "nested list": await post(deep),
                "nested object": await post(deep_object),
                "not json": await post("{not json"),
                "not utf-8": await post(b'{"update_id": "\xff"}'),
                "a list": await post("[1, 2]"),
                "id not a number": await post('{"update_id": "1"}'),
                "too large": await post('{"x": "' + "a" * 1_100_000 + '"}'),
            }
            poison = await post(
                '{"update_id": 77, "message": {"message_id": 1, "chat": {"id": 1}}}'
            )
            again = await post('{"update_id": 77, "message": {"message_id": 1, "chat": {}}}')
    assert statuses == {
        "empty object": 400,
        "nested list": 400,
        "nested object": 400,
        "not json": 400,
        "not utf-8": 400,
        "a list": 400,
        "id not a number": 400,
        "too large": 413,
    }
    assert (poison, again) == (200, 200)
    assert await _failed_keys(app) == ["77"]


async def test_a_webhook_update_that_keeps_failing_is_given_up_after_three_tries(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with telegram_harness(app) as tg:

        async def broken(_update: Any) -> None:
            raise ConnectionError("download failed")

        monkeypatch.setattr(tg.channel, "handle_update", broken)
        body = {"update_id": 88, **text_update(801, "hello")}
        statuses = []
        for _ in range(4):
            try:
                await tg.channel.handle_json(body)
                statuses.append(200)
            except ConnectionError:
                statuses.append(500)
    assert statuses == [500, 500, 200, 200]
    assert await _failed_keys(app) == ["88"]


def test_a_flood_of_bad_secrets_is_one_log_line_a_minute(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    refusals = RefusalLog("/webhook/zalo", clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="bot.webhook"):
        for n in range(10_000):
            now[0] = n * 0.01  # 100 a second for 100 seconds
            refusals.refused("wrong" if n % 2 else "missing")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2  # at 0 s and at 60 s
    assert "1 requests refused" in lines[0]
    assert "6000 requests refused (403) since the last report: 3000 without" in lines[1]


# -- a receiver that dies anyway is restarted, and /healthz says so ------------------------------
async def test_a_crashing_receiver_is_restarted_with_backoff_and_healthz_reports_it() -> None:
    runs: list[float] = []
    loop = asyncio.get_running_loop()
    release = asyncio.Event()

    async def receiver() -> None:
        runs.append(loop.time())
        if len(runs) < 4:
            raise RuntimeError("polling died")
        await release.wait()

    health = TaskHealth()
    task = asyncio.create_task(
        supervise("telegram:poll", receiver, health, backoff_base=0.05, backoff_max=1.0)
    )
    await until(lambda: len(runs) == 4)
    gaps = [b - a for a, b in itertools.pairwise(runs)]
    assert gaps[0] >= 0.05 and gaps[1] >= 0.1 and gaps[2] >= 0.2  # doubling pauses
    assert health.as_json() == {"running": True, "restarts": 3, "last_error": "RuntimeError"}
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    report = {"status": "degraded", "tasks": {"zalo:poll": TaskHealth().as_json()}}
    async with (
        serve_webhooks([], "127.0.0.1", 0, health=lambda: report) as port,
        aiohttp.ClientSession() as s,
        s.get(f"http://127.0.0.1:{port}/healthz") as r,
    ):
        assert (r.status, await r.json()) == (503, report)


async def test_outbox_gets_nothing_for_a_poison_update(app: App) -> None:
    async with telegram_harness(app) as tg:
        await tg.channel.handle_raw(_audio_without_unique_id(900) | {"update_id": 9})
    async with app.db.session() as session:
        assert (await session.scalars(select(OutboxMessage))).all() == []
    assert await _failed_keys(app) == ["9"]
    assert Channel.TELEGRAM.value == "telegram"
