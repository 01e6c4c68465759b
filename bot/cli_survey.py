"""``python -m bot survey open|close|results``: training-needs survey rounds from the terminal
(acting as the office: every commune).

    survey open [--unit "Phù Lưu" …]          prints the new round's id
    survey close ID
    survey results [--round ID] --format csv|xlsx|json [--output FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.cli_outreach import CliError, _wrap, id_or_latest, unit_ids_of
from bot.settings import Settings
from messages import t
from messages.survey import questionnaire
from storage.db import Database
from storage.models import SurveyRound, utcnow
from storage.survey_export import render
from storage.survey_repo import open_round, results


def register(sub: Any) -> None:
    survey = sub.add_parser("survey", help="training-needs survey rounds")
    s_sub = survey.add_subparsers(dest="survey_command", required=True)
    opened = s_sub.add_parser("open", help="open a round (no --unit: every commune)")
    opened.add_argument("--unit", action="append", default=[])
    opened.set_defaults(handler=_wrap(_open))
    close = s_sub.add_parser("close", help="close a round")
    close.add_argument("id", type=int)
    close.set_defaults(handler=_wrap(_close))
    res = s_sub.add_parser("results", help="commune × trade counts and the raw responses")
    res.add_argument("--round", type=int, default=None, help="default: the latest round")
    res.add_argument("--format", choices=("csv", "xlsx", "json"), default="csv")
    res.add_argument("--output", default=None, help="file to write (default: stdout)")
    res.set_defaults(handler=_wrap(_results))


async def _open(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    async with db.transaction() as session:
        unit_ids = await unit_ids_of(session, args.unit)
        found = await open_round(session, unit_ids, questionnaire().version, utcnow())
        print(found.id)
    return 0


async def _close(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    async with db.transaction() as session:
        found = await session.get(SurveyRound, args.id)
        if found is None:
            raise CliError(t("cli.survey.not_found", id=args.id))
        found.closed_at = found.closed_at or utcnow()
    return 0


async def _results(args: argparse.Namespace, settings: Settings, db: Database) -> int:
    async with db.session() as session:
        found = await id_or_latest(session, SurveyRound, args.round, "cli.survey")
        got = await results(session, found)
    form = questionnaire()
    trades = form.get("trades")
    data = render(got, dict(trades.options) if trades else {}, args.format, form.label)
    if args.output:
        await asyncio.to_thread(Path(args.output).write_bytes, data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0
