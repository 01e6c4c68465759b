"""A message that only tells a person's details: "thằng con tôi nó tên là Vũ Văn Hải", "nó sinh
năm 1996", "sđt 0912 345 678". Nothing asks a question or names an action, so it fell back as
"not understood", or, for a year of birth, "not the bot's business". The bot keeps no such
detail before consent: the fallback says so and offers the registration, which asks them."""

from __future__ import annotations

from handlers.textnorm import folded_phrases, phrase_key
from handlers.understanding.normalise import without_personal_numbers
from messages.lexicon import Lexicon, load_lexicon

#: How many words a name has after its label ("tên Hoa", "tên là Vũ Văn Hải", "Lò Thị Mai Anh").
_NAME_WORDS = range(1, 6)


def tells_details(text: str, lexicon: Lexicon | None = None) -> bool:
    """Does ``text`` tell a name after its label, a year of birth after its label, or a phone
    or ID number? (Whether it also asks something is the caller's to know: it is asked only of
    a message nothing else understood.)"""
    words = phrase_key(text).split()
    if not words:
        return False
    if _names_someone(words):
        return True
    return len(without_personal_numbers(words, lexicon or load_lexicon(), least=0)) < len(words)


def _names_someone(words: list[str]) -> bool:
    """A name label, then one to five words that ask nothing ("tên là gì" asks)."""
    labels = sorted((p.split() for p in folded_phrases("faq.details.name_labels")), key=len,
                    reverse=True)
    asking = folded_phrases("faq.details.asking_words")
    for i in range(len(words)):
        for label in labels:
            if words[i:i + len(label)] == label:
                name = words[i + len(label):]
                return len(name) in _NAME_WORDS and not asking & set(name)
    return False
