"""What a message about announcements says: a stop (of everything, or of some topics), and the
topics it names. Readers of text only; the flow that acts on them is handlers/outreach/subscribe.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

from handlers.intake.validators import InvalidAnswerError, looks_like_question, match_option
from handlers.textnorm import (
    after_lead,
    contains_phrase,
    fold,
    folded_phrases,
    is_phrase,
    phrase_key,
    spelt_key,
)
from messages import raw, t

Topic = Literal["training", "abroad", "scam"]
Country = Literal["any", "japan", "korea", "taiwan"]
TOPICS: tuple[Topic, ...] = get_args(Topic)
COUNTRIES: tuple[Country, ...] = get_args(Country)


@dataclass(frozen=True)
class StopSaid:
    """A stop: of every announcement (``off`` empty), or of the topics in ``off``, keeping
    only those in ``only`` when it says so ("dừng nhận tin Hàn, chỉ nhận lớp học")."""

    off: list[str] = field(default_factory=list)
    only: list[str] = field(default_factory=list)


def is_stop(text: str) -> bool:
    """Two words stop every announcement, however typed: "Dừng nhận tin.", "dừng nhận tin ạ 🙏"
    (punctuation, signs and polite particles aside), "thôi đừng gửi tin nữa" (a word saying
    "enough" before it: ``outreach_stop.lead_words``). Read at every step, so only the
    phrase itself: an officer's announcement may say "dừng nhận tin" in a sentence."""
    phrases = folded_phrases("outreach_stop.phrases")
    rest = after_lead(text, folded_phrases("outreach_stop.lead_words"))
    return is_phrase(text, phrases) or (rest is not None and is_phrase(rest, phrases))


def stop_said(text: str) -> StopSaid | None:
    """The stop a message already read as about announcements says inside a sentence ("cho
    tôi dừng nhận tin", "em không muốn nhận tin nữa", "gửi hoài vậy, dừng nhận tin giùm":
    each started a subscription), with the topics named right after it; None when there is
    none, it is denied just before ("không muốn dừng nhận tin") or supposed ("nếu dừng nhận
    tin thì…")."""
    keys = dict.fromkeys((phrase_key(text), spelt_key(text)))
    if any(contains_phrase(key, folded_phrases("outreach_stop.if_words")) for key in keys):
        return None
    denials = folded_phrases("outreach_stop.denials")
    phrases = [p.split() for p in folded_phrases("outreach_stop.phrases") if " " in p]
    for words in (key.split() for key in keys):
        for phrase in phrases:
            n = len(phrase)
            at = next((i for i in range(len(words) - n + 1) if words[i:i + n] == phrase
                       and not denials & set(words[max(0, i - 3):i])), None)
            if at is not None:
                return _topics_after(words[at + n:])
    return None


def _topics_after(words: list[str]) -> StopSaid:
    """The topics named after a stop, and those kept after "chỉ"."""
    only = folded_phrases("outreach_stop.only_words")
    cut = next((i for i, w in enumerate(words) if w in only), len(words))
    return StopSaid(topics_in(" ".join(words[:cut])), topics_in(" ".join(words[cut:])))


def topics_in(text: str) -> list[str]:
    """The topics a subscription request names ("báo cho tôi khi có lớp mới" → training;
    "nhận tin tuyển đi Hàn" → abroad:korea; a country alone is its recruitment: "khi nào
    Nhật tuyển thì báo em" had no topic chosen), in the order of TOPICS."""
    padded = f" {' '.join(fold(text).replace(',', ' ').split())} "
    found: list[str] = []
    countries = [c for c in COUNTRIES if c != "any" and any(
        f" {fold(w)} " in padded for w in raw(f"outreach.country_words.{c}"))]
    for topic in TOPICS:
        if any(f" {fold(w)} " in padded for w in raw(f"outreach.topic_words.{topic}")) or (
                topic == "abroad" and countries):
            found.append(topic)
    if "abroad" in found and len(countries) == 1:
        found[found.index("abroad")] = f"abroad:{countries[0]}"
    return found


def _news_of_answer(topic: str) -> str | None:
    """The news a knowledge-base topic's answer is about: a class's, a country's recruitment
    (its topic named as in ``COUNTRIES``), scams; None for the others."""
    group, _, name = topic.partition(".")
    if group == "training":
        return "training"
    if group == "abroad" and name == "scam":
        return "scam"
    return f"abroad:{name}" if group == "abroad" and name in COUNTRIES else None


def topics_answered(answered: Sequence[str]) -> list[str]:
    """The news a subscription asked for right after these knowledge-base topics were answered
    wants: «Nhận thông báo» under a class list is the classes', after Japan's answer Japan's
    recruitment ("đi Nhật cần điều kiện gì" is who may go and Japan: Japan's). None when the
    answers say no news, or news of two kinds."""
    news = {_news_of_answer(a) for a in answered} - {None}
    return [str(x) for x in news] if len(news) == 1 else []


def typed_topic(folded_text: str) -> Topic | None:
    """A topic typed by its name or a usual word for it ("lua dao", "lop hoc")."""
    try:
        found = match_option(
            folded_text,
            [(x, t(f"outreach.topic.{x}")) for x in TOPICS],
            {x: raw(f"outreach.topic_words.{x}") for x in TOPICS},
            loose=False,
        )
    except InvalidAnswerError:
        return None
    return next(x for x in TOPICS if x == found)


def adds_topics(folded_text: str) -> bool:
    """A sentence naming topics at the topics step, not a question about them."""
    return bool(topics_in(folded_text)) and not looks_like_question(
        folded_text, raw("intake.question_markers"))


def said(folded_text: str, key: str) -> bool:
    return is_phrase(folded_text, folded_phrases(key))
