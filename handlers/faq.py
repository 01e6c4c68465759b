"""Free-text answering: the knowledge-base matcher behind every message no flow takes.

Buttons (declared below): a group's topic list; one topic answered (clarify choices and
follow-ups use it); a topic's details («Xem chi tiết»), so the first message stays short.
Replies report ``faq:<id>`` with ``confidence``, ``clarify`` with ``suggestions``,
``fallback`` or ``smalltalk`` as meta.intent (spec/simulate.md). A request to DO something
starts that action through the router (``flow:<name>``); an answer to a question about an
action offers the action as a button.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from handlers.access import get_officer
from handlers.asked_before import (
    ASKED,
    FOLLOW_UP_WITHIN,
    answered_before,
    last_asked,
    remember_asked,
    times_asked,
)
from handlers.callbacks import CallbackData, flow_of
from handlers.context import Context
from handlers.courses import (
    MoreClasses,
    MoreTradeClasses,
    class_asked_about,
    list_courses,
    my_classes,
    typed_place,
)
from handlers.flow import Flow
from handlers.intake.buttons import Start
from handlers.intake.prefill import start_under_answer
from handlers.menu import main_menu_buttons, menu_buttons_for, officer_menu_buttons
from handlers.offers import offer_buttons
from handlers.own_cases import (
    forward_edit_request,
    offer_class_change,
    own_question,
    withdraw_in_words,
)
from handlers.own_side import as_own_matter, drafting_kind
from handlers.router import HANDOFF, INTAKE, SUBSCRIBE
from handlers.textnorm import folded_phrases, is_phrase
from handlers.types import Button, Inbound, InboundKind
from handlers.understanding.decision import OUT_OF_REMIT, Decision
from handlers.understanding.details import tells_details
from handlers.understanding.matcher import get_matcher
from handlers.understanding.requests import ANSWERED_BEFORE, ASKED_BEFORE, request_slots
from handlers.understanding.smalltalk import SmallTalk
from messages import t
from messages.actions import load_actions
from messages.faq_loader import Entry, FollowUp, render_answer
from storage.faq_repo import record_fallback_question

#: Topics whose answer is followed by the live class list.
COURSE_TOPICS = frozenset({"training.courses", "training.schedule"})
CLASS_LIST_TOPIC = "training.courses"
HUMAN_TOPIC = "general.human"
#: To say a question is outside the office's work, the matcher must be as sure of it as its
#: remit check must be to stop an answer (``Thresholds.outside``; one bar for both), and at
#: least this share of its words known to the examples (gibberish is not understood:
#: the out-of-remit class, the largest, ranks first on words nobody wrote).
OUTSIDE_KNOWN_WORDS = 0.5
TOPIC_GROUPS = {"topics_abroad": "abroad", "topics_training": "training"}
#: The same question (compared as typed words) asked this many times in a row, each within
#: REPEAT_WITHIN of the one before, gets a short reply, not the whole answer again.
SHORT_FROM = 3


@dataclass(frozen=True)
class TopicGroup(CallbackData, prefix="faq"):
    group: Literal["topics_abroad", "topics_training"]


@dataclass(frozen=True)
class Topic(CallbackData, prefix="faq:t"):
    """One topic answered (``messages.faq_loader.topic_button`` writes the same id)."""

    topic: str


@dataclass(frozen=True)
class Details(CallbackData, prefix="faq:d"):
    topic: str


class FaqFlow(Flow):
    name = "faq"

    def __init__(self) -> None:
        # Build the matcher now: a broken knowledge base stops the start-up with its errors,
        # and the first question does not wait for the classifier to be trained.
        get_matcher()

    async def start(self, event: Inbound, ctx: Context) -> None:
        await self.on_message(event, ctx)

    async def on_callback(self, event: Inbound, ctx: Context, data: CallbackData) -> None:
        kb = get_matcher().kb
        match data:
            case TopicGroup(group=group):
                entries = kb.group(TOPIC_GROUPS[group])
                buttons = [[Topic(e.id).button(e.title)] for e in entries]
                ctx.reply(t(f"faq.{group}"), buttons, intent=f"flow:faq.{group}")
                return
            case Details(topic=topic) if topic in kb.entries:
                entry = kb.entries[topic]
                ctx.reply(entry.details or entry.answer, _follow_ups(entry),
                          intent=f"faq:{entry.id}", confidence=1.0)
                return
            case Topic(topic=topic) if topic in kb.entries:
                await answer_topic(event, ctx, kb.entries[topic], confidence=1.0)
                return
            case MoreClasses() | MoreTradeClasses():
                today = ctx.now.astimezone(ctx.config.timezone).date()
                classes = await list_courses(ctx, today, page=data)
                ctx.reply(classes.text, classes.buttons, intent=f"faq:{CLASS_LIST_TOPIC}",
                          confidence=1.0).listed = classes.listed
                return
        ctx.reply(t("faq.unknown_topic"), main_menu_buttons(), intent="fallback")

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        # Asked before, in a row (outside any flow: a flow's data is its own).
        before, previous = 0, tuple[str, ...]()
        discussed, asked_key = previous, ""
        if ctx.flow is None:
            before, previous = times_asked(ctx, event.text), answered_before(ctx)
            discussed = previous or answered_before(ctx, "offered")
            asked_key = str((last_asked(ctx, FOLLOW_UP_WITHIN) or {}).get("key", ""))
            ctx.forget(ASKED)
        if event.kind not in (InboundKind.TEXT, InboundKind.BUTTON) or not event.text.strip():
            ctx.reply(t("faq.fallback"), main_menu_buttons(), intent="fallback")
            return
        if previous and is_phrase(event.text, folded_phrases("faq.more_words")):
            _more_about(ctx, previous)
            return
        if ctx.flow is None and await offer_class_change(ctx, event.text):
            return  # "em muốn đổi sang lớp may", registered for a class
        if ctx.flow is None and await withdraw_in_words(ctx, event):
            return  # "thằng Nam không học nữa"
        drafting = await drafting_kind(ctx)
        if ((ctx.flow is None or drafting)
                and (own := await own_question(ctx, event, drafting=drafting)) is not None):
            # "giờ phải làm giấy tờ gì", "bao giờ có kết quả", "mất bao nhiêu tiền" from
            # someone registered: their papers, their status, what their kind costs.
            if own.topic:
                entry = get_matcher().kb.entries[own.answer]
                await answer_topic(event, ctx, entry, confidence=1.0)
            else:
                await ctx.start_action(event, own.answer)
            return
        decision = await as_own_matter(ctx, get_matcher().decide(event.text, previous),
                                        drafting, previous)
        if (ctx.flow is None and decision.outcome != "answer"
                and decision.action in (None, INTAKE)
                and await forward_edit_request(ctx, event)):
            return  # "sửa số điện thoại đã đăng ký" started a new registration
        if decision.outcome in ("clarify", "fallback") and typed_place(event.text) is not None:
            # "lớp ở Yên Bái": classes asked for a place the knowledge base cannot know; the
            # list says it is not one of the communes and shows them all.
            entry = get_matcher().kb.entries[CLASS_LIST_TOPIC]
            await answer_topic(event, ctx, entry, confidence=decision.confidence)
            if ctx.flow is None:
                # "… ở xã Phù Lưu, chồng chị muốn học lớp sửa xe máy thì đăng ký sao", then
                # "đăng ký cho chồng chị luôn": the form did not know it was for a class.
                remember_asked(ctx, event.text, before + 1, topics=[CLASS_LIST_TOPIC])
        elif decision.outcome == "action" and decision.action is not None:
            slots: dict[str, Any] = {}
            if decision.action in (INTAKE, SUBSCRIBE):
                # What the question just before said: the kind, the commune, the news wanted.
                slots = {ANSWERED_BEFORE: list(discussed), ASKED_BEFORE: asked_key}
            if decision.action == INTAKE:
                slots.update(request_slots(event.text))
            await ctx.start_action(event, decision.action, slots)
        elif decision.outcome == "smalltalk":
            await _smalltalk(event, ctx, decision.smalltalk or SmallTalk.ACK)
        elif decision.outcome == "answer" and decision.topic is not None:
            times = before + 1
            if times >= SHORT_FROM and decision.topic != HUMAN_TOPIC:
                _answered_just_now(ctx, decision.topic, decision.confidence)
            else:
                # One topic, or two when the message asked two things (see answer_topics).
                await answer_topics(event, ctx, decision)
            if ctx.flow is None:  # not when the answer started a flow (a person asked for)
                remember_asked(ctx, event.text, times, topics=list(decision.topics))
        elif decision.outcome in ("clarify", "fallback") and tells_details(event.text):
            # "nó sinh năm 1996": kept nowhere, not even in the log of unanswered questions
            # ("Triệu Thị Hồng" alone got "which topic?" about costs, and was logged).
            ctx.reply(t("faq.details_not_kept"), main_menu_buttons(), intent="fallback")
        elif decision.outcome == "clarify":
            _log(ctx, event.text, decision)
            _clarify(ctx, decision)
            if ctx.flow is None:
                # Nothing answered, but the options say what "đăng ký luôn cho em" right
                # after is for: the process, Taiwan and the countries one may go to register
                # the person to work in Taiwan (intake/prefill.py, ANSWERED_BEFORE).
                remember_asked(ctx, event.text, 0,
                                offered=[c.topic for c in decision.candidates])
        else:
            _log(ctx, event.text, decision)
            # Understood, but not the office's work (weather, land, marriage…): say so and where
            # to ask, rather than "not understood" (the intent stays the spec's fallback).
            matcher = get_matcher()
            outside = decision.ruled_out or (
                decision.candidates and decision.candidates[0].topic == OUT_OF_REMIT
                and decision.candidates[0].probability >= matcher.thresholds.outside
                and matcher.known_share(event.text) >= OUTSIDE_KNOWN_WORDS)
            # The topics the remit check set aside are the first options, one tap away; one
            # the menu names already ("Gặp cán bộ") is left to the menu's own door.
            menu = main_menu_buttons()
            on_menu = {button.label for row in menu for button in row}
            entries = matcher.kb.entries
            set_aside = [[Topic(topic).button(entries[topic].title)] for topic in decision.set_aside
                         if topic in entries and entries[topic].title not in on_menu]
            key = "faq.fallback"
            if await get_officer(ctx.session, ctx.contact.id) is not None:
                # "ai chưa nộp ds" not understood: an officer is shown the officers' ways
                # (the citizens' menu offered them «Gặp cán bộ»).
                key, menu, set_aside = "faq.fallback_officer", officer_menu_buttons(), []
            elif outside:
                key = "faq.out_of_remit_doubt" if set_aside else "faq.out_of_remit"
            ctx.reply(t(key), [*set_aside, *menu], intent="fallback", outside=outside)


async def answer_topics(event: Inbound, ctx: Context, decision: Decision) -> None:
    """The answered topic; or two, briefly, for a message that asked two things: the first
    topic's one-sentence brief alone, then the second's, under which are the options of both
    («Chi tiết: <title>» opens each full answer), since a typed number answers the latest
    message only."""
    kb = get_matcher().kb
    pair = [(kb.entries[c.topic], round(c.probability, 3)) for c in decision.candidates]
    if len(pair) == 2 and {e.id for e, _ in pair} <= COURSE_TOPICS:
        pair = pair[:1]  # both would show the same class list
    if len(pair) != 2 or any(e.id == HUMAN_TOPIC for e, _ in pair):
        for entry, confidence in pair:
            await answer_topic(event, ctx, entry, confidence=confidence, offers=decision.offers,
                               runners_up=decision.also_offered)
        return
    # The class list, with its buttons, comes last.
    (first, confidence), (second, second_confidence) = sorted(
        pair, key=lambda ec: ec[0].id in COURSE_TOPICS)
    ctx.reply(brief_text(first), intent=f"faq:{first.id}", confidence=confidence)
    await answer_topic(event, ctx, second, confidence=second_confidence,
                       offers=decision.offers, also=first)


def brief_text(entry: Entry) -> str:
    """One topic of a message that asked two: its title, its brief, its source line."""
    text = t("faq.brief", title=entry.title, brief=entry.brief or entry.answer)
    return render_answer(entry, t("faq.source_line"), text)


def _full_answer(entry: Entry) -> list[list[Button]]:
    """The row that opens the entry's full answer, labelled with its title (two briefs share
    one list)."""
    return [[Topic(entry.id).button(t("faq.button.details_of", title=entry.title))]]


async def answer_topic(
    event: Inbound, ctx: Context, entry: Entry, *, confidence: float,
    offers: tuple[str, ...] = (), also: Entry | None = None,
    runners_up: tuple[str, ...] = (),
) -> None:
    """Send one entry's answer (and, for class topics, the live list; for a person, the
    hand-off); ``offers``: actions the question was about, offered first as buttons;
    ``also``: a topic answered just before in brief: this one is brief too, and both full
    answers are offered;
    ``runners_up``: topics the question was nearly about, offered right after the answer."""
    intent = f"faq:{entry.id}"
    if entry.id == HUMAN_TOPIC and ctx.has_flow(HANDOFF):
        # Asking for a person is a request: the hand-off starts (docs/simulate.md).
        await ctx.start_action(event, HANDOFF)
        return
    text, follow_ups = topic_reply(entry)
    if also is not None:
        # Of the other follow-ups, one (not the topic just answered): a phone-sized message.
        text = brief_text(entry)
        answered = Topic(also.id).pack()
        others = [row for row in follow_ups[1 if entry.details else 0:] if row[0].id != answered]
        follow_ups = _full_answer(also) + _full_answer(entry) + others[:1]
    kb = get_matcher().kb
    offered = _offer_rows(offers, event, [entry.id, *([also.id] if also else [])]) + [
        [Topic(topic).button(kb.entries[topic].title)]
        for topic in runners_up if topic in kb.entries and topic != entry.id]
    follow_ups = offered_first(offered, follow_ups)
    if entry.id in COURSE_TOPICS:
        if (yours := await class_asked_about(ctx)) is not None:
            # Asked inside a form that has her class: that class, not the list (numbered,
            # it read as the form's options).
            ctx.reply(yours, intent=intent, confidence=confidence)
            return
        if ctx.flow is None and (mine := await my_classes(
                ctx, event.text, when_or_where=entry.id != CLASS_LIST_TOPIC)) is not None:
            # The other classes stay one tap away.
            others = [[Topic(CLASS_LIST_TOPIC).button(t("courses.mine.others"))]]
            ctx.reply(mine, others + follow_ups, intent=intent, confidence=confidence)
            return
        ctx.reply(text, intent=intent, confidence=confidence)
        today = ctx.now.astimezone(ctx.config.timezone).date()
        classes = await list_courses(ctx, today, event.text)
        ctx.reply(classes.text, one_per_action(classes.buttons + follow_ups), intent=intent,
                  confidence=confidence).listed = classes.listed
        return
    ctx.reply(text, follow_ups, intent=intent, confidence=confidence)


def _offer_rows(offers: tuple[str, ...], event: Inbound, topics: list[str]) -> list[list[Button]]:
    """The actions offered under an answer, one a row; the registration's general «Đăng ký
    ngay» opens the form at the kind (and country) the question or its answer says."""
    general = Start().pack()
    text = event.text if event.kind == InboundKind.TEXT else ""
    precise = start_under_answer(topics, text) if INTAKE in offers else None
    return [[precise.button(b.label) if precise is not None and b.id == general else b]
            for b in offer_buttons(offers)]


def offered_first(
    offered: list[list[Button]], follow_ups: list[list[Button]]
) -> list[list[Button]]:
    """The options under an answer: what the question was nearly about (an action, a
    runner-up topic) first, taking the places of the last follow-ups, so that an answer's
    first message is no longer with them than without (a phone screen on Zalo)."""
    taken = {b.id for row in follow_ups for b in row}
    first = [row for row in offered if row[0].id not in taken]
    rows = one_per_action(first + follow_ups)
    return rows[:max(len(follow_ups), len(first))]


def one_per_action(rows: list[list[Button]]) -> list[list[Button]]:
    """One option per action under an answer: a row whose button does what another does is
    left out ("1. Đăng ký ngay 2. Đăng ký học nghề": both open the registration form). The same
    button twice keeps the first; an action's general offer («Đăng ký ngay», «Gửi giấy tờ»)
    goes when a more precise way into the same flow is there (the entry's own «Đăng ký học
    nghề», which its answer names; a class of the list)."""
    actions = load_actions()
    offers = {a.offer: a.name.partition(".")[0] for a in actions.actions if a.offer}
    ids = [b.id for row in rows for b in row]
    precise = {flow_of(i) for i in ids if i not in offers}
    seen: set[str] = set()
    kept: list[list[Button]] = []
    for row in rows:
        row = [b for b in row if b.id not in seen and offers.get(b.id) not in precise]
        seen.update(b.id for b in row)
        if row:
            kept.append(row)
    return kept


def topic_reply(entry: Entry) -> tuple[str, list[list[Button]]]:
    """The first message of an answer: the short text with its source, «Xem chi tiết» when the
    entry has details, then the follow-ups."""
    more = [[Details(entry.id).button(t("faq.button.details"))]]
    return (render_answer(entry, t("faq.source_line")),
            (more if entry.details else []) + _follow_ups(entry))


def _follow_ups(entry: Entry) -> list[list[Button]]:
    return [[_follow_up_button(f)] for f in entry.follow_up]


def _follow_up_button(follow_up: FollowUp) -> Button:
    if follow_up.is_topic:
        title = get_matcher().kb.entries[follow_up.target].title
        return Topic(follow_up.target).button(title)
    return Button(follow_up.target, follow_up.label)


def _more_about(ctx: Context, topics: tuple[str, ...]) -> None:
    """"xem chi tiết" typed after an answer (it was read as a new question, out of the remit):
    the answer's details; which answer's, after two; or that there is no more."""
    kb = get_matcher().kb
    entries = [kb.entries[topic] for topic in topics if topic in kb.entries]
    if len(entries) > 1:
        ctx.reply(t("faq.which_details"), [row for e in entries for row in _full_answer(e)],
                  intent="clarify")
        return
    if not entries:
        ctx.reply(t("faq.fallback"), main_menu_buttons(), intent="fallback")
        return
    entry = entries[0]
    if entry.details:
        ctx.reply(entry.details, _follow_ups(entry), intent=f"faq:{entry.id}", confidence=1.0)
        return
    ctx.reply(t("faq.no_more_details"),
              [[b] for b in offer_buttons((HANDOFF,))] + _follow_ups(entry),
              intent=f"faq:{entry.id}", confidence=1.0)


def _answered_just_now(ctx: Context, topic: str, confidence: float) -> None:
    """The short reply to a question asked again and again: it was just answered, «Gặp cán
    bộ», and the answer once more on request."""
    buttons = [[b] for b in offer_buttons((HANDOFF,))]
    buttons.append([Topic(topic).button(t("faq.button.again"))])
    ctx.reply(t("faq.repeated"), buttons, intent=f"faq:{topic}", confidence=confidence,
              repeated=True)


def _clarify(ctx: Context, decision: Decision) -> None:
    kb = get_matcher().kb
    buttons = [[Topic(c.topic).button(kb.entries[c.topic].title)]
               for c in decision.candidates]
    ctx.reply(t("faq.clarify"), buttons, intent="clarify", suggestions=decision.suggestions,
              confidence=decision.confidence)


async def _smalltalk(event: Inbound, ctx: Context, kind: SmallTalk) -> None:
    if kind == SmallTalk.GREETING:
        await ctx.start_flow(event, "menu")
        ctx.replies[-1].meta["intent"] = "smalltalk"
        return
    buttons = [] if kind in (SmallTalk.BYE, SmallTalk.WAIT) else await menu_buttons_for(ctx)
    key = {SmallTalk.THANKS: "faq.thanks", SmallTalk.BYE: "faq.bye", SmallTalk.WAIT: "faq.wait",
           SmallTalk.HARD_TO_READ: "faq.hard_to_read"}.get(kind, "faq.ack")
    ctx.reply(ctx.text(key), buttons, intent="smalltalk")


def _log(ctx: Context, text: str, decision: Decision) -> None:
    nearest = decision.nearest
    record_fallback_question(
        ctx.session, text=text, key=decision.key, outcome=decision.outcome,
        nearest_topic=nearest.topic if nearest else None,
        score=round(nearest.probability, 3) if nearest else 0.0,
        channel=ctx.channel.value, now=ctx.now, contact_id=ctx.contact.id,
    )
