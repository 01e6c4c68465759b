"""Reading informal Vietnamese: one key for every way of typing the same question."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.understanding.normalise import (
    normalise,
    other_i,
    slipped_key,
    unglue,
    untelex,
)
from messages.faq_loader import load_kb
from messages.lexicon import LexiconError, SharedFact, load_lexicon, parse_lexicon
from tests.helpers import shipped_matcher


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Đi XKLĐ Hàn hết bn tiền ạ??", "di xuat khau lao dong han het bao nhieu tien"),
        ("đi Hàn hết bn tiền", "di han quoc het bao nhieu tien"),
        ("di xkld han quoc het bn tien", "di xuat khau lao dong han quoc het bao nhieu tien"),
        ("hoc nghe co dc ho tro tien an ko", "hoc nghe co duoc ho tro tien an khong"),
        ("học nghề có đc hỗ trợ tiền ăn hok", "hoc nghe co duoc ho tro tien an khong"),
        ("tts nhat can j", "thuc tap sinh nhat can gi"),
        ("ĐI NHẬT", "di nhat"),
        ("khongggg điiii", "khong di"),
        ("vay vốn 😀😀 đi hàn!!!", "vay von di han quoc"),
        ("cho em hỏi đi nhật cần gì ạ", "di nhat can gi"),
        ("vay 100tr", "vay 100 trieu"),
    ],
)
def test_normalise_gives_one_key(typed: str, key: str) -> None:
    assert normalise(typed) == key


def test_particle_vay_is_dropped_but_loan_vay_kept() -> None:
    # "vậy" (so) and "vay" (a loan) fold to the same letters; only the particle goes.
    assert normalise("đi hàn vậy") == "di han quoc"
    assert normalise("vay đi hàn") == "vay di han quoc"


@pytest.mark.parametrize(("typed", "key"), [
    # Typed without diacritics, a last "vay" after a question word is "vậy" too.
    ("ban la ai vay", "ban la ai"),
    ("lai suat bao nhieu vay", "lai suat bao nhieu"),
    ("di han can gi vay", "di han quoc can gi"),
    # ... and still a loan where nothing asks before it, or it is lent or got.
    ("co duoc vay khong", "co duoc vay khong"),
    ("ngan hang cho vay", "ngan hang cho vay"),
    ("muon vay", "muon vay"),
])
def test_a_last_vay_after_a_question_word_is_the_particle(typed: str, key: str) -> None:
    assert normalise(typed) == key


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
    home = parse_lexicon({"domestic": {"phrases": ["bac ninh", "kcn"], "abroad": ["xuat khau"]}})
    assert home.domestic == (("bac", "ninh"), ("kcn",))
    assert home.abroad == (("xuat", "khau"),)
    with pytest.raises(LexiconError, match="domestic"):
        parse_lexicon({"domestic": {"phrases": "bac ninh"}})
    needs = parse_lexicon({"needs": {"general.about_bot": ["bot", "tro ly"]},
                           "particles": {"endings": {"vay": ["gi", "ai"]}}})
    assert needs.needs == {"general.about_bot": (("tro", "ly"), ("bot",))}
    assert needs.endings == {"vay": frozenset({"gi", "ai"})}
    with pytest.raises(LexiconError, match="needs"):
        parse_lexicon({"needs": {"general.about_bot": "bot"}})
    with pytest.raises(LexiconError, match="endings"):
        parse_lexicon({"particles": {"endings": ["vay"]}})
    # The shipped lexicon names a country for each country topic of the knowledge base.
    assert {"abroad.japan", "abroad.korea", "abroad.taiwan"} <= set(load_lexicon().countries)


def test_words_read_in_context() -> None:
    # "hàn" after going or a place word is Korea; "hết hạn" (expired) and "thợ hàn" are not.
    assert normalise("đang ở hàn muốn về") == "dang o han quoc muon ve"
    # "hd" beside signing or expiry is a contract.
    assert normalise("hd thuong ky may nam") == "hop dong thuong ky may nam"
    assert normalise("het han hd") == "het han hop dong"
    assert normalise("sang han quoc lam") == "sang han quoc lam"  # not "han quoc quoc"
    assert normalise("hợp đồng hết hạn") == "hop dong het han"
    assert normalise("học nghề hàn điện") == "hoc nghe han dien"
    # "chủ nhật" (Sunday) and "tốt nhất" (best) do not name Japan.
    assert "nhat" not in normalise("làm bên đó chủ nhật có được nghỉ không, nước nào tốt nhất")


def test_lexicon_rewrites_are_read_longest_first_and_checked() -> None:
    lexicon = parse_lexicon({"rewrites": {"di han": "di han quoc", "di han quoc": "di han quoc"}})
    assert lexicon.rewrites[0] == (("di", "han", "quoc"), ("di", "han", "quoc"))
    assert normalise("di han quoc", lexicon) == "di han quoc"
    assert normalise("di han", lexicon) == "di han quoc"
    with pytest.raises(LexiconError, match="rewrites"):
        parse_lexicon({"rewrites": {"di han": "  "}})


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        # Teencode words and letters typed for others ("j" for "i", "gi" at a word's start).
        ("bj di nb thj het bn tjen z a", "bay gio di nhat ban thi het bao nhieu tien"),
        ("e ms hc xog c3 mun di", "em moi hoc xong cap 3 muon di"),
        ("ck e o dl jờ ko lien lac dc", "chong em o dai loan gio khong lien lac duoc"),
        ("vk e nhjeu benh", "vo em nhieu benh"),
        ("jp", "nhat ban"),  # a listed short form is not respelled
        ("lam lai cccd", "lam lai can cuoc"),  # nor squeezed ("ccc" is not "c" there)
        # "dk" read by the words around it.
        ("co du dk di ko", "co du dieu kien di khong"),
        ("can nhung dk j", "can nhung dieu kien gi"),
        ("cho e dk hoc nghe", "cho em dang ky hoc nghe"),
        # Voice-to-text mishearings.
        ("hàng quốc còn tuyển không", "han quoc con tuyen khong"),
        ("đi đài lan làm nhà máy", "di dai loan lam nha may"),
        # "đài" after going is Taiwan; "quá dài" is not.
        ("đi đài làm tàu cá", "di dai loan lam tau ca"),
        ("xuong ben dai co lay nu ko", "xuong ben dai loan co lay nu khong"),
        ("tin nhan qua dai", "tin nhan qua dai"),
        # Nor a university or an embassy after going ("con đi đại học" was Taiwan).
        ("con di dai hoc vay von", "con di dai hoc vay von"),
        ("đi đại sứ quán nhật ở đâu", "di dai su quan nhat o dau"),
        ("nha xa co tien xang xe ko", "nha xa co tien di lai khong"),
        # The paper a class gives, not the papers to hand in.
        ("hoc 2 thang thi dc giay gi", "hoc 2 thang thi duoc chung chi gi"),
        ("di nhat can giay gi", "di nhat can giay gi"),
        ("tien an bao nhieu 1 ngay", "tien an bao nhieu mot ngay"),
        ("thi e pê ét ở đâu", "thi eps o dau"),
    ],
)
def test_teencode_and_voice_typing_read_as_meant(typed: str, key: str) -> None:
    assert normalise(typed) == key


def test_lexicon_letters_are_read() -> None:
    lexicon = parse_lexicon({"letters": {"j": "i"}, "letters_initial": {"j": "gi"}})
    assert normalise("tjen", lexicon) == "tien"
    assert normalise("jup", lexicon) == "giup"
    assert normalise("tien", parse_lexicon({})) == "tien"


@pytest.mark.parametrize(("typed", "meant"), [
    ("hocj", "hoc"), ("nhaatj", "nhat"), ("dduwowcj", "duoc"), ("ngheef", "nghe"),
    ("tieengs", "tieng"), ("nhajt", "nhat"), ("tie6ng1", "tieng"), ("ha2n", "han"),
    # Words with nothing of an input method stay.
    ("taxi", "taxi"), ("visa", "visa"), ("xkld", "xkld"),
])
def test_input_method_keys_left_in_a_word_are_read_without(typed: str, meant: str) -> None:
    assert untelex(typed) == meant


def test_a_question_typed_with_a_failed_keyboard_is_answered() -> None:
    matcher = shipped_matcher()
    # The Telex keys stayed in the text ("đi xklđ nhật hết bao nhiêu tiền"; "tiếng hàn học ở đâu").
    assert matcher.decide("ddi xkld nhaatj heets bao nhieeu tieenf").topics == ("abroad.costs",)
    assert matcher.decide("tie6ng1 ha2n ho5c o73 dda6u").topics == ("abroad.language",)
    # Read only where the word is otherwise unknown: "taxi" is not "tai".
    assert matcher.key("so dien thoai taxi") == "so dien thoai taxi"


@pytest.mark.parametrize(("typed", "other"), [
    ("qui", "quy"), ("ki", "ky"), ("ly", "li"), ("my", "mi"),
    # A vowel before it: another word ("tui", "bay"), not another spelling.
    ("tui", None), ("bay", None), ("tuy", None), ("i", None), ("", None), ("nha", None),
])
def test_a_final_i_or_y_is_also_read_the_other_way(typed: str, other: str | None) -> None:
    assert other_i(typed) == other


KNOWN = {"hoc", "may", "thang", "dang", "ky", "bay", "con", "em", "su", "ong", "bao", "lau"}


@pytest.mark.parametrize(("typed", "words"), [
    ("hocmaythang", ["hoc", "may", "thang"]), ("dangky", ["dang", "ky"]),
    ("maybay", ["may", "bay"]), ("conem", ["con", "em"]), ("baolau", ["bao", "lau"]),
    # One syllable, if unknown, is one word misspelt ("sướng"), not "sư ông".
    ("suong", None),
    # Parts unknown, a letter left over, digits, or a word too short: not glued words.
    ("hocxyz", None), ("hocmayk", None), ("hoc2", None), ("kyky", ["ky", "ky"]), ("ky", None),
])
def test_words_typed_without_spaces_are_read_apart(typed: str, words: list[str] | None) -> None:
    assert unglue(typed, KNOWN) == words


@pytest.mark.parametrize(("typed", "meant"), [
    # "b" and "n", "x" and "c", "m" and "n" are next to each other.
    ("hab", "han"), ("nuox", "nuoc"), ("luomg", "luong"),
    # Shaped like a Vietnamese syllable: a real word unknown to the examples ("trộm" is not
    # "trốn"); a word two keys off; digits; too short.
    ("tron", None), ("trom", None), ("jpc", None), ("ha2", None), ("hb", None),
])
def test_a_key_next_to_the_one_meant_is_read_as_meant(typed: str, meant: str | None) -> None:
    known = {"han", "nuoc", "luong", "tron", "hoc", "hai"}
    assert slipped_key(typed, known) == meant


@given(st.text(alphabet="abcdeghiklmnopqrstuvxy", min_size=1, max_size=9))
def test_a_slipped_key_reading_differs_by_one_letter(typed: str) -> None:
    known = {"han", "nuoc", "luong", "hoc", "thang", "nghe"}
    meant = slipped_key(typed, known)
    assert meant is None or (meant in known and len(meant) == len(typed)
                             and sum(a != b for a, b in zip(meant, typed, strict=True)) == 1)


def test_a_repaired_word_is_read_in_context() -> None:
    # "hab" is "han"; after "di" it is Korea, as "di han" typed right is.
    assert shipped_matcher().key("e bi mu mau nhe co di hab dc k") == (
        "em bi mu mau co di han quoc duoc khong")


def test_a_question_typed_without_spaces_is_answered() -> None:
    matcher = shipped_matcher()
    assert matcher.key("tuluc dangky den luc len maybay mat baolau") == (
        "tu luc dang ky den luc len may bay mat bao lau")
    assert matcher.decide("tuluc dangky den luc len maybay mat baolau").topics == (
        "abroad.process",)


@given(st.text(alphabet="abcdeghiklmnopqrstuvxy", max_size=24))
def test_reading_glued_words_gives_back_the_same_letters(typed: str) -> None:
    words = unglue(typed, KNOWN)
    assert words is None or ("".join(words) == typed and all(w in KNOWN for w in words))


def test_most_typed_without_diacritics_is_not_japan() -> None:
    # "ít nhất", "tốt nhất" lose "nhất" as with diacritics (a particle); "nhat" alone is Japan.
    matcher = shipped_matcher()
    assert matcher.key("it nhat bao nhieu") == matcher.key("ít nhất bao nhiêu") == "it bao nhieu"
    assert matcher.key("di nuoc nao tot nhat") == "di nuoc nao tot"
    assert matcher.key("di nhat") == "di nhat"


@pytest.mark.parametrize(("typed", "meant"), [
    ("lam hộ triếu o dau", "lam ho chieu o dau"), ("mat trứng chỉ nghe", "mat chung chi nghe"),
    ("dấy tờ gì", "giay to gi"), ("đài noan", "dai loan"), ("SSW", "ky nang dac dinh"),
    # "khai đăng ký" (declared when registering) is not "khai giảng".
    ("khai dang ky", "khai dang ky"),
])
def test_northern_spellings_are_read_as_meant(typed: str, meant: str) -> None:
    assert normalise(typed) == meant


def test_a_deposit_spelt_with_i_is_the_deposit() -> None:
    matcher = shipped_matcher()
    assert matcher.key("kí quĩ") == matcher.key("ký quỹ") == "ky quy"
    assert matcher.key("li lich tu phap") == "ly lich tu phap"


def test_shared_facts_are_read_and_checked() -> None:
    lexicon = parse_lexicon({"shared": [{"phrases": ["Ky quy"], "alongside": ["lay lai"],
                                         "topics": ["abroad.costs", "abroad.return"]}]})
    assert lexicon.shared == (SharedFact((("ky", "quy"),), ("abroad.costs", "abroad.return"),
                                         (("lay", "lai"),)),)
    with pytest.raises(LexiconError, match="shared"):
        parse_lexicon({"shared": {"phrases": ["ky quy"]}})
    with pytest.raises(LexiconError, match="two topics"):
        parse_lexicon({"shared": [{"phrases": ["ky quy"], "topics": ["abroad.costs"]}]})
    with pytest.raises(LexiconError, match="close"):
        parse_lexicon({"shared": [{"phrases": ["eps"], "topics": ["a.b", "c.d"], "close": 2}]})
    assert parse_lexicon({"shared": [{"phrases": ["eps"], "topics": ["a.b", "c.d"],
                                      "close": 0}]}).shared[0].close == 0.0
    with pytest.raises(LexiconError, match="shared #1"):
        parse_lexicon({"shared": [{"phrases": "ky quy", "topics": ["a.b", "c.d"]}]})
    # The shipped facts name topics of the shipped knowledge base.
    topics = {t for fact in load_lexicon().shared for t in fact.topics}
    assert topics and topics <= set(load_kb().entries)


@given(st.text(max_size=30))
def test_reading_without_input_method_keys_never_fails(word: str) -> None:
    plain = untelex(word)
    assert len(plain) <= len(word)
