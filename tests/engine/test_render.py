from bot.choices import resolve_choice
from bot.inbound import button_event, text_event
from bot.render import numbered_options, render, split_text
from handlers.types import (
    Button,
    Channel,
    InboundKind,
    Reply,
    reply_from_payload,
    reply_to_payload,
)

OPTIONS = [[Button("a:1", "Có")], [Button("a:2", "Không"), Button("a:3", "Học nghề")]]


def test_split_text_keeps_parts_within_the_limit_and_loses_nothing() -> None:
    sentence = "Anh chị cần mang theo căn cước công dân. "
    text = sentence * 120
    parts = split_text(text, 2000)
    assert len(parts) > 1
    assert all(len(p) <= 2000 for p in parts)
    assert " ".join(parts).split() == text.split()
    assert all(p.endswith(".") for p in parts[:-1]), "cut at sentence ends"


def test_split_text_cuts_a_word_longer_than_the_limit() -> None:
    parts = split_text("x" * 4100, 2000)
    assert [len(p) for p in parts] == [2000, 2000, 100]


def test_zalo_has_no_buttons_options_are_numbered_in_the_text() -> None:
    (message,) = render(Reply("Chọn:", OPTIONS), Channel.ZALO)
    assert message.buttons == []
    assert "1. Có\n2. Không\n3. Học nghề" in message.text
    assert message.text.endswith("Trả lời 1, 2 hoặc 3")


def test_telegram_keeps_buttons_on_the_last_part_of_a_long_text() -> None:
    messages = render(Reply("Câu dài. " * 1000, OPTIONS), Channel.TELEGRAM)
    assert len(messages) == 3
    assert all(len(m.text) <= 4096 for m in messages)
    assert messages[-1].buttons == OPTIONS and messages[0].buttons == []


def test_a_single_option_hint() -> None:
    assert numbered_options([Button("x:y", "Tiếp tục")]).endswith("Trả lời 1")


def test_a_long_list_gives_the_range_not_every_number() -> None:
    options = [Button(f"x:{i}", f"Xã {i}") for i in range(11)]
    assert numbered_options(options).endswith("\n11. Xã 10\nTrả lời bằng số, từ 1 đến 11")


def test_answer_by_number_label_or_label_without_diacritics() -> None:
    last = [["a:1", "Có"], ["a:2", "Không"], ["a:3", "Học nghề"]]
    for answer in ("3", "Học nghề", "hoc nghe", " HỌC NGHỀ. "):
        event = resolve_choice(text_event(Channel.ZALO, "u", answer), last)
        assert event.kind == InboundKind.BUTTON and event.button_id == "a:3", answer
    assert resolve_choice(text_event(Channel.ZALO, "u", "4"), last).kind == InboundKind.TEXT
    assert resolve_choice(text_event(Channel.ZALO, "u", "hoc"), last).kind == InboundKind.TEXT


def test_the_first_words_of_exactly_one_label_name_it() -> None:
    """Seen in the user trial: "da goi" under the case card got the citizen fallback; only
    the whole label «Đã gọi, chờ hồ sơ» or its number worked."""
    last = [["s:1", "Đã gọi, chờ hồ sơ"], ["s:2", "Đã gọi, không liên lạc được"],
            ["s:3", "Không đủ điều kiện"], ["d:1", "Có, xóa hết"], ["d:2", "Không xóa"]]

    def picked(answer: str) -> str:
        return resolve_choice(text_event(Channel.ZALO, "u", answer), last).button_id

    assert picked("da goi cho") == "s:1" and picked("Không đủ") == "s:3"
    assert picked("co xoa") == "d:1"
    assert picked("da goi") == ""  # the first words of two labels: neither
    assert picked("co") == picked("khong") == ""  # one word confirms nothing
    assert picked("da goi cho ho so roi nhe") == ""  # more than the label: free text


def test_a_pressed_label_that_is_no_longer_offered_is_read_as_text() -> None:
    event = resolve_choice(button_event(Channel.CONSOLE, "u", label="Có"), [])
    assert event.kind == InboundKind.TEXT and event.text == "Có"


def test_commands_are_parsed_with_bot_names_and_arguments() -> None:
    event = text_event(Channel.TELEGRAM, "u", "/canbo@HamYenBot  AB12CD ")
    assert event.kind == InboundKind.COMMAND
    assert (event.command, event.args) == ("canbo", "AB12CD")


def test_options_the_text_already_numbers_are_not_written_twice_on_zalo() -> None:
    """A class list numbers its classes 1, 2 in the text (Reply.listed = 2): on Zalo only the
    options after them are written, numbered on, and the hint still covers every number."""
    reply = Reply("Lớp:\n1. May – xã Phù Lưu\n2. Nấu ăn – xã Bạch Xa", OPTIONS, listed=2)
    (message,) = render(reply, Channel.ZALO)
    assert message.text.endswith("Bạch Xa\n\n3. Học nghề\nTrả lời 1, 2 hoặc 3")
    assert "1. Có" not in message.text
    (telegram,) = render(reply, Channel.TELEGRAM)
    assert telegram.buttons == OPTIONS and telegram.text == reply.text


def test_listed_survives_the_outbox_and_a_forged_value_is_ignored() -> None:
    reply = Reply("Lớp:", OPTIONS, listed=2)
    assert reply_from_payload(reply_to_payload(reply)).listed == 2
    assert "listed" not in reply_to_payload(Reply("x", OPTIONS))
    for forged in ("2", -1, True, None, 2.5):
        payload = {**reply_to_payload(reply), "listed": forged}
        assert reply_from_payload(payload).listed == 0
    # More listed than there are options: every option is taken as already shown.
    (message,) = render(Reply("Lớp:", OPTIONS, listed=9), Channel.ZALO)
    assert message.text == "Lớp:\n\nTrả lời 1, 2 hoặc 3"
