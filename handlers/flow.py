"""The base of every conversation flow: how the router enters and feeds it."""

from __future__ import annotations

from typing import ClassVar

from handlers.context import Context
from handlers.textnorm import folded_phrases
from handlers.types import Inbound
from messages import has


class Flow:
    """A named conversation. Button ids ``"<name>:<action>"`` are routed to ``on_button``.

    ``commands`` (without the slash) start the flow; so does a text equal (diacritics aside) to
    one of the phrases listed under the messages key ``triggers.<name>``.
    """

    name: ClassVar[str]
    commands: ClassVar[tuple[str, ...]] = ()
    #: The flow takes photos and documents while it is active (the dossier does).
    accepts_files: ClassVar[bool] = False

    async def start(self, event: Inbound, ctx: Context) -> None:
        """Entered from the menu, a command or a trigger phrase."""
        raise NotImplementedError

    async def on_button(self, event: Inbound, ctx: Context, action: str) -> None:
        """A button of this flow was pressed; by default any button (re)starts the flow."""
        await self.start(event, ctx)

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        """An event while this flow is the active one (not a button of another flow)."""
        await self.start(event, ctx)

    async def on_reply(self, event: Inbound, ctx: Context) -> bool:
        """The event replies to one of the bot's messages (Telegram): True if this flow took
        it (an officer answering a person's question by replying to its notice)."""
        return False

    async def pending_note(self, ctx: Context) -> str | None:
        """One line the main menu shows about unfinished business in this flow (a form half
        filled, papers still missing), or None."""
        return None

    def claims(self, folded_text: str) -> bool:
        """Does this free text start the flow? Exact trigger phrases only: free questions go to
        the FAQ, so "đăng ký học nghề thế nào" is answered, not taken as a registration."""
        key = f"triggers.{self.name}"
        if not has(key):
            return False
        return folded_text in folded_phrases(key)
