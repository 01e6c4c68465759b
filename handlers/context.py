"""What a handler gets for one inbound event, and where it puts what it wants to say."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.config import HandlerConfig
from handlers.types import Button, Channel, Inbound, Outgoing, Recipient, Reply, reply_to_payload
from messages import has, t
from storage.models import Contact, ConversationState
from storage.repositories import record_outbox

#: The state data key holding the place of an interrupted flow.
PAUSED = "_paused"
#: Actions that keep the place of the flow they interrupt (``Context.pause_into``): a hand-off,
#: and the question "delete everything?" (answered «Không xóa»), come back to the form or
#: dossier they interrupted.
PAUSING_ACTIONS = frozenset({"handoff", "privacy.delete"})

if TYPE_CHECKING:
    from handlers.callbacks import CallbackData
    from storage.files import FileStore


@dataclass(frozen=True)
class AskedIn:
    """A question asked inside a flow (``flow``, its name), told to the answerer so that the
    answer fits: the numbers typed next answer the flow's options, so it numbers nothing of its
    own; ``course_id``: the class the flow has chosen (a registration form), asked about as
    "bao giờ học"; ``lists_classes``: the flow's question shown next lists the classes itself
    (the form's class question), so no list is needed above it."""

    flow: str
    course_id: int | None = None
    lists_classes: bool = False


class Flows(Protocol):
    """What a flow may ask of the others (the router implements it): by name, never by
    reaching into the router's tables."""

    def has_flow(self, name: str) -> bool: ...

    async def start_flow(self, name: str, event: Inbound, ctx: Context) -> bool: ...

    async def start_action(
        self, name: str, event: Inbound, ctx: Context, slots: dict[str, Any] | None = None
    ) -> None: ...

    async def press(self, data: CallbackData, event: Inbound, ctx: Context) -> bool: ...

    async def answer_question(self, event: Inbound, ctx: Context) -> None: ...

    def claiming_flow(self, folded_text: str, *, besides: str) -> str | None: ...

    async def pending_notes(self, ctx: Context) -> list[str]: ...

    async def route(self, event: Inbound, ctx: Context) -> None: ...


@dataclass
class Context:
    """Per-event context. Everything a handler changes is in ``session`` (one transaction)."""

    session: AsyncSession
    contact: Contact
    state: ConversationState
    now: datetime
    config: HandlerConfig
    router: Flows
    files: FileStore
    channel: Channel
    replies: list[Reply] = field(default_factory=list)
    outgoing: list[Outgoing] = field(default_factory=list)
    #: Set when ``leave`` went back to a paused flow: the router re-asks that flow's question.
    resumed: bool = False
    #: A typed number meant for options that a later message without options followed (an
    #: announcement, a notice): it picks nothing; the router says so and offers them again.
    outdated_number: int | None = None
    #: Set while the answerer answers a question asked inside a flow (see AskedIn).
    asked_in: AskedIn | None = None

    # -- saying things -------------------------------------------------------------------------
    def reply(
        self,
        text: str,
        buttons: list[list[Button]] | None = None,
        *,
        intent: str | None = None,
        **meta: Any,
    ) -> Reply:
        """Queue a reply to the sender; ``intent`` goes to meta.intent for the simulator."""
        reply = Reply(text=text, buttons=buttons or [])
        if intent is not None:
            reply.meta["intent"] = intent
        reply.meta.update(meta)
        self.replies.append(reply)
        return reply

    def send(self, to: Recipient, reply: Reply) -> None:
        """Queue a message to someone else (an officer, another contact)."""
        self.outgoing.append(Outgoing(to=to, reply=reply))

    def tell(self, person: Contact, reply: Reply) -> None:
        """Queue a message to another person, kept as theirs (erased with their data)."""
        record_outbox(
            self.session,
            channel=person.channel,
            chat_id=person.platform_user_id,
            payload=reply_to_payload(reply),
            now=self.now,
            contact_id=person.id,
        )

    # -- conversation state ----------------------------------------------------------------------
    @property
    def flow(self) -> str | None:
        return self.state.flow

    @property
    def step(self) -> str | None:
        return self.state.step

    @property
    def data(self) -> dict[str, Any]:
        return self.state.data

    def enter(self, flow: str, step: str, data: dict[str, Any] | None = None) -> None:
        """Make ``flow`` the active flow at ``step`` (data replaced when given)."""
        self._set(flow=flow, step=step)
        if data is not None:
            self._set(data=dict(data))

    def goto(self, step: str) -> None:
        self._set(step=step)

    def update(self, **values: Any) -> None:
        """Merge values into the flow data (a new dict, so SQLAlchemy sees the change)."""
        self._set(data={**self.state.data, **values})

    def forget(self, key: str) -> None:
        """Drop ``key`` from the flow data (a new dict, so SQLAlchemy sees the change)."""
        if key in self.state.data:
            self._set(data={k: v for k, v in self.state.data.items() if k != key})

    def pause_into(self, place: dict[str, Any]) -> None:
        """Remember ``place`` (flow, step, data of the flow this one interrupted): leaving this
        flow goes back there (a hand-off from the middle of the form keeps the form's place)."""
        self.update(**{PAUSED: place})

    def place(self) -> dict[str, Any]:
        return {"flow": self.state.flow, "step": self.state.step, "data": dict(self.state.data)}

    def leave(self, *, resume: bool = True) -> None:
        """No active flow any more; its data is dropped. A flow that interrupted another one
        (``pause_into``) gives the place back to it, unless ``resume`` is False (the menu)."""
        paused = self.state.data.get(PAUSED)
        if resume and isinstance(paused, dict) and paused.get("flow"):
            self._set(
                flow=str(paused["flow"]),
                step=paused.get("step"),
                data=dict(paused.get("data") or {}),
            )
            self.resumed = True
            return
        self._set(flow=None, step=None, data={})

    def _set(self, **values: Any) -> None:
        # Only what changes: assigning even an equal value marks the state changed, and the
        # ORM then flushes it before the handler's next query (the engine writes it anyway).
        for key, value in values.items():
            if getattr(self.state, key) != value:
                setattr(self.state, key, value)

    @property
    def is_zalo(self) -> bool:
        return self.channel == Channel.ZALO

    def text(self, key: str, **params: Any) -> str:
        """The string ``key`` worded for this channel: on Zalo (no buttons, numbered lists)
        its ``<key>_zalo`` variant when there is one."""
        if self.is_zalo and has(f"{key}_zalo"):
            return t(f"{key}_zalo", **params)
        return t(key, **params)

    async def dispatch(self, event: Inbound) -> None:
        """Route ``event`` as if the user had sent it (e.g. a menu button starting a flow)."""
        await self.router.route(event, self)

    # -- other flows (through the router, by name) -------------------------------------------
    def has_flow(self, name: str) -> bool:
        """Is the flow ``name`` part of this deployment?"""
        return self.router.has_flow(name)

    async def start_flow(self, event: Inbound, name: str) -> bool:
        """Start the flow ``name`` as a command or the menu would; False if it is not here."""
        return await self.router.start_flow(name, event, self)

    async def start_action(
        self, event: Inbound, name: str, slots: dict[str, Any] | None = None
    ) -> None:
        """Start the action ``name`` (``intake``, ``privacy.view`` ...) with what the message
        already said; an action whose flow is not here is answered politely."""
        await self.router.start_action(name, event, self, slots)

    async def press(self, event: Inbound, data: CallbackData) -> bool:
        """Act as if the button ``data`` of another flow had been pressed."""
        return await self.router.press(data, event, self)

    async def answer_question(self, event: Inbound) -> None:
        """Let the answerer (the FAQ) answer ``event``'s text."""
        await self.router.answer_question(event, self)

    def claiming_flow(self, folded_text: str, *, besides: str) -> str | None:
        """The flow other than ``besides`` that this text starts ("xem dữ liệu của tôi")."""
        return self.router.claiming_flow(folded_text, besides=besides)

    async def pending_notes(self) -> list[str]:
        """The lines of unfinished business every flow has for the main menu."""
        return await self.router.pending_notes(self)
