"""Applying an answer to the draft: validation, and keeping earlier answers consistent."""

from __future__ import annotations

from datetime import date
from functools import cache

from sqlalchemy import select

from handlers.context import Context
from handlers.intake.drafts import drop, touch
from handlers.intake.faq_bridge import asks_question
from handlers.intake.questions import (
    CHOICES,
    NEXT_CLASS,
    SKIP,
    Option,
    choice_label,
    cipher,
    course_label,
    current_units,
    local_today,
    options_for,
)
from handlers.intake.steps import BIRTH_YEAR, FIELD, MIN_AGE, Step
from handlers.intake.validators import (
    MAX_AGE,
    MAX_NAME_WORDS,
    InvalidAnswerError,
    check_age,
    exact_option,
    match_option,
    match_unit,
    parse_citizen_id,
    parse_date,
    parse_ethnicity,
    parse_name,
    parse_phone,
    parse_place,
)
from handlers.textnorm import contains_phrase, fold, folded_phrases, is_phrase, is_word, nfc
from messages import has, raw, t
from messages.deployment import profile
from storage.cases_repo import is_full
from storage.models import Course, IntakeDraft


class CourseFullError(Exception):
    """The chosen class has no seat left: offer the waiting list."""

    def __init__(self, course: Course) -> None:
        super().__init__(course.code)
        self.course = course


async def apply_choice(ctx: Context, draft: IntakeDraft, step: Step, value: str) -> None:
    """A pressed option (or a typed label that matched one)."""
    options = await options_for(step, ctx)
    if value not in {o.value for o in options}:
        raise InvalidAnswerError("choose_option")
    now = ctx.now
    if step == Step.WHO:
        if value == "relative" and draft.data.get("who") != "relative":
            drop(draft, BIRTH_YEAR)  # "em sinh năm 1996" was the speaker's
        touch(draft, now, who=value)
        if value == "self":
            touch(draft, now, relationship="self")
        elif draft.data.get("relationship") == "self":
            drop(draft, "relationship")
    elif step == Step.KIND:
        if draft.data.get("kind") != value:
            drop(draft, "market", "course_id", "course_label", "waitlist")
        touch(draft, now, kind=value)
        _recheck_age(ctx, draft)
    elif step == Step.ETHNICITY:
        if value == "other":
            drop(draft, "ethnicity")
            touch(draft, now, ethnicity_choice="other")
        else:
            touch(draft, now, ethnicity_choice=value, ethnicity=choice_label(step, value))
    elif step == Step.COMMUNE:
        label = next(o.label for o in options if o.value == value)
        touch(draft, now, unit_id=int(value), unit_name=label)
    elif step == Step.COURSE:
        await choose_course(ctx, draft, int(value), waitlist=False)
    elif step == Step.CITIZEN_ID and value == SKIP:
        touch(draft, now, citizen_id_enc="")
    elif step == Step.GENDER:
        touch(draft, now, gender=value)
        _recheck_citizen_id(ctx, draft)
    elif step in CHOICES:
        touch(draft, now, **{FIELD[step]: value})
    else:
        raise InvalidAnswerError("choose_option")


@cache
def _commune_names() -> frozenset[str]:
    """The deployment's communes as "xã <name>", folded. The name alone may be a person's
    ("Thái Sơn", "Thái Hòa"): never refused."""
    return frozenset(f"xa {fold(c.name)}" for c in profile().communes)


#: The name question's refusal of a sentence or a request ("dang ky nhan thong bao lop moi").
NAME_SENTENCE = "name_sentence"


def not_a_name(text: str, *, for_relative: bool = False) -> str | None:
    """Why ``text``, typed at the name question, is no name (the ``intake.invalid`` reason),
    or None: "bản thân" (themselves), "con trai tôi" (who, not the name), "hộ nghèo" (a later
    question, "xã Hàm Yên" too), a sentence or a request."""
    if is_phrase(text, folded_phrases("intake.not_name.self_answers")) or contains_phrase(
        text, folded_phrases("intake.not_name.self_words")
    ):
        return "name_self_relative" if for_relative else "name_self"
    for kind in ("relative", "later"):
        if contains_phrase(text, folded_phrases(f"intake.not_name.{kind}_words")):
            return f"name_{kind}"
    if is_phrase(text, _commune_names()):
        return "name_later"  # "xã Hàm Yên", typed a question early: the commune comes later
    if contains_phrase(text, folded_phrases("intake.not_name.phrases")) or (
        len(text.split()) > MAX_NAME_WORDS
    ):
        return NAME_SENTENCE
    if _holds_no_name_word(text):
        # "sai rồi", "để sau": said to be no name, not read as a question ("quay lại đi" got
        # the answer about coming home).
        return "name_words"
    return None


def _holds_no_name_word(text: str) -> bool:
    """Does ``text`` hold a word no personal name holds (``intake.not_name.never_*``)? A word
    typed with its marks is compared as typed, one without only with the plain spellings that
    are no name's either way ("khác" is no name, "Khắc" is; "khac" may be either)."""
    words = [w.strip(".,!?…") for w in nfc(text).lower().split()]
    return any(
        is_word(word, "intake.not_name.never_words", plain="intake.not_name.never_plain")
        or (n == 0 and word.isascii()
            and word in folded_phrases("intake.not_name.never_first_plain"))
        for n, word in enumerate(words))


async def apply_text(ctx: Context, draft: IntakeDraft, step: Step, text: str) -> None:
    """A typed answer; raises InvalidAnswerError with the reason when it is not valid."""
    now = ctx.now
    data = draft.data
    if step == Step.NAME:
        refusal = not_a_name(text, for_relative=data.get("who") == "relative")
        if refusal is not None:
            raise InvalidAnswerError(refusal, sentence=refusal == NAME_SENTENCE)
        touch(draft, now, full_name=parse_name(text))
    elif step == Step.DOB:
        birth = _read_birth(ctx, draft, text)
        kind = data.get("kind")
        if kind in MIN_AGE:
            check_age(birth, local_today(ctx), MIN_AGE[kind])
        touch(draft, now, dob=birth.isoformat())
        drop(draft, BIRTH_YEAR)
        _recheck_citizen_id(ctx, draft)
    elif step == Step.PHONE and says_none(text):
        # "không có" got "Số điện thoại chỉ gồm chữ số": a family without a phone is told
        # whose number will do.
        raise InvalidAnswerError("phone_none")
    elif step == Step.PHONE:
        touch(draft, now, phone_enc=cipher(ctx).encrypt(parse_phone(text)))
    elif step == Step.CITIZEN_ID and says_no_citizen_id(text):
        touch(draft, now, citizen_id_enc="")  # optional: "không có", "chưa có", "bỏ qua"
    elif step == Step.CITIZEN_ID:
        number = parse_citizen_id(text, birth=_birth(data), gender=data.get("gender"))
        touch(draft, now, citizen_id_enc=cipher(ctx).encrypt(number))
    elif step == Step.VILLAGE:
        touch(draft, now, village=parse_place(text))
    elif step == Step.ETHNICITY and (
        option := typed_option(step, text, await options_for(step, ctx), strict=False)
    ):
        await apply_choice(ctx, draft, step, option.value)
    elif step in (Step.ETHNICITY_OTHER, Step.ETHNICITY):
        # A typed name not among the buttons is simply the answer ("Hoa", "Thái").
        touch(draft, now, ethnicity_choice="other", ethnicity=parse_ethnicity(text))
    elif step == Step.COMMUNE:
        unit = match_unit(text, await current_units(ctx))
        touch(draft, now, unit_id=unit.id, unit_name=unit.name)
    else:
        option = typed_option(step, text, await options_for(step, ctx))
        assert option is not None
        await apply_choice(ctx, draft, step, option.value)


async def choose_course(
    ctx: Context, draft: IntakeDraft, course_id: int, *, waitlist: bool
) -> None:
    """Select a class; a full one raises CourseFullError unless joining its waiting list."""
    if course_id == int(NEXT_CLASS):
        label = t("intake.summary.next_class")
        touch(draft, ctx.now, kind="course", course_id=0, course_label=label, waitlist=True)
        return
    course = await ctx.session.scalar(select(Course).where(Course.id == course_id))
    if course is None:
        raise InvalidAnswerError("choose_option")
    if not waitlist and await is_full(ctx.session, course):
        raise CourseFullError(course)
    touch(
        draft,
        ctx.now,
        kind="course",
        course_id=course.id,
        course_label=await course_label(ctx, course),
        waitlist=waitlist,
    )
    drop(draft, "market")


def typed_option(
    step: Step, text: str, options: list[Option], *, strict: bool = True
) -> Option | None:
    """The option a typed answer names (label, synonym, initials, close spelling); when not
    ``strict``, None instead of the refusal."""
    synonyms = option_synonyms(step, [o.value for o in options])
    try:
        value = match_option(
            text,
            [(o.value, o.label) for o in options],
            synonyms,
            # An exact answer to another question, typed out of turn, is never a near
            # spelling of one of this step's: "hộ nghèo" at «Anh/chị đăng ký việc gì?» was
            # taken for «Học nghề», and the country asked for was dropped.
            loose=not asks_question(text) and not options_named(text, besides=step),
        )
    except InvalidAnswerError:
        if strict:
            raise
        return None
    return next(o for o in options if o.value == value)


def said_outright(step: Step, text: str, options: list[Option]) -> bool:
    """Does the answer name one option of ``step`` as a whole (its label, a synonym, the
    initials, the start of a label), not only as words inside a longer sentence?"""
    try:
        match_option(text, [(o.value, o.label) for o in options],
                     option_synonyms(step, [o.value for o in options]), loose=False)
    except InvalidAnswerError:
        return False
    return True


def asks_what_option_means(step: Step, text: str) -> bool:
    """"hộ nghèo là gì", "thế nào là cận nghèo" at the household question: what one of the
    step's own options means (``intake.what_is_words``), not another matter."""
    if not contains_phrase(text, folded_phrases("intake.what_is_words")):
        return False
    values = list(CHOICES[step])
    try:
        match_option(text, [(v, choice_label(step, v)) for v in values],
                     option_synonyms(step, values), loose=True)
    except InvalidAnswerError:
        return False
    return True


def options_named(text: str, *, besides: Step) -> dict[Step, str]:
    """The option each choice question but ``besides`` has that ``text`` names exactly."""
    found = {}
    for other, values in CHOICES.items():
        if other != besides:
            value = exact_option(text, [(v, choice_label(other, v)) for v in values],
                                 option_synonyms(other, list(values)))
            if value is not None:
                found[other] = value
    return found


def option_synonyms(step: Step, values: list[str]) -> dict[str, list[str]]:
    """How people type each option of ``step`` besides its label (intake.synonyms.*)."""
    keys = {v: f"intake.synonyms.{step.value}.{v}" for v in values}
    return {v: list(raw(key)) for v, key in keys.items() if has(key)}


#: The date question's refusal of a year alone, kept: the day and month are asked for.
YEAR_KEPT = "date_day_month"


def keep_birth_year(ctx: Context, draft: IntakeDraft, year: object) -> bool:
    """Keep a birth year said alone ("sinh năm 1996") for the date question, which then asks
    only the day and month; False when ``year`` is no possible birth year."""
    today = local_today(ctx)
    if not isinstance(year, int) or not today.year - MAX_AGE <= year <= today.year:
        return False
    draft.data = {**draft.data, BIRTH_YEAR: year}
    return True


def _read_birth(ctx: Context, draft: IntakeDraft, text: str) -> date:
    """The birth date typed; with the year said before, the day and month alone ("15/8",
    "15 tháng 8") are enough. A year alone is kept, and the day and month asked for."""
    today = local_today(ctx)
    try:
        return parse_date(text, today)
    except InvalidAnswerError as exc:
        if exc.reason == "date_year_only" and keep_birth_year(ctx, draft, exc.params["year"]):
            raise InvalidAnswerError(YEAR_KEPT, year=exc.params["year"]) from None
        year = draft.data.get(BIRTH_YEAR)
        if exc.reason != "date_format" or not isinstance(year, int):
            raise
        try:
            return parse_date(f"{text} {year}", today)
        except InvalidAnswerError:
            raise InvalidAnswerError("date_format_day_month") from None


def _birth(data: dict[str, object]) -> date | None:
    value = data.get("dob")
    return date.fromisoformat(value) if isinstance(value, str) else None


def _recheck_age(ctx: Context, draft: IntakeDraft) -> None:
    """A new kind may need an older applicant: forget a birth date that no longer fits."""
    birth, kind = _birth(draft.data), draft.data.get("kind")
    if birth is None or kind not in MIN_AGE:
        return
    try:
        check_age(birth, local_today(ctx), MIN_AGE[kind])
    except InvalidAnswerError:
        drop(draft, "dob")
        touch(draft, ctx.now, notice="intake.age_recheck")


def _recheck_citizen_id(ctx: Context, draft: IntakeDraft) -> None:
    """A changed birth date or gender must still match the citizen id already given."""
    token = draft.data.get("citizen_id_enc")
    if not token:
        return
    try:
        parse_citizen_id(
            cipher(ctx).decrypt(token), birth=_birth(draft.data), gender=draft.data.get("gender")
        )
    except InvalidAnswerError:
        drop(draft, "citizen_id_enc")
        touch(draft, ctx.now, notice="intake.cid_recheck")


def says_none(text: str) -> bool:
    """"không có", "chưa có", "bỏ qua": no answer to give."""
    return is_phrase(text, folded_phrases("intake.words_answer.skip"))


def says_no_citizen_id(text: str) -> bool:
    """"chưa có", "bỏ qua", "chưa có cccd" at the ID question: the optional number is not
    given."""
    return says_none(text) or names_no_citizen_id(text)


def names_no_citizen_id(text: str) -> bool:
    """"chưa có căn cước", said anywhere in the form (not a bare "chưa")."""
    return is_phrase(text, folded_phrases("intake.words_answer.no_citizen_id"))
