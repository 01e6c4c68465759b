"""The knowledge base files: complete against the spec, and broken files are caught."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.cli_kb import check_examples, run_check
from bot.render import render
from handlers.faq import topic_reply
from handlers.types import Channel, Reply
from handlers.understanding.matcher import Matcher
from messages import t
from messages.faq_loader import (
    MAX_BRIEF,
    MAX_REPLY,
    MAX_TITLE,
    SPEC_TOPIC_IDS,
    KbError,
    check_entries,
    due_for_review,
    load_kb,
    read_kb,
    render_answer,
)
from messages.superseded import load_superseded

TODAY = date(2026, 12, 2)
SOURCE_LINE = "Nguồn: {source}\nKiểm tra: {checked}"
#: The first message of an answer on Zalo (text, source, numbered options) reads without scrolling.
MAX_ZALO_FIRST = 600

GOOD = '''
[[entry]]
id = "abroad.loan"
title = "Vay vốn"
answer = "Vay ở Ngân hàng Chính sách xã hội."
source = "Nghị định 338/2025/NĐ-CP"
checked = 2026-11-01
review_by = 2027-05-01
follow_up = ["abroad.costs"]
examples = ["vay von di xkld", "vay ngan hang chinh sach", "lai suat vay", "vay bao nhieu",
            "the chap"]

[[entry]]
id = "abroad.costs"
title = "Chi phí"
answer = "Tiền dịch vụ tối đa 1 tháng lương cho 12 tháng."
source = "Luật 69/2020/QH14"
checked = 2026-11-01
review_by = 2027-05-01
examples = ["het bao nhieu tien", "chi phi di nhat", "tien dich vu", "ky quy", "phi moi gioi"]
'''


def _messages(kb_dir: Path, today: date = TODAY) -> list[str]:
    return [p.message for p in check_entries(read_kb(kb_dir), today, SOURCE_LINE)]


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "kb.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_shipped_kb_has_every_spec_topic_within_limits() -> None:
    kb = load_kb()
    assert set(SPEC_TOPIC_IDS) <= set(kb.entries)
    for entry in kb.entries.values():
        assert len(entry.title) <= MAX_TITLE, entry.id
        assert len(render_answer(entry, t("faq.source_line"))) <= MAX_REPLY, entry.id
        # A message that asks two things gets both briefs (handlers/faq.answer_topics).
        assert 0 < len(entry.brief) <= MAX_BRIEF, entry.id
        assert entry.examples, entry.id


def test_shipped_kb_passes_the_full_check(classifier_cache: Path) -> None:
    _, problems = run_check(Path("messages/faq"), TODAY, classifier_cache)
    assert [str(p) for p in problems if p.severity == "error"] == []


def test_no_answer_names_the_abolished_district_office_as_current() -> None:
    for entry in load_kb().entries.values():
        if "Phòng LĐTBXH huyện" in entry.answer:
            assert "không còn" in entry.answer, entry.id


def test_a_clean_small_kb_has_only_missing_spec_topics(tmp_path: Path) -> None:
    messages = _messages(_write(tmp_path, GOOD))
    assert all("topic of the spec has no entry" in m for m in messages)
    assert len(messages) == len(SPEC_TOPIC_IDS) - 2


def test_typed_questions_are_read_with_their_topics(tmp_path: Path) -> None:
    typed = _write(tmp_path, GOOD) / "typed"
    typed.mkdir()
    (typed / "bank.jsonl").write_text(
        '{"q": "vay thế chấp sổ đỏ ở agribank lãi bao nhiêu", "topic": null}\n\n'
        '{"q": "vay ngan hang chinh sach di lam o nhat dc bn", "topic": "abroad.loan"}\n'
        '{"q": "xoa giup e thong tin nha", "action": "privacy.delete"}\n',
        encoding="utf-8")
    kb = read_kb(tmp_path)
    assert [(q.text, q.topic, q.action, q.file) for q in kb.typed] == [
        ("vay thế chấp sổ đỏ ở agribank lãi bao nhiêu", None, None, "bank.jsonl"),
        ("vay ngan hang chinh sach di lam o nhat dc bn", "abroad.loan", None, "bank.jsonl"),
        ("xoa giup e thong tin nha", None, "privacy.delete", "bank.jsonl")]
    assert not [p for p in kb.problems if p.file.startswith("typed")]


@pytest.mark.parametrize("line", [
    '{"q": "vay bao nhieu", "topic": "abroad.nowhere"}',
    '{"q": "vay bao nhieu", "topic": ["abroad.loan"]}',
    '{"q": "", "topic": null}',
    '{"topic": null}',
    '["vay bao nhieu", null]',
    '{"q": "vay bao nhieu", "topic": null',
    '{"q": "xoa het di", "action": "fly"}',
    '{"q": "xoa het di", "action": 7}',
])
def test_a_broken_typed_question_is_a_problem_with_its_line(tmp_path: Path, line: str) -> None:
    typed = _write(tmp_path, GOOD) / "typed"
    typed.mkdir()
    (typed / "bank.jsonl").write_text(
        '{"q": "vay the chap so do", "topic": null}\n' + line + "\n", encoding="utf-8")
    kb = read_kb(tmp_path)
    assert [q.text for q in kb.typed] == ["vay the chap so do"]
    [problem] = [p for p in kb.problems if p.file == "typed/bank.jsonl"]
    assert problem.topic == "line 2"


def test_shipped_typed_questions_all_load() -> None:
    kb = load_kb()
    assert not [p for p in kb.problems if p.file.startswith("typed")]
    labelled = {q.topic for q in kb.typed}
    assert None in labelled and labelled - {None} <= set(kb.entries)


def test_invalid_toml_is_reported_with_its_file(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text('[[entry]]\nid = "abroad.loan\n', encoding="utf-8")
    problems = read_kb(tmp_path).problems
    assert problems and problems[0].file == "broken.toml"
    assert "not valid TOML" in problems[0].message


def test_missing_field_is_named(tmp_path: Path) -> None:
    messages = _messages(_write(tmp_path, GOOD.replace('source = "Luật 69/2020/QH14"\n', "")))
    assert any("missing field(s): source" in m for m in messages)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('title = "Chi phí"', 'title = "' + "x" * 41 + '"'), "title must have"),
        (('"Tiền dịch vụ tối đa 1 tháng lương cho 12 tháng."', '"' + "a" * 500 + '"'),
         "answer with its source line"),
        (('["abroad.costs"]', '["abroad.nowhere"]'), "unknown topic 'abroad.nowhere'"),
        (('"tien dich vu"', '"the chap"'), "duplicate example 'the chap'"),
        (('source = "Luật 69/2020/QH14"', 'source = ""'), "source is empty"),
        (('checked = 2026-11-01\nreview_by = 2027-05-01\nexamples = ["het',
          'checked = "yesterday"\nreview_by = 2027-05-01\nexamples = ["het'), "wrong type for"),
        (('follow_up = ["abroad.costs"]', 'follow_up = [{ label = "Đi", button = "menu:bad id" }]'),
         "must look like flow:action"),
        (('examples = ["het bao nhieu tien", "chi phi di nhat", ',
          'examples = ['), "needs at least"),
        (('id = "abroad.costs"', 'id = "abroad.' + "x" * 50 + '"'), "≤ 48 characters"),
    ],
)
def test_broken_entries_are_caught(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in GOOD
    messages = _messages(_write(tmp_path, GOOD.replace(old, new, 1)))
    assert any(expected in m for m in messages), messages


def test_duplicate_id_is_an_error(tmp_path: Path) -> None:
    text = GOOD.replace('id = "abroad.costs"', 'id = "abroad.loan"')
    assert any("id already used" in m for m in _messages(_write(tmp_path, text)))


def test_entry_past_review_date_is_a_warning(tmp_path: Path) -> None:
    problems = check_entries(read_kb(_write(tmp_path, GOOD)), date(2027, 6, 1), SOURCE_LINE)
    late = [p for p in problems if "past its review date" in p.message]
    assert {p.topic for p in late} == {"abroad.loan", "abroad.costs"}
    assert all(p.severity == "warning" for p in late)


def test_load_refuses_a_kb_missing_spec_topics(tmp_path: Path) -> None:
    with pytest.raises(KbError, match="no entry for"):
        load_kb.__wrapped__(_write(tmp_path, GOOD))


def test_check_reports_an_example_that_leads_elsewhere(tmp_path: Path) -> None:
    # Same words under two topics (diacritics aside): the matcher can only pick one of them.
    # (Short: a long message between two topics gets both answers, and then both are fine.)
    text = GOOD.replace('"ky quy"', '"Vay vốn"')
    kb = read_kb(_write(tmp_path, text))
    problems = check_examples(kb, Matcher(kb))
    assert any("vay von" in p.message.lower() or "Vay vốn" in p.message
               for p in problems), [str(p) for p in problems]


def test_check_reports_out_of_remit_example_answered(tmp_path: Path) -> None:
    text = GOOD + '\n[out_of_remit]\nexamples = ["tien dich vu", "thoi tiet", "xo so"]\n'
    kb = read_kb(_write(tmp_path, text))
    problems = check_examples(kb, Matcher(kb))
    assert any(p.topic == "out_of_remit" and "tien dich vu" in p.message for p in problems)


def test_remit_check_questions_are_read_apart_from_the_out_of_remit_examples(
    tmp_path: Path,
) -> None:
    text = (GOOD + '\n[out_of_remit]\nexamples = ["thoi tiet"]\n'
            '\n[remit_check]\nexamples = ["ho tro giong bo", " ", "vay tien lam nha"]\n')
    kb = read_kb(_write(tmp_path, text))
    assert kb.out_of_remit == ("thoi tiet",)
    assert kb.remit_check == ("ho tro giong bo", "vay tien lam nha")
    broken = read_kb(_write(tmp_path, GOOD + '\n[remit_check]\nexamples = "ho tro giong bo"\n'))
    assert any(p.topic == "remit_check" for p in broken.problems)
    assert not broken.remit_check


def test_the_shipped_remit_check_questions_are_many_and_not_topic_examples() -> None:
    kb = load_kb()
    assert len(kb.remit_check) >= 300
    examples = {e.lower() for entry in kb.entries.values() for e in entry.examples}
    assert not examples & {q.lower() for q in kb.remit_check}


# --- superseded sources, review dates, short first messages -------------------------------


def test_a_source_citing_a_superseded_instrument_fails_from_its_date(tmp_path: Path) -> None:
    cited = '"Nghị định 12/2022/NĐ-CP (Điều 44)"'
    kb_dir = _write(tmp_path, GOOD.replace('"Luật 69/2020/QH14"', cited))
    before = _messages(kb_dir, date(2026, 9, 9))
    after = check_entries(read_kb(kb_dir), date(2026, 9, 10), SOURCE_LINE)
    assert not any("replaced by" in m for m in before)
    stale = [p for p in after if "replaced by" in p.message]
    assert [(p.topic, p.severity) for p in stale] == [("abroad.costs", "error")]
    assert "283/2026" in stale[0].message


def test_a_similar_number_is_not_taken_for_a_superseded_one() -> None:
    (row,) = [s for s in load_superseded() if s.instrument == "12/2022/NĐ-CP"]
    assert row.cited_in("Nghị định 12/2022/NĐ-CP")
    assert not row.cited_in("Nghị định 112/2022/NĐ-CP")
    assert not row.cited_in("Nghị định 12/2022/NĐ-CPX")


def test_kb_check_command_fails_on_a_superseded_source(tmp_path: Path) -> None:
    kb_dir = _write(tmp_path, GOOD.replace('"Luật 69/2020/QH14"', '"Thông tư 55/2023/TT-BTC"'))
    _, problems = run_check(kb_dir, date(2026, 12, 2))
    assert any("55/2023/TT-BTC" in p.message and p.severity == "error" for p in problems)


def test_due_for_review_lists_late_and_soon_entries_soonest_first(tmp_path: Path) -> None:
    kb = read_kb(_write(tmp_path, GOOD.replace("review_by = 2027-05-01\nfollow_up",
                                               "review_by = 2027-04-20\nfollow_up")))
    assert [e.id for e in due_for_review(kb, date(2027, 3, 1))] == []
    assert [e.id for e in due_for_review(kb, date(2027, 3, 25))] == ["abroad.loan"]
    assert [e.id for e in due_for_review(kb, date(2027, 5, 2))] == ["abroad.loan", "abroad.costs"]


def test_every_first_message_fits_a_phone_screen_on_zalo() -> None:
    for entry in load_kb().entries.values():
        text, buttons = topic_reply(entry)
        first = render(Reply(text, buttons), Channel.ZALO)[0].text
        assert len(first) <= MAX_ZALO_FIRST, (entry.id, len(first))
        if entry.details:
            assert "Xem chi tiết" in first


def test_details_are_optional_and_checked(tmp_path: Path) -> None:
    with_details = GOOD.replace('source = "Luật 69/2020/QH14"',
                                'details = "' + "d" * 1300 + '"\nsource = "Luật 69/2020/QH14"')
    assert any("details must have" in m for m in _messages(_write(tmp_path, with_details)))
    unknown = GOOD.replace("12 tháng.", "12 tháng ở {nowhere}.")
    assert any("unknown placeholder" in m for m in _messages(_write(tmp_path, unknown)))


def test_a_brief_is_optional_and_checked(tmp_path: Path) -> None:
    brief = GOOD.replace('source = "Luật 69/2020/QH14"',
                         'brief = "' + "b" * (MAX_BRIEF + 1) + '"\nsource = "Luật 69/2020/QH14"')
    assert any("brief must have" in m for m in _messages(_write(tmp_path, brief)))
    assert not any("brief" in m for m in _messages(_write(tmp_path, GOOD)))
    wrong = GOOD.replace('source = "Luật 69/2020/QH14"', 'brief = 3\nsource = "Luật 69/2020/QH14"')
    assert any("wrong type for: brief" in m for m in _messages(_write(tmp_path, wrong)))
