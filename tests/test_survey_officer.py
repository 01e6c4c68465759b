"""The training-needs survey from the officers' side: /khaosat opens a round, invites people
through an announcement, gives the results in chat (a workbook; sentences on Zalo without file
links), the weekly digest's chart; asked in words (the person's side: tests/test_survey.py)."""

from __future__ import annotations

import re
from functools import partial

from sqlalchemy import select

from bot.app import App
from handlers.types import Channel
from messages import t
from scheduler.digest import run_weekly_digest
from storage.models import Broadcast, OutboxMessage, SurveyResponse, SurveyRound
from tests.helpers import Clock, intents, press, say, texts
from tests.officials_helpers import make_officer
from tests.outreach_support import person, unit_id
from tests.survey_support import (
    answer_console,
    open_survey_round,
    step_of,
)


async def test_officer_opens_a_round_invites_and_reads_results(app: App, clock: Clock) -> None:
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    # Someone the invitation reaches (to nobody, it is not offered to send now).
    await person(app, "sub", clock.now(), unit=await unit_id(app, "Phù Lưu"), topics=["training"])
    lines = await say(app, "cb", "/khaosat")
    assert t("survey.officer.no_round") in texts(lines)
    opened = await press(app, "cb", t("survey.officer.button.open"))
    assert intents(opened) == ["flow:survey.officer.opened"]
    [label_invite, label_results] = [b for row in opened[0]["buttons"] for b in row]
    invited = await press(app, "cb", label_invite)
    # The invitation is previewed with its count first, then sent.
    assert intents(invited) == ["flow:broadcast.preview"] and "Gửi tới" in texts(invited)
    assert intents(await press(app, "cb", t("compose.button.send"))) == ["flow:broadcast.created"]
    async with app.db.session() as session:
        broadcast = await session.scalar(select(Broadcast))
    assert broadcast is not None and len(broadcast.unit_ids) == 1
    assert "khảo sát nhu cầu học nghề" in broadcast.text
    assert broadcast.text.startswith("UBND xã Phù Lưu mời bà con")  # it named no commune
    # A person answers; the officer's summary counts them.
    lines = await say(app, "an", "khao sat nhu cau hoc nghe")
    lines = await press(app, "an", t("survey.button.consent"))
    while (step := step_of(intents(lines)[-1])) != "done":
        lines = await answer_console(app, "an", step)
    # The round says when it opened and how many answered ("#1" alone said neither).
    assert "người đã trả lời)" in texts(await say(app, "cb", "/khaosat"))
    assert "1 người đã trả lời" in texts(await say(app, "cb", "/khaosat"))
    summary = texts(await press(app, "cb", label_results))
    assert "1 người" in summary and "Phù Lưu: May công nghiệp 1" in summary
    # When and where they can learn, and working abroad: what a class is planned on (the
    # trades alone were too thin, an officer's trial found).
    for line in ("Thời gian học: Buổi tối 1", "Nơi học: Tại xã 1",
                 "Đi làm việc ở nước ngoài: Đang cân nhắc 1"):
        assert line in summary, summary


async def test_a_second_round_for_the_same_commune_is_a_choice_not_a_slip(
    app: App, clock: Clock
) -> None:
    """On Zalo «1» under /khaosat is «Mở đợt khảo sát mới» even while a round is open: it
    opened a second round for the same commune, splitting its answers."""
    await make_officer(app, clock, "cb", "commune", "Phù Lưu", channel=Channel.ZALO)
    await say(app, "cb", "/khaosat", channel=Channel.ZALO)
    assert intents(await say(app, "cb", "1", channel=Channel.ZALO)) == [
        "flow:survey.officer.opened"
    ]
    await say(app, "cb", "/khaosat", channel=Channel.ZALO)
    lines = await say(app, "cb", "1", channel=Channel.ZALO)
    assert intents(lines) == ["flow:survey.officer.already_open"]
    async with app.db.session() as session:
        assert len((await session.scalars(select(SurveyRound))).all()) == 1
    # Chosen on purpose: the open round is closed (its answers kept) and a new one opened.
    lines = await say(app, "cb", t("survey.officer.button.replace", id=1), channel=Channel.ZALO)
    assert intents(lines) == ["flow:survey.officer.opened"]
    async with app.db.session() as session:
        rounds = (await session.scalars(select(SurveyRound).order_by(SurveyRound.id))).all()
    assert [r.closed_at is None for r in rounds] == [False, True]


async def test_results_on_zalo_without_file_links_read_as_sentences(
    app: App, clock: Clock
) -> None:
    """Without a file server the Zalo officer read "…gửi tệp. bảng kết quả khảo sát…": a
    sentence starting in lower case (the file's name was put first)."""
    await make_officer(app, clock, "cb", "commune", "Phù Lưu", channel=Channel.ZALO)
    await open_survey_round(app, clock)
    lines = await say(app, "an", "khao sat nhu cau hoc nghe")
    lines = await press(app, "an", t("survey.button.consent"))
    while (step := step_of(intents(lines)[-1])) != "done":
        lines = await answer_console(app, "an", step)
    await say(app, "cb", "/khaosat", channel=Channel.ZALO)
    [result] = await say(app, "cb", "3", channel=Channel.ZALO)
    assert result["meta"]["intent"] == "flow:survey.officer.results"
    assert "Zalo không cho bot gửi tệp" in result["text"]
    assert not re.search(r"[.!?]\s+[a-zà-ỹđ]", result["text"]), result["text"]


async def test_no_results_yet_offers_the_invitation(app: App, clock: Clock) -> None:
    """"Đợt #1 chưa có ai trả lời xong." came with no option at all on Zalo: a dead end."""
    await make_officer(app, clock, "cb", "commune", "Phù Lưu", channel=Channel.ZALO)
    await say(app, "cb", "/khaosat", channel=Channel.ZALO)
    await say(app, "cb", "1", channel=Channel.ZALO)  # open a round
    lines = await say(app, "cb", "2", channel=Channel.ZALO)  # its results
    assert intents(lines) == ["flow:survey.officer.results"]
    assert intents(await say(app, "cb", "1", channel=Channel.ZALO)) == ["flow:broadcast.preview"]


# -- Telegram and Zalo -------------------------------------------------------------------------


async def test_weekly_digest_carries_the_survey_chart(app: App, clock: Clock) -> None:
    await open_survey_round(app, clock)
    await make_officer(app, clock, "of", "office")
    lines = await say(app, "an", "khao sat nhu cau hoc nghe")
    lines = await press(app, "an", t("survey.button.consent"))
    while (step := step_of(intents(lines)[-1])) != "done":
        lines = await answer_console(app, "an", step)
    config = app.settings.handler_config()
    assert await run_weekly_digest(app.db, app.files, config, clock.now()) == 1
    async with app.db.session() as session:
        row = await session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == "of")
            .order_by(OutboxMessage.id.desc())
        )
    assert row is not None
    [chart] = [a for a in row.payload["attachments"] if a["file_name"].startswith("khao-sat")]
    assert "1 người trả lời" in chart["caption"] and "Khảo sát" in row.payload["text"]
    assert (await app.files.get(chart["sha256"])).startswith(b"\x89PNG")


async def test_an_officer_says_ok_to_invite_and_asks_for_the_results_in_words(
    app: App, clock: Clock
) -> None:
    """Tried as a commune officer: "ok" under "Mời người dân tham gia qua thông báo?" got small
    talk and the citizens' menu; "ket qua khao sat" the list of open rounds, the results one
    more tap away (under an unsent preview: "chọn một mục"); the village "thon 2" was kept as
    typed, where the form writes "Thôn 2"; "gửi thông báo" under the preview got it again."""
    await make_officer(app, clock, "cb", "commune", "Phù Lưu")
    await person(app, "sub", clock.now(), unit=await unit_id(app, "Phù Lưu"), topics=["training"])
    await say(app, "cb", "/khaosat")
    await press(app, "cb", t("survey.officer.button.open"))
    assert intents(await say(app, "cb", "ok")) == ["flow:broadcast.preview"]
    zalo = partial(say, app, "an", channel=Channel.ZALO)
    await zalo("khao sat nhu cau hoc nghe")
    for text in ["dong y", "28", "nu", "phu luu", "thon 2", "lam nuong", "may", "xong",
                 "buoi toi", "o xa", "khong"]:
        lines = await zalo(text)
    assert intents(lines) == ["flow:survey.done"], lines
    async with app.db.session() as session:
        response = await session.scalar(select(SurveyResponse))
    assert response is not None and response.answers["village"] == "Thôn 2"
    # Asked with the invitation's preview still unsent ("chọn một mục" there): the preview
    # waits, and "gửi" sends it after.
    for asked in ("ket qua khao sat", "/khaosat ketqua"):
        lines = await say(app, "cb", asked)
        assert intents(lines) == ["flow:survey.officer.results"], lines
        assert "1 người" in texts(lines) and "Phù Lưu: May công nghiệp 1" in texts(lines)
    assert intents(await say(app, "cb", "gửi thông báo")) == ["flow:broadcast.created"]
