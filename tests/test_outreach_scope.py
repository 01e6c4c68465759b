"""Survey results in chat follow the officer's scope: the office reads every commune, a commune
officer their own commune's answers of any round that covers it (and no other commune's, even
by a button id typed by hand); a commune officer invites only the people of their commune.
The announcements' report in chat: a commune officer sees their own, the office all."""

from __future__ import annotations

from functools import partial
from typing import Any

from sqlalchemy import func, select

from bot.app import App
from bot.inbound import button_event
from bot.simulate import output_lines
from handlers.outreach.compose_steps import Send
from handlers.outreach.survey_officer import Invite, Results
from handlers.types import Channel
from messages import t
from storage.models import Broadcast, Contact, Officer, SurveyResponse
from storage.outreach_repo import create_broadcast
from storage.repositories import get_or_create_contact
from storage.survey_repo import open_round
from tests.helpers import Clock, intents, press, say, texts
from tests.officials_helpers import make_officer
from tests.outreach_support import person, unit_id


async def _tap(app: App, user: str, button_id: str) -> list[dict[str, Any]]:
    event = button_event(Channel.CONSOLE, user, button_id=button_id)
    return await app.handle_locally(event, partial(output_lines, 0))


async def _round_with_answers(app: App, clock: Clock, units: list[int], answers: dict[int, str]
                              ) -> int:
    """A round over ``units`` with one complete response per commune (trade id as given)."""
    async with app.db.transaction() as session:
        found = await open_round(session, units, "2026-12", clock.now())
        for n, (unit, trade) in enumerate(answers.items()):
            contact = await get_or_create_contact(session, "console", f"p{n}", "", clock.now())
            session.add(SurveyResponse(round_id=found.id, contact_id=contact.id, unit_id=unit,
                                       answers={"unit": unit, "trades": [trade]},
                                       status="complete", consent_at=clock.now()))
        return found.id


async def test_survey_results_in_chat_follow_the_officers_scope(app: App, clock: Clock) -> None:
    pl, yp = await unit_id(app, "Phù Lưu"), await unit_id(app, "Yên Phú")
    await make_officer(app, clock, "vp", "office")
    await make_officer(app, clock, "cb-pl", "commune", "Phù Lưu")
    await make_officer(app, clock, "cb-yp", "commune", "Yên Phú")
    both = await _round_with_answers(app, clock, [pl, yp], {pl: "sewing", yp: "welding"})
    office = texts(await _tap(app, "vp", Results(both).pack()))
    assert "Phù Lưu" in office and "Yên Phú" in office
    for officer, own, other in (("cb-pl", "Phù Lưu", "Yên Phú"), ("cb-yp", "Yên Phú", "Phù Lưu")):
        seen = texts(await _tap(app, officer, Results(both).pack()))
        assert own in seen and other not in seen, (officer, seen)
    # Inviting to the two-commune round, a commune officer invites their own commune (the
    # invitation is previewed, then sent to someone there who wants news of classes).
    await person(app, "sub-yp", clock.now(), unit=yp, topics=["training"])
    await _tap(app, "cb-yp", Invite(both).pack())
    await _tap(app, "cb-yp", Send().pack())
    async with app.db.session() as session:
        [invitation] = (await session.scalars(select(Broadcast))).all()
    assert invitation.unit_ids == [yp]
    # A round of one commune is not another commune's officer's to read or to invite for.
    only_pl = await _round_with_answers(app, clock, [pl], {pl: "sewing"})
    assert "Phù Lưu" in texts(await _tap(app, "cb-pl", Results(only_pl).pack()))
    refused = await _tap(app, "cb-yp", Results(only_pl).pack())
    assert intents(refused) == ["flow:survey.officer.refused"]
    refused = await _tap(app, "cb-yp", Invite(only_pl).pack())
    assert intents(refused) == ["flow:survey.officer.refused"]
    async with app.db.session() as session:
        assert await session.scalar(select(func.count(Broadcast.id))) == 1


async def test_the_report_in_chat_shows_a_commune_officer_only_their_announcements(
    app: App, clock: Clock
) -> None:
    pl, yp = await unit_id(app, "Phù Lưu"), await unit_id(app, "Yên Phú")
    await make_officer(app, clock, "vp", "office")
    await make_officer(app, clock, "cb-pl", "commune", "Phù Lưu")
    await make_officer(app, clock, "cb-yp", "commune", "Yên Phú")
    ids = {}
    for officer, unit in (("cb-pl", pl), ("cb-yp", yp)):
        async with app.db.transaction() as session:
            found = await session.scalar(select(Officer).join(
                Contact, Contact.id == Officer.contact_id).where(
                Contact.platform_user_id == officer))
            assert found is not None
            made = await create_broadcast(session, unit_ids=[unit], interest="training",
                                          text=f"Tin của {officer}", send_at=clock.now(),
                                          now=clock.now(), officer_id=found.id)
            ids[officer] = made.id

    async def report(user: str) -> str:
        await say(app, user, "/thongbao")
        return texts(await press(app, user, t("compose.button.report")))

    assert f"#{ids['cb-pl']}" in await report("cb-pl")
    assert f"#{ids['cb-yp']}" not in await report("cb-pl")
    office = await report("vp")
    assert f"#{ids['cb-pl']}" in office and f"#{ids['cb-yp']}" in office
