"""The monthly knowledge-base review list: admins only, once per month, never at night."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.settings import load_settings
from messages.faq_loader import KnowledgeBase, read_kb
from scheduler.kb_review import run_kb_review
from scheduler.runtime import KB_REVIEW, job_specs
from tests.helpers import Clock
from tests.officials_helpers import make_officer, pending_outbox

KB = '''
[[entry]]
id = "abroad.loan"
title = "Vay vốn đi làm việc"
answer = "Vay ở Ngân hàng Chính sách xã hội."
source = "Nghị định 338/2025/NĐ-CP"
checked = 2026-01-10
review_by = 2026-07-01
examples = ["vay von"]

[[entry]]
id = "abroad.costs"
title = "Chi phí"
answer = "Tiền dịch vụ."
source = "Luật 69/2020/QH14 (Điều 23)"
checked = 2026-01-10
review_by = 2026-08-01
examples = ["chi phi"]

[[entry]]
id = "abroad.japan"
title = "Đi Nhật Bản"
answer = "Nhật."
source = "Luật 69/2020/QH14"
checked = 2026-01-10
review_by = 2027-06-01
examples = ["nhat"]
'''


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    (tmp_path / "kb.toml").write_text(KB, encoding="utf-8")
    return read_kb(tmp_path)


async def test_admins_get_the_entries_due_once_a_month(app: App, clock: Clock,
                                                       kb: KnowledgeBase) -> None:
    await make_officer(app, clock, "ad", "admin")
    await make_officer(app, clock, "of", "office")
    config = app.settings.handler_config()
    # 2026-07-10 08:00 local: loan is late, costs due within a month, japan not due.
    assert await run_kb_review(app.db, config, clock.now(), kb=kb) == 1
    rows = await pending_outbox(app)
    (row,) = [r for r in rows if r.payload["meta"]["intent"] == "alert:kb_review"]
    assert row.chat_id == "ad"
    text = row.payload["text"]
    assert "Vay vốn đi làm việc" in text and "ĐÃ QUÁ hạn kiểm tra 01/07/2026" in text
    assert "Chi phí" in text and "Luật 69/2020/QH14 (Điều 23)" in text
    assert "Đi Nhật Bản" not in text and "kb check" in text
    # A second run in the same month (a restart, a second process) sends nothing more.
    clock.advance(days=12)
    assert await run_kb_review(app.db, config, clock.now(), kb=kb) == 0
    clock.advance(days=10)  # 1 August: a new month
    assert await run_kb_review(app.db, config, clock.now(), kb=kb) == 1


async def test_nothing_at_night_nothing_when_nothing_is_due(app: App, clock: Clock,
                                                            kb: KnowledgeBase) -> None:
    await make_officer(app, clock, "ad", "admin")
    config = app.settings.handler_config()
    night = datetime(2026, 7, 10, 15, 0, tzinfo=UTC)  # 22:00 in Vietnam
    assert await run_kb_review(app.db, config, night, kb=kb) == 0
    early = datetime(2026, 1, 10, 1, 0, tzinfo=UTC)  # nothing due within a month then
    assert await run_kb_review(app.db, config, early, kb=kb) == 0
    assert await run_kb_review(app.db, config, clock.now(), kb=kb) == 1


def test_the_review_job_runs_on_the_first_of_each_month() -> None:
    specs = job_specs(load_settings().scheduler_config())
    (trigger,) = [trigger for job_id, _ref, trigger in specs if job_id == KB_REVIEW]
    assert "day='1'" in str(trigger)
