"""Do requests start their action? ``python -m bench.actions [--split dev|holdout|all] [-v]``

Reads bench/action_eval.jsonl (``{"q": ..., "expect": "flow:intake"}``): everyday requests
written fresh, not copied from messages/actions.toml (no diacritics, teencode, relatives
speaking for someone), plus small talk (``smalltalk``), questions ABOUT an action that must stay
answers (``faq``: any ``faq:<id>``) and look-alike requests outside the remit (``fallback``).
Each message is sent by a new user through the real bot in-process (engine, router, flows,
a throw-away SQLite database), as the simulator would; the first reply's meta.intent must
start with the expected value. A quarter of the set (by a hash of the message) is the holdout:
examples and thresholds are tuned on the rest only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bot.app import build_app
from bot.inbound import text_event
from bot.settings import load_settings
from bot.simulate import output_lines
from handlers.types import Channel

EVAL_FILE = Path(__file__).parent / "action_eval.jsonl"
TARGET = 0.95


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    expect: str

    @property
    def split(self) -> str:
        return "holdout" if zlib.crc32(self.text.encode()) % 4 == 0 else "dev"

    def routed_right(self, intent: str) -> bool:
        return intent.startswith(self.expect)


def load_cases(path: Path = EVAL_FILE) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                row = json.loads(line)
                cases.append(Case(row["q"], row["expect"]))
            except (ValueError, KeyError) as exc:
                raise SystemExit(f"{path.name}:{number}: {exc}") from None
    return cases


async def route_all(cases: list[Case]) -> list[str]:
    """The first reply's meta.intent for each case, each from a new user."""
    intents = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(database_url=f"sqlite+aiosqlite:///{tmp}/bench.db",
                                 files_dir=Path(tmp) / "files")
        async with build_app(settings) as app:
            for n, case in enumerate(cases):
                event = text_event(Channel.CONSOLE, f"bench{n}", case.text)
                lines = await app.handle_locally(event, partial(output_lines, n))
                intents.append(str(lines[0]["meta"].get("intent", "")) if lines else "")
    return intents


def report(cases: list[Case], intents: list[str], verbose: bool) -> float:
    right = [c.routed_right(i) for c, i in zip(cases, intents, strict=True)]
    by_expect: dict[str, list[tuple[Case, str]]] = defaultdict(list)
    for case, intent in zip(cases, intents, strict=True):
        by_expect[case.expect].append((case, intent))
    share = sum(right) / len(cases) if cases else 0.0
    print(f"messages: {len(cases)}   routed right: {sum(right)} ({share:.1%})   "
          f"target ≥ {TARGET:.0%}")
    print("\nexpected               n  right  → got instead")
    for expect in sorted(by_expect):
        rows = by_expect[expect]
        ok = sum(c.routed_right(i) for c, i in rows)
        wrong = Counter(i.split(".")[0] if i.startswith("flow:") else i.split(":")[0]
                        for c, i in rows if not c.routed_right(i))
        other = ", ".join(f"{k}×{v}" for k, v in wrong.most_common())
        print(f"  {expect:20} {len(rows):3} {ok:5}  {other}")
    if verbose:
        print("\nmisses:")
        for case, intent in zip(cases, intents, strict=True):
            if not case.routed_right(intent):
                print(f"  [{case.expect}] → {intent}: {case.text}")
    return share


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.actions", description=__doc__)
    parser.add_argument("--split", choices=("dev", "holdout", "all"), default="all")
    parser.add_argument("--file", type=Path, default=EVAL_FILE)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every miss")
    args = parser.parse_args(argv)
    cases = [c for c in load_cases(args.file) if args.split in ("all", c.split)]
    start = time.perf_counter()
    intents = asyncio.run(route_all(cases))
    print(f"split: {args.split}   {time.perf_counter() - start:.1f} s")
    share = report(cases, intents, args.verbose)
    print("\ntarget met" if share >= TARGET else "\ntarget missed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
