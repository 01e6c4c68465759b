"""What a typed answer to the survey means: the buttons a person could have pressed instead
(an option, "xong", "bỏ qua", yes or no to consent), read from words, numbers and ages typed as
people type them ("buoi toi", "4, 5", "28 tuổi", "dc"); and the words that pause it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from handlers.callbacks import CallbackData
from handlers.intake.validators import InvalidAnswerError, looks_like_question, match_option
from handlers.textnorm import (
    contains_phrase,
    fold,
    folded_phrases,
    is_phrase,
    is_phrases,
    phrase_key,
)
from messages import raw
from messages.survey import Question


@dataclass(frozen=True)
class Consent(CallbackData, prefix="survey:consent"):
    pass


@dataclass(frozen=True)
class Decline(CallbackData, prefix="survey:decline"):
    pass


@dataclass(frozen=True)
class Option(CallbackData, prefix="survey:opt"):
    """An option of the current question (its key in messages/survey.toml)."""

    value: str


@dataclass(frozen=True)
class Done(CallbackData, prefix="survey:done"):
    pass


@dataclass(frozen=True)
class Skip(CallbackData, prefix="survey:skip"):
    pass



def consent_word(text: str) -> Consent | Decline | None:
    """A typed yes or no to the consent question."""
    if is_phrases(text, folded_phrases("survey.words.consent")):  # "ok đồng ý"
        return Consent()
    if is_phrases(text, folded_phrases("survey.words.decline")):
        return Decline()
    return None


def pausing(text: str) -> bool:
    """The person says they will carry on later ("để sau", "đang bận")."""
    return contains_phrase(text, folded_phrases("survey.words.pause"))


def typed_answer(question: Question, text: str) -> CallbackData | None:
    """What a typed answer means at ``question``, as the button it stands for: an option by
    its label ("buoi toi", "lam ruong"), an age in years for an age-range question ("28",
    "28 tuổi"), "xong" (or "đúng rồi") for several choices, "bỏ qua" for an optional one."""
    if question.kind not in ("choice", "multi"):
        return None
    # "xong", and "đúng rồi", "ok" under the choices made so far ("Đã chọn: May, Nấu ăn").
    if question.kind == "multi" and (is_phrase(text, folded_phrases("dossier.done_words"))
                                     or is_phrase(text, folded_phrases("survey.multi_done"))):
        return Done()
    if question.optional and is_phrase(text, folded_phrases("intake.words_answer.skip")):
        return Skip()
    try:
        return Option(match_option(text, list(question.options.items()), question.words,
                                   loose=False))
    except InvalidAnswerError:
        pass
    if set(phrase_key(text).split()) <= folded_phrases("survey.words.not_option"):
        return None  # "có" is not «Chưa có việc làm»
    # A word or two of one label ("toi" for «Buổi tối», "xe may" for «Sửa chữa xe máy»).
    words = f" {' '.join(fold(text).split())} "
    inside = [k for k, label in question.options.items()
              if words.strip() and words in f" {' '.join(fold(label).replace(',', ' ').split())} "]
    if len(inside) == 1:
        return Option(inside[0])
    # The words typed all stand in one label ("sua xe may" for «Sửa chữa xe máy»).
    typed_words = set(fold(text).split())
    within = [k for k, label in question.options.items()
              if typed_words and typed_words <= set(fold(label).replace(",", " ").split())]
    if len(within) == 1:
        return Option(within[0])
    age = _age_option(question, text)
    if age is not None:
        return Option(age)
    # One option named in a sentence ("e lam ruong voi nuoi ga"): a question may name an
    # option without choosing it ("đi học có mất tiền không"), so only a sentence that asks
    # nothing; and one choice only ("sửa xe máy với hàn" is more than «Sửa chữa xe máy»).
    if question.kind != "choice" or _asks(text):
        return None
    try:
        return Option(match_option(text, list(question.options.items()), question.words))
    except InvalidAnswerError:
        return None


@cache
def _separators() -> re.Pattern[str]:
    """What parts several answers typed at once: a comma and the like, or a word of joining
    ("và", "với": ``survey.words.joining``)."""
    words = "|".join(re.escape(w) for w in raw("survey.words.joining"))
    return re.compile(rf"\s*(?:[,;/+]|\b(?:{words})\b)\s*", re.IGNORECASE)


#: The option a several-choice question with ``other`` keeps for what its list lacks.
OTHER_OPTION = "other"
#: Words of a trade the list lacks, typed beside those it has ("sửa xe máy với hàn").
_OTHER_MAX_WORDS = 4


@dataclass(frozen=True)
class Many:
    """Several options typed at once, and in words what the list lacks (for «Khác»)."""

    keys: list[str]
    other: str | None = None


def typed_many(question: Question, text: str) -> Many | None:
    """Several options of a several-choice question typed at once: their numbers as listed
    ("4, 5", "4 5") or their names ("dien, sua xe may"); None unless every part is one, or,
    when the question has «Khác», a few words beside at least one named ("sửa xe máy với hàn":
    «Sửa chữa xe máy» and «Khác: hàn»)."""
    if question.kind != "multi":
        return None
    folded = fold(text).strip()
    keys = list(question.options)
    if re.fullmatch(r"\d{1,2}(?:[\s,;.+/-]+\d{1,2})+", folded):
        numbers = [int(n) for n in re.findall(r"\d{1,2}", folded)]
        if all(1 <= n <= len(keys) for n in numbers):
            return Many(list(dict.fromkeys(keys[n - 1] for n in numbers)))
        return None
    parts = [p.strip() for p in _separators().split(text.strip()) if p.strip()]
    if len(parts) < 2 or _asks(text):
        return None
    found = [typed_answer(question, p) for p in parts]
    named = list(dict.fromkeys(f.value for f in found if isinstance(f, Option)))
    unnamed = [p for p, f in zip(parts, found, strict=True) if f is None]
    if not named or any(f is not None and not isinstance(f, Option) for f in found):
        return None
    if not unnamed:
        return Many(named)
    if (not question.other or OTHER_OPTION not in question.options
            or any(len(p.split()) > _OTHER_MAX_WORDS for p in unnamed)):
        return None
    return Many([*named, OTHER_OPTION], ", ".join(unnamed))


_AGE = re.compile(r"^\D*?(\d{1,2})\s*(?:t|tuoi)?\D*$")


def _age_option(question: Question, text: str) -> str | None:
    """The option whose key is an age range ("25_34", "60_plus") holding the typed age."""
    found = _AGE.match(fold(text))
    if found is None:
        return None
    age = int(found.group(1))
    for key in question.options:
        low, _, high = key.partition("_")
        if low.isdigit() and ((high == "plus" and age > int(low))
                              or (high.isdigit() and int(low) <= age <= int(high))):
            return key
    return None


def _asks(text: str) -> bool:
    """A question, or a yes-or-no one by its last word ("… có lớp không"): it may name options
    without choosing them."""
    last = phrase_key(text).split()[-1:]
    return is_question(text) or bool(set(last) & folded_phrases("survey.question_endings"))


def is_question(text: str) -> bool:
    return looks_like_question(text, raw("survey.question_markers"))
