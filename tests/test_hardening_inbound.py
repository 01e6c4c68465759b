"""Issue 11, inbound findings 1 and 2 and the guard: no input stops the bot, for anyone."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from sqlalchemy import select

from bot import engine as engine_module
from bot.app import App, build_app
from bot.choices import resolve_choice
from bot.inbound import text_event
from bot.settings import Settings
from bot.simulate import simulate
from handlers.officials.accounts import SIGNIN_ATTEMPTS
from handlers.textnorm import MAX_TEXT, ascii_number, clean_text
from handlers.types import Channel, InboundKind
from storage.models import Contact, InboundLog, IntakeDraft, SigninFailure
from tests.dossier_support import click
from tests.helpers import Clock, intents, press, say, texts
from tests.intake_support import PERSON, fill_form
from tests.officials_helpers import invite, make_officer

POISON_NUMBERS = ["²", "①", "٣", "9" * 5000, "-1", "1" * 40]
MENU = [["menu:abroad", "Đi làm việc ở nước ngoài"], ["menu:officer", "Gặp cán bộ"]]


@pytest.mark.parametrize("answer", POISON_NUMBERS)
def test_only_few_ascii_digits_name_an_option(answer: str) -> None:
    event = text_event(Channel.CONSOLE, "u", answer)
    assert resolve_choice(event, MENU).kind == InboundKind.TEXT
    assert resolve_choice(text_event(Channel.CONSOLE, "u", "2"), MENU).button_id == "menu:officer"
    assert ascii_number(answer) is None


# -- finding 1: a poison message after options stops nobody --------------------------------------
async def test_odd_digits_after_a_menu_get_an_answer_not_an_error(app: App) -> None:
    await say(app, "u1", "menu")
    for answer in POISON_NUMBERS:
        lines = await say(app, "u1", answer)
        assert lines and "error" not in intents(lines), (answer[:10], lines)
    assert intents(await say(app, "u1", "menu"))[0] == "flow:menu"


async def test_simulate_answers_every_odd_line_and_the_ones_after(app: App) -> None:
    lines = [
        {"user": "s1", "text": "menu"},
        {"user": "s1", "text": "²"},
        {"user": "s1", "text": "9" * 5000},
        {"user": "s1", "text": "a\ud800b"},
        {"user": "s1", "text": "\u0000\u001b[31m"},
        {"user": "s1", "text": "menu"},
    ]
    stdin = io.StringIO("".join(json.dumps(obj) + "\n" for obj in lines))
    stdout = io.StringIO()
    assert await simulate(app, stdin, stdout) == 0
    out = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert {o["in"] for o in out} == {1, 2, 3, 4, 5, 6}
    assert not [o for o in out if o["meta"]["intent"] == "error"]


async def test_simulate_reports_absurd_lines_and_goes_on(app: App) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    user = json.dumps({"user": "x" * 65, "text": "menu"})
    photo = json.dumps({"user": "s1", "photo": "/nonexistent/\ud800.jpg"})
    stdin = io.StringIO("\n".join([deep, user, photo, json.dumps({"user": "s1", "text": "menu"})]))
    stdout = io.StringIO()
    assert await simulate(app, stdin, stdout) == 1
    out = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert [o["in"] for o in out if "error" in o] == [1, 2, 3]
    assert out[-1]["in"] == 4 and out[-1]["meta"]["intent"] == "flow:menu"


# -- finding 2: a lone surrogate in a form is stored as a replacement character ------------------
async def test_a_lone_surrogate_in_a_form_field_gets_an_answer_not_an_error(app: App) -> None:
    await say(app, "u1", "tôi muốn đăng ký")
    for label in ("Đồng ý", "Cho bản thân tôi", "Đi làm việc ở nước ngoài"):
        await press(app, "u1", label)
    await say(app, "u1", PERSON["name"])
    await say(app, "u1", PERSON["dob"])
    await press(app, "u1", "Nữ")
    await say(app, "u1", PERSON["phone"])
    await say(app, "u1", PERSON["commune"])
    # Stored as U+FFFD, the village check refuses it politely; the form goes on.
    lines = await say(app, "u1", "Thôn \ud800Khuổi\x00 Lếch")
    assert intents(lines) == ["flow:intake.village"]
    await say(app, "u1", "Thôn Khuổi\x00 Lếch")
    async with app.db.session() as session:
        draft = await session.scalar(select(IntakeDraft))
    assert draft is not None and draft.data["village"] == "Thôn Khuổi Lếch"
    # A name with a lone surrogate, through the whole form on the other backend's writes too.
    summary = await fill_form(app, "u2", person={"name": "Nguyễn \ud800Thị Mai"})
    assert "error" not in intents(summary)


async def test_display_names_are_cleaned(app: App) -> None:
    event = text_event(
        Channel.TELEGRAM, "7", "menu", display_name="Mai\ud800\u202e\x07 " + "a" * 300
    )
    assert intents(await _handle(app, event)) == ["flow:menu"]
    async with app.db.session() as session:
        name = await session.scalar(select(Contact.display_name))
    assert name is not None and name.startswith("Mai\ufffd a") and len(name) == 200


def test_clean_text() -> None:
    assert clean_text("a\ud800b") == ("a\ufffdb", False)
    assert clean_text("\ud83d\ude00 ok") == ("😀 ok", False)  # a pair that arrived split
    assert clean_text("\x00\x1b[31m me\u200bnu\t1\r\n") == ("[31m menu 1", False)
    assert clean_text("Hoa\u0300") == ("Hoà", False)
    assert clean_text("👨\u200d👩\u200d👧") == ("👨\u200d👩\u200d👧", False)
    text, cut = clean_text("x" * 1_000_000)
    assert cut and len(text) == MAX_TEXT


async def test_a_long_message_is_cut_with_a_polite_note(app: App) -> None:
    lines = await say(app, "u1", "đi Nhật hết bao nhiêu tiền " * 400)
    assert intents(lines)[0] == "notice.text_cut"
    assert "4.000" in lines[0]["text"] and len(lines) > 1


# -- the guard: every step from adapter to commit ------------------------------------------------
def _explode(*_args: Any) -> Any:
    raise RuntimeError("boom")


async def test_a_failure_outside_the_handler_gets_the_apology(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "resolve_choice", _explode)
    lines = await say(app, "u1", "menu")
    assert intents(lines) == ["error"] and lines[0]["meta"]["error_id"] in texts(lines)


async def test_when_even_the_apology_fails_the_update_is_consumed(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_module, "resolve_choice", _explode)
    monkeypatch.setattr(engine_module.Engine, "_apologise", _explode)
    poison = text_event(Channel.TELEGRAM, "1", "menu", update_id="41")
    assert await app.engine.handle(poison) == []
    async with app.db.session() as session:
        logged = (await session.scalars(select(InboundLog))).all()
    assert [(r.update_key, r.contact_id, bool(r.failed)) for r in logged] == [("41", None, True)]
    monkeypatch.undo()
    assert await app.engine.handle(poison) == []  # a redelivery is dropped, not failed again
    other = text_event(Channel.TELEGRAM, "2", "menu", update_id="42")
    assert intents(await _handle(app, other)) == ["flow:menu"]


async def _handle(app: App, event: Any) -> list[dict[str, Any]]:
    from functools import partial

    from bot.simulate import output_lines

    return await app.handle_locally(event, partial(output_lines, 0))


# -- finding 8: /canbo is limited --------------------------------------------------------------
async def test_five_wrong_codes_an_hour_then_a_polite_wait_that_survives_a_restart(
    app: App, settings: Settings, clock: Clock
) -> None:
    code = await invite(app, clock, "commune", "Phù Lưu")
    for n in range(SIGNIN_ATTEMPTS):
        clock.advance(minutes=1)
        lines = await say(app, "u1", f"/canbo WRONG-{n}")
        assert intents(lines) == ["flow:officials.bind.invalid"]
    clock.advance(minutes=10)
    async with build_app(settings, clock=clock.now) as restarted:
        lines = await say(restarted, "u1", f"/canbo {code}")
        assert intents(lines) == ["flow:officials.bind.wait"]
        assert "46 phút" in texts(lines)  # the oldest wrong code expires in 46 min
        assert intents(await say(restarted, "u2", "/canbo WRONG")) == [
            "flow:officials.bind.invalid"
        ]
    clock.advance(minutes=46)
    assert intents(await say(app, "u1", f"/canbo {code}")) == ["flow:officials.bind.ok"]
    async with app.db.session() as session:
        assert (await session.scalars(select(SigninFailure.contact_id))).all() != []  # u2's
        left = await session.scalar(
            select(SigninFailure.id).join(Contact).where(Contact.platform_user_id == "u1")
        )
    assert left is None


# Forged callback data (Telegram lets a client send any 64 bytes): an id that is not a small
# ASCII number is refused politely by every flow that reads one, never the apology.
FORGED_IDS = [
    "thread:answer:²", "thread:close:" + "9" * 60, "handoff:reply:٣", "handoff:end:²",
    "handoff:unit:①", "cases:open:²", "cases:set:²:called", "cases:pdf:" + "9" * 60,
    "cases:list:all:²", "cases:withdraw:٣", "broadcast:course:²", "subscribe:unit:²",
    "survey:open:²", "dossier:replace:²", "intake:classes:²",
]


async def test_forged_numeric_button_ids_get_an_answer_not_an_error(app: App) -> None:
    await make_officer(app, Clock(), "of", "office")
    for user in ("of", "u1"):
        for button_id in FORGED_IDS:
            lines = await click(app, user, button_id)
            assert "error" not in intents(lines), (user, button_id, lines)
