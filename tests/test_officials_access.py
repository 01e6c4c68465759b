"""Role and unit scope for every officer command: a matrix of senders × commands."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.officials.accounts import revoke_officer
from handlers.types import Channel
from storage.models import Officer
from tests.helpers import Clock, say, texts
from tests.officials_helpers import add_plan, make_officer, unit_id

REFUSED = "flow:officials.refused"
#: Who sends: None = a citizen; (role, unit) for officers.
SENDERS = {
    "citizen": None,
    "commune_own": ("commune", "Phù Lưu"),
    "commune_other": ("commune", "Yên Phú"),
    "office": ("office", None),
    "training": ("training", None),
    "admin": ("admin", None),
}
#: command (with the Phù Lưu unit argument where the command takes one) → senders allowed.
MATRIX = {
    "/tiendo Phù Lưu": {"commune_own", "office", "training", "admin"},
    "/quahan Phù Lưu": {"commune_own", "office", "training", "admin"},
    "/hoso Phù Lưu": {"commune_own", "office", "training", "admin"},
    "/nopds Phù Lưu": {"commune_own", "office", "training", "admin"},
    "/tiendo": {"commune_own", "commune_other", "office", "training", "admin"},
    "/quahan": {"commune_own", "commune_other", "office", "training", "admin"},
    "/hoso": {"commune_own", "commune_other", "office", "training", "admin"},
    "/baocao năm": {"commune_own", "commune_other", "office", "training", "admin"},
    # Reporting a submission without naming a unit only makes sense for a commune officer.
    "/nopds": {"commune_own", "commune_other"},
}


@pytest.mark.parametrize("sender", list(SENDERS))
@pytest.mark.parametrize("command", list(MATRIX))
async def test_command_scope(sqlite_app: App, clock: Clock, sender: str, command: str) -> None:
    app = sqlite_app
    # Phù Lưu is 3 trainees short; its figures must never reach someone outside its scope.
    await add_plan(app, "Phù Lưu", "ntp_2026", 2026, 47, date(2026, 7, 1), submitted=(44,))
    who = SENDERS[sender]
    if who is not None:
        await make_officer(app, clock, "u1", who[0], who[1])
    lines = await say(app, "u1", command)
    allowed = sender in MATRIX[command]
    intent = lines[0]["meta"]["intent"]
    if allowed:
        assert intent != REFUSED, texts(lines)
    else:
        assert [line["meta"]["intent"] for line in lines] == [REFUSED]
        assert "44/47" not in texts(lines)
        assert lines[0].get("attachments") is None


async def test_officer_of_other_commune_sees_no_figures(sqlite_app: App, clock: Clock) -> None:
    await add_plan(sqlite_app, "Phù Lưu", "ntp_2026", 2026, 47, date(2026, 7, 1), submitted=(44,))
    await make_officer(sqlite_app, clock, "yp", "commune", "Yên Phú")
    await make_officer(sqlite_app, clock, "pl", "commune", "Phù Lưu")
    mine = texts(await say(sqlite_app, "pl", "/tiendo"))
    theirs = texts(await say(sqlite_app, "yp", "/tiendo Phu Luu"))
    assert "44/47" in mine and "⛔" in mine
    assert "44/47" not in theirs and "không xem được" in theirs


async def test_officer_can_still_use_the_bot_as_a_citizen(sqlite_app: App, clock: Clock) -> None:
    await make_officer(sqlite_app, clock, "u1", "commune", "Phù Lưu")
    lines = await say(sqlite_app, "u1", "/start")  # what waits for the officer first
    assert lines[0]["meta"]["intent"] == "flow:officer_home"
    lines = await say(sqlite_app, "u1", "đi Nhật cần những điều kiện gì")
    assert lines[0]["meta"]["intent"].startswith("faq:abroad.")


async def test_revoked_officer_is_refused(sqlite_app: App, clock: Clock) -> None:
    await make_officer(sqlite_app, clock, "u1", "office")
    async with sqlite_app.db.session() as session, session.begin():
        officer = (await session.scalars(select(Officer))).one()
        assert await revoke_officer(session, officer.id, clock.now())
    lines = await say(sqlite_app, "u1", "/tiendo")
    assert lines[0]["meta"]["intent"] == REFUSED


async def test_zalo_officer_gets_commands_too(sqlite_app: App, clock: Clock) -> None:
    await add_plan(sqlite_app, "Phù Lưu", "ntp_2026", 2026, 47, date(2026, 7, 1), submitted=(44,))
    await make_officer(sqlite_app, clock, "z1", "commune", "Phù Lưu", channel=Channel.ZALO)
    lines = await say(sqlite_app, "z1", "/quahan", channel=Channel.ZALO)
    assert "44/47" in texts(lines) and "trễ 9 ngày" in texts(lines)


async def test_hoso_lists_waiting_dossiers_with_their_unit(sqlite_app: App, clock: Clock) -> None:
    from storage.models import Case, DossierTracker

    app = sqlite_app
    units = [await unit_id(app, name) for name in ("Phù Lưu", "Yên Phú")]
    async with app.db.session() as session, session.begin():
        for n, uid in enumerate(units):
            case = Case(ref=f"HY-H-{n}", kind="abroad", unit_id=uid, full_name=f"Người {n}")
            session.add(case)
            await session.flush()
            session.add(DossierTracker(case_id=case.id, status="ready"))
    await make_officer(app, clock, "of", "office")
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    office = await say(app, "of", "/hoso")
    assert "HY-H-0 · Người 0 · Phù Lưu" in texts(office)
    assert "HY-H-1 · Người 1 · Yên Phú" in texts(office)
    assert len(office[0]["buttons"]) == 2
    commune = await say(app, "pl", "/hoso")
    assert "HY-H-0 · Người 0 · Phù Lưu" in texts(commune) and "HY-H-1" not in texts(commune)
