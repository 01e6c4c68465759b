"""What a registration request says of the person, besides what to register for: "tôi tên là
Nguyễn Văn Hùng, sinh ngày 12/5/1995, ở thôn Làng Bát, sđt 0987 654 321, muốn đăng ký đi Hàn".
Each answer is read as its own question reads it (``apply_text``), so what the form would
refuse is left for its question; the form never asks again what the message said.

Nothing personal is taken before the person agrees: the request's words wait, encrypted, in the
consent step's preset (``SAID``), and are read once the form exists (``fill_personal``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from itertools import pairwise

from handlers.context import Context
from handlers.intake.answers import apply_choice, apply_text, keep_birth_year, not_a_name
from handlers.intake.questions import current_units, display, labelled, local_today
from handlers.intake.steps import BIRTH_YEAR, Step, answered, sequence
from handlers.intake.validators import InvalidAnswerError, parse_date, parse_phone
from handlers.textnorm import fold, folded_phrases, is_word, nfc
from handlers.understanding.details import full_name_first
from messages import raw
from storage.models import IntakeDraft

#: Preset key: the request's own words, encrypted, read for personal answers once agreed.
SAID = "said_enc"
#: Words of the speaker ("tôi", "em") and of kinship ("con trai", "vợ"), around "tên".
SPEAKERS = "intake.introduced.speakers"
KIN = "intake.introduced.kin"
#: The most words a name is looked for in, after "tên (là)".
_NAME_WORDS = 5
#: The most words after "sinh" a birth date is looked for in.
_DATE_WORDS = 6
#: The most "tên", "sinh" or "thôn" of one message read: a request says each once or twice,
#: and a message of thousands of them costs no more than a few.
_MARKERS = 5
#: A mobile number written inside a sentence, with its separators.
_PHONE_IN_TEXT = re.compile(r"(?:\+84|84|0)[\d .\-]{8,14}\d")


def _words(text: str) -> list[str]:
    return nfc(text).replace(",", " , ").replace(";", " ; ").replace(".", " . ").split()


def said_names(text: str) -> list[tuple[str, bool]]:
    """Each full name after "tên (là)" or "tôi là" (or typed first, see
    ``full_name_first``), and whether it is the speaker's own
    ("tôi tên là …", "tên em là …", "đăng ký đi Hàn, tên Nguyễn Văn Hùng": True) or a
    relative's ("con trai tôi tên …", "em tôi tên …": False); only names of two words or
    more. A mother may give hers, then her son's."""
    words = _words(text)
    found: list[tuple[str, bool]] = []
    first = full_name_first(words)
    if first and not_a_name(" ".join(words[:first])) is None:
        # "Nguyễn Văn Nam muốn đi Hàn": the speaker's, unless a kinship word follows it
        # ("Lò Văn Pao, con trai tôi, …").
        found.append((" ".join(words[:first]),
                      not any(is_word(w, KIN) for w in words[first:first + 3])))
    markers = [i for i, w in enumerate(words) if fold(w) in ("la", "ten")][:_MARKERS * 2]
    for i in markers:
        word = words[i]
        if fold(word) == "la" and i and is_word(words[i - 1], SPEAKERS) and all(
                w[:1].isupper() for w in words[i + 1:i + 3]) and len(words) > i + 2:
            # "Tôi là Nông Văn Thắng": a name written as one, after "tôi là"
            name = _name_at(words, i + 1)
            if len(name) >= 2 and not_a_name(" ".join(name)) is None:
                found.append((" ".join(name),
                              not any(is_word(w, KIN) for w in words[max(0, i - 3):i])))
        if fold(word) != "ten":
            continue
        start = i + 1  # "tên (con) (tôi) là": who comes first, then the name
        while start < min(len(words), i + 5) and (
                fold(words[start]) in ("la", "cua") or (
                    (is_word(words[start], SPEAKERS) or is_word(words[start], KIN))
                    and not _starts_name(words, start))):
            start += 1
            if fold(words[start - 1]) == "la":
                break  # "tên là Ma Văn Tuấn": Ma is the surname, not "má" (mother)
        name = _name_at(words, start)
        if len(name) < 2 or not_a_name(" ".join(name)) is not None:
            continue  # "tên lớp may là gì"
        around = words[max(0, i - 3):start]
        # "em tôi" is a younger sibling, "em" alone the speaker.
        kin = any(is_word(w, KIN) for w in around) or any(
            is_word(a, SPEAKERS) and is_word(b, SPEAKERS) for a, b in pairwise(around))
        found.append((" ".join(name), not kin))
    return list(dict.fromkeys(found))  # "tên em là Lò Thị Mai": one name, read twice


def without_names(text: str) -> str:
    """The text without the full names it gives: "Lý Thị Hoa" is a person, not the commune
    Thái Hòa its words are close to (a mother's name made her son's form say Thái Hòa)."""
    words = _words(text)
    named: set[int] = set()
    for name in {n for n, _ in said_names(text)}:
        parts = name.split()
        for j in range(len(words) - len(parts) + 1):
            if words[j:j + len(parts)] == parts:
                named.update(range(j, j + len(parts)))
    return " ".join(w for i, w in enumerate(words) if i not in named)


def _name_at(words: list[str], start: int) -> list[str]:
    """The words of a name from ``start``, up to what the message says next."""
    name: list[str] = []
    for n in range(start, min(len(words), start + _NAME_WORDS)):
        word, after = words[n], words[n + 1] if n + 1 < len(words) else ""
        pair = f"{fold(word).lower()} {fold(after).lower()}"
        if (not word.isalpha() or _ends_name(word)
                or pair in folded_phrases("intake.introduced.name_end_pairs")
                or (fold(word).lower() in ("sinh", "nam") and any(c.isdigit() for c in after))):
            break
        name.append(word)
    return name


def _starts_name(words: list[str], n: int) -> bool:
    """Are words ``n`` and ``n + 1`` written as a name's are, with capitals ("Ma Văn …",
    where "ma" may be "má", mother)?"""
    return n + 1 < len(words) and words[n][:1].isupper() and words[n + 1][:1].isupper()


def _ends_name(word: str) -> bool:
    """Is the word one no name holds ("Đăng" is a name, "đang" is not; "lam" may be Lâm)?"""
    return is_word(word, "intake.introduced.name_ends", plain="intake.introduced.name_ends_plain")


def _birth_words(text: str) -> Iterator[str]:
    """The words after each "sinh" (the longest first), where a birth date may be."""
    words = _words(text)
    for i in [i for i, w in enumerate(words) if fold(w) in ("sinh", "ns", "sn")][:_MARKERS]:
        tail = words[i + 1:i + 1 + _DATE_WORDS]
        for end in range(len(tail), 0, -1):
            yield " ".join(tail[:end])


def said_birth(text: str, ctx: Context) -> str | None:
    """The words of a whole birth date after "sinh" ("sinh ngày 15/8/1995", "sinh 5 tháng 3
    năm 2001"); a year alone is no date (``said_birth_year``)."""
    for candidate in _birth_words(text):
        try:
            parse_date(candidate, local_today(ctx))
        except InvalidAnswerError:
            continue
        return candidate
    return None


def said_birth_year(text: str, ctx: Context) -> int | None:
    """A birth year said alone after "sinh" ("em sinh năm 1996", "sn 1996")."""
    for candidate in _birth_words(text):
        try:
            parse_date(candidate, local_today(ctx))
        except InvalidAnswerError as exc:
            year = exc.params.get("year")
            if isinstance(year, int):
                return year
    return None


def said_phone(text: str) -> str | None:
    """The one mobile number in the text, as written."""
    found = []
    for candidate in _PHONE_IN_TEXT.findall(text):
        try:
            found.append(parse_phone(candidate))
        except InvalidAnswerError:
            continue
    return found[0] if len(set(found)) == 1 else None


def said_village(text: str, communes: Collection[str] = ()) -> str | None:
    """"thôn Làng Bát", "xóm 5": a village word and at most three words of its name, up to
    the next thing the message says (a number ends it, so do a commune of ``communes`` and a
    wish)."""
    words = _words(text)
    folded = [fold(w) for w in words]
    ahead = [fold(c).split() for c in communes]
    villages = folded_phrases("intake.typed_ahead.village_words")
    for i in [i for i, w in enumerate(folded) if w in villages][:_MARKERS]:
        name: list[str] = []
        for n in range(i + 1, min(len(words), i + 4)):
            w = words[n]
            if (not w.isalnum() or _ends_name(w) or folded[n] in ("xa", "huyen", "tinh")
                    or any(folded[n:n + len(c)] == c for c in ahead)):
                break
            name.append(w)
            if w.isdigit():
                break  # "thôn 5"
        if name:
            return " ".join([words[i], *name])
    return None


#: The household kinds a request may say, the longer phrases first ("hộ cận nghèo" holds
#: "nghèo"): keys of ``intake.introduced.household``, options of the household question.
_HOUSEHOLDS = ("can_ngheo", "moi_thoat_ngheo", "ho_ngheo")


def said_household(text: str) -> str | None:
    """The household's kind the request says ("nhà tôi hộ nghèo" → ``ho_ngheo``), or None:
    only after words saying whose it is, not after a denial ("nhà em không phải hộ nghèo")."""
    words = re.findall(r"\w+", fold(text))
    whose = [p.split() for p in folded_phrases("intake.introduced.household_whose")]
    denied = folded_phrases("intake.introduced.household_denied")
    for option in _HOUSEHOLDS:
        for phrase in (fold(p).split() for p in raw(f"intake.introduced.household.{option}")):
            for at in (i for i in range(len(words)) if words[i:i + len(phrase)] == phrase):
                before = words[max(0, at - 4):at]
                if any(_holds(before, w) for w in whose) and not denied & set(before):
                    return option
    return None


def _holds(words: list[str], phrase: list[str]) -> bool:
    return any(words[i:i + len(phrase)] == phrase for i in range(len(words)))


def says_personal(text: str) -> bool:
    """Does the request say a name, a birth date, a phone number or a village? (Only then are
    its words kept for after the consent.)"""
    folded = f" {fold(text)} "
    return (" ten " in folded or " sinh " in folded or _PHONE_IN_TEXT.search(text) is not None
            or said_village(text) is not None or full_name_first(_words(text)) > 0
            or said_household(text) is not None)


async def fill_personal(ctx: Context, draft: IntakeDraft, text: str) -> list[str]:
    """Fill the unanswered questions the request's words answer; returns what was filled, as
    the summary's labelled items. A name is the applicant's only when whose it is fits the
    form: the speaker's own ("tôi tên là …") makes the registration for themselves when the
    form does not know for whom yet; a relative's only in a registration for a relative."""
    filled: list[str] = []
    who = draft.data.get("who")
    # The relative's name in a registration for a relative; else the speaker's own.
    name = next((n for n, own in said_names(text) if own is (who != "relative")), None)
    if name is not None and not answered(Step.NAME, draft.data):
        try:
            await apply_text(ctx, draft, Step.NAME, name)
        except InvalidAnswerError:
            pass
        else:
            if who is None:
                await apply_choice(ctx, draft, Step.WHO, "self")
                filled.append(_shown(ctx, draft, Step.WHO))
            filled.append(_shown(ctx, draft, Step.NAME))
    # In a registration for a relative, a date said before the relative is named is the
    # speaker's ("tôi sinh 12/3/1975, đăng ký cho con trai tôi…").
    words = _words(text)
    kin = next((i for i, w in enumerate(words) if is_word(w, KIN)), None)
    dated = text if who != "relative" else " ".join(words[kin:]) if kin is not None else ""
    village = said_village(text)
    if village is not None:  # the communes read only for a message naming a village
        village = said_village(text, [u.name for u in await current_units(ctx)])
    for step, said in ((Step.DOB, said_birth(dated, ctx)), (Step.PHONE, said_phone(text)),
                       (Step.VILLAGE, village)):
        if said is None or answered(step, draft.data) or step not in sequence(draft.data):
            continue
        try:
            await apply_text(ctx, draft, step, said)
        except InvalidAnswerError:
            continue  # too young for the kind, say: its question says why
        filled.append(_shown(ctx, draft, step))
    household = said_household(text)
    if household is not None and not answered(Step.HOUSEHOLD, draft.data):
        await apply_choice(ctx, draft, Step.HOUSEHOLD, household)
        filled.append(_shown(ctx, draft, Step.HOUSEHOLD))
    if not answered(Step.DOB, draft.data) and Step.DOB in sequence(draft.data) and (
            keep_birth_year(ctx, draft, said_birth_year(dated, ctx))):
        filled.append(labelled(BIRTH_YEAR, str(draft.data[BIRTH_YEAR])))
    return filled


def _shown(ctx: Context, draft: IntakeDraft, step: Step) -> str:
    """"Họ tên: Lò Văn Páo": the answer as the summary shows it."""
    return labelled(step.value, display(step, draft.data, ctx) or "")
