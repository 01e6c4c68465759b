"""A new class is announced once, and only while people can still join it.

Two officers of a commune both got the offer «Thông báo lớp này», both tapped it and «Gửi»: two
announcements of the same class reached every subscriber; so did a second tap of an old offer.
Now a class announced already (by anyone, alone or in a joint announcement) is said so — by
whom, when, how far it got — with that announcement's report and «Vẫn gửi lại»; the check is
made again at «Gửi», the class's row locked, so two officers confirming at once (two processes
on PostgreSQL) send one announcement. A class whose start date has passed (added or imported so,
or started since its offer) is never offered nor announced, and the terminal warns of it.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from bot.inbound import button_event
from bot.simulate import output_lines
from handlers.outreach.new_class import offer_new_courses, start_offering
from handlers.types import Channel
from messages import t
from scheduler.broadcasts import Dispatcher, DispatchPolicy
from storage.course_announcements import lock_courses
from storage.importers import import_file
from storage.models import Broadcast, Course, OutboxMessage, utcnow
from storage.outreach_repo import create_broadcast
from tests.helpers import Clock, intents, press, run_cli, say, texts
from tests.officials_helpers import invite
from tests.outreach_support import person, unit_id
from tests.test_import_hardening import _csv

HEADER = ["unit", "trade", "start_date", "venue", "seats", "status", "code", "duration_days"]
#: The test clock's day is 10/07/2026 (tests.helpers.Clock).
SOON = date(2026, 8, 3)


async def officer(app: App, clock: Clock, user: str, name: str) -> None:
    code = await invite(app, clock, "commune", "Phù Lưu")
    lines = await say(app, user, f"/canbo {code}", name=name)
    assert intents(lines) == ["flow:officials.bind.ok"], lines


async def setting(app: App, clock: Clock) -> int:
    """Two officers of Phù Lưu, a subscriber there; the bot has looked at the classes once."""
    pl = await unit_id(app, "Phù Lưu")
    await officer(app, clock, "cb1", "Nguyễn Văn Bình")
    await officer(app, clock, "cb2", "Lò Thị Hoa")
    await person(app, "sub", clock.now(), unit=pl, topics=["training"])
    async with app.db.transaction() as session:
        await offer_new_courses(session, clock.now())
    return pl


async def add_class(
    app: App, pl: int, code: str, start: date = SOON, trade: str = "Hàn điện"
) -> int:
    async with app.db.transaction() as session:
        course = Course(code=code, occupation=trade, unit_id=pl, start_date=start, seats=20)
        session.add(course)
        await session.flush()
        return course.id


async def offers(app: App, user: str) -> list[OutboxMessage]:
    async with app.db.session() as session:
        return list(await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == user)
            .where(OutboxMessage.payload["meta"]["notice"].as_string() == "course_offer")
            .order_by(OutboxMessage.id)
        ))


async def tap(app: App, user: str, button_id: str) -> list[dict[str, Any]]:
    """A button pressed by its id (an offer's, however old)."""
    return await app.handle_locally(
        button_event(Channel.CONSOLE, user, button_id=button_id), partial(output_lines, 0)
    )


async def broadcasts(app: App) -> list[Broadcast]:
    async with app.db.session() as session:
        return list(await session.scalars(select(Broadcast).order_by(Broadcast.id)))


def offered_button(offer: OutboxMessage, row: int = 0) -> str:
    return str(offer.payload["buttons"][row][0][0])


async def test_a_class_announced_by_one_officer_is_not_announced_again_by_a_tap(
    app: App, clock: Clock
) -> None:
    pl = await setting(app, clock)
    await add_class(app, pl, "HD-1")
    async with app.db.transaction() as session:
        assert await offer_new_courses(session, clock.now()) == 2
    [offer1], [offer2] = await offers(app, "cb1"), await offers(app, "cb2")
    # Both open the offer; the first sends.
    assert intents(await tap(app, "cb1", offered_button(offer1))) == ["flow:broadcast.preview"]
    assert intents(await tap(app, "cb2", offered_button(offer2))) == ["flow:broadcast.preview"]
    assert intents(await press(app, "cb1", t("compose.button.send"))) == [
        "flow:broadcast.created"]
    [first] = await broadcasts(app)
    # The second «Gửi» sends nothing: who sent it, when, and the way to its report or a resend.
    told = await press(app, "cb2", t("compose.button.send"))
    assert intents(told) == ["flow:broadcast.announced"]
    assert f"thông báo #{first.id} của Nguyễn Văn Bình" in texts(told)
    assert "Hàn điện (khai giảng 03/08/2026)" in texts(told) and "08:00 10/07/2026" in texts(told)
    assert told[0]["buttons"] == [[t("compose.button.report_one", id=first.id)],
                                  [t("compose.button.announce_again")]]
    assert len(await broadcasts(app)) == 1
    report = await press(app, "cb2", t("compose.button.report_one", id=first.id))
    assert intents(report) == ["flow:broadcast.report"]
    assert texts(report).startswith(f"Thông báo #{first.id} (")
    # The old offer tapped again by the officer who sent it: told so, nothing sent.
    again = await tap(app, "cb1", offered_button(offer1))
    assert intents(again) == ["flow:broadcast.announced"] and "chính anh/chị" in texts(again)
    assert len(await broadcasts(app)) == 1
    # A reminder is a real need: «Vẫn gửi lại», then «Gửi».
    stale_again = again[0]["buttons"][1][0]
    preview = await press(app, "cb1", stale_again)
    assert intents(preview) == ["flow:broadcast.preview"]
    assert intents(await press(app, "cb1", t("compose.button.send"))) == [
        "flow:broadcast.created"]
    _, second = await broadcasts(app)
    assert second.course_id == first.course_id
    # «Vẫn gửi lại» of the message about the first one, pressed after the reminder went: told
    # of the reminder, not a third announcement.
    later = await tap(app, "cb2", f"broadcast:course:{first.course_id}:{first.id}")
    assert intents(later) == ["flow:broadcast.announced"]
    assert f"thông báo #{second.id} của Nguyễn Văn Bình" in texts(later)
    assert len(await broadcasts(app)) == 2


async def test_two_officers_confirming_at_once_send_one_announcement(
    app: App, clock: Clock
) -> None:
    pl = await setting(app, clock)
    course_id = await add_class(app, pl, "HD-1")
    for user in ("cb1", "cb2"):
        await tap(app, user, f"broadcast:course:{course_id}")
    answers = await asyncio.gather(
        press(app, "cb1", t("compose.button.send")), press(app, "cb2", t("compose.button.send"))
    )
    assert sorted(intents(a)[0] for a in answers) == [
        "flow:broadcast.announced", "flow:broadcast.created"]
    assert len(await broadcasts(app)) == 1


async def test_a_confirmation_waits_for_another_process_announcing_the_same_class(
    app: App, clock: Clock, backend: str
) -> None:
    """PostgreSQL (SQLite has one writer): another process has announced the class and not
    committed yet. The officer's «Gửi» waits for the class's row, then reads that announcement
    and sends nothing."""
    if backend != "postgres":
        pytest.skip("only PostgreSQL runs two writers at once")
    pl = await setting(app, clock)
    course_id = await add_class(app, pl, "HD-1")
    await tap(app, "cb2", f"broadcast:course:{course_id}")
    async with app.db.transaction() as session:
        await lock_courses(session, [course_id])
        await create_broadcast(session, unit_ids=[pl], interest="training", text="Lớp hàn.",
                               send_at=clock.now(), now=clock.now(), course_id=course_id)
        confirming = asyncio.ensure_future(press(app, "cb2", t("compose.button.send")))
        await asyncio.sleep(0.5)
        assert not confirming.done()  # waiting for the class's row
    told = await confirming
    assert intents(told) == ["flow:broadcast.announced"]
    assert "văn phòng (gửi từ máy tính)" in texts(told)
    assert len(await broadcasts(app)) == 1


async def test_a_joint_announcement_counts_for_each_class_it_names(
    app: App, clock: Clock
) -> None:
    await setting(app, clock)
    rows = [["Phù Lưu", trade, f"0{day}/08/2026", "", "", "", f"PL-{day}", ""]
            for day, trade in ((3, "Hàn điện"), (4, "Mộc"), (5, "Nấu ăn"))]
    async with app.db.transaction() as session:
        await start_offering(session, clock.now())
        await import_file(session, "courses", _csv([HEADER, *rows]), now=clock.now())
        assert await offer_new_courses(session, clock.now()) == 2
    [offer1], [offer2] = await offers(app, "cb1"), await offers(app, "cb2")
    # cb1 announces «Mộc» alone; cb2's «Thông báo chung» leaves it out and says so.
    await tap(app, "cb1", offered_button(offer1, 2))
    await press(app, "cb1", t("compose.button.send"))
    joint = await tap(app, "cb2", offered_button(offer2))
    assert intents(joint) == ["flow:broadcast.announced", "flow:broadcast.preview"]
    assert texts(joint[:1]) == t("compose.courses_left_out", count=1)
    assert "Hàn điện" in joint[1]["text"] and "Nấu ăn" in joint[1]["text"]
    assert "Mộc" not in joint[1]["text"]
    # cb1 opens the joint one too; cb2 sends first: cb1's «Gửi» sends nothing.
    assert intents(await tap(app, "cb1", offered_button(offer1))) == [
        "flow:broadcast.announced", "flow:broadcast.preview"]
    assert intents(await press(app, "cb2", t("compose.button.send"))) == [
        "flow:broadcast.created"]
    stale = await press(app, "cb1", t("compose.button.send"))
    assert intents(stale) == ["flow:broadcast.announced"]
    assert texts(stale) == t("compose.courses_changed")
    assert len(await broadcasts(app)) == 2
    # Nothing is left to announce jointly, and a class of it alone is told of the joint one.
    again = await press(app, "cb1", t("compose.button.courses_again"))
    assert intents(again) == ["flow:broadcast.announced"]
    assert texts(again) == t("compose.courses_all_announced")
    _, joint_sent = await broadcasts(app)
    alone = await tap(app, "cb1", offered_button(offer1, 1))  # «Chỉ báo lớp Hàn điện»
    assert intents(alone) == ["flow:broadcast.announced"]
    assert f"thông báo #{joint_sent.id} của Lò Thị Hoa" in texts(alone)


async def test_a_class_that_started_is_neither_offered_nor_announced(
    app: App, clock: Clock
) -> None:
    pl = await setting(app, clock)
    await add_class(app, pl, "OLD", start=date(2020, 1, 20), trade="Trồng nấm")
    async with app.db.transaction() as session:
        assert await offer_new_courses(session, clock.now()) == 0
    assert await offers(app, "cb1") == []
    old = (await courses_by_code(app))["OLD"]
    refused = await tap(app, "cb1", f"broadcast:course:{old.id}")  # a forged or old button
    assert intents(refused) == ["flow:broadcast.refused"]
    assert "đã khai giảng ngày 20/01/2020" in texts(refused)
    # A class offered before it started: its offer tapped, or its preview confirmed, after.
    course_id = await add_class(app, pl, "HD-1", start=date(2026, 7, 12))
    async with app.db.transaction() as session:
        assert await offer_new_courses(session, clock.now()) == 2
    await tap(app, "cb2", f"broadcast:course:{course_id}")
    clock.advance(days=3)
    assert intents(await tap(app, "cb1", f"broadcast:course:{course_id}")) == [
        "flow:broadcast.refused"]
    late = await press(app, "cb2", t("compose.button.send"))
    assert intents(late) == ["flow:broadcast.refused"] and "12/07/2026" in texts(late)
    assert await broadcasts(app) == []


async def test_a_start_date_put_right_gets_the_class_offered(app: App, clock: Clock) -> None:
    """The running bot's dispatcher: a class that had started is not offered (nor marked as
    offered); once its date is put right (``courses add --code …``), it is."""
    pl = await setting(app, clock)
    dispatcher = Dispatcher(app.db, DispatchPolicy(app.settings.zone), clock=clock.now)
    await dispatcher._offer_new_courses()
    course_id = await add_class(app, pl, "TYPO", start=date(2020, 7, 20))
    assert await dispatcher._offer_new_courses() == 0
    async with app.db.transaction() as session:
        course = await session.get(Course, course_id)
        assert course is not None
        course.start_date = SOON
    assert await dispatcher._offer_new_courses() == 2
    assert await dispatcher._offer_new_courses() == 0


async def courses_by_code(app: App) -> dict[str, Course]:
    async with app.db.session() as session:
        return {c.code: c for c in await session.scalars(select(Course))}


# -- the terminal (the real clock: the command's own) -------------------------------------------
async def test_adding_a_class_that_started_warns_and_it_is_not_offered(
    app: App, clock: Clock, terminal: None, capsys: pytest.CaptureFixture[str]
) -> None:
    await setting(app, clock)
    past = utcnow().date() - timedelta(days=30)
    assert await run_cli("courses", "add", "--unit", "Phù Lưu", "--trade", "Trồng nấm",
                     "--start", past.isoformat(), "--seats", "10") == 0
    said = capsys.readouterr()
    [course] = [c for c in (await courses_by_code(app)).values() if c.occupation == "Trồng nấm"]
    assert said.out.strip() == t("courses.cli.added_quiet", code=course.code, trade="Trồng nấm",
                                 unit="Phù Lưu", start=f"{past:%d/%m/%Y}")
    assert said.err.startswith("Lưu ý: lớp ") and f"--code {course.code}" in said.err
    async with app.db.transaction() as session:
        assert await offer_new_courses(session, utcnow()) == 0
    # The date put right, by the class's code: offered then.
    ahead = utcnow().date() + timedelta(days=60)
    assert await run_cli("courses", "add", "--code", course.code, "--unit", "Phù Lưu",
                     "--trade", "Trồng nấm", "--start", ahead.isoformat(), "--seats", "10") == 0
    assert capsys.readouterr().err == ""
    async with app.db.transaction() as session:
        assert await offer_new_courses(session, utcnow()) == 2


async def test_an_import_names_the_classes_that_started(
    app: App, clock: Clock, terminal: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await setting(app, clock)
    past, ahead = utcnow().date() - timedelta(days=400), utcnow().date() + timedelta(days=60)
    file = tmp_path / "lop.csv"
    file.write_bytes(_csv([
        HEADER,
        ["Phù Lưu", "Mộc", ahead.isoformat(), "", "", "", "M-1", ""],
        ["Phù Lưu", "Điện dân dụng", f"{past:%d/%m/%Y}", "", "", "", "D-1", ""],
        ["Phù Lưu", "Nấu ăn", f"{past:%d/%m/%Y}", "", "", "finished", "N-1", ""],
    ]))
    assert await run_cli("courses", "import", str(file)) == 0
    err = capsys.readouterr().err
    assert t("courses.cli.started_imported", count=1) in err
    assert f"D-1: Điện dân dụng, Phù Lưu, khai giảng {past:%d/%m/%Y}" in err
    assert "N-1" not in err and "M-1" not in err  # finished, or not started
    async with app.db.transaction() as session:
        assert await offer_new_courses(session, utcnow()) == 2  # Mộc, to each officer
    [offer] = await offers(app, "cb1")
    assert "Mộc" in offer.payload["text"] and "Điện" not in offer.payload["text"]
    # Imported again: nothing new to warn of.
    assert await run_cli("courses", "import", str(file)) == 0
    assert "Lưu ý" not in capsys.readouterr().err
