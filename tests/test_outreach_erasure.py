"""A person's outreach data goes with "xóa dữ liệu của tôi", wherever it landed: they subscribe,
join a class's waiting list, answer the training-needs survey and receive an announcement; then
they ask for their data to be deleted. Nothing of theirs stays in any table, in the broadcast's
report or in a survey export made afterwards; a later announcement does not reach them; and
the whole journey logs none of it, even at DEBUG."""

from __future__ import annotations

import io
import json
import logging

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from bot.app import App
from bot.logs import apply_library_floors
from messages import t
from messages.survey import questionnaire
from scheduler.broadcasts import DispatchPolicy, dispatch_once
from storage.erasure import references_to
from storage.models import (
    Base,
    Broadcast,
    BroadcastRecipient,
    Contact,
    Course,
    OutboxMessage,
    Subscription,
    SurveyResponse,
    SurveyRound,
)
from storage.outreach_repo import BULK, audience, broadcast_report, create_broadcast
from storage.survey_export import render
from storage.survey_repo import open_round, results
from tests.helpers import Clock, intents, press, say, texts
from tests.intake_support import fill_form
from tests.outreach_support import person, unit_id
from tests.test_erasure import _dump, _forms

VILLAGE = "Thôn Nà Khoang"
OTHER_TRADE = "Đan lát mây tre"
#: What the person gives: the registration's (tests.intake_support.PERSON) and the survey's.
SECRETS = ("Nguyễn Thị Mai", "0912345678", "912345678", "025199004321", "Thôn Khuổi Lếch",
           VILLAGE, OTHER_TRADE)
#: Someone else's survey answers, which stay.
BINH_VILLAGE, BINH_TRADE = "Thôn Cầu Cao", "Làm bánh chưng"


async def _subscribe(app: App, user: str) -> None:
    lines = await say(app, user, "nhận thông báo")
    if intents(lines)[-1] == "flow:subscribe.unit":
        await say(app, user, "phu luu")
    await press(app, user, t("outreach.topic.training"))
    await press(app, user, t("outreach.button.done"))
    assert intents(await press(app, user, t("outreach.button.yes"))) == ["flow:subscribe.done"]


async def _answer_survey(app: App, user: str, village: str, other_trade: str) -> None:
    typed = {"unit": "phu luu", "village": village, "other_trade": other_trade}
    pressed = {
        "age_group": ["25–34 tuổi"], "gender": ["Nữ"], "work": ["Làm ruộng, nương, chăn nuôi"],
        "trades": ["May công nghiệp", "Nghề khác", t("survey.button.done")],
        "time": ["Buổi tối"], "place": ["Tại xã"], "abroad": ["Đang cân nhắc"],
    }
    await say(app, user, "khao sat nhu cau hoc nghe")
    lines = await press(app, user, t("survey.button.consent"))
    for _ in range(20):
        step = intents(lines)[-1].removeprefix("flow:survey.")
        if step == "done":
            return
        if step in typed:
            lines = await say(app, user, typed[step])
        else:
            for label in pressed[step]:
                lines = await press(app, user, label)
    raise AssertionError(f"the survey did not end: {intents(lines)}")


async def _join_waiting_list(app: App, user: str) -> None:
    """No class open: the registration is for the next class (the waiting list)."""
    async with app.db.transaction() as session:
        await session.execute(update(Course).values(status="cancelled"))
    await fill_form(app, user, kind="Học nghề", choice=t("intake.button.waitlist_new"))
    done = await press(app, user, t("intake.button.confirm"))
    assert "danh sách chờ" in texts(done)


async def _exports(app: App, round_id: int) -> dict[str, str]:
    async with app.db.session() as session:
        found = await session.get(SurveyRound, round_id)
        assert found is not None
        got = await results(session, found)
    trades = dict(questionnaire().get("trades").options)  # type: ignore[union-attr]
    book = load_workbook(io.BytesIO(render(got, trades, "xlsx")))
    cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row]
    return {
        "csv": render(got, trades, "csv").decode("utf-8-sig"),
        "json": render(got, trades, "json").decode(),
        "xlsx": "\n".join(cells),
    }


def _found(haystack: str, secrets: tuple[str, ...] = SECRETS) -> list[str]:
    folded = haystack.casefold()
    return [s for s in secrets if any(f.casefold() in folded for f in _forms(s))]


async def _rows_of(app: App, contact_id: int) -> dict[str, int]:
    """Rows of every table that points at the contact, by table (the contact row aside)."""
    counts: dict[str, int] = {}
    async with app.db.session() as session:
        for table, column in references_to(Base.metadata.tables["contacts"]):
            n = len((await session.execute(select(table).where(column == contact_id))).all())
            if n:
                counts[table.name] = n
    return counts


async def test_deleting_my_data_takes_my_outreach_data_everywhere(
    app: App, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    apply_library_floors()
    pl = await unit_id(app, "Phù Lưu")
    async with app.db.transaction() as session:
        round_id = (await open_round(session, [], questionnaire().version, clock.now())).id
    await _join_waiting_list(app, "mai")
    await _subscribe(app, "mai")
    await _answer_survey(app, "mai", VILLAGE, OTHER_TRADE)
    await _subscribe(app, "binh")
    await _answer_survey(app, "binh", BINH_VILLAGE, BINH_TRADE)
    async with app.db.session() as session:
        mai = await session.scalar(select(Contact).where(Contact.platform_user_id == "mai"))
    assert mai is not None
    # An announcement: one copy sent, then a second one still queued when she asks.
    policy = DispatchPolicy(app.settings.zone)
    for text in ("Lớp may khai giảng 10/8.", "Lớp đan lát khai giảng 20/8."):
        async with app.db.transaction() as session:
            await create_broadcast(session, unit_ids=[pl], interest="training", text=text,
                                   send_at=clock.now(), now=clock.now())
        assert await dispatch_once(app.db, policy, clock.now()) == 2
        if text.startswith("Lớp may"):
            async with app.db.transaction() as session:
                await session.execute(update(OutboxMessage).where(
                    OutboxMessage.priority == BULK).values(status="sent", payload={}))
    before = await _rows_of(app, mai.id)
    assert {"subscriptions", "survey_responses", "broadcast_recipients", "outbox"} <= set(before)
    # (Phone and citizen id are stored encrypted: their absence proves nothing before.)
    assert {"Nguyễn Thị Mai", "Thôn Khuổi Lếch", VILLAGE, OTHER_TRADE} <= set(
        _found(await _dump(app))
    )
    exported = await _exports(app, round_id)
    assert all(VILLAGE in text and BINH_VILLAGE in text for text in exported.values())

    await say(app, "mai", "xóa dữ liệu của tôi")
    lines = await press(app, "mai", "Có, xóa hết")
    assert intents(lines) == ["flow:privacy.deleted"]

    # No table keeps a row of hers but the "deleted" confirmation, and no value of hers.
    assert await _rows_of(app, mai.id) == {"outbox": 1, "conversation_states": 1}
    after = await _dump(app)
    assert _found(after) == [], [x for x in after.splitlines() if _found(x)]
    assert _found(after, (BINH_VILLAGE, BINH_TRADE)) == [BINH_VILLAGE, BINH_TRADE]
    async with app.db.session() as session:
        reports = [await broadcast_report(session, b)
                   for b in await session.scalars(select(Broadcast).order_by(Broadcast.id))]
        left = list(await session.scalars(select(BroadcastRecipient.contact_id)))
        later = await audience(session, [pl], "training")
        responses = list(await session.scalars(select(SurveyResponse.contact_id)))
        subscribers = list(await session.scalars(select(Subscription.contact_id)))
    assert mai.id not in left + responses + subscribers + later.contact_ids
    assert [(r["recipients"], r["sent"], r["pending"]) for r in reports] == [(1, 1, 0), (1, 0, 1)]
    assert _found(json.dumps(reports, ensure_ascii=False) + "mai") == []
    # A survey export made now: her answers are not in it, the other person's are.
    for fmt, text in (await _exports(app, round_id)).items():
        assert _found(text) == [] and BINH_VILLAGE in text and BINH_TRADE in text, fmt
    # Neither announcement is kept for her, sent or queued.
    assert {r.chat_id for r in await _bulk(app)} == {"binh"}
    formatter = logging.Formatter("%(message)s")
    logged = "\n".join(formatter.format(r) for r in caplog.records)
    assert _found(logged, (*SECRETS, BINH_VILLAGE, BINH_TRADE)) == []


async def _bulk(app: App) -> list[OutboxMessage]:
    async with app.db.session() as session:
        return list(await session.scalars(select(OutboxMessage).where(
            OutboxMessage.priority == BULK)))


async def test_a_stop_outlives_the_deletion_of_my_data(app: App, clock: Clock) -> None:
    pl = await unit_id(app, "Phù Lưu")
    await _subscribe(app, "an")
    await say(app, "an", "dừng nhận tin")
    await say(app, "an", "xóa dữ liệu của tôi")
    await press(app, "an", "Có, xóa hết")
    async with app.db.session() as session:
        [sub] = (await session.scalars(select(Subscription))).all()
    assert sub.stopped_at is not None and sub.topics == [] and sub.unit_id is None
    # Registered again for a class there (an open case of that kind), like someone who never
    # stopped: the stop still keeps them out of the announcements.
    for user in ("an", "binh"):
        await fill_form(app, user, kind="Học nghề", choice="Trồng và chế biến chè",
                        person={"cid": "Bỏ qua"})
        await press(app, user, t("intake.button.confirm"))
    async with app.db.session() as session:
        who = await audience(session, [pl], "training")
        ids = dict((await session.execute(select(Contact.platform_user_id, Contact.id))).all())
    assert ids["binh"] in who.contact_ids and ids["an"] not in who.contact_ids
    assert "Đã dừng nhận thông báo" in texts(await say(app, "an", "xem dữ liệu của tôi"))
    # Only their own "nhận lại" undoes it: the news their new case brings comes back.
    lines = await say(app, "an", "nhận lại thông báo")
    assert intents(lines) == ["flow:subscribe.resume"]
    assert texts(lines) == t("outreach.resumed_for_case", topics=t("outreach.topic.training"))
    async with app.db.session() as session:
        assert (await session.scalar(select(Subscription.stopped_at))) is None
        assert ids["an"] in (await audience(session, [pl], "training")).contact_ids


async def test_an_announcement_that_quotes_me_loses_my_name_and_number(
    app: App, clock: Clock
) -> None:
    pl = await unit_id(app, "Phù Lưu")
    await fill_form(app, "mai")  # Nguyễn Thị Mai, 0912 345 678, Phù Lưu
    await press(app, "mai", t("intake.button.confirm"))
    for user in ("x1", "x2", "x3"):
        await person(app, user, clock.now(), unit=pl, topics=["training"])
    async with app.db.transaction() as session:
        made = await create_broadcast(
            session, unit_ids=[pl], interest="training", send_at=clock.now(), now=clock.now(),
            text="Chúc mừng chị NGUYỄN THỊ MAI (sđt 0912.345.678) và anh Hà Văn Khánh.",
        )
    await dispatch_once(app.db, DispatchPolicy(app.settings.zone, window=1), clock.now())
    await say(app, "mai", "xóa dữ liệu của tôi")
    await press(app, "mai", "Có, xóa hết")
    async with app.db.transaction() as session:
        await session.execute(update(OutboxMessage).where(OutboxMessage.priority == BULK)
                              .values(status="sent", payload={}))
    for _ in range(4):
        await dispatch_once(app.db, DispatchPolicy(app.settings.zone, window=1), clock.now())
        async with app.db.transaction() as session:
            await session.execute(update(OutboxMessage).where(
                OutboxMessage.priority == BULK, OutboxMessage.status == "pending"
            ).values(status="sent"))
    async with app.db.session() as session:
        found = await session.get(Broadcast, made.id)
        later = [p["text"] for p in await session.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.priority == BULK)) if p]
    assert found is not None
    assert found.text == "Chúc mừng chị *** (sđt 0***) và anh Hà Văn Khánh."
    assert len(later) == 2 and all(text.startswith(found.text) for text in later)
    # The copy queued before, which quoted her, went unsent: skipped in the report.
    async with app.db.session() as session:
        report = await broadcast_report(session, found)
    assert (report["sent"], report["skipped"], report["pending"], report["queued"]) == (2, 1, 0, 2)
