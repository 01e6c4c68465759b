"""A class moved or cancelled after people registered: they are told, once, and its officers.

A tester moved a class (``courses add --code … --start <later>``, ``--status cancelled``, an
import changing it): the running bot's dispatcher passed and nothing went to the people
registered for it, its waiting list included, nor to the officers of its commune; "hồ sơ của
tôi" named the trade alone. Now each of them gets one short message (their own references, the
new day or place, or the cancellation and what they can do), the officers one line with how
many were told; once per change (a re-import tells nobody, two processes do not tell twice),
outside the quiet hours; and the status views read the class as it is now.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App
from bot.settings import Settings
from bot.simulate import output_lines
from handlers.outreach.class_changed import tell_class_changes
from handlers.types import Channel
from scheduler.broadcasts import Dispatcher, DispatchPolicy
from storage.course_import import check_course_cells, write_course
from storage.models import Case, Course, OutboxMessage, Unit, utcnow
from tests.helpers import Clock, intents, press, run_cli, say, texts
from tests.intake_support import all_cases, fill_form
from tests.officials_helpers import make_officer
from tests.outreach_support import person, unit_id
from tests.test_courses_cli import run_dispatcher_until
from tests.test_import_hardening import _csv

#: A start date the real clock (the command's, the running bot's) has not reached.
AHEAD = utcnow().date() + timedelta(days=240)
LATER = AHEAD + timedelta(days=14)
#: The test clock's day is 10/07/2026 (tests.helpers.Clock).
SOON = date(2026, 8, 3)
INTENT = "notice:course_changed"
HEADER = ["unit", "trade", "start_date", "venue", "seats", "status", "code"]


def dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


async def registrant(
    app: App, user: str, course_id: int, *, status: str = "new", channel: str = "zalo",
    blocked: bool = False, stopped: bool = False, name: str = "Người đăng ký",
) -> str:
    """Someone registered for the class (``status`` "waitlist": on its waiting list); returns
    the reference of the registration."""
    contact_id = await person(app, user, utcnow(), blocked=blocked, stopped=stopped,
                              channel=channel)
    async with app.db.transaction() as session:
        course = await session.get(Course, course_id)
        assert course is not None
        count = len(list(await session.scalars(select(Case.id))))
        case = Case(ref=f"HY-2026-{count + 900:05d}", contact_id=contact_id, kind="course",
                    status=status, unit_id=course.unit_id, course_id=course_id,
                    full_name=name, created_at=utcnow(), updated_at=utcnow())
        session.add(case)
    return case.ref


async def change(app: App, now: datetime, course_id: int, **cells: str) -> bool:
    """The class written again with ``cells`` changed, as ``courses add --code`` writes it."""
    async with app.db.transaction() as session:
        course = await session.get(Course, course_id)
        assert course is not None
        unit = await session.get(Unit, course.unit_id)
        assert unit is not None
        row = {"unit": unit.code, "trade": course.occupation, "code": course.code,
               "start_date": course.start_date.isoformat(), "venue": course.venue,
               "seats": str(course.seats), "status": course.status, **cells}
        fields = await check_course_cells(session, row)
        assert not isinstance(fields, str), fields
        return await write_course(session, fields, now) is not None


async def add_class(app: App, pl: int, code: str, start: date = SOON) -> int:
    async with app.db.transaction() as session:
        course = Course(code=code, occupation="May công nghiệp", unit_id=pl, start_date=start,
                        venue="Nhà văn hóa thôn Cầu Cao", seats=20)
        session.add(course)
        await session.flush()
        return course.id


async def told(app: App) -> list[OutboxMessage]:
    """The messages about a class's change, to people and officers, in order."""
    async with app.db.session() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [r for r in rows
                if r.payload.get("meta", {}).get("intent") == INTENT
                or r.payload.get("meta", {}).get("notice") == "course_changed"]


def to(rows: list[OutboxMessage], chat_id: str) -> list[OutboxMessage]:
    return [r for r in rows if r.chat_id == chat_id]


async def one_pass(app: App, now: datetime) -> int:
    async with app.db.transaction() as session:
        return await tell_class_changes(session, now)


async def test_a_class_moved_from_the_terminal_is_told_to_each_person_once(
    app: App, clock: Clock, terminal: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pl = await unit_id(app, "Phù Lưu")
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    await make_officer(app, clock, "cb-ts", "commune", "Thái Sơn")
    add = ["courses", "add", "--unit", "Phù Lưu", "--trade", "May công nghiệp", "--code",
           "PL-MAY-01", "--venue", "Nhà văn hóa thôn Cầu Cao", "--seats", "2"]
    assert await run_cli(*add, "--start", AHEAD.isoformat()) == 0
    [course_id] = [c.id for c in (await _courses(app)) if c.code == "PL-MAY-01"]
    other = await add_class(app, pl, "PL-HAN-01", AHEAD)
    ref_a = await registrant(app, "zA", course_id)
    ref_b = await registrant(app, "zB", course_id, status="waitlist")
    # Said "dừng nhận tin" to announcements: this is about their own registration.
    ref_t = await registrant(app, "tg", course_id, channel="telegram", stopped=True)
    fam1 = await registrant(app, "fam", course_id)
    fam2 = await registrant(app, "fam", course_id, name="Con của người đăng ký")
    await registrant(app, "blocked", course_id, blocked=True)
    await registrant(app, "gone", course_id, status="cancelled")
    await registrant(app, "elsewhere", other)
    capsys.readouterr()

    assert await run_cli(*add, "--start", f"{LATER:%d/%m/%Y}") == 0
    out = capsys.readouterr().out
    assert "Lớp PL-MAY-01 đã có, đã cập nhật." in out
    assert "5 người đã đăng ký (kể cả danh sách chờ) sẽ được bot nhắn" in out

    async def officer_told() -> bool:
        return bool(to(await told(app), "cb"))

    await run_dispatcher_until(app, officer_told)
    rows = await told(app)
    assert {r.chat_id for r in rows} == {"zA", "zB", "tg", "fam", "cb"}
    assert len(rows) == 5  # one each: the family's two registrations in one message
    refs = {"zA": [ref_a], "zB": [ref_b], "tg": [ref_t], "fam": [fam1, fam2]}
    everyone = {ref for mine in refs.values() for ref in mine}
    for chat_id, mine in refs.items():
        [row] = to(rows, chat_id)
        text = row.payload["text"]
        assert text.startswith(f"Hồ sơ {', '.join(mine)}: lớp May công nghiệp – Phù Lưu")
        assert f"khai giảng ngày {dmy(LATER)} (trước đây {dmy(AHEAD)})" in text
        assert not any(ref in text for ref in everyone - set(mine))  # nobody else's
        assert "Người đăng ký" not in text and "bấm" not in text
    [fam] = to(rows, "fam")
    assert [b[1] for line in fam.payload["buttons"] for b in line] == [
        f"Đổi lớp cho {fam1}", f"Đổi lớp cho {fam2}", "Gặp cán bộ"]
    [line] = to(rows, "cb")
    assert line.payload["text"] == (
        f"🔁 Lớp May công nghiệp – Phù Lưu (PL-MAY-01) có thay đổi: khai giảng ngày "
        f"{dmy(LATER)} (trước đây {dmy(AHEAD)}). Bot đã nhắn 4 người đã đăng ký (có 1 người "
        "trong danh sách chờ). 1 người không nhắn được (đã chặn bot): cán bộ gọi điện giúp.")
    assert to(rows, "cb-ts") == []

    # The same command again, then the same class in a file: nothing changes, nobody is told.
    assert await run_cli(*add, "--start", LATER.isoformat()) == 0
    out = capsys.readouterr().out
    assert "không thay đổi" in out and "sẽ được bot nhắn" not in out
    file = tmp_path / "lop.csv"
    file.write_bytes(_csv([HEADER, ["Phù Lưu", "May công nghiệp", LATER.isoformat(),
                                    "Nhà văn hóa thôn Cầu Cao", "2", "open", "PL-MAY-01"]]))
    assert await run_cli("courses", "import", str(file)) == 0
    assert "Đã nhập 1 dòng, 0 thay đổi." in capsys.readouterr().out
    assert await one_pass(app, utcnow()) == 0
    assert len(await told(app)) == 5

    # Cancelled by a file: told again, once, with what they can do.
    file.write_bytes(_csv([HEADER, ["Phù Lưu", "May công nghiệp", LATER.isoformat(),
                                    "Nhà văn hóa thôn Cầu Cao", "2", "cancelled", "PL-MAY-01"]]))
    assert await run_cli("courses", "import", str(file)) == 0
    assert "sẽ được bot nhắn" in capsys.readouterr().out

    async def cancel_told() -> bool:
        return len(to(await told(app), "cb")) == 2

    await run_dispatcher_until(app, cancel_told)
    cancelled = (await told(app))[5:]
    assert {r.chat_id for r in cancelled} == {"zA", "zB", "tg", "fam", "cb"}
    [a] = to(cancelled, "zA")
    assert a.payload["text"] == (
        f"Hồ sơ {ref_a}: lớp May công nghiệp – Phù Lưu (khai giảng {dmy(LATER)}) đã bị hủy. "
        "Anh/chị có thể đổi sang lớp khác (giữ mã hồ sơ và thông tin đã khai) hoặc gặp cán "
        "bộ để hỏi thêm.")
    assert to(cancelled, "cb")[0].payload["text"].startswith(
        "❌ Lớp May công nghiệp – Phù Lưu (PL-MAY-01) đã hủy. Bot đã nhắn 4 người")
    assert await one_pass(app, utcnow()) == 0


async def _courses(app: App) -> list[Course]:
    async with app.db.session() as session:
        return list(await session.scalars(select(Course)))


async def test_on_zalo_the_message_is_short_and_its_options_answer_by_number(
    app: App, clock: Clock
) -> None:
    pl = await unit_id(app, "Phù Lưu")
    course_id = await add_class(app, pl, "PL-MAY-01")
    ref = await registrant(app, "zA", course_id)
    ref_b = await registrant(app, "zB", course_id, status="waitlist")
    assert await change(app, clock.now(), course_id, venue="Hội trường UBND xã Phù Lưu")
    assert await one_pass(app, clock.now()) == 2  # no officer: the office has none either
    [row, _] = await told(app)
    [shown] = output_lines(0, [row])  # as the Zalo sender renders it
    assert shown["text"] == (
        f"Hồ sơ {ref}: lớp May công nghiệp – Phù Lưu có thay đổi: học tại Hội trường UBND xã "
        "Phù Lưu (trước đây Nhà văn hóa thôn Cầu Cao). Đăng ký của anh/chị vẫn giữ nguyên, "
        "không cần làm lại. Nếu không phù hợp, anh/chị có thể đổi sang lớp khác hoặc gặp cán "
        "bộ.\n\n1. Đổi sang lớp khác\n2. Gặp cán bộ\nTrả lời 1 hoặc 2")
    # "hồ sơ của tôi" reads the class as it is now.
    status = await say(app, "zA", "hồ sơ của tôi", channel=Channel.ZALO)
    assert f"Học nghề: May công nghiệp, khai giảng {dmy(SOON)}" in texts(status)
    # Cancelled: the waiting list is told, and «Đổi sang lớp khác» (typed 1) lists the classes.
    assert await change(app, clock.now(), course_id, status="cancelled")
    assert await one_pass(app, clock.now()) == 2
    *_, to_b = await told(app)
    assert to_b.chat_id == "zB" and "đã bị hủy" in to_b.payload["text"]
    lines = await say(app, "zB", "1", channel=Channel.ZALO)
    assert intents(lines) == ["flow:cases.change", "flow:cases.change"], lines
    assert ref_b in lines[0]["text"] and "Chọn số lớp muốn đổi sang." in lines[1]["text"]
    status = await say(app, "zB", "hồ sơ của tôi", channel=Channel.ZALO)
    assert "Học nghề: May công nghiệp (lớp đã hủy)" in texts(status)
    assert f"1. Đổi lớp cho {ref_b}" in texts(status)


async def test_the_office_hears_when_the_commune_has_no_officer_and_nobody_in_quiet_hours(
    app: App, clock: Clock
) -> None:
    pl = await unit_id(app, "Phù Lưu")
    course_id = await add_class(app, pl, "PL-MAY-01")
    await registrant(app, "zA", course_id)
    assert await change(app, clock.now(), course_id, start_date="2026-08-17")
    # An officer binding delivers the notices waiting for one; a change is the dispatcher's.
    await make_officer(app, clock, "office", "office")
    assert await told(app) == []
    policy = DispatchPolicy(Settings().zone)  # quiet 21:00–07:00
    night = Clock(datetime(2026, 7, 10, 15, 30, tzinfo=UTC))  # 22:30 local
    dispatcher = Dispatcher(app.db, policy, clock=night.now, poll_interval=0.01)
    task = asyncio.create_task(dispatcher.run())
    await asyncio.sleep(0.3)
    assert await told(app) == []  # the change waits for the morning
    night.at = datetime(2026, 7, 11, 0, 5, tzinfo=UTC)  # 07:05 local

    async def morning() -> bool:
        return len(await told(app)) == 2

    try:
        for _ in range(200):
            if await morning():
                break
            await asyncio.sleep(0.02)
    finally:
        dispatcher.stop()
        await task
    rows = await told(app)
    assert [r.chat_id for r in rows] == ["zA", "office"]
    assert "khai giảng ngày 17/08/2026 (trước đây 03/08/2026)" in rows[0].payload["text"]


async def test_a_change_undone_or_typed_wrong_tells_nobody_until_put_right(
    app: App, clock: Clock
) -> None:
    pl = await unit_id(app, "Phù Lưu")
    course_id = await add_class(app, pl, "PL-MAY-01")
    await registrant(app, "zA", course_id)
    now = clock.now()
    # Moved and moved back before the dispatcher passed: nothing to tell.
    assert await change(app, now, course_id, start_date="2026-08-10")
    assert await change(app, now, course_id, start_date="2026-08-03")
    assert await one_pass(app, now) == 0
    # A day gone by (a typo): nobody is told of it; once put right, of the right day only.
    assert await change(app, now, course_id, start_date="2025-08-17")
    assert await one_pass(app, now) == 0 and await told(app) == []
    assert await change(app, now, course_id, start_date="2026-08-17")
    assert await one_pass(app, now) == 1
    [row] = await told(app)
    assert "khai giảng ngày 17/08/2026 (trước đây 03/08/2026)" in row.payload["text"]
    # Moved again later: told against what they heard last.
    assert await change(app, now, course_id, start_date="2026-08-24")
    assert await one_pass(app, now) == 1
    assert "khai giảng ngày 24/08/2026 (trước đây 17/08/2026)" in (await told(app))[-1].payload[
        "text"]
    # A class that had started: its records put right tell nobody.
    later = now + timedelta(days=60)
    assert await change(app, later, course_id, venue="Hội trường xã")
    assert await one_pass(app, later) == 0


async def test_two_passes_at_once_tell_once(app: App, clock: Clock, backend: str) -> None:
    """Two bot processes (PostgreSQL: the second waits for the first's change rows, then finds
    them taken); on SQLite one writer at a time."""
    pl = await unit_id(app, "Phù Lưu")
    course_id = await add_class(app, pl, "PL-MAY-01")
    for user in ("zA", "zB", "zC"):
        await registrant(app, user, course_id)
    assert await change(app, clock.now(), course_id, status="cancelled")
    if backend == "postgres":
        async with app.db.transaction() as session:
            assert await tell_class_changes(session, clock.now()) == 3
            second = asyncio.ensure_future(one_pass(app, clock.now()))
            await asyncio.sleep(0.5)
            assert not second.done()  # waiting for the change's row
        assert await second == 0
    else:
        assert sorted(await asyncio.gather(one_pass(app, clock.now()),
                                           one_pass(app, clock.now()))) == [0, 3]
    assert sorted(r.chat_id for r in await told(app)) == ["zA", "zB", "zC"]


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_a_registration_under_way_shows_the_class_as_it_is_now(
    app: App, clock: Clock, channel: Channel
) -> None:
    await fill_form(app, "y1", channel=channel, kind="Học nghề", choice="Trồng và chế biến chè")
    async with app.db.session() as session:
        course = await session.scalar(
            select(Course).where(Course.occupation == "Trồng và chế biến chè"))
    assert course is not None
    new = course.start_date + timedelta(days=7)
    assert await change(app, clock.now(), course.id, start_date=new.isoformat())
    await press(app, "y1", "Sửa thông tin", channel=channel)
    summary = await press(app, "y1", "Quay lại bảng tóm tắt", channel=channel)
    assert intents(summary) == ["flow:intake.summary"], summary
    assert f"khai giảng {dmy(new)}" in texts(summary)
    assert dmy(course.start_date) not in texts(summary)
    done = await press(app, "y1", "Xác nhận", channel=channel)
    assert intents(done)[0] == "flow:intake.done", done
    assert f"khai giảng {dmy(new)}" in done[0]["text"]
    assert dmy(course.start_date) not in texts(done)
    [case] = await all_cases(app)
    assert case.course_id == course.id
