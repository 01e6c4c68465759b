"""The Zalo client: request shape, the ``ok`` check, error mapping, and the token kept secret."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.channels.zalo_client import (
    ZaloBadRequest,
    ZaloClient,
    ZaloError,
    ZaloNetworkError,
    ZaloRateLimited,
    ZaloServerError,
    ZaloUnauthorized,
)
from tests.fake_zalo import TOKEN, FakeZalo, running_fake_zalo, text_update


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with running_fake_zalo() as server:
        yield server


@pytest.fixture
async def client(fake: FakeZalo) -> AsyncIterator[ZaloClient]:
    async with ZaloClient(TOKEN, base_url=fake.url) as zalo:
        yield zalo


async def test_methods_post_json_to_the_token_path() -> None:
    seen: list[httpx.Request] = []

    def app(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True, "result": {"message_id": "m1", "date": 1}})

    async with ZaloClient(
        "42:abc", base_url="https://zalo.test/", transport=httpx.MockTransport(app)
    ) as zalo:
        result = await zalo.send_message("u1", "Xin chào")
    assert result == {"message_id": "m1", "date": 1}
    assert [(r.method, r.url.path) for r in seen] == [("POST", "/bot42:abc/sendMessage")]
    assert json.loads(seen[0].content) == {"chat_id": "u1", "text": "Xin chào"}


async def test_every_method_works_against_the_fake(client: ZaloClient, fake: FakeZalo) -> None:
    assert (await client.get_me())["account_name"] == "bot.hamyen"
    await client.set_webhook("https://bot.example.vn/webhook/zalo", "s3cret-s3cret")
    assert (await client.get_webhook_info())["url"] == "https://bot.example.vn/webhook/zalo"
    await client.delete_webhook()
    assert (await client.get_webhook_info())["url"] == ""
    assert (await client.send_photo("u1", "https://x.vn/a.jpg", "trang 1"))["message_id"]
    await client.send_chat_action("u1", "typing")
    assert [c.method for c in fake.calls] == [
        "getMe", "setWebhook", "getWebhookInfo", "deleteWebhook", "getWebhookInfo",
        "sendPhoto", "sendChatAction",
    ]  # fmt: skip
    assert fake.calls[-2].payload == {"chat_id": "u1", "photo": "https://x.vn/a.jpg",
                                      "caption": "trang 1"}  # fmt: skip


async def test_get_updates_returns_the_event_or_nothing_on_the_408_timeout(
    client: ZaloClient, fake: FakeZalo
) -> None:
    assert await client.get_updates(1) == []
    fake.push(text_update("Xin chào", message_id="abc"))
    [update] = await client.get_updates(1)
    assert update["event_name"] == "message.text.received"
    assert update["message"]["message_id"] == "abc"
    assert fake.calls[0].payload == {"timeout": 1}


async def test_ok_false_with_http_200_raises_instead_of_returning_none(
    client: ZaloClient, fake: FakeZalo
) -> None:
    fake.fail("sendMessage", "ok_false")
    with pytest.raises(ZaloBadRequest) as caught:
        await client.send_message("u1", "Xin chào")
    assert caught.value.error_code == 400


@pytest.mark.parametrize(
    ("kind", "error"),
    [("429", ZaloRateLimited), ("5xx", ZaloServerError), ("401", ZaloUnauthorized)],
)
async def test_failures_map_to_the_exception_tree(
    client: ZaloClient, fake: FakeZalo, kind: str, error: type[ZaloError]
) -> None:
    fake.fail("sendMessage", kind)
    with pytest.raises(error):
        await client.send_message("u1", "Xin chào")
    # The next call goes through: a failure is not sticky.
    assert (await client.send_message("u1", "Xin chào"))["message_id"]


async def test_text_over_2000_is_refused_by_the_platform(client: ZaloClient) -> None:
    with pytest.raises(ZaloBadRequest):
        await client.send_message("u1", "a" * 2001)


async def test_unknown_method_is_a_bad_request(client: ZaloClient) -> None:
    with pytest.raises(ZaloBadRequest) as caught:
        await client._call("sendDocument", {"chat_id": "u1"})
    assert caught.value.error_code == 404


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (403, ZaloServerError),
        (404, ZaloBadRequest),
        (408, ZaloNetworkError),
        (502, ZaloServerError),
    ],
)
async def test_error_codes_in_the_body_decide_not_the_http_status(
    code: int, error: type[ZaloError]
) -> None:
    def app(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"ok": False, "error_code": code, "description": "x"})

    async with ZaloClient(
        "42:abc", base_url="https://z.test", transport=httpx.MockTransport(app)
    ) as zalo:
        with pytest.raises(error):
            await zalo.send_message("u1", "hi")


async def test_a_wrong_token_is_unauthorized(fake: FakeZalo) -> None:
    async with ZaloClient("1:wrong-token", base_url=fake.url) as zalo:
        with pytest.raises(ZaloUnauthorized):
            await zalo.get_me()


async def test_the_token_never_reaches_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before use: nothing listens there

    def leaky(request: httpx.Request) -> httpx.Response:
        # A server that echoes the URL in its error text must not leak it through us either.
        return httpx.Response(200, json={"ok": False, "error_code": 400,
                                         "description": f"bad path {request.url}"})  # fmt: skip

    caplog.set_level(logging.DEBUG)
    # Another test may have run the CLI's logging set-up, which quiets httpx to WARNING.
    caplog.set_level(logging.DEBUG, logger="httpx")
    async with ZaloClient(TOKEN, base_url=f"http://127.0.0.1:{port}") as zalo:
        with pytest.raises(ZaloNetworkError) as down:
            await zalo.get_me()
    async with ZaloClient(
        TOKEN, base_url="https://z.test", transport=httpx.MockTransport(leaky)
    ) as zalo:
        with pytest.raises(ZaloBadRequest) as echoed:
            await zalo.get_me()
        logging.getLogger("httpx").info("HTTP Request: POST https://z.test/bot%s/getMe", TOKEN)
    for exc in (down.value, echoed.value):
        assert TOKEN not in str(exc)
        assert exc.__cause__ is None
        assert exc.__context__ is None or exc.__suppress_context__
    assert "<token>" in str(echoed.value)
    assert TOKEN not in caplog.text
    assert "bot<token>/getMe" in caplog.text
