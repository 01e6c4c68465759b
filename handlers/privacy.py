"""The user's own data: "hồ sơ của tôi" (cases and next step), "xem dữ liệu", "xóa dữ liệu".

Flow name "privacy"; its buttons are declared below (``Choose(Action.CASES)`` ...).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import func, select

from handlers.callbacks import CallbackData
from handlers.casework import tell_officers_of_erasure
from handlers.context import PAUSED, Context
from handlers.flow import Flow
from handlers.intake.drafts import get_draft
from handlers.intake.questions import cipher, option_label
from handlers.menu import main_menu_buttons
from handlers.outreach.mine import outreach_lines
from handlers.own_cases import class_cancelled, latest_change_line
from handlers.textnorm import fold, folded_phrases, is_phrase, is_phrases, only_signs
from handlers.types import Button, Inbound
from messages import has, t
from storage.cases_repo import get_cases_of_contact
from storage.course_announcements import CANCELLED
from storage.erasure import erase_contact_data, references_to
from storage.models import Base, Case, Course, OutboxMessage, Thread, Unit


class Action(StrEnum):
    CASES = "cases"
    DATA = "data"
    DELETE = "delete"


@dataclass(frozen=True)
class Choose(CallbackData, prefix="privacy"):
    action: Action


@dataclass(frozen=True)
class ConfirmDelete(CallbackData, prefix="privacy:delete"):
    answer: Literal["yes", "no"]


class PrivacyFlow(Flow):
    name = "privacy"
    commands = ("tracuu", "dulieu", "xoadulieu")
    #: Only the delete buttons answer its confirmation: anything else is "not now", and goes
    #: back to the form or dossier it interrupted (a photo is filed there).
    reads_non_text = True

    def interrupts(self, folded_text: str) -> bool:
        # A request to delete is heard at every step of every flow, before the step reads it
        # (at the date of birth "xóa hết dữ liệu" was "Bot chưa đọc được ngày này"), and
        # starts here with that flow still open: ``start`` keeps its place, so «Không xóa»
        # goes back to the same question. Taken as a trigger phrase instead, the form was
        # left first (its place gone) and «Không xóa» showed the menu.
        return is_phrase(folded_text, folded_phrases("privacy.phrases.delete"))

    async def start(self, event: Inbound, ctx: Context) -> None:
        by_command = {"tracuu": "cases", "dulieu": "data", "xoadulieu": "delete"}
        action = by_command.get(event.command) or _action_of(fold(event.text))
        if action is None:
            ctx.reply(t("privacy.choose"), _choices(), intent="flow:privacy")
            return
        # /xoadulieu or "xóa hết dữ liệu" typed in a dossier or a form: «Không xóa» goes back
        # there, as for a request in other words (Router.start_action).
        place = ctx.place() if ctx.flow not in (None, self.name) else None
        await self._act(event, ctx, Action(action))
        if place is not None and action == Action.DELETE and ctx.flow == self.name:
            ctx.pause_into(place)

    async def on_callback(self, event: Inbound, ctx: Context, data: CallbackData) -> None:
        match data:
            case Choose(action=action):
                await self._act(event, ctx, action)
            case ConfirmDelete(answer="yes") if ctx.step == "delete_confirm":
                await self._delete(ctx)
            case ConfirmDelete(answer="no"):
                ctx.leave()
                # Asked in the middle of a form or a dossier: back there (its question comes
                # next), not the menu: the dossier's place was lost.
                ctx.reply(t("privacy.delete_cancelled"),
                          None if ctx.resumed else main_menu_buttons(), intent="flow:privacy")
            case _:
                await self._act(event, ctx, None)

    async def _act(self, event: Inbound, ctx: Context, action: Action | None) -> None:
        if action == Action.CASES:
            # Where the cases stand is the status flow's answer (docs/simulate.md).
            await ctx.start_action(event, "status")
        elif action == Action.DATA:
            await self._data(ctx)
        elif action == Action.DELETE:
            # Asked again (after a question, or typed twice): the interrupted place is kept.
            paused = ctx.data.get(PAUSED) if ctx.flow == self.name else None
            ctx.enter(self.name, "delete_confirm", {PAUSED: paused} if paused else {})
            ctx.reply(
                t("privacy.delete_confirm"),
                [
                    [ConfirmDelete("yes").button(t("privacy.delete_yes"))],
                    [ConfirmDelete("no").button(t("privacy.delete_no"))],
                ],
                intent="flow:privacy.delete_confirm",
            )
        else:
            ctx.reply(t("privacy.choose"), _choices(), intent="flow:privacy")

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        # Only the delete confirmation waits for an answer, and only its buttons delete: "không"
        # typed is the «Không xóa» it means; anything else typed means "not now", and is
        # handled as if no flow were active.
        if ctx.step == "delete_confirm" and _declines(event.text):
            await self.on_callback(event, ctx, ConfirmDelete("no"))
            return
        if ctx.step == "delete_confirm" and _agrees(event.text):
            # A typed "có" does not delete (the button does), and it went to the FAQ: a
            # "which topic?" about working abroad, the confirmation gone. Asked again, saying how.
            ctx.reply(t("escapes.help.privacy.delete_confirm"), intent="flow:privacy.help")
            await self._act(event, ctx, Action.DELETE)
            return
        ctx.leave()
        # Back in the form or dossier it interrupted, which reads this message itself (a photo
        # is filed there): no second copy of its question.
        ctx.resumed = False
        await ctx.dispatch(event)

    async def start_action(
        self, part: str, event: Inbound, ctx: Context, slots: dict[str, Any]
    ) -> None:
        """``privacy.view`` shows the data, ``privacy.delete`` asks to confirm the deletion."""
        by_part = {"view": Action.DATA, "delete": Action.DELETE}
        await self._act(event, ctx, by_part.get(part))

    def reads_text(self, ctx: Context, folded_text: str) -> bool:
        # Only the buttons delete; a typed "không" declines (it was "bot chưa hiểu").
        return ctx.step == "delete_confirm" and (_declines(folded_text) or _agrees(folded_text))

    async def repeat(self, event: Inbound, ctx: Context) -> None:
        await self._act(event, ctx, Action.DELETE if ctx.step == "delete_confirm" else None)

    async def _data(self, ctx: Context) -> None:
        contact = ctx.contact
        zone = ctx.config.timezone
        name = ""
        if contact.display_name:
            name = t("privacy.data_account_name", name=contact.display_name)
        lines = [
            t("privacy.data_title"),
            t(
                "privacy.data_account",
                channel=t(f"privacy.channel.{contact.channel}"),
                name=name,
                since=contact.created_at.astimezone(zone).strftime("%d/%m/%Y"),
            ),
        ]
        if contact.consent_at is not None:
            lines.append(
                t(
                    "privacy.data_consent",
                    at=contact.consent_at.astimezone(zone).strftime("%d/%m/%Y %H:%M"),
                    version=contact.consent_version or "",
                )
            )
        else:
            lines.append(t("privacy.data_no_consent"))
        for case in await get_cases_of_contact(ctx.session, contact.id):
            created = case.created_at.astimezone(zone).strftime("%d/%m/%Y")
            lines.append(
                t(
                    "privacy.data_case",
                    ref=case.ref,
                    created=created,
                    fields=await _case_fields(ctx, case),
                )
            )
            extra = await _attached_rows(ctx, case.id)
            if extra:
                lines.append(t("privacy.data_case_extra", count=extra))
        draft = await get_draft(ctx.session, contact.id)
        if draft is not None:
            lines.append(t("privacy.data_draft", fields=_draft_fields(ctx, draft.data)))
        lines += await outreach_lines(ctx)
        threads = await ctx.session.scalar(
            select(func.count(Thread.id)).where(Thread.contact_id == contact.id))
        if threads:
            # The questions sent to officers, with their answers, go with a deletion too.
            lines.append(t("privacy.data_threads", count=int(threads)))
        messages = await ctx.session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.contact_id == contact.id)
        )
        lines.append(t("privacy.data_messages", count=int(messages or 0)))
        lines.append(t("privacy.data_footer"))
        # The data shown: no «Xem dữ liệu của tôi» under it (it is what the person reads).
        ctx.reply("\n".join(lines), _choices(besides=Action.DATA), intent="flow:privacy.view")

    async def _delete(self, ctx: Context) -> None:
        cases = [c for c in await get_cases_of_contact(ctx.session, ctx.contact.id)
                 if c.full_name is not None]
        result = await erase_contact_data(ctx.session, ctx.contact, ctx.now, cipher(ctx))
        await tell_officers_of_erasure(ctx, cases)
        ctx.leave(resume=False)  # the form or dossier it interrupted is gone with the data
        await ctx.session.flush()
        for sha256 in result.files:
            # Removed before the commit: a later failure of this turn would leave rows without
            # their file, which is the safe side for a deletion request.
            with contextlib.suppress(OSError, ValueError):
                ctx.files.path_for(sha256).unlink(missing_ok=True)
        ctx.reply(
            t("privacy.deleted", cases=result.cases) if result.cases else
            t("privacy.deleted_no_case"),
            main_menu_buttons(),
            intent="flow:privacy.deleted",
        )


def _action_of(folded: str) -> Action | None:
    for action in Action:
        if is_phrase(folded, folded_phrases(f"privacy.phrases.{action.value}")):
            return action
    return None


def _choices(besides: Action | None = None) -> list[list[Button]]:
    return [[Choose(a).button(t(f"privacy.button.{a.value}"))] for a in Action if a != besides]


def _next_step(case: Case) -> str:
    """What the person does next: for a case working abroad, its own wording where it differs
    (an approved dossier is handed in at the service centre, not "wait for an appointment")."""
    own = f"privacy.next_abroad.{case.status}"
    if case.kind == "abroad" and has(own):
        return t(own)
    return _label("privacy.next", case.status, "privacy.next_unknown")


def _label(prefix: str, status: str, fallback: str) -> str:
    key = f"{prefix}.{status}"
    return t(key) if has(key) else t(fallback)


async def _interest(ctx: Context, case: Case) -> str:
    if case.kind == "abroad":
        market = f"intake.option.market.{case.market}"
        return f"{t('intake.option.kind.abroad')}: {t(market) if has(market) else ''}"
    # The class as it is now (its day may have moved since the registration), not a copy.
    course = await ctx.session.get(Course, case.course_id) if case.course_id else None
    if course is None:
        name = t("intake.summary.next_class")
    elif course.status == CANCELLED:
        name = t("privacy.course_cancelled", occupation=course.occupation)
    else:
        name = t("privacy.course_when", occupation=course.occupation,
                 start=course.start_date.strftime("%d/%m/%Y"))
    return f"{t('intake.option.kind.course')}: {name}"


def _declines(text: str) -> bool:
    # "thôi để sau" got a "which topic?" about the steps of going abroad and the office hours.
    return is_phrase(text, folded_phrases("intake.words_answer.skip")) or is_phrases(
        text, folded_phrases("privacy.delete_keep_words"))


def _agrees(text: str) -> bool:
    # Or only a sign ("👍", "👌", "!!"): it was small talk ("Dạ. Anh/chị cần hỏi thêm…"), the
    # confirmation gone, and a person who meant yes read "Dạ." as done. Asked again instead.
    return is_phrase(text, folded_phrases("privacy.delete_agree_words")) or only_signs(text)


async def case_line(ctx: Context, case: Case) -> str:
    """One case as its owner sees it: reference, name, what for, status and next step, and the
    officer's latest update when there is one."""
    line = t(
        "privacy.case_line",
        ref=case.ref,
        name=case.full_name or "",
        interest=await _interest(ctx, case),
        status=_label("privacy.status", case.status, "privacy.status_unknown"),
        next=(t("privacy.next_class_cancelled", ref=case.ref)
              if await class_cancelled(ctx.session, case) else _next_step(case)),
    )
    latest = await latest_change_line(ctx, case)
    return f"{line}\n{latest}" if latest else line


async def _case_fields(ctx: Context, case: Case) -> str:
    unit = await ctx.session.get(Unit, case.unit_id) if case.unit_id else None
    box = cipher(ctx)
    pairs: list[tuple[str, Any]] = [
        ("full_name", case.full_name),
        ("dob", case.date_of_birth.strftime("%d/%m/%Y") if case.date_of_birth else None),
        ("gender", option_label("gender", case.gender)),
        ("phone", box.decrypt_opt(case.phone_enc)),
        ("citizen_id", box.decrypt_opt(case.citizen_id_enc)),
        ("commune", unit.name if unit else None),
        ("village", case.village),
        ("ethnicity", case.ethnicity),
        ("household", option_label("household", case.household_status)),
        ("kind", await _interest(ctx, case)),
        # "self" is not a relationship: shown only for a relative's case.
        ("relationship", None if case.relationship_to_registrant == "self"
         else option_label("relationship", case.relationship_to_registrant)),
    ]
    return "; ".join(f"{t(f'intake.field.{k}')}: {v}" for k, v in pairs if v)


def _draft_fields(ctx: Context, data: dict[str, Any]) -> str:
    box = cipher(ctx)
    pairs = [
        ("full_name", data.get("full_name")),
        ("dob", _dmy(data.get("dob"))),
        ("birth_year", data.get("birth_year")),  # said alone, the day not yet
        ("phone", box.decrypt_opt(data.get("phone_enc"))),
        ("citizen_id", box.decrypt_opt(data.get("citizen_id_enc") or None)),
        ("commune", data.get("unit_name")),
        ("village", data.get("village")),
        ("ethnicity", data.get("ethnicity")),
    ]
    return "; ".join(f"{t(f'intake.field.{k}')}: {v}" for k, v in pairs if v) or "—"


async def _attached_rows(ctx: Context, case_id: int) -> int:
    """Rows other features keep about the case (dossier pages, history, notices)."""
    total = 0
    for table, column in references_to(Base.metadata.tables["cases"]):
        count = await ctx.session.scalar(
            select(func.count()).select_from(table).where(column == case_id)
        )
        total += int(count or 0)
    return total


def _dmy(value: Any) -> str | None:
    return date.fromisoformat(value).strftime("%d/%m/%Y") if isinstance(value, str) else None
