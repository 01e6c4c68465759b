"""A registration request already answers some questions: fill them, never ask them again.

"e muon dang ky di lam o nuoc ngoai cho con trai" → who = relative, relationship = child,
gender = male, kind = abroad; "đăng ký học nấu ăn ở Thái Hòa" → kind = course, the commune,
and the class when exactly one open class teaches that trade (preferring the commune named);
"học nghề may", "lớp may" name a trade by its first word after a word of learning.
"""

from __future__ import annotations

from typing import Any

from handlers.callbacks import CallbackData
from handlers.context import Context
from handlers.intake.answers import (
    CourseFullError,
    apply_choice,
    choose_course,
)
from handlers.intake.buttons import StartAbroad, StartCourse
from handlers.intake.drafts import drop, get_draft, touch
from handlers.intake.introduced import SAID, says_personal, without_names
from handlers.intake.questions import (
    CHOICES,
    choice_label,
    cipher,
    labelled,
    named_unit,
    open_courses,
)
from handlers.intake.steps import Step, answered, first_missing
from handlers.intake.validators import (
    InvalidAnswerError,
)
from handlers.textnorm import fold
from handlers.trades import named_in, said_pairs
from handlers.understanding.requests import ANSWERED_BEFORE, ASKED_BEFORE, request_slots
from messages import raw, t
from storage.cases_repo import get_cases_of_contact
from storage.models import IntakeDraft, Unit

#: Preset key marking answers read from a typed message (the form says what it understood).
FROM_TEXT = "from_text"
#: Preset key: the reference of the registration the answers were taken from (the form says so).
FROM_CASE = "from_case"
#: Draft key: answers given outside the form (the commune chosen for «Gặp cán bộ» in the
#: middle of it), said once when the form goes on (``take_filled_note``).
FILLED_ELSEWHERE = "filled_elsewhere"
#: Topics after which a bare "đăng ký" says nothing of what to register for.
_SAYS_NO_KIND = frozenset({"abroad.return", "abroad.family"})
#: Preset keys that are answers to a fixed-choice question.
_CHOICE_SLOTS = {"who": Step.WHO, "relationship": Step.RELATIONSHIP, "kind": Step.KIND,
                 "market": Step.MARKET}


def _padded(text: str) -> str:
    return f" {' '.join(fold(text).replace(',', ' ').replace('.', ' ').split())} "


def form_slots(text: str) -> dict[str, Any]:
    """The form answers a registration request's words give. "tôi muốn đăng ký" is not taken
    as "for myself": a mother says it for her son, so the form still asks for whom."""
    slots = request_slots(text)
    if slots.get("who") == "self":
        del slots["who"]
    return slots


async def request_preset(ctx: Context, text: str, slots: dict[str, Any]) -> dict[str, Any]:
    """The form answers of a request: the slots read from the words, plus the commune and the
    class it names (which need the database); a request that names no kind takes it from the
    topics answered just before (``ANSWERED_BEFORE``), and a class from the trade that question
    named (``ASKED_BEFORE``), and one naming no commune the commune that question named."""
    preset: dict[str, Any] = {k: v for k, v in slots.items() if k in _CHOICE_SLOTS}
    preset[FROM_TEXT] = True
    if says_personal(text):
        preset[SAID] = cipher(ctx).encrypt(text)  # read once the person has agreed
    padded = _padded(text)
    asked = slots.get(ASKED_BEFORE)
    unit = await named_unit(ctx, without_names(text))
    if unit is None and isinstance(asked, str) and asked and slots.get(ANSWERED_BEFORE):
        unit = await named_unit(ctx, asked)  # the commune the question just answered named
    unit_id = unit.id if unit is not None else None
    if unit is not None:
        preset["unit_id"], preset["unit_name"] = unit.id, unit.name
    if preset.get("who") == "relative" and (gender := _said_gender(padded)) is not None:
        preset["gender"] = gender  # "cho con trai tôi": the gender is said too
    if preset.get("kind") == "abroad":
        return preset
    courses = await named_courses(ctx, text, unit_id)
    if courses:
        preset.update(courses)
    elif "kind" not in preset:
        before = _kind_answered_before(slots.get(ANSWERED_BEFORE))
        if before.get("kind") == "course" and isinstance(asked, str) and asked:
            # The class question just answered named a trade ("học nghề may thì đăng ký ở
            # đâu"): its class, as if the request had named it.
            before.update(await named_courses(ctx, asked, unit_id))
        preset.update(before)
    return preset


def _said_gender(padded: str) -> str | None:
    """The relative's gender a kinship word says ("con trai", "mẹ"), if any."""
    return next((g for g in ("male", "female")
                 if any(f" {fold(w)} " in padded for w in raw(f"intake.prefill_gender.{g}"))),
                None)


async def named_courses(ctx: Context, text: str, unit_id: int | None) -> dict[str, Any]:
    """The kind «course», and the class when exactly one open class teaches the trade named
    (preferring the commune named); nothing when no class's trade is named."""
    said = said_pairs(text)
    named = [c for c in await open_courses(ctx) if named_in(c.occupation, said)]
    if not named:
        return {}
    local = [c for c in named if c.unit_id == unit_id]
    if len(local) == 1 or len(named) == 1:
        return {"kind": "course", "course_id": (local or named)[0].id}
    return {"kind": "course"}


def start_under_answer(topics: list[str], text: str) -> CallbackData | None:
    """The way into the form offered under an answer (instead of the general «Đăng ký ngay»):
    what the question's words say, else what the topics answered say (as a typed "đăng ký
    luôn" right after takes them): "em muốn đăng ký đi Hàn thì làm thế nào", answered with the
    steps of going abroad, registers to work in Korea. None when neither says a kind."""
    said = {k: v for k, v in request_slots(text).items() if k in ("kind", "market")}
    if "kind" not in said:
        said = _kind_answered_before(topics)
    if said.get("kind") == "abroad":
        return StartAbroad(said.get("market"))
    return StartCourse() if said.get("kind") == "course" else None


def _kind_answered_before(topics: object) -> dict[str, str]:
    """What the topics answered just before say a bare request registers for: every one about
    working abroad, abroad (and the country, when one country's topic was among them); every
    one about classes, a class. Anything else (the office's contact, a mix, coming home, the
    family of someone abroad: after those "đăng ký" may be for anything) says nothing."""
    if not isinstance(topics, list) or not topics or set(topics) & _SAYS_NO_KIND:
        return {}
    areas = {str(topic).partition(".")[0] for topic in topics}
    if areas == {"training"}:
        return {"kind": "course"}
    if areas != {"abroad"}:
        return {}
    markets = {str(topic).partition(".")[2] for topic in topics} & set(CHOICES[Step.MARKET])
    return {"kind": "abroad", **({"market": markets.pop()} if len(markets) == 1 else {})}


def apply_preset(ctx: Context, draft: IntakeDraft, preset: dict[str, Any]) -> list[str]:
    """Write the preset's valid answers into the draft; returns what was filled, as labels."""
    filled: list[str] = []
    for key, step in _CHOICE_SLOTS.items():
        value = preset.get(key)
        if not isinstance(value, str) or value not in CHOICES[step]:
            continue
        if key == "relationship" and preset.get("who") != "relative":
            continue
        if key == "market" and preset.get("kind", draft.data.get("kind")) != "abroad":
            continue
        touch(draft, ctx.now, **{key: value})
        if key != "who":
            filled.append(labelled(key, choice_label(step, value)))
    if preset.get("who") == "self":
        touch(draft, ctx.now, relationship="self")
        filled.insert(0, labelled("who", t("intake.summary.who.self")))
    gender = preset.get("gender")
    relative = preset.get("who") == "relative"
    if relative and isinstance(gender, str) and gender in CHOICES[Step.GENDER]:
        touch(draft, ctx.now, gender=gender)
        filled.append(labelled("gender", choice_label(Step.GENDER, gender)))
    if isinstance(preset.get("phone_enc"), str):
        touch(draft, ctx.now, phone_enc=preset["phone_enc"])
        filled.append(labelled("phone", cipher(ctx).decrypt(preset["phone_enc"])))
    if isinstance(preset.get("unit_id"), int) and isinstance(preset.get("unit_name"), str):
        touch(draft, ctx.now, unit_id=preset["unit_id"], unit_name=preset["unit_name"])
        filled.append(labelled("commune", preset["unit_name"]))
    if isinstance(preset.get("village"), str):
        touch(draft, ctx.now, village=preset["village"])
        filled.append(labelled("village", preset["village"]))
    return filled


async def same_family(ctx: Context) -> dict[str, Any]:
    """«Đăng ký thêm người khác»: the phone to call, the commune and the village of the
    person's latest registration, for the next (a son after his sister: a mother typed them
    again, three questions of fourteen). The form says where they came from; the summary
    lets them be changed. Empty when the person has no registration."""
    cases = await get_cases_of_contact(ctx.session, ctx.contact.id)
    if not cases:
        return {}
    last = cases[-1]
    preset: dict[str, Any] = {FROM_CASE: last.ref}
    if last.phone_enc:
        preset["phone_enc"] = last.phone_enc
    unit = await ctx.session.get(Unit, last.unit_id) if last.unit_id is not None else None
    if unit is not None:
        preset["unit_id"], preset["unit_name"] = unit.id, unit.name
        if last.village:
            preset["village"] = last.village
    return preset


async def apply_preset_course(
    ctx: Context, draft: IntakeDraft, preset: dict[str, Any]
) -> str | None:
    """The class a preset names made the form's; its label for the note, or None (none
    named, or full or withdrawn meanwhile: the class question comes in its turn)."""
    if preset.get("course_id") is None:
        return None
    try:
        await choose_course(ctx, draft, int(preset["course_id"]),
                            waitlist=bool(preset.get("waitlist")))
    except (CourseFullError, InvalidAnswerError):
        return None
    return f"{t('intake.field.course')}: {draft.data.get('course_label', '')}"


async def relative_named(ctx: Context, draft: IntakeDraft, text: str) -> str | None:
    """"con trai", "cho mẹ em", "cho nó" typed for "for whom?": a relative, and the kinship
    and gender questions answered too when the words say them, and what else they say that
    the form has not ("con gái tôi nữa, cũng học may": the sewing class); returns the note
    saying what was filled, or None when the words name no relative. Read before the
    options: "cho mẹ em" holds "cho em", which is the speaker."""
    slots = form_slots(text)
    if slots.get("who") != "relative":
        return None
    await apply_choice(ctx, draft, Step.WHO, "relative")
    preset = await request_preset(ctx, text, slots)
    # The kind and class of a later registration ("Đăng ký thêm người khác") were asked again.
    said = {k: v for k, v in preset.items()
            if k in ("who", "relationship") or (k in ("kind", "market", "unit_id", "unit_name")
                                                and k not in draft.data)}
    if (gender := _said_gender(_padded(text))) is not None:
        said["gender"] = gender
    filled = apply_preset(ctx, draft, said)
    if "course_id" not in draft.data and (course := await apply_preset_course(
            ctx, draft, preset)) is not None:
        filled.append(course)
    return prefilled_note(filled or [labelled("who", t("intake.summary.who.relative"))])


#: From this many answers the note lists them a line each.
_LISTED = 4


def prefilled_note(filled: list[str]) -> str | None:
    if len(filled) >= _LISTED:
        lines = "\n".join(t("intake.prefilled.note_item", item=item) for item in filled)
        return t("intake.prefilled.note_list", items=lines)
    return t("intake.prefilled.note", items="; ".join(filled)) if filled else None


async def fill_commune(
    ctx: Context, place: dict[str, Any], unit_id: int, unit_name: str
) -> dict[str, Any]:
    """The commune a person chose outside the form (for «Gặp cán bộ» in the middle of it)
    answers the form's commune question: never asked again. ``place`` is the paused form's
    (flow, step, data); returns it, with the commune in the consent step's preset when the
    form has no draft yet. A commune the form already has is kept."""
    if place.get("flow") != "intake":
        return place
    if place.get("step") == Step.CONSENT.value:
        data = dict(place.get("data") or {})
        preset = {"unit_id": unit_id, "unit_name": unit_name, FROM_TEXT: True,
                  **dict(data.get("preset") or {})}
        return {**place, "data": {**data, "preset": preset}}
    draft = await get_draft(ctx.session, ctx.contact.id)
    if draft is None or answered(Step.COMMUNE, draft.data):
        return place
    filled = apply_preset(ctx, draft, {"unit_id": unit_id, "unit_name": unit_name})
    draft.data = {**draft.data, FILLED_ELSEWHERE: filled}
    if draft.step == Step.COMMUNE.value:
        # Paused at that very question: the form goes on with the next one.
        following = first_missing(draft.data)
        draft.step = following.value if following is not None else Step.SUMMARY.value
    return place


def take_filled_note(draft: IntakeDraft) -> str | None:
    """Once: "Bot đã ghi …" for the answers ``fill_commune`` put in the draft."""
    filled = draft.data.get(FILLED_ELSEWHERE)
    if filled is None:
        return None
    drop(draft, FILLED_ELSEWHERE)
    return prefilled_note([str(item) for item in filled]) if isinstance(filled, list) else None
