"""Reading informal Vietnamese: one key for every way of typing the same question."""

from __future__ import annotations

import unicodedata

import pytest

from handlers.understanding.normalise import normalise
from messages.lexicon import LexiconError, load_lexicon, parse_lexicon


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Đi XKLĐ Hàn hết bn tiền ạ??", "di xuat khau lao dong han het bao nhieu tien"),
        ("di xkld han quoc het bn tien", "di xuat khau lao dong han quoc het bao nhieu tien"),
        ("hoc nghe co dc ho tro tien an ko", "hoc nghe co duoc ho tro tien an khong"),
        ("học nghề có đc hỗ trợ tiền ăn hok", "hoc nghe co duoc ho tro tien an khong"),
        ("tts nhat can j", "thuc tap sinh nhat can gi"),
        ("ĐI NHẬT", "di nhat"),
        ("khongggg điiii", "khong di"),
        ("vay vốn 😀😀 đi hàn!!!", "vay von di han"),
        ("cho em hỏi đi nhật cần gì ạ", "di nhat can gi"),
        ("vay 100tr", "vay 100 trieu"),
    ],
)
def test_normalise_gives_one_key(typed: str, key: str) -> None:
    assert normalise(typed) == key


def test_particle_vay_is_dropped_but_loan_vay_kept() -> None:
    # "vậy" (so) and "vay" (a loan) fold to the same letters; only the particle goes.
    assert normalise("đi hàn vậy") == "di han"
    assert normalise("vay đi hàn") == "vay di han"


def test_decomposed_unicode_equals_composed() -> None:
    assert normalise(unicodedata.normalize("NFD", "hỗ trợ")) == normalise("hỗ trợ") == "ho tro"


def test_doubled_vowels_of_real_words_survive() -> None:
    # Folded "ưu tiên" is "uu tien": squeezing doubles would make it "u tien".
    assert normalise("ưu tiên") == "uu tien"


def test_only_emoji_and_particles_is_empty() -> None:
    assert normalise("👍 ạ") == ""


def test_lexicon_phrase_tables_are_read_and_checked() -> None:
    lexicon = parse_lexicon({"countries": {"abroad.japan": ["Nhat", "nhat ban"]},
                             "not_topic": {"abroad.loan": ["vay nong"]}})
    assert lexicon.countries == {"abroad.japan": (("nhat", "ban"), ("nhat",))}
    assert lexicon.not_topic == {"abroad.loan": (("vay", "nong"),)}
    with pytest.raises(LexiconError, match="countries"):
        parse_lexicon({"countries": {"abroad.japan": "nhat"}})
    with pytest.raises(LexiconError, match="not_topic"):
        parse_lexicon({"not_topic": {"abroad.loan": ["  "]}})
    # The shipped lexicon names a country for each country topic of the knowledge base.
    assert {"abroad.japan", "abroad.korea", "abroad.taiwan"} <= set(load_lexicon().countries)
