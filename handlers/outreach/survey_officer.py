"""``/khaosat`` for officers: open a survey round for the communes in their scope, invite people
through an announcement, and read a short summary of the results in chat (``/khaosat ketqua``:
those of the latest round open in their scope)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from handlers.access import DISTRICT_ROLES, can_see_unit
from handlers.callbacks import CallbackData
from handlers.context import Context
from handlers.officials.documents import send_file
from handlers.outreach.compose import preview_ready
from handlers.textnorm import folded_phrases, is_phrase
from handlers.types import Button, Inbound
from messages import t
from messages.survey import questionnaire
from storage import survey_repo
from storage.models import Officer, SurveyRound, Unit
from storage.survey_repo import count_complete, covers, open_round, open_rounds, results

NAME = "survey"
#: Trades shown per commune in the chat summary (the export has them all).
TOP = 5


@dataclass(frozen=True)
class OpenRound(CallbackData, prefix="survey:o_open"):
    pass


@dataclass(frozen=True)
class Invite(CallbackData, prefix="survey:o_invite"):
    round_id: int

    # "ok" under "Mời người dân tham gia qua thông báo?": the invitation's preview, sent only
    # on its own «Gửi» (it got small talk and the citizens' menu).
    typed_yes = True


@dataclass(frozen=True)
class Results(CallbackData, prefix="survey:o_results"):
    round_id: int


@dataclass(frozen=True)
class ReplaceRound(CallbackData, prefix="survey:o_replace"):
    """Close the round open for the officer's communes and open a new one."""

    round_id: int


OfficerButton = OpenRound | Invite | Results | ReplaceRound


def _scope(officer: Officer) -> list[int]:
    """Units of a new round: the officer's commune, or every unit (empty) for the office."""
    if officer.role in DISTRICT_ROLES or officer.unit_id is None:
        return []
    return [officer.unit_id]


def _seen_units(officer: Officer) -> list[int] | None:
    """Whose answers the officer reads: every commune's (the office), or their own's."""
    return None if officer.role in DISTRICT_ROLES else [officer.unit_id or -1]


def _in_scope(officer: Officer | None, found: SurveyRound) -> bool:
    """The office: every round. A commune officer: a round that covers their commune (the
    office's for every commune too); they read its answers and invite people of their commune
    only (``summary``, ``_invited_units``)."""
    if officer is None:
        return False
    if officer.role in DISTRICT_ROLES:
        return True
    return can_see_unit(officer, officer.unit_id) and covers(found, officer.unit_id)


def _invited_units(officer: Officer, found: SurveyRound) -> list[int]:
    if officer.role in DISTRICT_ROLES:
        return [int(u) for u in found.unit_ids]
    return _scope(officer)


def _round_buttons(found: SurveyRound) -> list[list[Button]]:
    return [
        [Invite(found.id).button(t("survey.officer.button.invite", id=found.id))],
        [Results(found.id).button(t("survey.officer.button.results", id=found.id))],
    ]


def _same_scope(officer: Officer, found: SurveyRound) -> bool:
    """A round opened for exactly the communes a new one of this officer would cover."""
    return sorted(int(u) for u in found.unit_ids) == sorted(_scope(officer))


async def start(event: Inbound, ctx: Context, officer: Officer) -> None:
    mine = [r for r in await open_rounds(ctx.session) if _in_scope(officer, r)]
    if mine and is_phrase(event.args, folded_phrases("survey.officer.results_words")):
        await _results(ctx, mine[0], officer)  # "/khaosat ketqua", "kết quả khảo sát"
        return
    buttons = [[OpenRound().button(t("survey.officer.button.open"))]]
    for found in mine[:3]:
        buttons += _round_buttons(found)
    # Each round with when it opened and how many answered ("#1" alone said neither).
    zone = ctx.config.timezone
    rounds = [t("survey.officer.open_round", id=r.id,
                opened=r.opened_at.astimezone(zone).strftime("%d/%m/%Y"),
                count=await count_complete(ctx.session, r, _seen_units(officer)))
              for r in mine]
    text = (t("survey.officer.open_rounds", ids="; ".join(rounds)) if mine
            else t("survey.officer.no_round"))
    ctx.reply(text, buttons, intent=f"flow:{NAME}.officer")


async def on_callback(ctx: Context, officer: Officer | None, data: OfficerButton) -> None:
    if officer is None:
        ctx.reply(t("survey.officer.not_officer"), intent=f"flow:{NAME}.officer.refused")
        return
    if isinstance(data, OpenRound):
        await _open_new(ctx, officer)
        return
    found = await ctx.session.get(SurveyRound, data.round_id)
    if found is None or not _in_scope(officer, found):
        ctx.reply(t("survey.officer.not_found"), intent=f"flow:{NAME}.officer.refused")
        return
    if isinstance(data, ReplaceRound):
        if found.closed_at is None and _same_scope(officer, found):
            found.closed_at = ctx.now  # its answers stay, for its results
        await _open_new(ctx, officer)
    elif isinstance(data, Invite):
        # The invitation is previewed with its recipient count, and sent on «Gửi»; it names
        # the commune it comes from when one ("UBND xã mời bà con" named none).
        units = _invited_units(officer, found)
        unit = await ctx.session.get(Unit, units[0]) if len(units) == 1 else None
        text = (t("survey.officer.invite_text_unit", unit=unit.name) if unit is not None
                else t("survey.officer.invite_text"))
        await preview_ready(ctx, text, units)
    else:
        await _results(ctx, found, officer)


async def _open_new(ctx: Context, officer: Officer) -> None:
    """A new round for the officer's communes; while one is open for exactly them, a second
    would split their answers (on Zalo «1» under /khaosat opened one): that round is shown,
    with closing it and opening a new one as a choice."""
    running = [r for r in await open_rounds(ctx.session) if _same_scope(officer, r)]
    if running:
        ctx.reply(
            t("survey.officer.already_open", id=running[0].id),
            [
                [ReplaceRound(running[0].id).button(
                    t("survey.officer.button.replace", id=running[0].id))],
                *_round_buttons(running[0]),
            ],
            intent=f"flow:{NAME}.officer.already_open",
        )
        return
    opened = await open_round(
        ctx.session, _scope(officer), questionnaire().version, ctx.now, officer.id
    )
    ctx.reply(
        t("survey.officer.opened", id=opened.id),
        _round_buttons(opened),
        intent=f"flow:{NAME}.officer.opened",
    )


async def _results(ctx: Context, found: SurveyRound, officer: Officer) -> None:
    """The short summary, with the full commune × trade table as a workbook (a document, or a
    link on Zalo): an officer is never told to run a terminal command."""
    got = await results(ctx.session, found, _seen_units(officer))
    if not got.responses:
        # Not a dead end: inviting people is the next step.
        ctx.reply(t("survey.officer.no_results", id=found.id),
                  [[Invite(found.id).button(t("survey.officer.button.invite", id=found.id))]],
                  intent=f"flow:{NAME}.officer.results")
        return
    from storage.survey_export import render  # openpyxl: only when a file is asked for

    trades = questionnaire().get("trades")
    await send_file(
        ctx,
        officer,
        render(got, dict(trades.options) if trades else {}, "xlsx"),
        file_name=f"khao-sat-{found.id}.xlsx",
        what=t("doclink.what_survey", id=found.id),
        text=summary(found, got),
        intent=f"flow:{NAME}.officer.results",
        survey_round_id=found.id,
    )


#: The one-choice questions the chat summary adds up over every commune, below the trades.
SUMMED = ("time", "place", "abroad")


def summary(found: SurveyRound, got: survey_repo.Results) -> str:
    """Per commune, the trades most asked for."""
    form = questionnaire()
    per_commune: dict[str, Counter[str]] = defaultdict(Counter)
    for (commune, trade), n in got.counts.items():
        per_commune[commune][trade] += n
    lines = [t("survey.officer.results_title", id=found.id, count=len(got.responses))]
    for commune in sorted(per_commune):
        top = ", ".join(
            f"{form.label('trades', trade)} {n}"
            for trade, n in per_commune[commune].most_common(TOP)
        )
        lines.append(f"• {commune or '?'}: {top}")
    # When and where people can learn, and who would rather work abroad: what a class is
    # planned on (the trades alone were too thin to plan one).
    for question_id in SUMMED:
        question = form.get(question_id)
        said = Counter(str(r[question_id]) for r in got.responses if r.get(question_id))
        if question is not None and said:
            shares = ", ".join(f"{form.label(question_id, value)} {n}"
                               for value, n in said.most_common())
            lines.append(t("survey.officer.results_line", label=question.label, shares=shares))
    return "\n".join(lines)
