"""The remit check's rules (handlers/understanding/remit.py, ``Matcher._within_remit``): which
decisions it judges, at which bar, and what a set-aside answer keeps. The questions it keeps
outside are in tests/test_faq_out_of_remit.py."""

from __future__ import annotations

from dataclasses import replace

import pytest

from handlers.understanding.decision import Candidate, Decision
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


def test_the_remit_check_only_judges_answers_and_actions(matcher: Matcher) -> None:
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
