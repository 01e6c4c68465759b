"""The base of every conversation flow: how the router enters and feeds it."""

from __future__ import annotations

from typing import Any, ClassVar

from handlers.callbacks import CallbackData
from handlers.context import AskedIn, Context
from handlers.textnorm import folded_phrases, is_phrase
from handlers.types import Inbound
from messages import has, t


class Flow:
    """A named conversation. Its buttons are declared as :class:`handlers.callbacks.CallbackData`
    classes whose prefix starts with the flow's name; the router parses a pressed button's id and
    hands the instance to ``on_callback``.

    ``commands`` (without the slash) start the flow; so does a text equal (diacritics aside) to
    one of the phrases listed under the messages key ``triggers.<name>``.
    """

    name: ClassVar[str]
    commands: ClassVar[tuple[str, ...]] = ()
    #: The flow takes photos and documents while it is active (the dossier does).
    accepts_files: ClassVar[bool] = False
    #: The flow answers a sticker, a voice note or a file itself in every step (says what it
    #: needs and asks again, keeps the file, or steps out on purpose). Otherwise the router
    #: does, in a step that cannot use one: said so, the step kept and asked again (a sticker
    #: under a subscription's «Đồng ý không?» left it for the main menu).
    reads_non_text: ClassVar[bool] = False
    #: An officer's flow (an announcement, an answer, a note, a review): «Gặp cán bộ» typed in
    #: it is its text, not a person asking for an officer.
    for_officers: ClassVar[bool] = False

    async def start(self, event: Inbound, ctx: Context) -> None:
        """Entered from the menu, a command or a trigger phrase."""
        raise NotImplementedError

    async def on_callback(self, event: Inbound, ctx: Context, data: CallbackData) -> None:
        """A button of this flow was pressed (``data`` is one of the flow's declared button
        classes); by default any button (re)starts the flow."""
        await self.start(event, ctx)

    async def on_message(self, event: Inbound, ctx: Context) -> None:
        """An event while this flow is the active one (not a button of another flow)."""
        await self.start(event, ctx)

    async def on_reply(self, event: Inbound, ctx: Context) -> bool:
        """The event replies to one of the bot's messages (Telegram): True if this flow took
        it (an officer answering a person's question by replying to its notice)."""
        return False

    async def start_action(
        self, part: str, event: Inbound, ctx: Context, slots: dict[str, Any]
    ) -> None:
        """Started by a request in free text (``ctx.start_action``): ``part`` is what follows
        the flow name in the action (``view`` of ``privacy.view``), ``slots`` what the message
        already said. By default the flow simply starts."""
        await self.start(event, ctx)

    async def repeat(self, event: Inbound, ctx: Context) -> None:
        """Ask the current step's question again (after help, an answered question, an
        outdated button, or the end of a hand-off that interrupted this flow). By default the
        flow starts again."""
        await self.start(event, ctx)

    async def cancel(self, event: Inbound, ctx: Context) -> None:
        """The user typed "hủy"/"thôi" in this flow: by default leave it for the main menu."""
        from handlers.menu import main_menu_buttons  # menu imports this module

        ctx.leave(resume=False)
        ctx.reply(t("escapes.cancelled"), main_menu_buttons(), intent=f"flow:{self.name}.cancelled")

    async def asked_in(self, ctx: Context) -> AskedIn:
        """What the answerer is told about a question asked while this flow is active (see
        :class:`handlers.context.AskedIn`); by default only the flow's name."""
        return AskedIn(self.name)

    def hears_officer_requests(self, ctx: Context) -> bool:
        """May an officer's request in words ("ds quá hạn", "kết quả khảo sát",
        handlers/officials/requests.py) typed in the current step be done, this flow waiting?
        Yes in a citizen's flow; in an officer's, only where a step does not take free text
        (an announcement's text, an answer to a person): by default never."""
        return not self.for_officers

    def reads_text(self, ctx: Context, folded_text: str) -> bool:
        """Does the current step take this typed text as its answer (a name, a reason, a
        question for an officer, "xong")? If not, the router first reads it as a request (that
        action starts) or a question (answered, then ``repeat``). Help, cancel, «Gặp cán bộ»
        and "menu" are understood in every step either way. By default the flow reads it."""
        return True

    def confirms(self, ctx: Context, text: str) -> bool:
        """Does the current step take ``text`` as the yes it asks for (the form's summary, a
        subscription's confirmation)? There a word that, without its tones, is both a yes and
        a cancel ("dung": "đúng" or "dừng") is that yes, unless typed with the cancel's own
        tones (the router's escapes). By default no."""
        return False

    async def takes_stray_file(self, event: Inbound, ctx: Context) -> bool:
        """A photo or file sent outside any flow: True if this flow kept it (the dossier, for
        a person with one case to send papers for). By default, no."""
        return False

    async def pending_note(self, ctx: Context) -> str | None:
        """One line the main menu shows about unfinished business in this flow (a form half
        filled, papers still missing), or None."""
        return None

    def interrupts(self, folded_text: str) -> bool:
        """Does this free text start the flow even while another flow is active ("dừng nhận
        tin" works anywhere)? Checked before the active flow; by default never."""
        return False

    def claims(self, folded_text: str) -> bool:
        """Does this free text start the flow? Its trigger phrases only (punctuation, signs and
        polite particles aside: "hồ sơ của tôi ạ"): free questions go to the FAQ, so "đăng ký
        học nghề thế nào" is answered, not taken as a registration."""
        key = f"triggers.{self.name}"
        if not has(key):
            return False
        return is_phrase(folded_text, folded_phrases(key))
