"""The questions of the form, their order, and which answer field each one fills.

The form is driven by data, not by a fixed list: the next question is always the first one in
``sequence(data)`` whose field is still empty. That makes "back", "edit one field" and changing
an earlier answer (abroad → course needs a class; a new birth date re-checks the citizen id)
all the same rule.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Step(StrEnum):
    CONSENT = "consent"
    WHO = "who"
    RELATIONSHIP = "relationship"
    KIND = "kind"
    NAME = "full_name"
    DOB = "dob"
    GENDER = "gender"
    PHONE = "phone"
    COMMUNE = "commune"
    VILLAGE = "village"
    ETHNICITY = "ethnicity"
    ETHNICITY_OTHER = "ethnicity_other"
    HOUSEHOLD = "household"
    MARKET = "market"
    COURSE = "course"
    CITIZEN_ID = "citizen_id"
    # Not questions: the places between them.
    SUMMARY = "summary"
    EDIT = "edit"
    CANCEL = "cancel"
    RESUME = "resume"
    COURSE_FULL = "course_full"
    DONE = "done"


#: The draft key each question fills (absent = not answered yet).
FIELD: dict[Step, str] = {
    Step.WHO: "who",
    Step.RELATIONSHIP: "relationship",
    Step.KIND: "kind",
    Step.NAME: "full_name",
    Step.DOB: "dob",
    Step.GENDER: "gender",
    Step.PHONE: "phone_enc",
    Step.COMMUNE: "unit_id",
    Step.VILLAGE: "village",
    Step.ETHNICITY: "ethnicity_choice",
    Step.ETHNICITY_OTHER: "ethnicity",
    Step.HOUSEHOLD: "household",
    Step.MARKET: "market",
    Step.COURSE: "course_id",
    Step.CITIZEN_ID: "citizen_id_enc",
}

QUESTIONS = frozenset(FIELD)
#: Questions answered by typing (a question-like text there goes to the FAQ first).
FREE_TEXT = frozenset({Step.NAME, Step.VILLAGE, Step.ETHNICITY_OTHER})
#: Questions answered by typing a value with a strict format.
TYPED = frozenset({Step.DOB, Step.PHONE, Step.CITIZEN_ID})
#: The fields shown in the summary, in order, and the question that edits each.
SUMMARY_ROWS: tuple[tuple[str, Step], ...] = (
    ("who", Step.WHO),
    ("relationship", Step.RELATIONSHIP),
    ("kind", Step.KIND),
    ("full_name", Step.NAME),
    ("dob", Step.DOB),
    ("gender", Step.GENDER),
    ("phone", Step.PHONE),
    ("commune", Step.COMMUNE),
    ("village", Step.VILLAGE),
    ("ethnicity", Step.ETHNICITY),
    ("household", Step.HOUSEHOLD),
    ("market", Step.MARKET),
    ("course", Step.COURSE),
    ("citizen_id", Step.CITIZEN_ID),
)

MIN_AGE = {"abroad": 18, "course": 15}
#: Draft key: a birth year said alone ("sinh năm 1996"); the date question then asks only the
#: day and month.
BIRTH_YEAR = "birth_year"


def sequence(data: dict[str, Any]) -> list[Step]:
    """The questions that apply to this form, in the order they are asked."""
    steps = [Step.WHO]
    if data.get("who") == "relative":
        steps.append(Step.RELATIONSHIP)
    steps += [Step.KIND, Step.NAME, Step.DOB, Step.GENDER, Step.PHONE, Step.COMMUNE]
    steps += [Step.VILLAGE, Step.ETHNICITY]
    if data.get("ethnicity_choice") == "other":
        steps.append(Step.ETHNICITY_OTHER)
    steps.append(Step.HOUSEHOLD)
    if data.get("kind") == "abroad":
        steps.append(Step.MARKET)
    elif data.get("kind") == "course":
        steps.append(Step.COURSE)
    steps.append(Step.CITIZEN_ID)
    return steps


def remaining(data: dict[str, Any]) -> int:
    """Questions still to answer, counted so the number only ever goes down: a choice not
    made yet is counted with the longest path it can open (for someone else: their
    relationship too; another ethnicity: its name), so an answer never adds a question."""
    longest = dict(data)
    if data.get("who") is None:
        longest["who"] = "relative"
    if data.get("ethnicity_choice") is None:
        longest["ethnicity_choice"] = "other"
    if data.get("kind") is None:
        longest["kind"] = "abroad"  # abroad and course both add one question
    return sum(not answered(s, data) for s in sequence(longest))


def answered(step: Step, data: dict[str, Any]) -> bool:
    return data.get(FIELD[step]) is not None


def first_missing(data: dict[str, Any]) -> Step | None:
    """The next question to ask, or None when the form is complete."""
    return next((s for s in sequence(data) if not answered(s, data)), None)


def previous(step: Step, data: dict[str, Any]) -> Step | None:
    """The question before ``step`` (None at the first one)."""
    steps = sequence(data)
    if step not in steps:
        return None
    index = steps.index(step)
    return steps[index - 1] if index > 0 else None


def progress(data: dict[str, Any]) -> tuple[int, int]:
    """(answered, total) questions, for "đã trả lời 5/13 câu": total less answered is the
    form's own "(Còn N câu)", counted the same way (see ``remaining``)."""
    done = sum(answered(s, data) for s in sequence(data))
    return done, done + remaining(data)
