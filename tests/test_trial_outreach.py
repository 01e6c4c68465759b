"""Found by trying the product as its users would (a worker and a mother on Zalo, an officer on
Telegram): announcements (/thongbao) and the survey (subscribing: tests/test_trial_subscribe.py).
Each fix is kept here, through the real engine, on the console and on Zalo where the rendering
matters."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.outreach.send_time import parse_send_time
from handlers.types import Channel
from messages import t
from messages.survey import questionnaire
from storage.models import Broadcast, SurveyResponse
from storage.survey_repo import open_round
from tests.helpers import Clock, intents, press, say, texts
from tests.officials_helpers import make_officer
from tests.outreach_support import person, unit_id

CHANNELS = [Channel.CONSOLE, Channel.ZALO]


async def test_help_while_composing_keeps_the_text_and_says_what_the_step_expects(
    app: App, clock: Clock
) -> None:
    """«giúp» used to start the composition over: the text was lost, and the next «Không có
    ảnh» became the announcement."""
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    await say(app, "cb", "/thongbao")
    await say(app, "cb", "Lớp may công nghiệp khai giảng 15/12.")
    lines = await say(app, "cb", "giúp")
    assert intents(lines) == ["flow:broadcast.help", "flow:broadcast.photo"]
    assert "ảnh" in lines[0]["text"] and "gặp cán bộ" not in lines[0]["text"]
    assert intents(await press(app, "cb", t("compose.button.no_photo"))) == [
        "flow:broadcast.interest"
    ]
    await press(app, "cb", t("outreach.topic.training"))
    lines = await say(app, "cb", "sáng mai")  # no hour: the accepted forms, «Gửi ngay» kept
    assert intents(lines) == ["flow:broadcast.when"] and lines[-1].get("buttons")
    preview = await say(app, "cb", "9h30 ngày 11/7")  # local time 08:00 on 10/07 now
    assert "09:30 11/07/2026" in texts(preview), texts(preview)
    lines = await say(app, "cb", "ok gửi đi")
    assert intents(lines) == ["flow:broadcast.created"]
    assert "gửi lúc 09:30 11/07/2026." in texts(lines)  # when it goes, said
    async with app.db.session() as session:
        broadcast = await session.scalar(select(Broadcast))
    assert broadcast is not None and broadcast.text == "Lớp may công nghiệp khai giảng 15/12."


async def test_cancel_while_composing_says_nothing_was_sent(app: App, clock: Clock) -> None:
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    await say(app, "cb", "/thongbao")
    await say(app, "cb", "Cảnh báo lừa đảo.")
    lines = await say(app, "cb", "hủy")
    assert texts(lines) == t("compose.cancelled") and not lines[0].get("buttons")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("08:30 15/12", (2026, 12, 15, 8, 30)),
        ("8h 3/12", (2026, 12, 3, 8, 0)),
        ("8h30 ngày 3/12/2026", (2026, 12, 3, 8, 30)),
        ("15/12 8 giờ", (2026, 12, 15, 8, 0)),
        ("2h chiều mai", (2026, 12, 3, 14, 0)),
        ("16h", (2026, 12, 2, 16, 0)),
        ("9h", (2026, 12, 3, 9, 0)),  # already past today: tomorrow
        ("8 giờ sáng ngày 5/1", (2027, 1, 5, 8, 0)),  # January: next year's
        ("9h ngày 15-12", (2026, 12, 15, 9, 0)),
        ("8h 31/2", None),
        ("sáng mai", None),
        # 2 December 2026 is a Wednesday.
        ("8h30 thứ hai", (2026, 12, 7, 8, 30)),
        ("9h t6", (2026, 12, 4, 9, 0)),
        ("chủ nhật 7h", (2026, 12, 6, 7, 0)),
        ("16h thứ tư", (2026, 12, 2, 16, 0)),  # today, the time still ahead
        ("14h thu 4", (2026, 12, 9, 14, 0)),  # today's has passed: next week's
        # A few days past is a mistake (refused as past), not next year's.
        ("8h 30/11", (2026, 11, 30, 8, 0)),
    ],
)
def test_send_times_as_officers_type_them(
    typed: str, expected: tuple[int, int, int, int, int] | None
) -> None:
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    at = parse_send_time(typed, datetime(2026, 12, 2, 15, 0, tzinfo=zone))
    assert (at and (at.year, at.month, at.day, at.hour, at.minute)) == expected
    assert at is None or at.tzinfo is zone


@pytest.mark.parametrize("channel", CHANNELS)
async def test_the_survey_takes_answers_as_typed_and_keeps_them_when_left(
    app: App, clock: Clock, channel: Channel
) -> None:
    """"28" at the age question went to the FAQ (abroad eligibility); "xem khảo sát" at the
    commune step was taken as a commune's name; «hủy» said nothing of the answers kept."""
    async with app.db.transaction() as session:
        await open_round(session, [], questionnaire().version, clock.now())

    async def step(text: str) -> str:
        lines = await say(app, "me", text, channel=channel)
        return intents(lines)[-1].removeprefix("flow:survey.")

    assert await step("khao sat") == "consent"
    lines = await say(app, "me", "giúp", channel=channel)
    assert "đồng ý" in lines[0]["text"] and intents(lines)[-1] == "flow:survey.consent"
    assert await step("1") == "age_group"
    assert await step("28") == "gender"
    assert await step("nam") == "unit"
    lines = await say(app, "me", "hủy", channel=channel)
    assert texts(lines) == t("survey.paused")
    assert await step("khao sat") == "unit"  # resumed where it was left
    lines = await say(app, "me", "xem khao sat", channel=channel)
    assert "Tuổi: 25–34 tuổi" in texts(lines) and "Giới tính: Nam" in texts(lines)
    assert await step("khao sat") == "unit"
    for typed in ("phu luu", "bo qua", "lam ruong", "may", "xe may", "xong", "toi", "xa", "co"):
        last = await step(typed)
    assert last == "done"
    async with app.db.session() as session:
        response = await session.scalar(select(SurveyResponse))
    assert response is not None and response.answers["trades"] == ["sewing", "motorbike"]
    assert response.answers["time"] == "evening" and response.answers["place"] == "commune"


async def test_survey_results_come_as_a_workbook_not_a_terminal_command(
    app: App, clock: Clock
) -> None:
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    await say(app, "cb", "/khaosat")
    opened = await press(app, "cb", t("survey.officer.button.open"))
    [_, label_results] = [b for row in opened[0]["buttons"] for b in row]
    for typed in ("khao sat", "1", "28", "nu", "phu luu", "bo qua", "1", "may", "xong", "1",
                  "2", "1"):
        await say(app, "an", typed)
    lines = await press(app, "cb", label_results)
    assert "Phù Lưu: May công nghiệp 1" in texts(lines)
    assert "python" not in texts(lines)
    assert lines[-1]["attachments"][0]["file_name"] == "khao-sat-1.xlsx"


@pytest.mark.parametrize("channel", CHANNELS)
async def test_the_survey_offers_the_rounds_communes_by_number(
    app: App, clock: Clock, channel: Channel
) -> None:
    """The commune had to be typed; "5" on Zalo was "no commune called 5"."""
    pl, yp = await unit_id(app, "Phù Lưu"), await unit_id(app, "Yên Phú")
    async with app.db.transaction() as session:
        await open_round(session, [pl, yp], questionnaire().version, clock.now())
    for text in ("khao sat", "1", "28", "nam"):
        lines = await say(app, "me", text, channel=channel)
    assert intents(lines) == ["flow:survey.unit"]
    shown = texts(lines) + str(lines[-1].get("buttons", ""))
    assert "Phù Lưu" in shown and "Yên Phú" in shown and "Bạch Xa" not in shown  # the round's
    lines = await say(app, "me", "xyz", channel=channel)
    assert intents(lines) == ["flow:survey.unit"] and ("Phù Lưu" in texts(lines) + str(
        lines[-1].get("buttons", "")))
    lines = await say(app, "me", "1", channel=channel)
    assert intents(lines) == ["flow:survey.village"]
    async with app.db.session() as session:
        response = await session.scalar(select(SurveyResponse))
    assert response is not None and response.unit_id == pl


async def _survey_on_zalo(app: App, clock: Clock) -> Any:
    async with app.db.transaction() as session:
        await open_round(session, [], questionnaire().version, clock.now())
    return partial(say, app, "an", channel=Channel.ZALO)


async def test_the_survey_taken_as_a_worker_types_on_zalo(app: App, clock: Clock) -> None:
    """Tried on Zalo: "ok dong y" under the consent question left the survey (small talk and
    the menu), and every answer after it went to the FAQ; "co" at «Hiện anh/chị đang làm gì?»
    was saved as «Chưa có việc làm»; "lam ruong voi nuoi ga" got «chọn một mục» again; "khao
    sat nay de lam gi" mid-survey got the bot's and the privacy topics."""
    zalo = await _survey_on_zalo(app, clock)
    await zalo("e nghe noi xa dang khao sat nhu cau hoc nghe a, e lam dc ko")
    assert intents(await zalo("ok dong y")) == ["flow:survey.age_group"]
    for typed in ("e 27t", "nam", "xa phu luu", "thon khuon ha"):
        await zalo(typed)
    lines = await zalo("co")
    assert intents(lines) == ["flow:survey.work"] and t("survey.again") in texts(lines)
    assert intents(await zalo("lam ruong voi nuoi ga")) == ["flow:survey.trades"]
    lines = await zalo("khao sat nay de lam gi vay ad")
    assert intents(lines) == ["flow:survey.trades"] and t("survey.resumed") in texts(lines)
    async with app.db.session() as session:
        response = await session.scalar(select(SurveyResponse))
    assert response is not None and response.answers["work"] == "farming"
    # A question naming an option does not choose it.
    assert intents(await zalo("5")) == ["flow:survey.trades"]


async def test_deleting_survey_answers_mid_survey_waits_for_its_answer(
    app: App, clock: Clock
) -> None:
    """"xoa khao sat cua e" then "co" saved "có" as the answer of the question under way (the
    deletion question only had a button); "thoi khong xoa" there asked to delete ALL the
    person's data; with nothing stored, the bot still asked to delete."""
    zalo = await _survey_on_zalo(app, clock)
    assert texts(await zalo("xoa khao sat cua e")) == t("survey.nothing")
    await zalo("khao sat nhu cau hoc nghe")
    for typed in ("dong y", "28", "nu"):
        await zalo(typed)
    assert intents(await zalo("xoa khao sat cua e")) == ["flow:survey.delete"]
    lines = await zalo("thoi khong xoa")
    assert intents(lines) == ["flow:survey.kept", "flow:survey.unit"]
    assert intents(await zalo("xoa khao sat")) == ["flow:survey.delete"]
    assert intents(await zalo("lam ruong")) == ["flow:survey.delete"]  # asked again
    assert intents(await zalo("co")) == ["flow:survey.deleted"]
    async with app.db.session() as session:
        assert await session.scalar(select(SurveyResponse)) is None


@pytest.mark.parametrize("typed", ["thoi khong xoa", "dung xoa nhe", "khong xoa"])
async def test_saying_not_to_delete_never_offers_to_delete_everything(
    sqlite_app: App, typed: str
) -> None:
    lines = await say(sqlite_app, "an", typed, channel=Channel.ZALO)
    assert intents(lines) == ["smalltalk"], lines


@pytest.mark.parametrize("typed", ["chua biet", "khong biet", "de em suy nghi da"])
async def test_not_knowing_yet_is_not_a_request(sqlite_app: App, typed: str) -> None:
    """"chua biet" opened the case status ("no case in this chat")."""
    lines = await say(sqlite_app, "an", typed, channel=Channel.ZALO)
    assert intents(lines) == ["smalltalk"], lines


async def test_no_survey_open_offers_to_be_told_of_new_classes(sqlite_app: App) -> None:
    """"khảo sát nhu cầu học nghề" with no round open was a dead end: no option at all."""
    lines = await say(sqlite_app, "an", "khao sat nhu cau hoc nghe", channel=Channel.ZALO)
    assert intents(lines) == ["flow:survey.none_open"]
    assert intents(await press(sqlite_app, "an", t("faq.offer.subscribe"),
                               channel=Channel.ZALO))[-1].startswith("flow:subscribe")


async def test_send_now_chosen_at_night_says_when_it_goes(app: App, clock: Clock) -> None:
    """At 01:32 the preview said "Gửi tới 1 người …, ngay": nothing goes out before 07:00."""
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    await person(app, "me", clock.now(), unit=await unit_id(app, "Phù Lưu"), topics=["training"])
    clock.at = datetime(2026, 12, 4, 18, 32, tzinfo=ZoneInfo("UTC"))  # 01:32 on 5/12 locally
    await say(app, "cb", "gui thong bao cho ba con")
    await say(app, "cb", "Lớp may khai giảng 15/12.")
    await press(app, "cb", t("compose.button.no_photo"))
    await press(app, "cb", t("outreach.topic.training"))
    preview = texts(await press(app, "cb", t("compose.button.now")))
    assert t("compose.now_quiet", at="07:00 05/12/2026") in preview, preview
    clock.at = datetime(2026, 12, 5, 3, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 locally
    await say(app, "cb", "/thongbao")
    await say(app, "cb", "Lớp may khai giảng 15/12.")
    await press(app, "cb", t("compose.button.no_photo"))
    await press(app, "cb", t("outreach.topic.training"))
    preview = texts(await press(app, "cb", t("compose.button.now")))
    assert f"), {t('compose.now')}." in preview, preview


async def test_a_trade_the_list_lacks_typed_beside_one_it_has_is_the_other_trade(
    app: App, clock: Clock
) -> None:
    """"sua xe may voi han" at the trades question got «chọn một mục» again: «hàn» is not in
    the list, so nothing was taken."""
    zalo = await _survey_on_zalo(app, clock)
    await zalo("khao sat nhu cau hoc nghe")
    for typed in ("dong y", "28", "nam", "phu luu", "bo qua", "lam ruong"):
        await zalo(typed)
    await zalo("sua xe may voi han co lop khong")  # a question naming trades chooses none
    async with app.db.session() as session:
        asked = await session.scalar(select(SurveyResponse))
    assert asked is not None and not asked.answers.get("_trades")
    await zalo("khao sat nhu cau hoc nghe")  # back to it
    lines = await zalo("sua xe may voi han")
    assert intents(lines) == ["flow:survey.trades"] and "Sửa chữa xe máy" in texts(lines)
    assert intents(await zalo("xong")) == ["flow:survey.time"]  # the other trade is known
    async with app.db.session() as session:
        response = await session.scalar(select(SurveyResponse))
    assert response is not None
    assert response.answers["trades"] == ["motorbike", "other"]
    assert response.answers["trades_other"] == "han"
