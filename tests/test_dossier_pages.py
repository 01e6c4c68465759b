"""Dossier pages are never lost (issue 13): a 2-page contract, the officer asks for page 2
again, the family sends one photo. Console and Zalo, through the real engine."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.types import Channel
from storage.models import DossierDocument
from tests.dossier_support import click, jpeg, make_case, make_officer, two_units
from tests.helpers import send_file, texts

CHANNELS = [Channel.CONSOLE, Channel.ZALO]


async def _pages(app: App, item: str) -> list[tuple[int, str]]:
    async with app.db.session() as session:
        rows = await session.scalars(
            select(DossierDocument)
            .where(DossierDocument.item_key == item)
            .order_by(DossierDocument.page)
        )
        return [(d.page, d.sha256) for d in rows]


async def _contract_rejected(app: App, channel: Channel) -> tuple[int, list[Any], int]:
    unit, _ = await two_units(app)
    case_id = await make_case(app, "fam", unit_id=unit, channel=channel)
    await make_officer(app, "cb", role="commune", unit_id=unit)
    turns = 0
    for action in (f"dossier:case:{case_id}", "dossier:item:contract"):
        await click(app, "fam", action, channel=channel)
        turns += 1
    for seed in (1, 2):
        await send_file(app, "fam", jpeg(seed), channel=channel)
        turns += 1
    await click(app, "fam", "dossier:done", channel=channel)
    turns += 1
    before = await _pages(app, "contract")
    assert [p for p, _ in before] == [1, 2]
    await click(app, "cb", f"review:open:{case_id}")
    lines = await click(app, "cb", f"review:no:{case_id}:contract:mo")
    assert any(line["to"] == "fam" for line in lines)
    return case_id, before, turns


@pytest.mark.parametrize("channel", CHANNELS)
async def test_one_photo_after_a_rejection_loses_no_page(app: App, channel: Channel) -> None:
    case_id, before, turns = await _contract_rejected(app, channel)
    lines = await click(app, "fam", f"dossier:redo:{case_id}:contract", channel=channel)
    assert "vẫn được giữ" in texts(lines)
    lines = await send_file(app, "fam", jpeg(3), channel=channel)
    turns += 2
    if channel == Channel.ZALO:
        assert "bấm" not in texts(lines).lower() and "gõ «xong»" in texts(lines)
    assert "thay bằng ảnh mới" not in texts(lines)  # the "Ảnh cũ … đã được thay"
    after = await _pages(app, "contract")
    assert after[:2] == before and len(after) == 3  # page 1 and 2 kept, the new one added
    await click(app, "fam", "dossier:done", channel=channel)
    lines = await click(app, "cb", f"review:open:{case_id}")
    officer = texts([line for line in lines if line["to"] == "cb"])
    assert "trang mới hoặc thay: 3; giữ nguyên: 1, 2" in officer
    assert "ảnh bị mờ" in officer  # the reason of the last review is recalled
    print(f"dossier re-send journey on {channel.value}: {turns + 1} family turns")


@pytest.mark.parametrize("channel", CHANNELS)
async def test_family_replaces_only_the_page_it_chooses(app: App, channel: Channel) -> None:
    case_id, before, _ = await _contract_rejected(app, channel)
    await click(app, "fam", f"dossier:redo:{case_id}:contract", channel=channel)
    lines = await click(app, "fam", "dossier:pages", channel=channel)
    assert "Thay trang 2" in str(lines[-1].get("buttons")) + texts(lines)
    async with app.db.session() as session:
        page2 = await session.scalar(
            select(DossierDocument.id).where(
                DossierDocument.item_key == "contract", DossierDocument.page == 2
            )
        )
    await click(app, "fam", f"dossier:rep:{page2}", channel=channel)
    lines = await send_file(app, "fam", jpeg(4), channel=channel)
    assert "Đã thay trang 2 bằng ảnh mới, các trang khác giữ nguyên" in texts(lines)
    after = await _pages(app, "contract")
    assert after[0] == before[0] and after[1][0] == 2 and after[1][1] != before[1][1]
    assert len(after) == 2
    await click(app, "fam", "dossier:done", channel=channel)
    lines = await click(app, "cb", f"review:open:{case_id}")
    assert "trang mới hoặc thay: 2; giữ nguyên: 1" in texts(lines)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_photo_before_choosing_an_item_is_kept(app: App, channel: Channel) -> None:
    unit, _ = await two_units(app)
    case_id = await make_case(app, "fam", unit_id=unit, channel=channel)
    await click(app, "fam", f"dossier:case:{case_id}", channel=channel)
    await click(app, "fam", "dossier:item:request_form", channel=channel)
    await send_file(app, "fam", jpeg(1), channel=channel)
    await click(app, "fam", "dossier:done", channel=channel)
    # Back on the checklist, a photo arrives before any item is chosen.
    lines = await send_file(app, "fam", jpeg(2), channel=channel)
    assert "giấy tờ nào" in texts(lines)
    shown = texts(lines) + str(lines[-1].get("buttons"))
    # The checklist's order (its numbers), each item with its state: sent, to send once it
    # exists.
    assert shown.index("Đơn đề nghị hỗ trợ: đã gửi") < shown.index("Hợp đồng")
    assert "Hóa đơn, biên lai: gửi sau, khi có" in shown
    await send_file(app, "fam", jpeg(3), channel=channel)  # same burst, kept quietly
    lines = await click(app, "fam", "dossier:put:contract", channel=channel)
    assert "Đã lưu 2 ảnh vào «Hợp đồng" in texts(lines)
    assert [p for p, _ in await _pages(app, "contract")] == [1, 2]
