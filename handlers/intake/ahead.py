"""An answer typed at another question than the one asked: a later question's ("0987 654 321"
at the gender question, "tày" at the village question, "Nguyễn Văn Nam" at "for whom?"), two at
once (a name with its birth date, a commune with its village), a correction (a phone number
typed again), another class. What it answers is kept and that question not asked; the note says
so. (What a request says before the form starts is prefill.py.)"""

from __future__ import annotations

from handlers.context import Context
from handlers.intake.answers import (
    CourseFullError,
    apply_choice,
    apply_text,
    choose_course,
    options_named,
    typed_option,
)
from handlers.intake.drafts import touch
from handlers.intake.prefill import named_courses, prefilled_note
from handlers.intake.questions import (
    CHOICES,
    choice_label,
    cipher,
    display,
    exact_unit,
    labelled,
    local_today,
    named_unit,
    options_for,
)
from handlers.intake.steps import FIELD, TYPED, Step, answered, sequence
from handlers.intake.validators import (
    MAX_NAME_WORDS,
    InvalidAnswerError,
    name_and_birth,
    parse_date,
    parse_phone,
    parse_place,
)
from handlers.textnorm import contains_phrase, fold, folded_phrases
from messages import t
from storage.models import Course, IntakeDraft, Unit


async def answer_ahead(
    ctx: Context, draft: IntakeDraft, step: Step, text: str
) -> str | None:
    """A later question's answer typed at ``step`` ("0987 654 321" at the gender question) is
    kept for it, and that question not asked; returns the note saying so, or None. Only answers
    no other question could have: a mobile number, a village ("thôn 5"), a household's kind
    ("hộ cận nghèo"), a commune's exact name."""
    applicable = sequence(draft.data)

    def waiting(later: Step) -> bool:
        return later != step and later in applicable and not answered(later, draft.data)

    # A number typed again at a choice or a name is a correction ("0987654322" after "sai
    # rồi"): it got "chọn một trong các mục", where the first had been kept. Not at the ID or
    # the date: a mistyped ID may read as a mobile number.
    if (waiting(Step.PHONE) or (step not in TYPED and Step.PHONE in applicable)) and (
            number := _kept_phone(ctx, draft, text)) is not None:
        return prefilled_note([labelled("phone", number)])
    if waiting(Step.VILLAGE) and _names_a_village(text):
        try:
            village = parse_place(text)
        except InvalidAnswerError:
            pass
        else:  # "thon 5" at the phone question
            touch(draft, ctx.now, village=village)
            return prefilled_note([labelled("village", village)])
    if waiting(Step.HOUSEHOLD) and contains_phrase(
        text, folded_phrases("intake.not_name.later_words")
    ):
        option = typed_option(Step.HOUSEHOLD, text, await options_for(Step.HOUSEHOLD, ctx),
                              strict=False)
        if option is not None:  # "hộ cận nghèo" at the ethnicity question
            touch(draft, ctx.now, **{FIELD[Step.HOUSEHOLD]: option.value})
            return prefilled_note([labelled("household", option.label)])
    if ((waiting(Step.COMMUNE) or step == Step.COMMUNE)
            and (waiting(Step.VILLAGE) or step == Step.VILLAGE)
            and (note := await commune_and_village(ctx, draft, text)) is not None):
        return note  # "xã Thái Sơn, thôn 7" at the name or the commune question
    if waiting(Step.COMMUNE) and (unit := await exact_unit(ctx, text)) is not None:
        touch(draft, ctx.now, unit_id=unit.id, unit_name=unit.name)
        return prefilled_note([labelled("commune", unit.name)])
    if step in CHOICES and step != Step.ETHNICITY and waiting(Step.NAME) and _typed_as_name(
            text):
        # "Nguyễn Văn Nam" at "for whom?" got "chọn một trong các mục": the name is kept
        # for its question, and "for whom?" asked again. (An ethnicity may be typed as
        # words the options do not have.)
        try:
            await apply_text(ctx, draft, Step.NAME, text)
        except InvalidAnswerError:
            return None
        return prefilled_note([labelled("full_name", draft.data["full_name"])])
    named = options_named(text, besides=step) if step in TYPED else {}
    if len(named) == 1:
        # "hàn quốc" at the ID question, the country read from the request already: said so
        # (it got "Số căn cước chỉ gồm chữ số").
        [(other, value)] = named.items()
        if other in applicable and draft.data.get(FIELD[other]) == value:
            return t("intake.already_noted",
                     item=labelled(other.value, choice_label(other, value)))
    return None


def _typed_as_name(text: str) -> bool:
    """Is ``text`` written as a full name is, typed on its own: two words or more, each with
    a capital ("Nguyễn Văn Nam", not "toi chua biet"), naming no option of any question
    ("Hàn Quốc")?"""
    words = text.split()
    return (2 <= len(words) <= MAX_NAME_WORDS and all(w[:1].isupper() for w in words)
            and not options_named(text, besides=Step.NAME))


def phone_corrected(ctx: Context, draft: IntakeDraft, text: str) -> str | None:
    """A mobile number typed at the summary ("sai số điện thoại", then "0912 333 444")
    replaces the phone; the note saying so, or None for any other text. It got "answer by
    number", and "đúng rồi" then registered the wrong number."""
    number = _kept_phone(ctx, draft, text)
    return None if number is None else t("intake.corrected", item=labelled("phone", number))


def _kept_phone(ctx: Context, draft: IntakeDraft, text: str) -> str | None:
    """The mobile number ``text`` is (or holds), kept as the phone; None when it is none."""
    try:
        number = parse_phone(text)
    except InvalidAnswerError:
        return None
    touch(draft, ctx.now, phone_enc=cipher(ctx).encrypt(number))
    return number


#: parse_date's reason for words that are no date at all.
DATE_UNREAD = "date_format"


async def name_with_birth(ctx: Context, draft: IntakeDraft, text: str) -> str | None:
    """At the name question, a name and its birth date in one message ("Triệu Văn Long, sinh
    ngày 12/10/1993"; it got "Họ tên không có chữ số"): both kept, the note saying the date
    was; None when the text is not that (the name question reads it as usual). A date read but
    refused (a year alone, too young for the kind) is left for the date question, the note
    saying why."""
    split = name_and_birth(text)
    if split is None:
        return None
    name, birth = split
    try:
        parse_date(birth, local_today(ctx))
    except InvalidAnswerError as exc:
        if exc.reason == DATE_UNREAD:
            return None  # no date after all ("Nguyễn Văn A thôn 5"): nothing kept
    try:
        await apply_text(ctx, draft, Step.NAME, name)
    except InvalidAnswerError:
        return None  # the name refused: read as the name question reads anything
    try:
        await apply_text(ctx, draft, Step.DOB, birth)
    except InvalidAnswerError as exc:
        # A year alone ("Lò Thị Mai 1975"), or too young for the kind: the name kept, the
        # date asked, saying why.
        return ctx.text(f"intake.invalid.{exc.reason}", **exc.params)
    return prefilled_note([labelled("dob", display(Step.DOB, draft.data, ctx) or "")])


async def class_changed(
    ctx: Context, draft: IntakeDraft, text: str, *, at_question: bool = False
) -> str | None:
    """"chuyển sang lớp may" in the middle of a class registration: the one open class of the
    trade named becomes the form's class (the commune's first), the note saying so; None when
    the words ask no change (``courses.change.words``) or name no single class. At the class
    question itself (``at_question``) naming the trade is enough ("lớp may" got "chọn một
    trong các mục"), unless the words name a commune that class is not in ("lớp may ở Phù
    Lưu": that commune's classes are shown instead)."""
    if draft.data.get("kind") != "course" or not (at_question or contains_phrase(
            text, folded_phrases("courses.change.words"))):
        return None
    place = await named_unit(ctx, text) if at_question else None
    unit_id = place.id if place is not None else draft.data.get("unit_id")
    named = await named_courses(ctx, text, unit_id if isinstance(unit_id, int) else None)
    course_id = named.get("course_id")
    if not isinstance(course_id, int) or course_id == draft.data.get("course_id"):
        return None
    course = await ctx.session.get(Course, course_id) if place is not None else None
    if course is not None and place is not None and course.unit_id != place.id:
        return None
    try:
        await choose_course(ctx, draft, course_id, waitlist=False)
    except (CourseFullError, InvalidAnswerError):
        return None  # full meanwhile: the class question offers its waiting list
    return prefilled_note([labelled("course", str(draft.data.get("course_label", "")))])


def asks_other_class(draft: IntakeDraft, text: str) -> bool:
    """"chuyển lớp khác" in the middle of a class registration, naming no class
    (``class_changed`` found none): the class question again. At the name question it was
    saved as the person's name ("Chuyen Lop Khac")."""
    return draft.data.get("kind") == "course" and contains_phrase(
        text, folded_phrases("courses.change.words"))


#: Options of later questions that, typed at the village question, are their answer, not a
#: village: no village is called "Tày" or "hộ nghèo" ("không", "không rõ" may be said of the
#: village itself).
_NO_VILLAGE_NAMES = {
    Step.ETHNICITY: frozenset(CHOICES[Step.ETHNICITY]) - {"other"},
    Step.HOUSEHOLD: frozenset({"ho_ngheo", "can_ngheo", "moi_thoat_ngheo"}),
}


async def option_at_village(ctx: Context, draft: IntakeDraft, text: str) -> str | None:
    """"tày" typed at the village question (the ethnicity comes next) is that answer, the
    note saying so; it was kept as the village. None for anything else."""
    named = options_named(text, besides=Step.VILLAGE)
    if len(named) != 1:
        return None
    [(step, value)] = named.items()
    if (value not in _NO_VILLAGE_NAMES.get(step, ()) or answered(step, draft.data)
            or step not in sequence(draft.data)):
        return None
    await apply_choice(ctx, draft, step, value)
    return prefilled_note([labelled(step.value, choice_label(step, value))])


async def commune_and_village(ctx: Context, draft: IntakeDraft, text: str) -> str | None:
    """"xã Thái Sơn, thôn 7": both kept, the note saying so; None when the text is not a
    commune's exact name then a village. At the village question it was kept whole as the
    village ("Thai Hoa, Thon 2")."""
    place = await _commune_and_village(ctx, text)
    if place is None:
        return None
    commune, village = place
    touch(draft, ctx.now, unit_id=commune.id, unit_name=commune.name, village=village)
    return prefilled_note([labelled("commune", commune.name), labelled("village", village)])


async def _commune_and_village(ctx: Context, text: str) -> tuple[Unit, str] | None:
    """"xã Thái Sơn thôn 7", "thai son, thon 7": a commune's exact name, then a village."""
    words = text.replace(",", " ").split()
    at = next((i for i, w in enumerate(words)
               if i and fold(w) in folded_phrases("intake.typed_ahead.village_words")), None)
    if at is None or not _names_a_village(place := " ".join(words[at:])):
        return None
    unit = await exact_unit(ctx, " ".join(words[:at]))
    try:
        return (unit, parse_place(place)) if unit is not None else None
    except InvalidAnswerError:
        return None


def _names_a_village(text: str) -> bool:
    """"thôn 5", "xóm Làng Bục": a village word, then its name (at most three words)."""
    words = fold(text).split()
    return 2 <= len(words) <= 4 and words[0] in folded_phrases("intake.typed_ahead.village_words")
