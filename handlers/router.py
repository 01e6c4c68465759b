"""Routes one inbound event to the flow that should handle it.

Order: commands; buttons (parsed into their declared class, handlers/callbacks.py); the menu
escape; a typed case reference (status); inside a flow, the escapes every step understands
(help, cancel, «Gặp cán bộ», an action request or a question the flow does not read itself);
the active flow (a sticker or a voice note its step cannot use: said so, the step asked again,
``Flow.reads_non_text``); trigger phrases; files and stickers outside a flow; then the
answerer (FAQ understanding, which also starts the action a request asks for) for free text.

Flows reach each other only by name through ``start_action`` (docs/simulate.md "Action
intents"): an action whose flow is not registered is answered politely, with its intent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from typing import Any

from handlers.access import get_officer
from handlers.callbacks import BadCallback, CallbackData, flow_of, parse
from handlers.context import PAUSING_ACTIONS, Context
from handlers.flow import Flow
from handlers.menu import main_menu_buttons, menu_buttons_for
from handlers.officials.requests import start_officer_request
from handlers.textnorm import fold, folded_phrases, nfc, option_number, phrase_key
from handlers.threads import offer_as_answer
from handlers.types import Button, Inbound, InboundKind
from handlers.understanding.matcher import get_matcher
from handlers.understanding.normalise import normalise
from handlers.understanding.requests import find_reference, request_slots
from messages import has, raw, t

log = logging.getLogger(__name__)

MENU = "menu"
HANDOFF = "handoff"
STATUS = "status"
INTAKE = "intake"
DOSSIER = "dossier"
SUBSCRIBE = "subscribe"


class DuplicateFlowError(ValueError):
    """Two flows registered under one name or one command."""


@cache
def escape_phrases(kind: str) -> frozenset[str]:
    """The escape phrases ``escapes.words.<kind>``, normalised like a message (teencode expanded,
    politeness particles dropped: "gap can bo a" is "gặp cán bộ")."""
    return frozenset(normalise(p) for p in raw(f"escapes.words.{kind}"))


@cache
def _typed_cancel_words() -> frozenset[str]:
    """The cancel words as written, tones and all ("dừng"), lower case."""
    return frozenset(_as_typed(p) for p in raw("escapes.words.cancel"))


def _as_typed(text: str) -> str:
    return " ".join(nfc(text).lower().split()).strip(" .,!?…")


def _confirms(flow: Flow, ctx: Context, text: str) -> bool:
    """A cancel word that under this step's confirmation is its yes: the bot's own summary
    says 'gõ «đúng»', and "dung", typed without tones, is also "dừng" (it asked "hủy?")."""
    return flow.confirms(ctx, text) and _as_typed(text) not in _typed_cancel_words()


#: A message of at most this many words holding a menu word ("về lại menu đâu làm sao")
#: asks for the menu, not about coming home.
MENU_WORDS_WITHIN = 6


def _asks_for_menu(folded: str) -> bool:
    words = phrase_key(folded).split()
    return folded in folded_phrases("triggers.menu") or (
        len(words) <= MENU_WORDS_WITHIN
        and any(w in folded_phrases("triggers.menu_word") for w in words))


class Router:
    def __init__(self, flows: Iterable[Flow], *, answerer: Flow) -> None:
        self.flows: dict[str, Flow] = {}
        self.commands: dict[str, Flow] = {}
        for flow in flows:
            if flow.name in self.flows:
                raise DuplicateFlowError(flow.name)
            self.flows[flow.name] = flow
            for command in flow.commands:
                if command in self.commands:
                    raise DuplicateFlowError(f"/{command}")
                self.commands[command] = flow
        self.answerer = answerer
        if answerer.name not in self.flows:
            self.flows[answerer.name] = answerer

    def get(self, name: str) -> Flow | None:
        return self.flows.get(name)

    # -- what flows may ask (handlers.context.Flows) -------------------------------------------
    def has_flow(self, name: str) -> bool:
        return name in self.flows

    async def start_flow(self, name: str, event: Inbound, ctx: Context) -> bool:
        flow = self.flows.get(name)
        if flow is None:
            return False
        await flow.start(event, ctx)
        return True

    async def press(self, data: CallbackData, event: Inbound, ctx: Context) -> bool:
        flow = self.flows.get(data.flow)
        if flow is None:
            return False
        await flow.on_callback(event, ctx, data)
        return True

    async def answer_question(self, event: Inbound, ctx: Context) -> None:
        await self._answer_in_flow(event, ctx)

    async def _answer_in_flow(
        self, event: Inbound, ctx: Context, data: CallbackData | None = None
    ) -> None:
        """The answerer takes a question (or a topic chosen after its "which topic?"), told
        which flow it was asked in (Flow.asked_in) when one is active."""
        flow = self.flows.get(ctx.flow or "")
        if flow is not None and flow is not self.answerer:
            ctx.asked_in = await flow.asked_in(ctx)
        try:
            if data is None:
                await self.answerer.on_message(event, ctx)
            else:
                await self.answerer.on_callback(event, ctx, data)
        finally:
            ctx.asked_in = None

    def claiming_flow(self, folded_text: str, *, besides: str) -> str | None:
        return next((f.name for f in self.flows.values()
                     if f.name != besides and f.claims(folded_text)), None)

    async def pending_notes(self, ctx: Context) -> list[str]:
        return [note for flow in self.flows.values() if (note := await flow.pending_note(ctx))]

    async def route(self, event: Inbound, ctx: Context) -> None:
        await self._route(event, ctx)
        if ctx.resumed:
            # A hand-off (or another interruption) ended: the paused flow asks its question again.
            ctx.resumed = False
            flow = self.flows.get(ctx.flow or "")
            if flow is not None:
                await flow.repeat(event, ctx)

    async def start_action(
        self, name: str, event: Inbound, ctx: Context, slots: dict[str, Any] | None = None
    ) -> None:
        """Start the action ``name`` (``intake``, ``privacy.view`` ...) with what the message
        already said (``slots``). A hand-off from inside a flow keeps that flow's place."""
        flow_name, _, part = name.partition(".")
        flow = self.flows.get(flow_name)
        if flow is None:
            key = f"escapes.coming.{flow_name}"
            ctx.reply(t(key if has(key) else "escapes.coming.any"), main_menu_buttons(),
                      intent=f"flow:{name}")
            return
        place = ctx.place() if ctx.flow and ctx.flow != flow_name else None
        pauses = name in PAUSING_ACTIONS
        if place is not None and not pauses:
            # Another action leaves the flow (an unfinished form stays saved as a draft).
            ctx.leave(resume=False)
        await flow.start_action(part, event, ctx, dict(slots or {}))
        if place is not None and pauses and ctx.flow == flow_name:
            ctx.pause_into(place)

    async def _route(self, event: Inbound, ctx: Context) -> None:
        if event.kind == InboundKind.COMMAND:
            flow = self.commands.get(event.command)
            if flow is None:
                ctx.reply(t("menu.unknown_command", command=event.command), intent="fallback")
                return
            await flow.start(event, ctx)
            return

        if event.kind == InboundKind.BUTTON and event.button_id:
            await self._button(event, ctx)
            return

        if ctx.outdated_number is not None:
            await self._outdated_number(event, ctx, ctx.outdated_number)
            return

        if event.reply_to_message_id:
            for flow in self.flows.values():
                if await flow.on_reply(event, ctx):
                    return

        folded = fold(event.text)
        if event.kind in (InboundKind.TEXT, InboundKind.BUTTON) and _asks_for_menu(folded):
            ctx.leave(resume=False)
            await self.flows[MENU].start(event, ctx)
            return

        active = self.flows.get(ctx.flow) if ctx.flow else None
        # Not inside an officer's flow: "thôi đừng gửi" under an announcement's preview is
        # about that announcement, not the officer's own subscription.
        if event.kind in (InboundKind.TEXT, InboundKind.BUTTON) and not (
                active is not None and active.for_officers):
            for flow in self.flows.values():
                if flow.interrupts(folded):
                    await flow.start(event, ctx)
                    return

        if (active is not None and event.kind == InboundKind.TEXT
                and active.hears_officer_requests(ctx)
                and await start_officer_request(event, ctx,
                                                besides=(active.name, *active.commands))):
            # An officer's "tin nhắn" at a citizen's "Anh/chị ở xã nào?"; "kết quả khảo sát"
            # under an announcement's preview (it got "chọn một mục"). Before the escapes:
            # read as a question, "kết quả khảo sát" got the citizens' "no round open".
            return

        if event.kind == InboundKind.TEXT and await self._escape(event, ctx, folded):
            return

        if active is not None:
            if _unusable_in(active, event):
                await self._unusable(event, ctx, active)
                return
            await active.on_message(event, ctx)
            return

        number = option_number(event.text)
        if event.kind == InboundKind.TEXT and number is not None:
            # A number no option of the latest message has (it was "not the bot's remit").
            await self._unknown_number(ctx, number)
            return

        if event.kind == InboundKind.TEXT and await start_officer_request(event, ctx):
            return  # "ds qua han", "hom nay can goi ai": an officer's command in words

        if event.kind in (InboundKind.TEXT, InboundKind.BUTTON):
            for flow in self.flows.values():
                if flow.claims(folded):
                    await flow.start(event, ctx)
                    return
            if folded.strip(" .!") in folded_phrases("escapes.resume_words"):
                # "tiếp tục" after the menu said a registration is unfinished: that flow
                # goes on (its start offers to resume), not "outside the bot's work".
                for flow in self.flows.values():
                    if await flow.pending_note(ctx) is not None:
                        await flow.start(event, ctx)
                        return
            if event.kind == InboundKind.TEXT and await offer_as_answer(event, ctx):
                return  # an officer typed under a question's notice: send it as the answer?
            await self.answerer.on_message(event, ctx)
            return

        await self._non_text(event, ctx)

    async def _button(self, event: Inbound, ctx: Context) -> None:
        """A pressed button: its id parsed into the declared class, handed to its flow. An id
        the bot does not make (an old message's button after an update, a forged one) gets a
        polite word and the current step again, never silence or the error apology."""
        try:
            data = parse(event.button_id)
        except BadCallback:
            data = None
        name = data.flow if data is not None else flow_of(event.button_id)
        flow = self.flows.get(name)
        if flow is None:
            if name in _ACTION_FLOWS:
                await self.start_action(name, event, ctx)
            else:
                await self._outdated(event, ctx)
            return
        paused = ctx.flow
        if data is None:
            await self._outdated(event, ctx)
            return
        if flow is self.answerer:
            await self._answer_in_flow(event, ctx, data)
        else:
            await flow.on_callback(event, ctx, data)
        if flow is self.answerer and paused and ctx.flow == paused != name:
            # A topic chosen after a "which topic?" asked mid-flow: answered, then the flow
            # asks its question again.
            await self.flows[paused].repeat(event, ctx)

    async def _outdated(self, event: Inbound, ctx: Context) -> None:
        log.info("button id not made by this bot (outdated or forged)")
        flow = self.flows.get(ctx.flow or "")
        if flow is None:
            ctx.reply(t("escapes.outdated_button"), intent="button.outdated")
            await self.flows[MENU].start(event, ctx)
        elif _can_repeat(flow):
            ctx.reply(t("escapes.outdated_button"), intent="button.outdated")
            await flow.repeat(event, ctx)
        else:
            # A flow that cannot ask its step again (its ``repeat`` would start it over, losing
            # what was typed): the options of the last message are offered again, numbered
            # as they were, and the step stays where it is.
            ctx.reply(t("escapes.outdated_button"), _last_options(ctx), intent="button.outdated")

    async def _outdated_number(self, event: Inbound, ctx: Context, number: int) -> None:
        """A number typed after a message without options (an announcement, a notice) that
        came after the options it would pick: never a guess. The polite word, then the step
        asked again (a flow that can), or the earlier options, numbered as they were."""
        log.info("typed number after a message without options: not taken as a choice")
        text = t("escapes.outdated_number", number=number)
        flow = self.flows.get(ctx.flow or "")
        if flow is not None and _can_repeat(flow):
            ctx.reply(text, intent="number.outdated")
            await flow.repeat(event, ctx)
            return
        ctx.reply(text, _last_options(ctx), intent="number.outdated")

    async def _unknown_number(self, ctx: Context, number: int) -> None:
        """Outside any flow, a number the latest message offers no option for: said so, with
        that message's options again (the main menu when it had none)."""
        ctx.reply(t("escapes.unknown_number", number=number),
                  _last_options(ctx) or await menu_buttons_for(ctx), intent="number.unknown")

    async def _unusable(self, event: Inbound, ctx: Context, flow: Flow) -> None:
        """A sticker or a voice note where the step asks for words or a choice: said so, and
        the step asked again (a flow that can), or the options of the last message, numbered
        as they were; the step stays where it is."""
        text = t("escapes.text_in_step")
        intent = f"flow:{flow.name}.unreadable"
        if _can_repeat(flow):
            ctx.reply(text, intent=intent)
            await flow.repeat(event, ctx)
            return
        ctx.reply(text, _last_options(ctx), intent=intent)

    async def _escape(self, event: Inbound, ctx: Context, folded: str) -> bool:
        """What works from anywhere, typed: a case reference; and inside a flow, help, cancel,
        a person, another action, a question. True when handled."""
        reference = find_reference(event.text, ctx.config.case_ref_prefix)
        if reference is not None and len(event.text) <= 80:
            await self.start_action(STATUS, event, ctx, {"ref": reference})
            return True
        flow = self.flows.get(ctx.flow or "")
        key = normalise(event.text)
        if flow is None:
            if key in escape_phrases("help"):
                # "giúp" with no flow open: how to use the bot, and the menu (it was a
                # "which topic?" between unrelated topics); an officer's own help.
                if await get_officer(ctx.session, ctx.contact.id) is not None:
                    await self.flows[MENU].start(
                        replace(event, kind=InboundKind.COMMAND, command="help"), ctx)
                    return True
                ctx.reply(t("escapes.help.top"), intent="flow:menu.help")
                await self.flows[MENU].start(event, ctx)
                return True
            if key in escape_phrases("cancel"):
                # "hủy" with nothing asked: said so, and the menu (it was "not the office's
                # work" from the FAQ).
                ctx.reply(t("escapes.nothing_to_cancel"), intent="flow:menu.cancel")
                await self.flows[MENU].start(event, ctx)
                return True
            return False
        if key in escape_phrases("help"):
            keys = (f"escapes.help.{flow.name}.{ctx.step}", f"escapes.help.{flow.name}.any")
            ctx.reply(t(next((k for k in keys if has(k)), "escapes.help.any")),
                      intent=f"flow:{flow.name}.help")
            await flow.repeat(event, ctx)
            return True
        if key in escape_phrases("cancel") and not _confirms(flow, ctx, event.text):
            await flow.cancel(event, ctx)
            return True
        if key in escape_phrases("officer") and flow.name != HANDOFF and not flow.for_officers:
            await self.start_action(HANDOFF, event, ctx)
            return True
        if flow.reads_text(ctx, folded):
            return False
        decision = get_matcher().decide(event.text)
        if decision.outcome == "action" and decision.action is not None:
            slots = request_slots(event.text) if decision.action == INTAKE else {}
            await self.start_action(decision.action, event, ctx, slots)
            return True
        if decision.outcome == "answer":
            # A question in the middle of a step: answered, then the step is asked again.
            await self._answer_in_flow(event, ctx)
            if ctx.flow == flow.name:
                await flow.repeat(event, ctx)
            return True
        if decision.outcome == "clarify" and len(decision.key.split()) >= 3:
            # "Which topic?" comes last so its numbers answer it; the choice brings the
            # flow's question back (see the button branch of _route).
            await self._answer_in_flow(event, ctx)
            return True
        return False

    async def _non_text(self, event: Inbound, ctx: Context) -> None:
        if event.kind in (InboundKind.PHOTO, InboundKind.DOCUMENT):
            # Officers' flows first: an officer's spreadsheet is no citizen's dossier paper.
            for flow in sorted(self.flows.values(), key=lambda f: not f.for_officers):
                if flow.accepts_files and await flow.takes_stray_file(event, ctx):
                    return
            key = "menu.file_outside_flow"
        elif event.kind in (InboundKind.STICKER, InboundKind.VOICE):
            key = "menu.text_and_photos_only"
        else:
            key = "menu.unsupported"
        ctx.reply(t(key), intent="fallback")
        await self.flows[MENU].start(event, ctx)


#: Flows named by action buttons that may not be registered yet (answered "coming soon").
_ACTION_FLOWS = frozenset({"subscribe", "survey"})


def _unusable_in(flow: Flow, event: Inbound) -> bool:
    """Is the event a sticker, a voice note or another message without words that the active
    flow cannot use (it reads none of them itself)? Not a photo or a file: one sent in the
    middle of a subscription or the survey is most likely a dossier paper, and goes where a
    file sent outside a flow goes (kept for the dossier and asked which paper it is), as
    before; the step is left for it, not the photo."""
    words = (InboundKind.TEXT, InboundKind.BUTTON, InboundKind.COMMAND)
    files = (InboundKind.PHOTO, InboundKind.DOCUMENT)
    return event.kind not in words and event.kind not in files and not flow.reads_non_text


def _can_repeat(flow: Flow) -> bool:
    """Whether ``flow`` can ask its current step again (its own ``repeat``; the default one
    would start it over, losing what was typed)."""
    return type(flow).repeat is not Flow.repeat


def _last_options(ctx: Context) -> list[list[Button]]:
    """The numbered options of the latest message that offered some, as they were."""
    return [[Button(str(b[0]), str(b[1]))] for b in ctx.state.last_buttons
            if isinstance(b, list) and len(b) == 2]
