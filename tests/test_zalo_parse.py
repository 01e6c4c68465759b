"""Captured-style Zalo payloads → Inbound events (tests/fixtures/zalo), and the image download."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.channels.zalo import ImageDownloader, parse_zalo_update, read_zalo_update
from handlers.types import Channel, FileRef, InboundKind
from tests.fake_zalo import FakeZalo, jpeg_bytes, running_fake_zalo

FIXTURES = Path(__file__).parent / "fixtures" / "zalo"
USER = "6ede9afa66b88fe6d6a9"
PAGE = FileRef(b"\xff\xd8jpeg", "p.jpg", "image/jpeg")


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return data


class RecordingFetcher:
    """Returns a fixed image for every URL and remembers which URLs were asked for."""

    def __init__(self, result: FileRef | None = PAGE) -> None:
        self.result = result
        self.urls: list[str] = []

    async def __call__(self, url: str) -> FileRef | None:
        self.urls.append(url)
        return self.result


async def test_text_with_the_envelope() -> None:
    event = await parse_zalo_update(fixture("text"), RecordingFetcher())
    assert event is not None
    assert (event.channel, event.user_id, event.kind, event.text) == (
        Channel.ZALO, USER, InboundKind.TEXT, "Xin chào"
    )  # fmt: skip
    assert event.update_id == "message.text.received:2d758cb5e222177a4f35"
    assert event.display_name == "Ted"
    assert event.reply_to == USER


async def test_text_without_the_envelope_is_nfc() -> None:
    payload = fixture("text_bare")
    payload["message"]["text"] = "  đi Nhật hết bao nhiêu tiền ".replace("ệ", "e\u0323\u0302")
    event = await parse_zalo_update(payload, RecordingFetcher())
    assert event is not None and event.kind == InboundKind.TEXT
    assert event.text == "đi Nhật hết bao nhiêu tiền"
    assert event.user_id == "a1b2c3d4e5f60718293a"
    assert event.display_name == "Hoàng Thị Lan"


async def test_slash_text_is_a_command() -> None:
    event = await parse_zalo_update(fixture("command"), RecordingFetcher())
    assert event is not None
    assert (event.kind, event.command, event.args) == (InboundKind.COMMAND, "canbo", "X7K2PQ")


@pytest.mark.parametrize(
    ("name", "url", "caption"),
    [
        ("image_photo_url", "https://photo-stal-9.zdn.vn/jpg/v2/0f1e2d3c4b5a69788796/page1.jpg",
         "trang 1"),
        ("image_photo", "https://photo-stal-9.zdn.vn/jpg/v2/0f1e2d3c4b5a69788796/page2.jpg", ""),
    ],
)  # fmt: skip
async def test_image_from_photo_url_or_photo_is_downloaded(
    name: str, url: str, caption: str
) -> None:
    fetch = RecordingFetcher()
    event = await parse_zalo_update(fixture(name), fetch)
    assert fetch.urls == [url]
    assert event is not None and event.kind == InboundKind.PHOTO
    assert event.file == fetch.result
    assert event.text == caption


async def test_image_that_cannot_be_downloaded_is_unsupported_not_a_crash() -> None:
    event = await parse_zalo_update(fixture("image_photo_url"), RecordingFetcher(result=None))
    assert event is not None
    assert event.kind == InboundKind.UNSUPPORTED and event.file is None


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("sticker", InboundKind.STICKER),
        ("voice", InboundKind.VOICE),
        ("unsupported", InboundKind.UNSUPPORTED),
    ],
)
async def test_non_text_events(name: str, kind: InboundKind) -> None:
    fetch = RecordingFetcher()
    event = await parse_zalo_update(fixture(name), fetch)
    assert event is not None
    assert (event.kind, event.user_id, event.text) == (kind, USER, "")
    assert event.update_id.startswith(fixture(name)["result"]["event_name"] + ":")
    assert fetch.urls == []  # a voice note is not downloaded: the bot cannot listen


@pytest.mark.parametrize(
    "payload",
    [
        fixture("unsupported_no_message"),
        fixture("reaction"),
        {"ok": True},
        {"ok": True, "result": []},
        {"event_name": "message.text.received", "message": "not an object"},
        {"event_name": "message.text.received", "message": {"text": "hi"}},  # nobody to answer
        [],
        "garbage",
    ],
)
async def test_events_without_a_user_or_unknown_are_ignored(payload: Any) -> None:
    assert await parse_zalo_update(payload, RecordingFetcher()) is None


def test_the_dedupe_key_is_event_name_and_message_id() -> None:
    same_id = fixture("text")
    same_id["result"]["event_name"] = "message.sticker.received"
    first, second = read_zalo_update(fixture("text")), read_zalo_update(same_id)
    assert first is not None and second is not None
    assert first.key != second.key
    no_message = read_zalo_update(fixture("unsupported_no_message"))
    assert no_message is not None and no_message.key == ""


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with running_fake_zalo() as server:
        yield server


async def test_downloader_fetches_the_image_bytes(fake: FakeZalo) -> None:
    page = jpeg_bytes("blue")
    url = fake.image_url("page1.jpg", page)
    fetch = ImageDownloader()
    try:
        file = await fetch(url)
        missing = await fetch(f"{fake.url}/images/expired.jpg")
        refused = await fetch("file:///etc/passwd")
    finally:
        await fetch.aclose()
    assert file == FileRef(page, "page1.jpg", "image/jpeg")
    assert missing is None and refused is None
    assert fake.image_fetches == ["page1.jpg", "expired.jpg"]  # a 404 is not asked again


async def test_downloader_refuses_an_image_over_the_limit(fake: FakeZalo) -> None:
    url = fake.image_url("huge.jpg", b"x" * 5000)
    fetch = ImageDownloader(max_bytes=4096)
    try:
        assert await fetch(url) is None
    finally:
        await fetch.aclose()
