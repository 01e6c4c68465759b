from dataclasses import dataclass
from datetime import date

import pytest

from handlers.intake.validators import (
    InvalidAnswerError,
    age_on,
    check_age,
    looks_like_question,
    match_unit,
    parse_citizen_id,
    parse_date,
    parse_ethnicity,
    parse_name,
    parse_phone,
    parse_place,
    unit_in_words,
)
from handlers.textnorm import fold

TODAY = date(2026, 7, 10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/3/1999", date(1999, 3, 12)),
        ("12-03-99", date(1999, 3, 12)),
        ("12.3.1999", date(1999, 3, 12)),
        ("12 tháng 3 năm 1999", date(1999, 3, 12)),
        ("ngày 12 tháng 3 năm 1999", date(1999, 3, 12)),
        ("12 thang 3 nam 1999", date(1999, 3, 12)),
        ("1/1/05", date(2005, 1, 1)),
        ("29/2/2004", date(2004, 2, 29)),
        ("1999-03-12", date(1999, 3, 12)),
        # In a few words: "sinh 5 thang 3 nam 2001" got "bot chưa đọc được ngày này".
        ("sinh 5 thang 3 nam 2001", date(2001, 3, 5)),
        ("nó sinh ngày 5/3/2001 ạ", date(2001, 3, 5)),
        ("ngày sinh 05/03/2001", date(2001, 3, 5)),
        ("sinh ngay 5-3-01 nhe", date(2001, 3, 5)),
        ("ns 5/3/2001", date(2001, 3, 5)),
    ],
)
def test_dates_in_vietnamese_formats(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/2/2000", "date_impossible"),
        ("29/2/2001", "date_impossible"),
        ("12/13/1999", "date_impossible"),
        ("1/1/2030", "date_future"),
        ("1999", "date_year_only"),
        ("hôm qua", "date_format"),
        ("1/1/1900", "date_too_old"),
        ("sinh năm 1999", "date_year_only"),
        # Other words around a date are not a date typed: nothing is guessed.
        ("mai tôi gửi 5/3/2001", "date_format"),
        ("5/3/2001 hay 6/3/2001", "date_format"),
    ],
)
def test_impossible_dates_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidAnswerError) as err:
        parse_date(text, TODAY)
    assert err.value.reason == reason


def test_age_rules() -> None:
    assert age_on(date(2008, 7, 11), TODAY) == 17
    assert age_on(date(2008, 7, 10), TODAY) == 18
    check_age(date(2008, 7, 10), TODAY, 18)
    check_age(date(2011, 7, 10), TODAY, 15)
    with pytest.raises(InvalidAnswerError) as err:
        check_age(date(2008, 7, 11), TODAY, 18)
    assert err.value.params == {"minimum": 18}
    with pytest.raises(InvalidAnswerError):
        check_age(date(2011, 7, 11), TODAY, 15)


@pytest.mark.parametrize(
    "text",
    ["0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678", "84912345678",
     "+84912345678", "912345678", "(091) 234-5678",
     # One number inside a sentence is that number.
     "sdt cua em la 0912.345.678 a", "số em: 0912 345 678"],
)
def test_phone_formats_normalise_to_ten_digits(text: str) -> None:
    assert parse_phone(text) in {"0912345678"}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("09123456", "phone_length"),
        ("091234567890", "phone_length"),
        ("0912abc678", "phone_chars"),
        ("0212345678", "phone_not_mobile"),
        # Seen in the user trial: 9 digits after words were "only digits, please".
        ("so e 0912 345 67", "phone_length"),
        ("0912345678 hoặc 0987654321", "phone_chars"),  # two numbers: which one?
    ],
)
def test_bad_phones(text: str, reason: str) -> None:
    with pytest.raises(InvalidAnswerError) as err:
        parse_phone(text)
    assert err.value.reason == reason


def test_citizen_id_checks_province_century_year_and_gender() -> None:
    assert parse_citizen_id("008 099 001234") == "008099001234"
    assert parse_citizen_id("008099001234", birth=date(1999, 3, 12), gender="male") == (
        "008099001234"
    )
    assert parse_citizen_id("008305001234", birth=date(2005, 1, 1), gender="female")
    cases = [
        ("00809900123", {}, "cid_length"),
        ("123456789", {}, "cid_old_card"),
        ("00809900123x", {}, "cid_chars"),
        ("003099001234", {}, "cid_province"),
        ("008099001234", {"birth": date(1998, 1, 1)}, "cid_year"),
        ("025199004321", {"gender": "male"}, "cid_gender"),
        ("008299001234", {"birth": date(1999, 1, 1)}, "cid_year"),
    ]
    for text, kwargs, reason in cases:
        with pytest.raises(InvalidAnswerError) as err:
            parse_citizen_id(text, **kwargs)  # type: ignore[arg-type]
        assert err.value.reason == reason, text


def test_names_are_capitalised_and_checked() -> None:
    assert parse_name("  nguyễn   thị HOA ") == "Nguyễn Thị Hoa"
    for text, reason in [("Hoa", "name_short"), ("Nguyen Van 3", "name_digits"),
                         ("Nguyễn @ Hoa", "name_chars"), ("a b c d e f g h", "name_long")]:
        with pytest.raises(InvalidAnswerError) as err:
            parse_name(text)
        assert err.value.reason == reason


def test_place() -> None:
    assert parse_place(" thôn  3 ") == "Thôn 3"
    # Typed all in lower case, written as people read it (the officer's card, the exports).
    assert parse_place("thon 5") == "Thôn 5" and parse_place("ban khuoi hop") == "Bản Khuoi Hop"
    assert parse_place("99") == "99" and parse_place("thôn Làng Bục") == "thôn Làng Bục"
    with pytest.raises(InvalidAnswerError):
        parse_place("...")


@pytest.mark.parametrize(("text", "expected"), [
    ("H’Hen Niê", "H'hen Niê"), ("Trần Mai-Anh", "Trần Mai-anh"), ("Nguyễn Văn A.", "Nguyễn Văn A"),
    ("Lò  văn  Minh", "Lò Văn Minh"), ("Nguyễn Thị Ng.Hoa", "Nguyễn Thị Ng.hoa"),
    ("Nguyễn Thị Mai", "Nguyễn Thị Mai"),
])
def test_names_of_any_letters_with_inner_punctuation(text: str, expected: str) -> None:
    assert parse_name(text) == expected


@pytest.mark.parametrize(("text", "reason"), [
    ("-Nguyễn -Văn", "name_punct"), ("Nguyễn -Văn", "name_punct"), ("Nguyễn Văn-", "name_punct"),
    ("'Nguyễn Văn", "name_punct"), ("Nguyễn - Văn", "name_punct"), ("Ng..uyễn Văn", "name_punct"),
    ("=HYPERLINK(Xem) Văn", "name_chars"), ("@Nguyễn Văn", "name_chars"),
    ("Nguyễn_Văn An", "name_chars"), ("Nguyễn Ng. Hoa", "name_punct"),
    ("x" * 79 + " y", "name_long"),
])
def test_names_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidAnswerError) as err:
        parse_name(text)
    assert err.value.reason == reason


def test_places_and_ethnicities_are_what_they_are() -> None:
    for text in ("Thôn 3", "Tổ 5, thôn Làng Bục", "Thôn 3/2", "Bản Khuổi Hóp (cũ)", "3A"):
        assert parse_place(text) == text
    for text, reason in [("=1+1", "place_chars"), ("-thôn 3", "place_chars"),
                         ("thôn <b>3</b>", "place_chars"), ("Thôn " + "a" * 100, "place_long")]:
        with pytest.raises(InvalidAnswerError) as err:
            parse_place(text)
        assert err.value.reason == reason
    for text in ("Hoa", "Sán Dìu", "Cơ-tu", "H'Mông", "Ê Đê", "ede", "Khmer", "mèo"):
        assert parse_ethnicity(text) == text
    assert parse_ethnicity("người Hoa") == parse_ethnicity("dân tộc Hoa") == "Hoa"
    # Only Vietnam's ethnic groups (and their other names): not the next question's answer.
    for text in ("ho can ngheo", "kinh doanh", "Thôn", "Hà Nội", "Nguyễn"):
        with pytest.raises(InvalidAnswerError) as err:
            parse_ethnicity(text)
        assert err.value.reason == "ethnicity_unknown", text
    for text, reason in [("+Hoa", "ethnicity_chars"), ("Hoa 2", "ethnicity_chars"),
                         ("...", "ethnicity_empty"), ("Hoa " * 20, "ethnicity_long")]:
        with pytest.raises(InvalidAnswerError) as err:
            parse_ethnicity(text)
        assert err.value.reason == reason


@dataclass(frozen=True)
class UnitOption:
    """A commune as match_unit reads it (the bot passes its ``Unit`` rows)."""

    id: int
    name: str
    name_key: str


UNITS = [UnitOption(1, "Phù Lưu", "phu luu"), UnitOption(2, "Bạch Xa", "bach xa"),
         UnitOption(3, "Bình Xa", "binh xa"), UnitOption(4, "Thái Hòa", "thai hoa")]


@pytest.mark.parametrize(("text", "unit_id"), [
    ("Phù Lưu", 1), ("phu luu", 1), ("xã Phù Lưu", 1), ("XA PHU LUU", 1), ("phu lu", 1),
    ("thai hoa", 4),
])
def test_commune_matching_without_diacritics(text: str, unit_id: int) -> None:
    assert match_unit(text, UNITS).id == unit_id


def test_ambiguous_or_unknown_commune_is_refused() -> None:
    for text in ("b xa", "Hà Nội", ""):
        with pytest.raises(InvalidAnswerError):
            match_unit(text, UNITS)


@pytest.mark.parametrize(("text", "unit_id"), [
    ("dang ky hoc nghe o phu luu", 1), ("em o phu lu a", 1), ("toi o phuluu", 1),
    ("bao cho em lop moi o bac xa", 2), ("nha em thai ha", 4),
    ("phu luc hop dong", None), ("em o b xa", None), ("dang ky di nhat", None), ("", None),
])
def test_a_commune_named_in_a_sentence_even_a_letter_off(text: str, unit_id: int | None) -> None:
    found = unit_in_words(fold(text).split(), UNITS)
    assert (found.id if found is not None else None) == unit_id


def test_question_detection() -> None:
    markers = ["bao nhiêu", "thế nào"]
    assert looks_like_question("đi Nhật mất bao nhiêu tiền", markers)
    assert looks_like_question("di nhat the nao", markers)
    assert looks_like_question("được không?", markers)
    assert not looks_like_question("Nguyễn Văn Nào", markers)
    assert not looks_like_question("0912345678", markers)
