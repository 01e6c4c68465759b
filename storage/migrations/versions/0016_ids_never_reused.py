"""threads, notices, dossier_documents, outbox: ids never given twice on SQLite (AUTOINCREMENT)

Without AUTOINCREMENT, SQLite numbers a new row after the largest id present, so when the row
with the largest id is deleted, its id is given again. These ids leave the database and their
rows are deleted: a thread's id is its number «#n» for the officers and is carried by their
buttons (thread:answer:n, thread:close:n), and a person's erasure deletes their threads; a
dossier page's id is carried by the family's «Xóa»/«Thay» buttons, and pages are removed and
replaced; a notice's id is carried by «Thông báo chung» (broadcast:courses:n), and an erasure
deletes the notices about the person. An outbox row is marked sent by its id once the platform
accepted it: a row an erasure deleted meanwhile must not hand its id to a new message, which would
be marked sent unsent. In the user trial, after a person deleted their data, the
next two people's questions were both «#1», and the officer's old «Trả lời» under the deleted
question answered Bình's. Each table is rebuilt with AUTOINCREMENT, keeping its rows, indexes
and foreign keys; copying the rows with their ids starts SQLite's sequence at the largest one.
storage.db runs migrations on SQLite with foreign keys off: with them on, the DROP of the old
table would delete the rows that reference it (a thread's messages, a notice's outbox rows).
PostgreSQL's sequences never give an id twice: nothing to do there.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

#: The models of these tables declare ``sqlite_autoincrement`` too.
_TABLES = ("threads", "notices", "dossier_documents", "outbox")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("run with `python -m bot db upgrade`: foreign keys must be off")
    for name in _TABLES:
        with op.batch_alter_table(
            name, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass


def downgrade() -> None:
    # Nothing: the tables of 0015 work as well with AUTOINCREMENT, which only keeps an id from
    # being given twice (and a rebuild is what would need foreign keys off).
    pass
