"""Ids that leave the database (a thread's number «#n», the ids buttons carry) are never given
twice, on SQLite too (AUTOINCREMENT, migration 0016). Found in the user trial: after a person
deleted their data, the next people's questions got the deleted thread's number, and the
officer's old «Trả lời» under the deleted question answered someone else's."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Table, delete, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from messages import t
from storage.db import Database
from storage.models import Base, Contact, DossierDocument, Notice, OutboxMessage, Thread, utcnow
from tests.dossier_support import click, make_case
from tests.helpers import Clock, intents, press, say, to
from tests.officials_helpers import make_officer

#: The tables whose ids buttons carry and whose rows are deleted (erasure, a page removed).
NEVER_REUSED = ("threads", "notices", "dossier_documents", "outbox")


async def _ask(app: App, user: str, question: str) -> int:
    """``user`` asks the officers of Phù Lưu; the thread's number their notice shows."""
    await say(app, user, "gặp cán bộ")
    await press(app, user, "Phù Lưu")
    notice = to(await say(app, user, question), "pl")[0]
    thread_id = int(notice["meta"]["thread_id"])
    assert f"#{thread_id}" in notice["text"]
    return thread_id


async def test_after_an_erasure_the_deleted_threads_number_and_buttons_are_gone(
    app: App, clock: Clock
) -> None:
    await make_officer(app, clock, "pl", "commune", "Phù Lưu")
    first = await _ask(app, "an", "Cho hỏi lịch học may")
    await say(app, "an", "xóa dữ liệu của tôi")
    await press(app, "an", "Có, xóa hết")
    second = await _ask(app, "binh", "Xin hỏi về vay vốn đi Hàn")
    third = await _ask(app, "chi", "Lớp hàn có học phí không")
    assert len({first, second, third}) == 3 and first < second < third
    # The officer's buttons under An's deleted question reach nobody's thread now.
    for button in (f"thread:answer:{first}", f"thread:close:{first}:0", f"thread:case:{first}"):
        lines = await click(app, "pl", button)
        assert intents(lines) == ["flow:thread.gone"], (button, lines)
        assert lines[0]["text"] == t("thread.gone")
    lines = await say(app, "pl", "Chị đến xã thứ Hai nhé.")
    assert to(lines, "binh") == [] and to(lines, "chi") == []
    async with app.db.session() as session:
        for thread_id in (second, third):
            thread = await session.get(Thread, thread_id)
            assert thread is not None and thread.status == "open" and thread.officer_id is None


async def _add(app: App, table: str, n: int) -> int:
    """A new row of ``table`` (the ``n``-th of the test); its id."""
    case_id = await make_case(app, f"ids-case-{n}", ref=f"HY-2026-{n:05}")
    async with app.db.transaction() as session:
        contact = Contact(channel="console", platform_user_id=f"ids-{n}",
                          created_at=utcnow(), last_seen_at=utcnow())
        session.add(contact)
        await session.flush()
        row: Thread | Notice | DossierDocument | OutboxMessage
        if table == "outbox":
            row = OutboxMessage(channel="console", chat_id=f"ids-{n}", payload={"text": "x"})
        elif table == "threads":
            row = Thread(contact_id=contact.id)
        elif table == "notices":
            row = Notice(kind="handoff_question", text_key="thread.notice", contact_id=contact.id)
        else:
            row = DossierDocument(case_id=case_id, item_key="passport", page=1, kind="photo",
                                  mime_type="image/jpeg", size=1, sha256="0" * 64)
        session.add(row)
        await session.flush()
        return row.id


async def test_a_deleted_rows_id_is_not_given_again(app: App) -> None:
    for n, name in enumerate(NEVER_REUSED):
        table: Table = Base.metadata.tables[name]
        last = await _add(app, name, 2 * n + 1)
        # The row with the largest id goes: SQLite without AUTOINCREMENT gives its id again.
        async with app.db.transaction() as session:
            await session.execute(delete(table).where(table.c.id == last))
        assert await _add(app, name, 2 * n + 2) > last, name


async def test_the_models_and_the_migrated_tables_agree_on_autoincrement(app: App) -> None:
    """Alembic's comparison of models and migrations does not look at SQLite's AUTOINCREMENT."""
    declared = {
        table.name for table in Base.metadata.sorted_tables
        if table.dialect_options["sqlite"]["autoincrement"]
    }
    assert declared == set(NEVER_REUSED)
    if not app.db.is_sqlite:
        return
    async with app.db.session() as session:
        made = set(await session.scalars(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'"
        )))
    assert made == declared


async def _insert(session: AsyncSession, table: str, **values: object) -> None:
    """A row of ``table`` as the schema of the time has it: NOT NULL columns without a default
    get a value of their type."""
    for _cid, name, kind, notnull, default, pk in (
        await session.execute(text(f"PRAGMA table_info({table})"))
    ).all():
        if notnull and default is None and not pk and name not in values:
            kind = str(kind).upper()
            values[name] = (0 if "INT" in kind or "BOOL" in kind else utcnow() if "DATE" in kind
                            else "{}" if "JSON" in kind else "x")
    names = ", ".join(values)
    await session.execute(
        text(f"INSERT INTO {table} ({names}) VALUES ({', '.join(':' + n for n in values)})"),
        values,
    )


async def test_an_upgrade_from_0015_keeps_every_row_and_numbers_after_the_largest(
    tmp_path: Path,
) -> None:
    """The tables are rebuilt: the rows that reference them with ON DELETE CASCADE (a thread's
    messages, a notice's outbox rows) must outlive the DROP of the old table."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        await db.upgrade("0015")
        async with db.transaction() as session:
            await _insert(session, "contacts", id=1, channel="console", platform_user_id="an")
            await _insert(session, "cases", id=1, ref="HY-2026-00001", contact_id=1)
            for n in (1, 2, 3):
                await _insert(session, "threads", id=n, contact_id=1)
                await _insert(session, "thread_messages", thread_id=n)
                await _insert(session, "notices", id=n, contact_id=1)
                await _insert(session, "outbox", notice_id=n)
                await _insert(session, "dossier_documents", id=n, case_id=1, page=n)
        await db.upgrade()
        async with db.transaction() as session:
            for table in ("threads", "thread_messages", "notices", "outbox", "dossier_documents"):
                count = await session.scalar(text(f"SELECT count(*) FROM {table}"))
                assert count == 3, table
            for table in NEVER_REUSED:
                await session.execute(text(f"DELETE FROM {table} WHERE id = 3"))
            # The deletions cascade as before: the rebuilt tables kept their foreign keys.
            assert await session.scalar(text("SELECT count(*) FROM thread_messages")) == 2
            assert await session.scalar(text("SELECT count(*) FROM outbox")) == 2
            await _insert(session, "threads", contact_id=1)
            await _insert(session, "notices", contact_id=1)
            await _insert(session, "dossier_documents", case_id=1, page=3)
            await _insert(session, "outbox", notice_id=1)
            ids = {table: await session.scalar(text(f"SELECT max(id) FROM {table}"))
                   for table in NEVER_REUSED}
        assert ids == dict.fromkeys(NEVER_REUSED, 4)
    finally:
        await db.dispose()
