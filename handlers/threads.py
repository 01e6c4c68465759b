"""The officers' side of a person's question: answer (button «Trả lời», or on Telegram a reply
to the notice message), open the person's case, close the thread; ``/tenhienthi`` sets the name
people see under an answer. Every action checks the officer's scope again (handlers/access.py).
The person's side is handlers/handoff.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from handlers.access import can_see_thread, get_officer
from handlers.callbacks import BadCallback, CallbackData, parse
from handlers.context import Context
from handlers.flow import Flow
from handlers.handoff import ReplyToThread
from handlers.menu import Home
from handlers.officials.guard import refuse
from handlers.textnorm import fold, folded_phrases
from handlers.types import Button, Inbound, InboundKind, Reply
from messages import t
from storage.models import (
    Case,
    Contact,
    Notice,
    Officer,
    OutboxMessage,
    Thread,
    ThreadMessage,
    Unit,
)
from storage.repositories import someone_elses_state
from storage.threads_repo import add_officer_answer, close_thread, reopen_thread

FLOW = "thread"
#: An answer longer than this is cut (one message on every channel).
ANSWER_MAX = 1500
#: ``/cauhoi`` lists this many open questions (a phone screen), the waiting ones first.
QUESTIONS_SHOWN = 5
#: A question in that list is cut to this many characters.
QUESTION_SHOWN_MAX = 80


@dataclass(frozen=True)
class Cancel(CallbackData, prefix="thread:cancel"):
    pass


@dataclass(frozen=True)
class Answer(CallbackData, prefix="thread:answer"):
    thread_id: int


@dataclass(frozen=True)
class SendTyped(CallbackData, prefix="thread:send"):
    """Send the text the officer typed right after a question's notice as its answer."""

    thread_id: int


@dataclass(frozen=True)
class OpenThreadCase(CallbackData, prefix="thread:case"):
    """The case of the person who asked, in the case list (handlers/casework.py)."""

    thread_id: int


@dataclass(frozen=True)
class OpenQuestions(CallbackData, prefix="thread:questions"):
    """The open questions (what ``/cauhoi`` lists)."""


@dataclass(frozen=True)
class CloseThread(CallbackData, prefix="thread:close"):
    thread_id: int
    #: Closed though the person's latest message has no answer (asked first).
    unanswered: bool = False


def _cancel_row() -> list[Button]:
    return [Cancel().button(t("thread.cancel"))]


class ThreadFlow(Flow):
    name = FLOW
    for_officers = True
    commands = ("tenhienthi", "cauhoi")
    #: The answer awaited must be words ("thread.answer_text_only"); elsewhere it steps out.
    reads_non_text = True

    async def start(self, event: Inbound, ctx: Context) -> None:
        if event.command == "cauhoi":
            await list_open_questions(ctx)
            return
        await set_public_name(event, ctx)

    async def repeat(self, event: Inbound, ctx: Context) -> None:
        """After «giúp» while an answer is awaited: ask for the answer again (by default the
        flow's start, /tenhienthi, answered about display names)."""
        found = await _thread_in_scope(ctx, ctx.data.get("thread_id"))
        if ctx.step != "answer" or found is None:
            ctx.leave()
            return
        thread, _ = found
        self._ask_answer(ctx, thread, await _name(ctx, thread))

    def _ask_answer(self, ctx: Context, thread: Thread, name: str) -> None:
        ctx.enter(FLOW, "answer", {"thread_id": thread.id})
        ctx.reply(
            t("thread.type_answer", name=name, thread_id=thread.id),
            [_cancel_row()],
            intent=f"flow:{FLOW}.answer",
        ).about = thread.contact_id

    async def on_callback(self, event: Inbound, ctx: Context, data: CallbackData) -> None:
        if isinstance(data, OpenQuestions):
            await list_open_questions(ctx)
            return
        if not isinstance(data, Answer | OpenThreadCase | CloseThread | SendTyped):
            ctx.leave()
            ctx.reply(t("thread.cancelled"), intent=f"flow:{FLOW}.cancelled")
            return
        found = await _thread_in_scope(ctx, data.thread_id)
        if found is None:
            return
        thread, _ = found
        match data:
            case Answer():
                # A closed thread may still be answered (it opens again): a person who
                # tapped «Kết thúc trao đổi» before any answer had their question lost.
                self._ask_answer(ctx, thread, await _name(ctx, thread))
            case OpenThreadCase():
                if thread.case_id is None:
                    ctx.reply(t("thread.no_case"), intent=f"flow:{FLOW}.case")
                    return
                from handlers.casework import OpenCase  # casework reaches threads' notices

                await ctx.press(event, OpenCase(thread.case_id))
            case CloseThread(unanswered=unanswered):
                if thread.waiting_since is not None and not unanswered:
                    # One tap on «Đóng» under a notice ended a conversation whose question was
                    # never answered: said first.
                    ctx.reply(t("thread.close_unanswered", thread_id=thread.id),
                              [[Answer(thread.id).button(
                                  t("thread.button_answer_n", thread_id=thread.id))],
                               [CloseThread(thread.id, True).button(
                                   t("thread.button_close_anyway"))]],
                              intent=f"flow:{FLOW}.close_unanswered")
                    return
                await _close(ctx, thread)
            case SendTyped():
                offered = ctx.data.get("threads") or [ctx.data.get("thread_id")]
                same = ctx.step == "confirm" and thread.id in offered
                typed = ctx.data.get("text") if same else None
                ctx.leave()
                if not isinstance(typed, str) or not typed:
                    ctx.reply(t("thread.cancelled"), intent=f"flow:{FLOW}.cancelled")
                    return
                await relay_answer(ctx, thread, found[1], typed)

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        if ctx.step != "answer":
            ctx.leave()
            await ctx.dispatch(event)
            return
        found = await _thread_in_scope(ctx, ctx.data.get("thread_id"))
        if found is None:
            ctx.leave()
            return
        thread, officer = found
        text = event.text.strip() if event.kind == InboundKind.TEXT else ""
        if not text:
            ctx.reply(t("thread.answer_text_only"), [_cancel_row()],
                      intent=f"flow:{FLOW}.answer")
            return
        if len(text) > ANSWER_MAX:
            _too_long(ctx, text)
            return
        newer = _thread_offered(ctx.state.last_buttons)
        if newer is not None and newer != thread.id:
            # Another question's notice came after «Trả lời» was chosen: the text may well
            # answer it (an answer for Anh B, about his loan, went to Chị A). Asked whom.
            other = await ctx.session.get(Thread, newer)
            if other is not None and can_see_thread(officer, other):
                await self._ask_whom(ctx, thread, other, text)
                return
        ctx.leave()
        await relay_answer(ctx, thread, officer, text)

    async def _ask_whom(self, ctx: Context, chosen: Thread, newer: Thread, text: str) -> None:
        ctx.enter(FLOW, "confirm", {"thread_id": chosen.id, "threads": [chosen.id, newer.id],
                                    "text": text})
        rows = [[SendTyped(th.id).button(t("thread.button_send_to", name=await _name(ctx, th),
                                            thread_id=th.id))] for th in (chosen, newer)]
        ctx.reply(t("thread.which_thread", chosen=chosen.id, newer=newer.id),
                  [*rows, _cancel_row()], intent=f"flow:{FLOW}.confirm")

    async def on_reply(self, event: Inbound, ctx: Context) -> bool:
        """A reply (Telegram) to a notice message of a thread answers that thread."""
        if event.kind != InboundKind.TEXT or not event.text.strip():
            return False
        # Through the notice the message was made from: a delivered outbox row keeps no body.
        params = await ctx.session.scalar(
            select(Notice.params)
            .join(OutboxMessage, OutboxMessage.notice_id == Notice.id)
            .where(
                OutboxMessage.channel == event.channel.value,
                OutboxMessage.chat_id == event.reply_to,
                OutboxMessage.platform_message_id == event.reply_to_message_id,
            )
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )
        thread_id = (params or {}).get("thread_id")
        if thread_id is None:
            return False
        found = await _thread_in_scope(ctx, thread_id)
        if found is None:
            return True
        thread, officer = found
        if len(event.text.strip()) > ANSWER_MAX:
            # Nothing is sent: the officer shortens it and answers again.
            _too_long(ctx, event.text.strip())
            return True
        if ctx.flow == FLOW:
            ctx.leave()
        await relay_answer(ctx, thread, officer, event.text.strip())
        return True


async def offer_as_answer(event: Inbound, ctx: Context) -> bool:
    """An officer typed text right after a question's notice, without «Trả lời» first (on
    Zalo there is no reply-to): it went to the FAQ and the person never got it, and the
    officer's "1" then picked a class. Asked once whether to send it as the answer."""
    text = event.text.strip() if event.kind == InboundKind.TEXT else ""
    thread_id = _thread_offered(ctx.state.last_buttons)
    if len(text.split()) < 2 or thread_id is None:
        return False
    if await get_officer(ctx.session, ctx.contact.id) is None:
        return False
    found = await _thread_in_scope(ctx, thread_id)
    if found is None:
        return True
    thread, _ = found
    if len(text) > ANSWER_MAX:
        _too_long(ctx, text)
        return True
    ctx.enter(FLOW, "confirm", {"thread_id": thread.id, "text": text})
    ctx.reply(
        t("thread.confirm_typed", name=await _name(ctx, thread), thread_id=thread.id),
        [[SendTyped(thread.id).button(t("thread.button_send_typed"))], _cancel_row()],
        intent=f"flow:{FLOW}.confirm",
    ).about = thread.contact_id
    return True


def _thread_offered(last_buttons: list[object]) -> int | None:
    """The thread whose «Trả lời» or «Đóng» the latest options were (a question's notice, a
    follow-up's, "answer sent"), if they were."""
    first = last_buttons[0] if last_buttons else None
    if not isinstance(first, list) or not first:
        return None
    try:
        data = parse(str(first[0]))
    except BadCallback:
        return None
    return data.thread_id if isinstance(data, Answer | CloseThread) else None


def _too_long(ctx: Context, text: str) -> None:
    """An answer over one message is refused whole, not cut: the officer was told "sent"
    while the person got half of it."""
    ctx.reply(t("thread.answer_too_long", length=len(text), limit=ANSWER_MAX),
              [_cancel_row()] if ctx.flow == FLOW else None, intent=f"flow:{FLOW}.answer")


async def _thread_in_scope(ctx: Context, thread_id: object) -> tuple[Thread, Officer] | None:
    """The thread if the sender is an officer who may see it; otherwise a refusal, None."""
    officer = await get_officer(ctx.session, ctx.contact.id)
    if officer is None:
        refuse(ctx, "not_officer")
        return None
    thread = (
        await ctx.session.get(Thread, thread_id)
        if isinstance(thread_id, int) and 0 < thread_id < 2**31 else None
    )
    if thread is None:
        ctx.reply(t("thread.gone"), intent=f"flow:{FLOW}.gone")
        return None
    if not can_see_thread(officer, thread):
        refuse(ctx, "out_of_scope")
        return None
    return thread, officer


async def _name(ctx: Context, thread: Thread) -> str:
    case = await ctx.session.get(Case, thread.case_id) if thread.case_id else None
    if case is not None and case.full_name:
        return case.full_name
    person = await ctx.session.get(Contact, thread.contact_id)
    return (person.display_name if person else "") or t("handoff.anonymous")


async def signature(ctx: Context, officer: Officer) -> str:
    """How the answer is marked: from the commune officer (or the office), with the name the
    officer chose, if any."""
    unit = await ctx.session.get(Unit, officer.unit_id) if officer.unit_id else None
    name = officer.public_name
    if unit is not None:
        key = "thread.who_commune_named" if name else "thread.who_commune"
        return t(key, unit=unit.name, name=name or "")
    key = "thread.who_office_named" if name else "thread.who_office"
    return t(key, name=name or "")


async def relay_answer(ctx: Context, thread: Thread, officer: Officer, text: str) -> None:
    """Send the officer's answer to the person (at once: quiet hours are for the bot's own
    messages, not for an officer answering) and put them back in the thread."""
    text = text[:ANSWER_MAX]
    person, state = await someone_elses_state(ctx.session, thread.contact_id)
    if person is None:
        ctx.reply(t("thread.gone"), intent=f"flow:{FLOW}.gone")
        return
    reopen_thread(thread)
    add_officer_answer(ctx.session, thread, officer.id, text, ctx.now)
    busy = state is not None and state.flow not in (None, "handoff")
    answer = t("thread.answer", who=await signature(ctx, officer), text=text)
    reply = Reply(
        # Busy with a form or a dossier, their next text goes there, not to the officer: say
        # how to answer (seen in the user trial: a mother's follow-up got an FAQ answer).
        f"{answer}\n\n{t('thread.answer_busy')}" if busy else answer,
        [
            [ReplyToThread(thread.id).button(t("thread.button_reply"))],
            [Home().button(t("thread.button_menu"))],
        ],
        meta={"intent": "flow:handoff.answer", "thread_id": thread.id},
    )
    ctx.tell(person, reply)
    # The person's next text goes to the officer, unless they are busy with something else.
    if state is not None and not busy:
        state.flow, state.step, state.data = "handoff", "thread", {"thread_id": thread.id}
    name = await _name(ctx, thread)
    ctx.reply(
        t("thread.answer_sent", name=name, thread_id=thread.id),
        [[CloseThread(thread.id).button(t("thread.button_close"))]],
        intent=f"flow:{FLOW}.answered",
        thread_id=thread.id,
    ).about = person.id


async def _close(ctx: Context, thread: Thread) -> None:
    if thread.status != "open":
        ctx.reply(t("thread.already_closed", thread_id=thread.id), intent=f"flow:{FLOW}.closed")
        return
    close_thread(thread, ctx.now)
    person, state = await someone_elses_state(ctx.session, thread.contact_id)
    if person is not None:
        ctx.tell(
            person,
            Reply(t("thread.closed_person"), [[Home().button(t("thread.button_menu"))]],
                  meta={"intent": "flow:handoff.closed", "thread_id": thread.id}),
        )
        if state is not None and state.flow == "handoff":
            state.flow, state.step, state.data = None, None, {}
    ctx.reply(t("thread.closed", thread_id=thread.id), intent=f"flow:{FLOW}.closed")


async def open_questions(ctx: Context, officer: Officer) -> list[Thread]:
    """The people's open questions ``officer`` may answer, those waiting for an answer first."""
    rows = await ctx.session.scalars(
        select(Thread)
        .where(Thread.status == "open")
        .order_by(Thread.waiting_since.is_(None), Thread.id.desc())
    )
    return [thread for thread in rows if can_see_thread(officer, thread)]


async def list_open_questions(ctx: Context) -> None:
    """``/cauhoi``: the open questions this officer may answer, each with «Trả lời #n». On Zalo
    (no reply-to) an earlier question could not be answered once a newer notice came."""
    officer = await get_officer(ctx.session, ctx.contact.id)
    if officer is None:
        refuse(ctx, "not_officer")
        return
    shown = await open_questions(ctx, officer)
    if not shown:
        ctx.reply(t("thread.open_none"), intent=f"flow:{FLOW}.list")
        return
    lines = [t("thread.open_title", count=len(shown))]
    buttons: list[list[Button]] = []
    for thread in shown[:QUESTIONS_SHOWN]:
        unit = await ctx.session.get(Unit, thread.unit_id) if thread.unit_id else None
        asked = await ctx.session.scalar(
            select(ThreadMessage.text)
            .where(ThreadMessage.thread_id == thread.id, ThreadMessage.author == "person")
            .order_by(ThreadMessage.id.desc())
            .limit(1)
        ) or ""
        cut = asked if len(asked) <= QUESTION_SHOWN_MAX else asked[:QUESTION_SHOWN_MAX] + "…"
        lines.append(t(
            "thread.open_row", thread_id=thread.id, name=await _name(ctx, thread),
            unit=unit.name if unit else t("thread.no_unit"), question=cut,
            waiting=t("thread.open_waiting") if thread.waiting_since else "",
        ))
        buttons.append([Answer(thread.id).button(t("thread.button_answer_n", thread_id=thread.id))])
    if len(shown) > QUESTIONS_SHOWN:
        lines.append(t("thread.open_more", count=len(shown) - QUESTIONS_SHOWN))
    ctx.reply("\n".join(lines), buttons, intent=f"flow:{FLOW}.list")


async def set_public_name(event: Inbound, ctx: Context) -> None:
    """``/tenhienthi Tên``: the name people see under this officer's answers."""
    officer = await get_officer(ctx.session, ctx.contact.id)
    if officer is None:
        refuse(ctx, "not_officer")
        return
    name = " ".join(event.args.split())[:100]
    if not name:
        ctx.reply(t("thread.display_name_usage"), intent=f"flow:{FLOW}.name")
        return
    cleared = fold(name) in folded_phrases("thread.display_name_clear_words")
    officer.public_name = None if cleared else name
    key = "thread.display_name_cleared" if cleared else "thread.display_name_set"
    ctx.reply(t(key, who=await signature(ctx, officer)), intent=f"flow:{FLOW}.name")

