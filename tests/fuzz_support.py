"""The engine fuzzer shared by tests/test_fuzz_engine.py (a short fixed run in CI) and
``python -m bench.fuzz`` (a longer one): hostile text sent in every conversation state the flows
have, each turn checked for what must hold whatever is typed.

A state is reached by a script of real turns (the helpers the flow tests use). One person is
driven into each state and receives the fuzz inputs there; when an input moves them on (a random
text that happens to be a valid name, say), the next input goes to a new person in that state, so
every input really is typed in the state it is meant for. The new person is driven there again,
or, for a registration form, whose whole position is the conversation state and the draft, given
copies of a template person's rows (up to fourteen turns saved each time).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import App, build_app
from bot.inbound import text_event
from bot.render import render
from bot.settings import Settings
from handlers.types import Channel, reply_from_payload
from storage.models import Contact, ConversationState, IntakeDraft, OutboxMessage, utcnow
from storage.repositories import mark_sent
from tests.dossier_support import click, jpeg, make_case, two_units
from tests.dossier_support import make_officer as make_dossier_officer
from tests.helpers import Clock, press, say, send_file
from tests.intake_support import PERSON
from tests.officials_helpers import add_plan
from tests.officials_helpers import make_officer as bind_officer

Reach = Callable[["Fuzzer", str], Awaitable[None]]

#: Typed in every state on every run: what issue 11 saw stop the bot.
CORPUS = ["²", "①", "٣", "9" * 5000, "a\ud800b", "\x00\x1b[31m"]


# -- what is typed ----------------------------------------------------------------------------
def _digits_of_every_script() -> st.SearchStrategy[str]:
    return st.text(st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=12)


def _huge_number() -> st.SearchStrategy[str]:
    # Up to 6,000 digits: int() refuses more than 4,300 (Hypothesis cannot draw such ints).
    repeated = st.tuples(st.sampled_from("0123456789"), st.integers(20, 6_000))
    return st.integers(min_value=-(10**60), max_value=10**60).map(str) | repeated.map(
        lambda pair: pair[0] * pair[1]
    )


def _odd_characters() -> st.SearchStrategy[str]:
    # Control and format characters, lone surrogates, private use, noncharacters.
    return st.text(
        st.characters(categories=["Cc", "Cf", "Cs", "Co", "Zl", "Zp", "Zs"])
        | st.sampled_from(["\ufffe", "\uffff", "\U0010ffff", "\u202e", "\x00", "\u0301", "đ"]),
        min_size=1,
        max_size=20,
    )


def hostile_text() -> st.SearchStrategy[str]:
    """Random Unicode, digits of every script, huge numbers, control characters and surrogates,
    alone or around an option number, a command or a menu word."""
    atom = st.one_of(
        st.text(max_size=40),
        st.text(st.characters() | st.characters(categories=["Cs"]), max_size=40),
        _digits_of_every_script(),
        _huge_number(),
        _odd_characters(),
        st.sampled_from(["1", " 2. ", "01", "0", "-1", "99", "menu", "gặp cán bộ", "/", "/canbo"]),
    )
    joined = st.lists(atom, min_size=1, max_size=3).map("".join)
    long = st.tuples(atom, st.integers(min_value=3_000, max_value=9_000)).map(
        lambda pair: (pair[0] or "x") * (pair[1] // max(1, len(pair[0] or "x")))
    )
    return st.one_of(joined, joined.map(lambda s: "/" + s), long)


# -- where it is typed ------------------------------------------------------------------------
def _script(*steps: tuple[str, str]) -> Reach:
    async def reach(fuzzer: Fuzzer, user: str) -> None:
        for verb, text in steps:
            if verb == "say":
                await say(fuzzer.app, user, text)
            else:
                await press(fuzzer.app, user, text)

    return reach


_INTAKE: list[tuple[str, tuple[str, str]]] = [
    ("intake.consent", ("say", "tôi muốn đăng ký")),
    ("intake.who", ("press", "Đồng ý")),
    ("intake.kind", ("press", "Cho bản thân tôi")),
    ("intake.full_name", ("press", "Đi làm việc ở nước ngoài")),
    ("intake.dob", ("say", PERSON["name"])),
    ("intake.gender", ("say", PERSON["dob"])),
    ("intake.phone", ("press", "Nữ")),
    ("intake.commune", ("say", PERSON["phone"])),
    ("intake.village", ("say", PERSON["commune"])),
    ("intake.ethnicity", ("say", PERSON["village"])),
    ("intake.household", ("press", "Tày")),
    ("intake.market", ("press", "Hộ nghèo")),
    ("intake.citizen_id", ("press", "Nhật Bản")),
    ("intake.summary", ("say", PERSON["cid"])),
]


def _intake_states() -> list[tuple[str, Reach]]:
    states = []
    for n, (name, _) in enumerate(_INTAKE):
        states.append((name, _script(*[step for _, step in _INTAKE[: n + 1]])))
    prefix = [step for _, step in _INTAKE]
    states += [
        ("intake.relationship", _script(*prefix[:2], ("press", "Cho người thân"))),
        ("intake.ethnicity_other", _script(*prefix[:10], ("press", "Dân tộc khác"))),
        ("intake.course", _script(*prefix[:3], ("press", "Học nghề"), *prefix[4:12])),
    ]
    return states


async def _dossier_checklist(fuzzer: Fuzzer, user: str) -> None:
    await make_case(fuzzer.app, user, ref=fuzzer.ref(), unit_id=fuzzer.unit)
    await say(fuzzer.app, user, "hồ sơ")


async def _dossier_pick(fuzzer: Fuzzer, user: str) -> None:
    for _ in range(2):
        await make_case(fuzzer.app, user, ref=fuzzer.ref(), unit_id=fuzzer.unit)
    await say(fuzzer.app, user, "hồ sơ")


async def _dossier_item(fuzzer: Fuzzer, user: str) -> None:
    await _dossier_checklist(fuzzer, user)
    await click(fuzzer.app, user, "dossier:item:request_form")


async def _review_reason(fuzzer: Fuzzer, user: str) -> None:
    family = user + "-family"
    case_id = await make_case(fuzzer.app, family, ref=fuzzer.ref(), unit_id=fuzzer.unit)
    await click(fuzzer.app, family, "dossier:item:request_form")
    await send_file(fuzzer.app, family, jpeg(len(fuzzer.users)))
    await say(fuzzer.app, family, "xong")
    await make_dossier_officer(fuzzer.app, user, role="commune", unit_id=fuzzer.unit)
    await click(fuzzer.app, user, f"review:open:{case_id}")
    await click(fuzzer.app, user, f"review:other:{case_id}:request_form")


def _officer(*steps: tuple[str, str]) -> Reach:
    rest = _script(*steps)

    async def reach(fuzzer: Fuzzer, user: str) -> None:
        await bind_officer(fuzzer.app, fuzzer.clock, user, "commune", "Phù Lưu")
        await rest(fuzzer, user)

    return reach


_SUBMIT = [("say", "/nopds"), ("press", "MTQG 2026–2035"), ("say", "20"), ("press", "Bỏ qua")]


def all_states() -> list[tuple[str, Reach]]:
    """Every conversation state the flows have, by name, with the script that reaches it."""
    return [
        ("menu", _script(("say", "menu"))),
        *_intake_states(),
        ("dossier.pick", _dossier_pick),
        ("dossier.checklist", _dossier_checklist),
        ("dossier.item", _dossier_item),
        ("review.reason", _review_reason),
        ("officials.idle", _officer()),
        ("officials.submit.program", _officer(*_SUBMIT[:1])),
        ("officials.submit.count", _officer(*_SUBMIT[:2])),
        ("officials.submit.file", _officer(*_SUBMIT[:3])),
        ("officials.submit.confirm", _officer(*_SUBMIT)),
        ("privacy.delete_confirm", _script(("say", "xóa dữ liệu của tôi"))),
        ("subscribe.unit", _script(("say", "nhận thông báo"))),
        ("subscribe.topics", _script(("say", "nhận thông báo"), ("press", "Phù Lưu"))),
        ("broadcast.text", _officer(("say", "/thongbao"))),
        ("handoff.commune", _script(("say", "gặp cán bộ"))),
        ("handoff.ask", _script(("say", "gặp cán bộ"), ("press", "Phù Lưu"))),
        ("handoff.thread", _script(("say", "gặp cán bộ"), ("press", "Phù Lưu"),
                                   ("say", "Cho hỏi lịch phỏng vấn"))),
    ]


# -- the checks ---------------------------------------------------------------------------------
@dataclass
class Fuzzer:
    """Sends texts to people kept in given states; ``problems`` lists what did not hold."""

    app: App
    clock: Clock
    tried: int = 0
    problems: list[str] = field(default_factory=list)
    users: dict[str, str] = field(default_factory=dict)
    _where: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=itertools.count)
    #: A person in each registration state, copied for the next ones.
    _templates: dict[str, str] = field(default_factory=dict)
    unit: int = 0

    async def setup(self) -> None:
        """What every state needs once per database: a unit, a plan for the officers."""
        self.unit, _ = await two_units(self.app)
        await add_plan(self.app, "Phù Lưu", "ntp_2026", 2026, 47, date(2026, 7, 1))
        # One person walks the registration form; a copy is kept at each question.
        for name, step in _INTAKE:
            await _script(step)(self, "fz-walker")
            self._templates[name] = f"fz-{name}"
            await self._clone("fz-walker", self._templates[name])

    def ref(self) -> str:
        return f"HY-FZ-{next(self._ids):05d}"

    async def send(self, state: str, reach: Reach, text: str) -> None:
        """Type ``text`` in ``state``; what must hold is checked and any failure recorded."""
        user = await self._person_in(state, reach)
        self.tried += 1
        try:
            rows = await self.app.engine.handle(text_event(Channel.CONSOLE, user, text))
            problem = self._check_rows(rows) or await self._check_state(user)
            async with self.app.db.transaction() as session:
                await mark_sent(session, [r.id for r in rows], utcnow())
        except Exception as exc:  # the point of fuzzing: nothing may escape
            problem = f"{type(exc).__name__}: {exc}"
        if problem:
            self.problems.append(f"{state} {text[:60]!r}: {problem}")

    def _check_rows(self, rows: list[OutboxMessage]) -> str:
        if not rows:
            return "no reply"
        for row in rows:
            reply = reply_from_payload(row.payload)
            if reply.meta.get("intent") == "error":
                return f"apology {reply.text!r}"
            for channel in (Channel.CONSOLE, Channel.ZALO):
                for message in render(reply, channel):
                    message.text.encode()  # stored and sent as UTF-8
        return ""

    async def _check_state(self, user: str) -> str:
        """The person's state loads again, and is plain JSON."""
        async with self.app.db.session() as session:
            state = await session.scalar(
                select(ConversationState)
                .join(Contact)
                .where(Contact.platform_user_id == user, Contact.channel == Channel.CONSOLE)
            )
            if state is None:
                return "no state"
            json.dumps([state.flow, state.step, state.data, state.last_buttons])
        return ""

    async def _person_in(self, state: str, reach: Reach) -> str:
        user = self.users.get(state)
        if user is not None and await self._position(user) == self._where[state]:
            return user
        new = f"fz{next(self._ids)}"
        if state in self._templates:
            await self._clone(self._templates[state], new)
        else:
            await reach(self, new)
            if state.startswith("intake."):
                self._templates[state] = f"fz-{state}"
                await self._clone(new, self._templates[state])
        self.users[state], self._where[state] = new, await self._position(new)
        if self._where[state][:2] != _expected(state):
            # A script that no longer reaches its state would fuzz the wrong one, silently.
            self.problems.append(f"{state} not reached: {self._where[state]}")
        return new

    async def _clone(self, template: str, user: str) -> None:
        async with self.app.db.transaction() as session:
            source = await session.scalar(
                select(Contact).where(Contact.platform_user_id == template)
            )
            assert source is not None
            contact = Contact(
                channel=source.channel,
                platform_user_id=user,
                consent_at=source.consent_at,
                consent_version=source.consent_version,
            )
            session.add(contact)
            await session.flush()
            state = await session.scalar(
                select(ConversationState).where(ConversationState.contact_id == source.id)
            )
            draft = await session.scalar(
                select(IntakeDraft).where(IntakeDraft.contact_id == source.id)
            )
            assert state is not None
            session.add(
                ConversationState(
                    contact_id=contact.id,
                    flow=state.flow,
                    step=state.step,
                    data=dict(state.data),
                    last_buttons=list(state.last_buttons),
                )
            )
            if draft is not None:
                session.add(
                    IntakeDraft(contact_id=contact.id, step=draft.step, data=dict(draft.data))
                )

    async def _position(self, user: str) -> tuple[Any, ...]:
        async with self.app.db.session() as session:
            row = (
                await session.execute(
                    select(ConversationState.flow, ConversationState.step, IntakeDraft.step)
                    .select_from(Contact)
                    .outerjoin(ConversationState, ConversationState.contact_id == Contact.id)
                    .outerjoin(IntakeDraft, IntakeDraft.contact_id == Contact.id)
                    .where(Contact.platform_user_id == user)
                )
            ).first()
        return tuple(row) if row is not None else ()


def _expected(state: str) -> tuple[str | None, str | None]:
    """(flow, step) a state's name stands for: "intake.dob", "officials.submit.count"; "menu"
    and "officials.idle" are no flow at all."""
    if state == "menu" or state.endswith(".idle"):
        return (None, None)
    flow, step = state.split(".", 1)
    return (flow, step)


def run_fuzz(app_settings: Settings, examples: int, *, derandomize: bool = True) -> Fuzzer:
    """The corpus and ``examples`` Hypothesis inputs in every state, on a fresh app."""
    clock = Clock()
    with asyncio.Runner() as runner:
        context = build_app(app_settings, clock=clock.now)
        app = runner.run(context.__aenter__())
        try:
            fuzzer = Fuzzer(app, clock)
            runner.run(fuzzer.setup())
            for name, reach in all_states():
                for text in CORPUS:
                    runner.run(fuzzer.send(name, reach, text))
                _typed_in(runner, fuzzer, name, reach, examples, derandomize)()
        finally:
            runner.run(context.__aexit__(None, None, None))
    return fuzzer


def _typed_in(
    runner: asyncio.Runner,
    fuzzer: Fuzzer,
    name: str,
    reach: Reach,
    examples: int,
    derandomize: bool,
) -> Callable[[], None]:
    @settings(
        max_examples=examples,
        derandomize=derandomize,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(hostile_text())
    def typed(text: str) -> None:
        runner.run(fuzzer.send(name, reach, text))

    return typed
