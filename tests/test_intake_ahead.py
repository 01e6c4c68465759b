"""An answer typed before its question, and a request typed in the form (issue 13: "nothing
the user said is asked again"; "a request starts its action"). Through the engine on the
console and on Zalo."""

from __future__ import annotations

import pytest

from bot.app import App
from handlers.types import Channel
from tests.helpers import intents, press, say, texts
from tests.intake_support import draft_data

CHANNELS = [Channel.CONSOLE, Channel.ZALO]


async def _at_gender(app: App, channel: Channel) -> None:
    await say(app, "u1", "tôi muốn đăng ký", channel=channel)
    await press(app, "u1", "Đồng ý", channel=channel)
    await press(app, "u1", "Cho bản thân tôi", channel=channel)
    await press(app, "u1", "Học nghề", channel=channel)
    await say(app, "u1", "Lò Văn Páo", channel=channel)
    lines = await say(app, "u1", "15/8/1998", channel=channel)
    assert intents(lines) == ["flow:intake.gender"]
    assert "(Còn 9 câu)" in texts(lines)



@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_phone_number_typed_at_an_earlier_question_is_kept_for_its_own(
    app: App, channel: Channel
) -> None:
    await _at_gender(app, channel)
    lines = await say(app, "u1", "0987 654 321", channel=channel)
    # Said what was kept, the question asked again, one question fewer to go.
    assert intents(lines) == ["flow:intake.gender"]
    assert "0987654321" in texts(lines) and "(Còn 8 câu)" in texts(lines)
    assert (await draft_data(app)).get("phone_enc")
    # The phone question is not asked: the commune comes after the gender.
    lines = await press(app, "u1", "Nam", channel=channel)
    assert intents(lines) == ["flow:intake.commune"]
    assert "(Còn 7 câu)" in texts(lines)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_communes_exact_name_is_kept_a_near_spelling_is_not(
    app: App, channel: Channel
) -> None:
    await _at_gender(app, channel)
    lines = await say(app, "u1", "Thai Hoaa", channel=channel)  # could be anything: refused
    assert intents(lines) == ["flow:intake.gender"]
    assert "unit_id" not in await draft_data(app)
    lines = await say(app, "u1", "xã Thái Hòa", channel=channel)
    assert intents(lines) == ["flow:intake.gender"]
    assert "Thái Hòa" in texts(lines)
    assert (await draft_data(app)).get("unit_name") == "Thái Hòa"
    await press(app, "u1", "Nữ", channel=channel)
    lines = await say(app, "u1", "0987654321", channel=channel)
    assert intents(lines) == ["flow:intake.village"]  # the commune is not asked


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_request_typed_at_a_typed_question_starts_it_and_keeps_the_form(
    app: App, channel: Channel
) -> None:
    await _at_gender(app, channel)
    lines = await press(app, "u1", "Nam", channel=channel)
    assert intents(lines) == ["flow:intake.phone"]
    # It was "Số điện thoại chỉ gồm chữ số." before.
    lines = await say(app, "u1", "ho so cua e den dau roi", channel=channel)
    assert intents(lines)[0] == "flow:intake.paused"
    assert intents(lines)[1].startswith("flow:status")
    draft = await draft_data(app)
    assert draft.get("full_name") == "Lò Văn Páo" and draft.get("gender") == "male"


@pytest.mark.parametrize("channel", CHANNELS)
async def test_an_answer_already_given_typed_later_is_said_to_be_noted(
    app: App, channel: Channel
) -> None:
    # A returnee's request named Korea; his "han quoc" typed at the ID question (a step late)
    # got "Số căn cước chỉ gồm chữ số".
    await say(app, "r1", "e muon dk di han lai", channel=channel)
    for answer in ("dong y", "ban than", "Triệu Văn Lâm", "12/5/1992", "nam", "0911222333",
                   "yen phu", "thon 7", "dao", "can ngheo"):
        lines = await say(app, "r1", answer, channel=channel)
    assert intents(lines) == ["flow:intake.citizen_id"]
    lines = await say(app, "r1", "han quoc", channel=channel)
    assert intents(lines) == ["flow:intake.citizen_id"]
    assert texts(lines).startswith("Dạ, bot đã ghi rồi: Nước muốn đến: Hàn Quốc.")
    assert "chỉ gồm chữ số" not in texts(lines)
    assert (await draft_data(app))["market"] == "korea"


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(("request_text", "action"), [
    ("ho so toi sao roi", "flow:status"),  # its "tôi" was «Cho bản thân tôi»
    ("cho em xem du lieu cua em", "flow:privacy.view"),  # its "em" too
])
async def test_a_request_holding_an_options_word_starts_it_and_chooses_nothing(
    app: App, channel: Channel, request_text: str, action: str
) -> None:
    await say(app, "u1", "dang ky di han", channel=channel)
    lines = await say(app, "u1", "dong y", channel=channel)
    assert intents(lines) == ["flow:intake.who"]
    lines = await say(app, "u1", request_text, channel=channel)
    assert intents(lines)[0] == "flow:intake.paused"
    assert intents(lines)[1].startswith(action)
    assert "who" not in await draft_data(app)


@pytest.mark.parametrize("answer", ["cho ban than toi a", "dang ky cho toi nhe",
                                    "cho con trai toi"])
async def test_an_option_said_in_a_sentence_is_still_the_answer(app: App, answer: str) -> None:
    await say(app, "u1", "dang ky di han", channel=Channel.ZALO)
    await say(app, "u1", "dong y", channel=Channel.ZALO)
    lines = await say(app, "u1", answer, channel=Channel.ZALO)
    assert intents(lines)[-1] in ("flow:intake.full_name", "flow:intake.relationship")
    assert (await draft_data(app)).get("who") in ("self", "relative")


async def test_needing_advice_at_the_country_question_is_its_option_not_a_hand_off(
    app: App
) -> None:
    await say(app, "u1", "dang ky di lam nuoc ngoai", channel=Channel.ZALO)
    for answer in ("dong y", "cho ban than", "Lò Văn Páo", "15/8/1998", "nam", "0987654321",
                   "yen phu", "thon 7", "tay", "ho ngheo"):
        lines = await say(app, "u1", answer, channel=Channel.ZALO)
    assert intents(lines) == ["flow:intake.market"]
    lines = await say(app, "u1", "em can tu van them", channel=Channel.ZALO)
    assert intents(lines) == ["flow:intake.citizen_id"]
    assert (await draft_data(app))["market"] == "unsure"


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_phone_number_typed_again_ahead_of_its_question_corrects_the_first(
    app: App, channel: Channel
) -> None:
    await _at_gender(app, channel)
    await say(app, "u1", "0987 654 321", channel=channel)
    lines = await say(app, "u1", "nham, so dung la 0912 000 111", channel=channel)
    assert intents(lines) == ["flow:intake.gender"]
    assert "0912000111" in texts(lines) and "(Còn 8 câu)" in texts(lines)
    lines = await press(app, "u1", "Nam", channel=channel)
    assert intents(lines) == ["flow:intake.commune"]


@pytest.mark.parametrize("asked", ["hộ nghèo là gì", "the nao la can ngheo"])
async def test_what_an_option_means_gets_the_steps_help(app: App, asked: str) -> None:
    # "hộ nghèo là gì" at the household question got "not the bot's work".
    await say(app, "u1", "dang ky di lam nuoc ngoai", channel=Channel.ZALO)
    for answer in ("dong y", "cho ban than", "Lò Văn Páo", "15/8/1998", "nam", "0987654321",
                   "yen phu", "thon 7", "tay"):
        lines = await say(app, "u1", answer, channel=Channel.ZALO)
    assert intents(lines) == ["flow:intake.household"]
    lines = await say(app, "u1", asked, channel=Channel.ZALO)
    assert intents(lines) == ["flow:intake.household"]
    assert "danh sách hộ nghèo, cận nghèo năm nay của xã" in texts(lines)
    assert "household" not in await draft_data(app)
