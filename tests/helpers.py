"""Conversation helpers: drive the real engine the way the simulator does."""

from __future__ import annotations

import asyncio
import io
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from bot.app import App
from bot.cli import main as cli_main
from bot.inbound import button_event, file_event, text_event
from bot.simulate import output_lines, simulate
from handlers.types import Channel, FileRef, InboundKind
from handlers.understanding.matcher import Matcher, get_matcher


@dataclass
class Clock:
    """A controllable clock: starts at ``at`` (aware UTC) and moves only when told."""

    at: datetime = field(default_factory=lambda: datetime(2026, 7, 10, 1, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


async def _run(app: App, event: Any) -> list[dict[str, Any]]:
    return await app.handle_locally(event, partial(output_lines, 0))


async def say(
    app: App, user: str, text: str, *, channel: Channel = Channel.CONSOLE, name: str = ""
) -> list[dict[str, Any]]:
    """Send one text; returns the output lines (as the simulator prints them)."""
    return await _run(app, text_event(channel, user, text, display_name=name))


async def press(
    app: App, user: str, label: str, *, channel: Channel = Channel.CONSOLE
) -> list[dict[str, Any]]:
    """Press a button by its label or 1-based number."""
    return await _run(app, button_event(channel, user, label=label))


async def send_file(
    app: App,
    user: str,
    data: bytes,
    *,
    kind: InboundKind = InboundKind.PHOTO,
    file_name: str = "",
    channel: Channel = Channel.CONSOLE,
) -> list[dict[str, Any]]:
    return await _run(app, file_event(channel, user, kind, FileRef(data, file_name or None)))


async def simulate_lines(app: App, *lines: dict[str, Any] | str) -> list[dict[str, Any]]:
    """JSON Lines through ``bot.simulate.simulate`` in this process (no subprocess)."""
    stdin = "".join(
        (x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines
    )
    stdout = io.StringIO()
    await simulate(app, io.StringIO(stdin), stdout)
    return [json.loads(line) for line in stdout.getvalue().splitlines()]


def texts(lines: list[dict[str, Any]]) -> str:
    """All reply texts joined, for substring assertions."""
    return "\n".join(line["text"] for line in lines)


def to(lines: list[dict[str, Any]], user: str) -> list[dict[str, Any]]:
    return [line for line in lines if line["to"] == user]


def intents(lines: list[dict[str, Any]]) -> list[str]:
    return [line["meta"]["intent"] for line in lines]


def shipped_matcher() -> Matcher:
    """The matcher of the shipped knowledge base, as the app gets it: its classifiers are loaded
    from the run's CACHE_DIR (tests/conftest.py) when fitted there already, and saved there when
    not, where ``get_matcher()`` without a directory fitted them again in each test process."""
    cache = os.environ.get("CACHE_DIR")
    return get_matcher(Path(cache) if cache else None)


async def run_cli(*argv: str) -> int:
    """``python -m bot ARGV`` in its own thread and event loop, as a separate process runs it."""
    return await asyncio.to_thread(cli_main, list(argv))
