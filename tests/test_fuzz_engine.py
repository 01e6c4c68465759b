"""Property-based fuzzing of the engine (Hypothesis): whatever is typed, in whatever state of
whatever flow, nothing escapes, every input gets a reply that is not the apology, the reply
renders on the console and on Zalo, and the state stays loadable. A fixed seed and a few
inputs per state here; ``python -m bench.fuzz`` runs many more."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_settings
from tests.fuzz_support import CORPUS, all_states, run_fuzz

EXAMPLES_PER_STATE = 2


def test_no_input_stops_the_bot_in_any_state(fresh_sqlite: Path) -> None:
    fuzzer = run_fuzz(make_settings(fresh_sqlite), EXAMPLES_PER_STATE)
    assert fuzzer.problems == []
    assert fuzzer.tried >= len(all_states()) * (len(CORPUS) + 1)
