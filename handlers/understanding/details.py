"""A message that only tells a person's details: "thằng con tôi nó tên là Vũ Văn Hải", "nó sinh
năm 1996", "sđt 0912 345 678". Nothing asks a question or names an action, so it fell back as
"not understood", or, for a year of birth, "not the bot's business". The bot keeps no such
detail before consent: the fallback says so and offers the registration, which asks them."""

from __future__ import annotations

from handlers.textnorm import fold, folded_phrases, nfc, phrase_key
from handlers.understanding.normalise import without_personal_numbers
from messages.lexicon import Lexicon, load_lexicon

#: How many words a name has after its label ("tên Hoa", "tên là Vũ Văn Hải", "Lò Thị Mai Anh").
_NAME_WORDS = range(1, 6)


def tells_details(text: str, lexicon: Lexicon | None = None) -> bool:
    """Does ``text`` only tell a name (after its label, or a full name typed first: "Triệu
    Thị Hồng", "Hoàng Văn Thạch sinh 2001"), a year of birth after its label, or a phone or ID
    number, with nothing else but words saying whose ("thằng con tôi nó")? A message about a
    matter that also holds a number ("nhà tôi ở …, gọi 0912…, tranh chấp đất đai") is not.
    (It is asked only of a message nothing else understood.)"""
    typed = nfc(text).split()
    first = full_name_first(typed)
    if first == len(typed):
        return True
    words = phrase_key(" ".join(typed[first:])).split()
    named = _name_at(words)
    if named is not None:
        words = words[:named]
    left = without_personal_numbers(words, lexicon or load_lexicon(), least=0)
    if not first and named is None and len(left) == len(words):
        return False
    whose = folded_phrases("faq.details.whose_words")
    return sum(1 for w in left if w not in whose) <= 1


def full_name_first(words: list[str]) -> int:
    """How many of ``words`` (as typed) make a full name at their start: three to five (two
    are as often a place: "Hà Nội", "Cao Bằng"), each capitalised and of letters only, the
    first a family name or the second a middle name of ``faq.details``; 0 for none."""
    typed = [w.strip(",.;:") for w in words[:5]]
    length = 0
    for n in range(len(typed)):
        if not (typed[n].isalpha() and typed[n][:1].isupper()):
            break
        length = n + 1
    if length < 3:
        return 0
    folded = [fold(w) for w in typed[:2]]
    named = (folded[0] in folded_phrases("faq.details.surnames")
             or folded[1] in folded_phrases("faq.details.middle_names"))
    return length if named else 0


def _name_at(words: list[str]) -> int | None:
    """Where a name label starts that is followed, to the end, by one to five words asking
    nothing ("tên là Vũ Văn Hải"; "tên là gì" asks), or None."""
    labels = sorted((p.split() for p in folded_phrases("faq.details.name_labels")), key=len,
                    reverse=True)
    asking = folded_phrases("faq.details.asking_words")
    for i in range(len(words)):
        for label in labels:
            if words[i:i + len(label)] == label:
                name = words[i + len(label):]
                return i if len(name) in _NAME_WORDS and not asking & set(name) else None
    return None
