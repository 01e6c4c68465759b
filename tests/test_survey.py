"""The training-needs survey end to end: on the console (leave and resume, one response per
round, view, delete, privacy view and erasure), on Telegram (buttons) and on Zalo (numbers);
the results table and a formula typed as an answer (the officers' side:
tests/test_survey_officer.py)."""

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
from messages.survey import SURVEY_FILE, read_questionnaire
from storage.models import SurveyResponse, SurveyRound
from storage.survey_export import cell, render
from storage.survey_repo import results
from tests.fake_zalo import FakeZalo, running_fake_zalo, text_update
from tests.helpers import Clock, intents, press, say, texts
from tests.outreach_support import unit_id
from tests.survey_support import (
    ANSWERS,
    FORM,
    answer_console,
    answer_with,
    open_survey_round,
    step_of,
)
from tests.telegram_harness import TelegramHarness, telegram_harness
from tests.zalo_harness import ZaloHarness, zalo_harness


async def test_survey_on_the_console(app: App, clock: Clock) -> None:
    round_id = await open_survey_round(app, clock)
    lines = await say(app, "an", "khao sat nhu cau hoc nghe")
    assert intents(lines) == ["flow:survey.consent"]
    lines = await press(app, "an", t("survey.button.consent"))
    seen = []
    for _ in range(20):
        step = step_of(intents(lines)[-1])
        if step == "done":
            break
        seen.append(step)
        if step == "work":
            # Leave in the middle, ask something else, come back: answers kept, resumed.
            await say(app, "an", "menu")
            lines = await say(app, "an", "khảo sát")
            assert t("survey.resumed") in texts(lines) and step_of(intents(lines)[-1]) == "work"
        lines = await answer_console(app, "an", step)
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
    await open_survey_round(app, clock)
    for user in ("an", "binh"):
        lines = await say(app, user, "khao sat nhu cau hoc nghe")
        lines = await press(app, user, t("survey.button.consent"))
        while (step := step_of(intents(lines)[-1])) != "done":
            lines = await answer_console(app, user, step)
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


async def test_a_person_outside_the_round_communes_is_told(app: App, clock: Clock) -> None:
    await open_survey_round(app, clock, [await unit_id(app, "Yên Phú")])
    lines = await say(app, "an", "khao sat nhu cau hoc nghe")
    lines = await press(app, "an", t("survey.button.consent"))
    while (step := step_of(intents(lines)[-1])) not in ("done", "not_here"):
        lines = await answer_console(app, "an", step)
    assert step == "not_here"
    async with app.db.session() as session:
        assert (await session.scalars(select(SurveyResponse))).all() == []


async def test_the_commune_question_s_example_is_a_commune_the_round_covers(
    app: App, clock: Clock
) -> None:
    # A round open in Yên Phú alone asked "vd: Hàm Yên", a commune it does not cover.
    await open_survey_round(app, clock, [await unit_id(app, "Yên Phú")])
    await say(app, "an", "khao sat nhu cau hoc nghe")
    lines = await press(app, "an", t("survey.button.consent"))
    while (step := step_of(intents(lines)[-1])) != "unit":
        lines = await answer_console(app, "an", step)
    assert "vd: Yên Phú" in lines[-1]["text"] and "Hàm Yên" not in lines[-1]["text"], lines
    lines = await say(app, "an", "xa abcxyz")
    assert "vd: Yên Phú" in lines[-1]["text"], lines
    # A number that is no option is said so, not looked up as a commune's name.
    lines = await say(app, "an", "7")
    assert lines[-1]["text"].startswith(t("escapes.unknown_option_number", number=7)), lines
    assert intents(lines) == ["flow:survey.unit"], lines


async def test_each_commune_round_takes_its_own_people(app: App, clock: Clock) -> None:
    """Two communes each open their round; the newest is the other commune's. A person of
    the first commune is offered it at the commune question and their answers land in their
    commune's round (they were told "not open for your commune" and the draft deleted)."""
    phu_luu = await open_survey_round(app, clock, [await unit_id(app, "Phù Lưu")])
    bach_xa = await open_survey_round(app, clock, [await unit_id(app, "Bạch Xa")])
    await say(app, "an", "khao sat nhu cau hoc nghe")
    lines = await press(app, "an", t("survey.button.consent"))
    while (step := step_of(intents(lines)[-1])) not in ("done", "not_here"):
        if step == "unit":
            assert "Phù Lưu" in [b for row in lines[-1]["buttons"] for b in row]
        lines = await answer_console(app, "an", step)
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
    await open_survey_round(app, clock)
    await say(app, "an", "khao sat nhu cau hoc nghe")
    await press(app, "an", t("survey.button.consent"))
    await answer_console(app, "an", "age_group")
    menu = await say(app, "an", "menu")
    assert t("survey.menu_pending") in texts(menu)
    lines = await say(app, "an", "tiep tuc")
    assert intents(lines) == ["flow:survey.gender"] and t("survey.resumed") in texts(lines)
    # Finished: the menu no longer mentions it.
    while (step := step_of(intents(lines)[-1])) != "done":
        lines = await answer_console(app, "an", step)
    assert t("survey.menu_pending") not in texts(await say(app, "an", "menu"))


@pytest.mark.parametrize(
    ("yes", "no"), [("dc", "ko"), ("ok", "khong a"), ("uk", "thoi khong muon")]
)
async def test_consent_typed_and_a_pause_said_in_words(
    app: App, clock: Clock, yes: str, no: str
) -> None:
    """On Zalo "dc" under the consent question got small talk and the menu (the survey was
    left); "thoi e ban roi de sau nha" mid-survey got «chọn một mục» again."""
    await open_survey_round(app, clock)
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
    await open_survey_round(app, clock)
    zalo = partial(say, app, "an", channel=Channel.ZALO)
    await zalo("khao sat nhu cau hoc nghe")
    lines = await zalo("1")
    while (step := step_of(intents(lines)[-1])) != "trades":
        lines = await answer_with(zalo, step)
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
    await open_survey_round(app, clock)
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
    await open_survey_round(app, clock)
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


async def test_the_survey_answered_in_everyday_words_on_zalo(app: App, clock: Clock) -> None:
    """Every question answered as people type it, none by its label or number: "gần nhà" is
    «Ngay tại thôn», "lúc rảnh" «Lúc nông nhàn», "chưa biết" «Đang cân nhắc» (each got «chọn
    một mục» again)."""
    await open_survey_round(app, clock)
    zalo = partial(say, app, "an", channel=Channel.ZALO)
    await zalo("khao sat nhu cau hoc nghe")
    typed = ["dong y", "28", "nu", "phu luu", "bo qua", "lam nuong", "nuoi ga, may", "ok",
             "luc ranh", "gan nha", "chua biet"]
    steps = [step_of(intents(await zalo(text))[-1]) for text in typed]
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
