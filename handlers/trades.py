"""Which class a message names by its trade: "lớp may", "học nghề nấu ăn", "dang ky hoc may"
name «May công nghiệp» and «Nấu ăn». A trade is named by a pair of its own words ("nau an"), or
by a word of learning before one of its own words ("lop may", "nghe may", "lop che": "may"
alone could be another word); pairs that many class names share ("kỹ thuật", "công nghiệp")
name none, nor does a lead word before a word many share ("lớp trồng", "lớp học"). The words
are data: ``intake.prefill_trade_leads``, ``intake.prefill_generic_pairs``,
``intake.prefill_generic_words``, ``intake.prefill_how_many`` and ``intake.prefill_counted``.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from functools import cache

from handlers.textnorm import contains_phrase, fold, folded_phrases, nfc
from messages import raw, t
from messages.survey import questionnaire

#: The survey question whose options are the trades people ask for (messages/survey.toml).
TRADES_QUESTION = "trades"


def _pairs(words: list[str]) -> set[str]:
    return {f"{a} {b}" for a, b in itertools.pairwise(words)}


def said_pairs(text: str) -> frozenset[str]:
    """The word pairs of ``text`` that could name a trade (folded; punctuation aside). "may"
    before a unit counted ("học may tháng": "mấy tháng" typed without its marks) is "how
    many", not sewing (``intake.prefill_how_many``, ``intake.prefill_counted``)."""
    words = fold(text).replace(",", " ").replace(".", " ").replace("?", " ").split()
    counted, how_many = folded_phrases("intake.prefill_counted"), fold(t("intake.prefill_how_many"))
    words = [w if not (w == how_many and after in counted) else "?"
             for w, after in zip(words, [*words[1:], ""][:len(words)], strict=True)]
    return frozenset(_pairs(words) - folded_phrases("intake.prefill_generic_pairs"))


@cache
def trade_pairs(occupation: str) -> frozenset[str]:
    """The word pairs that name a class's trade: its own, and a word of learning before any
    of its words but those many trades share ("nghe may" for «May công nghiệp», "lop che" for
    «Trồng và chế biến chè»; not "lop trong", "hoc ky"). Read for every class at every class
    question: kept per trade."""
    words = fold(occupation).split()
    leads = folded_phrases("intake.prefill_trade_leads")
    # Compared with their marks: «Sửa chữa máy …»'s "máy" is shared, «May công nghiệp»'s
    # "may" is the trade, and both fold to "may".
    shared = {nfc(w).lower() for w in raw("intake.prefill_generic_words")}
    own = [fold(w) for w in nfc(occupation).lower().split() if w not in shared]
    return frozenset(_pairs(words) | {f"{lead} {word}" for lead in leads for word in own})


def named_in(occupation: str, said: Collection[str]) -> frozenset[str]:
    """The pairs of ``said`` that name the trade ``occupation`` (empty: it is not named)."""
    return trade_pairs(occupation) & set(said)


def trade_asked(text: str) -> str | None:
    """The trade of the survey's list (``trades``) that ``text`` names, by its label's pairs
    or a phrase of two words or more people type for it ("sửa xe máy"), written without its
    examples ("Trồng trọt"); None when it names none. Whether a class teaches it is the
    caller's to know: "lớp sửa xe máy ở Thái Hòa" was shown the commune's cooking class as if
    that were it."""
    question = questionnaire().get(TRADES_QUESTION)
    if question is None:
        return None
    said = said_pairs(text)
    for key, label in question.options.items():
        if key == "other":
            continue
        phrases = [fold(p) for p in question.words.get(key, ()) if " " in p.strip()]
        if named_in(label, said) or (phrases and contains_phrase(text, phrases)):
            return label.split(" (")[0]
    return None
