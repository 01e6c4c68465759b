"""A person's own survey answers: shown ("xem khảo sát", and in the privacy view) and deleted
on request ("xóa khảo sát"), in the survey flow (handlers/outreach/survey.py)."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.callbacks import CallbackData
from handlers.context import Context
from handlers.textnorm import folded_phrases, is_phrases
from messages import t
from messages.survey import questionnaire
from storage.models import SurveyResponse, Unit
from storage.survey_repo import responses_of

#: The survey flow's name (docs/simulate.md ``flow:survey``).
NAME = "survey"
#: "Xóa hết câu trả lời khảo sát?" waits for its answer (typed "có" answered the question
#: under way before).
DELETE = "delete"


@dataclass(frozen=True)
class View(CallbackData, prefix="survey:view"):
    pass


@dataclass(frozen=True)
class Delete(CallbackData, prefix="survey:delete"):
    pass


@dataclass(frozen=True)
class KeepAnswers(CallbackData, prefix="survey:delete_no"):
    pass


@dataclass(frozen=True)
class DeleteConfirmed(CallbackData, prefix="survey:delete_yes"):
    pass


async def view(ctx: Context) -> None:
    """«Xem câu trả lời»: every answer kept, with «Xóa câu trả lời»."""
    found = await responses_of(ctx.session, ctx.contact.id)
    if not found:
        ctx.reply(t("survey.nothing"), intent=f"flow:{NAME}.view")
        return
    lines = [t("survey.view_title")]
    for response in found:
        lines.extend(await answer_lines(ctx, response))
    ctx.reply(
        "\n".join(lines),
        [[Delete().button(t("survey.button.delete"))]],
        intent=f"flow:{NAME}.view",
    )


async def answer_lines(ctx: Context, response: SurveyResponse) -> list[str]:
    """One line per answered question, as the person would read it (also the privacy view)."""
    form = questionnaire()
    lines = []
    for question in form.questions:
        value = response.answers.get(question.id)
        if value is None or value == "":
            continue
        if question.kind == "unit":
            unit = await ctx.session.get(Unit, int(value))
            shown = unit.name if unit else ""
        elif isinstance(value, list):
            shown = ", ".join(form.label(question.id, str(v)) for v in value)
            if "trades_other" in response.answers and question.id == "trades":
                shown += f" ({response.answers['trades_other']})"
        else:
            shown = form.label(question.id, str(value))
        lines.append(f"• {question.label}: {shown}")
    return lines


async def ask_delete(ctx: Context) -> None:
    """«Xóa hết câu trả lời khảo sát?», a step of its own; said so when nothing is kept."""
    if not await responses_of(ctx.session, ctx.contact.id):
        ctx.reply(t("survey.nothing"), intent=f"flow:{NAME}.delete")
        return
    # The question under way, if any, is kept to be asked again after «Không xóa».
    ctx.enter(NAME, DELETE, dict(ctx.data) if ctx.flow == NAME else {})
    ctx.reply(
        t("survey.delete_confirm"),
        [[DeleteConfirmed().button(t("survey.button.delete_yes"))],
         [KeepAnswers().button(t("survey.button.delete_no"))]],
        intent=f"flow:{NAME}.delete",
    )


def delete_word(text: str) -> DeleteConfirmed | KeepAnswers | None:
    """"có", "xóa đi" or "không", "thôi" typed at «Xóa hết câu trả lời khảo sát?»: a few
    answers, not all of one's data (that question wants its button pressed)."""
    if is_phrases(text, folded_phrases("privacy.delete_agree_words")):
        return DeleteConfirmed()
    if is_phrases(text, folded_phrases("survey.words.keep")):
        return KeepAnswers()
    return None
