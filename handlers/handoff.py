"""Hand-off to a person: the user's question opens a thread with the officers of their commune.

Steps: ``commune`` (only when the bot does not know the person's commune) → ``ask`` (waiting for
the question) → ``thread`` (every text the person sends reaches the officers, the one who
answered first once there is one, until the thread is closed). Escapes: the cancel button,
«Kết thúc trao đổi», or "menu" (handled by the router before the flow sees the message; the
thread stays open and the officer's answer still reaches the person).
The officers' side is handlers/threads.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from handlers.callbacks import CallbackData
from handlers.context import PAUSED, Context
from handlers.flow import Flow
from handlers.intake.drafts import get_draft
from handlers.intake.prefill import fill_commune
from handlers.intake.questions import current_units, named_unit
from handlers.intake.validators import InvalidAnswerError, match_unit
from handlers.menu import main_menu_buttons
from handlers.notices import record_notice
from handlers.offers import offer_buttons
from handlers.person_thread import (
    QUESTION_MAX,
    follow_up,
    just_sent,
    person_name,
    start_thread,
)
from handlers.textnorm import fold, folded_phrases, is_phrase, option_number
from handlers.types import Button, Inbound, InboundKind
from handlers.understanding.decision import Decision
from handlers.understanding.matcher import get_matcher
from messages import t
from storage.course_repo import find_contact_unit_id
from storage.models import Case, Thread, Unit
from storage.outreach_repo import get_subscription
from storage.threads_repo import (
    close_thread,
    get_open_thread,
)

#: A request naming the commune with more words than this besides is also the question
#: ("cho tôi gặp cán bộ xã Yên Phú, hỏi lớp may bao giờ khai giảng").
REQUEST_WORDS = 7
FLOW = "handoff"
#: The slot of ``start_action`` holding the question to send (own_cases: an edit request).
QUESTION = "question"
#: Requests understood in a conversation with an officer that are for the bot, not relayed.
TO_THE_BOT = frozenset({"privacy.delete", "privacy.view"})


class Step(StrEnum):
    COMMUNE = "commune"
    ASK = "ask"
    THREAD = "thread"


@dataclass(frozen=True)
class Start(CallbackData, prefix="handoff:start"):
    """«Gặp cán bộ» offered under an answer."""


@dataclass(frozen=True)
class Cancel(CallbackData, prefix="handoff:cancel"):
    pass


@dataclass(frozen=True)
class PickUnit(CallbackData, prefix="handoff:unit"):
    """The person's commune; 0: they do not know it."""

    unit_id: int


@dataclass(frozen=True)
class ReplyToThread(CallbackData, prefix="handoff:reply"):
    """Under an officer's answer: write back in that thread."""

    thread_id: int


@dataclass(frozen=True)
class EndThread(CallbackData, prefix="handoff:end"):
    thread_id: int


def _cancel_row() -> list[Button]:
    return [Cancel().button(t("handoff.cancel"))]


async def _commune_rows(ctx: Context) -> list[list[Button]]:
    rows = [[PickUnit(u.id).button(u.name)] for u in await current_units(ctx)]
    rows.append([PickUnit(0).button(t("thread.commune_unknown"))])
    return [*rows, _cancel_row()]


def _thread_buttons(thread_id: int) -> list[list[Button]]:
    return [[EndThread(thread_id).button(t("thread.button_end"))]]


class HandoffFlow(Flow):
    name = FLOW
    #: A voice note gets "gõ câu hỏi" (at the commune question, the list again).
    reads_non_text = True

    async def start(self, event: Inbound, ctx: Context) -> None:
        await self.begin(ctx)

    async def start_action(
        self, part: str, event: Inbound, ctx: Context, slots: dict[str, Any]
    ) -> None:
        """A request that names the commune is not asked it; with a question in it, the
        question is sent (asked for the commune, the person then saw it lost). ``slots``
        may carry the ``QUESTION`` itself (a request the bot cannot do, for an officer: "sửa
        số điện thoại đã đăng ký"): sent at once when the commune is known."""
        question = slots.get(QUESTION)
        if isinstance(question, str) and question.strip() and (
                await get_open_thread(ctx.session, ctx.contact.id) is None):
            unit_id = await _unit_of(ctx)
            if unit_id is not None:
                _enter(ctx, Step.ASK, {"unit_id": unit_id})
                await self._open(ctx, question.strip()[:QUESTION_MAX], unit_id)
                return
        text = event.text.strip() if event.kind == InboundKind.TEXT else ""
        named = await named_unit(ctx, text) if 0 < len(text) <= QUESTION_MAX else None
        if named is None or await get_open_thread(ctx.session, ctx.contact.id) is not None:
            await self.begin(ctx)
            return
        extra = len(text.split()) - len(named.name_key.split())
        _enter(ctx, Step.COMMUNE, {})
        await self._commune_chosen(ctx, named, text if extra > REQUEST_WORDS else "")

    async def begin(self, ctx: Context, *, intent: str | None = None, **meta: Any) -> None:
        """Resume the open thread, or ask for the commune (when unknown) or the question;
        ``intent`` lets the FAQ report ``faq:general.human``."""
        thread = await get_open_thread(ctx.session, ctx.contact.id)
        if thread is not None:
            ctx.enter(self.name, Step.THREAD, {"thread_id": thread.id})
            ctx.reply(t("thread.resumed"), _thread_buttons(thread.id),
                      intent=intent or f"flow:{self.name}.{Step.THREAD}", **meta)
            return
        unit_id = await _unit_of(ctx)
        if unit_id is None:
            _enter(ctx, Step.COMMUNE, {})
            ctx.reply(t("thread.ask_commune"), await _commune_rows(ctx),
                      intent=intent or f"flow:{self.name}.{Step.COMMUNE}", **meta)
            return
        self._ask(ctx, unit_id, intent=intent, **meta)

    def _ask(self, ctx: Context, unit_id: int | None, *, intent: str | None = None,
             **meta: Any) -> None:
        _enter(ctx, Step.ASK, {"unit_id": unit_id})
        ctx.reply(t("handoff.ask"), [_cancel_row()],
                  intent=intent or f"flow:{self.name}.{Step.ASK}", **meta)

    async def _open(self, ctx: Context, question: str, unit_id: int | None) -> None:
        thread = await start_thread(ctx, question, unit_id)
        if ctx.data.get(PAUSED):
            # Asked from the middle of a form or a dossier: the question goes to the officer and
            # the person goes back to their place; the officer's answer brings «Trả lời».
            ctx.reply(t("handoff.done"), intent=f"flow:{self.name}.done", thread_id=thread.id)
            ctx.leave()
            return
        ctx.enter(self.name, Step.THREAD, {"thread_id": thread.id})
        ctx.reply(f"{t('handoff.done')}\n{t('thread.opened_more')}", _thread_buttons(thread.id),
                  intent=f"flow:{self.name}.done", thread_id=thread.id)

    async def repeat(self, event: Inbound, ctx: Context) -> None:
        await self.begin(ctx)

    async def cancel(self, event: Inbound, ctx: Context) -> None:
        # From the middle of a form the form's question follows: no menu between (two numbered
        # lists in a row on Zalo).
        paused = bool(ctx.data.get(PAUSED))
        # In a conversation already sent, nothing is unsent: the thread stays open for the
        # officer's answer ("chưa gửi gì" would be false).
        key = "thread.left_open" if ctx.step == Step.THREAD else "handoff.cancelled"
        ctx.leave()
        ctx.reply(t(key), [] if paused else main_menu_buttons(),
                  intent=f"flow:{self.name}.cancelled")

    async def _for_the_bot(self, event: Inbound, ctx: Context, text: str) -> Decision | None:
        """A request to the bot itself, not to the officer ("xóa dữ liệu của tôi"), is started
        and None returned; else the matcher's decision on ``text``. Said in other words ("xóa
        hết dữ liệu") it was relayed to the officer and nothing was deleted; the thread comes
        back after «Không xóa»."""
        other = ctx.claiming_flow(fold(text), besides=self.name)
        if other is not None:
            ctx.leave()
            await ctx.start_flow(event, other)
            return None
        decision = get_matcher().decide(text)
        if decision.outcome == "action" and decision.action in TO_THE_BOT:
            await ctx.start_action(event, str(decision.action))
            return None
        return decision

    async def _before_commune(self, event: Inbound, ctx: Context, text: str) -> None:
        """Text at "which commune?" that names none. A question is kept for the officer (added
        to what was kept before, and said so), and the commune asked again: each message
        replaced the one before without a word, so "thui cam on nha" went to the officer in
        place of the question. A bare number, thanks, or "gặp cán bộ" again is no question (a
        "8" meant for the list was sent in place of it); "quay lại" goes back; a request to
        the bot itself starts it."""
        if fold(text).strip(" .!") in folded_phrases("handoff.leave_words"):
            await self.cancel(event, ctx)
            return
        decision = await self._for_the_bot(event, ctx, text)
        if decision is None:
            return
        asked = t("thread.ask_commune")
        if option_number(text) is None and decision.outcome != "smalltalk" and not (
            decision.outcome == "action" and decision.action == self.name
        ):
            kept = str(ctx.data.get("question", ""))
            ctx.update(question=(f"{kept}\n{text}" if kept else text)[:QUESTION_MAX])
            asked = f"{t('handoff.question_kept')}\n{asked}"
        ctx.reply(asked, await _commune_rows(ctx), intent=f"flow:{self.name}.{Step.COMMUNE}")

    async def _commune_chosen(self, ctx: Context, unit: Unit | None, question: str = "") -> None:
        """The commune (None: not known), then the question: asked for, or sent when it came
        already (typed before the commune, or with it)."""
        paused = ctx.data.get(PAUSED)
        if unit is not None and isinstance(paused, dict):
            # Chosen in the middle of the form: the form does not ask it again.
            ctx.update(**{PAUSED: await fill_commune(ctx, paused, unit.id, unit.name)})
        known = unit.id if unit is not None else None
        pending = question or str(ctx.data.get("question", ""))
        if pending:
            # The question came before the commune: send it now, not asked again.
            await self._open(ctx, pending, known)
        else:
            self._ask(ctx, known)

    def reads_text(self, ctx: Context, folded_text: str) -> bool:
        # The text is the question (or a follow-up) for the officer: nothing else reads it.
        return ctx.step in (Step.COMMUNE, Step.ASK, Step.THREAD)

    async def on_callback(self, event: Inbound, ctx: Context, data: CallbackData) -> None:
        match data:
            case Cancel():
                await self.cancel(event, ctx)
            case PickUnit(unit_id=unit_id) if ctx.step == Step.COMMUNE:
                unit = await ctx.session.get(Unit, unit_id) if unit_id else None
                await self._commune_chosen(ctx, unit)
            case ReplyToThread(thread_id=thread_id) | EndThread(thread_id=thread_id):
                thread = await ctx.session.get(Thread, thread_id)
                if thread is None or thread.contact_id != ctx.contact.id or thread.status != "open":
                    await self.begin(ctx)
                elif isinstance(data, ReplyToThread):
                    ctx.enter(self.name, Step.THREAD, {"thread_id": thread.id})
                    ctx.reply(t("thread.resumed"), _thread_buttons(thread.id),
                              intent=f"flow:{self.name}.{Step.THREAD}")
                else:
                    await _end_by_person(ctx, thread)
            case _:
                await self.begin(ctx)

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        text = event.text.strip() if event.kind == InboundKind.TEXT else ""
        if ctx.step not in (Step.COMMUNE, Step.ASK, Step.THREAD):
            await self.begin(ctx)
            return
        if not text:
            if ctx.step == Step.COMMUNE:
                # A voice note while the commune is asked: the list again, not "type your
                # question" with nothing to choose from.
                ctx.reply(t("handoff.commune_text_only"), intent=f"flow:{self.name}.{Step.COMMUNE}")
                ctx.reply(t("thread.ask_commune"), await _commune_rows(ctx),
                          intent=f"flow:{self.name}.{Step.COMMUNE}")
                return
            ctx.reply(t("handoff.ask_text_only"), intent=f"flow:{self.name}.{ctx.step}")
            return
        if len(text) > QUESTION_MAX:
            # Refused whole, not cut: the officer would read half of it as all of it.
            ctx.reply(t("handoff.too_long", length=len(text), limit=QUESTION_MAX),
                      intent=f"flow:{self.name}.{ctx.step}")
            return
        if ctx.step in (Step.COMMUNE, Step.ASK) and ctx.data.get(PAUSED) and fold(
            text
        ).strip(" .!") in folded_phrases("handoff.back_to_form"):
            # "tiếp tục đăng ký", "quay lại": «Gặp cán bộ» was pressed by mistake; nothing is
            # sent to the officer and the form asks its question again (at the commune step
            # "quay lại" was kept as the question, and the commune asked again).
            await self.cancel(event, ctx)
            return
        if ctx.step == Step.COMMUNE:
            # The commune typed ("xa phu luu"), alone or with the question ("em o phu luu,
            # muon hoi ..."): taken, the question sent.
            units = await current_units(ctx)
            try:
                typed = match_unit(text, units)
                alone: Unit | None = next(u for u in units if u.id == typed.id)
            except InvalidAnswerError:
                alone = None
            if is_phrase(text, folded_phrases("handoff.commune_unknown_words")):
                # "ko biet": the commune is not known (it was kept as the question, and the
                # office read «ko biet» before the real question).
                await self._commune_chosen(ctx, None)
                return
            named = alone or await named_unit(ctx, text)
            if named is not None:
                # "em o xa phu luu" is the commune only; a few more words make the question.
                short = len(text.split()) - len(named.name_key.split()) <= 3
                question = "" if alone or short else text[:QUESTION_MAX]
                await self._commune_chosen(ctx, named, question)
                return
            await self._before_commune(event, ctx, text)
            return
        if ctx.step == Step.ASK:
            await self._open(ctx, text, ctx.data.get("unit_id"))
            return
        decision = await self._for_the_bot(event, ctx, text)
        if decision is None:
            return
        thread = await ctx.session.get(Thread, int(ctx.data.get("thread_id", 0)))
        if thread is None or thread.status != "open" or thread.contact_id != ctx.contact.id:
            # Closed by the officer meanwhile: this is a new question.
            await self._open(ctx, text, await _unit_of(ctx))
            return
        if await just_sent(ctx, thread, text):
            # The same message again within minutes (no answer yet, "did it go?"): the
            # officers got it; three taps sent them three notices.
            ctx.reply(t("thread.followup_repeated"),
                      None if ctx.data.get(PAUSED) else _thread_buttons(thread.id),
                      intent=f"flow:{self.name}.{Step.THREAD}", thread_id=thread.id)
            if ctx.data.get(PAUSED):
                ctx.leave()
            return
        await follow_up(ctx, thread, text)
        if ctx.data.get(PAUSED):
            ctx.reply(t("thread.followup_sent"), intent=f"flow:{self.name}.{Step.THREAD}",
                      thread_id=thread.id)
            ctx.leave()  # back to the interrupted form or dossier
            return
        # "đăng ký cho con trai em luôn" after the officer said to register through the bot: it
        # reaches the officer (it may be meant for them), and the registration is one tap away.
        offers = (offer_buttons((decision.action,)) if decision.outcome == "action"
                  and decision.action not in (None, self.name) else [])
        ctx.reply(t("thread.followup_sent_offer", offer=offers[0].label) if offers
                  else t("thread.followup_sent"),
                  [[b] for b in offers] + _thread_buttons(thread.id),
                  intent=f"flow:{self.name}.{Step.THREAD}", thread_id=thread.id)


def _enter(ctx: Context, step: Step, data: dict[str, Any]) -> None:
    """Go to ``step`` keeping the place of a flow this hand-off interrupted (see Router)."""
    paused = ctx.data.get(PAUSED) if ctx.flow == HandoffFlow.name else None
    ctx.enter(HandoffFlow.name, step, {**data, PAUSED: paused} if paused else data)


async def _unit_of(ctx: Context) -> int | None:
    """The person's commune: their latest case's, else the one their unfinished registration
    already has, else their subscription's (not asked twice: a subscriber of Yên Phú was)."""
    unit_id = await find_contact_unit_id(ctx.session, ctx.contact.id)
    if unit_id is None:
        draft = await get_draft(ctx.session, ctx.contact.id)
        typed = draft.data.get("unit_id") if draft is not None else None
        unit_id = typed if isinstance(typed, int) else None
    if unit_id is None:
        subscription = await get_subscription(ctx.session, ctx.contact.id)
        unit_id = subscription.unit_id if subscription is not None else None
    return unit_id


async def _end_by_person(ctx: Context, thread: Thread) -> None:
    close_thread(thread, ctx.now)
    case = await ctx.session.get(Case, thread.case_id) if thread.case_id else None
    await record_notice(
        ctx.session,
        kind="handoff_closed",
        text_key="thread.notice_closed_by_person",
        now=ctx.now,
        unit_id=thread.unit_id,
        contact_id=ctx.contact.id,
        params={"thread_id": thread.id, "name": person_name(ctx, case)},
    )
    ctx.leave()
    ctx.reply(t("thread.ended_person"), main_menu_buttons(), intent=f"flow:{FLOW}.ended")
