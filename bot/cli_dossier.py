"""``python -m bot dossier ...``: export a dossier as one PDF; review items from the terminal.

    python -m bot dossier export HY-2026-00042 [--output hoso.pdf]
    python -m bot dossier review HY-2026-00042 passport_visa reject --reason mo
    python -m bot dossier review HY-2026-00042 contract approve --officer "Nguyễn Văn B"

Review from the terminal does exactly what the chat review does (same history, same message
to the family, queued in the outbox for the running bot to deliver).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.settings import Settings
from handlers.dossier.checklist import load_checklist
from handlers.dossier.export import export_dossier, find_case
from handlers.dossier.progress import load_view
from handlers.dossier.service import Actor, decide
from handlers.dossier.states import PRESET_REASONS
from handlers.types import reply_to_payload
from messages import t
from storage.db import Database
from storage.dossier_repo import documents_of
from storage.files import FileStore
from storage.models import utcnow
from storage.repositories import record_outbox, remember_recorded


def register(sub: Any) -> None:
    dossier = sub.add_parser("dossier", help="support dossiers: export as PDF, review items")
    dossier_sub = dossier.add_subparsers(dest="dossier_command", required=True)

    export = dossier_sub.add_parser("export", help="write one PDF: cover page + every document")
    export.add_argument("ref", help="case reference, e.g. HY-2026-00042")
    export.add_argument("--output", type=Path, default=None, help="file (default: REF.pdf)")
    export.set_defaults(handler=_cmd_export)

    review = dossier_sub.add_parser("review", help="approve or reject one checklist item")
    review.add_argument("ref")
    keys = ", ".join(i.key for i in load_checklist().items)
    review.add_argument("item", help=f"item key: {keys}")
    review.add_argument("decision", choices=["approve", "reject"])
    review.add_argument(
        "--reason", default="", help=f"{'|'.join(PRESET_REASONS)} or your own words (reject)"
    )
    review.add_argument("--officer", default="", help="your name, kept in the history")
    review.set_defaults(handler=_cmd_review)


def _cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_export(args, settings))


def _cmd_review(args: argparse.Namespace, settings: Settings) -> int:
    return asyncio.run(_review(args, settings))


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    db = Database(settings.database_url)
    try:
        async with db.session() as session, session.begin():
            case = await find_case(session, args.ref)
            if case is None:
                print(t("dossier.cli.not_found", ref=args.ref), file=sys.stderr)
                return 1
            if case.contact_id is None and case.full_name is None:
                # Its person deleted their data (storage/erasure.py): nothing is left to print.
                print(t("dossier.cli.erased", ref=case.ref), file=sys.stderr)
                return 1
            files = FileStore(settings.files_dir)
            data, pages = await export_dossier(session, files, case, utcnow(), settings.zone)
        output: Path = args.output or Path(f"{case.ref}.pdf")
        await asyncio.to_thread(output.write_bytes, data)
        print(t("dossier.cli.written", path=output, pages=pages))
        return 0
    finally:
        await db.dispose()


async def _review(args: argparse.Namespace, settings: Settings) -> int:
    item = load_checklist().get(args.item)
    if item is None:
        keys = ", ".join(i.key for i in load_checklist().items)
        print(t("dossier.cli.no_item", item=args.item, items=keys), file=sys.stderr)
        return 2
    reason = args.reason.strip()
    if args.decision == "reject" and not reason:
        print(t("dossier.cli.need_reason"), file=sys.stderr)
        return 2
    db = Database(settings.database_url)
    try:
        async with db.session() as session, session.begin():
            case = await find_case(session, args.ref)
            if case is None:
                print(t("dossier.cli.not_found", ref=args.ref), file=sys.stderr)
                return 1
            if not await documents_of(session, case.id, item.key):
                print(t("dossier.cli.no_documents", title=item.title), file=sys.stderr)
                return 1
            now = utcnow()
            decision = await decide(
                session, case, item.key, approve=args.decision == "approve",
                reason=reason or None, actor=Actor("cli", None, args.officer), now=now,
            )
            for recipient, reply in decision.to_family:
                record_outbox(
                    session, channel=recipient.channel, chat_id=recipient.chat_id,
                    payload=reply_to_payload(reply), now=now, contact_id=case.contact_id,
                )
            # A number the family types next picks these options (bot/engine.py).
            await remember_recorded(session, now)
            view = await load_view(session, case)
            state = next((v.label for v in view.items if v.item.key == item.key), "")
            ref = case.ref
        print(t("dossier.cli.decided", ref=ref, title=item.title, state=state))
        if decision.completed:
            print(t("dossier.review.complete", ref=ref))
        return 0
    finally:
        await db.dispose()
