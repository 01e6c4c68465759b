"""The engine fuzzer, longer than CI's run: hostile text in every conversation state.

    python -m bench.fuzz [--examples 15] [--random]

Sends the fixed corpus and ``--examples`` Hypothesis inputs per state (tests/fuzz_support.py:
random Unicode, digits of every script, huge numbers, control characters, lone surrogates, very
long texts) through the real engine on a throw-away SQLite database. Prints the inputs tried,
the time, and every crash found (an escaped exception, no reply, the apology, a reply that does
not render, a state that does not load); exits 1 if there was one. ``--random`` draws new inputs
each run instead of the fixed seed.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bot.settings import load_settings
from tests.fuzz_support import all_states, run_fuzz


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=15, help="Hypothesis inputs per state")
    parser.add_argument("--random", action="store_true", help="not the fixed seed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bot.db'}", files_dir=Path(tmp) / "f"
        )
        started = time.perf_counter()
        fuzzer = run_fuzz(settings, args.examples, derandomize=not args.random)
        elapsed = time.perf_counter() - started
    print(f"states: {len(all_states())}")
    print(f"inputs tried: {fuzzer.tried} in {elapsed:.1f} s")
    print(f"crashes found: {len(fuzzer.problems)}")
    for problem in fuzzer.problems:
        print(f"  {problem}")
    return 1 if fuzzer.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
