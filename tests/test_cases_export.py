import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.app import App
from bot.cli import main as cli_main
from tests.helpers import press
from tests.intake_support import fill_form

ROOT = Path(__file__).resolve().parents[1]


async def _two_cases(app: App) -> None:
    await fill_form(app, "u1")
    await press(app, "u1", "Xác nhận")
    await fill_form(app, "u2", kind="Học nghề", choice="1",
                    person={"name": "Lò Văn Minh", "commune": "Bạch Xa", "cid": "Bỏ qua",
                            "dob": "1/1/2008"})
    await press(app, "u2", "Xác nhận")


@dataclass
class Done:
    returncode: int
    stdout: bytes
    stderr: bytes


async def _export(app: App, *args: str) -> Done:
    """``python -m bot cases export`` in this process (its start-up is proven elsewhere)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", app.settings.database_url)
        patch.setenv("FILES_DIR", str(app.settings.files_dir))
        patch.setenv("ENVIRONMENT", "development")
        patch.delenv("ENCRYPTION_KEY", raising=False)
        out, err = io.BytesIO(), io.StringIO()
        patch.setattr(sys, "stdout", io.TextIOWrapper(out, encoding="utf-8"))
        patch.setattr(sys, "stderr", err)
        code = await asyncio.to_thread(cli_main, ["cases", "export", *args])
        sys.stdout.flush()
        return Done(code, out.getvalue(), err.getvalue().encode())


async def test_export_csv_jsonl_xlsx(sqlite_app: App, tmp_path: Path) -> None:
    app = sqlite_app
    await _two_cases(app)
    done = await _export(app, "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode("utf-8-sig"))))
    assert [r["Mã hồ sơ"] for r in rows] == ["HY-2026-00001", "HY-2026-00002"]
    assert rows[0]["Họ và tên"] == "Nguyễn Thị Mai" and rows[0]["Điện thoại"] == "0912345678"
    assert rows[0]["Số căn cước"] == "025199004321" and rows[0]["Ngày sinh"] == "1999-03-12"
    assert rows[0]["Nguyện vọng (nước/lớp)"] == "Nhật Bản" and rows[0]["Xã"] == "Phù Lưu"
    assert rows[1]["Loại đăng ký"] == "Học nghề" and rows[1]["Số căn cước"] == ""

    done = await _export(app, "--format", "jsonl", "--unit", "bach xa")
    lines = [json.loads(x) for x in done.stdout.decode().splitlines()]
    assert [x["ref"] for x in lines] == ["HY-2026-00002"]
    assert lines[0]["full_name"] == "Lò Văn Minh" and lines[0]["status"] == "new"

    out = tmp_path / "cases.xlsx"
    done = await _export(app, "--format", "xlsx", "--since", "10/07/2026", "--output", str(out))
    assert done.returncode == 0, done.stderr
    sheet = load_workbook(out).active
    assert sheet.cell(1, 1).value == "Mã hồ sơ" and sheet.cell(1, 1).font.bold
    assert sheet.cell(2, 7).value == "0912345678"  # text: the leading zero stays
    assert sheet.cell(3, 4).value == "Lò Văn Minh"
    assert sheet.column_dimensions["D"].width >= len("Nguyễn Thị Mai")
    assert sheet.column_dimensions["A"].width <= 50

    assert (await _export(app, "--since", "11/07/2026")).stdout.decode("utf-8-sig").count("\n") == 1
    bad = await _export(app, "--unit", "Hà Nội")
    assert bad.returncode == 2 and "Hà Nội" in bad.stderr.decode()


def test_production_without_key_refuses_to_start(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
           "ENVIRONMENT": "production"}
    env.pop("ENCRYPTION_KEY", None)
    done = subprocess.run([sys.executable, "-m", "bot", "simulate"], input="", text=True,
                          capture_output=True, cwd=ROOT, env=env, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "ENCRYPTION_KEY" in done.stderr
