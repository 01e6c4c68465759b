"""What broke when the product was tried as its users would (a worker and a mother on Zalo, an
officer on Telegram), each fixed and kept fixed here, through the real engine, on the console
and on Zalo where the rendering matters."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.outreach.compose import parse_send_time
from handlers.outreach.subscribe import topics_in
from handlers.types import Channel
from messages import t
from messages.survey import questionnaire
from storage.models import Broadcast, DossierDocument, Subscription, SurveyResponse
from storage.survey_repo import open_round
from tests.dossier_support import click, jpeg, make_case, two_units
from tests.dossier_support import make_officer as dossier_officer
from tests.helpers import Clock, intents, press, say, send_file, texts
from tests.intake_support import all_cases
from tests.officials_helpers import add_plan, make_officer
from tests.outreach_support import person, unit_id
from tests.test_casework import register
from tests.test_journeys import RELATIVE_CLASS
from tests.test_journeys import _journey as journey

CHANNELS = [Channel.CONSOLE, Channel.ZALO]


async def _pages(app: App) -> dict[str, int]:
    async with app.db.session() as session:
        docs = (await session.scalars(select(DossierDocument))).all()
    counts: dict[str, int] = {}
    for doc in docs:
        counts[doc.item_key] = counts.get(doc.item_key, 0) + 1
    return counts


# -- dossier ------------------------------------------------------------------------------------
@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_held_photo_survives_a_question_and_is_filed_by_typed_name(
    app: App, channel: Channel
) -> None:
    """A photo sent at the checklist is held; a question asked meanwhile used to reopen the
    checklist and drop it, and "chung chi" typed as the answer went to the FAQ."""
    unit, _ = await two_units(app)
    case_id = await make_case(app, "me", unit_id=unit, channel=channel)
    await click(app, "me", f"dossier:case:{case_id}", channel=channel)
    lines = await send_file(app, "me", jpeg(1), channel=channel)
    assert intents(lines)[-1] == "flow:dossier.held"
    lines = await say(app, "me", "di nhat het bao nhieu tien", channel=channel)
    assert intents(lines)[0].startswith("faq:")
    assert intents(lines)[-1] == "flow:dossier.held"  # asked again which item it is
    lines = await say(app, "me", "abc xyz", channel=channel)  # a stray word keeps it too
    assert intents(lines)[-1] == "flow:dossier.held"
    lines = await say(app, "me", "chung chi", channel=channel)
    assert "Đã lưu 1 ảnh" in texts(lines), texts(lines)
    assert await _pages(app) == {"training_cert": 1}


@pytest.mark.parametrize("channel", CHANNELS)
async def test_items_are_chosen_by_name_and_xong_is_not_a_question(
    app: App, channel: Channel
) -> None:
    unit, _ = await two_units(app)
    case_id = await make_case(app, "me", unit_id=unit, channel=channel)
    await click(app, "me", f"dossier:case:{case_id}", channel=channel)
    lines = await say(app, "me", "hoa don", channel=channel)
    assert intents(lines) == ["flow:dossier.item"] and "Hóa đơn, biên lai" in texts(lines)
    await send_file(app, "me", jpeg(2), channel=channel)
    # Naming another item from inside one finishes it (its page kept) and opens the other.
    lines = await say(app, "me", "visa", channel=channel)
    assert "Đã lưu «Hóa đơn, biên lai»: 1 trang" in texts(lines)
    assert intents(lines)[-1] == "flow:dossier.item" and "Hộ chiếu" in texts(lines)
    await say(app, "me", "xong", channel=channel)
    # At the checklist "xong" once went to the FAQ ("after the course…").
    lines = await say(app, "me", "xong", channel=channel)
    assert intents(lines) == ["flow:dossier.checklist"], intents(lines)
    assert await _pages(app) == {"receipts": 1}


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_photo_sent_with_no_dossier_open_is_kept_for_the_case(
    app: App, channel: Channel
) -> None:
    """Right after registering, a photo was answered "chưa mở hồ sơ nào" and thrown away."""
    lines = await send_file(app, "nobody", jpeg(5), channel=channel)
    assert texts(lines).startswith(t("dossier.file_no_case"))  # no case: where papers go
    unit, _ = await two_units(app)
    await make_case(app, "me", unit_id=unit, channel=channel)
    lines = await send_file(app, "me", jpeg(6), channel=channel)
    assert intents(lines) == ["flow:dossier.held"] and "HY-2026-00001" in texts(lines)
    await send_file(app, "me", jpeg(7), channel=channel)  # the burst's second page: no reply
    lines = await say(app, "me", "don de nghi", channel=channel)
    assert "Đã lưu 2 ảnh vào «Đơn đề nghị hỗ trợ»" in texts(lines)
    assert await _pages(app) == {"request_form": 2}


# -- /thongbao ----------------------------------------------------------------------------------
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
    assert intents(await say(app, "cb", "ok gửi đi")) == ["flow:broadcast.created"]
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


# -- subscribing --------------------------------------------------------------------------------
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


def test_topics_named_in_a_request() -> None:
    assert topics_in("báo cho tôi khi có lớp mới") == ["training"]
    assert topics_in("nhận tin tuyển đi hàn") == ["abroad:korea"]
    assert topics_in("cho e nhan tin xkld va canh bao lua dao") == ["abroad", "scam"]
    assert topics_in("nhận thông báo") == []


# -- the survey ---------------------------------------------------------------------------------
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


# -- the registration form ----------------------------------------------------------------------
FORM_ANSWERS = {
    "consent": "dong y", "who": "ban than", "kind": "xkld", "full_name": "nguyen van hung",
    "dob": "15/8/1998", "gender": "nam", "phone": "0912345678", "commune": "phu luu",
    "village": "thon 3", "ethnicity": "tay", "household": "can ngheo", "market": "nhat",
    "citizen_id": "ko co",
}


@pytest.mark.parametrize("channel", CHANNELS)
async def test_help_says_what_every_step_of_the_form_expects(
    app: App, channel: Channel
) -> None:
    generic = t("escapes.help.intake.any")
    lines = await say(app, "me", "toi muon dang ky", channel=channel)
    while (step := intents(lines)[-1].removeprefix("flow:intake.")) != "summary":
        help_lines = await say(app, "me", "giúp", channel=channel)
        assert help_lines[0]["text"] != generic, step
        assert intents(help_lines)[-1] == f"flow:intake.{step}"
        lines = await say(app, "me", FORM_ANSWERS[step], channel=channel)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_cancelling_a_hand_off_mid_form_shows_only_the_form_question(
    app: App, channel: Channel
) -> None:
    """The cancelled hand-off used to carry the main menu, then the form's question: on Zalo
    two numbered lists in a row."""
    for text in ("toi muon dang ky", "dong y", "ban than", "xkld"):
        await say(app, "me", text, channel=channel)
    lines = await say(app, "me", "gap can bo", channel=channel)
    assert intents(lines) == ["flow:handoff.commune"]
    lines = await say(app, "me", "huy", channel=channel)
    assert intents(lines) == ["flow:handoff.cancelled", "flow:intake.full_name"]
    assert lines[0]["text"] == t("handoff.cancelled") and not lines[0].get("buttons")


async def test_the_resume_offer_counts_like_the_form(app: App) -> None:
    """The form said "(Còn 6 câu)" and the resume offer "đã trả lời 7/12 câu" (5 left)."""
    for text in ("e muon dang ky di nhat", "dong y", "nguyen van hung", "15/8/1998", "nam"):
        lines = await say(app, "me", text)
    counter = re.search(r"\(Còn (\d+) câu\)", texts(lines))
    assert counter is not None
    await say(app, "me", "menu")
    offer = texts(await say(app, "me", "dang ky"))
    done, total = map(int, re.findall(r"(\d+)/(\d+) câu", offer)[0])
    assert total - done == int(counter.group(1)), offer


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_mother_registers_her_son_from_one_sentence(app: App, channel: Channel) -> None:
    """"đăng ký học nghề cho con trai tôi ở Bạch Xa": relative, child, class, commune and now
    the gender are read from the sentence and never asked."""
    answers = {**RELATIVE_CLASS, "dob": ["15-8-05"], "citizen_id": ["chua co"]}
    turns, asked, _ = await journey(
        app, "me", channel, "dang ky hoc nghe cho con trai toi o bach xa", answers
    )
    assert not {"who", "relationship", "kind", "gender", "commune"} & set(asked), asked
    [case] = await all_cases(app)
    assert (case.gender, case.kind) == ("male", "course")
    print(f"mother registering her son on {channel.value}: {turns} turns ({', '.join(asked)})")
    assert turns <= 11


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_trigger_phrase_fills_the_form_like_a_request(app: App, channel: Channel) -> None:
    """"đăng ký học nghề" (an exact trigger phrase) started an empty form that asked "Anh/chị
    đăng ký việc gì?"."""
    await say(app, "me", "dang ky hoc nghe", channel=channel)
    lines = await say(app, "me", "dong y", channel=channel)
    assert intents(lines) == ["flow:intake.who"] and "Học nghề" in texts(lines)
    lines = await say(app, "me", "ban than", channel=channel)
    assert intents(lines) == ["flow:intake.full_name"]  # not "kind"


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


# -- outside any flow, and seeing or deleting one's data ------------------------------------------
@pytest.mark.parametrize("channel", CHANNELS)
async def test_help_outside_a_flow_and_declining_a_deletion_by_typing(
    app: App, channel: Channel
) -> None:
    lines = await say(app, "me", "giúp", channel=channel)  # was "which topic?" of three
    assert intents(lines) == ["flow:menu.help", "flow:menu"]
    await journey(app, "me", channel, "e muon dang ky di nhat", {
        "consent": ["dong y"], "full_name": ["nguyen van hung"], "dob": ["15/8/1998"],
        "gender": ["nam"], "phone": ["0912345678"], "commune": ["phu luu"],
        "village": ["thon 3"], "ethnicity": ["tay"], "household": ["can ngheo"],
        "citizen_id": ["ko co"], "summary": ["ok dung roi"]})
    lines = await say(app, "me", "xem du lieu cua toi", channel=channel)
    assert "Quan hệ" not in texts(lines)  # was "Quan hệ: self" for one's own case
    await say(app, "me", "xoa du lieu cua toi", channel=channel)
    lines = await say(app, "me", "khong", channel=channel)  # was "bot chưa hiểu"
    assert texts(lines).startswith(t("privacy.delete_cancelled"))
    assert len(await all_cases(app)) == 1


@pytest.mark.parametrize("channel", CHANNELS)
async def test_help_and_cancel_in_a_conversation_with_an_officer(
    app: App, channel: Channel
) -> None:
    for text in ("gap can bo", "phu luu", "e muon hoi lich phong van"):
        await say(app, "me", text, channel=channel)
    lines = await say(app, "me", "giúp", channel=channel)
    assert "đang trao đổi với cán bộ" in lines[0]["text"]  # not "type your question"
    lines = await say(app, "me", "hủy", channel=channel)
    assert texts(lines).startswith(t("thread.left_open"))  # not "chưa gửi gì cho cán bộ"


# -- an officer reviewing a dossier -------------------------------------------------------------
async def test_help_while_reviewing_keeps_the_item_under_review(app: App) -> None:
    """«giúp» on an item restarted the review at the waiting list; the item's buttons were
    gone and «Lý do khác» typed after it was read as an out-of-remit question."""
    unit, _ = await two_units(app)
    case_id = await make_case(app, "fam", unit_id=unit)
    await dossier_officer(app, "cb", role="commune", unit_id=unit)
    await click(app, "fam", f"dossier:case:{case_id}")
    for n, key in enumerate(("request_form", "contract", "passport_visa", "training_cert",
                             "receipts"), start=1):
        await click(app, "fam", f"dossier:item:{key}")
        await send_file(app, "fam", jpeg(n))
        await send_file(app, "fam", jpeg(n + 10))
        await click(app, "fam", "dossier:done")
    lines = await click(app, "cb", f"review:open:{case_id}")
    assert intents(lines)[-1] == "flow:review.item"
    lines = await say(app, "cb", "giúp")
    assert intents(lines) == ["flow:review.help", "flow:review.item"]
    assert "Duyệt" in lines[0]["text"] and not lines[-1].get("attachments")  # no re-send
    lines = await press(app, "cb", "Lý do khác")
    assert intents(lines) == ["flow:review.reason"]
    lines = await say(app, "cb", "giúp")
    assert intents(lines) == ["flow:review.help", "flow:review.reason"]
    lines = await say(app, "cb", "trang 2 bị mờ, chụp lại giúp")
    assert "flow:review.rejected" in intents(lines)
    assert any(line["to"] == "fam" and "trang 2 bị mờ" in line["text"] for line in lines)


async def test_help_while_writing_a_note_to_the_person_asks_for_the_note_again(
    app: App, clock: Clock
) -> None:
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    ref = await register(app, "u1")
    await say(app, "cb", "/dangky")
    await press(app, "cb", f"Mở {ref}")
    lines = await press(app, "cb", "Cần bổ sung")
    assert intents(lines) == ["flow:cases.note"]
    lines = await say(app, "cb", "giúp")
    # It showed the case list while the next text was still taken as the note.
    assert intents(lines) == ["flow:cases.help", "flow:cases.note"]
    lines = await say(app, "cb", "Cần bổ sung giấy xác nhận hộ nghèo")
    assert intents([x for x in lines if x["to"] == "cb"]) == ["flow:cases.changed"]


async def test_help_during_nopds_keeps_the_programme_chosen(app: App, clock: Clock) -> None:
    await add_plan(app, "Phù Lưu", "ntp_2026", 2026, 47, date(2026, 7, 1))
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await say(app, "pl", "/nopds")
    await press(app, "pl", "MTQG 2026–2035")
    lines = await say(app, "pl", "giúp")
    # It started /nopds over at the programme question.
    assert intents(lines) == ["flow:officials.help", "flow:officials.submit.count"]
    assert "số học viên" in lines[0]["text"]
    assert intents(await say(app, "pl", "20")) == ["flow:officials.submit.file"]


async def test_help_while_answering_a_person_asks_for_the_answer_again(
    app: App, clock: Clock
) -> None:
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    await register(app, "u1")
    await say(app, "u1", "gặp cán bộ")
    lines = await say(app, "u1", "Bao giờ cán bộ gọi cho tôi?")
    [thread_id] = {x["meta"]["thread_id"] for x in lines if x["to"] == "pl"}
    await click(app, "pl", f"thread:answer:{thread_id}")
    lines = await say(app, "pl", "giúp")
    # It answered about display names (/tenhienthi, the flow's start).
    assert intents(lines) == ["flow:thread.help", "flow:thread.answer"]
    lines = await say(app, "pl", "Chiều mai cán bộ gọi anh/chị nhé.")
    assert any(x["to"] == "u1" and "Chiều mai" in x["text"] for x in lines)


async def test_the_summary_says_for_whom_without_cho_twice(app: App) -> None:
    lines = await say(app, "me", "e muon dang ky di nhat")
    lines = await say(app, "me", "dong y")
    assert "Đăng ký cho: Bản thân" in texts(lines)  # was "Đăng ký cho: Cho bản thân tôi"


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


async def test_a_question_from_the_middle_of_a_registration_names_the_person(
    app: App, clock: Clock
) -> None:
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    for text in ("e muon dang ky di nhat", "dong y", "nguyen van hung", "gap can bo",
                 "phu luu"):
        await say(app, "me", text)
    lines = await say(app, "me", "cho e hoi ve khoan vay")
    [notice] = [x for x in lines if x["to"] == "pl"]
    assert "Nguyen Van Hung" in notice["text"], notice["text"]  # was "(không rõ tên)"


async def test_a_preview_to_nobody_says_so(app: App, clock: Clock) -> None:
    await make_officer(app, clock, "vp", "office")
    await say(app, "vp", "/thongbao")
    await say(app, "vp", "Cảnh báo: không nộp tiền cho người tự xưng môi giới.")
    await press(app, "vp", t("compose.button.no_photo"))
    await say(app, "vp", "phu luu, yen phu")
    await press(app, "vp", t("outreach.topic.scam"))
    lines = await press(app, "vp", t("compose.button.now"))
    assert lines[0]["meta"]["recipients"] == 0 and t("compose.nobody") in texts(lines)


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
