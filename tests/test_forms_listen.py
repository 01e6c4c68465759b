"""Forms listen: the answers people actually type are understood (issue 13)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from handlers.intake.answers import not_a_name, option_synonyms
from handlers.intake.questions import CHOICES, choice_label
from handlers.intake.steps import Step, remaining, sequence
from handlers.intake.validators import InvalidAnswerError, match_option, parse_date
from handlers.privacy import PrivacyFlow
from handlers.textnorm import fold, folded_phrases, is_phrase, is_phrases

TODAY = date(2026, 6, 1)


def _pick(step: Step, text: str) -> str:
    options = [(v, choice_label(step, v)) for v in CHOICES[step]]
    return match_option(text, options, option_synonyms(step, list(CHOICES[step])))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1998/08/15", date(1998, 8, 15)),
        ("1998.8.15", date(1998, 8, 15)),
        ("15 8 1998", date(1998, 8, 15)),
        ("15-08-1998", date(1998, 8, 15)),
        ("15.8.98", date(1998, 8, 15)),
        ("15 thg 8 1998", date(1998, 8, 15)),
        ("15 thg 8, 1998", date(1998, 8, 15)),
        ("ngày 15 tháng 8 năm 1998", date(1998, 8, 15)),
        ("15/8/05", date(2005, 8, 15)),
        ("15081998", date(1998, 8, 15)),
    ],
)
def test_usual_written_dates_are_read(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


def test_an_unread_date_shows_the_accepted_forms() -> None:
    with pytest.raises(InvalidAnswerError) as exc:
        parse_date("mùng năm tháng tám", TODAY)
    assert exc.value.reason == "date_format"
    from messages import t

    assert "1998/08/15" in t("intake.invalid.date_format")
    assert "15 thg 8 1998" in t("intake.invalid.date_format")


@pytest.mark.parametrize(
    ("step", "text", "value"),
    [
        (Step.WHO, "ban than", "self"),
        (Step.WHO, "cho con trai", "relative"),
        (Step.HOUSEHOLD, "can ngheo", "can_ngheo"),
        (Step.HOUSEHOLD, "hcn", "can_ngheo"),
        (Step.HOUSEHOLD, "nha em ho can ngheo a", "can_ngheo"),
        (Step.HOUSEHOLD, "ho ngheo", "ho_ngheo"),
        (Step.HOUSEHOLD, "khong biet", "khong_ro"),
        (Step.HOUSEHOLD, "ho can ngeo", "can_ngheo"),
        (Step.KIND, "xkld", "abroad"),
        (Step.KIND, "hoc nghe", "course"),
        (Step.MARKET, "nhat", "japan"),
        (Step.MARKET, "Hàn Quốc.", "korea"),
        (Step.GENDER, "nu", "female"),
        (Step.RELATIONSHIP, "con trai", "child"),
        (Step.ETHNICITY, "hmong", "mong"),
    ],
)
def test_options_match_by_label_synonym_initials_and_spelling(
    step: Step, text: str, value: str
) -> None:
    assert _pick(step, text) == value


@pytest.mark.parametrize("text", ["abc xyz", "", "ho"])
def test_unclear_option_is_refused(text: str) -> None:
    with pytest.raises(InvalidAnswerError):
        _pick(Step.HOUSEHOLD, text)


def test_the_start_of_a_word_is_not_an_option() -> None:
    # "nu" (nữ, typed one question late) changed a class registration into work abroad: it
    # began "nuoc ngoai". A start of a name counts by whole words, or from four letters on.
    with pytest.raises(InvalidAnswerError):
        _pick(Step.KIND, "nu")
    assert _pick(Step.KIND, "di nuoc") == "abroad"
    assert _pick(Step.ETHNICITY, "cao l") == "caolan"


@pytest.mark.parametrize("text", ["khong co", "Chưa có ạ", "bỏ qua", "ko co"])
def test_optional_answer_words(text: str) -> None:
    assert is_phrase(text, folded_phrases("intake.words_answer.skip"))


@pytest.mark.parametrize("text", ["ok dung roi", "Đúng rồi!", "ok", "dạ đúng rồi ạ"])
def test_confirmation_words(text: str) -> None:
    assert is_phrase(text, folded_phrases("intake.words_answer.confirm"))


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("ok dong y", "intake.words_answer.consent_yes"),
        ("dạ vâng, em đồng ý ạ", "intake.words_answer.consent_yes"),
        ("ok đúng hết rồi", "intake.words_answer.confirm"),
        ("thôi không đồng ý", "intake.words_answer.consent_no"),
    ],
)
def test_a_yes_said_twice_is_still_a_yes(text: str, key: str) -> None:
    # "ok dong y" under a consent question left it (neither "ok" nor "đồng ý" alone).
    assert is_phrases(text, folded_phrases(key)) and not is_phrase(text, folded_phrases(key))


@pytest.mark.parametrize("text", ["có không", "không có", "ok nhưng mà", "đồng ý đi nhật"])
def test_a_run_of_yes_words_is_only_yes_words(text: str) -> None:
    assert not is_phrases(text, folded_phrases("intake.words_answer.consent_yes"))
    assert not is_phrases(text, folded_phrases("intake.words_answer.consent_no"))


def test_step_count_never_goes_up() -> None:
    """The issue saw 1/11 → 2/12 → 4/13: each answer must take the count down."""
    answers = [
        ("who", "relative"),
        ("relationship", "child"),
        ("kind", "abroad"),
        ("full_name", "Nguyễn Văn A"),
        ("dob", "1998-08-15"),
        ("gender", "male"),
        ("phone_enc", "x"),
        ("unit_id", 1),
        ("village", "Thôn 3"),
        ("ethnicity_choice", "other"),
        ("ethnicity", "Hoa"),
        ("household", "khong"),
        ("market", "japan"),
        ("citizen_id_enc", ""),
    ]
    data: dict[str, object] = {}
    counts = [remaining(data)]
    for key, value in answers:
        data[key] = value
        counts.append(remaining(data))
    assert counts == sorted(counts, reverse=True)
    assert counts[-1] == 0
    assert all(a - b <= 1 for a, b in itertools.pairwise(counts))
    assert counts[0] == len(sequence(data))


@pytest.mark.parametrize(
    ("text", "reason"),
    [("dang ky nhan thong bao lop moi", "name_sentence"),
     ("em muon hoi ve lop hoc", "name_sentence"), ("cam on bot nhieu", "name_sentence"),
     # more words than any name: a sentence, not "too long" or "no digits in a name"
     ("nam nay lop 9 thi vao 10 thi may mon", "name_sentence"),
     ("chau nha toi thi vao lop muoi may mon", "name_sentence"),
     # answers to the form's other questions, typed at the name one: each its own word
     ("ban than", "name_self"), ("bản thân tôi", "name_self"), ("chính tôi", "name_self"),
     ("cho em a", "name_self"), ("toi", "name_self"), ("nguoi than", "name_relative"),
     ("con trai toi", "name_relative"), ("ho ngheo", "name_later"), ("can ngheo", "name_later"),
     # the commune, typed a question early, was saved as a name ("Xa Ham Yen")
     ("xa ham yen", "name_later"), ("Xã Phù Lưu.", "name_later")],
)
def test_a_sentence_is_not_a_name(text: str, reason: str) -> None:
    assert not_a_name(text) == reason
    if reason == "name_self":  # for a relative, "myself" is not their name either
        assert not_a_name(text, for_relative=True) == "name_self_relative"


@pytest.mark.parametrize("text", ["Nguyễn Thị Nhàn", "Hồ Văn Được", "Hà Thị Lớp", "Lò Văn Muôn",
                                  "Bàn Văn Thân", "Bàn Thị Thanh", "Nguyễn Văn Chính",
                                  "Đặng Thị Em", "Lê Văn Tôn", "Thái Sơn", "Thái Hòa"])
def test_real_names_pass(text: str) -> None:
    assert not_a_name(text) is None


def test_a_question_naming_an_option_does_not_choose_it() -> None:
    options = [(v, choice_label(Step.KIND, v)) for v in CHOICES[Step.KIND]]
    synonyms = option_synonyms(Step.KIND, list(CHOICES[Step.KIND]))
    assert match_option("em di nhat a", options, synonyms) == "abroad"
    with pytest.raises(InvalidAnswerError):
        match_option("đi nhật hết bao nhiêu tiền?", options, synonyms, loose=False)


@pytest.mark.parametrize(
    "typed", ["xem dữ liệu của tôi ạ", "Xem dữ liệu của tôi!", "xem du lieu cua toi nha"])
def test_a_flows_trigger_phrase_claims_it_with_particles_and_signs_aside(typed: str) -> None:
    # One mechanism for every flow (Flow.claims): a trigger was matched only exactly, and each
    # flow that wanted more wrote its own ("nhận lại ạ" in the subscription flow).
    assert PrivacyFlow().claims(fold(typed))
    assert not PrivacyFlow().claims(fold("xem dữ liệu của tôi ở đâu"))
