"""Which round of the survey a person answers: each commune may run its own. The commune is
known from the person's case or subscription, else asked (the communes the open rounds cover,
as numbered options, or typed), in the survey flow (handlers/outreach/survey.py)."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.callbacks import CallbackData
from handlers.context import Context
from handlers.intake.questions import current_units
from handlers.types import Button
from messages.deployment import profile_fields
from storage.course_repo import find_contact_unit_id
from storage.models import SurveyResponse, SurveyRound, Unit
from storage.outreach_repo import get_subscription
from storage.survey_repo import covers, get_response, open_rounds


@dataclass(frozen=True)
class PickUnit(CallbackData, prefix="survey:unit"):
    """A commune of the round, as a numbered option (typing its name works too)."""

    unit_id: int


async def known_unit(ctx: Context) -> int | None:
    """The person's commune when the bot knows it: their latest case's, else the one they
    subscribed for."""
    found = await find_contact_unit_id(ctx.session, ctx.contact.id)
    if found is None:
        subscription = await get_subscription(ctx.session, ctx.contact.id)
        found = subscription.unit_id if subscription is not None else None
    return found


async def round_for(ctx: Context, response: SurveyResponse, unit_id: int) -> SurveyRound | None:
    """The open round the response belongs in once its commune is known: its own if that
    covers the commune, else the newest open one that does and that this person has not
    answered yet."""
    found = await ctx.session.get(SurveyRound, response.round_id)
    if found is not None and covers(found, unit_id):
        return found
    for other in await open_rounds(ctx.session):
        if covers(other, unit_id) and await get_response(
            ctx.session, other.id, ctx.contact.id
        ) is None:
            return other
    return None


async def round_units(ctx: Context) -> list[Unit]:
    """The communes of the open rounds: each commune may run its own round."""
    rounds = await open_rounds(ctx.session)
    return [u for u in await current_units(ctx) if any(covers(r, u.id) for r in rounds)]


def example(units: list[Unit]) -> dict[str, str]:
    """The example commune of the commune question: the deployment's, unless the rounds do
    not cover it (a round open in Yên Phú alone said "vd: Hàm Yên")."""
    names = [u.name for u in units]
    if not names or profile_fields()["example_commune"] in names:
        return {}
    return {"example_commune": names[0]}


def unit_rows(units: list[Unit]) -> list[list[Button]]:
    """The communes as numbered options (a number is what Zalo users type)."""
    return [[PickUnit(u.id).button(u.name)] for u in units]
