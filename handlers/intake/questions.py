"""What each question says and offers: text, example, option buttons, and the summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from handlers.callbacks import CallbackData
from handlers.context import Context
from handlers.intake.buttons import (
    Back,
    Cancel,
    Choose,
    ClassPage,
    Confirm,
    Edit,
    Summary,
    ToMenu,
)
from handlers.intake.steps import (
    BIRTH_YEAR,
    FIELD,
    QUESTIONS,
    SUMMARY_ROWS,
    TYPED,
    Step,
    answered,
    remaining,
    sequence,
)
from handlers.intake.validators import InvalidAnswerError, match_option, match_unit, unit_in_words
from handlers.textnorm import after_lead, fold, folded_phrases, is_phrases, phrase_key
from handlers.types import Button, Reply
from messages import has, raw, t
from storage.course_announcements import JOINABLE
from storage.crypto import Cipher
from storage.models import Course, IntakeDraft, Unit

#: Fixed choices: the stored value (ASCII, also in the button id) → label key intake.option.*.
CHOICES: dict[Step, tuple[str, ...]] = {
    Step.WHO: ("self", "relative"),
    Step.RELATIONSHIP: ("child", "spouse", "sibling", "parent", "grandchild", "other"),
    Step.KIND: ("abroad", "course"),
    Step.GENDER: ("male", "female"),
    Step.ETHNICITY: ("kinh", "tay", "dao", "caolan", "mong", "nung", "sanchay", "other"),
    Step.HOUSEHOLD: ("ho_ngheo", "can_ngheo", "moi_thoat_ngheo", "khong", "khong_ro"),
    Step.MARKET: ("japan", "korea", "taiwan", "other", "unsure"),
}
SKIP = "skip"
#: The course "value" meaning: no class chosen, wait for the next one.
NEXT_CLASS = "0"
#: Classes people can still register for.
OPEN_COURSE_STATUSES = JOINABLE


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str


def cipher(ctx: Context) -> Cipher:
    return Cipher(ctx.config.encryption_key)


def local_today(ctx: Context) -> date:
    return ctx.now.astimezone(ctx.config.timezone).date()


def choice_label(step: Step, value: str) -> str:
    return t(f"intake.option.{step.value}.{value}")


def option_label(group: str, value: str | None) -> str:
    """A stored choice as people read it; a value with no label is shown as stored."""
    key = f"intake.option.{group}.{value}"
    return t(key) if value and has(key) else (value or "")


async def current_units(ctx: Context) -> list[Unit]:
    """Communes valid today (the merged ones have valid_to set)."""
    today = local_today(ctx)
    rows = await ctx.session.scalars(
        select(Unit)
        .where(Unit.valid_to.is_(None), Unit.valid_from <= today)
        .order_by(Unit.name_key)
    )
    return list(rows)


async def exact_unit(ctx: Context, text: str) -> Unit | None:
    """The commune ``text`` is, by its exact name ("phu luu", "xã Phù Lưu"), or None: an
    answer typed before its question, where a sentence naming a commune is not one."""
    try:
        return match_unit(text, await current_units(ctx), close=False)
    except InvalidAnswerError:
        return None


async def named_unit(ctx: Context, text: str) -> Unit | None:
    """The commune a message names ("nhận tin lớp mới ở phu luu", "o phu lu"), if any."""
    words = fold(text).replace(",", " ").replace(".", " ").split()
    return unit_in_words(words, await current_units(ctx))


async def open_courses(ctx: Context) -> list[Course]:
    rows = await ctx.session.scalars(
        select(Course)
        .where(Course.status.in_(OPEN_COURSE_STATUSES), Course.start_date >= local_today(ctx))
        .order_by(Course.start_date, Course.id)
    )
    return list(rows)


async def course_label(ctx: Context, course: Course) -> str:
    unit = await ctx.session.get(Unit, course.unit_id) if course.unit_id else None
    return t(
        "intake.summary.course_label",
        occupation=course.occupation,
        unit=unit.name if unit else course.venue,
        start=course.start_date.strftime("%d/%m/%Y"),
    )


async def options_for(step: Step, ctx: Context) -> list[Option]:
    if step in CHOICES:
        return [Option(v, choice_label(step, v)) for v in CHOICES[step]]
    if step == Step.COMMUNE:
        return [Option(str(u.id), u.name) for u in await current_units(ctx)]
    if step == Step.COURSE:
        courses = [Option(str(c.id), await course_label(ctx, c)) for c in await open_courses(ctx)]
        # No class open: the waiting list for the next one is still a real answer.
        return courses or [Option(NEXT_CLASS, t("intake.button.waitlist_new"))]
    if step == Step.CITIZEN_ID:
        return [Option(SKIP, t("intake.button.skip"))]
    return []


def nav_row(*, in_edit: bool = False) -> list[Button]:
    back = "intake.button.back_to_summary" if in_edit else "intake.button.back"
    return [
        Back().button(t(back)),
        Cancel().button(t("intake.button.cancel")),
        ToMenu().button(t("intake.button.menu")),
    ]


def option_rows(step: Step, options: list[Option]) -> list[list[Button]]:
    buttons = [Choose(step, o.value).button(o.label) for o in options]
    # Short labels two to a row keep the keyboard small on a phone; long ones get a row each.
    if all(len(b.label) <= 14 for b in buttons):
        return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return [[b] for b in buttons]


def display(step: Step, data: dict[str, Any], ctx: Context) -> str | None:
    """The answer to ``step`` as the user should read it (None: not answered)."""
    value = data.get(FIELD[step])
    if value is None:
        return None
    if step == Step.PHONE:
        return cipher(ctx).decrypt(value)
    if step == Step.CITIZEN_ID:
        return cipher(ctx).decrypt(value) if value else t("intake.summary.skipped")
    if step == Step.DOB:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    if step == Step.COMMUNE:
        return str(data.get("unit_name", ""))
    if step == Step.ETHNICITY:
        return str(data.get("ethnicity", ""))
    if step == Step.COURSE:
        note = f" {t('intake.summary.waitlist_note')}" if data.get("waitlist") else ""
        return f"{data.get('course_label', '')}{note}"
    if step == Step.WHO:
        # The option reads "Cho bản thân tôi"; beside "Đăng ký cho:" that said "cho" twice.
        return t(f"intake.summary.who.{value}")
    if step in CHOICES:
        return choice_label(step, str(value))
    return str(value)


async def ask(ctx: Context, draft: IntakeDraft, step: Step, *, note: str | None = None) -> Reply:
    """Put the question ``step`` to the user (with ``note`` above it, e.g. why it is re-asked)."""
    draft.step = step.value
    ctx.enter("intake", step.value, {})
    data = draft.data
    parts = [note] if note else []
    year = data.get(BIRTH_YEAR) if step == Step.DOB else None  # "sinh năm 1996" said before
    key = "intake.ask.dob_day_month" if year else f"intake.ask.{step.value}"
    if data.get("who") == "relative" and has(f"{key}_relative"):
        key += "_relative"  # the name and the date of the person registered, not the asker's
    counter = ""
    if step in sequence(data):
        left = remaining(data) + (1 if answered(step, data) else 0)
        counter = t("intake.question_counter", left=left)
    parts.append(counter + ctx.text(key, year=year or ""))
    current = display(step, data, ctx) if step in QUESTIONS else None
    if current:
        parts.append(t("intake.current_value", value=current))
    if shows_example(step):
        shown = t("intake.example.dob_day_month") if year else example(step)
        parts.append(t("intake.example_line", example=shown))
    options = await options_for(step, ctx)
    if step == Step.COURSE and [o.value for o in options] == [NEXT_CLASS]:
        parts.append(t("intake.ask.course_none"))
    more: list[list[Button]] = []
    if step == Step.COURSE and len(options) > CLASSES_PER_PAGE:
        options, more = await _class_page(ctx, data, parts)
    rows = [*option_rows(step, options), *more, nav_row(in_edit=bool(data.get("editing")))]
    return ctx.reply("\n".join(parts), rows, intent=f"flow:intake.{step.value}")


#: Classes offered in one message: a longer list does not read on a small phone.
CLASSES_PER_PAGE = 5


async def _class_page(
    ctx: Context, data: dict[str, Any], parts: list[str]
) -> tuple[list[Option], list[list[Button]]]:
    """One page of the open classes: those of the commune asked for ("lớp ở Bạch Xa"), else
    those of the applicant's commune first; a button for the next page."""
    courses = await open_courses(ctx)
    wanted = data.get("class_unit")
    if isinstance(wanted, int):
        courses = [c for c in courses if c.unit_id == wanted]
        parts.append(t("intake.classes.filtered", unit=str(data.get("class_unit_name", ""))))
    home = data.get("unit_id")
    courses.sort(key=lambda c: c.unit_id != home)  # stable: by start date within each
    page = int(data.get("class_page") or 0)
    start = page * CLASSES_PER_PAGE
    if start >= len(courses):
        page, start = 0, 0
    shown = courses[start : start + CLASSES_PER_PAGE]
    options = [Option(str(c.id), await course_label(ctx, c)) for c in shown]
    if len(courses) > CLASSES_PER_PAGE:
        parts.append(t("intake.classes.page", first=start + 1, last=start + len(shown),
                       total=len(courses)))
    else:
        parts.append(t("intake.classes.all"))
    buttons: list[list[Button]] = []
    if start + CLASSES_PER_PAGE < len(courses):
        buttons.append([ClassPage(page + 1).button(t("intake.classes.more"))])
    elif page:
        buttons.append([ClassPage(0).button(t("intake.classes.first"))])
    return options, buttons


def _example_key(step: Step) -> str:
    return {Step.NAME: "full_name", Step.ETHNICITY_OTHER: "ethnicity_other"}.get(step, step.value)


def shows_example(step: Step) -> bool:
    """Typed questions carry an example line; choice questions have their buttons."""
    return step in TYPED or step in (Step.NAME, Step.VILLAGE, Step.ETHNICITY_OTHER, Step.COMMUNE)


def example(step: Step) -> str:
    if shows_example(step):
        return t(f"intake.example.{_example_key(step)}")
    return t("intake.example.choice")


def summary_text(data: dict[str, Any], ctx: Context) -> str:
    lines = [t("intake.summary.title")]
    applicable = set(sequence(data))
    for field, step in SUMMARY_ROWS:
        if step not in applicable:
            continue
        lines.append(f"• {t(f'intake.field.{field}')}: {display(step, data, ctx) or '—'}")
    lines.append(ctx.text("intake.summary.footer"))
    return "\n".join(lines)


def _summary_options() -> list[tuple[str, CallbackData, str]]:
    """The summary's options: (name, button data, label)."""
    return [("confirm", Confirm(), t("intake.button.confirm")),
            ("edit", Edit(), t("intake.button.edit")),
            ("cancel", Cancel(), t("intake.button.cancel"))]


def _edit_options(data: dict[str, Any]) -> list[tuple[str, CallbackData, str]]:
    """The edit list's options: each field the form has (by its summary name), then back."""
    applicable = set(sequence(data))
    fields: list[tuple[str, CallbackData, str]] = [
        (field, Edit(step), t(f"intake.field.{field}"))
        for field, step in SUMMARY_ROWS if step in applicable]
    return [*fields, ("summary", Summary(), t("intake.button.back_to_summary"))]


def summary_buttons() -> list[list[Button]]:
    return [[data.button(label)] for _, data, label in _summary_options()]


def edit_buttons(data: dict[str, Any]) -> list[list[Button]]:
    *fields, back = [option.button(label) for _, option, label in _edit_options(data)]
    rows = [fields[i : i + 2] for i in range(0, len(fields), 2)]
    return [*rows, [back]]


def says_confirm(text: str) -> bool:
    """"đúng rồi", "ok", "dạ vâng ạ", "ok đúng hết rồi": the summary confirmed in words."""
    return is_phrases(text, folded_phrases("intake.words_answer.confirm"))


def typed_button(ctx: Context, draft: IntakeDraft, text: str) -> CallbackData | None:
    """The summary's or the edit list's option a typed answer names ("đúng rồi", "sửa", "số
    điện thoại": by label, confirmation word, or a word of ``intake.synonyms.summary`` /
    ``intake.synonyms.edit``), or None (at any other step, or naming none or several)."""
    if ctx.step == Step.SUMMARY.value and says_confirm(text):
        return Confirm()  # "đúng rồi", "ok" (its words come with their particles)
    if ctx.step == Step.SUMMARY.value:
        # "sửa ngày sinh", "đổi số điện thoại": the field to edit, named at once (it got
        # "answer by number" and the summary again).
        return (_typed_option(text, _summary_options(), "summary")
                or _typed_option(_without_edit_word(text), _edit_options(draft.data)[:-1], "edit"))
    if ctx.step == Step.EDIT.value:
        return _typed_option(text, _edit_options(draft.data), "edit")
    return None


def _typed_option(
    text: str, options: list[tuple[str, CallbackData, str]], words: str
) -> CallbackData | None:
    """The option ``text`` names by its label or a word of ``intake.synonyms.<words>``."""
    keys = {name: f"intake.synonyms.{words}.{name}" for name, _, _ in options}
    synonyms = {name: list(raw(key)) for name, key in keys.items() if has(key)}
    try:
        chosen = match_option(text, [(name, label) for name, _, label in options], synonyms,
                              loose=False)
    except InvalidAnswerError:
        return None
    return next(option for name, option, _ in options if name == chosen)


def _without_edit_word(text: str) -> str:
    """"sửa ngày sinh", "sai số điện thoại", "số điện thoại bị sai" → the field: the words
    asking to edit (``intake.edit_lead``) dropped from the front or the end."""
    text = after_lead(text, folded_phrases("intake.edit_lead.words")) or text
    key = phrase_key(text)
    for tail in sorted(folded_phrases("intake.edit_lead.tail_words"), key=len, reverse=True):
        if key.endswith(f" {tail}"):
            return key.removesuffix(f" {tail}")
    return text


def labelled(field: str, value: str) -> str:
    """"Quan hệ: Con": the summary's own field name, so a bare "Con" is not left to guess."""
    return f"{t(f'intake.field.{field}')}: {value}"
