"""The printable PDF (python -m bot dossier export) and the terminal review actions."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from bot.app import App
from bot.cli import main as cli_main
from handlers.types import InboundKind
from storage.models import DossierEvent, DossierItem, OutboxMessage
from tests.dossier_support import click, jpeg, make_case, pdf, png, two_units
from tests.helpers import say, send_file


async def main(argv: list[str]) -> int:
    """The real command line, in a thread (it runs its own event loop)."""
    return await asyncio.to_thread(cli_main, argv)


async def _fill(app: App) -> None:
    unit, _ = await two_units(app)
    await make_case(app, "fam", unit_id=unit, name="Hoàng Thị Lựu")
    await say(app, "fam", "hồ sơ")
    await click(app, "fam", "dossier:item:request_form")
    await send_file(app, "fam", jpeg(1))
    await send_file(app, "fam", png((1200, 900), seed=3))
    await say(app, "fam", "xong")
    await click(app, "fam", "dossier:item:contract")
    await send_file(app, "fam", pdf(3, "contract"), kind=InboundKind.DOCUMENT)
    await say(app, "fam", "xong")
    await click(app, "fam", "dossier:item:receipts")
    await send_file(app, "fam", jpeg(2, size=(1600, 700)))
    await say(app, "fam", "xong")


async def test_export_has_a_cover_then_one_page_per_image_and_the_pdf_pages(
    sqlite_app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _fill(sqlite_app)
    settings = sqlite_app.settings
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("FILES_DIR", str(settings.files_dir))
    out = tmp_path / "hoso.pdf"
    assert await main(["dossier", "export", "hy-2026-00001", "--output", str(out)]) == 0
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    # cover + 3 images + the contract's 3 pages, in checklist order
    assert len(reader.pages) == 1 + 3 + 3
    cover = reader.pages[0].extract_text()
    assert "HY-2026-00001" in cover
    assert "Hoàng Thị Lựu" in cover
    assert "Hợp đồng đi làm việc ở nước ngoài: đã gửi, 1 tệp, 3 trang" in cover
    assert "contract page 1" in reader.pages[3].extract_text()
    assert "contract page 3" in reader.pages[5].extract_text()
    # image pages carry an image and no text
    assert reader.pages[1].images and reader.pages[6].images


async def test_export_of_an_unknown_ref_fails_cleanly(
    sqlite_app: App, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_app.settings.database_url)
    assert await main(["dossier", "export", "HY-2026-09999"]) == 1
    assert "Không tìm thấy hồ sơ HY-2026-09999" in capsys.readouterr().err


async def test_export_of_an_erased_case_says_so(
    sqlite_app: App, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A trial exported the dossier of a person who had deleted their data: a PDF of the
    anonymised case, "đang bổ sung giấy tờ"."""
    await _fill(sqlite_app)
    await say(sqlite_app, "fam", "xóa dữ liệu của tôi")
    await click(sqlite_app, "fam", "privacy:delete:yes")
    monkeypatch.setenv("DATABASE_URL", sqlite_app.settings.database_url)
    assert await main(["dossier", "export", "HY-2026-00001"]) == 1
    assert "đã xóa dữ liệu" in capsys.readouterr().err


async def test_review_from_the_terminal_tells_the_family(
    sqlite_app: App, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await _fill(sqlite_app)
    monkeypatch.setenv("DATABASE_URL", sqlite_app.settings.database_url)
    assert await main(["dossier", "review", "HY-2026-00001", "contract", "reject"]) == 2
    assert await main(["dossier", "review", "HY-2026-00001", "passport_visa", "approve"]) == 1
    code = await main(
        ["dossier", "review", "HY-2026-00001", "contract", "reject", "--reason", "thieu_trang",
         "--officer", "Lê Văn Cán"]
    )
    assert code == 0
    assert "cần chụp lại" in capsys.readouterr().out
    async with sqlite_app.db.session() as session:
        item = await session.scalar(select(DossierItem).where(DossierItem.item_key == "contract"))
        assert item is not None and (item.status, item.reason) == ("rejected", "thieu_trang")
        event = await session.scalar(select(DossierEvent).where(DossierEvent.action == "rejected"))
        assert event is not None and (event.actor_role, event.actor_name) == ("cli", "Lê Văn Cán")
        queued = list(
            await session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.chat_id == "fam", OutboxMessage.status == "pending"
                )
            )
        )
    assert len(queued) == 1
    assert "thiếu trang" in queued[0].payload["text"]
