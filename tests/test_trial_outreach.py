"""Found by trying the product as its users would (a worker and a mother on Zalo, an officer on
Telegram): announcements (/thongbao), subscribing and the survey. Each fix is kept here, through
the real engine, on the console and on Zalo where the rendering matters."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.outreach.send_time import parse_send_time
from handlers.outreach.subscribe_words import topics_answered, topics_in
from handlers.types import Channel
from messages import t
from messages.survey import questionnaire
from storage.models import Broadcast, Subscription, SurveyResponse
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
async def test_a_subscription_request_is_only_confirmed_and_ok_confirms_it(
    app: App, clock: Clock, channel: Channel
) -> None:
    """"ok" under the confirmation used to be small talk: the person left with nothing saved."""
    pl = await unit_id(app, "Phù Lưu")
    await person(app, "ba", clock.now(), case=("course", pl), channel=channel.value)
    lines = await say(app, "ba", "bao cho toi khi co lop moi", channel=channel)
    assert intents(lines) == ["flow:subscribe.confirm"] and "Lớp học nghề mới" in texts(lines)
    assert intents(await say(app, "ba", "ok", channel=channel)) == ["flow:subscribe.done"]
    lines = await say(app, "ba", "nhan thong bao", channel=channel)
    assert intents(lines) == ["flow:subscribe.topics"]
    await say(app, "ba", "lua dao", channel=channel)  # a topic typed by name
    lines = await say(app, "ba", "xong", channel=channel)
    assert intents(lines) == ["flow:subscribe.confirm"] and "lừa đảo" in texts(lines)
    await say(app, "ba", "dong y", channel=channel)
    async with app.db.session() as session:
        sub = await session.scalar(select(Subscription))
    assert sub is not None and sub.topics == ["training", "scam"]  # the classes kept


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_subscription_request_naming_a_commune_takes_it(
    app: App, clock: Clock, channel: Channel
) -> None:
    """Registered in Bạch Xa, "nhan thong bao lop moi o phu luu" was confirmed for Bạch Xa."""
    bx = await unit_id(app, "Bạch Xa")
    await person(app, "ba", clock.now(), case=("course", bx), channel=channel.value)
    lines = await say(app, "ba", "nhan thong bao lop moi o phu luu", channel=channel)
    assert intents(lines) == ["flow:subscribe.confirm"]
    assert "Phù Lưu" in texts(lines) and "Bạch Xa" not in texts(lines)
    await say(app, "ba", "ok", channel=channel)
    async with app.db.session() as session:
        sub = await session.scalar(select(Subscription))
    assert sub is not None and sub.unit_id == await unit_id(app, "Phù Lưu")
    # Nothing named: the person's own commune, as before.
    lines = await say(app, "ba", "bao cho toi khi co lop moi", channel=channel)
    assert "Bạch Xa" in texts(lines)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_subscription_right_after_an_answer_takes_its_news(
    app: App, clock: Clock, channel: Channel
) -> None:
    """"đi Nhật cần điều kiện gì", then "có đợt tuyển thì báo em nhé": the topics were asked
    as if Japan had not just been the matter. Now only the commune, then the confirmation."""
    await say(app, "q", "di nhat can dieu kien gi", channel=channel)
    lines = await say(app, "q", "co dot tuyen thi bao e nhe", channel=channel)
    assert intents(lines) == ["flow:subscribe.unit"]
    lines = await say(app, "q", "yen phu", channel=channel)
    assert intents(lines) == ["flow:subscribe.confirm"] and "(Nhật Bản)" in texts(lines)
    await say(app, "q", "dong y", channel=channel)
    async with app.db.session() as session:
        sub = await session.scalar(select(Subscription))
    assert sub is not None and sub.topics == ["abroad:japan"]
    # An answer naming no news (the costs) leaves the topics to choose.
    await say(app, "c", "chi phi di xuat khau lao dong het bao nhieu", channel=channel)
    assert intents(await say(app, "c", "nhan thong bao", channel=channel)) == [
        "flow:subscribe.unit"]
    assert intents(await say(app, "c", "yen phu", channel=channel)) == ["flow:subscribe.topics"]


def test_news_wanted_after_an_answer() -> None:
    assert topics_answered(["abroad.eligibility", "abroad.japan"]) == ["abroad:japan"]
    assert topics_answered(["training.courses"]) == ["training"]
    assert topics_answered(["abroad.costs"]) == []
    assert topics_answered(["training.support", "abroad.scam"]) == []  # two kinds of news


def test_topics_named_in_a_request() -> None:
    assert topics_in("báo cho tôi khi có lớp mới") == ["training"]
    assert topics_in("nhận tin tuyển đi hàn") == ["abroad:korea"]
    assert topics_in("cho e nhan tin xkld va canh bao lua dao") == ["abroad", "scam"]
    assert topics_in("nhận thông báo") == []


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
async def test_undoing_a_stop_mid_form_brings_the_form_question_back(
    app: App, clock: Clock, channel: Channel
) -> None:
    pl = await unit_id(app, "Phù Lưu")
    await person(app, "me", clock.now(), unit=pl, topics=["scam"], channel=channel.value)
    for text in ("toi muon dang ky", "dong y"):
        await say(app, "me", text, channel=channel)
    lines = await say(app, "me", "dung nhan tin", channel=channel)
    assert intents(lines) == ["flow:subscribe.stop"]  # one sentence, the form kept
    lines = await say(app, "me", "1", channel=channel)  # «Nhận lại thông báo»
    assert intents(lines) == ["flow:subscribe.resume", "flow:intake.who"]
    assert intents(await say(app, "me", "ban than", channel=channel)) == ["flow:intake.kind"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_escapes_while_subscribing(app: App, channel: Channel) -> None:
    lines = await say(app, "me", "nhan thong bao", channel=channel)
    assert intents(lines) == ["flow:subscribe.unit"]
    lines = await say(app, "me", "giúp", channel=channel)
    assert "xã" in lines[0]["text"] and lines[0]["text"] != t("escapes.help.any")
    assert intents(lines)[-1] == "flow:subscribe.unit"
    lines = await say(app, "me", "di nhat het bao nhieu tien", channel=channel)
    assert intents(lines)[0].startswith("faq:") and intents(lines)[-1] == "flow:subscribe.unit"
    lines = await say(app, "me", "5", channel=channel)  # the latest message: the communes
    assert intents(lines) == ["flow:subscribe.topics"]
    lines = await say(app, "me", "hủy", channel=channel)
    assert lines[0]["text"].startswith(t("outreach.cancelled"))


async def test_a_second_subscription_request_adds_to_the_topics_received(
    app: App, clock: Clock
) -> None:
    """Saving replaces the topics: "nhận tin lừa đảo" after "báo cho tôi khi có lớp mới"
    silently dropped the classes."""
    pl = await unit_id(app, "Phù Lưu")
    await person(app, "me", clock.now(), unit=pl, topics=["training", "abroad:korea"],
                 channel="console")
    for request in ("cho e nhan tin lua dao", "nhận tin tuyển đi nhật"):
        lines = await say(app, "me", request)
        assert intents(lines) == ["flow:subscribe.confirm"], request
        await say(app, "me", "ok")
    async with app.db.session() as session:
        sub = await session.scalar(select(Subscription))
    # Japan replaces Korea (one country at a time), the rest is kept.
    assert sub is not None and sub.topics == ["training", "scam", "abroad:japan"]
    lines = await say(app, "me", "nhan thong bao")  # nothing named: the topics, pre-chosen
    assert intents(lines) == ["flow:subscribe.topics"]
    assert "Đã chọn: Lớp học nghề mới" in texts(lines)


async def test_a_topic_asked_for_at_the_commune_question_is_added(app: App) -> None:
    # "cho em nhận cả tin cảnh báo lừa đảo" there dropped the classes asked for first.
    await say(app, "me", "em muon nhan them tin lop hoc nghe", channel=Channel.ZALO)
    lines = await say(app, "me", "cho em nhan ca tin canh bao lua dao", channel=Channel.ZALO)
    assert intents(lines) == ["flow:subscribe.unit"]
    await say(app, "me", "thai hoa", channel=Channel.ZALO)
    await say(app, "me", "dong y", channel=Channel.ZALO)
    async with app.db.session() as session:
        sub = await session.scalar(select(Subscription))
    assert sub is not None and sub.topics == ["training", "scam"]


@pytest.mark.parametrize(("said", "left"), [
    ("dừng nhận tin Hàn", ["training", "scam"]),
    ("thoi dung nhan tin han, chi nhan lop hoc thoi", ["training"]),
    ("dừng nhận tin, chỉ nhận lớp học thôi", ["training"]),
])
async def test_a_stop_naming_topics_stops_those_only(
    app: App, clock: Clock, said: str, left: list[str]
) -> None:
    # It stopped every announcement (or, before, started a subscription adding Korea).
    pl = await unit_id(app, "Phù Lưu")
    await person(app, "me", clock.now(), unit=pl, topics=["training", "scam", "abroad:korea"],
                 channel="zalo")
    lines = await say(app, "me", said, channel=Channel.ZALO)
    assert intents(lines) == ["flow:subscribe.confirm"]
    await say(app, "me", "dong y", channel=Channel.ZALO)
    async with app.db.session() as session:
        sub = await session.scalar(select(Subscription))
    assert sub is not None and sub.stopped_at is None and sub.topics == left


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


async def test_the_topic_named_at_the_confirmation_is_a_yes_and_another_is_added(
    app: App,
) -> None:
    """"hoc nghe" under «Bot sẽ gửi tin về: Lớp học nghề mới… Đồng ý không?» got the training
    answer and the class list (two long messages), then the question again."""
    zalo = partial(say, app, "an", channel=Channel.ZALO)
    await zalo("co lop hoc nghe moi thi bao cho e voi nhe")
    assert intents(await zalo("bach xa")) == ["flow:subscribe.confirm"]
    assert intents(await zalo("lua dao")) == ["flow:subscribe.topics"]  # added
    assert intents(await zalo("xong")) == ["flow:subscribe.confirm"]
    assert intents(await zalo("hoc nghe")) == ["flow:subscribe.done"]
    async with app.db.session() as session:
        subscription = await session.scalar(select(Subscription))
    assert subscription is not None and sorted(subscription.topics) == ["scam", "training"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_country_named_is_its_recruitment_and_topics_can_be_typed_in_a_sentence(
    app: App, channel: Channel
) -> None:
    """Tried on Telegram: "khi nao nhat tuyen thi bao em voi" asked the commune, then every
    topic as if none were said; "them ca lop hoc nghe nua" at the topics got the class list
    from the FAQ."""
    assert topics_in("khi nao nhat tuyen thi bao em voi") == ["abroad:japan"]
    await say(app, "t1", "khi nao nhat tuyen thi bao em voi", channel=channel)
    lines = await say(app, "t1", "thai son", channel=channel)
    assert intents(lines) == ["flow:subscribe.confirm"], lines
    assert "Nhật Bản" in texts(lines)
    # The request first, its condition after: it got the Korea answer.
    lines = await say(app, "t3", "bao cho em khi nao co dot tuyen di han nhe", channel=channel)
    assert intents(lines) == ["flow:subscribe.unit"], lines
    lines = await say(app, "t3", "thai son", channel=channel)
    assert "Hàn Quốc" in texts(lines)
    await say(app, "t2", "nhan thong bao", channel=channel)
    await say(app, "t2", "thai son", channel=channel)
    lines = await say(app, "t2", "them ca lop hoc nghe nua", channel=channel)
    assert intents(lines) == ["flow:subscribe.topics"], lines
    assert t("outreach.topic.training") in texts(lines)
    assert intents(await say(app, "t2", "xong", channel=channel)) == ["flow:subscribe.confirm"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_ok_at_the_subscriptions_commune_question_is_no_commune_not_found(
    app: App, channel: Channel
) -> None:
    await say(app, "s1", "nhan thong bao lop hoc", channel=channel)
    for said in ("ok", "dung roi"):
        lines = await say(app, "s1", said, channel=channel)
        assert intents(lines) == ["flow:subscribe.unit"]
        assert "chưa chọn xã" in texts(lines) and "chưa tìm thấy" not in texts(lines)
    lines = await say(app, "s1", "tin nhan", channel=channel)
    assert "Bot chưa tìm thấy xã «tin nhan»" in texts(lines)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_told_when_something_happens_is_a_subscription(
    app: App, channel: Channel
) -> None:
    # It got the Japan answer.
    lines = await say(app, "s1", "bao em khi nao nhat tuyen nhe", channel=channel)
    assert intents(lines) == ["flow:subscribe.unit"], lines
    lines = await say(app, "s1", "thai son", channel=channel)
    assert "Nhật Bản" in texts(lines)
    # Being told of one's own case is its status, not announcements.
    lines = await say(app, "s2", "khi nao co ket qua ho so thi bao em nhe", channel=channel)
    assert not intents(lines)[0].startswith("flow:subscribe")


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_subscriber_asking_for_an_officer_is_not_asked_the_commune(
    app: App, clock: Clock, channel: Channel
) -> None:
    """A subscriber of Yên Phú with no case said "gặp cán bộ" and was asked which commune
    (an officer's trial): the subscription's commune is hers."""
    yp = await unit_id(app, "Yên Phú")
    await person(app, "mai", clock.now(), unit=yp, topics=["training"], channel=channel.value)
    lines = await say(app, "mai", "gặp cán bộ", channel=channel)
    assert intents(lines) == ["flow:handoff.ask"], lines
