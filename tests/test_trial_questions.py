"""Leftovers of the user trials about questions (driven through the engine on the console and
Zalo, on SQLite and PostgreSQL through the ``app`` fixture): the options under an answer, a
phone or ID number inside a question, and "which papers am I still missing?"."""

from __future__ import annotations

from typing import Any

import pytest

from bot.app import App
from handlers.dossier.states import ItemState
from handlers.faq import one_per_action
from handlers.types import Button, Channel
from storage.dossier_repo import get_item
from storage.models import utcnow
from tests.dossier_support import make_case
from tests.helpers import intents, say, shipped_matcher, texts

CHANNELS = [Channel.CONSOLE, Channel.ZALO]


def _options(line: dict[str, Any]) -> list[str]:
    """The option labels of a reply: its buttons, or on Zalo the numbered lines."""
    if "buttons" in line:
        return [label for row in line["buttons"] for label in row]
    return [ln.split(". ", 1)[1] for ln in line["text"].splitlines()
            if ln[:1].isdigit() and ". " in ln[:4]]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_one_option_per_action_under_an_answer(app: App, channel: Channel) -> None:
    """"1. Đăng ký ngay 2. Đăng ký học nghề": two options opening the same form. The entry's
    own «Đăng ký học nghề» (its answer names it) stays, the general offer goes."""
    lines = await say(app, "u1", "cccd 008099001234 cua em dang ky hoc nghe duoc ko",
                      channel=channel)
    assert intents(lines) == ["faq:training.register"], lines
    options = _options(lines[0])
    assert "Đăng ký học nghề" in options, options
    assert "Đăng ký ngay" not in options, options
    assert len(options) == len(set(options)) >= 3, options


def test_one_per_action_keeps_different_actions() -> None:
    rows = [[Button("intake:start", "Đăng ký ngay")], [Button("faq:t:a", "A")],
            [Button("intake:course", "Đăng ký học nghề")], [Button("faq:t:a", "A again")],
            [Button("privacy:data", "Xem")], [Button("privacy:delete", "Xóa")],
            [Button("intake:abroad", "Đi nước ngoài")]]
    kept = [b.id for row in one_per_action(rows) for b in row]
    # Viewing and deleting are two actions; a class and going abroad are two registrations.
    assert kept == ["faq:t:a", "intake:course", "privacy:data", "privacy:delete",
                    "intake:abroad"]
    # Alone, the general offer stays.
    assert one_per_action(rows[:2]) == rows[:2]


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(("text", "topic"), [
    ("em sdt 0912345678 muon hoi di han quoc can gi", "abroad.korea"),
    ("sdt cua em la 0987 654 321, cho em hoi vay von di nhat o dau", "abroad.loan"),
    ("cccd 008099001234 cua em dang ky hoc nghe duoc ko", "training.register"),
])
async def test_a_phone_or_id_number_does_not_decide_the_topic(
    app: App, channel: Channel, text: str, topic: str
) -> None:
    """"em sdt 0912345678 muon hoi di han quoc can gi" was answered «Địa chỉ, giờ làm việc»
    first: the number and its label pulled the question to the office's phone."""
    lines = await say(app, "u1", text, channel=channel)
    assert intents(lines) == [f"faq:{topic}"], lines


def test_the_number_and_its_label_leave_the_matching_key() -> None:
    matcher = shipped_matcher()
    assert matcher.key("em sdt 0912345678 muon hoi di han quoc can gi") == "di han quoc can gi"
    assert matcher.key("căn cước của em là 008099001234, đi nhật được không") == (
        "di nhat duoc khong")
    # Asking for the office's number, a sum of money, a number alone: as before.
    assert matcher.decide("số điện thoại của xã là bao nhiêu").topic == "general.contact"
    assert matcher.key("vay 150000000 duoc khong") == "vay 150000000 duoc khong"
    assert matcher.key("sdt 0912345678") == "so dien thoai 0912345678"
    # A year of birth with its label too ("sinh năm 1975" read as a birth certificate's
    # business): a year alone, or a year that is not a birth, stays.
    assert matcher.key("dang ky hoc may cho me e sinh nam 1975") == "dang ky hoc may cho me em"
    assert "2027" in matcher.key("lop may nam 2027 mo chua")


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_registration_request_with_the_persons_details_registers(
    app: App, channel: Channel
) -> None:
    """Tried on Zalo: a son registering his mother with her details in the message got the
    class list ("sinh nam 1975" made it out of the remit, and the request was lost)."""
    text = ("dang ky cho me e hoc lop may o ham yen, me e ten Hoang Thi Lan sinh nam 1975 "
            "sdt 0987654321")
    lines = await say(app, "u1", text, channel=channel)
    assert intents(lines) == ["flow:intake.consent"], lines


MISSING_QUESTIONS = [
    "nhắc lại giúp em giấy tờ còn thiếu",
    "ho so cua em con thieu giay gi",
    "em con phai nop them gi nua",
    "giấy tờ nào bị trả lại",
]


async def _case_with_a_rejected_item(app: App, user: str, channel: Channel) -> int:
    # Not a poor household: the paper proving the group is needed now.
    case_id = await make_case(app, user, channel=channel, household="khong")
    async with app.db.transaction() as session:
        for key, status in (("request_form", ItemState.SENT), ("receipts", ItemState.APPROVED),
                            ("training_cert", ItemState.REJECTED)):
            item = await get_item(session, case_id, key, utcnow())
            item.status = status
            if status == ItemState.REJECTED:
                item.reason = "mo"
    return case_id


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("text", MISSING_QUESTIONS)
async def test_which_papers_are_missing_is_answered_by_the_own_dossier(
    app: App, channel: Channel, text: str
) -> None:
    """These fell to "bot chưa hiểu" or a general answer about papers: the person's own
    dossier answers, the items still to send and those sent back, each an option to send."""
    await _case_with_a_rejected_item(app, "u1", channel)
    lines = await say(app, "u1", text, channel=channel)
    assert intents(lines) == ["flow:dossier.missing"], lines
    reply = lines[0]["text"]
    assert "HY-2026-00001" in reply and "còn thiếu 2 giấy tờ" in reply, reply
    options = _options(lines[0])
    titles = ["Giấy tờ chứng minh đối tượng", "Chứng chỉ học nghề, ngoại ngữ, bồi dưỡng"]
    for title in titles:
        assert any(o.startswith(title) for o in options), (title, options)
    # The one sent back says why; sent, approved and later papers are not "missing".
    assert "cần chụp lại (ảnh bị mờ" in reply
    assert not any(o.startswith(("Đơn đề nghị", "Hóa đơn", "Hợp đồng")) for o in options), options
    assert "Gửi sau, khi có: Hợp đồng đi làm việc ở nước ngoài, Hộ chiếu và thị thực (visa)." \
        in reply
    assert "đang xem 1 giấy tờ" in reply
    assert "Để gửi:" in reply
    # Picking the rejected one opens it, ready for the photos.
    lines = await say(app, "u1", "2", channel=channel)
    assert intents(lines) == ["flow:dossier.item"], lines
    assert "Chứng chỉ học nghề" in lines[0]["text"] and "ảnh bị mờ" in lines[0]["text"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_which_papers_are_missing_without_a_case(app: App, channel: Channel) -> None:
    lines = await say(app, "u1", "ho so cua em con thieu giay gi", channel=channel)
    assert intents(lines) == ["flow:dossier.missing"], lines
    text = lines[0]["text"].split("\n\n")[0]
    assert "chưa có hồ sơ" in text and text.count(".") <= 1, text
    assert _options(lines[0]) == ["Đăng ký"]
    lines = await say(app, "u1", "1", channel=channel)
    assert intents(lines)[-1].startswith("flow:intake"), lines


async def test_which_papers_are_missing_of_two_cases(app: App) -> None:
    await _case_with_a_rejected_item(app, "u1", Channel.CONSOLE)
    await make_case(app, "u1", ref="HY-2026-00002", name="Nguyễn Thị Bình")
    lines = await say(app, "u1", "giấy tờ nào bị trả lại")
    reply = lines[0]["text"]
    assert "HY-2026-00001" in reply and "HY-2026-00002" in reply, reply
    assert _options(lines[0])[:2] == ["HY-2026-00001 – Nguyễn Văn An",
                                      "HY-2026-00002 – Nguyễn Thị Bình"]


async def test_a_question_about_papers_in_general_stays_an_answer(app: App) -> None:
    lines = await say(app, "u1", "hồ sơ đi nhật cần những giấy gì")
    # The papers, and Japan's own topic (named) after them: answers, not the dossier flow.
    assert intents(lines)[0] == "faq:abroad.dossier", lines
    assert set(intents(lines)) <= {"faq:abroad.dossier", "faq:abroad.japan"}, lines


@pytest.mark.parametrize("channel", CHANNELS)
async def test_signs_under_the_missing_papers_list_ask_it_again(
    app: App, channel: Channel
) -> None:
    """"@@" under the missing-papers list got the FAQ's "Dạ. Anh/chị cần hỏi thêm…" and the
    list was gone: now said not understood, and the same list with its numbers; a question,
    "gặp cán bộ" and "menu" still go where they go."""
    await _case_with_a_rejected_item(app, "u1", channel)
    shown = await say(app, "u1", "giấy tờ của em còn thiếu gì", channel=channel)
    for junk in ("@@", "...", "?!"):
        lines = await say(app, "u1", junk, channel=channel)
        assert intents(lines) == ["flow:dossier.not_understood", "flow:dossier.missing"], lines
        assert "chưa hiểu" in lines[0]["text"]
        if channel == Channel.ZALO:
            assert "trả lời số" in lines[0]["text"] and "bấm" not in lines[0]["text"]
        assert lines[1]["text"] == shown[0]["text"] and _options(lines[1]) == _options(shown[0])
    lines = await say(app, "u1", "2", channel=channel)  # the list's numbers still work
    assert intents(lines) == ["flow:dossier.item"] and "Chứng chỉ học nghề" in lines[0]["text"]
    await say(app, "u1", "giấy tờ của em còn thiếu gì", channel=channel)
    lines = await say(app, "u1", "đi nhật hết bao nhiêu tiền", channel=channel)
    assert intents(lines)[0].startswith("faq:"), lines
    await say(app, "u1", "giấy tờ của em còn thiếu gì", channel=channel)
    lines = await say(app, "u1", "gặp cán bộ", channel=channel)
    assert intents(lines)[0].startswith("flow:handoff."), lines
    await say(app, "u1", "giấy tờ của em còn thiếu gì", channel=channel)
    assert intents(await say(app, "u1", "menu", channel=channel)) == ["flow:menu"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_signs_under_the_checklist_ask_it_again(app: App, channel: Channel) -> None:
    await _case_with_a_rejected_item(app, "u1", channel)
    await say(app, "u1", "hồ sơ", channel=channel)
    lines = await say(app, "u1", "@@", channel=channel)
    assert intents(lines) == ["flow:dossier.not_understood", "flow:dossier.checklist"], lines


async def test_papers_sent_before_the_dossier_is_complete_are_kept_not_under_review(
    app: App,
) -> None:
    """"Cán bộ xã đang xem 1 giấy tờ" was said while others were missing, but the office sees
    a dossier (/hoso) only once it has every paper sent now, or after deciding on one."""
    case_id = await make_case(app, "u1", household="khong")
    async with app.db.transaction() as session:
        (await get_item(session, case_id, "request_form", utcnow())).status = ItemState.SENT
    reply = texts(await say(app, "u1", "ho so cua em con thieu giay gi"))
    assert "Bot đã giữ 1 giấy tờ" in reply and "đang xem" not in reply


@pytest.mark.parametrize("channel", CHANNELS)
async def test_someone_scammed_is_told_where_to_report_it_first(
    app: App, channel: Channel
) -> None:
    """"…thu của em 50tr bảo đưa đi Hàn mà 6 tháng chưa thấy gì, em phải làm sao": the first
    message listed the signs of a scam; where to report one was behind «Xem chi tiết»."""
    for n, text in enumerate((
        "co nguoi o xa ben thu cua e 50tr bao dua di han ma 6 thang chua thay gi, e phai lam sao",
        "bi lua mat tien roi phai lam sao",
    )):
        lines = await say(app, f"u{n}", text, channel=channel)
        assert "faq:abroad.scam" in intents(lines), (text, intents(lines))
        assert "báo ngay Công an xã" in texts(lines), text
