"""Hostile text never breaks the reading of typed answers: any string, at any survey question
and at the yes-or-no questions, gives one of that question's own options or nothing."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.outreach.survey_answers import Option, typed_answer, typed_many
from handlers.textnorm import folded_phrases, is_phrase, is_phrases
from messages.survey import questionnaire

WORDS = st.sampled_from(["ok", "đồng ý", "dạ", "không", "có", "sửa xe máy", "với", "hàn", ",",
                         "lam ruong", "xong", "?", "khong", "👍", "\u200b", "1", "99"])
TEXTS = st.one_of(st.text(max_size=200), st.lists(WORDS, max_size=8).map(" ".join))


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_any_text_at_any_survey_question_is_an_option_or_nothing(text: str) -> None:
    for question in questionnaire().questions:
        answer = typed_answer(question, text)
        if isinstance(answer, Option):
            assert answer.value in question.options
        many = typed_many(question, text)
        if many is not None:
            assert many.keys and set(many.keys) <= set(question.options)
            assert (many.other is not None) == ("other" in many.keys and bool(many.other))


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_a_run_of_phrases_is_never_both_yes_and_no(text: str) -> None:
    yes = folded_phrases("intake.words_answer.consent_yes")
    no = folded_phrases("intake.words_answer.consent_no")
    assert not (is_phrases(text, yes) and is_phrases(text, no))
    if is_phrase(text, yes) and text.strip():
        assert is_phrases(f"{text}, {text}", yes)  # said twice, still a yes
