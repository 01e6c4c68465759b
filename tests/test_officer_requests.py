"""What officers type instead of a command or a button (handlers/officials/requests.py): seen
in the user trial, "ds qua han" got the Korea answer and "hom nay can goi ai" got "bot chưa
hiểu"; the same words from someone who is not an officer stay a citizen's message."""

from __future__ import annotations

import pytest

from bot.app import App
from handlers.officials.requests import REQUESTS, request_of
from handlers.types import Channel
from messages import raw
from tests.helpers import Clock, intents, press, say, texts
from tests.intake_support import register
from tests.officials_helpers import make_officer

CHANNELS = [Channel.CONSOLE, Channel.ZALO]


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    ("text", "intent"),
    [("ds qua han", "flow:officials.overdue"),
     ("Hôm nay cần gọi ai ạ?", "flow:cases.list"),
     ("mo dot moi nhe", "flow:survey.officer"),
     ("gui thong bao", "flow:broadcast.text"),
     # Found in the simulator: the same requests with when or "please" around them got "bot
     # chưa hiểu".
     ("ai can goi hom nay", "flow:cases.list"),
     ("xem danh sách quá hạn giúp tôi", "flow:officials.overdue"),
     # ... and to whom: it started the citizens' subscription ("Anh/chị ở xã nào?").
     ("gui thong bao cho ba con", "flow:broadcast.text"),
     # "tin nhan" (the people's messages) started the citizens' subscription too.
     ("tin nhan", "flow:thread"), ("ai hoi gi", "flow:thread"), ("cau hoi cua dan", "flow:thread"),
     # The trainee lists (the seed's "urging communes to submit on time"): "bot chưa hiểu".
     ("ai chua nop ds", "flow:officials.overdue"),
     ("xa nao chua nop danh sach", "flow:officials.overdue"),
     ("da nop ds", "flow:officials.submit"),
     # The announcements' report: it started the citizens' subscription ("Anh/chị ở xã nào?").
     ("bao cao thong bao", "flow:broadcast.report"),
     ("xem bao cao thong bao da gui", "flow:broadcast.report"),
     # The trial of 5 December: it got the privacy answer, with «Nhận thông báo».
     ("ai đã nhận được thông báo?", "flow:broadcast.report"),
     # What the survey is about, said: the citizens' "no round open".
     ("mo khao sat nhu cau hoc nghe", "flow:survey.officer"),
     # Found by an officer's trial: "danh sach dang ky" started the citizens' registration,
     # "co ai gui giay to chua" got "you have no case", "thong bao da gui duoc bao nhieu
     # nguoi" a "which topic?", "huong dan" the citizens' help, "hom nay can lam gi" "bot
     # chưa hiểu".
     ("danh sach dang ky", "flow:cases.list"),
     ("co ai gui giay to chua", "flow:officials.dossiers"),
     ("thong bao da gui duoc bao nhieu nguoi", "flow:broadcast.report"),
     ("huong dan", "flow:menu.help.officer"),
     ("hom nay can lam gi", "flow:officer_home")],
)
async def test_an_officer_asks_in_words_and_gets_the_command(
    app: App, clock: Clock, channel: Channel, text: str, intent: str
) -> None:
    await make_officer(app, clock, "cb", "commune", "Phù Lưu", channel=channel)
    lines = await say(app, "cb", text, channel=channel)
    assert intents(lines)[0].startswith(intent), lines


async def test_the_same_words_from_a_person_are_not_an_officers_command(app: App) -> None:
    for text in ("ds qua han", "hom nay can goi ai", "mo dot moi", "bao cao thong bao"):
        got = intents(await say(app, "u1", text))
        assert not any(i.startswith(("flow:officials", "flow:cases", "flow:survey.officer",
                                     "flow:broadcast"))
                       for i in got), (text, got)


def test_every_request_has_wording_and_polite_endings_do_not_matter() -> None:
    assert set(raw("officials.requests.to_call"))
    for name in REQUESTS:
        assert raw(f"officials.requests.{name}"), name
    assert request_of("can goi ai a") == request_of("Cần gọi ai!") == "to_call"
    assert request_of("qua han roi thi sao") is None  # a sentence, not the request


@pytest.mark.parametrize("channel", CHANNELS)
async def test_an_officers_request_leaves_a_citizens_flow_he_wandered_into(
    app: App, clock: Clock, channel: Channel
) -> None:
    # Found in the simulator: an officer in the citizens' subscription ("Anh/chị ở xã nào?")
    # typed "tin nhan" and was told "Bot chưa tìm thấy xã «tin nhan»".
    await make_officer(app, clock, "cb", "commune", "Phù Lưu", channel=channel)
    lines = await say(app, "cb", "nhan thong bao lop moi", channel=channel)
    assert intents(lines)[-1].startswith("flow:subscribe"), lines
    lines = await say(app, "cb", "tin nhan", channel=channel)
    assert intents(lines)[0].startswith("flow:thread"), lines
    # A request that reads as a question too: it got the citizens' "no round open".
    await say(app, "cb", "nhan thong bao lop moi", channel=channel)
    lines = await say(app, "cb", "ket qua khao sat", channel=channel)
    assert intents(lines)[0].startswith("flow:survey.officer"), lines
    # A person typing the same there is still answering the flow's question.
    await say(app, "u1", "nhan thong bao lop moi", channel=channel)
    lines = await say(app, "u1", "tin nhan", channel=channel)
    assert intents(lines)[0].startswith("flow:subscribe"), lines


@pytest.mark.parametrize("channel", CHANNELS)
async def test_not_understood_an_officer_is_shown_the_officers_ways(
    app: App, clock: Clock, channel: Channel
) -> None:
    # It said to choose «Gặp cán bộ» "to ask a real person", under the citizens' doors only.
    await make_officer(app, clock, "cb", "commune", "Phù Lưu", channel=channel)
    lines = await say(app, "cb", "asdfgh", channel=channel)
    assert intents(lines) == ["fallback"]
    shown = lines[0]["text"] + str(lines[0].get("buttons", ""))
    assert "/help" in shown and "hỏi người thật" not in shown and "Chờ gọi" in shown
    lines = await say(app, "u1", "asdfgh", channel=channel)
    shown = lines[0]["text"] + str(lines[0].get("buttons", ""))
    assert "hỏi người thật" in shown and "Chờ gọi" not in shown


async def test_the_report_asked_for_under_a_preview_keeps_the_announcement(
    app: App, clock: Clock
) -> None:
    """"thông báo đã gửi chưa" under an announcement's preview got "chọn một mục": the report
    is one of that flow's buttons, pressed there; the announcement waits."""
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    for text in ("/thongbao", "Lớp may khai giảng 20/12.", "khong co anh", "hoc nghe",
                 "gui ngay"):
        lines = await say(app, "cb", text)
    assert intents(lines) == ["flow:broadcast.preview"], lines
    assert intents(await say(app, "cb", "thong bao da gui chua")) == ["flow:broadcast.report"]
    assert intents(await say(app, "cb", "huy")) == ["flow:broadcast.cancelled"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_an_officers_menu_is_what_waits_for_them(
    app: App, clock: Clock, channel: Channel
) -> None:
    """An officer's /start, "menu" and the bot not understanding showed the citizens' menu,
    «Gặp cán bộ» among it, and nothing said what waited. Now: how many to call, dossiers to
    review and questions open, each a tap away."""
    await make_officer(app, clock, "cb", "commune", "Phù Lưu", channel=channel)
    await register(app, "u1")  # in Phù Lưu: one to call
    for text in ("menu", "/start"):
        lines = await say(app, "cb", text, channel=channel)
        assert intents(lines) == ["flow:officer_home"]
        shown = texts(lines)
        assert "Việc đang chờ (Phù Lưu):" in shown and "• 1 người chờ gọi" in shown
        assert "• 0 hồ sơ hỗ trợ chờ duyệt" in shown
    labels = texts(lines) if channel == Channel.ZALO else str(lines[-1]["buttons"])
    assert "Gặp cán bộ" not in labels and "Đăng ký" not in labels
    lines = await press(app, "cb", "Chờ gọi", channel=channel)
    assert intents(lines) == ["flow:cases.list"]
    await say(app, "cb", "menu", channel=channel)
    assert intents(await press(app, "cb", "Câu hỏi của dân", channel=channel)) == [
        "flow:thread.list"]
    await say(app, "cb", "menu", channel=channel)
    assert intents(await press(app, "cb", "Gửi thông báo", channel=channel))[0].startswith(
        "flow:broadcast")
    lines = await say(app, "cb", "abc xyz", channel=channel)
    assert "Gặp cán bộ" not in (texts(lines) + str(lines[-1].get("buttons")))


async def test_a_request_typed_where_the_announcement_is_asked_is_that_request(
    app: App, clock: Clock
) -> None:
    """"xem ket qua khao sat" right after /thongbao became the announcement's text (found by
    an officer's trial); a sentence there is still the text."""
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    await say(app, "cb", "/thongbao")
    assert intents(await say(app, "cb", "xem ket qua khao sat"))[0].startswith(
        "flow:survey.officer")
    await say(app, "cb", "/thongbao")
    lines = await say(app, "cb", "Lớp may công nghiệp khai giảng 15/12 tại nhà văn hóa thôn.")
    assert intents(lines) == ["flow:broadcast.photo"]
