"""Parsers of typed answers: untrusted text in, a typed value out or a reason it is wrong.

Each ``parse_*`` raises :class:`InvalidAnswerError` carrying a message key under
``intake.invalid`` (the reason told to the user, followed by the question's example).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from typing import Protocol, TypeVar

from rapidfuzz import fuzz, process

from handlers.textnorm import ascii_digits, fold, folded_phrases
from handlers.textnorm import phrase_key as _key
from messages import raw


class InvalidAnswerError(ValueError):
    """Why a typed answer is refused (an ``intake.invalid`` key, with its ``params``).
    ``sentence``: the text is a sentence, not a try at this answer (a question on another
    matter may be what it is)."""

    def __init__(self, reason: str, *, sentence: bool = False, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.sentence = sentence
        self.params = params


# -- dates --------------------------------------------------------------------------------------
# Day, month, year separated by / . - or spaces ("15/8/1998", "15.08.98", "15 8 1998").
_NUMERIC_DATE = re.compile(r"^(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{2}|\d{4})$")
# Year first ("1998-08-15", "1998/08/15", "1998.8.15").
_ISO_DATE = re.compile(r"^(\d{4})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})$")
# "12 tháng 3 năm 1999", "ngày 12 tháng 3 năm 1999", "15 thg 8 1998", "15 th 8, 98",
# folded to ASCII first.
_WORDS_DATE = re.compile(
    r"^(?:ngay\s+|ng\s+)?(\d{1,2})\s*(?:thang|thg|th|t)\s*(\d{1,2})\s*(?:,\s*)?"
    r"(?:nam\s+|n\s+)?(\d{2}|\d{4})$"
)
# "15081998", "150898": eight or six digits typed without separators.
_PACKED_DATE = re.compile(r"^(\d{2})(\d{2})(\d{4}|\d{2})$")

MAX_AGE = 100


def parse_date(text: str, today: date) -> date:
    """A birth date as Vietnamese people write it; two-digit years are the latest past one."""
    raw = _date_alone(" ".join(fold(text).rstrip(".").split()))
    day = month = year = 0
    if m := _ISO_DATE.match(raw):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := (_NUMERIC_DATE.match(raw) or _WORDS_DATE.match(raw) or _PACKED_DATE.match(raw)):
        day, month, year = int(m[1]), int(m[2]), _full_year(m[3], today)
    elif re.fullmatch(r"\d{4}", raw):
        raise InvalidAnswerError("date_year_only", year=int(raw))
    else:
        raise InvalidAnswerError("date_format")
    try:
        value = date(year, month, day)
    except ValueError:
        raise InvalidAnswerError("date_impossible") from None
    if value > today:
        raise InvalidAnswerError("date_future")
    if age_on(value, today) > MAX_AGE:
        raise InvalidAnswerError("date_too_old")
    return value


def _date_alone(raw: str) -> str:
    """The date of "sinh 5 tháng 3 năm 2001", "nó sinh ngày 5/3/2001 ạ": the words before its
    first digit dropped when each is one that says whose birth or which day
    (``intake.date_words.before``), polite words after its last digit dropped
    (``intake.date_words.after``). Anything else stays, and is not read as a date."""
    words = raw.split()
    first = next((i for i, w in enumerate(words) if any(c.isdigit() for c in w)), None)
    if first is None:
        return raw
    last = max(i for i, w in enumerate(words) if any(c.isdigit() for c in w))
    before, after = words[:first], words[last + 1:]
    if (all(w in folded_phrases("intake.date_words.before") for w in before)
            and all(w in folded_phrases("intake.date_words.after") for w in after)):
        return " ".join(words[first:last + 1])
    return raw


def name_and_birth(text: str) -> tuple[str, str] | None:
    """"Triệu Văn Long, sinh ngày 12/10/1993": the name typed, and the words of its birth
    date after it (both as typed, to be read as each), or None when ``text`` is not words
    without a digit followed by a date (``intake.date_words.after_name`` may lead it)."""
    words = text.replace(",", " , ").replace(";", " ; ").split()
    first = next((i for i, w in enumerate(words) if any(c.isdigit() for c in w)), None)
    if not first:
        return None
    start = first
    leading = folded_phrases("intake.date_words.after_name")
    for n in (2, 1):  # "sinh ngày", "ns": one lead, the longest
        if start >= n and fold(" ".join(words[start - n:start])) in leading:
            start -= n
            break
    while start > 0 and words[start - 1] in ",;-":
        start -= 1
    name = " ".join(w for w in words[:start] if w not in ",;")
    birth = " ".join(w for w in words[start:] if w not in ",;")
    return (name, birth) if len(name.split()) >= 2 else None


def _full_year(digits: str, today: date) -> int:
    """A two-digit year is the latest one not in the future (98 → 1998, 05 → 2005)."""
    year = int(digits)
    if len(digits) == 2:
        century = today.year // 100 * 100
        year += century if century + year <= today.year else century - 100
    return year


def age_on(birth: date, today: date) -> int:
    """Whole years of age on ``today``."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def check_age(birth: date, today: date, minimum: int) -> None:
    if age_on(birth, today) < minimum:
        raise InvalidAnswerError("age_too_young", minimum=minimum)


# -- phone --------------------------------------------------------------------------------------
_PHONE_NOISE = re.compile(r"[\s.\-()]")
#: Vietnamese mobile numbers since the 2018 renumbering: 03x, 05x, 07x, 08x, 09x.
_MOBILE = re.compile(r"^0[35789]\d{8}$")


#: A number written inside a sentence ("số em là 0912 345 678"): digits and their separators.
_NUMBER_IN_TEXT = re.compile(r"\+?\d[\d\s.\-()]*\d")


def parse_phone(text: str) -> str:
    """A mobile number normalised to 10 digits starting with 0 (0912345678); a sentence
    holding one number ("sdt e 0912 345 678") is read as that number."""
    numbers = _NUMBER_IN_TEXT.findall(text)
    if len(numbers) == 1 and sum(c.isdigit() for c in numbers[0]) >= 6:
        text = numbers[0]
    digits = _PHONE_NOISE.sub("", text.strip())
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not ascii_digits(digits):
        raise InvalidAnswerError("phone_chars")
    if len(digits) == 9 and digits[0] in "35789":
        digits = "0" + digits  # the leading zero is often dropped
    if len(digits) != 10:
        raise InvalidAnswerError("phone_length", count=len(digits))
    if not _MOBILE.match(digits):
        raise InvalidAnswerError("phone_not_mobile")
    return digits


# -- citizen id ---------------------------------------------------------------------------------
#: Province codes that open a 12-digit citizen id number (Circular 07/2016/TT-BCA annex).
_PROVINCES = (
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 "
    "035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 "
    "070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096"
)
PROVINCE_CODES = frozenset(_PROVINCES.split())


def parse_citizen_id(text: str, *, birth: date | None = None, gender: str | None = None) -> str:
    """A 12-digit citizen id: province code, then century/gender digit and the birth year's
    last two digits, checked against the birth date and gender already given."""
    digits = re.sub(r"[\s.\-]", "", text)
    if not ascii_digits(digits):
        raise InvalidAnswerError("cid_chars")
    if len(digits) == 9:
        raise InvalidAnswerError("cid_old_card")
    if len(digits) != 12:
        raise InvalidAnswerError("cid_length", count=len(digits))
    if digits[:3] not in PROVINCE_CODES:
        raise InvalidAnswerError("cid_province")
    # 4th digit: century and sex (0/1: 1900s man/woman, 2/3: 2000s, 4/5: 2100s...).
    code = int(digits[3])
    century = 1900 + (code // 2) * 100
    year = century + int(digits[4:6])
    if birth is not None and year != birth.year:
        raise InvalidAnswerError("cid_year", year=birth.year)
    if gender in ("male", "female") and (code % 2 == 1) != (gender == "female"):
        raise InvalidAnswerError("cid_gender")
    return digits


# -- free text ----------------------------------------------------------------------------------
# Names, villages and ethnicities end up in officials' spreadsheets: each is checked for what it
# is (letters of any script, and for places digits), so none can start like a formula.
_SPACES = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
#: Punctuation a village name may hold besides letters, digits and spaces (Tổ 5, Thôn 3/2).
_PLACE_MARKS = frozenset(".,'-/()")
MAX_NAME = 80
#: No full name has more words: a longer text is a sentence.
MAX_NAME_WORDS = 7
MAX_PLACE = 100
MAX_ETHNICITY = 40
MAX_ETHNICITY_WORDS = 3


def _tidy(text: str) -> str:
    return _SPACES.sub(" ", text.translate(_APOSTROPHES)).strip()


def _is_letter(ch: str, after_letter: bool) -> bool:
    # Combining marks count as part of the letter before them (scripts NFC cannot compose).
    return ch.isalpha() or (after_letter and unicodedata.category(ch).startswith("M"))


def _word_ok(word: str, inner: str) -> bool:
    """Letters, with the ``inner`` punctuation only between two letters (H'Hen, Mai-Anh)."""
    after_letter = False
    for ch in word:
        if ch in inner:
            if not after_letter:
                return False
            after_letter = False
        elif _is_letter(ch, after_letter):
            after_letter = True
        else:
            return False
    return after_letter


def _only_letters_and(text: str, inner: str) -> bool:
    return all(_is_letter(ch, True) or ch in inner or ch == " " for ch in text)


def parse_name(text: str) -> str:
    """A full name: 2–7 words of letters, ``.`` ``'`` ``-`` only inside a word; each word
    capitalised (nguyễn văn a → Nguyễn Văn A)."""
    value = _tidy(text).rstrip(".").rstrip()
    if any(ch.isdigit() for ch in value):
        raise InvalidAnswerError("name_digits")
    if not _only_letters_and(value, ".'-"):
        raise InvalidAnswerError("name_chars")
    words = value.split(" ")
    if not all(_word_ok(w, ".'-") for w in words):
        raise InvalidAnswerError("name_punct")
    if len(words) < 2:
        raise InvalidAnswerError("name_short")
    if len(words) > MAX_NAME_WORDS or len(value) > MAX_NAME:
        raise InvalidAnswerError("name_long")
    return " ".join(w[:1].upper() + w[1:].lower() for w in words)


def parse_place(text: str) -> str:
    """A village or hamlet name (thôn 3, bản Khuổi Hóp, tổ 5, thôn 3/2): letters, digits,
    spaces and a little punctuation, starting with a letter or a digit."""
    value = _tidy(text)
    if not any(ch.isalnum() for ch in value):
        raise InvalidAnswerError("place_empty")
    if not value[0].isalnum() or not all(
        _is_letter(ch, True) or ch.isdigit() or ch == " " or ch in _PLACE_MARKS for ch in value
    ):
        raise InvalidAnswerError("place_chars")
    if len(value) > MAX_PLACE:
        raise InvalidAnswerError("place_long")
    return _place_written(value)


def _place_written(value: str) -> str:
    """A name typed all in lower case, written as people read it: "thon 5" → "Thôn 5", "ban
    khuoi hop" → "Bản Khuoi Hop" (the place word with its marks, as the first of two words or
    more; every word capitalised). A name typed with a capital anywhere is kept as typed
    ("Tổ 5, thôn Làng Bục")."""
    if not value.islower():
        return value
    words = value.split(" ")
    marked = {fold(w): w for w in raw("intake.place_words.words")}
    if len(words) >= 2 and fold(words[0]) in marked:
        words[0] = marked[fold(words[0])]
    return " ".join(w[:1].upper() + w[1:] for w in words)


def parse_ethnicity(text: str) -> str:
    """An ethnic group's name (Hoa, Sán Dìu, Cơ-tu, H'Mông): words of letters."""
    value = _tidy(text).rstrip(".").rstrip()
    if not any(ch.isalpha() for ch in value):
        raise InvalidAnswerError("ethnicity_empty")
    if not all(_word_ok(w, "'-") for w in value.split(" ")):
        raise InvalidAnswerError("ethnicity_chars")
    if len(value) > MAX_ETHNICITY:
        raise InvalidAnswerError("ethnicity_long")
    words = value.split(" ")
    if _key(" ".join(words[:2])) == "dan toc":
        words = words[2:]  # "dân tộc Sán Dìu"
    elif words and _key(words[0]) == "nguoi" and len(words) > 1:
        words = words[1:]  # "người Hoa"
    if not words:
        raise InvalidAnswerError("ethnicity_empty")
    if len(words) > MAX_ETHNICITY_WORDS:
        # A group's name is one or two words: "de mai e lam tiep" was saved as one.
        raise InvalidAnswerError("ethnicity_sentence", sentence=True)
    if _group_key(" ".join(words)) not in _ethnic_groups():
        # "hộ cận nghèo" (the next question's answer, typed early) was saved as one.
        raise InvalidAnswerError("ethnicity_unknown")
    return " ".join(words)


def _group_key(text: str) -> str:
    """"Cơ-tu", "Cơ Tu", "co tu" alike; "H'Mông" as "hmong"."""
    return re.sub(r"[\s'’\-]", "", fold(text))


@cache
def _ethnic_groups() -> frozenset[str]:
    """Vietnam's ethnic groups and their other names (intake.ethnic_groups), as compared."""
    return frozenset(
        _group_key(name)
        for names in (folded_phrases("intake.ethnic_groups.names"),
                      folded_phrases("intake.ethnic_groups.other_names"))
        for name in names
    )


# -- communes -----------------------------------------------------------------------------------
class NamedUnit(Protocol):
    """A commune as :func:`match_unit` needs it: its folded name (a ``Unit`` row has it)."""

    @property
    def name_key(self) -> str: ...


U = TypeVar("U", bound=NamedUnit)


_UNIT_PREFIXES = ("xa ", "phuong ", "thi tran ", "tt ")


def match_unit(text: str, units: Sequence[U], *, close: bool = True) -> U:
    """The commune a typed name means: exact without diacritics ("xã" optional), else (when
    ``close``) one clearly closest spelling; ambiguous or unknown names are refused."""
    key = fold(text).rstrip(".")
    for prefix in _UNIT_PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix) :].strip()
            break
    for unit in units:
        if unit.name_key == key:
            return unit
    if not key or not close:
        raise InvalidAnswerError("unit_unknown")
    found = process.extract(key, [u.name_key for u in units], scorer=fuzz.ratio, limit=2)
    if found and found[0][1] >= 80 and (len(found) < 2 or found[0][1] - found[1][1] >= 10):
        return units[found[0][2]]
    raise InvalidAnswerError("unit_unknown")


#: A commune named in a sentence may be one letter off ("o phu lu"): at least this close
#: (rapidfuzz ratio, spaces ignored) and closer than any other commune by the margin.
_UNIT_IN_WORDS_MIN = 88


def unit_in_words(words: Sequence[str], units: Sequence[U]) -> U | None:
    """The commune folded ``words`` name: as whole words, else one clearly closest spelling
    of as many words as its name ("o phu lu" → Phù Lưu); None when none or two are close."""
    padded = f" {' '.join(words)} "
    exact = next((u for u in units if f" {u.name_key} " in padded), None)
    if exact is not None:
        return exact
    scores: list[tuple[float, int]] = []
    for index, unit in enumerate(units):
        size = len(unit.name_key.split())
        name = unit.name_key.replace(" ", "")
        best = max(
            (fuzz.ratio("".join(words[i : i + size]), name)
             for i in range(len(words) - size + 1)),
            default=0.0,
        )
        scores.append((best, index))
    scores.sort(reverse=True)
    if not scores or scores[0][0] < _UNIT_IN_WORDS_MIN:
        return None
    if len(scores) > 1 and scores[0][0] - scores[1][0] < 10:
        return None
    return units[scores[0][1]]


# -- questions ----------------------------------------------------------------------------------
def looks_like_question(text: str, markers: Sequence[str]) -> bool:
    """Does the text read as a question (a "?" or a question phrase as whole words)?"""
    if text.strip().endswith("?"):
        return True
    padded = f" {fold(text).rstrip('.!')} "
    return any(f" {fold(m)} " in padded for m in markers)


# -- options ------------------------------------------------------------------------------------
#: A typed option closer than this (rapidfuzz ratio, 0-100) to one label or synonym is it.
_FUZZY_MIN = 85
_FUZZY_MARGIN = 8


def _initials(label: str) -> str:
    """"Hộ cận nghèo" → "hcn": people type the first letters of long labels."""
    words = _key(label).replace("/", " ").split()
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


def _names(
    options: Sequence[tuple[str, str]], synonyms: Mapping[str, Sequence[str]] | None
) -> list[tuple[str, str]]:
    """(folded name, value) of every label, value and synonym of ``options``."""
    names: list[tuple[str, str]] = []
    for value, label in options:
        names.append((_key(label), value))
        names.append((_key(value.replace("_", " ")), value))
        names += [(_key(s), value) for s in (synonyms or {}).get(value, ())]
    return [(n, v) for n, v in names if n]


def _exact(
    key: str, options: Sequence[tuple[str, str]], names: list[tuple[str, str]]
) -> set[str]:
    """The values whose label, value or synonym is ``key``, or whose label's initials are."""
    return ({v for n, v in names if n == key}
            | {v for v, label in options if _initials(label) == key})


def exact_option(
    text: str,
    options: Sequence[tuple[str, str]],
    synonyms: Mapping[str, Sequence[str]] | None = None,
) -> str | None:
    """The one option value the typed answer names exactly (label, synonym, initials), or
    None (none, or several)."""
    key = _key(text)
    found = _exact(key, options, _names(options, synonyms)) if key else set()
    return found.pop() if len(found) == 1 else None


def match_option(
    text: str,
    options: Sequence[tuple[str, str]],
    synonyms: Mapping[str, Sequence[str]] | None = None,
    *,
    loose: bool = True,
) -> str:
    """The option value a typed answer means, or InvalidAnswerError("choose_option").

    ``options`` are (value, label). Tried in order: the label or a synonym exactly (without
    diacritics or punctuation), the label's initials, the start of one label, the longest
    label or synonym standing as whole words in a longer answer ("nhà em hộ cận nghèo ạ"),
    then one clearly closest spelling ("ho can ngeo"). The last two only when ``loose``: a
    question ("đi nhật hết bao nhiêu tiền?") names an option without choosing it."""
    key = _key(text)
    if not key:
        raise InvalidAnswerError("choose_option")
    names = _names(options, synonyms)
    exact = _exact(key, options, names)
    if len(exact) == 1:
        return exact.pop()
    # The start of a name: whole words, or a longer start ("may cong" for «May công nghiệp»);
    # "nu" (nữ, typed at the wrong question) is not the start of "nuoc ngoai".
    prefix = {v for n, v in names if n.startswith(key) and len(key) >= 2
              and (n[len(key):len(key) + 1] in ("", " ") or len(key) >= 4)}
    if len(prefix) == 1:
        return prefix.pop()
    if not loose:
        raise InvalidAnswerError("choose_option")
    padded = f" {key} "
    inside = sorted(((len(n), v) for n, v in names if f" {n} " in padded), reverse=True)
    if inside and (len(inside) == 1 or inside[0][0] > inside[1][0] or inside[0][1] == inside[1][1]):
        return inside[0][1]
    found = process.extract(key, [n for n, _ in names], scorer=fuzz.ratio, limit=len(names))
    best = [(score, names[i][1]) for _, score, i in found if score >= _FUZZY_MIN]
    if best and all(v == best[0][1] or best[0][0] - s >= _FUZZY_MARGIN for s, v in best):
        return best[0][1]
    raise InvalidAnswerError("choose_option")


