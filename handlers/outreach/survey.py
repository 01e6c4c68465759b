"""``survey``: the training-needs questionnaire (messages/survey.toml), for one open round.

Consent first; every answer is saved at once (``survey_responses``), so the person can leave and
come back to the first unanswered question; one response per person per round. "xem khảo sát"
shows the answers and offers to delete them (handlers/outreach/survey_stored.py). Officers use
``/khaosat`` (handlers/outreach/survey_officer.py) to open a round, invite people and see the
results.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers.access import get_officer
from handlers.callbacks import CallbackData
from handlers.context import Context
from handlers.flow import Flow
from handlers.intake.questions import current_units
from handlers.intake.validators import (
    InvalidAnswerError,
    match_unit,
    parse_place,
)
from handlers.outreach import survey_officer, survey_stored
from handlers.outreach.subscribe import Start as Subscribe
from handlers.outreach.survey_answers import (
    OTHER_OPTION,
    Consent,
    Decline,
    Done,
    Option,
    Skip,
    consent_word,
    is_question,
    pausing,
    typed_answer,
    typed_many,
)
from handlers.outreach.survey_communes import (
    PickUnit,
    example,
    known_unit,
    round_for,
    round_units,
    unit_rows,
)
from handlers.outreach.survey_stored import (
    DELETE,
    NAME,
    Delete,
    DeleteConfirmed,
    KeepAnswers,
    View,
    delete_word,
)
from handlers.textnorm import contains_phrase, fold, folded_phrases, option_number
from handlers.types import Button, Inbound, InboundKind
from messages import t
from messages.survey import Question, questionnaire
from storage.models import SurveyResponse, Unit
from storage.survey_repo import (
    covers,
    delete_responses,
    get_response,
    has_draft,
    open_rounds,
)

CONSENT = "consent"
OTHER = "other_trade"
#: The questionnaire's village question: written as the registration form writes villages.
VILLAGE = "village"


@dataclass(frozen=True)
class Start(CallbackData, prefix="survey:start"):
    pass


class SurveyFlow(Flow):
    name = NAME
    commands = ("khaosat",)

    def reads_text(self, ctx: Context, folded_text: str) -> bool:
        # "xem khảo sát" is not a commune's name: the flow's own phrases come first.
        if _own_phrase(folded_text):
            return True
        if ctx.step == CONSENT:
            return consent_word(folded_text) is not None
        if ctx.step == DELETE:
            return delete_word(folded_text) is not None
        if pausing(folded_text):
            return True
        # A commune, a village, a trade are short: a sentence is read as a request or question.
        limit = {"unit": 3, "village": 6, OTHER: 6}.get(ctx.step or "", 0)
        if len(folded_text.split()) <= limit:
            return True
        # An option typed ("lam ruong", "28 tuoi", "xong") answers; it is not a question.
        question = questionnaire().get(ctx.step or "")
        return question is not None and (
            typed_answer(question, folded_text) is not None
            or typed_many(question, folded_text) is not None
        )

    async def pending_note(self, ctx: Context) -> str | None:
        # The menu says a survey is half answered, and "tiếp tục" outside any flow resumes it
        # (the router starts a flow with a pending note; _begin resumes the draft).
        if not await has_draft(ctx.session, ctx.contact.id):
            return None
        return t("survey.menu_pending")

    async def cancel(self, event: Inbound, ctx: Context) -> None:
        """«hủy» mid-survey: the answers given so far are kept for later."""
        kept = ctx.data.get("response") is not None
        ctx.leave(resume=False)
        ctx.reply(t("survey.paused" if kept else "escapes.cancelled"),
                  intent=f"flow:{NAME}.cancelled")

    async def start(self, event: Inbound, ctx: Context) -> None:
        if event.command == "khaosat":
            officer = await get_officer(ctx.session, ctx.contact.id)
            if officer is not None:
                await survey_officer.start(event, ctx, officer)
                return
        # Said in a sentence too ("xem cau tra loi khao sat cua toi" began the survey again);
        # deleting first: "xóa khảo sát của tôi" holds "khảo sát của tôi".
        if contains_phrase(event.text, folded_phrases("survey.phrases.delete")):
            await survey_stored.ask_delete(ctx)
            return
        if contains_phrase(event.text, folded_phrases("survey.phrases.view")):
            await survey_stored.view(ctx)
            return
        await _begin(ctx)

    async def on_callback(self, event: Inbound, ctx: Context, data: CallbackData) -> None:
        match data:
            case (
                survey_officer.OpenRound()
                | survey_officer.Invite()
                | survey_officer.Results()
                | survey_officer.ReplaceRound()
            ):
                officer = await get_officer(ctx.session, ctx.contact.id)
                await survey_officer.on_callback(ctx, officer, data)
            case View():
                await survey_stored.view(ctx)
            case Delete():
                await survey_stored.ask_delete(ctx)
            case DeleteConfirmed():
                count = await delete_responses(ctx.session, ctx.contact.id)
                if ctx.flow == NAME:
                    ctx.leave()
                ctx.reply(t("survey.deleted", count=count), intent=f"flow:{NAME}.deleted")
            case KeepAnswers():
                await _keep_answers(ctx)
            case _ if ctx.flow != NAME:
                await _begin(ctx)
            case Consent() if ctx.step == CONSENT:
                await _consented(ctx)
            case Decline():
                ctx.leave()
                ctx.reply(t("survey.declined"), intent=f"flow:{NAME}.declined")
            case PickUnit(unit_id=unit_id) if ctx.step == "unit":
                response = await _response(ctx)
                unit = await ctx.session.get(Unit, unit_id)
                if response is None or unit is None:
                    await _begin(ctx)
                    return
                await _choose_unit(ctx, response, unit)
            case _:
                response = await _response(ctx)
                if response is None:
                    await _begin(ctx)
                    return
                await _answer_button(ctx, response, data)

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        if event.kind == InboundKind.TEXT and _own_phrase(fold(event.text)):
            await self.start(event, ctx)  # view, delete, or carry on
            return
        if ctx.step == DELETE and event.kind == InboundKind.TEXT:
            said_to_delete = delete_word(event.text)
            if said_to_delete is not None:
                await self.on_callback(event, ctx, said_to_delete)
                return
            if not is_question(event.text):
                await survey_stored.ask_delete(ctx)
                return
        said = consent_word(event.text) if event.kind == InboundKind.TEXT else None
        if ctx.step == CONSENT and said is not None:
            # "dc", "ok", "ko" typed under the consent question (it left the survey).
            await self.on_callback(event, ctx, said)
            return
        response = await _response(ctx)
        if response is not None and event.kind == InboundKind.TEXT and pausing(event.text):
            # "thôi em bận, để sau nhé": the answers are kept, the survey waits.
            await self.cancel(event, ctx)
            return
        question = questionnaire().get(ctx.step or "")
        typed = event.kind == InboundKind.TEXT and event.text.strip()
        answer = typed_answer(question, event.text) if typed and question else None
        if response is not None and answer is not None:
            await _answer_button(ctx, response, answer)
            return
        many = typed_many(question, event.text) if typed and question else None
        if response is not None and question is not None and many is not None:
            # "4, 5" or "dien, sua xe may": every trade named is chosen (none unchosen);
            # "sửa xe máy với hàn": «Khác» too, with "hàn" as the other trade.
            key = f"_{question.id}"
            chosen: list[str] = list(response.answers.get(key, []))
            other = {"trades_other": many.other[:200]} if many.other else {}
            response.answers = {**response.answers, **other,
                                key: chosen + [m for m in many.keys if m not in chosen]}
            response.updated_at = ctx.now
            await _ask_next(ctx, response)
            return
        if response is not None and typed and ctx.step == OTHER:
            await _save(ctx, response, "trades_other", event.text.strip()[:200])
            return
        if (
            response is not None
            and typed
            and question is not None
            and question.kind in ("unit", "text")
            and not is_question(event.text)
        ):
            await _answer_text(ctx, response, question, event.text.strip())
            return
        if typed and not is_question(event.text) and response is not None:
            await _ask_next(ctx, response, again=True)
            return
        # A question or anything else: the answers are kept; the router answers it.
        ctx.leave()
        await ctx.dispatch(event)


def _own_phrase(folded_text: str) -> bool:
    return any(folded_text in folded_phrases(key)
               for key in ("survey.phrases.view", "survey.phrases.delete", "triggers.survey"))


async def _begin(ctx: Context) -> None:
    rounds = await open_rounds(ctx.session)
    if not rounds:
        ctx.leave()
        # Not a dead end: they can ask to be told of the next class.
        ctx.reply(t("survey.none_open"), [[Subscribe().button(t("faq.offer.subscribe"))]],
                  intent=f"flow:{NAME}.none_open")
        return
    # A response under way in any open round is resumed; a finished one is shown.
    for found in rounds:
        response = await get_response(ctx.session, found.id, ctx.contact.id)
        if response is not None and response.status == "draft":
            ctx.enter(NAME, "", {"round": found.id, "response": response.id})
            await _ask_next(ctx, response, resumed=True)
            return
    # Each commune may run its own round: the person's (from their case or subscription)
    # first, else the newest; the commune question can still move them to theirs.
    known = await known_unit(ctx)
    latest = next((r for r in rounds if known is not None and covers(r, known)), rounds[0])
    done = await get_response(ctx.session, latest.id, ctx.contact.id)
    if done is not None:
        ctx.leave()
        ctx.reply(
            t("survey.already"),
            [
                [View().button(t("survey.button.view"))],
                [Delete().button(t("survey.button.delete"))],
            ],
            intent=f"flow:{NAME}.already",
        )
        return
    ctx.enter(NAME, CONSENT, {"round": latest.id})
    ctx.reply(
        t("survey.consent"),
        [
            [
                Consent().button(t("survey.button.consent")),
                Decline().button(t("survey.button.decline")),
            ]
        ],
        intent=f"flow:{NAME}.{CONSENT}",
    )


async def _consented(ctx: Context) -> None:
    response = SurveyResponse(
        round_id=int(ctx.data["round"]),
        contact_id=ctx.contact.id,
        answers={},
        status="draft",
        consent_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(response)
    await ctx.session.flush()
    ctx.update(response=response.id)
    await _ask_next(ctx, response)


async def _response(ctx: Context) -> SurveyResponse | None:
    response_id = ctx.data.get("response")
    if response_id is None:
        return None
    found = await ctx.session.get(SurveyResponse, int(response_id))
    if found is None or found.contact_id != ctx.contact.id:
        return None
    return found


async def _ask_next(
    ctx: Context, response: SurveyResponse, *, resumed: bool = False, again: bool = False
) -> None:
    answers = response.answers
    if "trades" in answers and OTHER_OPTION in answers["trades"] and "trades_other" not in answers:
        ctx.goto(OTHER)
        ctx.reply(t("survey.ask_other"), intent=f"flow:{NAME}.{OTHER}")
        return
    for question in questionnaire().questions:
        if question.id in answers:
            continue
        ctx.goto(question.id)
        lead = [t("survey.resumed")] if resumed else [t("survey.again")] if again else []
        rows = _question_buttons(question, response)
        text = _question_text(question, response)
        if question.kind == "unit":
            units = await round_units(ctx)
            rows = unit_rows(units)
            text = question.worded(**example(units))
        ctx.reply(
            "\n".join([*lead, text]),
            rows,
            intent=f"flow:{NAME}.{question.id}",
        )
        return
    await _finish(ctx, response)


def _question_text(question: Question, response: SurveyResponse) -> str:
    if question.kind != "multi":
        return question.text
    chosen = response.answers.get(f"_{question.id}", [])
    labels = ", ".join(question.options[c] for c in chosen if c in question.options)
    return (
        question.text
        + "\n"
        + (t("survey.chosen", items=labels) if labels else t("survey.none_chosen"))
    )


def _question_buttons(question: Question, response: SurveyResponse) -> list[list[Button]]:
    rows = [[Option(value).button(label)] for value, label in question.options.items()]
    if question.kind == "multi":
        rows.append([Done().button(t("survey.button.done"))])
    if question.optional:
        rows.append([Skip().button(t("survey.button.skip"))])
    return rows


async def _answer_button(ctx: Context, response: SurveyResponse, data: CallbackData) -> None:
    question = questionnaire().get(ctx.step or "")
    if question is None:
        await _ask_next(ctx, response)
        return
    arg = data.value if isinstance(data, Option) and data.value in question.options else None
    if isinstance(data, Skip) and question.optional:
        await _save(ctx, response, question.id, "")
    elif arg is not None and question.kind == "choice":
        await _save(ctx, response, question.id, arg)
    elif arg is not None and question.kind == "multi":
        key = f"_{question.id}"
        chosen: list[str] = list(response.answers.get(key, []))
        chosen = [c for c in chosen if c != arg] if arg in chosen else [*chosen, arg]
        response.answers = {**response.answers, key: chosen}
        response.updated_at = ctx.now
        await _ask_next(ctx, response)
    elif isinstance(data, Done) and question.kind == "multi":
        chosen = list(response.answers.get(f"_{question.id}", []))
        if not chosen:
            await _ask_next(ctx, response, again=True)
            return
        answers = {k: v for k, v in response.answers.items() if k != f"_{question.id}"}
        response.answers = answers
        await _save(ctx, response, question.id, chosen)
    else:
        await _ask_next(ctx, response, again=True)


async def _answer_text(
    ctx: Context, response: SurveyResponse, question: Question, text: str
) -> None:
    if question.kind == "text":
        await _save(ctx, response, question.id, _written(question, text)[:200])
        return
    units = await current_units(ctx)
    try:
        unit = match_unit(text, units)
    except InvalidAnswerError:
        covered = await round_units(ctx)
        if (number := option_number(text)) is not None:
            # "7" under one commune got "Bot chưa tìm thấy xã «7»": which number is not there.
            ctx.reply(t("escapes.unknown_option_number", number=number), unit_rows(covered),
                      intent=f"flow:{NAME}.unit")
            return
        ctx.reply(t("survey.unit_unknown", text=text[:60], **example(covered)),
                  unit_rows(covered),
                  intent=f"flow:{NAME}.unit")
        return
    await _choose_unit(ctx, response, next(u for u in units if u.id == unit.id))


def _written(question: Question, text: str) -> str:
    """A village as the registration form writes it ("thon 2" → "Thôn 2": the results table
    counted "thon 2" and "Thôn 2" apart); other text as typed."""
    if question.id != VILLAGE:
        return text
    try:
        return parse_place(text)
    except InvalidAnswerError:
        return text


async def _choose_unit(ctx: Context, response: SurveyResponse, unit: Unit) -> None:
    found = await round_for(ctx, response, unit.id)
    if found is None:
        ctx.leave()
        await ctx.session.delete(response)
        ctx.reply(t("survey.not_here", unit=unit.name), intent=f"flow:{NAME}.not_here")
        return
    if found.id != response.round_id:
        # The round the person started in is another commune's: the answers move to theirs.
        response.round_id = found.id
        ctx.update(round=found.id)
    response.unit_id = unit.id
    await _save(ctx, response, "unit", unit.id)


async def _save(ctx: Context, response: SurveyResponse, key: str, value: Any) -> None:
    response.answers = {**response.answers, key: value}
    response.updated_at = ctx.now
    await _ask_next(ctx, response)


async def _finish(ctx: Context, response: SurveyResponse) -> None:
    response.status = "complete"
    response.updated_at = ctx.now
    ctx.leave()
    ctx.reply(
        t("survey.thanks"),
        [[View().button(t("survey.button.view"))]],
        intent=f"flow:{NAME}.done",
    )


async def _keep_answers(ctx: Context) -> None:
    """«Không xóa»: said so, and the survey under way goes on where it was."""
    ctx.reply(t("privacy.delete_cancelled"), intent=f"flow:{NAME}.kept")
    response = await _response(ctx) if ctx.flow == NAME else None
    if response is None or response.status != "draft":
        if ctx.flow == NAME:
            ctx.leave()
        return
    await _ask_next(ctx, response, resumed=True)
