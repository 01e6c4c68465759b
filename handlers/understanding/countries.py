"""The rules for a country named in a question (handlers/understanding/matcher.py applies them
to each decision): its topic answered beside the side of working abroad asked about, or the
countries' topic when several are named, or the side alone when the name is all that pulls."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from handlers.understanding.decision import (
    ABROAD_GROUP,
    MARKETS,
    OUT_OF_REMIT,
    Candidate,
    Decision,
    Thresholds,
    without_actions,
)
from handlers.understanding.normalise import drop_phrases
from handlers.understanding.ruled_out import countries_named
from messages.lexicon import Lexicon


class CountryRules:
    """The country rules of one matcher: its lexicon, thresholds and ranking."""

    def __init__(self, lexicon: Lexicon, thresholds: Thresholds,
                 rank: Callable[[str], list[Candidate]]) -> None:
        self.lexicon = lexicon
        self.thresholds = thresholds
        self._rank = rank

    def named(
        self, key: str, ranked: list[Candidate], decision: Decision
    ) -> Decision | None:
        """"lương bên Hàn một tháng bao nhiêu": one side of working abroad (pay) asked about
        one country. The side is answered, and the country's own topic with it, when the
        message names the country and the ranking does not rule its topic out."""
        if decision.outcome != "answer" or len(decision.candidates) != 1:
            return None
        answered = decision.candidates[0]
        countries = self.lexicon.countries
        if answered.topic in countries or not answered.topic.startswith(ABROAD_GROUP):
            return None
        words = key.split()
        named = [c for c in ranked if c.topic in countries
                 and c.probability >= self.thresholds.country
                 and len(drop_phrases(words, countries[c.topic])) < len(words)]
        if len(named) != 1:
            return None
        return replace(decision, candidates=(answered, named[0]))

    def compared(
        self, key: str, ranked: list[Candidate], decision: Decision
    ) -> Decision | None:
        """"có đi được châu Âu không hay chỉ Nhật, Hàn, Đài Loan": a message naming several
        countries asks which to go to, not about one of them (the countries' topic)."""
        countries = self.lexicon.countries
        if decision.outcome != "answer" or not any(t in countries for t in decision.topics):
            return None
        markets = next((c for c in ranked if c.topic == MARKETS), None)
        if len(countries_named(self.lexicon, key)) < 2 or markets is None:
            return None
        # The countries' topic in place of each country's; another side asked stays.
        kept = [c for c in decision.candidates if c.topic not in countries and c != markets]
        return Decision("answer", key, (markets, *kept[:1]))

    def aspect(self, key: str, decision: Decision) -> Decision | None:
        """"đang làm bên Nhật muốn chuyển chỗ làm": the Japan topic wins on the name alone;
        without the name the message is clearly about changing employer. Both are answered,
        the side asked about first."""
        countries = self.lexicon.countries
        if decision.outcome not in ("answer", "clarify") or not decision.candidates:
            return None
        country = decision.candidates[0]
        words = key.split()
        kept = drop_phrases(words, countries.get(country.topic, ()))
        if len(kept) < 2 or len(kept) == len(words):
            return None
        # Other words may still name the country ("EPS" is Korea's): then it stays.
        ranked = without_actions(self._rank(" ".join(kept)))
        if len(ranked) < 2 or ranked[0].topic in countries or ranked[0].topic == OUT_OF_REMIT:
            return None
        aspect, runner_up = ranked[0], ranked[1]
        th = self.thresholds
        if aspect.probability < th.aspect or aspect.probability - runner_up.probability < th.margin:
            return None
        return Decision("answer", key, (aspect, country))

    def only_named(self, key: str) -> str | None:
        """The country topic of a message that names one country and nothing else but the
        words of a follow-up ("thế còn Hàn Quốc", "bên Đài thì sao", "Nhật")."""
        named = countries_named(self.lexicon, key)
        if len(named) != 1:
            return None
        words = drop_phrases(key.split(), self.lexicon.countries[named[0]])
        return named[0] if not drop_phrases(words, self.lexicon.follow_up) else None

    def asked_again(self, key: str, previous: Sequence[str]) -> Decision | None:
        """A country alone, named after an answer about one side of working abroad ("đi Nhật
        hết bao nhiêu" … "thế còn Hàn Quốc?"): that side and the country are answered. With no
        such side answered before, the country's topic alone (a short "thế còn Hàn Quốc" is
        no matter outside the remit)."""
        country = self.only_named(key)
        if country is None:
            return None
        found = next((c for c in self._rank(key) if c.topic == country),
                     Candidate(country, 1.0))
        side = next((t for t in previous if t.startswith(ABROAD_GROUP) and t != MARKETS
                     and t not in self.lexicon.countries), None)
        if side is None:
            return Decision("answer", key, (found,))
        return Decision("answer", key, (Candidate(side, found.probability), found))
