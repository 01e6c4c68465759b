"""ZaloTransport: rendered messages → sendMessage/sendPhoto on the fake, errors → DeliveryError."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.channels.zalo_client import ZaloClient
from bot.channels.zalo_transport import ZaloTransport
from bot.delivery import DeliveryError, PermanentError, RetryLaterError, TransientError
from bot.render import Rendered, render
from handlers.types import Attachment, Button, Channel, Reply
from messages import t
from tests.fake_zalo import TOKEN, FakeZalo, running_fake_zalo


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with running_fake_zalo() as server:
        yield server


@pytest.fixture
async def transport(fake: FakeZalo) -> AsyncIterator[ZaloTransport]:
    async with ZaloClient(TOKEN, base_url=fake.url) as client:
        yield ZaloTransport(client, backoff_base=0.5, backoff_max=4.0)


async def test_text_goes_out_as_send_message(transport: ZaloTransport, fake: FakeZalo) -> None:
    message_id = await transport.send("u1", Rendered("Xin chào anh/chị"))
    [call] = fake.sent()
    assert call.method == "sendMessage"
    assert call.payload == {"chat_id": "u1", "text": "Xin chào anh/chị"}
    assert message_id == "m000001"


async def test_options_are_a_numbered_list_without_buttons(
    transport: ZaloTransport, fake: FakeZalo
) -> None:
    reply = Reply("Anh/chị chọn:", [[Button("x:a", "Có")], [Button("x:b", "Không")]])
    for part in render(reply, Channel.ZALO):
        await transport.send("u1", part)
    [text] = fake.sent_texts()
    assert "1. Có\n2. Không" in text
    assert "Trả lời 1 hoặc 2" in text
    assert "buttons" not in str(fake.calls[0].payload)


async def test_a_photo_with_a_public_url_is_sent_by_url(
    transport: ZaloTransport, fake: FakeZalo
) -> None:
    photo = Attachment("photo", url="https://files.example.vn/lich-hoc.jpg", caption="Lịch học")
    await transport.send("u1", Rendered("", attachments=[photo]))
    await transport.send("u1", Rendered("Lịch học tháng 8", attachments=[photo]))
    assert [(c.method, c.payload) for c in fake.sent()] == [
        ("sendPhoto", {"chat_id": "u1", "photo": photo.url, "caption": "Lịch học"}),
        # One photo and its text: one call, so a retry cannot repeat half of the message.
        ("sendPhoto", {"chat_id": "u1", "photo": photo.url, "caption": "Lịch học tháng 8"}),
    ]


async def test_a_stored_file_without_url_is_named_in_the_text(
    transport: ZaloTransport, fake: FakeZalo
) -> None:
    stored = Attachment("photo", sha256="ab" * 32, file_name="trang-1.jpg")
    document = Attachment("document", url="https://x.vn/a.pdf", file_name="phieu.pdf")
    await transport.send("u1", Rendered("Hồ sơ HY-0001", attachments=[stored, document]))
    assert [c.method for c in fake.sent()] == ["sendMessage"]
    [text] = fake.sent_texts()
    assert text.startswith("Hồ sơ HY-0001\n\n")
    assert t("zalo.attachment_elsewhere", name="trang-1.jpg") in text
    assert t("zalo.attachment_elsewhere", name="phieu.pdf") in text


async def test_429_is_retry_later_with_a_growing_then_reset_backoff(
    transport: ZaloTransport, fake: FakeZalo
) -> None:
    fake.fail("sendMessage", "429", "429", "429", "429", "429")
    waits = []
    for _ in range(5):
        with pytest.raises(RetryLaterError) as caught:
            await transport.send("u1", Rendered("a"))
        waits.append(caught.value.retry_after)
    assert waits == [0.5, 1.0, 2.0, 4.0, 4.0]
    await transport.send("u1", Rendered("a"))
    fake.fail("sendMessage", "429")
    with pytest.raises(RetryLaterError) as again:
        await transport.send("u1", Rendered("a"))
    assert again.value.retry_after == 0.5


@pytest.mark.parametrize(
    ("kind", "error"),
    [("5xx", TransientError), ("401", TransientError), ("ok_false", PermanentError)],
)
async def test_failures_become_delivery_errors(
    transport: ZaloTransport, fake: FakeZalo, kind: str, error: type[DeliveryError]
) -> None:
    fake.fail("sendMessage", kind)
    with pytest.raises(error) as caught:
        await transport.send("u1", Rendered("a"))
    assert TOKEN not in str(caught.value)
    assert type(caught.value) is error


async def test_empty_message_sends_nothing(transport: ZaloTransport, fake: FakeZalo) -> None:
    assert await transport.send("u1", Rendered("")) == ""
    assert fake.calls == []
