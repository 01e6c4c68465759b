"""``python -m bot kb check`` and ``python -m bot kb gaps``: the knowledge base for editors.

``check`` validates messages/faq/*.toml (ids against the spec, required fields, lengths,
duplicate examples, follow-ups, review dates) and then asks the real matcher whether every
example question still leads to its own entry, and every out-of-remit example to the fallback.
Exit status 1 when there is an error; warnings (late reviews, examples that only get a
clarify question) are listed but do not fail.

``gaps`` lists the questions the bot most often could not answer, so content can grow.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.settings import Settings
from handlers.understanding.matcher import Matcher
from messages import t
from messages.faq_loader import KB_DIR, KnowledgeBase, Problem, check_entries, read_kb
from storage.db import Database
from storage.faq_repo import Gap, find_gaps


def register(sub: Any) -> None:
    kb = sub.add_parser("kb", help="knowledge base: validate content, list unanswered questions")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    check = kb_sub.add_parser("check", help="validate messages/faq/*.toml")
    check.add_argument("--dir", type=Path, default=KB_DIR, help="knowledge-base folder")
    check.add_argument("--today", type=date.fromisoformat, default=None,
                       help="date for the review check (default: today)")
    check.set_defaults(handler=_cmd_check)
    gaps = kb_sub.add_parser("gaps", help="most frequent questions the bot could not answer")
    gaps.add_argument("--limit", type=int, default=20)
    gaps.add_argument("--days", type=int, default=90, help="look back this many days (0: all)")
    gaps.add_argument("--with-clarify", action="store_true",
                      help="also count questions answered only with a clarify question")
    gaps.set_defaults(handler=_cmd_gaps)


def check_examples(kb: KnowledgeBase, matcher: Matcher) -> list[Problem]:
    """Every example must lead to its entry (answered, alone or beside a second topic);
    every out-of-remit example to the fallback."""
    problems: list[Problem] = []
    for entry in kb.entries.values():
        for example in entry.examples:
            decision = matcher.decide(example)
            if decision.outcome == "answer" and entry.id in decision.topics:
                continue
            first = decision.candidates[0].topic if decision.candidates else None
            if decision.outcome == "clarify" and first == entry.id:
                problems.append(Problem(entry.file, entry.id, f"example {example!r} only gets "
                                        f"a clarify question ({decision.suggestions})", "warning"))
                continue
            if decision.outcome == "action":
                # A plain request ("gặp cán bộ", "đăng ký học nghề") starts its action now.
                action = matcher.actions.get(decision.action or "")
                if action is None or entry.id not in action.serves:
                    problems.append(Problem(
                        entry.file, entry.id, f"example {example!r} is a request: it starts "
                        f"{decision.action}; word it as a question", "warning"))
                continue
            got = decision.topic or f"{decision.outcome} {decision.suggestions or ''}".strip()
            problems.append(Problem(entry.file, entry.id, f"example {example!r} leads to {got}; "
                                    "reword it or move it to that entry"))
    for example in kb.out_of_remit:
        decision = matcher.decide(example)
        if decision.outcome != "fallback":
            got = decision.topic or decision.outcome
            problems.append(Problem("", "out_of_remit", f"example {example!r} leads to {got}"))
    return problems


def run_check(
    directory: Path, today: date, cache_dir: Path | None = None
) -> tuple[KnowledgeBase, list[Problem]]:
    """All problems of the knowledge base in ``directory``. With ``cache_dir``, the classifier
    fitted for the check is kept there, so the restart that follows does not fit it again."""
    kb = read_kb(directory)
    problems = check_entries(kb, today, t("faq.source_line"))
    if kb.entries and not any(p.severity == "error" for p in problems):
        problems += check_examples(kb, Matcher(kb, cache_dir=cache_dir))
    return kb, problems


def _cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    today = args.today or datetime.now(settings.zone).date()
    kb, problems = run_check(args.dir, today, settings.cache_dir)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    for problem in errors + warnings:
        print(problem)
    late = [p.topic for p in warnings if "review date" in p.message]
    examples = sum(len(e.examples) for e in kb.entries.values())
    print(f"{len(kb.entries)} topics, {examples} example questions, "
          f"{len(kb.out_of_remit)} out-of-remit examples: {len(errors)} error(s), "
          f"{len(warnings)} warning(s)")
    if late:
        print(f"past review date: {', '.join(late)}")
    if errors and any("leads to" in p.message for p in errors):
        print("(matching was checked; fix the other errors first if there were any)")
    return 1 if errors else 0


async def _gaps(settings: Settings, since: datetime | None, outcomes: tuple[str, ...],
                limit: int) -> list[Gap]:
    db = Database(settings.database_url)
    try:
        await db.upgrade()
        async with db.session() as session:
            return await find_gaps(session, since=since, outcomes=outcomes, limit=limit)
    finally:
        await db.dispose()


def _cmd_gaps(args: argparse.Namespace, settings: Settings) -> int:
    since = datetime.now(settings.zone) - timedelta(days=args.days) if args.days > 0 else None
    outcomes = ("fallback", "clarify") if args.with_clarify else ("fallback",)
    gaps = asyncio.run(_gaps(settings, since, outcomes, args.limit))
    if not gaps:
        print("no unanswered questions logged in that period")
        return 0
    print(f"{'times':>5}  {'last asked':10}  {'nearest topic':22}  question")
    for gap in gaps:
        last = gap.last_seen.astimezone(settings.zone).date().isoformat()
        print(f"{gap.count:5}  {last:10}  {gap.nearest_topic or '-':22}  {gap.example}")
    return 0


if __name__ == "__main__":  # pragma: no cover - run through `python -m bot kb`
    sys.exit("use: python -m bot kb check | gaps")
