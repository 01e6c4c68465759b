""""Xóa dữ liệu của tôi" leaves none of the person's strings or numbers anywhere: not in any
table (both backends), nor, on SQLite, in the raw database file or its write-ahead log."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, inspect, select, text

from bot.app import App
from bot.inbound import text_event
from handlers.types import Channel, Reply, reply_to_payload
from storage.models import DossierDocument, FallbackQuestion, Notice, OutboxMessage, utcnow
from storage.redact import mask_numbers
from storage.repositories import record_outbox
from tests.dossier_support import jpeg
from tests.helpers import Clock, press, say, send_file, texts
from tests.intake_support import fill_form
from tests.officials_helpers import make_officer

FALLBACK = "Nhà tôi ở Thôn Khuổi Lếch, gọi 0912345678, tranh chấp đất đai với hàng xóm"
HANDOFF = "Tôi là Nguyễn Thị Mai, số 0912.345.678, bao giờ con tôi được bay sang Nhật Bản?"
#: Every way the person's data can be written (as typed, normalised, JSON-escaped below).
SECRETS = (
    "Nguyễn Thị Mai", "nguyen thi mai", "0912345678", "0912 345 678", "0912.345.678",
    "912345678", "025199004321", "Thôn Khuổi Lếch", "khuoi lech", "tranh chấp đất đai",
    "tranh chap dat dai", "bay sang Nhật Bản",
)
OTHER = "Hà Văn Khánh"


def _forms(secret: str) -> set[str]:
    return {secret, json.dumps(secret)[1:-1]}  # as is, and \u-escaped (SQLite JSON)


async def _dump(app: App) -> str:
    """Every row of every table the database has (not only the ones the models know)."""
    async with app.db.engine.connect() as conn:
        names = await conn.run_sync(lambda c: inspect(c).get_table_names())
        chunks = []
        for name in names:
            rows = (await conn.execute(text(f'SELECT * FROM "{name}"'))).all()
            chunks += [f"{name}: " + " | ".join(map(str, r)) for r in rows]
    assert "outbox" in names and "faq_fallbacks" in names
    return "\n".join(chunks)


def _leaks(haystack: str) -> list[str]:
    """The secrets found in ``haystack``, in any of their forms."""
    folded = haystack.casefold()
    return [s for s in SECRETS if any(form.casefold() in folded for form in _forms(s))]


async def test_erasure_leaves_none_of_the_persons_strings_or_numbers(
    app: App, clock: Clock, backend: str, tmp_path: Path
) -> None:
    await make_officer(app, clock, "officer", "commune", "Phù Lưu")
    other = {"name": OTHER, "phone": "0977000111", "cid": "Bỏ qua", "village": "Thôn 9"}
    await fill_form(app, "other", person=other)
    await press(app, "other", "Xác nhận")
    # Registered (the officer is told, that message is sent and marked so).
    await fill_form(app, "u1")
    await press(app, "u1", "Xác nhận")
    # A question the bot cannot answer, with the phone in it.
    await say(app, "u1", FALLBACK)
    # A question handed to an officer: the officer's message stays unsent.
    await say(app, "u1", "gặp cán bộ")
    handoff = await app.engine.handle(text_event(Channel.CONSOLE, "u1", HANDOFF))
    assert [r.intent for r in handoff if r.chat_id == "u1"] == ["flow:handoff.done"]
    assert [r.intent for r in handoff if r.chat_id == "officer"] == ["notice"]
    # A message quoting them that no link ties to them (an officer's view of the case).
    async with app.db.transaction() as session:
        view = Reply("Hồ sơ HY-2026-00002: Nguyễn Thị Mai, SĐT 0912 345 678, CCCD 025199004321")
        record_outbox(session, channel="console", chat_id="officer",
                      payload=reply_to_payload(view), now=utcnow())
    # A page of the dossier.
    await say(app, "u1", "hồ sơ")
    await press(app, "u1", "1")
    await send_file(app, "u1", jpeg(5))
    await say(app, "u1", "xong")

    async with app.db.session() as session:
        page = await session.scalar(select(DossierDocument.sha256))
        logged = await session.scalar(select(func.count(FallbackQuestion.id)))
        handoffs = await session.scalar(
            select(func.count(Notice.id)).where(Notice.kind == "handoff")
        )
        pending = await session.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "pending")
        )
    assert page is not None and app.files.exists(page)
    assert logged and handoffs == 1 and pending and pending >= 2
    before = await _dump(app)
    assert {"Nguyễn Thị Mai", "bay sang Nhật Bản", "tranh chap dat dai"} <= set(_leaks(before))

    await say(app, "u1", "xóa dữ liệu của tôi")
    lines = await press(app, "u1", "Có, xóa hết")
    assert "1 hồ sơ" in texts(lines)

    after = await _dump(app)
    assert _leaks(after) == [], [x for x in after.splitlines() if _leaks(x)]
    assert OTHER in after  # the dump can see what is there
    assert not app.files.exists(page)
    if backend == "sqlite":
        database = tmp_path / "bot.db"
        for path in (database, database.with_name("bot.db-wal")):
            raw = path.read_bytes() if path.exists() else b""
            found = [f for s in SECRETS for f in _forms(s) if f.encode() in raw]
            assert found == [], (path.name, found)
        assert OTHER.encode() in database.read_bytes() + (
            database.with_name("bot.db-wal").read_bytes()
            if database.with_name("bot.db-wal").exists() else b""
        )


async def test_the_unanswered_question_log_masks_phone_and_id_numbers(app: App) -> None:
    # (A case reference typed alone would be read as a status request: see mask_numbers below.)
    question = "so 0912 345 678 va cccd 025199004321, tranh chap dat dai lam sao"
    await say(app, "u1", question)
    async with app.db.session() as session:
        logged = list(await session.scalars(select(FallbackQuestion)))
    assert logged, "the question was expected to fall back"
    for row in logged:
        for number in ("345 678", "0912", "025199004321"):
            assert number not in row.text and number not in row.key
        assert "***" in row.text
    # Case references and small amounts stay readable in the log.
    assert mask_numbers("ho so HY-2026-00042, 300 trieu, 0912345678") == (
        "ho so HY-2026-00042, 300 trieu, ***"
    )


async def test_a_delivered_message_keeps_no_body(app: App) -> None:
    await fill_form(app, "u1")  # the summary quotes the phone number back
    async with app.db.session() as session:
        finished = list(await session.scalars(select(OutboxMessage)))
    assert finished and all(r.status == "sent" for r in finished)
    assert all(r.payload == {} for r in finished)
    assert all(r.intent for r in finished) and all(r.sent_at for r in finished)
