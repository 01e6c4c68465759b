"""``python -m bot broadcast …`` (announcements) from the terminal, acting as the office.

    broadcast send --unit "Phù Lưu" [--unit …] --interest training|abroad|abroad:<country>|scam
                   --text "…" [--photo F] [--at ISO] [--yes]
    broadcast list | cancel ID | report [ID] [--format text|json]

``send`` writes the broadcast to the database; the running bot (``python -m bot run``, any
process on the same database) picks it up within seconds and delivers it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import prepare_database
from bot.settings import Settings
from handlers.outreach.rules import RuleError, check_text, check_time, quiet_until
from messages import t
from storage.db import Database
from storage.files import FileStore
from storage.models import Broadcast, utcnow
from storage.outreach_repo import (
    InterestError,
    audience,
    broadcast_report,
    cancel_broadcast,
    create_broadcast,
    parse_interest,
)
from storage.plan_repo import AmbiguousUnitError, resolve_unit
from storage.repositories import Reported, by_id_or_latest


class CliError(Exception):
    """A message to print (already in Vietnamese) and exit 2."""


def register(sub: Any) -> None:
    broadcast = sub.add_parser("broadcast", help="announcements to subscribers")
    b_sub = broadcast.add_subparsers(dest="broadcast_command", required=True)
    send = b_sub.add_parser("send", help="create an announcement (sent by the running bot)")
    send.add_argument("--unit", action="append", default=[], help="commune (repeatable; none: all)")
    send.add_argument("--interest", required=True)
    send.add_argument("--text", required=True)
    send.add_argument("--photo", default=None)
    send.add_argument("--at", default=None, help="ISO time (local if no offset); default now")
    send.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    send.set_defaults(handler=_wrap(_send))
    b_sub.add_parser("list", help="recent announcements").set_defaults(handler=_wrap(_list))
    cancel = b_sub.add_parser("cancel", help="stop an announcement")
    cancel.add_argument("id", type=int)
    cancel.set_defaults(handler=_wrap(_cancel))
    report = b_sub.add_parser("report", help="how an announcement went (default: the latest)")
    report.add_argument("id", type=int, nargs="?", default=None)
    report.add_argument("--format", choices=("text", "json"), default="text")
    report.set_defaults(handler=_wrap(_report))


def _wrap(work: Any) -> Any:
    def handler(args: argparse.Namespace, settings: Settings) -> int:
        async def main() -> int:
            db = Database(settings.database_url)
            try:
                await prepare_database(db)
                return int(await work(args, settings, db))
            finally:
                await db.dispose()

        try:
            return asyncio.run(main())
        except CliError as exc:
            print(str(exc), file=sys.stderr)
            return 2

    return handler


async def unit_ids_of(session: AsyncSession, names: list[str]) -> list[int]:
    """The communes named by ``--unit`` (code or name); CliError for one not found or
    ambiguous."""
    unit_ids = []
    for name in names:
        try:
            unit = await resolve_unit(session, name)
        except AmbiguousUnitError:
            unit = None
        if unit is None:
            raise _rule("unit", unit=name)
        unit_ids.append(unit.id)
    return unit_ids


async def id_or_latest(
    session: AsyncSession, model: type[Reported], row_id: int | None, messages: str
) -> Reported:
    """The row the command names, or the latest; CliError (``<messages>.not_found`` or
    ``<messages>.none``) when there is none."""
    found = await by_id_or_latest(session, model, row_id)
    if found is None:
        raise CliError(t(f"{messages}.none") if row_id is None
                       else t(f"{messages}.not_found", id=row_id))
    return found


def _rule(key: str, **params: Any) -> CliError:
    return CliError(t(f"outreach.rule.{key}", **params))


async def _send(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    now = utcnow()
    try:
        at = datetime.fromisoformat(args.at) if args.at else None
    except ValueError:
        raise CliError(t("cli.broadcast.bad_at", at=args.at[:60])) from None
    try:
        text = check_text(args.text)
        interest = parse_interest(args.interest)
        quiet = (settings.quiet_start, settings.quiet_end)
        when = check_time(at, now, settings.zone, quiet) if at else now
    except RuleError as exc:
        raise _rule(str(exc), **exc.params) from None
    except InterestError:
        raise _rule("interest") from None
    photo = ""
    if args.photo:
        try:
            data = await asyncio.to_thread(Path(args.photo).read_bytes)
            photo = await FileStore(settings.files_dir).put(data)
        except OSError:
            raise _rule("photo", path=args.photo) from None
    async with db.transaction() as session:
        unit_ids = await unit_ids_of(session, args.unit)
        who = await audience(session, unit_ids, interest)
        print(
            t("cli.broadcast.preview", count=len(who.contact_ids), when=_local(when, settings)),
            file=sys.stderr,
        )
        if not args.yes:
            print(t("cli.broadcast.ask"), end=" ", file=sys.stderr, flush=True)
            if sys.stdin.readline().strip().lower() not in ("y", "yes", "c", "co", "có"):
                print(t("cli.broadcast.not_sent"), file=sys.stderr)
                return 1
        broadcast = await create_broadcast(
            session,
            unit_ids=unit_ids,
            interest=interest,
            text=text,
            send_at=when,
            now=now,
            photo_sha256=photo,
        )
        print(broadcast.id)
    return 0


def _local(when: datetime, settings: Settings) -> str:
    return when.astimezone(settings.zone).strftime("%H:%M %d/%m/%Y")


async def _list(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    async with db.session() as session:
        rows = (
            await session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(50))
        ).all()
        quiet = (settings.quiet_start, settings.quiet_end)
        for b in rows:
            report = await broadcast_report(session, b)
            first_line = b.text.splitlines()[0][:60] if b.text else ""
            # Asked for inside the quiet hours ("now", at night): it goes when they end, as the
            # officer who sent it in chat was told.
            goes = quiet_until(b.send_at, settings.zone, quiet) or b.send_at
            print(
                f"{b.id}\t{b.status}\t{_local(goes, settings)}\t{b.interest}\t"
                f"{report['sent']}/{report['recipients']}\t{first_line}"
            )
    return 0


async def _cancel(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    async with db.transaction() as session:
        broadcast = await session.get(Broadcast, args.id, with_for_update=True)
        if broadcast is None:
            raise CliError(t("cli.broadcast.not_found", id=args.id))
        if broadcast.status not in ("scheduled", "sending"):
            raise CliError(t("cli.broadcast.not_active", id=args.id, status=broadcast.status))
        await cancel_broadcast(session, broadcast, utcnow())
    print(t("cli.broadcast.cancelled", id=args.id), file=sys.stderr)
    return 0


async def _report(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    async with db.session() as session:
        broadcast = await id_or_latest(session, Broadcast, args.id, "cli.broadcast")
        report = await broadcast_report(session, broadcast)
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(report_line(report))
    return 0


def report_line(report: dict[str, Any]) -> str:
    line = t("outreach.report.line", waiting_all=report["waiting"] + report["pending"], **report)
    return f"{line}\n{report['stop_reason']}" if report["stop_reason"] else line
