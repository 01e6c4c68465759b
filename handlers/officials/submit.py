"""A commune officer reports a submitted trainee list in chat.

programme (buttons) → number of trainees → the list file (xlsx or photo, optional) → applicants
registered through the bot (confirm onto the list, optional) → confirm → saved.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

from handlers.callbacks import CallbackData
from handlers.context import Context
from handlers.dossier.validate import check_file_async, claimed_type
from handlers.officials.guard import get_scope, get_unit_scope
from handlers.officials.progress import program_label
from handlers.textnorm import ascii_number
from handlers.types import Button, FileRef, Inbound, InboundKind
from messages import t
from storage.models import Program
from storage.plan_repo import (
    get_allocations,
    get_program,
    get_programs,
    get_submitted_total,
    get_unconfirmed_applicants,
    record_chat_submission,
)
from storage.tables import UncomputedFormulaError, UnreadableFileError, read_table

FLOW = "officials"
MAX_TRAINEES = 1000
#: How many applicant names are listed before "…".
NAMES_SHOWN = 10


@dataclass(frozen=True)
class PickProgram(CallbackData, prefix="officials:sp"):
    code: str


@dataclass(frozen=True)
class SkipFile(CallbackData, prefix="officials:skipfile"):
    pass


@dataclass(frozen=True)
class Applicants(CallbackData, prefix="officials:apply"):
    """Count the bot's registrations as applicants too (yes) or not."""

    answer: Literal["yes", "no"]


@dataclass(frozen=True)
class Confirm(CallbackData, prefix="officials:confirm"):
    pass


@dataclass(frozen=True)
class Cancel(CallbackData, prefix="officials:cancel"):
    pass


def _cancel_row() -> list[Button]:
    return [Cancel().button(t("officials.button.cancel"))]


async def start_submission(event: Inbound, ctx: Context) -> None:
    scope = await get_scope(ctx, event.args, commune_only=True)
    if scope is None or not scope.unit_ids:
        return
    year = ctx.now.astimezone(ctx.config.timezone).year
    ctx.enter(
        FLOW, "submit.program", {"unit_id": scope.unit_ids[0], "unit": scope.label, "year": year}
    )
    await _ask_program(ctx)


async def _ask_program(ctx: Context) -> None:
    """The programmes planned for the unit this year (else all), as options."""
    planned = [p for _, p in await get_allocations(ctx.session, ctx.data["unit_id"],
                                                   ctx.data["year"])]
    programs: list[Program] = planned or await get_programs(ctx.session)
    buttons = [[PickProgram(p.code).button(program_label(p.code))] for p in programs]
    ctx.reply(
        t("officials.submit.choose_program", unit=ctx.data["unit"]),
        [*buttons, _cancel_row()],
        intent="flow:officials.submit.program",
    )


async def ask_again(ctx: Context) -> None:
    """The current step's question again (after «giúp» or a question): what was chosen so
    far is kept (it started /nopds over)."""
    if await get_unit_scope(ctx, ctx.data.get("unit_id", 0)) is None:
        ctx.leave()
        return
    if ctx.step == "submit.count" and ctx.data.get("program"):
        _ask_count(ctx, str(ctx.data["program"]))
    elif ctx.step == "submit.file":
        _ask_file(ctx)
    elif ctx.step == "submit.applicants":
        await _after_file(ctx)
    elif ctx.step == "submit.confirm":
        await _ask_confirm(ctx)
    else:
        await _ask_program(ctx)


def _ask_count(ctx: Context, code: str) -> None:
    ctx.goto("submit.count")
    ctx.reply(
        t("officials.submit.ask_count", program=program_label(code)),
        [_cancel_row()],
        intent="flow:officials.submit.count",
    )


async def on_program(ctx: Context, code: str) -> None:
    if ctx.flow != FLOW or "unit_id" not in ctx.data:
        return
    if await get_unit_scope(ctx, ctx.data["unit_id"]) is None:
        ctx.leave()
        return
    program = await get_program(ctx.session, code)
    if program is None:
        return
    ctx.update(program=program.code, program_id=program.id)
    _ask_count(ctx, program.code)


async def on_message(event: Inbound, ctx: Context) -> None:
    """Typed count or an attached file, depending on the step."""
    if await get_unit_scope(ctx, ctx.data.get("unit_id", 0)) is None:
        ctx.leave()
        return
    if ctx.step == "submit.count":
        text = event.text.strip()
        count = ascii_number(text, max_digits=4)
        if count is None or count > MAX_TRAINEES:
            ctx.reply(t("officials.submit.bad_count"), [_cancel_row()])
            return
        ctx.update(count=count)
        _ask_file(ctx)
        return
    if ctx.step == "submit.file" and event.file is not None:
        if event.kind not in (InboundKind.PHOTO, InboundKind.DOCUMENT):
            ctx.reply(t("officials.submit.bad_file"), _file_buttons())
            return
        stored, refusal = await _checked_list_file(event.file)
        if stored is None:
            ctx.reply(refusal, _file_buttons(), intent="flow:officials.submit.refused")
            return
        ctx.update(file=await ctx.files.put(stored))
        ctx.reply(t("officials.submit.file_ok"))
        await _after_file(ctx)
        return
    # Anything else: repeat the question of the current step.
    if ctx.step == "submit.program":
        await _ask_program(ctx)
    elif ctx.step == "submit.file":
        ctx.reply(t("officials.submit.bad_file"), _file_buttons())
    elif ctx.step == "submit.count":
        ctx.reply(t("officials.submit.bad_count"), [_cancel_row()])
    elif ctx.step == "submit.applicants":
        await _after_file(ctx)
    else:
        await _ask_confirm(ctx)


async def _checked_list_file(file: FileRef) -> tuple[bytes | None, str]:
    """What to store of an officer's trainee list, or (None, why it is refused). The same checks
    as a family's papers: a workbook must open as one (a zip bomb or a broken archive is
    refused before openpyxl inflates it), a photo or PDF passes the dossier's file checks and a
    photo is stored re-encoded."""
    if file.data[:4] == b"PK\x03\x04":
        try:
            await asyncio.to_thread(read_table, file.data)
        except UncomputedFormulaError:
            pass  # the list opens; it is stored for the officers, who open it in Excel
        except UnreadableFileError as error:
            return None, t(f"officials.submit.bad_xlsx.{error.reason}")
        return file.data, ""
    verdict = await check_file_async(file.data, claimed_type(file.file_name, file.mime_type))
    if verdict.reason in ("wrong_type", "not_as_named"):
        return None, t("officials.submit.bad_file")
    if not verdict.ok:
        refusal = t(f"dossier.refuse.{verdict.reason}", width=verdict.width,
                    height=verdict.height, pages=verdict.pages, claimed=verdict.claimed)
        return None, f"{refusal}\n{t('officials.submit.resend')}"
    return verdict.data, ""


def _file_buttons() -> list[list[Button]]:
    return [[SkipFile().button(t("officials.button.skip"))], _cancel_row()]


def _ask_file(ctx: Context) -> None:
    ctx.goto("submit.file")
    ctx.reply(t("officials.submit.ask_file"), _file_buttons(), intent="flow:officials.submit.file")


async def on_skip_file(ctx: Context) -> None:
    if ctx.flow == FLOW and ctx.step == "submit.file":
        if await get_unit_scope(ctx, ctx.data["unit_id"]) is None:
            ctx.leave()
            return
        await _after_file(ctx)


async def _after_file(ctx: Context) -> None:
    applicants = await get_unconfirmed_applicants(
        ctx.session, ctx.data["unit_id"], ctx.data["program_id"]
    )
    if not applicants:
        ctx.update(case_ids=[])
        await _ask_confirm(ctx)
        return
    names = [a.full_name or "" for a in applicants]
    shown = "\n".join(f"• {n}" for n in names[:NAMES_SHOWN])
    if len(names) > NAMES_SHOWN:
        shown += "\n…"
    ctx.update(pending_cases=[a.id for a in applicants])
    ctx.goto("submit.applicants")
    ctx.reply(
        t("officials.submit.applicants", count=len(names), names=shown),
        [
            [
                Applicants("yes").button(
                    t("officials.button.confirm_applicants", count=len(names))
                )
            ],
            [Applicants("no").button(t("officials.button.no_applicants"))],
        ],
        intent="flow:officials.submit.applicants",
    )


async def on_applicants(ctx: Context, answer: str) -> None:
    if ctx.flow != FLOW or ctx.step != "submit.applicants":
        return
    if await get_unit_scope(ctx, ctx.data["unit_id"]) is None:
        ctx.leave()
        return
    ctx.update(case_ids=ctx.data.get("pending_cases", []) if answer == "yes" else [])
    await _ask_confirm(ctx)


async def _ask_confirm(ctx: Context) -> None:
    data = ctx.data
    case_ids: list[int] = data.get("case_ids", [])
    total = data.get("count", 0) + len(case_ids)
    if total <= 0:
        ctx.goto("submit.count")
        ctx.reply(t("officials.submit.bad_count"), [_cancel_row()])
        return
    ctx.goto("submit.confirm")
    ctx.reply(
        t(
            "officials.submit.confirm",
            unit=data["unit"],
            program=program_label(data["program"]),
            year=data["year"],
            count=total,
            extra=t("officials.submit.extra", count=len(case_ids)) if case_ids else "",
            file=t("officials.submit.with_file") if data.get("file") else "",
        ),
        [[Confirm().button(t("officials.button.confirm"))], _cancel_row()],
        intent="flow:officials.submit.confirm",
    )


async def on_confirm(ctx: Context) -> None:
    if ctx.flow != FLOW or ctx.step != "submit.confirm":
        return
    data = ctx.data
    officer = await get_unit_scope(ctx, data["unit_id"])
    if officer is None:
        ctx.leave()
        return
    today = ctx.now.astimezone(ctx.config.timezone).date()
    common = {
        "unit_id": data["unit_id"],
        "program_id": data["program_id"],
        "year": data["year"],
        "submitted_on": today,
        "officer_id": officer.id,
        "now": ctx.now,
    }
    if data.get("count", 0) > 0:
        await record_chat_submission(
            ctx.session, trainees=data["count"], file_sha256=data.get("file"), **common
        )
    # Another officer may have confirmed some of them since the question was asked.
    still_open = {
        a.id
        for a in await get_unconfirmed_applicants(ctx.session, data["unit_id"], data["program_id"])
    }
    case_ids = [c for c in data.get("case_ids", []) if c in still_open]
    if case_ids:
        await record_chat_submission(
            ctx.session, trainees=len(case_ids), case_ids=case_ids, **common
        )
    await ctx.session.flush()
    submitted = await get_submitted_total(
        ctx.session, data["unit_id"], data["program_id"], data["year"]
    )
    target = next(
        (
            a.target_trainees
            for a, p in await get_allocations(ctx.session, data["unit_id"], data["year"])
            if p.id == data["program_id"]
        ),
        None,
    )
    program = program_label(data["program"])
    ctx.leave()
    if target is None:
        text = t("officials.submit.saved_no_plan", count=data.get("count", 0) + len(case_ids))
    else:
        text = t("officials.submit.saved", program=program, submitted=submitted, target=target)
    ctx.reply(text, intent="flow:officials.submit.saved")
