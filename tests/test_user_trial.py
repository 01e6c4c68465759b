"""What broke when the product was tried as its users would (a worker and a mother on Zalo, an
officer on Telegram), each fixed and kept fixed here, through the real engine, on the console
and on Zalo where the rendering matters."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.types import Channel
from storage.models import DossierDocument
from tests.dossier_support import click, jpeg, make_case, two_units
from tests.helpers import intents, say, send_file, texts

CHANNELS = [Channel.CONSOLE, Channel.ZALO]


async def _pages(app: App) -> dict[str, int]:
    async with app.db.session() as session:
        docs = (await session.scalars(select(DossierDocument))).all()
    counts: dict[str, int] = {}
    for doc in docs:
        counts[doc.item_key] = counts.get(doc.item_key, 0) + 1
    return counts


# -- dossier ------------------------------------------------------------------------------------
@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_held_photo_survives_a_question_and_is_filed_by_typed_name(
    app: App, channel: Channel
) -> None:
    """A photo sent at the checklist is held; a question asked meanwhile used to reopen the
    checklist and drop it, and "chung chi" typed as the answer went to the FAQ."""
    unit, _ = await two_units(app)
    case_id = await make_case(app, "me", unit_id=unit, channel=channel)
    await click(app, "me", f"dossier:case:{case_id}", channel=channel)
    lines = await send_file(app, "me", jpeg(1), channel=channel)
    assert intents(lines)[-1] == "flow:dossier.held"
    lines = await say(app, "me", "di nhat het bao nhieu tien", channel=channel)
    assert intents(lines)[0].startswith("faq:")
    assert intents(lines)[-1] == "flow:dossier.held"  # asked again which item it is
    lines = await say(app, "me", "abc xyz", channel=channel)  # a stray word keeps it too
    assert intents(lines)[-1] == "flow:dossier.held"
    lines = await say(app, "me", "chung chi", channel=channel)
    assert "Đã lưu 1 ảnh" in texts(lines), texts(lines)
    assert await _pages(app) == {"training_cert": 1}


@pytest.mark.parametrize("channel", CHANNELS)
async def test_items_are_chosen_by_name_and_xong_is_not_a_question(
    app: App, channel: Channel
) -> None:
    unit, _ = await two_units(app)
    case_id = await make_case(app, "me", unit_id=unit, channel=channel)
    await click(app, "me", f"dossier:case:{case_id}", channel=channel)
    lines = await say(app, "me", "hoa don", channel=channel)
    assert intents(lines) == ["flow:dossier.item"] and "Hóa đơn, biên lai" in texts(lines)
    await send_file(app, "me", jpeg(2), channel=channel)
    # Naming another item from inside one finishes it (its page kept) and opens the other.
    lines = await say(app, "me", "visa", channel=channel)
    assert "Đã lưu «Hóa đơn, biên lai»: 1 trang" in texts(lines)
    assert intents(lines)[-1] == "flow:dossier.item" and "Hộ chiếu" in texts(lines)
    await say(app, "me", "xong", channel=channel)
    # At the checklist "xong" once went to the FAQ ("after the course…").
    lines = await say(app, "me", "xong", channel=channel)
    assert intents(lines) == ["flow:dossier.checklist"], intents(lines)
    assert await _pages(app) == {"receipts": 1}
