"""Seventh user trial (a worker on Telegram registering for Japan, typing several answers at
once, then asking to delete his data and thinking better of it; a mother on Zalo typing her
daughter's birth date in words): what broke, kept from breaking again. Each test failed on the
code before its fix."""

from __future__ import annotations

import pytest

from bot.app import App
from handlers.intake.answers import not_a_name
from handlers.intake.validators import name_and_birth
from handlers.types import Channel
from messages import t
from tests.helpers import intents, say, texts
from tests.intake_support import draft_data

CHANNELS = [Channel.CONSOLE, Channel.ZALO, Channel.TELEGRAM]


async def _at_the_name(app: App, channel: Channel) -> None:
    await say(app, "w1", "dang ky cho minh di nhat", channel=channel)
    lines = await say(app, "w1", "dong y", channel=channel)
    assert intents(lines)[-1] == "flow:intake.full_name", lines


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(("text", "name"), [
    ("Triệu Văn Long, sinh ngày 12/10/1993", "Triệu Văn Long"),
    ("trieu van long sinh 12 thang 10 nam 1993", "Trieu Van Long")])
async def test_a_name_and_birth_date_in_one_message_are_both_kept(
    app: App, channel: Channel, text: str, name: str
) -> None:
    # It got "Họ tên không có chữ số", and both were typed again.
    await _at_the_name(app, channel)
    lines = await say(app, "w1", text, channel=channel)
    assert intents(lines) == ["flow:intake.gender"], lines
    assert "Ngày sinh: 12/10/1993" in texts(lines)
    data = await draft_data(app)
    assert (data["full_name"], data["dob"]) == (name, "1993-10-12")


@pytest.mark.parametrize(("text", "said"), [("Triệu Văn Long, sinh ngày 12/10/2015", "đủ 18 tuổi"),
                                            ("Triệu Văn Long 1993", "sinh năm 1993: cho biết")])
async def test_a_birth_date_refused_is_asked_again_saying_why_the_name_kept(
    app: App, text: str, said: str
) -> None:
    await _at_the_name(app, Channel.CONSOLE)
    lines = await say(app, "w1", text)
    assert intents(lines) == ["flow:intake.dob"], lines
    assert said in lines[0]["text"]
    data = await draft_data(app)
    assert data["full_name"] == "Triệu Văn Long" and "dob" not in data


async def test_words_with_a_number_that_are_no_date_keep_nothing(app: App) -> None:
    await _at_the_name(app, Channel.CONSOLE)
    lines = await say(app, "w1", "Triệu Văn Long thôn 5")
    assert intents(lines) == ["flow:intake.full_name"], lines
    assert "full_name" not in await draft_data(app)


@pytest.mark.parametrize(
    ("text", "split"),
    [("Triệu Văn Long, sinh ngày 12/10/1993", ("Triệu Văn Long", "sinh ngày 12/10/1993")),
     ("Lò Thị Mai 5/3/2001", ("Lò Thị Mai", "5/3/2001")),
     ("Nguyễn Văn Năm 12/10/1993", ("Nguyễn Văn Năm", "12/10/1993")),  # a name's own word
     ("Lò Thị Mai, ns 5/3/2001", ("Lò Thị Mai", "ns 5/3/2001")),
     ("Long 12/10/1993", None),  # one word is no full name
     ("12/10/1993", None), ("Triệu Văn Long", None)],
)
def test_a_name_then_a_date_is_split(text: str, split: tuple[str, str] | None) -> None:
    assert name_and_birth(text) == split


@pytest.mark.parametrize("channel", CHANNELS)
async def test_no_household_group_at_the_name_is_noted_not_taken_for_a_name(
    app: App, channel: Channel
) -> None:
    # "ko thuoc dien nao" was saved as the person's name.
    await _at_the_name(app, channel)
    lines = await say(app, "w1", "ko thuoc dien nao", channel=channel)
    assert intents(lines) == ["flow:intake.full_name"], lines
    assert "Diện hộ: Không thuộc diện nào" in texts(lines)
    data = await draft_data(app)
    assert "full_name" not in data and data["household"] == "khong"


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize("text", ["thoi de sau", "thôi, để mai", "chua xoa"])
async def test_not_now_under_the_deletion_question_keeps_the_data(
    app: App, channel: Channel, text: str
) -> None:
    # "thoi de sau" got "which topic?" among the steps of going abroad and office hours.
    await say(app, "w1", "xoa thong tin cua toi", channel=channel)
    lines = await say(app, "w1", text, channel=channel)
    assert intents(lines)[0] == "flow:privacy", lines
    assert "không xóa" in lines[0]["text"]


@pytest.mark.parametrize("channel", CHANNELS)
async def test_commune_and_village_in_one_message_are_both_kept(
    app: App, channel: Channel
) -> None:
    # "xa thai son thon 7" at the name question got "Họ tên không có chữ số"; "thai son, thon
    # 7" at the commune question "Bot không tìm thấy xã này".
    await _at_the_name(app, channel)
    lines = await say(app, "w1", "xa thai son thon 7", channel=channel)
    assert intents(lines) == ["flow:intake.full_name"], lines
    assert "Xã: Thái Sơn; Thôn/bản: Thôn 7" in texts(lines)
    data = await draft_data(app)
    assert (data["unit_name"], data["village"]) == ("Thái Sơn", "Thôn 7")
    for text in ("Triệu Văn Long, sinh ngày 12/10/1993", "nam", "0388123456"):
        lines = await say(app, "w1", text, channel=channel)
    assert intents(lines) == ["flow:intake.ethnicity"], lines  # neither asked again


async def test_at_the_commune_question_commune_and_village_move_past_both(app: App) -> None:
    await _at_the_name(app, Channel.CONSOLE)
    for text in ("Triệu Văn Long, sinh ngày 12/10/1993", "nam", "0388123456"):
        lines = await say(app, "w1", text)
    assert intents(lines) == ["flow:intake.commune"], lines
    lines = await say(app, "w1", "thai son, thon 7")
    assert intents(lines) == ["flow:intake.ethnicity"], lines
    data = await draft_data(app)
    assert (data["unit_name"], data["village"]) == ("Thái Sơn", "Thôn 7")


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_the_class_named_in_the_question_before_is_the_one_registered(
    app: App, channel: Channel
) -> None:
    # "vo toi muon hoc nghe may thi dang ky o dau", then "dang ky cho vo toi": the form asked
    # which class, listing the commune's others first; the sewing class asked about was lost.
    await say(app, "h1", "vo toi muon hoc nghe may thi dang ky o dau", channel=channel)
    await say(app, "h1", "dang ky cho vo toi", channel=channel)
    lines = await say(app, "h1", "ok", channel=channel)
    assert "Lớp học: May công nghiệp – Hàm Yên" in texts(lines), lines
    data = await draft_data(app)
    assert data["kind"] == "course" and str(data["course_label"]).startswith("May công nghiệp")
    # A question on something else before it names no class.
    await say(app, "h2", "di nhat het bao nhieu tien", channel=channel)
    await say(app, "h2", "dang ky cho vo toi", channel=channel)
    lines = await say(app, "h2", "ok", channel=channel)
    assert "Lớp học:" not in texts(lines), lines


@pytest.mark.parametrize("text", ["em chua biet", "de em hoi lai", "khong nho", "cho hoi",
                                  "sai roi", "quay lai di", "thoi de mai", "ko biet", "alo alo",
                                  "de sau", "nguoi nha toi", "em chưa biết", "để sau"])
async def test_words_that_are_no_name_are_not_saved_as_the_name(app: App, text: str) -> None:
    # Each of these was saved as the person's name ("Em Chua Biet"), and the date asked next.
    await _at_the_name(app, Channel.ZALO)
    lines = await say(app, "w1", text, channel=Channel.ZALO)
    if text == "quay lai di":  # «Quay lại» in words: the question before
        assert intents(lines) == ["flow:intake.kind"], lines
    else:  # said to be no name; never read as a question ("quay lai" is coming home)
        assert intents(lines) == ["flow:intake.full_name"], lines
        assert lines[0]["text"].startswith(t("intake.invalid.name_words")), lines
    assert "full_name" not in await draft_data(app)


@pytest.mark.parametrize("name", ["Hoàng Thị Sáu", "hoang thi sau", "Nguyễn Khắc Việt",
                                  "nguyen khac viet", "Lại Văn Sâm", "Khổng Minh Tuấn",
                                  "do thi nha", "ma van de", "Nông Văn Thôi", "Sùng A Páo",
                                  "Nguyễn Thị Nhớ", "doi van hung"])
def test_names_spelt_like_words_are_names(name: str) -> None:
    assert not_a_name(name) is None


async def test_at_the_village_question_commune_and_village_are_each_kept(app: App) -> None:
    # "thai son, thon 7" at the village question was kept whole: "Thai Son, Thon 7".
    await _at_the_name(app, Channel.CONSOLE)
    for text in ("Triệu Văn Long, sinh ngày 12/10/1993", "nam", "0388123456", "yen phu"):
        lines = await say(app, "w1", text)
    assert intents(lines) == ["flow:intake.village"], lines
    lines = await say(app, "w1", "thai son, thon 7")
    assert intents(lines) == ["flow:intake.ethnicity"], lines
    data = await draft_data(app)
    assert (data["unit_name"], data["village"]) == ("Thái Sơn", "Thôn 7")


@pytest.mark.parametrize("channel", [Channel.CONSOLE, Channel.ZALO])
async def test_thanks_goodbye_or_asking_the_family_first_mid_form_keep_the_form(
    app: App, channel: Channel
) -> None:
    """"thui cam on nha", "tạm biệt", "để em hỏi lại vợ đã" at a question of the form got
    "Anh/chị chọn một trong các mục dưới đây" (simulator, Zalo)."""
    await say(app, "u1", "dang ky hoc nghe", channel=channel)
    lines = await say(app, "u1", "dong y", channel=channel)
    assert intents(lines) == ["flow:intake.who"]
    lines = await say(app, "u1", "thui cam on nha", channel=channel)
    assert intents(lines) == ["flow:intake.who"]
    assert t("intake.thanks_kept") in texts(lines) and "chọn một trong" not in texts(lines)
    lines = await say(app, "u1", "tạm biệt", channel=channel)
    assert intents(lines) == ["flow:intake.paused"]
    assert (await draft_data(app))["kind"] == "course"  # kept for «Đăng ký» later
    await say(app, "u2", "dang ky hoc nghe", channel=channel)
    await say(app, "u2", "dong y", channel=channel)
    assert intents(await say(app, "u2", "de em hoi lai vo da", channel=channel)) == [
        "flow:intake.paused"]
