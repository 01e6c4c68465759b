"""Adding a five-question flow touches one handler file, one strings file and its registration.

The flow below is all a new feature needs: its steps as a table, its buttons as declared
classes (handlers/callbacks.py), other flows reached only through the context. Its strings are
one TOML file (tests/fixtures/example_flow/feedback.toml; a real flow's goes in
messages/strings/), and it is registered by adding it to ``bot.app.build_flows``. It runs through
the real engine, on the console (buttons by label) and on Zalo (numbers).
"""

from __future__ import annotations

import tomllib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

import bot.app
import messages.catalog as catalog
from bot.app import App, build_app
from bot.settings import Settings
from handlers.callbacks import CallbackData
from handlers.context import Context
from handlers.flow import Flow
from handlers.textnorm import ascii_number
from handlers.types import Channel, Inbound, InboundKind
from messages import t
from tests.dossier_support import click
from tests.helpers import Clock, intents, press, say, texts

STRINGS = Path(__file__).parent / "fixtures" / "example_flow" / "feedback.toml"


# -- the handler file ---------------------------------------------------------------------------
class Step(StrEnum):
    RATING = "rating"
    CHANNEL = "channel"
    AGE = "age"
    COMMUNE = "commune"
    COMMENT = "comment"


@dataclass(frozen=True)
class Question:
    step: Step
    options: tuple[str, ...] = ()  # chosen by button (a number on Zalo); else typed
    check: Callable[[str], Any] | None = None  # typed: the value, or None to ask again


QUESTIONS = (
    Question(Step.RATING, ("good", "ok", "bad")),
    Question(Step.CHANNEL, ("zalo", "telegram")),
    Question(Step.AGE, check=lambda text: n if (n := ascii_number(text.strip(), 2)) and
             15 <= n <= 99 else None),
    Question(Step.COMMUNE, check=lambda text: text.strip()[:60] or None),
    Question(Step.COMMENT, check=lambda text: text.strip()[:300] or None),
)


@dataclass(frozen=True)
class Answer(CallbackData, prefix="feedback:a"):
    step: Step
    value: str


@dataclass(frozen=True)
class Stop(CallbackData, prefix="feedback:stop"):
    pass


class FeedbackFlow(Flow):
    name = "feedback"
    commands = ("gopy",)

    async def start(self, event: Inbound, ctx: Context) -> None:
        ctx.enter(self.name, QUESTIONS[0].step, {})
        self._ask(ctx)

    async def repeat(self, event: Inbound, ctx: Context) -> None:
        self._ask(ctx)

    def reads_text(self, ctx: Context, folded_text: str) -> bool:
        return self._question(ctx).check is not None

    async def on_callback(self, event: Inbound, ctx: Context, data: CallbackData) -> None:
        match data:
            case Stop():
                ctx.leave()
                ctx.reply(t("feedback.cancelled"), intent="flow:feedback.cancelled")
            case Answer(step=step, value=value) if (
                ctx.flow == self.name and step == ctx.step and value in self._question(ctx).options
            ):
                await self._answered(event, ctx, value)
            case _ if ctx.flow != self.name:
                await self.start(event, ctx)
            case _:  # a button of a question gone by
                self._ask(ctx)

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        check = self._question(ctx).check
        value = check(event.text) if check and event.kind == InboundKind.TEXT else None
        if value is None:
            note = t("feedback.age_invalid") if ctx.step == Step.AGE else None
            self._ask(ctx, note)
            return
        await self._answered(event, ctx, value)

    def _question(self, ctx: Context) -> Question:
        return next((q for q in QUESTIONS if q.step == ctx.step), QUESTIONS[0])

    def _ask(self, ctx: Context, note: str | None = None) -> None:
        question = self._question(ctx)
        text = t(f"feedback.ask_{question.step.value}", n=QUESTIONS.index(question) + 1)
        rows = [[Answer(question.step, o).button(t(f"feedback.option.{o}"))]
                for o in question.options]
        rows.append([Stop().button(t("feedback.button.cancel"))])
        ctx.reply(f"{note}\n{text}" if note else text, rows,
                  intent=f"flow:feedback.{question.step.value}")

    async def _answered(self, event: Inbound, ctx: Context, value: Any) -> None:
        ctx.update(**{str(ctx.step): value})
        index = QUESTIONS.index(self._question(ctx))
        if index + 1 < len(QUESTIONS):
            ctx.goto(QUESTIONS[index + 1].step)
            self._ask(ctx)
            return
        answers = dict(ctx.data)
        ctx.leave()
        ctx.reply(t("feedback.done", **{**answers,
                                        "rating": t(f"feedback.option.{answers['rating']}"),
                                        "channel": t(f"feedback.option.{answers['channel']}")}),
                  intent="flow:feedback.done")


# -- its strings file and its registration ---------------------------------------------------
@pytest.fixture
async def feedback_app(
    settings: Settings, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[App]:
    with STRINGS.open("rb") as fh:
        extra = dict(catalog._flatten("", tomllib.load(fh)))
    merged = {**catalog.load_strings(), **extra}
    monkeypatch.setattr(catalog, "load_strings", lambda *_: merged)
    flows = bot.app.build_flows
    monkeypatch.setattr(bot.app, "build_flows", lambda: [*flows(), FeedbackFlow()])
    async with build_app(settings, clock=clock.now) as built:
        yield built


async def test_a_five_question_flow_runs_through_the_engine(feedback_app: App) -> None:
    app = feedback_app
    lines = await say(app, "u1", "/gopy")
    assert intents(lines) == ["flow:feedback.rating"]
    assert "Câu 1/5" in texts(lines)
    assert intents(await press(app, "u1", "Tốt")) == ["flow:feedback.channel"]
    assert intents(await press(app, "u1", "Zalo")) == ["flow:feedback.age"]
    lines = await say(app, "u1", "trăm")
    assert intents(lines) == ["flow:feedback.age"]
    assert "15 đến 99" in texts(lines)
    assert intents(await say(app, "u1", "34")) == ["flow:feedback.commune"]
    assert intents(await say(app, "u1", "Phù Lưu")) == ["flow:feedback.comment"]
    lines = await say(app, "u1", "Bot trả lời nhanh")
    assert intents(lines) == ["flow:feedback.done"]
    assert "Tốt, Zalo, 34 tuổi, Phù Lưu" in texts(lines)


async def test_the_new_flow_gets_numbers_escapes_and_outdated_ids_for_free(
    feedback_app: App,
) -> None:
    app = feedback_app
    lines = await say(app, "z1", "gop y cho bot", channel=Channel.ZALO)  # its trigger phrase
    assert intents(lines) == ["flow:feedback.rating"]
    assert intents(await press(app, "z1", "2", channel=Channel.ZALO)) == ["flow:feedback.channel"]
    # A button of the question before: the current question again.
    lines = await click(app, "z1", "feedback:a:rating:good", channel=Channel.ZALO)
    assert intents(lines) == ["flow:feedback.channel"]
    # An id it never made: the polite word, then the same question.
    lines = await click(app, "z1", "feedback:a:mood:superb", channel=Channel.ZALO)
    assert intents(lines) == ["button.outdated", "flow:feedback.channel"]
    # Escapes every flow gets from the router: help, then the question again; "menu".
    lines = await say(app, "z1", "giúp", channel=Channel.ZALO)
    assert intents(lines) == ["flow:feedback.help", "flow:feedback.channel"]
    assert intents(await say(app, "z1", "menu", channel=Channel.ZALO)) == ["flow:menu"]
