"""The simulator contract (spec/simulate.md): the command itself in a subprocess where the
process matters (exit status, nothing but JSON on stdout, state kept across runs), the same
simulator function in-process for what the lines say."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from bot.app import App, build_app
from tests.conftest import make_settings
from tests.helpers import Clock, simulate_lines
from tests.officials_helpers import invite

ROOT = Path(__file__).resolve().parents[2]


def simulate(
    tmp_path: Path, *lines: dict[str, Any] | str, database: str = "sim.db"
) -> tuple[int, list[dict[str, Any]]]:
    """``python -m bot simulate`` in a subprocess; every stdout line must be JSON."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / database}",
        "FILES_DIR": str(tmp_path / "files"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "simulate"],
        input="".join(
            (x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines
        ).encode(),
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    out = [json.loads(line) for line in done.stdout.decode().splitlines()]
    return done.returncode, out


async def test_each_output_line_is_tagged_with_its_input_line(sqlite_app: App) -> None:
    out = await simulate_lines(
        sqlite_app,
        {"user": "u1", "text": "/start"},
        {"user": "u2", "text": "menu", "name": "Chị Lan"},
    )
    assert [(o["in"], o["to"]) for o in out] == [(1, "u1"), (2, "u2")]
    assert out[0]["meta"]["intent"] == "flow:menu"
    assert "Đi làm việc ở nước ngoài" in [row[0] for row in out[0]["buttons"]]


async def test_a_conversation_continues_in_a_second_run_on_the_same_database(
    fresh_sqlite: Path,
) -> None:
    # The first run in this process, the second in a process of its own: what the second run
    # knows of the first came through the database. (Two subprocesses took 5 s.)
    async with build_app(make_settings(fresh_sqlite)) as app:
        first = await simulate_lines(app, {"user": "u1", "text": "/start"})
    _, out = simulate(
        fresh_sqlite, {"user": "u1", "button": "5"}, {"user": "someone-else", "button": "5"},
        database="bot.db",
    )
    second = [o for o in out if o["to"] == "u1"]
    fresh = [o for o in out if o["to"] == "someone-else"]
    labels = [row[0] for row in first[0]["buttons"]]
    assert labels[4] == "Gặp cán bộ"
    # "5" means the fifth option shown in the previous run; a new user has no such option.
    assert second[0]["meta"]["intent"].startswith(("flow:handoff", "faq:general.human"))
    assert not fresh[0]["meta"]["intent"].startswith("flow:handoff")


async def test_zalo_lines_have_numbered_options_and_no_buttons(sqlite_app: App) -> None:
    out = await simulate_lines(sqlite_app, {"user": "z1", "text": "menu", "channel": "zalo"})
    assert "buttons" not in out[0]
    assert "5. Gặp cán bộ" in out[0]["text"]


def test_bad_lines_produce_error_lines_and_exit_status_1(tmp_path: Path) -> None:
    code, out = simulate(
        tmp_path, "{not json", {"text": "no user"}, {"user": "u1", "text": "/start"}
    )
    assert code == 1
    assert [o["in"] for o in out] == [1, 2, 3]
    assert "error" in out[0] and "error" in out[1]
    assert out[2]["meta"]["intent"] == "flow:menu"


async def test_messages_to_others_are_output_lines_of_the_input_that_caused_them(
    sqlite_app: App, clock: Clock
) -> None:
    code = await invite(sqlite_app, clock, "commune", "Phù Lưu")
    out = await simulate_lines(
        sqlite_app,
        # The officer is on Telegram, the person on Zalo: each line is still printed here.
        {"user": "cb", "text": f"/canbo {code}", "channel": "telegram"},
        {"user": "p1", "text": "gặp cán bộ", "channel": "zalo"},
        {"user": "p1", "text": "5", "channel": "zalo"},  # Phù Lưu
        {"user": "p1", "text": "Xin hỏi lịch học nghề", "channel": "zalo"},
        {"user": "cb", "button": "Trả lời", "channel": "telegram"},
        {"user": "cb", "text": "Lớp bắt đầu ngày 15.", "channel": "telegram"},
    )
    notice = [o for o in out if o["in"] == 4 and o["to"] == "cb"]
    assert len(notice) == 1 and "Xin hỏi lịch học nghề" in notice[0]["text"]
    assert notice[0]["buttons"] == [["Trả lời"], ["Xem hồ sơ"], ["Đóng"]]
    relayed = [o for o in out if o["in"] == 6 and o["to"] == "p1"]
    assert len(relayed) == 1 and "buttons" not in relayed[0]  # rendered for Zalo
    assert "Lớp bắt đầu ngày 15." in relayed[0]["text"]
    assert "1. Trả lời cán bộ" in relayed[0]["text"]
