"""The registration flow: entry points, buttons, and where typed text goes (flow name "intake";
an answer typed at a question: handlers/intake/typed.py)."""

from __future__ import annotations

from typing import Any

from handlers.access import get_officer
from handlers.callbacks import CallbackData
from handlers.context import AskedIn, Context
from handlers.flow import Flow
from handlers.intake.ahead import phone_corrected
from handlers.intake.answers import (
    CourseFullError,
    apply_choice,
    choose_course,
    names_no_citizen_id,
)
from handlers.intake.buttons import (
    Another,
    Back,
    Cancel,
    Choose,
    ClassPage,
    Confirm,
    Consent,
    Edit,
    Officer,
    OtherClass,
    Restart,
    Start,
    StartAbroad,
    StartCourse,
    Summary,
    ToMenu,
    Waitlist,
)
from handlers.intake.consent import answer_consent, ask_consent, has_valid_consent, typed_consent
from handlers.intake.drafts import FLOW, get_draft, is_expired, touch
from handlers.intake.faq_bridge import (
    answered_by_faq,
    asks_question,
    clearly_asks,
    offer_choices,
)
from handlers.intake.form_files import (
    confirm_with_files,
    keep_form_file,
)
from handlers.intake.form_words import keeps_going, leaves_or_goes_back, says_continue
from handlers.intake.introduced import fill_personal
from handlers.intake.navigation import (
    HANDOFF,
    RESUME_AFTER,
    advance,
    ask_again,
    ask_cancel,
    do_cancel,
    edit_field,
    expired_note,
    go_back,
    live_draft,
    new_form,
    not_understood,
    offer_resume,
    offer_waitlist,
    parse_step,
    pause,
    show_edit,
    show_step,
)
from handlers.intake.prefill import (
    FROM_TEXT,
    apply_preset,
    form_slots,
    prefilled_note,
    request_preset,
    same_family,
)
from handlers.intake.questions import (
    CHOICES,
    course_label,
    says_confirm,
    typed_button,
)
from handlers.intake.steps import QUESTIONS, Step, first_missing
from handlers.intake.typed import typed_answer
from handlers.intake.validators import InvalidAnswerError
from handlers.textnorm import (
    fold,
)
from handlers.types import Button, Inbound, InboundKind
from messages import t
from storage.cases_repo import is_full
from storage.models import Course, IntakeDraft


def my_cases_button(label: str) -> Button:
    from handlers.privacy import Action, Choose  # privacy imports the form's questions

    return Choose(Action.CASES).button(label)


class IntakeFlow(Flow):
    name = FLOW
    commands = ("dangky",)
    #: A photo is kept for the dossier, a sticker gets "trả lời bằng chữ" and the step.
    reads_non_text = True

    async def start(self, event: Inbound, ctx: Context) -> None:
        if event.command == "dangky" and ctx.has_flow("cases") and await get_officer(
            ctx.session, ctx.contact.id
        ):
            # For an officer /dangky is the list of registrations (handlers/casework.py).
            await ctx.start_flow(event, "cases")
            return
        if says_continue(event):
            draft, _ = await live_draft(ctx)
            if draft is not None:
                # "tiếp tục" has said it: the form goes on, not "làm tiếp không?" first.
                await show_step(ctx, draft)
                return
        if event.kind == InboundKind.TEXT and event.text.strip():
            # A trigger phrase is a request too: "đăng ký học nghề" has said what to register
            # for, "đăng ký cho con" for whom; the form does not ask it again.
            await self.start_action("", event, ctx, form_slots(event.text))
            return
        await self._enter(ctx, {})

    async def start_action(
        self, part: str, event: Inbound, ctx: Context, slots: dict[str, Any]
    ) -> None:
        """A request in free text: what it says fills the form (a form already open takes
        the new answers and goes on; otherwise a new one starts, after consent)."""
        preset = await request_preset(ctx, event.text, slots)
        draft, _ = await live_draft(ctx)
        if draft is not None and ctx.flow == self.name:
            filled = apply_preset(ctx, draft, preset)
            filled += await fill_personal(ctx, draft, event.text)
            await advance(ctx, draft, note=prefilled_note(filled))
            return
        await self._enter(ctx, preset)

    async def repeat(self, event: Inbound, ctx: Context) -> None:
        draft, _ = await live_draft(ctx)
        if ctx.step == Step.CONSENT.value or draft is None:
            await self._enter(ctx, dict(ctx.data.get("preset") or {}))
        elif ctx.step == Step.CANCEL.value:
            ask_cancel(ctx)
        else:
            await show_step(ctx, draft)

    def confirms(self, ctx: Context, text: str) -> bool:
        return ctx.step == Step.SUMMARY.value and says_confirm(text)

    async def cancel(self, event: Inbound, ctx: Context) -> None:
        draft, _ = await live_draft(ctx)
        if draft is None:
            await super().cancel(event, ctx)
        else:
            ask_cancel(ctx)

    async def asked_in(self, ctx: Context) -> AskedIn:
        """A question mid-form is about the class the form has chosen ("bao giờ học"), or the
        one the request named while consent is pending."""
        draft = await get_draft(ctx.session, ctx.contact.id) if ctx.contact.consent_at else None
        data = draft.data if draft is not None else dict(ctx.data.get("preset") or {})
        course_id = data.get("course_id") if data.get("kind") == "course" else None
        # 0 is "the next class" of the waiting list: no class yet.
        return AskedIn(self.name, course_id if isinstance(course_id, int) and course_id else None,
                       lists_classes=ctx.step == Step.COURSE.value)

    async def pending_note(self, ctx: Context) -> str | None:
        if ctx.contact.consent_at is None:
            # No consent, no draft (a draft holds personal data): most people who open the
            # menu never registered, and are spared the look-up.
            return None
        draft = await get_draft(ctx.session, ctx.contact.id)
        if draft is None or is_expired(draft, ctx.now, ctx.config.intake_expiry_days):
            return None
        return ctx.text("intake.menu_pending")

    # -- entry -------------------------------------------------------------------------------
    async def _enter(self, ctx: Context, preset: dict[str, Any]) -> None:
        draft, expired = await live_draft(ctx)
        if draft is not None:
            offer_resume(ctx, draft, preset)
            return
        note = expired_note(ctx) if expired else None
        if has_valid_consent(ctx.contact.consent_version):
            await new_form(ctx, preset, note=note)
            return
        ctx.enter("intake", Step.CONSENT.value, {"preset": preset})
        ask_consent(ctx, note)

    async def _enter_course(self, ctx: Context, course_id: int) -> None:
        course = await ctx.session.get(Course, course_id)
        if course is None:
            await self._enter(ctx, {"kind": "course"})
            return
        if await is_full(ctx.session, course):
            offer_waitlist(ctx, course.id, await course_label(ctx, course))
            return
        await self._enter(ctx, {"kind": "course", "course_id": course.id})

    # -- buttons -----------------------------------------------------------------------------
    async def on_callback(self, event: Inbound, ctx: Context, data: CallbackData) -> None:
        match data:
            case Start():
                await self._enter(ctx, {})
                return
            case Another():
                await self._enter(ctx, await same_family(ctx))
                return
            case StartAbroad(market=market):
                # A country no longer offered (an old button) is asked again, not refused.
                # The country came from the person's question: the form says it filled it.
                known = market is not None and market in CHOICES[Step.MARKET]
                await self._enter(ctx, {"kind": "abroad", **(
                    {"market": market, FROM_TEXT: True} if known else {})})
                return
            case StartCourse(course_id=None):
                await self._enter(ctx, {"kind": "course"})
                return
            case StartCourse(course_id=int(course_id)):
                await self._enter_course(ctx, course_id)
                return
            case Consent(answer="more"):
                if ctx.step == Step.CONSENT.value:
                    ask_consent(ctx, details=True)
                else:  # agreed or left meanwhile: where the form is
                    await self.repeat(event, ctx)
                return
            case Consent(answer=answer):
                await answer_consent(ctx, accepted=answer == "yes")
                return
            case ToMenu():
                ctx.leave()
                await ctx.start_flow(event, "menu")
                return
            case Officer():
                # As typing "gặp cán bộ": the form's place is kept and given back afterwards.
                await ctx.start_action(event, HANDOFF)
                return
        draft, expired = await live_draft(ctx)
        match data:
            case Waitlist(course_id=course_id):
                await self._waitlist(ctx, draft, course_id)
                return
            case OtherClass():
                if draft is None:
                    await self._enter(ctx, {"kind": "course"})
                else:
                    await advance(ctx, draft)
                return
            case ClassPage(page=page) if draft is not None:
                touch(draft, ctx.now, class_page=page)
                await show_step(ctx, draft)
                return
        if draft is None:
            self._no_form(ctx, expired)
            return
        await self._draft_button(event, ctx, draft, data)

    async def _draft_button(
        self, event: Inbound, ctx: Context, draft: IntakeDraft, data: CallbackData
    ) -> None:
        match data:
            case Choose(step=step, value=value):
                if step.value != draft.step:
                    await show_step(ctx, draft, note=t("intake.stale_button"))
                    return
                await self._answer(ctx, draft, lambda: apply_choice(ctx, draft, step, value))
            case Back():
                await go_back(ctx, draft)
            case Cancel(answer="yes"):
                await do_cancel(ctx, draft)
            case Cancel(answer="no"):
                await show_step(ctx, draft)
            case Cancel():
                ask_cancel(ctx)
            case Confirm() if first_missing(draft.data) is None:
                await confirm_with_files(event, ctx, draft)
            case Edit(step=Step() as step):
                await edit_field(ctx, draft, step)
            case Edit():
                show_edit(ctx, draft)
            case Summary():
                await advance(ctx, draft)
            case Restart():
                await new_form(ctx, dict(ctx.data.get("preset") or {}))
            case _:  # resume, or a button of a step gone by: show where the form is
                await show_step(ctx, draft)

    async def _waitlist(self, ctx: Context, draft: IntakeDraft | None, course_id: int) -> None:
        if draft is None:
            await self._enter(ctx, {"kind": "course", "course_id": course_id, "waitlist": True})
            return
        await self._answer(ctx, draft, lambda: choose_course(ctx, draft, course_id, waitlist=True))

    def _no_form(self, ctx: Context, expired: bool) -> None:
        ctx.leave()
        ctx.reply(
            expired_note(ctx) if expired else t("intake.no_form"),
            [
                [Start().button(t("intake.button.start"))],
                [my_cases_button(t("intake.button.my_cases"))],
                [ToMenu().button(t("intake.button.menu"))],
            ],
            intent="flow:intake.none",
        )

    async def _answer(self, ctx: Context, draft: IntakeDraft, apply: Any) -> None:
        """Apply an answer and move on; a refused one re-asks with its reason."""
        try:
            await apply()
        except CourseFullError as full:
            offer_waitlist(ctx, full.course.id, await course_label(ctx, full.course))
            return
        except InvalidAnswerError as exc:
            reason = ctx.text(f"intake.invalid.{exc.reason}", **exc.params)
            await show_step(ctx, draft, note=reason)
            return
        # Editing or not, the next place is the first empty field, else the summary (an edit
        # from abroad to course opens the class question, for instance).
        await advance(ctx, draft)

    # -- typed messages ----------------------------------------------------------------------
    async def on_message(self, event: Inbound, ctx: Context) -> None:
        draft, expired = await live_draft(ctx)
        if ctx.step == Step.CONSENT.value or draft is None:
            await self._outside_form(event, ctx, expired)
            return
        step = parse_step(draft.step)
        if event.kind in (InboundKind.PHOTO, InboundKind.DOCUMENT) and event.file is not None:
            if await keep_form_file(ctx, event.file, draft):
                await self.repeat(event, ctx)
            return
        if event.kind not in (InboundKind.TEXT, InboundKind.BUTTON):
            await show_step(ctx, draft, note=t("intake.text_only"))
            return
        if await leaves_or_goes_back(ctx, draft, step, event.text):
            return
        folded = fold(event.text)
        other = ctx.claiming_flow(folded, besides=self.name)
        if other is not None:
            # "xem dữ liệu của tôi" mid-form: that flow takes over, the form waits.
            pause(ctx)
            await ctx.start_flow(event, other)
            return
        if await keeps_going(ctx, draft, step, event):
            return
        if self.claims(folded) or self._returning(ctx):
            faq = (await answered_by_faq(event, ctx, question=clearly_asks(event.text))
                   if asks_question(event.text) else None)
            offer_resume(ctx, draft)
            offer_choices(ctx, faq)
            return
        if (pressed := typed_button(ctx, draft, event.text)) is not None:
            # "đúng rồi", "sửa", then "số điện thoại": the summary's and the edit list's
            # options typed.
            await self.on_callback(event, ctx, pressed)
            return
        if (ctx.step == Step.SUMMARY.value and not draft.data.get("citizen_id_enc")
                and names_no_citizen_id(event.text)):
            # "chưa có căn cước" on the summary got "not the bot's business": it is optional,
            # and left blank already.
            await show_step(ctx, draft, note=ctx.text("intake.citizen_id_optional"))
            return
        if ctx.step == Step.SUMMARY.value and (
                note := phone_corrected(ctx, draft, event.text)) is not None:
            await show_step(ctx, draft, note=note)
            return
        if ctx.step != draft.step or step not in QUESTIONS:
            # On the summary, the edit list, a confirmation: only the buttons are answers.
            faq = await answered_by_faq(event, ctx, question=clearly_asks(event.text))
            note = None if faq else ctx.text("intake.choose_option")
            course_id = ctx.data.get("course_id")
            if ctx.step == Step.COURSE_FULL.value and isinstance(course_id, int):
                course = await ctx.session.get(Course, course_id)
                if course is not None:
                    offer_waitlist(ctx, course.id, await course_label(ctx, course), note=note)
                    offer_choices(ctx, faq)
                    return
            if faq is None:
                await not_understood(ctx, draft, note)
            else:
                await ask_again(ctx, draft)
                offer_choices(ctx, faq)
            return
        await typed_answer(event, ctx, draft, step)

    async def _outside_form(self, event: Inbound, ctx: Context, expired: bool) -> None:
        """Text while no form is open (consent question pending, or the form expired)."""
        if ctx.step == Step.CONSENT.value and not expired:
            if await typed_consent(ctx, event):
                return
            # A question before agreeing is answered, and the consent question shown again.
            faq = await answered_by_faq(event, ctx, question=clearly_asks(event.text))
            if faq is None:
                # Neither an answer nor a question (a name typed ahead, a stray letter): said
                # so, as for signs alone; the whole text again without a word read as ignored.
                ask_consent(ctx, t("intake.consent_unclear"))
                return
            await self._enter(ctx, dict(ctx.data.get("preset") or {}))
            offer_choices(ctx, faq)
            return
        ctx.leave()
        if expired:
            self._no_form(ctx, expired)
            return
        await ctx.dispatch(event)

    def _returning(self, ctx: Context) -> bool:
        """Back after a long pause, or after another screen (the menu) spoke last."""
        if ctx.now - ctx.state.updated_at >= RESUME_AFTER:
            return True
        last = ctx.state.last_buttons
        return bool(last) and not any(str(b[0]).startswith("intake:") for b in last)
