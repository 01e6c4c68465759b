"""``python -m bot officials|units|programs|plan|remind|report``: the officials' command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from bot.app import prepare_database
from bot.settings import Settings
from handlers.access import Role
from handlers.officials.accounts import (
    get_officer_rows,
    get_open_invites,
    record_invite,
    revoke_officer,
)
from handlers.officials.progress import program_label
from messages import t
from scheduler.alerts import get_alerts, run_daily_alerts
from storage.db import Database
from storage.importers import ImportRejectedError, import_file
from storage.models import Contact, Officer, utcnow
from storage.plan_repo import AmbiguousUnitError, resolve_unit
from storage.report import Report, get_report
from storage.sheet_cells import csv_cell
from storage.tables import stderr_bar

T = TypeVar("T")


def _with_db(
    settings: Settings, work: Callable[[Database], Awaitable[T]], *, prepare: bool = True
) -> T:
    async def main() -> T:
        db = Database(settings.database_url)
        try:
            if prepare:  # a dry run must not even migrate
                await prepare_database(db)
            return await work(db)
        finally:
            await db.dispose()

    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    return asyncio.run(main())


def _cmd_invite(args: argparse.Namespace, settings: Settings) -> int:
    try:
        role = Role(args.role)
    except ValueError:
        print(t("officials.cli.bad_role"), file=sys.stderr)
        return 2
    if role == Role.COMMUNE and not args.unit:
        print(t("officials.cli.unit_required"), file=sys.stderr)
        return 2

    async def work(db: Database) -> int:
        now = utcnow()
        async with db.transaction() as session:
            unit_id = None
            if args.unit:
                try:
                    unit = await resolve_unit(session, args.unit)
                except AmbiguousUnitError:
                    print(t("officials.cli.ambiguous_unit", unit=args.unit), file=sys.stderr)
                    return 2
                if unit is None:
                    print(t("officials.cli.unknown_unit", unit=args.unit), file=sys.stderr)
                    return 2
                unit_id = unit.id
            code, invite = await record_invite(
                session, role=role, unit_id=unit_id, name=args.name, now=now
            )
        local = invite.expires_at.astimezone(settings.zone)
        print(t("officials.cli.invite", code=code, expires=local.strftime("%H:%M %d/%m/%Y")))
        return 0

    return _with_db(settings, work)


def _cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: Database) -> int:
        async with db.session() as session:
            officers = await get_officer_rows(session)
            invites = await get_open_invites(session, utcnow())
        if not officers and not invites:
            print(t("officials.cli.no_officers"))
        for officer, contact, unit in officers:
            state = "active" if officer.active else "revoked_state"
            print(
                t(
                    "officials.cli.officer_row",
                    id=officer.id,
                    role=officer.role,
                    unit=unit.name if unit else "*",
                    name=officer.name or "-",
                    channel=contact.channel if contact else "-",
                    state=t(f"officials.cli.{state}"),
                )
            )
        for invite, unit in invites:
            print(
                t(
                    "officials.cli.invite_row",
                    role=invite.role,
                    unit=unit.name if unit else "*",
                    name=invite.name or "-",
                    expires=invite.expires_at.astimezone(settings.zone).strftime("%d/%m %H:%M"),
                )
            )
        return 0

    return _with_db(settings, work)


def _cmd_revoke(args: argparse.Namespace, settings: Settings) -> int:
    async def work(db: Database) -> int:
        async with db.transaction() as session:
            found = await revoke_officer(session, args.id, utcnow())
            officer = await session.get(Officer, args.id)
            contact = await session.get(Contact, officer.contact_id) if officer else None
        if found and contact is not None and contact.channel == "telegram":
            await _hide_telegram_menu(settings, contact.platform_user_id)
        print(t("officials.cli.revoked" if found else "officials.cli.not_found", id=args.id))
        return 0 if found else 1

    return _with_db(settings, work)


async def _hide_telegram_menu(settings: Settings, chat_id: str) -> None:
    """The revoked officer's chat loses the officers' command menu now (else at next start)."""
    if not settings.telegram_token:
        return
    from bot.channels.telegram import build_application
    from bot.channels.telegram_commands import hide_officer_menu

    application = build_application(settings.telegram_token, settings.telegram_api_url)
    async with application.bot as bot:
        await hide_officer_menu(bot, chat_id)


def _importer(kind: str) -> Callable[[argparse.Namespace, Settings], int]:
    def handler(args: argparse.Namespace, settings: Settings) -> int:
        try:
            data = Path(args.file).read_bytes()
        except OSError as exc:
            print(t("officials.import.cannot_open", file=args.file, error=exc.strerror or exc),
                  file=sys.stderr)
            return 1

        async def work(db: Database) -> int:
            try:
                async with db.transaction() as session:
                    result = await import_file(
                        session, kind, data, now=utcnow(), progress=stderr_bar
                    )
            except ImportRejectedError as exc:
                print(t("officials.import.rejected"), file=sys.stderr)
                for line in exc.errors:
                    print(line, file=sys.stderr)
                return 1
            print(t("officials.import.done", rows=result.rows, changed=result.changed))
            return 0

        return _with_db(settings, work)

    return handler


def _parse_now(value: str | None) -> datetime:
    if not value:
        return utcnow()
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise SystemExit("--now needs a time zone, e.g. 2026-07-10T08:00:00+07:00")
    return parsed


def _cmd_remind(args: argparse.Namespace, settings: Settings) -> int:
    now = _parse_now(args.now)

    async def work(db: Database) -> int:
        if args.dry_run:
            for alert in await get_alerts(db, settings.handler_config(), now):
                print(json.dumps(alert.as_json(), ensure_ascii=False))
            return 0
        queued = await run_daily_alerts(
            db,
            settings.handler_config(),
            now,
            quiet=(settings.quiet_start, settings.quiet_end),
            escalation_days=settings.escalation_days,
        )
        print(queued)
        return 0

    return _with_db(settings, work, prepare=not args.dry_run)


def render_report_text(report: Report) -> str:
    """The report as plain lines, as it is read out at the conference."""
    lines = [
        t(
            "officials.report.title",
            start=report.start.strftime("%d/%m/%Y"),
            end=report.end.strftime("%d/%m/%Y"),
        ),
        f"{t('officials.report.classes_organised')}: {report.classes}",
    ]
    lines += [
        f"{t('officials.report.classes_program', program=program_label(c))}: {report.lines(c)}"
        for c in report.programs
    ]
    lines.append(f"{t('officials.report.trainees')}: {report.trainees}")
    lines.append(f"{t('officials.report.departures')}: {report.departures}")
    lines.append("")
    header: list[Any] = [
        t("officials.report.col_unit"),
        t("officials.report.col_classes"),
        *[t("officials.report.col_lines", program=program_label(c)) for c in report.programs],
        t("officials.report.col_trainees"),
        t("officials.report.col_departures"),
    ]
    lines.append("\t".join(str(h) for h in header))
    for u in report.units:
        cells = [
            u.name,
            u.classes,
            *[u.lines.get(c, 0) for c in report.programs],
            u.trainees,
            u.departures,
        ]
        # Tab-separated lines get pasted into spreadsheets: unit names stay text.
        lines.append("\t".join(str(csv_cell(c)) for c in cells))
    return "\n".join(lines)


def _cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)

    async def work(db: Database) -> int:
        async with db.session() as session:
            report = await get_report(session, start, end)
        if args.json:
            print(json.dumps(report_json(report), ensure_ascii=False, indent=2))
        else:
            print(render_report_text(report))
        return 0

    return _with_db(settings, work)


def report_json(report: Report) -> dict[str, Any]:
    return {
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "classes_organised": report.classes,
        "classes_opened": {c: report.lines(c) for c in report.programs},
        "trainees": report.trainees,
        "departures": report.departures,
        "units": [
            {
                "unit_code": u.code,
                "unit": u.name,
                "classes_organised": u.classes,
                "classes_opened": dict(u.lines),
                "trainees": u.trainees,
                "departures": u.departures,
            }
            for u in report.units
        ],
    }


def register(sub: Any) -> None:
    """Add the officials' sub-commands to ``python -m bot``."""
    officials = sub.add_parser("officials", help="officer accounts").add_subparsers(
        dest="officials_command", required=True
    )
    invite = officials.add_parser("invite", help="print a one-time code (72 h)")
    invite.add_argument("--role", required=True, help="commune | office | training | admin")
    invite.add_argument("--unit", default="", help="unit name or code (commune officers)")
    invite.add_argument("--name", default="", help="the officer's name, for the list")
    invite.set_defaults(handler=_cmd_invite)
    officials.add_parser("list", help="officers and open invitations").set_defaults(
        handler=_cmd_list
    )
    revoke = officials.add_parser("revoke", help="disable an officer account")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(handler=_cmd_revoke)

    for name, kind in (("units", "units"), ("programs", "programs")):
        group = sub.add_parser(name, help=f"{name} data").add_subparsers(
            dest=f"{name}_command", required=True
        )
        cmd = group.add_parser("import", help="import an xlsx or csv file (all or nothing)")
        cmd.add_argument("file")
        cmd.set_defaults(handler=_importer(kind))
    plan = sub.add_parser("plan", help="training plan").add_subparsers(
        dest="plan_command", required=True
    )
    for name, kind in (("import", "plan"), ("submissions", "submissions")):
        cmd = plan.add_parser(name, help=f"import {kind} (xlsx or csv, all or nothing)")
        cmd.add_argument("file")
        cmd.set_defaults(handler=_importer(kind))

    remind = sub.add_parser("remind", help="behind-plan alerts now (--dry-run: print only)")
    remind.add_argument("--dry-run", action="store_true", help="print JSON Lines, send nothing")
    remind.add_argument("--now", default=None, help="ISO time with zone (default: now)")
    remind.set_defaults(handler=_cmd_remind)

    report = sub.add_parser("report", help="period report (classes, trainees, departures)")
    report.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
    report.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")
    report.add_argument("--json", action="store_true", help="JSON instead of text")
    report.set_defaults(handler=_cmd_report)
