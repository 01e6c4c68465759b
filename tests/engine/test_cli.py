"""The command line imports only the module of the command it runs."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from bot.cli import BUILT_IN, PLUGIN_OF, PLUGINS, build_parser

ROOT = Path(__file__).resolve().parents[2]


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(sub.choices)


def test_each_listed_command_is_registered_by_its_module() -> None:
    for command, module in PLUGIN_OF.items():
        assert command in _commands(build_parser(command)), (command, module)
    assert set(PLUGIN_OF.values()) <= set(PLUGINS)


def test_help_lists_every_command() -> None:
    assert _commands(build_parser()) >= BUILT_IN | set(PLUGIN_OF)


def test_simulate_imports_no_plugin_and_no_heavy_library() -> None:
    # A fresh interpreter: what `python -m bot simulate` imports before the first message.
    code = (
        "import sys; from bot.cli import build_parser; import bot.app, bot.simulate; "
        "build_parser('simulate'); "
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'sklearn', 'scipy', 'openpyxl', 'fpdf', 'pypdf', 'PIL', 'aiohttp', 'telegram', "
        "'apscheduler', 'httpx'} or m.startswith('bot.cli_'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=True)
    assert done.stdout.split() == []
