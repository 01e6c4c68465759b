"""The terminal commands of outreach, as issue 15 writes them: ``broadcast send|list|cancel|
report`` and ``survey open|close|results --format csv|xlsx|json``: exit status 0 for done, 1 for
"not sent", 2 with one Vietnamese line for anything wrong (nothing written then); the report's
JSON fields; exports that no spreadsheet reads as a formula."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot import cli
from bot.app import App
from messages import t
from storage.models import Broadcast, SurveyResponse, SurveyRound
from storage.outreach_repo import create_broadcast
from storage.repositories import get_or_create_contact
from storage.sheet_cells import FORMULA_STARTS
from storage.survey_export import render
from storage.survey_repo import Results
from tests.helpers import Clock
from tests.outreach_support import person, unit_id


@pytest.fixture
def terminal(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", app.settings.database_url)
    monkeypatch.setenv("FILES_DIR", str(app.settings.files_dir))


async def _bot(capsys: pytest.CaptureFixture[str], *args: str, stdin: str = "") -> tuple[
    int, str, str
]:
    capsys.readouterr()

    def run() -> int:
        saved = sys.stdin
        sys.stdin = io.StringIO(stdin)
        try:
            return cli.main(list(args))
        finally:
            sys.stdin = saved

    code = await asyncio.to_thread(run)
    out, err = capsys.readouterr()
    return code, out, err


async def _broadcasts(app: App) -> int:
    async with app.db.session() as session:
        return int(await session.scalar(select(func.count(Broadcast.id))) or 0)


async def test_broadcast_commands(
    app: App, clock: Clock, terminal: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pl = await unit_id(app, "Phù Lưu")
    for n in range(2):
        await person(app, f"p{n}", clock.now(), unit=pl, topics=["training"])
    send = ("broadcast", "send", "--unit", "Phù Lưu", "--interest", "training", "--text", "Lớp may")
    # Refused, with the reason, and nothing written.
    for extra, said in (
        (("--at", "ngày mai"), "Không đọc được giờ gửi «ngày mai»"),
        (("--at", "2030-01-05T22:30"), "giờ nghỉ"),
        (("--at", "2020-01-05T09:30+07:00"), "đã qua"),
        (("--photo", str(tmp_path / "none.jpg")), "Không đọc được ảnh"),
        (("--interest", "jobs"), "Chủ đề không hợp lệ"),
        (("--unit", "Hà Nội"), "Không tìm thấy xã «Hà Nội»"),
    ):
        code, out, err = await _bot(capsys, *send, *extra, "--yes")
        assert (code, out) == (2, "") and said in err, (extra, err)
    # Asked to confirm: "n" sends nothing (exit 1); the preview says how many it reaches.
    code, out, err = await _bot(capsys, *send, stdin="n\n")
    assert code == 1 and "đến 2 người" in err and t("cli.broadcast.not_sent") in err
    assert await _broadcasts(app) == 0
    photo = tmp_path / "lop.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 a photo")
    code, out, _ = await _bot(capsys, *send, "--photo", str(photo), stdin="có\n")
    assert code == 0 and out.strip().isdigit()
    first = int(out)
    code, out, _ = await _bot(capsys, *send, "--at", "2030-01-05T09:30", "--yes")
    later = int(out)
    async with app.db.session() as session:
        found = await session.get(Broadcast, first)
        scheduled = await session.get(Broadcast, later)
    assert found is not None and found.photo_sha256 and app.files.exists(found.photo_sha256)
    assert scheduled is not None and scheduled.send_at.isoformat().startswith("2030-01-05T02:30")
    # list: newest first, one line each.
    code, out, _ = await _bot(capsys, "broadcast", "list")
    assert code == 0 and [line.split("\t")[0] for line in out.splitlines()] == [
        str(later), str(first)]
    # report: the latest by default; text or JSON with the fields the issue names.
    code, out, _ = await _bot(capsys, "broadcast", "report", str(first), "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["id"] == first
    assert {"id", "queued", "sent", "failed", "blocked", "skipped"} <= set(report)
    code, out, _ = await _bot(capsys, "broadcast", "report")
    assert code == 0 and f"#{later}" in out
    # cancel: once; a finished or unknown one is said (exit 2).
    assert (await _bot(capsys, "broadcast", "cancel", str(later)))[0] == 0
    code, _, err = await _bot(capsys, "broadcast", "cancel", str(later))
    assert code == 2 and "đã kết thúc" in err
    code, _, err = await _bot(capsys, "broadcast", "cancel", "999")
    assert code == 2 and "#999" in err
    code, _, err = await _bot(capsys, "broadcast", "report", "999")
    assert code == 2 and "#999" in err
    # One sent "now" at night (in chat) is listed at the time it goes, as its officer was told.
    async with app.db.transaction() as session:
        night = await create_broadcast(
            session, unit_ids=[pl], interest="training", text="Lớp đan", now=clock.now(),
            send_at=datetime(2030, 1, 5, 15, 33, tzinfo=UTC))  # 22:33 in Hàm Yên
    code, out, _ = await _bot(capsys, "broadcast", "list")
    assert out.splitlines()[0].split("\t")[:3] == [str(night.id), "scheduled", "07:00 06/01/2030"]


async def test_no_broadcast_and_no_survey_round_yet(
    app: App, terminal: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = await _bot(capsys, "broadcast", "report")
    assert code == 2 and err.strip() == t("cli.broadcast.none")
    code, out, err = await _bot(capsys, "survey", "results", "--format", "json")
    assert code == 2 and out == "" and err.strip() == t("cli.survey.none")


async def test_survey_commands_and_inert_exports(
    app: App, clock: Clock, terminal: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = await _bot(capsys, "survey", "open", "--unit", "Hà Nội")
    assert code == 2 and "Hà Nội" in err
    code, out, _ = await _bot(capsys, "survey", "open", "--unit", "Phù Lưu", "--unit", "yen phu")
    assert code == 0
    round_id = int(out)
    pl, yp = await unit_id(app, "Phù Lưu"), await unit_id(app, "Yên Phú")
    async with app.db.transaction() as session:
        found = await session.get(SurveyRound, round_id)
        assert found is not None and sorted(found.unit_ids) == sorted([pl, yp])
        contact = await get_or_create_contact(session, "console", "an", "", clock.now())
        session.add(SurveyResponse(
            round_id=round_id, contact_id=contact.id, unit_id=pl, status="complete",
            consent_at=clock.now(),
            answers={"unit": pl, "gender": "female", "village": "=1+2",
                     "trades": ["sewing", "other"], "trades_other": "@SUM(A1)"},
        ))
    code, out, _ = await _bot(capsys, "survey", "results", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["round"] == round_id
    assert data["table"][0]["commune"] == "Phù Lưu" and data["table"][0]["total_responses"] == 1
    [raw] = data["responses"]
    assert raw["village"] == "=1+2" and "contact_id" not in raw and "an" not in raw.values()
    assert (raw["gender"], raw["trades"]) == ("female", ["sewing", "other"])  # JSON: the ids
    code, out, _ = await _bot(capsys, "survey", "results", "--round", str(round_id),
                              "--format", "csv")
    cells = [c for row in csv.reader(io.StringIO(out.lstrip("\ufeff"))) for c in row]
    assert code == 0 and "'=1+2" in cells and "'@SUM(A1)" in cells
    # A spreadsheet shows the answers as officials read them.
    assert "Nữ" in cells and "May công nghiệp; Nghề khác" in cells and "female" not in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    target = tmp_path / "ket-qua.xlsx"
    code, out, _ = await _bot(capsys, "survey", "results", "--format", "xlsx",
                              "--output", str(target))
    assert code == 0 and out == ""
    book = load_workbook(target)
    texts = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value]
    assert any(c.value == "=1+2" for c in texts) and any(c.value == "Nữ" for c in texts)
    assert all(c.data_type != "f" for c in texts)
    assert (await _bot(capsys, "survey", "close", str(round_id)))[0] == 0
    async with app.db.session() as session:
        closed = await session.get(SurveyRound, round_id)
    assert closed is not None and closed.closed_at is not None
    code, _, err = await _bot(capsys, "survey", "close", "999")
    assert code == 2 and "#999" in err
    code, _, err = await _bot(capsys, "survey", "results", "--round", "999", "--format", "csv")
    assert code == 2 and "#999" in err


@settings(max_examples=60, deadline=None)
@given(
    village=st.text(alphabet=st.sampled_from("=+-@\t\r＝＋－＠'\"1A(),;ăđ \n"), max_size=12),
    other=st.text(max_size=20),
    commune=st.sampled_from(["Phù Lưu", "=cmd|' /C calc'!A0", "-1", "@x"]),
)
def test_every_survey_export_is_inert(village: str, other: str, commune: str) -> None:
    """Whatever a person typed (village, other trade) or a unit list named a commune: no CSV
    cell a spreadsheet would run, no XLSX formula or error cell, JSON as typed."""
    found = Results(
        SurveyRound(id=1, version="2026-12", unit_ids=[]),
        Counter({(commune, "other"): 1, (commune, "sewing"): 1}),
        [{"response": 1, "commune": commune, "updated": "2026-12-02T08:00:00",
          "village": village, "trades": ["sewing", "other"], "trades_other": other}],
    )
    trades = {"sewing": "May công nghiệp", "other": "Nghề khác"}
    rows = list(csv.reader(io.StringIO(render(found, trades, "csv").decode("utf-8-sig"))))
    assert not [c for row in rows for c in row if c.startswith(FORMULA_STARTS)]
    book = load_workbook(io.BytesIO(render(found, trades, "xlsx")))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type in ("f", "e")]
    [raw] = json.loads(render(found, trades, "json"))["responses"]
    assert (raw["village"], raw["trades_other"]) == (village, other)
