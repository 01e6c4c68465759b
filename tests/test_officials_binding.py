"""Binding an officer account with a one-time code, and notices reaching the right officers."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App, build_flows
from bot.channels.telegram_commands import officer_commands
from handlers.notices import record_notice
from handlers.officials.accounts import hash_code
from storage.models.plan import OfficerInvite
from tests.helpers import Clock, say, texts
from tests.officials_helpers import invite, make_officer, pending_outbox, unit_id


async def test_code_binds_once_and_is_stored_hashed(app: App, clock: Clock) -> None:
    code = await invite(app, clock, "commune", "Phù Lưu")
    ok = await say(app, "u1", f"/canbo {code.lower()}")
    assert ok[0]["meta"]["intent"] == "flow:officials.bind.ok"
    assert "Phù Lưu" in texts(ok)
    async with app.db.session() as session:
        stored = (await session.scalars(select(OfficerInvite))).one()
    assert stored.code_hash == hash_code(code) and code not in stored.code_hash
    again = await say(app, "u2", f"/canbo {code}")
    assert again[0]["meta"]["intent"] == "flow:officials.bind.invalid"


async def test_wrong_used_and_expired_codes_get_the_same_answer(app: App, clock: Clock) -> None:
    used = await invite(app, clock, "office")
    await say(app, "u1", f"/canbo {used}")
    expired = await invite(app, clock, "office")
    clock.advance(hours=72, seconds=1)
    answers = [texts(await say(app, "u2", f"/canbo {c}")) for c in ("ABCDE-FGHJK", used, expired)]
    assert answers[0] == answers[1] == answers[2]
    assert (await say(app, "u2", "/tiendo"))[0]["meta"]["intent"] == "flow:officials.refused"


async def test_code_still_valid_just_before_72_hours(app: App, clock: Clock) -> None:
    code = await invite(app, clock, "office")
    clock.advance(hours=71, minutes=59)
    assert (await say(app, "u1", f"/canbo {code}"))[0]["meta"]["intent"].endswith("bind.ok")


async def test_pending_notice_is_delivered_when_the_officer_binds(app: App, clock: Clock) -> None:
    phu_luu = await unit_id(app, "Phù Lưu")
    async with app.db.session() as session, session.begin():
        await record_notice(
            session,
            kind="new_case",
            text_key="officials.notice.generic",
            params={"kind": "hồ sơ mới", "unit": "Phù Lưu"},
            now=clock.now(),
            unit_id=phu_luu,
        )
    assert await pending_outbox(app) == []
    lines = await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    rows = await pending_outbox(app)
    assert [(r.chat_id, r.intent) for r in rows] == [("pl", "notice")]
    # Shown in the binding turn (a delivered row keeps no body).
    notices = [line["text"] for line in lines if line["meta"]["intent"] == "notice"]
    assert len(notices) == 1 and "hồ sơ mới" in notices[0]


async def test_notice_goes_at_once_to_commune_or_else_the_office(app: App, clock: Clock) -> None:
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await make_officer(app, clock, "of", "office")
    units = [await unit_id(app, name) for name in ("Phù Lưu", "Yên Phú")]
    async with app.db.session() as session, session.begin():
        for uid in units:
            await record_notice(
                session, kind="new_case", text_key="no.such.key", now=clock.now(), unit_id=uid
            )
        await record_notice(session, kind="handoff", text_key="no.such.key", now=clock.now())
    # A notice whose text key is missing still arrives, with a generic text.
    assert [r.chat_id for r in await pending_outbox(app)] == ["pl", "of", "of"]


async def test_every_officer_command_is_named_where_officers_look(app: App, clock: Clock) -> None:
    """The bind message, /help and the Telegram command menu never named /thongbao and
    /khaosat: an officer trying the bot had no way to learn that announcements and the survey
    exist. Every officer command the bot has is now in all three."""
    lines = await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    helped = texts(await say(app, "cb", "/help"))
    have = {c for flow in build_flows() for c in flow.commands}
    menu = {c.command for c in officer_commands(have)}
    for command in ("dangky", "hoso", "tiendo", "quahan", "thongbao", "khaosat", "baocao"):
        assert f"/{command}" in texts(lines) and f"/{command}" in helped, command
        assert command in menu, command
