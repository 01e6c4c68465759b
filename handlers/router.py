"""Routes one inbound event to the flow that should handle it.

Order: commands; buttons (by id prefix); the menu escape; the active flow; trigger phrases;
files and stickers outside a flow; then the answerer (FAQ understanding) for free text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from handlers.context import Context
from handlers.flow import Flow
from handlers.textnorm import fold, folded_phrases
from handlers.types import Inbound, InboundKind
from messages import t

log = logging.getLogger(__name__)

MENU = "menu"


class DuplicateFlowError(ValueError):
    """Two flows registered under one name or one command."""


class Router:
    def __init__(self, flows: Iterable[Flow], *, answerer: Flow) -> None:
        self.flows: dict[str, Flow] = {}
        self.commands: dict[str, Flow] = {}
        for flow in flows:
            if flow.name in self.flows:
                raise DuplicateFlowError(flow.name)
            self.flows[flow.name] = flow
            for command in flow.commands:
                if command in self.commands:
                    raise DuplicateFlowError(f"/{command}")
                self.commands[command] = flow
        self.answerer = answerer
        if answerer.name not in self.flows:
            self.flows[answerer.name] = answerer

    def get(self, name: str) -> Flow | None:
        return self.flows.get(name)

    async def route(self, event: Inbound, ctx: Context) -> None:
        if event.kind == InboundKind.COMMAND:
            flow = self.commands.get(event.command)
            if flow is None:
                ctx.reply(t("menu.unknown_command", command=event.command), intent="fallback")
                return
            await flow.start(event, ctx)
            return

        if event.kind == InboundKind.BUTTON and ":" in event.button_id:
            prefix, action = event.button_id.split(":", 1)
            flow = self.flows.get(prefix)
            if flow is not None:
                await flow.on_button(event, ctx, action)
                return
            log.warning("button %r names no flow", event.button_id)

        if event.reply_to_message_id:
            for flow in self.flows.values():
                if await flow.on_reply(event, ctx):
                    return

        folded = fold(event.text)
        if event.kind in (InboundKind.TEXT, InboundKind.BUTTON) and folded in folded_phrases(
            "triggers.menu"
        ):
            ctx.leave()
            await self.flows[MENU].start(event, ctx)
            return

        if ctx.flow and ctx.flow in self.flows:
            await self.flows[ctx.flow].on_message(event, ctx)
            return

        if event.kind in (InboundKind.TEXT, InboundKind.BUTTON):
            for flow in self.flows.values():
                if flow.claims(folded):
                    await flow.start(event, ctx)
                    return
            await self.answerer.on_message(event, ctx)
            return

        await self._non_text(event, ctx)

    async def _non_text(self, event: Inbound, ctx: Context) -> None:
        if event.kind in (InboundKind.PHOTO, InboundKind.DOCUMENT):
            key = "menu.file_outside_flow"
        elif event.kind in (InboundKind.STICKER, InboundKind.VOICE):
            key = "menu.text_and_photos_only"
        else:
            key = "menu.unsupported"
        ctx.reply(t(key), intent="fallback")
        await self.flows[MENU].start(event, ctx)
