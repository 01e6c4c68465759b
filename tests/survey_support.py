"""The survey tests' questionnaire answers and steps, shared by tests/test_survey.py (the
person's side) and tests/test_survey_officer.py (the officers')."""

from __future__ import annotations

from typing import Any

from bot.app import App
from messages import t
from messages.survey import questionnaire
from storage.survey_repo import open_round
from tests.helpers import Clock, press, say

FORM = questionnaire()
#: Question id → what the person answers: option labels to pick (in order), or text to type.
ANSWERS: dict[str, list[str] | str] = {
    "age_group": ["25–34 tuổi"],
    "gender": ["Nữ"],
    "unit": "phu luu",
    "village": '=HYPERLINK("http://x")',
    "work": ["Làm ruộng, nương, chăn nuôi"],
    "trades": ["May công nghiệp", "Nghề khác", t("survey.button.done")],
    "other_trade": "Làm bánh",
    "time": ["Buổi tối"],
    "place": ["Tại xã"],
    "abroad": ["Đang cân nhắc"],
}


async def open_survey_round(app: App, clock: Clock, units: list[int] | None = None) -> int:
    async with app.db.transaction() as session:
        return (await open_round(session, units or [], FORM.version, clock.now())).id


def step_of(intent: str) -> str:
    return intent.removeprefix("flow:survey.")


async def answer_console(app: App, user: str, step: str) -> list[dict[str, object]]:
    wanted = ANSWERS[step]
    if isinstance(wanted, str):
        return await say(app, user, wanted)
    lines: list[dict[str, object]] = []
    for label in wanted:
        lines = await press(app, user, label)
    return lines


async def answer_with(send: Any, step: str) -> list[dict[str, object]]:
    wanted = ANSWERS[step]
    if isinstance(wanted, str):
        return list(await send(wanted))
    lines: list[dict[str, object]] = []
    for label in wanted:
        lines = list(await send(label))
    return lines
