"""``/thongbao``: an officer writes an announcement in chat.

Text (within every channel's limit) → optional photo → communes (a commune officer: their own;
the office: all or typed names) → topic → when (now, or a time outside the quiet hours) →
preview with the number of recipients → confirm. The broadcast is then delivered by the
dispatcher (scheduler/broadcasts.py) like one created from the terminal. How a typed time is
read is send_time.py; the report of past announcements is reports.py.

An offer to announce a new class (new_class.py) goes straight to the preview, unless the class
was announced already or may not be announced (class_announce.py, checked again at «Gửi»).
"""

from __future__ import annotations

from datetime import datetime

from handlers.access import DISTRICT_ROLES, get_officer
from handlers.callbacks import CallbackData
from handlers.context import Context
from handlers.flow import Flow
from handlers.intake.questions import current_units
from handlers.intake.validators import InvalidAnswerError, match_option, match_unit
from handlers.outreach.class_announce import (
    ClassDraft,
    classes_still_to_announce,
    course_draft,
    courses_draft,
)
from handlers.outreach.compose_preview import show_preview, text_room, when_said
from handlers.outreach.compose_steps import (
    INTERESTS,
    NAME,
    AllUnits,
    Cancel,
    Change,
    Interest,
    KeepText,
    NewAnnouncement,
    NoPhoto,
    Now,
    Report,
    Send,
    Step,
    intent,
)
from handlers.outreach.new_class import (
    AnnounceCourse,
    AnnounceCourses,
)
from handlers.outreach.reports import show_report, show_reports
from handlers.outreach.rules import (
    RuleError,
    check_scope,
    check_text,
    check_time,
)
from handlers.outreach.send_time import parse_send_time
from handlers.outreach.subscribe import topics_label
from handlers.textnorm import folded_phrases, is_phrase, option_number, phrase_key
from handlers.types import Button, Inbound, InboundKind
from messages import t
from storage.course_announcements import (
    mark_announced,
)
from storage.models import Officer
from storage.outreach_repo import audience, create_broadcast


class ComposeFlow(Flow):
    name = NAME
    for_officers = True
    commands = ("thongbao",)
    accepts_files = True
    #: Anything but the step's text or photo: "chọn một mục", and the step again.
    reads_non_text = True

    async def start(self, event: Inbound, ctx: Context) -> None:
        officer = await get_officer(ctx.session, ctx.contact.id)
        if officer is None:
            ctx.reply(t("compose.not_officer"), intent=intent("refused"))
            return
        ctx.enter(NAME, Step.TEXT, {})
        _ask_text(ctx)

    def hears_officer_requests(self, ctx: Context) -> bool:
        # Past the announcement's text, "kết quả khảo sát" is a request, the draft waiting; at
        # the text (and under the preview, where a typed text is a new one), a whole message
        # that is a request ("xem kết quả khảo sát") is that request (it became the text).
        return True

    async def repeat(self, event: Inbound, ctx: Context) -> None:
        """The current step again (after «giúp» or a question): what was written is kept."""
        officer = await get_officer(ctx.session, ctx.contact.id)
        if officer is None:
            ctx.leave()
            return
        await _ask_step(ctx, officer)

    async def cancel(self, event: Inbound, ctx: Context) -> None:
        ctx.leave(resume=False)
        ctx.reply(t("compose.cancelled"), intent=intent("cancelled"))

    async def on_callback(self, event: Inbound, ctx: Context, data: CallbackData) -> None:
        officer = await get_officer(ctx.session, ctx.contact.id)
        if officer is None:
            ctx.leave()
            ctx.reply(t("compose.not_officer"), intent=intent("refused"))
            return
        match data:
            case Cancel():
                ctx.leave()
                ctx.reply(t("compose.cancelled"), intent=intent("cancelled"))
                return
            case Report(broadcast_id=broadcast_id):
                await _report(ctx, officer, broadcast_id)
                return
            case AnnounceCourse(course_id=course_id, again=again):
                await _ready(ctx, await course_draft(ctx, officer, course_id, again))
                return
            case AnnounceCourses(batch_id=batch_id):
                await _ready(ctx, await courses_draft(ctx, officer, batch_id, _room))
                return
            case NewAnnouncement():
                await self.start(event, ctx)
                return
        if ctx.flow != NAME:
            await self.start(event, ctx)
            return
        match data:
            case NoPhoto() if ctx.step == Step.PHOTO:
                await _ask_units(ctx, officer)
            case AllUnits() if ctx.step == Step.UNITS:
                ctx.update(units=[])
                await _units_chosen(ctx)
            case Interest() if ctx.step == Step.INTEREST and data in INTERESTS:
                ctx.update(interest=data.value)
                if ctx.data.get("changing"):
                    await show_preview(ctx)
                else:
                    _ask_when(ctx)
            case Change(what="units") if ctx.step == Step.PREVIEW:
                ctx.update(changing=True)
                await _ask_units(ctx, officer)
            case Change(what="interest") if ctx.step == Step.PREVIEW:
                ctx.update(changing=True)
                _ask_interest(ctx)
            case Change(what="text") if ctx.step == Step.PREVIEW:
                _ask_text(ctx)  # the text there is kept until a new one is accepted
            case KeepText() if _editing(ctx):
                await show_preview(ctx)
            case KeepText() if ctx.step == Step.PREVIEW and ctx.data.get("earlier_text"):
                ctx.update(text=ctx.data["earlier_text"])
                ctx.forget("earlier_text")
                await show_preview(ctx)
            case Now() if ctx.step == Step.WHEN:
                ctx.update(at=None)
                await show_preview(ctx)
            case Send() if ctx.step == Step.PREVIEW:
                await _send(ctx, officer)
            case _:
                ctx.reply(t("compose.use_buttons"), intent=intent(ctx.step or ""))
                await _ask_step(ctx, officer)

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        officer = await get_officer(ctx.session, ctx.contact.id)
        if officer is None:
            ctx.leave()
            return
        if ctx.step == Step.PHOTO and event.kind == InboundKind.PHOTO and event.file:
            ctx.update(photo=await ctx.files.put(event.file.data))
            await _ask_units(ctx, officer)
            return
        if event.kind != InboundKind.TEXT:
            ctx.reply(t("compose.use_buttons"), intent=intent(ctx.step or ""))
            await _ask_step(ctx, officer)
            return
        if ctx.step == Step.TEXT:
            await _typed_text(ctx, event.text)
        elif (typed := _typed_choice(ctx.step, event.text)) is not None:
            await self.on_callback(event, ctx, typed)
        elif ctx.step == Step.UNITS:
            await _typed_units(ctx, officer, event.text)
        elif ctx.step == Step.WHEN:
            await _typed_time(ctx, event.text)
        elif ctx.step == Step.PREVIEW and (
            is_phrase(event.text, folded_phrases("intake.words_answer.confirm"))
            or is_phrase(event.text, folded_phrases("compose.words.send"))
        ):
            await _send(ctx, officer)  # "ok", "gửi thông báo" typed under the preview
        elif ctx.step in _OPTIONS_ONLY and (number := option_number(event.text)) is not None:
            # "7" under one option: said which number is not there, as everywhere else (it
            # got the step again as if nothing was typed).
            ctx.reply(t("escapes.unknown_option_number", number=number), intent="number.unknown")
            await _ask_step(ctx, officer)
        elif ctx.step == Step.PREVIEW:
            await _text_at_preview(ctx, event.text)
        else:
            ctx.reply(t("compose.use_buttons"), intent=intent(ctx.step or ""))
            await _ask_step(ctx, officer)


#: Steps answered only by one of their options (a number typed there that is not one of them
#: is said so); at the others a number can be an answer (a time, a commune).
_OPTIONS_ONLY = frozenset({Step.PHOTO, Step.INTEREST, Step.PREVIEW})


def _typed_choice(step: str | None, text: str) -> CallbackData | None:
    """The button a typed answer stands for at this step: officers type briefly ("ko co"
    under the photo question, "lop hoc nghe" for the topic, "gui luon"), and got "chọn một
    mục" back."""
    if step == Step.PHOTO and is_phrase(text, folded_phrases("compose.words.no_photo")):
        return NoPhoto()
    if step == Step.UNITS and is_phrase(text, folded_phrases("compose.words.all_units")):
        return AllUnits()
    if step == Step.WHEN and is_phrase(text, folded_phrases("compose.words.now")):
        return Now()
    if step == Step.PREVIEW:
        for change in (Change("units"), Change("interest"), Change("text")):
            if is_phrase(text, folded_phrases(f"compose.words.change_{change.what}")):
                return change
        if is_phrase(text, folded_phrases("compose.words.keep_text")):
            return KeepText()
    if step == Step.INTEREST:
        options = [(i.value, topics_label([i.value])) for i in INTERESTS]
        synonyms = {value: list(folded_phrases(f"compose.interest_words.{value.replace(':', '_')}"))
                    for value, _ in options}
        try:
            value = match_option(text, options, synonyms)
        except InvalidAnswerError:
            return None
        return next(i for i in INTERESTS if i.value == value)
    return None


async def _ask_step(ctx: Context, officer: Officer) -> None:
    """Ask the question of the step the composition is at, with its buttons."""
    match ctx.step:
        case Step.PHOTO:
            _ask_photo(ctx)
        case Step.UNITS:
            await _ask_units(ctx, officer)
        case Step.INTEREST:
            _ask_interest(ctx)
        case Step.WHEN:
            _ask_when(ctx)
        case Step.PREVIEW:
            await show_preview(ctx)
        case _:
            _ask_text(ctx)


def _ask_text(ctx: Context) -> None:
    """The text; asked again from the preview («Sửa nội dung»), the one there is kept until
    a new one is accepted («Giữ nội dung cũ» goes back to the preview)."""
    ctx.goto(Step.TEXT)
    if _editing(ctx):
        ctx.reply(
            t("compose.ask_new_text"),
            [
                [KeepText().button(t("compose.button.keep_text"))],
                [Cancel().button(t("compose.button.cancel"))],
            ],
            intent=intent(Step.TEXT),
        )
        return
    ctx.reply(
        t("compose.ask_text"),
        [
            [Report().button(t("compose.button.report"))],
            [Cancel().button(t("compose.button.cancel"))],
        ],
        intent=intent(Step.TEXT),
    )


def _editing(ctx: Context) -> bool:
    """Is the text asked for again, from the preview (a draft has one already)?"""
    return ctx.step == Step.TEXT and "text" in ctx.data


async def _typed_text(ctx: Context, typed: str) -> None:
    """The announcement's text: the photo next, or, written again from the preview, the
    preview. One the rules refuse ("🙂", over 1,800 characters: how many it had) is said
    why, and the text asked again (what was there kept)."""
    if _editing(ctx) and is_phrase(typed, folded_phrases("compose.words.keep_text")):
        await show_preview(ctx)
        return
    try:
        text = check_text(typed)
    except RuleError as exc:
        ctx.reply(t(f"outreach.rule.{exc}", **exc.params), intent=intent(Step.TEXT))
        _ask_text(ctx)
        return
    if _editing(ctx):
        ctx.update(text=text)
        ctx.forget("earlier_text")
        await show_preview(ctx)
        return
    ctx.update(text=text)
    _ask_photo(ctx)


#: Under the preview, a message of this many words at most, and short, is a reply ("được",
#: "để sau", "không gửi"), not a new text for the announcement.
_REPLY_WORDS = 3
_REPLY_CHARS = 40


async def _text_at_preview(ctx: Context, typed: str) -> None:
    """A text typed under the preview, not one of its choices: the announcement's new text
    (a class's text the bot wrote, put in the officer's words), shown back in the preview
    before anything is sent, the text it replaced a tap away («Dùng lại nội dung cũ»). It was
    dropped with "chọn một mục", and nothing let the officer change the text. One the rules
    refuse is said why (too long: how long it was), and the text stays as it was. A short
    reply is no text: the choices are named, «Sửa nội dung» among them."""
    if len(typed) <= _REPLY_CHARS and len(phrase_key(typed).split()) <= _REPLY_WORDS:
        ctx.reply(t("compose.use_buttons_preview"), intent=intent(Step.PREVIEW))
        await show_preview(ctx)
        return
    try:
        text = check_text(typed)
    except RuleError as exc:
        ctx.reply("\n".join([t(f"outreach.rule.{exc}", **exc.params), t("compose.text_kept")]),
                  intent=intent(Step.PREVIEW))
        await show_preview(ctx)
        return
    if text != ctx.data["text"]:
        ctx.update(text=text, earlier_text=ctx.data["text"])
        ctx.reply(t("compose.text_replaced"), intent=intent(Step.PREVIEW))
    await show_preview(ctx)


async def _report(ctx: Context, officer: Officer, broadcast_id: int | None) -> None:
    """The latest announcements' report, or one's. Asked for where the text is asked, nothing
    written yet, the report is the answer: the composer is left, the report offering to write
    one, so what is typed next is read as anything an officer types ("danh sách người đã nhận
    thông báo #2" became the announcement's text). Asked for while a text is written again,
    that is asked again after it; at the other steps the draft waits at its step."""
    fresh = ctx.flow == NAME and ctx.step == Step.TEXT and not _editing(ctx)
    if fresh:
        ctx.leave()
    write = [[NewAnnouncement().button(t("compose.button.new"))]] if fresh else []
    if broadcast_id is None:
        await show_reports(ctx, officer, write)
    else:
        await show_report(ctx, officer, broadcast_id, write)
    if ctx.flow == NAME and _editing(ctx):
        _ask_text(ctx)


def _ask_photo(ctx: Context) -> None:
    ctx.goto(Step.PHOTO)
    ctx.reply(
        t("compose.ask_photo"),
        [[NoPhoto().button(t("compose.button.no_photo"))]],
        intent=intent(Step.PHOTO),
    )


async def _ask_units(ctx: Context, officer: Officer) -> None:
    if officer.role not in DISTRICT_ROLES:
        ctx.update(units=[officer.unit_id] if officer.unit_id else [])
        await _units_chosen(ctx)
        return
    ctx.goto(Step.UNITS)
    ctx.reply(
        t("compose.ask_units"),
        [[AllUnits().button(t("compose.button.all_units"))]],
        intent=intent(Step.UNITS),
    )


async def _typed_units(ctx: Context, officer: Officer, text: str) -> None:
    options = await current_units(ctx)
    chosen = []
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        try:
            chosen.append(match_unit(part, options).id)
        except InvalidAnswerError:
            ctx.reply(t("outreach.rule.unit", unit=part.strip()[:60]), intent=intent(Step.UNITS))
            return
    try:
        check_scope(officer, chosen)
    except RuleError as exc:
        ctx.reply(t(f"outreach.rule.{exc}"), intent=intent(Step.UNITS))
        return
    ctx.update(units=chosen)
    await _units_chosen(ctx)


async def _units_chosen(ctx: Context) -> None:
    """The topic next; or, when the communes were chosen again from a preview, the preview."""
    if ctx.data.get("changing"):
        await show_preview(ctx)
    else:
        _ask_interest(ctx)


def _ask_interest(ctx: Context) -> None:
    ctx.goto(Step.INTEREST)
    ctx.reply(
        t("compose.ask_interest"),
        [[i.button(topics_label([i.value]))] for i in INTERESTS],
        intent=intent(Step.INTEREST),
    )


def _when_buttons() -> list[list[Button]]:
    return [[Now().button(t("compose.button.now"))]]


def _ask_when(ctx: Context) -> None:
    ctx.goto(Step.WHEN)
    ctx.reply(t("compose.ask_when"), _when_buttons(), intent=intent(Step.WHEN))


async def _typed_time(ctx: Context, text: str) -> None:
    zone = ctx.config.timezone
    parsed = parse_send_time(text, ctx.now.astimezone(zone))
    if parsed is None:
        ctx.reply(t("compose.bad_time"), _when_buttons(), intent=intent(Step.WHEN))
        return
    try:
        when = check_time(parsed, ctx.now, zone, ctx.config.quiet_hours)
    except RuleError as exc:
        ctx.reply(t(f"outreach.rule.{exc}"), _when_buttons(), intent=intent(Step.WHEN))
        return
    ctx.update(at=when.isoformat())
    await show_preview(ctx)


async def _send(ctx: Context, officer: Officer) -> None:
    data = ctx.data
    if not data.get("at") and not (
        await audience(ctx.session, data.get("units", []), data["interest"])
    ).contact_ids:
        # Sent now it would reach nobody ("ok" typed under that preview): the preview again.
        await show_preview(ctx)
        return
    courses = await classes_still_to_announce(ctx, officer)
    if courses is None:
        return
    at = datetime.fromisoformat(data["at"]) if data.get("at") else ctx.now
    broadcast = await create_broadcast(
        ctx.session,
        unit_ids=[int(u) for u in data.get("units", [])],
        interest=data["interest"],
        text=data["text"],
        send_at=at,
        now=ctx.now,
        officer_id=officer.id,
        photo_sha256=data.get("photo", ""),
        course_id=data.get("course"),
    )
    if data.get("courses"):
        mark_announced(ctx.session, broadcast, courses, ctx.now)
    ctx.leave()
    # "Đã lên lịch" after «Gửi ngay» read as a delay: said when it goes.
    when = when_said(ctx, at if data.get("at") else None)
    ctx.reply(t("compose.created", id=broadcast.id,
                when=t("compose.at", at=when) if data.get("at") else when),
              intent=intent("created"))


async def preview_ready(
    ctx: Context,
    text: str,
    units: list[int],
    *,
    course: int | None = None,
    again: int | None = None,
    courses: list[int] | None = None,
    batch: int | None = None,
) -> None:
    """An announcement written by the bot (a new class, a survey invitation): straight to the
    preview with its recipient count, sent when the officer confirms. ``course``: the class it
    is about (``again``: the announcement of it the officer chose to send again); ``courses``:
    the classes a joint announcement names (``batch``: the summary offer it came from)."""
    data: dict[str, object] = {"text": text, "units": units, "interest": "training"}
    extra = {"course": course, "again": again, "courses": courses, "batch": batch}
    data.update({key: value for key, value in extra.items() if value is not None})
    ctx.enter(NAME, Step.PREVIEW, data)
    await show_preview(ctx)


async def _ready(ctx: Context, draft: ClassDraft | None) -> None:
    """A class announcement's draft to its preview (nothing when it was refused, said why)."""
    if draft is not None:
        await preview_ready(ctx, draft.text, draft.units, course=draft.course,
                            again=draft.again, courses=draft.courses, batch=draft.batch)


async def _room(ctx: Context, units: list[int]) -> int:
    return await text_room(ctx, {"units": units, "interest": "training"})
