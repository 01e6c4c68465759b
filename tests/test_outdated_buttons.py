"""Buttons the bot no longer makes (an old message's button after an update, a forged id) get a
polite word and the current step again: never silence, never the apology, for people and
officers, in every flow; ids kept in the conversation state keep working."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.app import App, build_app, build_flows
from handlers.callbacks import declared_prefixes
from handlers.types import Channel
from messages import t
from storage.models import Contact, ConversationState
from tests.conftest import make_settings
from tests.dossier_support import click
from tests.fuzz_support import hostile_text
from tests.helpers import Clock, intents, press, say, texts
from tests.officials_helpers import make_officer

FLOWS = sorted({flow.name for flow in build_flows()} | {"faq"})
#: Per flow: an action it never had, a known action with a value it never takes, too many parts.
OUTDATED = [
    id_
    for name in FLOWS
    for id_ in (f"{name}:gone_after_update", f"{name}:start:x:y:z", f"{name}:" + "²" * 10)
] + ["review:no:1:contract:too_dark", "cases:list:yesterday:1", "intake:a:no_step:1",
     "intake:edit:no_field", "broadcast:interest:abroad:mars", "subscribe:topic:weather",
     "privacy:delete:maybe", "officials:apply:perhaps", "faq:topics_space", "menu:casino",
     "nope", "", ":", "::::", "no-flow:at:all", "menu" + ":x" * 40]


async def test_outdated_or_forged_ids_get_a_polite_answer_in_every_flow(app: App) -> None:
    await make_officer(app, Clock(), "of", "office")
    for user in ("u1", "of"):
        for button_id in OUTDATED:
            lines = await click(app, user, button_id)
            assert lines, (user, button_id)
            assert "error" not in intents(lines), (user, button_id, lines)
            if button_id and ":" in button_id:
                assert intents(lines)[0] == "button.outdated", (user, button_id, lines)
                assert "tin nhắn cũ" in lines[0]["text"]
                # Outside a flow the menu follows, with its doors (an officer's home).
                menu = "flow:officer_home" if user == "of" else "flow:menu"
                assert intents(lines)[1].startswith(menu), (user, button_id, lines)


async def test_an_outdated_button_mid_flow_repeats_the_step(app: App) -> None:
    await say(app, "u1", "gặp cán bộ")  # the hand-off asks for the commune first
    lines = await click(app, "u1", "handoff:unit:²")
    assert intents(lines) == ["button.outdated", "flow:handoff.commune"]
    # The step still works: a commune is chosen by number as before.
    lines = await press(app, "u1", "1")
    assert intents(lines) == ["flow:handoff.ask"]


async def test_ids_kept_in_the_state_keep_working_or_are_answered_as_outdated(app: App) -> None:
    """A Zalo number answers the options saved with the last message; a saved id from before
    an update (one the bot no longer makes) is answered politely, not by the wrong flow."""
    await say(app, "z1", "menu", channel=Channel.ZALO)
    async with app.db.session() as session, session.begin():
        contact = await session.scalar(select(Contact).where(Contact.platform_user_id == "z1"))
        assert contact is not None
        state = await session.get(ConversationState, contact.id)
        assert state is not None
        saved = [list(b) for b in state.last_buttons]
        # As an older build saved them: the same wire format, plus one id no longer made.
        state.last_buttons = [["menu:register", saved[2][1]], ["intake:old_step", "Cũ"]]
    lines = await press(app, "z1", "1", channel=Channel.ZALO)
    assert "error" not in intents(lines)
    assert intents(lines)[0].startswith("flow:intake")
    await say(app, "z2", "menu", channel=Channel.ZALO)
    async with app.db.session() as session, session.begin():
        contact = await session.scalar(select(Contact).where(Contact.platform_user_id == "z2"))
        assert contact is not None
        state = await session.get(ConversationState, contact.id)
        assert state is not None
        state.last_buttons = [["intake:old_step", "Cũ"]]
    lines = await press(app, "z2", "1", channel=Channel.ZALO)
    assert intents(lines)[:2] == ["button.outdated", "flow:menu"]
    assert "bấm" not in texts(lines)


def test_any_string_as_a_button_id_gets_a_reply_and_no_exception(fresh_sqlite: Path) -> None:
    """Hypothesis: forged callback data (any string, or a declared prefix with junk values)."""
    prefixes = sorted(declared_prefixes())
    ids = st.one_of(
        st.text(max_size=70),
        hostile_text(),
        st.tuples(st.sampled_from(prefixes), st.lists(hostile_text(), max_size=4)).map(
            lambda p: ":".join([p[0], *p[1]])
        ),
    )
    with asyncio.Runner() as runner:
        context = build_app(make_settings(fresh_sqlite), clock=Clock().now)
        app = runner.run(context.__aenter__())
        try:
            runner.run(make_officer(app, Clock(), "of", "office"))

            @settings(max_examples=60, derandomize=True, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(ids, st.sampled_from(["person", "of"]))
            def pressed(button_id: str, user: str) -> None:
                lines = runner.run(click(app, user, button_id))
                assert lines, button_id
                assert "error" not in intents(lines), (button_id, lines)

            pressed()
        finally:
            runner.run(context.__aexit__(None, None, None))


GONE = ["review:open:999999", "review:ok:999999:contract", "cases:open:999999",
        "cases:set:999999:called", "cases:pdf:999999", "cases:withdraw:999999",
        "dossier:case:999999", "dossier:redo:999999:contract", "dossier:del:999999",
        "thread:answer:999999", "thread:close:999999", "handoff:reply:999999",
        "handoff:end:999999", "survey:o_results:999999", "broadcast:course:999999",
        "intake:course:999999", "intake:waitlist:999999", "faq:t:no.such_topic"]


async def test_a_button_for_something_no_longer_there_is_answered(app: App) -> None:
    """Well-formed ids naming a case, thread, page or round that is gone: each flow says so."""
    await make_officer(app, Clock(), "of", "office")
    for user in ("u1", "of"):
        for button_id in GONE:
            lines = await click(app, user, button_id)
            assert lines, (user, button_id)
            assert "error" not in intents(lines), (user, button_id, lines)
            assert "button.outdated" not in intents(lines), (user, button_id)  # it parsed


async def test_an_outdated_button_keeps_a_typed_draft_and_offers_the_options_again(
    app: App,
) -> None:
    """The composer asks its step again (it used to start over): the step's options come
    again, numbered as before, and the typed announcement is kept."""
    clock = Clock()
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    await say(app, "cb", "/thongbao")
    await say(app, "cb", "Lớp may công nghiệp khai giảng 15/12 tại nhà văn hóa thôn Cầu Cao.")
    lines = await click(app, "cb", "broadcast:gone_after_update")
    assert intents(lines) == ["button.outdated", "flow:broadcast.photo"]
    assert lines[-1]["buttons"] == [[t("compose.button.no_photo")]]
    lines = await press(app, "cb", "1")
    assert intents(lines) == ["flow:broadcast.interest"]
