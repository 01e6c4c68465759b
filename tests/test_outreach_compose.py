"""/thongbao: an officer composes an announcement in chat; subscribing and stopping in chat."""

from __future__ import annotations

from datetime import date
from functools import partial

import pytest
from sqlalchemy import select

from bot.app import App
from bot.inbound import button_event
from bot.simulate import output_lines
from handlers.outreach.new_class import offer_new_courses
from handlers.outreach.rules import plain_text
from handlers.types import Channel
from messages import t
from storage.models import Broadcast, ConversationState, Course, OutboxMessage, Subscription
from tests.helpers import Clock, intents, press, say, texts
from tests.officials_helpers import make_officer
from tests.outreach_support import person, unit_id


async def test_commune_officer_composes_for_their_commune(app: App, clock: Clock) -> None:
    pl = await unit_id(app, "Phù Lưu")
    for i in range(3):
        await person(app, f"s{i}", clock.now(), unit=pl, topics=["training"])
    await person(app, "other", clock.now(), unit=await unit_id(app, "Yên Phú"), topics=["training"])
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    assert intents(await say(app, "cb", "/thongbao")) == ["flow:broadcast.text"]
    assert "1.800" in texts(await say(app, "cb", "x" * 1801))
    await say(app, "cb", "Lớp may công nghiệp khai giảng 15/12 tại nhà văn hóa thôn Cầu Cao.")
    interest = await press(app, "cb", t("compose.button.no_photo"))
    # A commune officer is not asked which communes: their own.
    assert intents(interest) == ["flow:broadcast.interest"]
    await press(app, "cb", t("outreach.topic.training"))
    assert "21:00" in texts(await say(app, "cb", "22:00 11/07"))  # quiet hours refused
    preview = await say(app, "cb", "09:00 11/07")
    assert preview[0]["meta"]["recipients"] == 3
    assert "Gửi tới 3 người" in texts(preview) and "dừng nhận tin" in texts(preview)
    created = await press(app, "cb", t("compose.button.send"))
    assert intents(created) == ["flow:broadcast.created"]
    assert "gửi lúc 09:00 11/07" in texts(created)  # when it goes, said
    async with app.db.session() as session:
        broadcast = await session.scalar(select(Broadcast))
    assert broadcast is not None
    assert broadcast.unit_ids == [pl] and broadcast.interest == "training"
    assert broadcast.send_at.hour == 2  # 09:00 local
    await say(app, "cb", "/thongbao")
    report = texts(await press(app, "cb", t("compose.button.report")))
    assert f"#{broadcast.id}" in report
    # In words, not the stored "scheduled" (second user trial).
    assert "(đã lên lịch)" in report and "scheduled" not in report


async def test_office_targets_typed_communes_and_scope_is_enforced(app: App, clock: Clock) -> None:
    await make_officer(app, clock, "vp", "office")
    await person(app, "sub", clock.now(), unit=await unit_id(app, "Phù Lưu"), topics=["scam"])
    await say(app, "vp", "/thongbao")
    await say(app, "vp", "Cảnh báo: không nộp tiền cho người tự xưng môi giới.")
    units = await press(app, "vp", t("compose.button.no_photo"))
    assert intents(units) == ["flow:broadcast.units"]
    assert "Không tìm thấy" in texts(await say(app, "vp", "phu luu, xyz"))
    await say(app, "vp", "phu luu, yen phu")
    await press(app, "vp", t("outreach.topic.scam"))
    await press(app, "vp", t("compose.button.now"))
    created = await press(app, "vp", t("compose.button.send"))
    # "Đã lên lịch" after «Gửi ngay» read as a delay (an officer's trial): "gửi ngay".
    assert "gửi ngay." in texts(created)
    async with app.db.session() as session:
        broadcast = await session.scalar(select(Broadcast))
    assert broadcast is not None and len(broadcast.unit_ids) == 2


async def test_a_citizen_cannot_compose(app: App) -> None:
    assert intents(await say(app, "dan", "/thongbao")) == ["flow:broadcast.refused"]


async def test_stop_works_in_the_middle_of_a_registration(app: App, clock: Clock) -> None:
    await say(app, "an", "nhận thông báo")
    await say(app, "an", "phu luu")
    await press(app, "an", t("outreach.topic.scam"))
    await press(app, "an", t("outreach.button.done"))
    assert intents(await press(app, "an", t("outreach.button.yes"))) == ["flow:subscribe.done"]
    await say(app, "an", "/dangky")
    for phrase in ("dung nhan tin", "/stop", "Hủy nhận thông báo"):
        lines = await say(app, "an", phrase)
        assert intents(lines) == ["flow:subscribe.stop"] and len(lines) == 1
    async with app.db.session() as session:
        sub = await session.scalar(select(Subscription))
        state = await session.scalar(select(ConversationState))
    assert sub is not None and sub.stopped_at is not None
    assert state is not None and state.flow == "intake"
    # The registration is still where it was; stopping is undone in one step.
    resumed = await press(app, "an", t("outreach.button.resume"))
    assert "Cảnh báo lừa đảo" in texts(resumed)
    async with app.db.session() as session:
        sub = await session.scalar(select(Subscription))
    assert sub is not None and sub.stopped_at is None and sub.topics == ["scam"]


async def test_a_new_class_is_offered_to_its_officers_and_announced(app: App, clock: Clock) -> None:
    pl = await unit_id(app, "Phù Lưu")
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    await person(app, "sub", clock.now(), unit=pl, topics=["training"])
    await person(app, "waiting", clock.now(), case=("course", pl), case_status="waitlist")
    async with app.db.transaction() as session:
        # The first look marks the classes that already exist: no flood at first start.
        assert await offer_new_courses(session, clock.now()) == 0
        session.add(
            Course(
                code="NEW-1",
                occupation="May công nghiệp",
                unit_id=pl,
                venue="Nhà văn hóa thôn Cầu Cao",
                start_date=date(2026, 8, 3),
                seats=30,
            )
        )
    async with app.db.transaction() as session:
        assert await offer_new_courses(session, clock.now()) == 1
        assert await offer_new_courses(session, clock.now()) == 0
        course = await session.scalar(select(Course).where(Course.code == "NEW-1"))
        offer = await session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == "cb")
            .order_by(OutboxMessage.id.desc())
        )
    assert course is not None and offer is not None
    assert "May công nghiệp" in offer.payload["text"]
    [[button_id, _]] = offer.payload["buttons"][0]
    preview = await app.handle_locally(
        button_event(Channel.CONSOLE, "cb", button_id=button_id), partial(output_lines, 0)
    )
    assert preview[0]["meta"]["recipients"] == 2  # the subscriber and the waiting list
    await press(app, "cb", t("compose.button.send"))
    async with app.db.session() as session:
        broadcast = await session.scalar(select(Broadcast))
    assert broadcast is not None and broadcast.course_id == course.id
    assert broadcast.unit_ids == [pl] and "03/08/2026" in broadcast.text


async def test_the_commune_is_chosen_by_its_number_on_zalo(app: App) -> None:
    lines = await say(app, "zz", "bao cho toi khi co lop moi", channel=Channel.ZALO)
    assert intents(lines) == ["flow:subscribe.unit"] and "5. Phù Lưu" in texts(lines)
    lines = await say(app, "zz", "5", channel=Channel.ZALO)
    # The request named its topic (new classes): only confirmed, not chosen again.
    assert intents(lines) == ["flow:subscribe.confirm"] and "Lớp học nghề mới" in texts(lines)
    async with app.db.session() as session:
        state = await session.scalar(select(ConversationState))
    assert state is not None and state.data["unit_id"] == await unit_id(app, "Phù Lưu")


@pytest.mark.parametrize(
    ("no_photo", "units", "topic", "when", "interest"),
    [
        ("ko co", "tat ca", "lop hoc nghe", "gui luon", "training"),
        ("khong a", "tất cả các xã", "nhat ban", "ngay", "abroad:japan"),
        ("bo qua", "ca huyen", "lua dao", "gửi ngay", "scam"),
    ],
)
async def test_every_step_takes_what_officers_type(
    app: App, clock: Clock, no_photo: str, units: str, topic: str, when: str, interest: str
) -> None:
    """On Zalo an officer types: "ko co" under the photo question, "lop hoc nghe" for the
    topic, "gui luon" got «Anh/chị chọn một mục bên dưới» (only the exact label worked)."""
    await make_officer(app, clock, "vp", "office", channel=Channel.ZALO)
    await person(app, "sub", clock.now(), topics=[interest])  # someone it reaches
    zalo = partial(say, app, "vp", channel=Channel.ZALO)
    await zalo("/thongbao")
    await zalo("Lop may cong nghiep khai giang 20/12 tai xa Phu Luu.")
    assert intents(await zalo(no_photo)) == ["flow:broadcast.units"]
    assert intents(await zalo(units)) == ["flow:broadcast.interest"]
    assert intents(await zalo(topic)) == ["flow:broadcast.when"]
    assert intents(await zalo(when)) == ["flow:broadcast.preview"]
    assert intents(await zalo("ok gui")) == ["flow:broadcast.created"]
    async with app.db.session() as session:
        broadcast = await session.scalar(select(Broadcast))
    assert broadcast is not None and broadcast.unit_ids == [] and broadcast.interest == interest


@pytest.mark.parametrize("answer", ["e o phu luu", "nha em o xa phu luu a", "Phù Lưu ạ"])
async def test_the_commune_said_in_a_sentence_is_taken(app: App, answer: str) -> None:
    """Asked "Anh/chị ở xã nào?", "e o phu luu" (four words) was read as a question: a
    "which topic?" about the office address came back and the commune question was lost."""
    zalo = partial(say, app, "an", channel=Channel.ZALO)
    assert intents(await zalo("bao cho e khi co lop hoc nghe moi nha")) == [
        "flow:subscribe.unit"
    ]
    assert intents(await zalo(answer)) == ["flow:subscribe.confirm"]
    await zalo("ok")
    async with app.db.session() as session:
        sub = await session.scalar(select(Subscription))
    assert sub is not None and sub.unit_id == await unit_id(app, "Phù Lưu")


async def test_stop_with_nothing_subscribed_offers_no_resume(app: App) -> None:
    """Second user trial: /stop at the subscription's confirmation said "muốn nhận lại, gõ
    «nhận lại thông báo»", and "nhan lai" then said "Anh/chị chưa đăng ký nhận tin"."""
    z = Channel.ZALO
    await say(app, "u1", "dang ky nhan tin di nhat", channel=z)
    await say(app, "u1", "e o thai hoa", channel=z)
    lines = await say(app, "u1", "/stop", channel=z)
    assert intents(lines) == ["flow:subscribe.stop"]
    assert "nhận lại" not in texts(lines) and "nhận thông báo" in texts(lines)
    assert intents(await say(app, "u1", "1", channel=z))[0] != "flow:subscribe.done"
    async with app.db.session() as session:
        sub = await session.scalar(select(Subscription))
    assert sub is not None and sub.topics == [] and sub.stopped_at is not None
    # Subscribed, then stopped: «Nhận lại» brings it back.
    await say(app, "u2", "dang ky nhan tin di nhat", channel=z)
    await say(app, "u2", "e o thai hoa", channel=z)
    await say(app, "u2", "1", channel=z)
    assert "nhận lại" in texts(await say(app, "u2", "/stop", channel=z))
    assert "Đã bật lại" in texts(await say(app, "u2", "nhan lai", channel=z))


async def test_an_officer_typing_gap_can_bo_in_an_officers_flow_is_not_handed_off(
    app: App, clock: Clock
) -> None:
    # Third user trial: "gặp cán bộ" typed as an announcement opened the citizen hand-off,
    # and the announcement's next text went to the officers as a person's question.
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    await say(app, "cb", "/thongbao")
    taken = await say(app, "cb", "gap can bo")
    assert intents(taken) == ["flow:broadcast.photo"]
    async with app.db.session() as session:
        state = await session.scalar(
            select(ConversationState).where(ConversationState.flow == "broadcast"))
    assert state is not None
    # A person in a flow still reaches an officer with the same words.
    await person(app, "dan", clock.now(), unit=await unit_id(app, "Phù Lưu"), topics=[])
    await say(app, "dan", "nhận thông báo lớp học")
    assert intents(await say(app, "dan", "gặp cán bộ"))[0].startswith("flow:handoff")


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_emphasis_markers_are_not_delivered(
    app: App, clock: Clock, channel: Channel
) -> None:
    """«**Lớp may** mở _ngày 5/1_» reached people with its asterisks and underscores: the
    preview and the announcement are now the words alone, and the 1,800 characters are
    counted on them."""
    pl = await unit_id(app, "Phù Lưu")
    await person(app, "sub", clock.now(), unit=pl, topics=["training"], channel="zalo")
    await make_officer(app, clock, "cb", "commune", "Phù Lưu", channel=channel)
    await say(app, "cb", "/thongbao", channel=channel)
    # Long only because of its markers: accepted, as what is delivered is within the limit.
    lines = await say(app, "cb", "**Lớp may** mở _ngày 5/1_ " + "*x* " * 450, channel=channel)
    assert intents(lines) == ["flow:broadcast.photo"], texts(lines)
    await say(app, "cb", "/thongbao", channel=channel)
    await say(app, "cb", "hủy", channel=channel)
    await say(app, "cb", "/thongbao", channel=channel)
    await say(app, "cb", "**Lớp may** mở _ngày 5/1_, gọi số 0912_345 hoặc xem http://hy.vn/lop_may",
              channel=channel)
    await say(app, "cb", "không có ảnh", channel=channel)
    await say(app, "cb", "lớp học nghề", channel=channel)
    preview = texts(await say(app, "cb", "gửi ngay", channel=channel))
    said = "Lớp may mở ngày 5/1, gọi số 0912_345 hoặc xem http://hy.vn/lop_may"
    assert said in preview, preview
    assert intents(await say(app, "cb", "gửi", channel=channel)) == ["flow:broadcast.created"]
    async with app.db.session() as session:
        broadcast = await session.scalar(select(Broadcast))
    assert broadcast is not None and broadcast.text == said


@pytest.mark.parametrize(("typed", "sent"), [
    ("**Lớp may** mở _ngày 5/1_", "Lớp may mở ngày 5/1"),
    ("***Khai giảng*** ~~thứ hai~~ thứ ba, mang `CCCD`", "Khai giảng thứ hai thứ ba, mang CCCD"),
    ("(_ghi chú_) Gọi *0912 345 678* nhé!", "(ghi chú) Gọi 0912 345 678 nhé!"),
    # Not emphasis: left as typed (unbalanced, inside a word, arithmetic, a list, an address).
    ("**Lớp may mở", "**Lớp may mở"),
    ("5*3*2 = 30, a * b * c", "5*3*2 = 30, a * b * c"),
    ("ho_ten_nguoi, http://hy.vn/a_b_c", "ho_ten_nguoi, http://hy.vn/a_b_c"),
    ("* một\n* hai", "* một\n* hai"),
    ("**dòng một\ndòng hai**", "**dòng một\ndòng hai**"),
])
def test_plain_text_takes_out_paired_markers_only(typed: str, sent: str) -> None:
    assert plain_text(typed) == sent


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_a_number_not_among_the_options_is_said_so(
    app: App, clock: Clock, channel: Channel
) -> None:
    """"7" under the photo question (one option) asked the step again without a word about
    the number; now the shared "no option number 7", as at the other steps' lists, then the
    step. A number at the send-time step is a time, not an option."""
    await make_officer(app, clock, "cb", "commune", "Phù Lưu", channel=channel)
    await say(app, "cb", "/thongbao", channel=channel)
    await say(app, "cb", "Lớp may công nghiệp khai giảng 15/12 tại nhà văn hóa.", channel=channel)
    unknown = t("escapes.unknown_option_number", number=7)
    lines = await say(app, "cb", "7", channel=channel)
    assert intents(lines) == ["number.unknown", "flow:broadcast.photo"], lines
    assert lines[0]["text"] == unknown
    lines = await say(app, "cb", "1", channel=channel)  # «Không có ảnh»
    assert intents(lines) == ["flow:broadcast.interest"], lines
    lines = await say(app, "cb", "99", channel=channel)
    assert intents(lines) == ["number.unknown", "flow:broadcast.interest"], lines
    await press(app, "cb", t("outreach.topic.training"), channel=channel)
    lines = await say(app, "cb", "7", channel=channel)
    assert intents(lines) == ["flow:broadcast.when"] and "giờ" in lines[0]["text"], lines
    lines = await say(app, "cb", "09:00 11/07", channel=channel)
    assert intents(lines) == ["flow:broadcast.preview"], lines
    lines = await say(app, "cb", "7", channel=channel)
    assert intents(lines) == ["number.unknown", "flow:broadcast.preview"], lines
