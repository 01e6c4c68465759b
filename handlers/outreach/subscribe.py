"""``subscribe``: choosing which announcements to receive, and stopping them.

"nhận thông báo", "báo cho tôi khi có lớp mới" … start it: the commune (from the person's case
when known, else asked), the topics as toggles, a country when work abroad is chosen, confirm.
"dừng nhận tin", "/stop", "hủy nhận thông báo" stop everything from any state, in one sentence,
without leaving what the person was doing; "nhận lại thông báo" undoes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from handlers.asked_before import FOLLOW_UP_WITHIN, last_asked
from handlers.callbacks import CallbackData
from handlers.context import Context
from handlers.flow import Flow
from handlers.intake.questions import current_units, named_unit
from handlers.intake.validators import InvalidAnswerError, looks_like_question, match_unit
from handlers.menu import main_menu_buttons
from handlers.outreach.subscribe_words import (
    COUNTRIES,
    TOPICS,
    Country,
    StopSaid,
    Topic,
    adds_topics,
    is_stop,
    said,
    stop_said,
    topics_answered,
    topics_in,
    typed_topic,
)
from handlers.textnorm import fold, folded_phrases, is_phrase
from handlers.types import Inbound, InboundKind
from handlers.understanding.requests import ANSWERED_BEFORE, ASKED_BEFORE
from messages import raw, t
from storage.course_repo import find_contact_unit_id
from storage.models import Unit
from storage.outreach_repo import (
    case_interests,
    get_subscription,
    resume,
    stop_all,
    subscribe,
)

NAME = "subscribe"


class Step(StrEnum):
    UNIT = "unit"
    TOPICS = "topics"
    COUNTRY = "country"
    CONFIRM = "confirm"


@dataclass(frozen=True)
class Start(CallbackData, prefix="subscribe:start"):
    pass


@dataclass(frozen=True)
class PickUnit(CallbackData, prefix="subscribe:unit"):
    unit_id: int


@dataclass(frozen=True)
class ToggleTopic(CallbackData, prefix="subscribe:topic"):
    topic: Topic


@dataclass(frozen=True)
class PickCountry(CallbackData, prefix="subscribe:country"):
    country: Country


@dataclass(frozen=True)
class Done(CallbackData, prefix="subscribe:done"):
    pass


@dataclass(frozen=True)
class EditTopics(CallbackData, prefix="subscribe:edit"):
    """At the confirmation: choose other topics than those the request named."""


@dataclass(frozen=True)
class Yes(CallbackData, prefix="subscribe:yes"):
    pass


@dataclass(frozen=True)
class No(CallbackData, prefix="subscribe:no"):
    pass


@dataclass(frozen=True)
class Stop(CallbackData, prefix="subscribe:stop"):
    pass


@dataclass(frozen=True)
class Resume(CallbackData, prefix="subscribe:resume"):
    pass


def topics_label(topics: list[str]) -> str:
    labels = []
    for topic in topics:
        base, _, country = topic.partition(":")
        label = t(f"outreach.topic.{base}")
        if country:
            label += f" ({t(f'outreach.country.{country}')})"
        labels.append(label)
    return ", ".join(labels)


def _names_an_option(ctx: Context, folded_text: str) -> bool:
    """Does the text name, as whole words, one of the options the latest message offered?"""
    padded = f" {' '.join(folded_text.replace(',', ' ').replace('.', ' ').split())} "
    shown = ctx.state.last_buttons
    labels = (fold(str(b[1])) for b in shown if isinstance(b, list) and len(b) == 2)
    return any(f" {label} " in padded for label in labels if label)


class SubscribeFlow(Flow):
    name = NAME
    commands = ("stop", "nhantin")

    def interrupts(self, folded_text: str) -> bool:
        return is_stop(folded_text)

    def claims(self, folded_text: str) -> bool:
        # "nhận lại ạ", "Nhận lại!" undo a stop like "nhận lại" (particles and signs aside).
        return super().claims(folded_text) or is_phrase(
            folded_text, folded_phrases("outreach_stop.resume_phrases"))

    def reads_text(self, ctx: Context, folded_text: str) -> bool:
        # Only a commune name is an answer here; a longer sentence is read as a request.
        if ctx.step == Step.UNIT:
            # "e o phu luu", "xa phu luu a": a sentence naming one of the communes offered;
            # "co lop nao" is a question, not a commune not found.
            short = len(folded_text.split()) <= 3 and not looks_like_question(
                folded_text, raw("intake.question_markers"))
            return short or _names_an_option(ctx, folded_text)
        # "ok" under the confirmation, a topic typed by name: answers, not small talk.
        if ctx.step == Step.CONFIRM:
            return (said(folded_text, "intake.words_answer.confirm")
                    or typed_topic(folded_text) is not None)
        return ctx.step == Step.TOPICS and (
            said(folded_text, "dossier.done_words") or typed_topic(folded_text) is not None
            or adds_topics(folded_text)
        )

    def confirms(self, ctx: Context, text: str) -> bool:
        return ctx.step == Step.CONFIRM and said(fold(text), "intake.words_answer.confirm")

    async def cancel(self, event: Inbound, ctx: Context) -> None:
        ctx.leave(resume=False)
        ctx.reply(t("outreach.cancelled"), main_menu_buttons(), intent=f"flow:{NAME}.cancelled")

    async def start(self, event: Inbound, ctx: Context) -> None:
        asked = last_asked(ctx, FOLLOW_UP_WITHIN) if ctx.flow != NAME else None
        if asked is None:
            await self._begin(event, ctx, [], "")
            return
        await self._begin(event, ctx, [str(x) for x in asked.get("topics") or []],
                          str(asked.get("key") or ""))

    async def start_action(
        self, part: str, event: Inbound, ctx: Context, slots: dict[str, Any]
    ) -> None:
        answered, asked = slots.get(ANSWERED_BEFORE), slots.get(ASKED_BEFORE)
        await self._begin(event, ctx, [str(x) for x in answered or []] if isinstance(
            answered, list) else [], asked if isinstance(asked, str) else "")

    async def _begin(self, event: Inbound, ctx: Context, answered: list[str],
                     asked: str) -> None:
        """Started; ``answered``: the topics of the question answered just before, ``asked``
        its words' key (from a button under that answer, or the FAQ's request right after)."""
        folded = fold(event.text)
        stop = (StopSaid() if event.command == "stop" or is_stop(folded)
                else stop_said(event.text))
        if stop is not None and not stop.off and not stop.only:
            await self._stop(ctx)
            return
        if is_phrase(folded, folded_phrases("outreach_stop.resume_phrases")):
            await self._resume(ctx)
            return
        # Saving replaces the topics: start from those already received, and those chosen in
        # this flow before (a second request "nhận tin lừa đảo" adds scam warnings, it does
        # not drop the classes; typed at the commune question, it dropped them).
        current = await get_subscription(ctx.session, ctx.contact.id)
        kept = list(current.topics) if current and current.stopped_at is None else []
        pending = ctx.data if ctx.flow == NAME else {}
        kept += [k for k in pending.get("topics") or [] if k not in kept]
        if stop is not None:
            # "dừng nhận tin Hàn, chỉ nhận lớp học": those off (only those kept, when said),
            # the rest to confirm.
            off = {x.split(":")[0] for x in stop.off}
            topics = stop.only or [k for k in kept if k.split(":")[0] not in off]
            if not topics:
                await self._stop(ctx)
                return
            named: list[str] = topics
        else:
            # A request naming nothing right after an answer («Nhận thông báo» under the
            # classes of "lớp nấu ăn ở Bạch Xa") wants that answer's news, of its commune.
            named = topics_in(event.text) or topics_answered(answered)
            replaced = {x.split(":")[0] for x in named}  # a country named replaces the one kept
            topics = [k for k in kept if k.split(":")[0] not in replaced] + named
        # The commune the message names ("lớp mới ở Phù Lưu"), else the question just answered,
        # the one chosen, the person's own, the subscription's.
        named_in_text = await named_unit(ctx, event.text)
        if named_in_text is None and asked:
            named_in_text = await named_unit(ctx, asked)
        unit_id = named_in_text.id if named_in_text is not None else pending.get("unit_id")
        if unit_id is None:
            unit_id = await find_contact_unit_id(ctx.session, ctx.contact.id)
        if unit_id is None and current is not None:
            unit_id = current.unit_id
        # "báo cho tôi khi có lớp mới": the topic is said already, only confirmed.
        ctx.enter(NAME, Step.TOPICS, {"unit_id": unit_id, "topics": topics, "named": bool(named)})
        if unit_id is None:
            ctx.goto(Step.UNIT)
            await self._ask_unit(ctx)
            return
        await self._after_unit(ctx)

    async def _after_unit(self, ctx: Context) -> None:
        if ctx.data.get("named"):
            await self._confirm(ctx)
        else:
            self._ask_topics(ctx)

    async def _ask_unit(self, ctx: Context, *, note: str | None = None) -> None:
        """The communes as options (a number on Zalo), or a name typed; ``note`` above."""
        rows = [[PickUnit(u.id).button(u.name)] for u in await current_units(ctx)]
        text = "\n".join(x for x in (note, t("outreach.ask_unit")) if x)
        ctx.reply(text, rows, intent=f"flow:{NAME}.{Step.UNIT}")

    async def on_callback(self, event: Inbound, ctx: Context, data: CallbackData) -> None:
        if isinstance(data, Stop):
            await self._stop(ctx)
            return
        if isinstance(data, Resume):
            await self._resume(ctx)
            return
        if ctx.flow != NAME:
            await self.start(event, ctx)
            return
        match data:
            case PickUnit(unit_id=unit_id) if ctx.step == Step.UNIT:
                unit = await ctx.session.get(Unit, unit_id)
                if unit is None:
                    await self._ask_unit(ctx)
                    return
                ctx.update(unit_id=unit.id)
                await self._after_unit(ctx)
            case EditTopics():
                self._ask_topics(ctx)
            case ToggleTopic(topic=topic):
                await self._toggle(ctx, topic)
            case PickCountry(country=country):
                topics = [x for x in ctx.data.get("topics", []) if not x.startswith("abroad")]
                topics.append("abroad" if country == "any" else f"abroad:{country}")
                ctx.update(topics=topics)
                self._ask_topics(ctx)
            case Done():
                await self._confirm(ctx)
            case Yes() if ctx.step == Step.CONFIRM:
                await self._save(ctx)
            case No():
                ctx.leave()
                ctx.reply(t("outreach.cancelled"), intent=f"flow:{NAME}.cancelled")
            case _:
                await self._repeat(ctx)

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        if ctx.step == Step.UNIT and event.kind == InboundKind.TEXT:
            units = await current_units(ctx)
            unit_id: int | None
            try:
                unit_id = match_unit(event.text, units).id
            except InvalidAnswerError:
                named = await named_unit(ctx, event.text)
                unit_id = named.id if named is not None else None
            if unit_id is None:
                # "ok", "đúng rồi" under the communes is no commune not found.
                await self._ask_unit(ctx, note=t("outreach.unit_needed") if said(
                    fold(event.text), "intake.words_answer.confirm") else t(
                    "outreach.unit_unknown", text=event.text[:60]))
                return
            ctx.update(unit_id=unit_id)
            await self._after_unit(ctx)
            return
        folded = fold(event.text)
        if ctx.step == Step.CONFIRM and said(folded, "intake.words_answer.confirm"):
            await self._save(ctx)
            return
        topic = typed_topic(folded) if ctx.step == Step.CONFIRM else None
        if topic is not None:
            # "học nghề" under "Bot sẽ gửi tin về: Lớp học nghề mới… Đồng ý không?" got the
            # training answer (two long messages): the topic chosen is a yes, another one is
            # added to the choice.
            chosen: list[str] = ctx.data.get("topics", [])
            if any(x.split(":")[0] == topic for x in chosen):
                await self._save(ctx)
            else:
                await self._toggle(ctx, topic)
            return
        if ctx.step == Step.TOPICS and event.kind == InboundKind.TEXT:
            topic = typed_topic(folded)
            if topic is not None:
                await self._toggle(ctx, topic)
                return
            if said(folded, "dossier.done_words"):
                await self._confirm(ctx)
                return
            if adds_topics(folded):
                # "thêm cả lớp học nghề nữa" got the class list from the FAQ: added.
                chosen = list(ctx.data.get("topics", []))
                kept = {x.split(":")[0] for x in chosen}
                ctx.update(topics=chosen + [x for x in topics_in(event.text)
                                            if x.split(":")[0] not in kept])
                self._ask_topics(ctx)
                return
        # A question or anything else: leave the form and let the router answer it.
        ctx.leave()
        await ctx.dispatch(event)

    # -- steps -------------------------------------------------------------------------------
    def _ask_topics(self, ctx: Context) -> None:
        ctx.goto(Step.TOPICS)
        chosen: list[str] = ctx.data.get("topics", [])
        lines = [t("outreach.ask_topics")]
        lines.append(
            t("outreach.chosen", topics=topics_label(chosen))
            if chosen
            else t("outreach.none_chosen")
        )
        buttons = [[ToggleTopic(x).button(t(f"outreach.topic.{x}"))] for x in TOPICS]
        buttons.append([Done().button(t("outreach.button.done"))])
        ctx.reply("\n".join(lines), buttons, intent=f"flow:{NAME}.{Step.TOPICS}")

    async def _toggle(self, ctx: Context, topic: str) -> None:
        chosen: list[str] = list(ctx.data.get("topics", []))
        present = [x for x in chosen if x.split(":")[0] == topic]
        if present:
            ctx.update(topics=[x for x in chosen if x not in present])
            self._ask_topics(ctx)
            return
        if topic == "abroad":
            self._ask_country(ctx)
            return
        ctx.update(topics=[*chosen, topic])
        self._ask_topics(ctx)

    def _ask_country(self, ctx: Context) -> None:
        ctx.goto(Step.COUNTRY)
        buttons = [[PickCountry(c).button(t(f"outreach.country.{c}"))] for c in COUNTRIES]
        ctx.reply(t("outreach.ask_country"), buttons, intent=f"flow:{NAME}.{Step.COUNTRY}")

    async def _confirm(self, ctx: Context) -> None:
        topics: list[str] = ctx.data.get("topics", [])
        if not topics:
            self._ask_topics(ctx)
            return
        ctx.goto(Step.CONFIRM)
        ctx.reply(
            t(
                "outreach.confirm",
                topics=topics_label(topics),
                unit=await _unit_name(ctx, ctx.data.get("unit_id")),
            ),
            [
                [
                    Yes().button(t("outreach.button.yes")),
                    No().button(t("outreach.button.no")),
                ],
                [EditTopics().button(t("outreach.button.edit_topics"))],
            ],
            intent=f"flow:{NAME}.{Step.CONFIRM}",
        )

    async def _save(self, ctx: Context) -> None:
        await subscribe(
            ctx.session, ctx.contact.id, ctx.data.get("unit_id"), ctx.data["topics"], ctx.now
        )
        ctx.leave()
        ctx.reply(t("outreach.done"), intent=f"flow:{NAME}.done")

    async def repeat(self, event: Inbound, ctx: Context) -> None:
        await self._repeat(ctx)

    async def _repeat(self, ctx: Context) -> None:
        if ctx.step == Step.CONFIRM:
            await self._confirm(ctx)
        elif ctx.step == Step.UNIT:
            await self._ask_unit(ctx)
        elif ctx.step == Step.COUNTRY:
            self._ask_country(ctx)  # it went back to the topics
        else:
            self._ask_topics(ctx)

    async def _stop(self, ctx: Context) -> None:
        # Whatever the person was doing stays as it was: stopping news is not leaving a form.
        # Only a subscription being made is dropped: "ok" after a stop typed at its «Đồng ý
        # không?» subscribed again.
        before = await get_subscription(ctx.session, ctx.contact.id)
        had_topics = before is not None and bool(before.topics)
        await stop_all(ctx.session, ctx.contact.id, ctx.now)
        if ctx.flow == NAME:
            ctx.leave(resume=False)
        if not had_topics and not await case_interests(ctx.session, ctx.contact.id):
            # Nothing subscribed: no «Nhận lại», which then said "chưa đăng ký nhận tin"
            # (second user trial).
            ctx.reply(t("outreach.stopped_none"), intent=f"flow:{NAME}.stop")
            return
        ctx.reply(
            t("outreach.stopped"),
            [[Resume().button(t("outreach.button.resume"))]],
            intent=f"flow:{NAME}.stop",
        )

    async def _resume(self, ctx: Context) -> None:
        """Undo a stop, and say what the person receives now: the topics chosen, the news
        their open case brings (a case-holder with no topics stopped that too: it used to
        stay stopped, "chưa đăng ký nhận tin"), or nothing yet; without a stop to undo, what
        they receive already."""
        sub = await resume(ctx.session, ctx.contact.id, ctx.now)
        current = sub or await get_subscription(ctx.session, ctx.contact.id)
        topics = [str(x) for x in current.topics] if current is not None else []
        chosen = {x.split(":")[0] for x in topics}
        by_case = [x for x in await case_interests(ctx.session, ctx.contact.id)
                   if x not in chosen]
        lines = []
        if topics and current is not None:
            lines.append(t("outreach.resumed" if sub else "outreach.not_stopped",
                           topics=topics_label(topics),
                           unit=await _unit_name(ctx, current.unit_id)))
        if by_case:
            key = "also_for_case" if topics else "resumed_for_case" if sub else "not_stopped_case"
            lines.append(t(f"outreach.{key}", topics=topics_label(by_case)))
        if not lines:
            lines.append(t("outreach.resumed_nothing" if sub else "outreach.nothing_to_resume"))
        if sub is None and ctx.flow == NAME:
            ctx.leave()
        ctx.reply("\n".join(lines), intent=f"flow:{NAME}.resume")
        if sub is not None and ctx.flow and ctx.flow != NAME:
            # Undone from the middle of a form: the form's question follows, so the next
            # answer has its question on screen.
            ctx.resumed = True


async def _unit_name(ctx: Context, unit_id: int | None) -> str:
    unit = await ctx.session.get(Unit, unit_id) if unit_id else None
    return unit.name if unit else t("outreach.all_units")
