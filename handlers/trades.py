"""Which class a message names by its trade: "lớp may", "học nghề nấu ăn", "dang ky hoc may"
name «May công nghiệp» and «Nấu ăn». A trade is named by a pair of its own words ("nau an"), or
by a word of learning before its first word ("lop may", "nghe may": "may" alone could be
another word); pairs that many class names share ("kỹ thuật", "công nghiệp") name none, nor
does a lead word before a first word many share ("lớp trồng"). The words are data:
``intake.prefill_trade_leads``, ``intake.prefill_generic_pairs`` and
``intake.prefill_generic_first_words``.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from functools import cache

from handlers.textnorm import fold, folded_phrases


def _pairs(words: list[str]) -> set[str]:
    return {f"{a} {b}" for a, b in itertools.pairwise(words)}


def said_pairs(text: str) -> frozenset[str]:
    """The word pairs of ``text`` that could name a trade (folded; punctuation aside)."""
    words = fold(text).replace(",", " ").replace(".", " ").split()
    return frozenset(_pairs(words) - folded_phrases("intake.prefill_generic_pairs"))


@cache
def trade_pairs(occupation: str) -> frozenset[str]:
    """The word pairs that name a class's trade: its own, and a word of learning before its
    first word ("nghe may" for «May công nghiệp»). Read for every class at every class
    question: kept per trade."""
    words = fold(occupation).split()
    leads = folded_phrases("intake.prefill_trade_leads")
    if not words or words[0] in folded_phrases("intake.prefill_generic_first_words"):
        leads = frozenset()  # "lớp trồng …" names no trade: many begin with "trồng"
    return frozenset(_pairs(words) | {f"{lead} {words[0]}" for lead in leads})


def named_in(occupation: str, said: Collection[str]) -> frozenset[str]:
    """The pairs of ``said`` that name the trade ``occupation`` (empty: it is not named)."""
    return trade_pairs(occupation) & set(said)
