"""What a request says beyond its action: a typed case reference, and the answers it already
gives to the registration form (kind, country, for whom).

Rules, not learning: a reference has a fixed shape, and the slot phrases are data
(``[slots]`` of messages/actions.toml), compared on the normalised words.
"""

from __future__ import annotations

import re
from functools import cache

from handlers.textnorm import fold
from handlers.understanding.details import full_name_first
from handlers.understanding.normalise import tokens, without_personal_numbers
from messages.actions import Actions, load_actions

#: Slot: the topics answered to the question just before a registration request, so that
#: "ok đăng ký luôn cho tôi" after the Korea answer registers to work in Korea (the form fills
#: only what the request's own words leave open, and says what it filled).
ANSWERED_BEFORE = "answered_before"
#: Slot: that question's words (normalised), so that "đăng ký cho vợ tôi" after "vợ tôi muốn
#: học nghề may thì đăng ký ở đâu" registers for the sewing class named there.
ASKED_BEFORE = "asked_before"

#: "HY-2026-00001", "hy 2026 00001", "HY2026-1", "hy_2026_00001": letters, year, number.
_REFERENCE = re.compile(r"(?<![a-z0-9])([a-z]{1,6})[\s\-_./]*(\d{4})[\s\-_./]*(\d{1,6})(?![0-9])")


def find_reference(text: str, prefix: str) -> str | None:
    """The case reference typed in ``text`` (any case, spaces or dashes), in its stored form
    ``PREFIX-YYYY-NNNNN``; None when the text holds none with this deployment's prefix."""
    for match in _REFERENCE.finditer(fold(text)):
        letters, year, number = match.groups()
        if letters == prefix.lower():
            return f"{prefix.upper()}-{year}-{int(number):05d}"
    return None


@cache
def _phrases(actions: Actions, slot: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(value, phrase words) of one slot, longest phrase first."""
    found = [
        (value, tuple(tokens(phrase)))
        for value, phrases in actions.slots.get(slot, {}).items()
        for phrase in phrases
    ]
    return tuple(sorted(found, key=lambda vp: -len(vp[1])))


def _find(words: list[str], phrase: tuple[str, ...]) -> int:
    """Index of ``phrase`` in ``words``, or -1."""
    n = len(phrase)
    return next((i for i in range(len(words) - n + 1) if tuple(words[i : i + n]) == phrase), -1)


def _first(words: list[str], actions: Actions, slot: str) -> str | None:
    for value, phrase in _phrases(actions, slot):
        if phrase and _find(words, phrase) >= 0:
            return value
    return None


def _relationship(words: list[str], actions: Actions) -> str | None:
    speaker_words = [tuple(tokens(p)) for p in actions.slots.get("not_relative_after", {}).get(
        "words", ())]
    for value, phrase in _phrases(actions, "relationship"):
        at = _find(words, phrase)
        if at < 0:
            continue
        after = words[at + len(phrase):]
        # "cho con đăng ký" is the speaker (a child to an elder), not "for my child".
        if any(tuple(after[: len(w)]) == w for w in speaker_words if w):
            continue
        return value
    return None


def _other_senses(words: list[str], actions: Actions) -> list[str]:
    """``words`` without a country's short name where a phrase gives it another sense
    (``[slots.not_market]``: "lớp hàn điện" is welding, not Korea)."""
    kept = list(words)
    for word, phrase in _phrases(actions, "not_market"):
        n = len(phrase)
        for i in range(len(words) - n + 1):
            if tuple(words[i : i + n]) == phrase:
                kept[i : i + n] = ["" if w == word else w for w in kept[i : i + n]]
    return kept


def request_slots(text: str, actions: Actions | None = None) -> dict[str, str]:
    """The form answers a registration request already gives: ``kind`` (abroad/course),
    ``market`` (japan/korea/taiwan), ``who`` (self/relative) and ``relationship``."""
    acts = actions or load_actions()
    words = tokens(text)
    slots: dict[str, str] = {}
    sensed = _other_senses(words, acts)
    market = _first(sensed, acts, "market")
    if market:
        slots["market"] = market
    kind = "abroad" if market else _first(sensed, acts, "kind")
    if kind:
        slots["kind"] = kind
    relationship = _relationship(words, acts)
    if relationship:
        slots["who"] = "relative"
        slots["relationship"] = relationship
    elif any(_find(words, p) >= 0 for _, p in _phrases(acts, "relative") if p):
        slots["who"] = "relative"
    elif any(_find(words, p) >= 0 for _, p in _phrases(acts, "self") if p):
        slots["who"] = "self"
    return slots


#: A birth year, or a date written with digits.
_BIRTH = re.compile(r"^(?:(?:19|20)\d\d|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4})$")


@cache
def _particular_phrases(actions: Actions) -> dict[str, list[tuple[str, ...]]]:
    """``[particulars]``'s phrases as folded words, once per actions file."""
    return {k: [tuple(fold(p).split()) for p in v] for k, v in actions.particulars.items()}


def gives_particulars(text: str, actions: Actions | None = None) -> bool:
    """Does the message give the person's particulars, asking nothing: a mobile number or a
    name ("tên là …", "tôi tên …", "tôi là" then a capitalised name, or a full name typed
    first: ``full_name_first``), or both a birth year or
    date after "sinh" and a village ("thôn Nà Thác")? (``[particulars]`` of
    messages/actions.toml.) A village or an age alone is how people say who asks a question
    ("cháu ở thôn 3, năm nay 19 tuổi, xã mình có lớp không")."""
    acts = actions or load_actions()
    table = _particular_phrases(acts)
    typed = re.findall(r"[\w/.\-]+", text)
    words = [fold(w).strip(".-") for w in typed]
    if "?" in text or any(_find(words, p) >= 0 for p in table.get("asking", ())):
        return False  # asked, not given to register
    read = tokens(text)
    if len(without_personal_numbers(read, least=0, births=False)) < len(read):
        return True  # a phone (or ID) number, as the matcher's key leaves them out
    if full_name_first(text.split()):
        return True  # "Nguyễn Văn Nam muốn đi Hàn": a full name, typed first
    speakers = {p[0] for p in table.get("speakers", ()) if p}

    def after(key: str) -> list[list[str]]:
        found = []
        for phrase in table.get(key, ()):
            at = _find(words, phrase)
            if at >= 0:
                found.append(words[at + len(phrase):at + len(phrase) + 3])
        return found

    for n, word in enumerate(words):
        # "tôi tên (là) Hùng", "tên em là …": a speaker's word beside "tên"
        if word == "ten" and speakers & set(words[max(0, n - 1):n + 2]):
            return True
        # "tôi là Nông Văn Thắng": capitalised words after "là"
        if (word == "la" and n and words[n - 1] in speakers and len(typed) > n + 2
                and typed[n + 1][:1].isupper() and typed[n + 2][:1].isupper()):
            return True
    born = any(any(_BIRTH.match(w) for w in rest[:2]) for rest in after("birth"))
    return born and any(rest and rest[0] not in speakers for rest in after("village"))
