"""Files are stored by content: two people who send the same photo share one stored file. When
one of them deletes their data, the file stays while the other still holds it (a photo sent
before its dossier item is named, kept in a draft or a conversation state as ``held_files``),
and the other can still file it. The sweep and the erasure use one definition of "still named"
(storage/file_refs.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import select

from bot.app import App
from handlers.types import Channel
from storage.file_refs import named_files
from storage.models import DossierDocument, IntakeDraft
from tests.dossier_support import click, jpeg, make_case, two_units
from tests.helpers import intents, press, say, send_file, texts

CHANNELS = [Channel.CONSOLE, Channel.ZALO]
PHOTO = jpeg(31)


async def _hold_in_state(app: App, user: str, channel: Channel) -> None:
    """A photo sent at the dossier's checklist, before naming its item: held in the state."""
    unit, _ = await two_units(app)
    case_id = await make_case(app, user, unit_id=unit, channel=channel)
    await click(app, user, f"dossier:case:{case_id}", channel=channel)
    lines = await send_file(app, user, PHOTO, channel=channel)
    assert intents(lines)[-1] == "flow:dossier.held", lines


async def _hold_in_draft(app: App, user: str, channel: Channel) -> None:
    """A photo sent during the registration form: held in the draft."""
    await say(app, user, "đăng ký", channel=channel)
    for label in ("Đồng ý", "Cho bản thân tôi", "Đi làm việc ở nước ngoài"):
        await press(app, user, label, channel=channel)
    lines = await send_file(app, user, PHOTO, channel=channel)
    assert intents(lines)[0] == "flow:intake.file_kept", lines


def _stored(app: App) -> list[str]:
    return sorted(p.name for p in app.files.root.glob("??/*"))


async def _erase(app: App, user: str, channel: Channel) -> None:
    await say(app, user, "xóa dữ liệu của tôi", channel=channel)
    lines = await press(app, user, "Có, xóa hết", channel=channel)
    assert intents(lines) == ["flow:privacy.deleted"], lines


Hold = Callable[[App, str, Channel], Awaitable[None]]


async def _leaver_erases(app: App, channel: Channel, *, keeper: Hold, leaver: Hold) -> str:
    """Both hold the same photo (one stored file), then the leaver erases their data: the
    file is still in the store. Returns its hash."""
    await keeper(app, "keeper", channel)
    await leaver(app, "leaver", channel)
    [sha] = _stored(app)  # one file for both: the same bytes
    await _erase(app, "leaver", channel)
    assert app.files.exists(sha)
    return sha


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_photo_another_person_holds_survives_an_erasure(
    app: App, channel: Channel
) -> None:
    sha = await _leaver_erases(app, channel, keeper=_hold_in_state, leaver=_hold_in_draft)
    # The keeper names the item: the held photo becomes its page, its file still there.
    lines = await say(app, "keeper", "chung chi", channel=channel)
    assert "Đã lưu 1 ảnh" in texts(lines), texts(lines)
    async with app.db.session() as session:
        pages = list(await session.scalars(select(DossierDocument.sha256)))
    assert pages == [sha] and app.files.exists(sha)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_a_photo_held_in_another_persons_draft_survives_an_erasure(
    app: App, channel: Channel
) -> None:
    sha = await _leaver_erases(app, channel, keeper=_hold_in_draft, leaver=_hold_in_state)
    async with app.db.session() as session:
        draft = await session.scalar(select(IntakeDraft))
    assert draft is not None and [h["sha"] for h in draft.data["held_files"]] == [sha]


async def test_a_photo_only_the_leaver_held_is_removed(app: App) -> None:
    await _hold_in_state(app, "leaver", Channel.CONSOLE)
    [sha] = _stored(app)  # one file for both: the same bytes
    await _erase(app, "leaver", Channel.CONSOLE)
    assert not app.files.exists(sha)


async def test_still_named_reads_a_hash_as_a_whole_value(app: App) -> None:
    await _hold_in_draft(app, "keeper", Channel.CONSOLE)
    [sha] = _stored(app)
    # A hash counts as a whole value: not one that merely starts with a shorter one's text.
    near = sha[:63] + ("0" if sha[-1] != "0" else "1")
    async with app.db.session() as session:
        assert await named_files(session, {sha, near, "0" * 64}) == {sha}
        assert await named_files(session, set()) == set()
        assert sha in await named_files(session)
