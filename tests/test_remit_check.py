"""The remit check's rules (handlers/understanding/remit.py, ``RemitCheck.judge``): which
decisions it judges, at which bar, and what a set-aside answer keeps. The questions it keeps
outside are in tests/test_faq_out_of_remit.py."""

from __future__ import annotations

from dataclasses import replace

import pytest

from handlers.understanding.decision import OUT_OF_REMIT, Candidate, Decision
from handlers.understanding.matcher import Matcher
from tests.helpers import shipped_matcher


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return shipped_matcher()


def test_short_messages_are_checked_and_long_ones_at_a_higher_bar(
    matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    def answered(key: str) -> Decision:
        return Decision("answer", key, (Candidate("abroad.contract_rights", 0.9),))

    # Two words are a knowledge-base phrase far more often than another matter; a long
    # message's everyday words pull a story in the remit outside too, so it needs more.
    two, short = answered("bao hiem"), answered("mua bao hiem xe may o dau")
    long = answered(" ".join(["mua bao hiem xe may o dau"] * 3))
    th = matcher.thresholds
    for decision in (two, short, long):
        assert matcher.outside(decision) >= th.outside
    assert matcher._within_remit(two) is two
    assert matcher._within_remit(short).outcome == "fallback"
    assert th.outside_long > th.outside
    monkeypatch.setattr(matcher, "thresholds", replace(th, outside_long=1.0))
    assert matcher._within_remit(long) is long
    monkeypatch.setattr(matcher, "thresholds", replace(th, outside_long=th.outside))
    assert matcher._within_remit(long).outcome == "fallback"


def test_the_remit_check_judges_answers_actions_and_which_topic_questions_only(
    matcher: Matcher,
) -> None:
    assert matcher.outside(matcher.decide("thoi tiet hom nay the nao")) == 0.0
    assert matcher.outside(matcher.decide("xin chào")) == 0.0
    acted = matcher.decide("dang ky cho be hoc lop nang khieu")
    assert acted.outcome == "fallback"


def test_two_answered_topics_are_outside_only_as_much_as_against_the_likelier(
    matcher: Matcher,
) -> None:
    # "Papers to go to Taiwan": the papers AND Taiwan; against Taiwan it is plainly inside.
    key = matcher.key("sang đài loan cần giấy tờ gì")
    pair = Decision("answer", key, (Candidate("abroad.dossier", 0.76),
                                    Candidate("abroad.taiwan", 0.2)))
    each = [matcher.outside(Decision("answer", key, (c,))) for c in pair.candidates]
    assert matcher.outside(pair) == min(each)


def test_a_request_is_held_to_the_lower_bar_at_any_length(
    matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A long request starts a flow; it is rarely a story whose everyday words pull outside.
    key = " ".join(["xin ho tro be tong hoa duong thon"] * 3)
    answer = Decision("answer", key, (Candidate("abroad.support", 0.9),))
    request = Decision("action", key, (Candidate("act:dossier", 0.9),), action="dossier")
    th = replace(matcher.thresholds, outside=0.0, outside_long=1.0)
    monkeypatch.setattr(matcher, "thresholds", th)
    assert matcher._within_remit(answer) is answer
    assert matcher._within_remit(request).outcome == "fallback"


def test_a_set_aside_answer_keeps_its_topics(matcher: Matcher) -> None:
    decision = Decision("answer", matcher.key("mua bao hiem xe may o dau"),
                        (Candidate("abroad.contract_rights", 0.9),))
    fallen = matcher._within_remit(decision)
    assert fallen.outcome == "fallback" and fallen.set_aside == ("abroad.contract_rights",)
    assert fallen.topics == ()


def test_a_which_topic_question_is_judged_at_its_own_bar_against_its_first_two_options(
    matcher: Matcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = matcher.key("benh vien o dau")
    offered = (Candidate("abroad.dossier", 0.42), Candidate("general.human", 0.1),
               Candidate("abroad.costs", 0.05))
    clarify = Decision("clarify", key, offered)
    each = [matcher.outside(Decision("answer", key, (c,))) for c in offered[:2]]
    assert matcher.outside(clarify) == min(each) >= matcher.thresholds.outside_clarify
    fallen = matcher._within_remit(clarify)
    assert fallen.outcome == "fallback" and fallen.candidates[0].topic == OUT_OF_REMIT
    assert fallen.set_aside == ("abroad.dossier", "general.human")
    # Its bar is its own: an answer's lower bars do not set a "which topic?" aside.
    th = replace(matcher.thresholds, outside=0.0, outside_long=0.0, outside_clarify=1.0)
    monkeypatch.setattr(matcher, "thresholds", th)
    assert matcher._within_remit(clarify) is clarify


def test_a_question_naming_the_bot_about_its_own_topics_is_not_judged(matcher: Matcher) -> None:
    # "bot" is not in the matching key: "bot có đòi mã otp không" read as a bank's OTP, and the
    # remit check set aside the one answer that says the bot never asks for it.
    from handlers.understanding.ruled_out import spoken

    question = "bot co doi ma otp k"
    key = matcher.key(question)
    privacy = Decision("answer", key, (Candidate("general.privacy", 0.9),))
    assert matcher._within_remit(privacy).outcome == "fallback"  # without the words as typed
    assert matcher._within_remit(privacy, spoken(question)) is privacy
    assert "general.privacy" in matcher.decide(question).topics
    # Another topic, or the bot not named: judged as before.
    loan = Decision("answer", key, (Candidate("abroad.loan", 0.9),))
    assert matcher._within_remit(loan, spoken(question)).outcome == "fallback"
    assert matcher.decide("ngan hang doi ma otp co dua khong").outcome == "fallback"
