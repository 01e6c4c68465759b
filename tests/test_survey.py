"""The training-needs survey end to end: on the console (leave and resume, one response per
round, view, delete, privacy view and erasure, the officer's /khaosat), on Telegram (buttons)
and on Zalo (numbers); the results table and a formula typed as an answer."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot import cli
from bot.app import App
from handlers.types import Channel
from messages import t
from messages.survey import SURVEY_FILE, questionnaire, read_questionnaire
from scheduler.digest import run_weekly_digest
from storage.models import Broadcast, OutboxMessage, SurveyResponse, SurveyRound
from storage.survey_export import cell, render
from storage.survey_repo import open_round, results
from tests.fake_zalo import FakeZalo, running_fake_zalo, text_update
from tests.helpers import Clock, intents, press, say, texts
from tests.officials_helpers import make_officer
from tests.outreach_support import person, unit_id
from tests.telegram_harness import TelegramHarness, telegram_harness
from tests.zalo_harness import ZaloHarness, zalo_harness

FORM = questionnaire()
#: Question id → what the person answers: option labels to pick (in order), or text to type.
ANSWERS: dict[str, list[str] | str] = {
    "age_group": ["25–34 tuổi"],
    "gender": ["Nữ"],
    "unit": "phu luu",
    "village": '=HYPERLINK("http://x")',
    "work": ["Làm ruộng, nương, chăn nuôi"],
    "trades": ["May công nghiệp", "Nghề khác", t("survey.button.done")],
    "other_trade": "Làm bánh",
    "time": ["Buổi tối"],
    "place": ["Tại xã"],
    "abroad": ["Đang cân nhắc"],
}


async def _open(app: App, clock: Clock, units: list[int] | None = None) -> int:
    async with app.db.transaction() as session:
        return (await open_round(session, units or [], FORM.version, clock.now())).id


def _step(intent: str) -> str:
    return intent.removeprefix("flow:survey.")


async def _answer_console(app: App, user: str, step: str) -> list[dict[str, object]]:
    wanted = ANSWERS[step]
    if isinstance(wanted, str):
        return await say(app, user, wanted)
    lines: list[dict[str, object]] = []
    for label in wanted:
        lines = await press(app, user, label)
    return lines


async def test_survey_on_the_console(app: App, clock: Clock) -> None:
    round_id = await _open(app, clock)
    lines = await say(app, "an", "khao sat nhu cau hoc nghe")
    assert intents(lines) == ["flow:survey.consent"]
    lines = await press(app, "an", t("survey.button.consent"))
    seen = []
    for _ in range(20):
        step = _step(intents(lines)[-1])
        if step == "done":
            break
        seen.append(step)
        if step == "work":
            # Leave in the middle, ask something else, come back: answers kept, resumed.
            await say(app, "an", "menu")
            lines = await say(app, "an", "khảo sát")
            assert t("survey.resumed") in texts(lines) and _step(intents(lines)[-1]) == "work"
        lines = await _answer_console(app, "an", step)
    assert seen == [
        "age_group",
        "gender",
        "unit",
        "village",
        "work",
        "trades",
        "other_trade",
        "time",
        "place",
        "abroad",
    ]
    async with app.db.session() as session:
        [response] = (await session.scalars(select(SurveyResponse))).all()
    assert response.status == "complete" and response.round_id == round_id
    assert response.answers["trades"] == ["sewing", "other"]
    assert response.answers["trades_other"] == "Làm bánh"
    # One response per round.
    again = await say(app, "an", "khao sat nhu cau hoc nghe")
    assert intents(again) == ["flow:survey.already"]
    view = texts(await say(app, "an", "xem khảo sát"))
    assert "May công nghiệp, Nghề khác (Làm bánh)" in view and "Phù Lưu" in view
    # Asked in a sentence, as typed in the simulator (it got "already answered: view or
    # delete?" first).
    assert texts(await say(app, "an", "xem cau tra loi khao sat cua toi")) == view
    lines = await say(app, "an", "cho toi xoa khao sat cua toi")
    assert intents(lines) == ["flow:survey.delete"], lines
    # The privacy view shows them too; deleting the survey answers removes them.
    assert "Làm bánh" in texts(await say(app, "an", "xem dữ liệu của tôi"))
    await say(app, "an", "xóa khảo sát")
    deleted = await press(app, "an", t("survey.button.delete_yes"))
    assert intents(deleted) == ["flow:survey.deleted"]
    async with app.db.session() as session:
        assert (await session.scalars(select(SurveyResponse))).all() == []


async def test_results_table_and_formula_cells(
    app: App, clock: Clock, monkeypatch: pytest.MonkeyPatch,
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    await _open(app, clock)
    for user in ("an", "binh"):
        lines = await say(app, user, "khao sat nhu cau hoc nghe")
        lines = await press(app, user, t("survey.button.consent"))
        while (step := _step(intents(lines)[-1])) != "done":
            lines = await _answer_console(app, user, step)
    async with app.db.session() as session:
        found = await session.scalar(select(SurveyResponse))
        assert found is not None
        got = await results(session, await session.get(SurveyRound, found.round_id))  # type: ignore[arg-type]
    assert got.counts[("Phù Lưu", "sewing")] == 2
    trades = dict(FORM.get("trades").options)  # type: ignore[union-attr]
    data = render(got, trades, "csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[0][:3] == ["commune", "May công nghiệp", "Nghề khác"]
    assert rows[1][:3] == ["Phù Lưu", "2", "2"]
    assert not any(c.startswith("=") for row in rows for c in row)
    assert any(c.startswith("'=HYPERLINK") for row in rows for c in row)
    assert cell("-1+2") == "'-1+2" and cell("@x") == "'@x" and cell(3) == 3
    book = load_workbook(io.BytesIO(render(got, trades, "xlsx")))
    village = [
        c for row in book["phiếu trả lời"].iter_rows() for c in row if "HYPERLINK" in str(c.value)
    ]
    assert village and all(c.data_type == "s" for c in village)
    # ``survey results`` without --round: the latest round, as the command prints it.
    monkeypatch.setenv("DATABASE_URL", app.settings.database_url)
    monkeypatch.setenv("FILES_DIR", str(app.settings.files_dir))
    capsysbinary.readouterr()
    assert await asyncio.to_thread(cli.main, ["survey", "results", "--format", "csv"]) == 0
    assert capsysbinary.readouterr().out.decode("utf-8-sig").splitlines()[1].startswith("Phù Lưu,2")


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
    # A person answers; the officer's summary counts them.
    lines = await say(app, "an", "khao sat nhu cau hoc nghe")
    lines = await press(app, "an", t("survey.button.consent"))
    while (step := _step(intents(lines)[-1])) != "done":
        lines = await _answer_console(app, "an", step)
    await say(app, "cb", "/khaosat")
    summary = texts(await press(app, "cb", label_results))
    assert "1 người" in summary and "Phù Lưu: May công nghiệp 1" in summary


async def test_a_person_outside_the_round_communes_is_told(app: App, clock: Clock) -> None:
    await _open(app, clock, [await unit_id(app, "Yên Phú")])
    lines = await say(app, "an", "khao sat nhu cau hoc nghe")
    lines = await press(app, "an", t("survey.button.consent"))
    while (step := _step(intents(lines)[-1])) not in ("done", "not_here"):
        lines = await _answer_console(app, "an", step)
    assert step == "not_here"
    async with app.db.session() as session:
        assert (await session.scalars(select(SurveyResponse))).all() == []


async def test_each_commune_round_takes_its_own_people(app: App, clock: Clock) -> None:
    """Two communes each open their round; the newest is the other commune's. A person of
    the first commune is offered it at the commune question and their answers land in their
    commune's round (they were told "not open for your commune" and the draft deleted)."""
    phu_luu = await _open(app, clock, [await unit_id(app, "Phù Lưu")])
    bach_xa = await _open(app, clock, [await unit_id(app, "Bạch Xa")])
    await say(app, "an", "khao sat nhu cau hoc nghe")
    lines = await press(app, "an", t("survey.button.consent"))
    while (step := _step(intents(lines)[-1])) not in ("done", "not_here"):
        if step == "unit":
            assert "Phù Lưu" in [b for row in lines[-1]["buttons"] for b in row]
        lines = await _answer_console(app, "an", step)
    assert step == "done"
    # Someone whose commune the bot knows (subscribed for Bạch Xa) starts in that round.
    await say(app, "binh", "bao cho toi khi co lop hoc nghe moi")
    await say(app, "binh", "bach xa")
    await say(app, "binh", "ok")
    await say(app, "binh", "khao sat nhu cau hoc nghe")
    await press(app, "binh", t("survey.button.consent"))
    async with app.db.session() as session:
        rows = {r.contact_id: r.round_id for r in await session.scalars(select(SurveyResponse))}
        an = await session.scalar(select(SurveyResponse).where(SurveyResponse.status == "complete"))
    assert an is not None and an.round_id == phu_luu
    assert sorted(rows.values()) == sorted([phu_luu, bach_xa])


async def test_menu_mentions_a_half_answered_survey_and_tiep_tuc_resumes_it(
    app: App, clock: Clock
) -> None:
    """Left half-way (the menu), the person comes back with "tiep tuc": it was "bot chưa
    hiểu" and the menu said nothing of the survey."""
    await _open(app, clock)
    await say(app, "an", "khao sat nhu cau hoc nghe")
    await press(app, "an", t("survey.button.consent"))
    await _answer_console(app, "an", "age_group")
    menu = await say(app, "an", "menu")
    assert t("survey.menu_pending") in texts(menu)
    lines = await say(app, "an", "tiep tuc")
    assert intents(lines) == ["flow:survey.gender"] and t("survey.resumed") in texts(lines)
    # Finished: the menu no longer mentions it.
    while (step := _step(intents(lines)[-1])) != "done":
        lines = await _answer_console(app, "an", step)
    assert t("survey.menu_pending") not in texts(await say(app, "an", "menu"))


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


@pytest.mark.parametrize(
    ("yes", "no"), [("dc", "ko"), ("ok", "khong a"), ("uk", "thoi khong muon")]
)
async def test_consent_typed_and_a_pause_said_in_words(
    app: App, clock: Clock, yes: str, no: str
) -> None:
    """On Zalo "dc" under the consent question got small talk and the menu (the survey was
    left); "thoi e ban roi de sau nha" mid-survey got «chọn một mục» again."""
    await _open(app, clock)
    zalo = partial(say, app, "an", channel=Channel.ZALO)
    await zalo("khao sat nhu cau hoc nghe")
    assert intents(await zalo(yes)) == ["flow:survey.age_group"]
    await zalo("22")
    lines = await zalo("thoi e ban roi de sau nha")
    assert intents(lines) == ["flow:survey.cancelled"] and t("survey.paused") in texts(lines)
    lines = await zalo("tiep tuc")
    assert intents(lines) == ["flow:survey.gender"]
    other = partial(say, app, "binh", channel=Channel.ZALO)
    await other("khao sat nhu cau hoc nghe")
    assert intents(await other(no)) == ["flow:survey.declined"]


async def _zalo_at_the_trades(app: App, clock: Clock) -> Any:
    """A round open, a person on Zalo who agreed and answered up to the trades question;
    returns what they type with."""
    await _open(app, clock)
    zalo = partial(say, app, "an", channel=Channel.ZALO)
    await zalo("khao sat nhu cau hoc nghe")
    lines = await zalo("1")
    while (step := _step(intents(lines)[-1])) != "trades":
        lines = await _answer_console_on(zalo, step)
    return zalo


@pytest.mark.parametrize("typed", ["dung roi", "ok", "thế thôi ạ"])
async def test_trades_chosen_then_đúng_rồi_goes_on(app: App, clock: Clock, typed: str) -> None:
    """Under "Đã chọn: May, Nấu ăn" on Zalo, "dung roi" got «chọn một mục» again and again:
    only "xong" went on."""
    zalo = await _zalo_at_the_trades(app, clock)
    await zalo("may cong nghiep va tin hoc")
    assert intents(await zalo(typed)) == ["flow:survey.time"]


async def test_several_trades_typed_at_once_on_zalo(app: App, clock: Clock) -> None:
    """On Zalo "4, 5" under the trades list got «chọn một mục» again, and "sua xe may" (for
    «Sửa chữa xe máy») was not understood: one number a message was the only way."""
    zalo = await _zalo_at_the_trades(app, clock)
    lines = await zalo("4, 5")
    assert intents(lines) == ["flow:survey.trades"]
    assert "Đã chọn: Điện dân dụng, Sửa chữa xe máy." in texts(lines)
    lines = await zalo("may cong nghiep va tin hoc")
    assert "Điện dân dụng, Sửa chữa xe máy, May công nghiệp, Tin học văn phòng" in texts(lines)
    await zalo("sua xe may")  # one named again: unchosen, as pressing it again does
    assert intents(await zalo("xong")) == ["flow:survey.time"]
    async with app.db.session() as session:
        response = await session.scalar(select(SurveyResponse))
    assert response is not None
    assert response.answers["trades"] == ["electric", "sewing", "computer"]


async def _answer_console_on(send: Any, step: str) -> list[dict[str, object]]:
    wanted = ANSWERS[step]
    if isinstance(wanted, str):
        return list(await send(wanted))
    lines: list[dict[str, object]] = []
    for label in wanted:
        lines = list(await send(label))
    return lines


async def test_results_on_zalo_without_file_links_read_as_sentences(
    app: App, clock: Clock
) -> None:
    """Without a file server the Zalo officer read "…gửi tệp. bảng kết quả khảo sát…": a
    sentence starting in lower case (the file's name was put first)."""
    await make_officer(app, clock, "cb", "commune", "Phù Lưu", channel=Channel.ZALO)
    await _open(app, clock)
    lines = await say(app, "an", "khao sat nhu cau hoc nghe")
    lines = await press(app, "an", t("survey.button.consent"))
    while (step := _step(intents(lines)[-1])) != "done":
        lines = await _answer_console(app, "an", step)
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


def _question_id(text: str) -> str:
    if t("survey.ask_other") in text:
        return "other_trade"
    for question in FORM.questions:
        if question.text.split("\n")[0] in text:
            return question.id
    return ""


@pytest.fixture
async def tg(app: App) -> AsyncIterator[TelegramHarness]:
    async with telegram_harness(app) as harness:
        yield harness


async def test_survey_on_telegram(tg: TelegramHarness, app: App, clock: Clock) -> None:
    await _open(app, clock)
    user = tg.user(701)
    [consent] = await user.type("khảo sát nhu cầu học nghề")
    assert consent.buttons
    sent = await user.press(t("survey.button.consent"))
    for _ in range(20):
        step = _question_id(sent[-1].text)
        if not step:
            break
        wanted = ANSWERS[step]
        if isinstance(wanted, str):
            sent = await user.type(wanted)
        else:
            for label in wanted:
                sent = await user.press(label)
    assert t("survey.thanks") in sent[-1].text
    async with app.db.session() as session:
        response = await session.scalar(select(SurveyResponse))
    assert response is not None and response.status == "complete"


_OPTION = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)


@pytest.fixture
async def zalo(app: App) -> AsyncIterator[ZaloHarness]:
    server: FakeZalo
    async with running_fake_zalo() as server, zalo_harness(app, server) as harness:
        yield harness


async def test_survey_on_zalo_by_numbers(zalo: ZaloHarness, app: App, clock: Clock) -> None:
    await _open(app, clock)
    user = "5a4b3c2d1e0f99887766"
    said = await zalo.send(text_update("khao sat nhu cau hoc nghe", user=user))
    said = await zalo.send(text_update("1", user=user))  # consent
    for _ in range(20):
        step = _question_id(said[-1])
        if not step:
            break
        wanted = ANSWERS[step]
        if isinstance(wanted, str):
            said = await zalo.send(text_update(wanted, user=user))
            continue
        for label in wanted:
            labels = dict((v, k) for k, v in _OPTION.findall(said[-1]))
            said = await zalo.send(text_update(labels[label], user=user))
    assert t("survey.thanks") in said[-1]
    async with app.db.session() as session:
        response = await session.scalar(select(SurveyResponse))
    assert response is not None and response.answers["trades"] == ["sewing", "other"]
    assert all(len(text) <= 2000 for text in zalo.fake.sent_texts())


async def test_weekly_digest_carries_the_survey_chart(app: App, clock: Clock) -> None:
    await _open(app, clock)
    await make_officer(app, clock, "of", "office")
    lines = await say(app, "an", "khao sat nhu cau hoc nghe")
    lines = await press(app, "an", t("survey.button.consent"))
    while (step := _step(intents(lines)[-1])) != "done":
        lines = await _answer_console(app, "an", step)
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


async def test_the_survey_answered_in_everyday_words_on_zalo(app: App, clock: Clock) -> None:
    """Every question answered as people type it, none by its label or number: "gần nhà" is
    «Ngay tại thôn», "lúc rảnh" «Lúc nông nhàn», "chưa biết" «Đang cân nhắc» (each got «chọn
    một mục» again)."""
    await _open(app, clock)
    zalo = partial(say, app, "an", channel=Channel.ZALO)
    await zalo("khao sat nhu cau hoc nghe")
    typed = ["dong y", "28", "nu", "phu luu", "bo qua", "lam nuong", "nuoi ga, may", "ok",
             "luc ranh", "gan nha", "chua biet"]
    steps = [_step(intents(await zalo(text))[-1]) for text in typed]
    assert steps == ["age_group", "gender", "unit", "village", "work", "trades", "trades",
                     "time", "place", "abroad", "done"]
    async with app.db.session() as session:
        response = await session.scalar(select(SurveyResponse))
    assert response is not None
    answers = response.answers
    assert (answers["work"], answers["trades"], answers["time"], answers["place"],
            answers["abroad"]) == ("farming", ["livestock", "sewing"], "slack", "village",
                                   "maybe")


@pytest.mark.parametrize(
    ("edit", "refused"),
    [
        ('words = { often = ["hay"], yes = ["có muốn"', "words for unknown options"),
        # One phrase, not a list: it would have been read letter by letter.
        ('words = { yes = "có muốn", often = ["có muốn"', "words are lists of phrases"),
    ],
)
def test_words_the_questionnaire_cannot_use_are_refused(
    tmp_path: Path, edit: str, refused: str
) -> None:
    text = SURVEY_FILE.read_text(encoding="utf-8").replace('words = { yes = ["có muốn"', edit, 1)
    (tmp_path / "survey.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=refused):
        read_questionnaire(tmp_path / "survey.toml")


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
