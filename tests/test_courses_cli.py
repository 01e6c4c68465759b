"""``python -m bot courses add|import|list``: classes from the terminal, checked by the importers'
rules (all or nothing, every bad cell a row error, inert cells), and offered by the running bot
to the officers of the class's commune; the announcement reaches the waiting list."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.inbound import button_event
from bot.settings import Settings
from bot.simulate import output_lines
from handlers.outreach.new_class import offer_new_courses, start_offering
from handlers.outreach.rules import MAX_TEXT
from handlers.types import Channel
from messages import t
from scheduler.broadcasts import Dispatcher, DispatchPolicy, dispatch_once
from storage.importers import ImportRejectedError, import_file
from storage.models import Broadcast, Course, OutboxMessage, utcnow
from storage.outreach_repo import BULK, create_broadcast
from tests.conftest import make_settings
from tests.helpers import Clock, press, run_cli, say, texts
from tests.officials_helpers import make_officer
from tests.outreach_support import person, unit_id
from tests.test_import_hardening import _csv
from tests.test_imports import run, xlsx

ALWAYS = DispatchPolicy(Settings().zone, quiet_start=0, quiet_end=0)
#: A start date the real clock (the command's, the running bot's) has not reached: a class that
#: started is never offered.
AHEAD = utcnow().date() + timedelta(days=240)
HEADER = ["unit", "trade", "start_date", "venue", "seats", "status", "code", "duration_days"]


async def courses(app: App) -> dict[str, Course]:
    async with app.db.session() as session:
        return {c.code: c for c in await session.scalars(select(Course))}


async def snapshot(app: App) -> list[tuple[object, ...]]:
    return sorted(
        (c.code, c.occupation, c.unit_id, c.start_date, c.venue, c.seats, c.status)
        for c in (await courses(app)).values()
    )


async def offers_to(app: App, chat_id: str) -> list[OutboxMessage]:
    async with app.db.session() as session:
        return list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.chat_id == chat_id)
                .where(OutboxMessage.payload["meta"]["notice"].as_string() == "course_offer")
                .order_by(OutboxMessage.id)
            )
        )


async def run_dispatcher_until(app: App, done: Any) -> None:
    """The running bot's dispatcher (its 1-second poll shortened) until ``done()`` holds."""
    dispatcher = Dispatcher(app.db, ALWAYS, clock=utcnow, poll_interval=0.05)
    task = asyncio.create_task(dispatcher.run())
    try:
        for _ in range(200):
            if await done():
                return
            await asyncio.sleep(0.02)
        raise AssertionError("the dispatcher did not get there")
    finally:
        dispatcher.stop()
        await task


async def test_a_class_added_from_the_terminal_is_offered_and_reaches_the_waiting_list(
    app: App, clock: Clock, terminal: None, capsys: pytest.CaptureFixture[str]
) -> None:
    pl = await unit_id(app, "Phù Lưu")
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    await make_officer(app, clock, "cb-ts", "commune", "Thái Sơn")
    await person(app, "sub", clock.now(), unit=pl, topics=["training"])
    await person(app, "waiting", clock.now(), case=("course", pl), case_status="waitlist")
    # Added before the bot ever looked at the classes: its first look must not take the new
    # class for one that was there before (those are not offered).
    code = await run_cli(
        "courses", "add", "--unit", "phu luu", "--trade", "May công nghiệp",
        "--start", f"{AHEAD:%d/%m/%Y}", "--venue", "Nhà văn hóa thôn Cầu Cao", "--seats", "30",
    )
    assert code == 0
    assert "Đã thêm lớp" in capsys.readouterr().out
    [course] = [c for c in (await courses(app)).values() if c.occupation == "May công nghiệp"
                and c.unit_id == pl]
    assert (course.seats, course.status, course.venue) == (30, "open", "Nhà văn hóa thôn Cầu Cao")

    async def offered() -> bool:
        return bool(await offers_to(app, "cb"))

    await run_dispatcher_until(app, offered)
    [offer] = await offers_to(app, "cb")
    assert "May công nghiệp" in offer.payload["text"] and f"{AHEAD:%d/%m/%Y}" in offer.payload[
        "text"]
    assert await offers_to(app, "cb-ts") == []  # another commune's officer is not asked
    [[button_id, _]] = offer.payload["buttons"][0]
    preview = await app.handle_locally(
        button_event(Channel.CONSOLE, "cb", button_id=button_id), partial(output_lines, 0)
    )
    assert preview[0]["meta"]["recipients"] == 2  # the subscriber and the waiting list
    await press(app, "cb", t("compose.button.send"))
    async with app.db.session() as session:
        broadcast = await session.scalar(select(Broadcast))
    assert broadcast is not None and broadcast.course_id == course.id
    await dispatch_once(app.db, ALWAYS, utcnow())
    async with app.db.session() as session:
        bulk = select(OutboxMessage.chat_id).where(OutboxMessage.priority == BULK)
        told = set(await session.scalars(bulk))
    assert told == {"sub", "waiting"}
    # Added again: the same class (its code is made from commune, day and trade), no new offer.
    assert await run_cli("courses", "add", "--unit", "Phù Lưu", "--trade", "May công nghiệp",
                     "--start", AHEAD.isoformat(), "--venue", "Nhà văn hóa thôn Cầu Cao",
                     "--seats", "30") == 0
    assert "không thay đổi" in capsys.readouterr().out
    assert await run_cli("courses", "list") == 0
    listed = capsys.readouterr().out
    assert course.code in listed and "May công nghiệp" in listed and "30 chỗ" in listed


async def test_an_imported_file_offers_each_class_to_its_own_commune(
    app: App, clock: Clock, terminal: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await make_officer(app, clock, "cb-pl", "commune", "Phù Lưu")
    await make_officer(app, clock, "cb-ts", "commune", "Thái Sơn")
    # The bot has run before: the classes that existed were seen at its first look.
    await run_dispatcher_until(app, lambda: _true())
    file = tmp_path / "lop.xlsx"
    file.write_bytes(xlsx([
        ["Đơn vị", "Nghề", "Ngày khai giảng", "Địa điểm", "Số chỗ", "Mã lớp"],
        ["Phù Lưu", "Hàn điện", f"{AHEAD:%d/%m/%Y}", "Trường THCS Phù Lưu", 25, "HD-2027-01"],
        ["Thái Sơn", "Kỹ thuật trồng chè", AHEAD.isoformat(), "", 20, None],
    ]))
    assert await run_cli("courses", "import", str(file)) == 0
    assert "Đã nhập 2 dòng, 2 thay đổi." in capsys.readouterr().out

    async def both() -> bool:
        return bool(await offers_to(app, "cb-pl")) and bool(await offers_to(app, "cb-ts"))

    await run_dispatcher_until(app, both)
    [pl_offer], [ts_offer] = await offers_to(app, "cb-pl"), await offers_to(app, "cb-ts")
    assert "Hàn điện" in pl_offer.payload["text"] and "Hàn điện" not in ts_offer.payload["text"]
    assert "Kỹ thuật trồng chè" in ts_offer.payload["text"]
    found = await courses(app)
    assert found["HD-2027-01"].seats == 25
    # Re-imported: nothing changes, nobody is asked twice.
    assert await run_cli("courses", "import", str(file)) == 0
    assert "Đã nhập 2 dòng, 0 thay đổi." in capsys.readouterr().out
    await run_dispatcher_until(app, lambda: _true())
    assert len(await offers_to(app, "cb-pl")) == 1 and len(await courses(app)) == len(found)


async def _true() -> bool:
    return True


@pytest.mark.parametrize(("cells", "words"), [
    (["Nowhere", "Hàn", "2027-01-15"], "không tìm thấy đơn vị «Nowhere»"),
    (["Phù Lưu", "", "2027-01-15"], "thiếu nghề"),
    (["Phù Lưu", '=HYPERLINK("http://x","Xem")', "2027-01-15"], "phải bắt đầu bằng chữ"),
    (["Phù Lưu", "@SUM(A1)", "2027-01-15"], "phải bắt đầu bằng chữ"),
    (["Phù Lưu", "Hàn", "2027-01-15", "+cmd|' /C calc'!A0"], "phải bắt đầu bằng chữ"),
    (["Phù Lưu", "Hàn", "31/02/2027"], "ngày «31/02/2027»"),
    (["Phù Lưu", "Hàn", "15/01/99999"], "ngày «15/01/99999»"),
    (["Phù Lưu", "Hàn", "1900-01-01"], "quá xa"),
    (["Phù Lưu", "Hàn", "2027-01-15", "", "²"], "«²» ở cột «seats» (Số chỗ)"),
    (["Phù Lưu", "Hàn", "2027-01-15", "", "-3"], "«-3» ở cột «seats» (Số chỗ)"),
    (["Phù Lưu", "Hàn", "2027-01-15", "", "9" * 5000], "cột «seats» (Số chỗ) dài 5000 ký tự"),
    (["Phù Lưu", "Hàn", "2027-01-15", "", "", "sắp mở"], "trạng thái «sắp mở»"),
    (["Phù Lưu", "Hàn", "2027-01-15", "", "", "", "A B"], "mã lớp «A B»"),
    (["Phù Lưu", "Hàn", "2027-01-15", "", "", "", "=1+1"], "mã lớp «=1+1»"),
    (["Phù Lưu", "Hàn", "2027-01-15", "", "", "", "", "0"], "ở cột «duration_days» (Số ngày học)"),
    (["Phù Lưu", "H" * 201, "2027-01-15"], "tối đa 200 ký tự"),
    (["Phù Lưu\x1b[31m", "Hàn", "2027-01-15"], "Phù Lưu?[31m"),
])
async def test_a_bad_cell_is_a_row_error_and_nothing_is_imported(
    sqlite_app: App, clock: Clock, cells: list[str], words: str
) -> None:
    app = sqlite_app
    before = await snapshot(app)
    row = [*cells, *[""] * (len(HEADER) - len(cells))]
    data = _csv([HEADER, ["Phù Lưu", "Hàn điện", "2027-01-15", "", "", "", "", ""], row])
    with pytest.raises(ImportRejectedError) as rejected:
        await run(app, clock, "courses", data)
    [error] = rejected.value.errors
    assert error.startswith("Dòng 3: ") and words in error, error
    assert len(error) < 300
    assert await snapshot(app) == before  # the good line 2 was not imported either


async def test_the_same_class_twice_in_one_file_is_an_error(app: App, clock: Clock) -> None:
    data = _csv([
        HEADER,
        ["Phù Lưu", "Hàn điện", "2027-01-15", "", "", "", "", ""],
        ["Thái Sơn", "Nấu ăn", "2027-01-15", "", "", "", "X1", ""],
        ["phu luu", "hàn điện", "15/01/2027", "", "", "", "", ""],  # same commune, trade, day
        ["Yên Phú", "May", "2027-01-15", "", "", "", "X1", ""],
    ])
    with pytest.raises(ImportRejectedError) as rejected:
        await run(app, clock, "courses", data)
    assert [e.split(":")[0] for e in rejected.value.errors] == ["Dòng 4", "Dòng 5"]
    assert "đã có ở dòng 3" in rejected.value.errors[1]


async def test_a_bad_add_says_why_and_adds_nothing(
    app: App, terminal: None, capsys: pytest.CaptureFixture[str]
) -> None:
    before = await snapshot(app)
    assert await run_cli("courses", "add", "--unit", "Phù Lưu", "--trade", "=cmd",
                     "--start", "2027-01-15") == 2
    err = capsys.readouterr().err
    assert err.startswith("«=cmd» ở cột «Nghề» phải bắt đầu") and "Traceback" not in err
    assert await run_cli("courses", "add", "--unit", "Phù Lưu", "--trade", "Hàn",
                     "--start", "mai") == 2
    assert "ngày «mai»" in capsys.readouterr().err
    assert await run_cli("courses", "import", "/nonexistent/lop.csv") == 1
    assert "Không mở được tệp" in capsys.readouterr().err
    assert await snapshot(app) == before


# -- property: whatever the cells, a clean report or classes whose text is inert ----------------
_GOOD = ["Phù Lưu", "Thái Sơn", "02392", "Hàn điện", "May công nghiệp", "2027-01-15",
         "15/01/2027", "25", "open", "cancelled", "HD-1", "Nhà văn hóa thôn Cầu Cao", ""]
_NASTY = ["²", "-²", "٣", "１２", "9" * 2000, "=1+1", "@x", "+1", "-1", "\u202e", "\ud800",
          "2026-02-30", "nan", "1e400", " ", "\x00", "Phù Lưu\n=2"]
_CELL = st.one_of(st.sampled_from(_GOOD), st.sampled_from(_NASTY), st.text(max_size=12))


def _inert(text: str) -> bool:
    return text == "" or (text[0].isalnum() and text.isprintable())


def test_random_course_files_are_refused_cleanly_or_stored_inert(fresh_sqlite: Path) -> None:
    loop = asyncio.new_event_loop()
    stack = contextlib.AsyncExitStack()
    try:
        app = loop.run_until_complete(
            stack.enter_async_context(build_app(make_settings(fresh_sqlite)))
        )

        async def attempt(data: bytes) -> None:
            async with app.db.session() as session:
                await session.begin()
                try:
                    before = await session.scalar(select(func.count()).select_from(Course))
                    result = await import_file(session, "courses", data, now=Clock().now())
                    stored = list(await session.scalars(select(Course)))
                    assert len(stored) <= (before or 0) + result.rows
                    for course in stored:
                        assert _inert(course.code) and _inert(course.occupation)
                        assert _inert(course.venue) and course.seats >= 0
                except ImportRejectedError as exc:
                    assert exc.errors and all(len(e) < 1000 for e in exc.errors)
                finally:
                    await session.rollback()

        @settings(max_examples=60, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(rows=st.lists(st.lists(_CELL, min_size=len(HEADER), max_size=len(HEADER)),
                             min_size=1, max_size=4),
               fmt=st.sampled_from(["csv", "xlsx"]))
        def one_file(rows: list[list[str]], fmt: str) -> None:
            safe = [[c.encode("utf-8", "replace").decode() for c in r] for r in rows]
            if fmt == "csv":
                data = _csv([HEADER, *safe])
            else:
                from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

                data = xlsx([HEADER, *[[ILLEGAL_CHARACTERS_RE.sub("", c) for c in r]
                                       for r in safe]])
            loop.run_until_complete(attempt(data))

        one_file()
    finally:
        loop.run_until_complete(stack.aclose())
        loop.close()


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_a_large_import_gives_each_officer_one_offer_summing_up_the_classes(
    app: App, clock: Clock, channel: Channel
) -> None:
    pl = await unit_id(app, "Phù Lưu")
    await make_officer(app, clock, "cb-pl", "commune", "Phù Lưu", channel=channel)
    await make_officer(app, clock, "cb-ts", "commune", "Thái Sơn")
    await person(app, "sub", clock.now(), unit=pl, topics=["training"])
    async with app.db.transaction() as session:
        await offer_new_courses(session, clock.now())  # the bot has looked before
    # 300 classes in Phù Lưu (the last rows start first), one in Thái Sơn.
    rows = [
        ["Phù Lưu", f"Nghề số {i}", f"{(299 - i) % 28 + 1:02d}/{(299 - i) // 28 + 1:02d}/2027",
         "", "", "", f"PL-{i}", ""]
        for i in range(300)
    ]
    rows.append(["Thái Sơn", "Kỹ thuật trồng chè", "2027-02-01", "", "", "", "TS-1", ""])
    async with app.db.transaction() as session:
        await start_offering(session, clock.now())
        await import_file(session, "courses", _csv([HEADER, *rows]), now=clock.now())
    async with app.db.transaction() as session:
        assert await offer_new_courses(session, clock.now()) == 2
        assert await offer_new_courses(session, clock.now()) == 0
    [offer] = await offers_to(app, "cb-pl")
    text = offer.payload["text"]
    # How many, and the first few by start date; the one class of Thái Sơn as before.
    assert "Có 300 lớp mới" in text and "… và 297 lớp khác" in text
    assert "– Nghề số 299, khai giảng 01/01/2027" in text, text
    assert "– Nghề số 298, khai giảng 02/01/2027" in text
    [ts_offer] = await offers_to(app, "cb-ts")
    assert t("compose.course_offer", text="").split("\n")[0] in ts_offer.payload["text"]
    assert "Kỹ thuật trồng chè" in ts_offer.payload["text"] and "Nghề số" not in ts_offer.payload[
        "text"]
    # All together, from the offer's first option (a number typed on Zalo): one announcement
    # listing as many classes as fit, for the officer's commune.
    if channel == Channel.ZALO:
        preview = await say(app, "cb-pl", "1", channel=channel)
    else:
        [[button_id, _]] = offer.payload["buttons"][0]
        preview = await app.handle_locally(
            button_event(channel, "cb-pl", button_id=button_id), partial(output_lines, 0)
        )
    assert preview[0]["meta"]["recipients"] == 1, preview
    assert "– Nghề số 299, khai giảng 01/01/2027" in texts(preview)
    assert "lớp khác" in texts(preview)
    await press(app, "cb-pl", t("compose.button.send"), channel=channel)
    async with app.db.session() as session:
        broadcast = await session.scalar(select(Broadcast))
    assert broadcast is not None and len(broadcast.text) <= MAX_TEXT
    assert broadcast.text.startswith("Lớp học nghề mới:")
    assert broadcast.text.index("Nghề số 299") < broadcast.text.index("Nghề số 298")
    # One class of the summary on its own: its option (the third).
    assert offer.payload["buttons"][2][0][1] == "Chỉ báo lớp Nghề số 298 (02/01)"
    one = await app.handle_locally(
        button_event(channel, "cb-pl", button_id=offer.payload["buttons"][2][0][0]),
        partial(output_lines, 0),
    )
    assert "Nghề số 298" in texts(one) and "Nghề số 299" not in texts(one)


@pytest.mark.parametrize("listening", [True, False])
async def test_the_preview_of_a_joint_announcement_is_one_zalo_message(
    app: App, clock: Clock, listening: bool
) -> None:
    """The joint announcement was kept within 1,800 characters, but its preview adds a heading,
    the line how to stop and the recipients (more when it reaches nobody): on Zalo it came in
    two messages. Now as many classes as fit the preview in one message (2,000 characters,
    its numbered options included), filled to within one class line of that."""
    pl = await unit_id(app, "Phù Lưu")
    await make_officer(app, clock, "cb", "commune", "Phù Lưu", channel=Channel.ZALO)
    if listening:
        await person(app, "sub", clock.now(), unit=pl, topics=["training"])
    async with app.db.transaction() as session:
        await offer_new_courses(session, clock.now())
    venue = "Nhà văn hóa thôn Khuổi Lếch, xã Phù Lưu, tỉnh Tuyên Quang"
    rows = [["Phù Lưu", f"Kỹ thuật chăn nuôi gia súc gia cầm số {i}", f"{i % 28 + 1:02d}/03/2027",
             venue, "", "", f"PL-{i}", ""] for i in range(60)]
    async with app.db.transaction() as session:
        await start_offering(session, clock.now())
        await import_file(session, "courses", _csv([HEADER, *rows]), now=clock.now())
        await offer_new_courses(session, clock.now())
    preview = await say(app, "cb", "1", channel=Channel.ZALO)  # «Thông báo chung»
    assert len(preview) == 1, [len(p["text"]) for p in preview]
    text = preview[0]["text"]
    assert text.startswith("Xem trước:") and "lớp khác" in text
    line = max(len(x) for x in text.splitlines() if x.startswith("– "))
    assert 2000 - line <= len(text) <= 2000, len(text)
    assert ("Gửi tới 1 người" in text) == listening


async def test_a_failing_part_of_the_dispatcher_does_not_hold_up_announcements(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dispatcher's parts each on their own: a class change it cannot tell (a malformed
    row, say) raised before the announcements were dispatched, every poll, and none went."""

    async def broken(self: Dispatcher) -> int:
        raise RuntimeError("a change that cannot be told")

    monkeypatch.setattr(Dispatcher, "_tell_class_changes", broken)
    pl = await unit_id(app, "Phù Lưu")
    await person(app, "mai", utcnow(), unit=pl, topics=["training"])
    async with app.db.transaction() as session:
        await create_broadcast(session, unit_ids=[pl], interest="training",
                               text="Lớp may khai giảng.", send_at=utcnow(), now=utcnow())

    async def queued() -> bool:
        async with app.db.session() as session:
            return bool(await session.scalar(
                select(func.count()).select_from(OutboxMessage).where(
                    OutboxMessage.priority == BULK)))

    await run_dispatcher_until(app, queued)
