"""Hostile text never breaks the reading of requests: any string gives a reference or None,
slots from the fixed vocabularies, and a decision."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.understanding.requests import find_reference, request_slots
from tests.helpers import shipped_matcher

ALLOWED = {
    "kind": {"abroad", "course"},
    "market": {"japan", "korea", "taiwan"},
    "who": {"self", "relative"},
    "relationship": {"child", "spouse", "sibling", "parent", "grandchild"},
}


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_read_without_error(text: str) -> None:
    reference = find_reference(text, "HY")
    assert reference is None or reference.startswith("HY-")
    for slot, value in request_slots(text).items():
        assert value in ALLOWED[slot]
    decision = shipped_matcher().decide(text)
    assert decision.outcome in ("answer", "clarify", "fallback", "smalltalk", "action")
    assert (decision.action is not None) == (decision.outcome == "action")
