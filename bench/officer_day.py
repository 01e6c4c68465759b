"""A commune officer's day in chat, scripted through the simulator's in-process turn: new
registrations with phones, a call recorded, information asked for, a question answered and
closed, the dossier PDF and the report. Prints each officer turn and the total.

    python -m bench.officer_day [--channel telegram|zalo]

The people's turns (two registrations, a question and its follow-up) are driven too but counted
apart: the figure that matters is how many turns the officer spends.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from bot.app import App, build_app
from bot.settings import load_settings
from bot.simulate import output_lines, parse_line
from handlers.access import Role
from handlers.officials.accounts import record_invite
from storage.models import Unit, utcnow
from storage.plan_repo import resolve_unit

PERSON = ["tôi muốn đăng ký", "Đồng ý", "Cho bản thân tôi", "Đi làm việc ở nước ngoài"]


def registration(user: str, name: str, phone: str) -> list[dict[str, Any]]:
    typed = [*PERSON, name, "12/3/1999", "Nữ", phone, "phu luu", "Thôn Khuổi Lếch", "Tày",
             "Hộ nghèo", "Nhật Bản", "025199004321", "Xác nhận"]
    buttons = {"Đồng ý", "Cho bản thân tôi", "Đi làm việc ở nước ngoài", "Nữ", "Tày",
               "Hộ nghèo", "Nhật Bản", "Xác nhận"}
    return [{"user": user, ("button" if x in buttons else "text"): x} for x in typed]


def officer_day(code: str, ref1: str, ref2: str) -> list[tuple[str, dict[str, Any]]]:
    """(what the officer is doing, the input line) in order; people's lines have no label."""
    o = "cb"
    return [
        ("sign in once (/canbo CODE)", {"user": o, "text": f"/canbo {code}"}),
        *[("", line) for line in registration("p1", "Nguyễn Thị Mai", "0912 000 001")],
        *[("", line) for line in registration("p2", "Hoàng Văn Bình", "0912 000 002")],
        ("see today's registrations with phones", {"user": o, "text": "/dangky"}),
        ("open the first case", {"user": o, "button": f"Mở {ref2}"}),
        ("record the call", {"user": o, "button": "Đã gọi điện"}),
        ("back to the list", {"user": o, "button": "Danh sách hồ sơ"}),
        ("open the second case", {"user": o, "button": f"Mở {ref1}"}),
        ("ask for information", {"user": o, "button": "Cần bổ sung"}),
        ("type the note sent to the person", {"user": o, "text": "Gửi ảnh sổ hộ nghèo"}),
        ("", {"user": "p1", "text": "gặp cán bộ"}),
        ("", {"user": "p1", "text": "Tôi gửi sổ hộ nghèo ở đâu?"}),
        ("press «Trả lời» on the question", {"user": o, "button": "Trả lời"}),
        ("type the answer", {"user": o, "text": "Chị chọn «Hồ sơ hỗ trợ» rồi chụp ảnh sổ."}),
        ("", {"user": "p1", "text": "Dạ em cảm ơn, mai em gửi"}),
        ("close the conversation", {"user": o, "button": "Đóng"}),
        ("open the case again (list, then the case)", {"user": o, "text": "/dangky"}),
        ("", {"user": o, "button": f"Mở {ref2}"}),
        ("record the decision", {"user": o, "button": "Đủ điều kiện"}),
        ("get the dossier PDF", {"user": o, "button": f"Mở {ref2}"}),
        ("", {"user": o, "button": "Tải hồ sơ PDF"}),
        ("get the report", {"user": o, "text": "/baocao"}),
    ]


async def main(channel: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'day.db'}",
            files_dir=Path(tmp) / "files",
        )
        async with build_app(settings) as app:
            async with app.db.transaction() as session:
                unit = await resolve_unit(session, "Phù Lưu")
                assert isinstance(unit, Unit)
                code, _ = await record_invite(
                    session, role=Role.COMMUNE, unit_id=unit.id, name="", now=utcnow()
                )
            year = utcnow().year
            refs = (f"HY-{year}-00001", f"HY-{year}-00002")
            await run_day(app, officer_day(code, *refs), channel)


async def run_day(app: App, script: list[tuple[str, dict[str, Any]]], channel: str) -> None:
    officer_turns = people_turns = 0
    started = time.perf_counter()
    for n, (label, line) in enumerate(script, start=1):
        line = {**line, "channel": channel}
        out = await app.handle_locally(parse_line(line), partial(output_lines, n))
        if line["user"] != "cb":
            people_turns += 1
            continue
        officer_turns += 1
        mine = [o for o in out if o["to"] == "cb"]
        intent = mine[0]["meta"]["intent"] if mine else "-"
        if label:
            print(f"{officer_turns:2d}. {label:40s} → {intent}")
        else:
            print(f"{officer_turns:2d}.   (one more tap)                         → {intent}")
    took = time.perf_counter() - started
    print(f"officer turns: {officer_turns}; people's turns: {people_turns}; {took:.1f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--channel", default="telegram", choices=["telegram", "zalo", "console"])
    asyncio.run(main(parser.parse_args().channel))
