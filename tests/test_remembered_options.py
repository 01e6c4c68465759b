"""The options of a message written straight to the outbox (a notice to officers, a relayed
answer, a reminder) are remembered in one place (storage.repositories.remember_recorded), once
per message: a notice recorded inside a person's turn used to be remembered twice (by
record_for_officers, then by the engine's loop over the turn's rows)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from bot.app import App
from handlers.types import Channel
from tests.helpers import Clock, intents, say
from tests.officials_helpers import make_officer

CHANNELS = [Channel.CONSOLE, Channel.ZALO]


@contextmanager
def options_written_for(app: App, chat_id: str) -> Iterator[list[str]]:
    """The UPDATEs of ``chat_id``'s remembered options (conversation_states.last_buttons)
    run while inside."""
    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        text = " ".join(statement.lower().split())
        if text.startswith("update conversation_states") and "last_buttons" in text and (
            chat_id in repr(parameters)
        ):
            seen.append(text)

    sync_engine = app.db.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(sync_engine, "before_cursor_execute", listen)


@pytest.mark.parametrize("channel", CHANNELS)
async def test_an_officers_notice_inside_a_turn_is_remembered_once(
    app: App, clock: Clock, channel: Channel
) -> None:
    await make_officer(app, clock, "pl", "commune", "Phù Lưu", channel=channel)
    await say(app, "u1", "gặp cán bộ")
    await say(app, "u1", "Phù Lưu")
    with options_written_for(app, "pl") as updates:
        lines = await say(app, "u1", "Bao giờ cán bộ gọi cho tôi?")
    notices = [line for line in lines if line["to"] == "pl"]
    assert len(notices) == 1 and "Bao giờ cán bộ gọi cho tôi?" in notices[0]["text"]
    assert len(updates) == 1, updates
    # Still what a number the officer types next picks: the notice's first option.
    assert intents(await say(app, "pl", "1", channel=channel)) == ["flow:thread.answer"]
