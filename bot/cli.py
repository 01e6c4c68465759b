"""``python -m bot ...``: the command line. Every sub-command module has ``register(sub)``."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Any

from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings
from messages import t

Handler = Callable[[argparse.Namespace, Settings], int]


def _setup_logging(settings: Settings) -> None:
    # Library floors (tokens in httpx URLs, message texts in PTB's DEBUG) and number masking.
    configure_logging(settings.log_level)


def _cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import build_app
    from bot.channels.console import chat

    async def main() -> None:
        async with build_app(settings) as app:
            await chat(app, args.user)

    asyncio.run(main())
    return 0


def _cmd_simulate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import build_app
    from bot.simulate import simulate

    # Make stdout/stdin UTF-8 whatever the locale: the protocol is UTF-8 JSON Lines.
    sys.stdin.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]

    async def main() -> int:
        async with build_app(settings) as app:
            return await simulate(app, sys.stdin, sys.stdout)

    return asyncio.run(main())


def _cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import prepare_database
    from storage.db import Database

    async def main() -> None:
        db = Database(settings.database_url)
        try:
            await prepare_database(db)
        finally:
            await db.dispose()

    asyncio.run(main())
    print(t("cli.db_upgraded"), file=sys.stderr)
    return 0


#: Sub-command modules of the later features (each has ``register(sub)``), in help order.
PLUGINS = (
    "cli_run",
    "cli_kb",
    "cli_cases",
    "cli_dossier",
    "cli_officials",
    "cli_outreach",
    "cli_survey",
    "cli_courses",
)
#: The module of each plugin sub-command: a command imports only its own module (the plugins
#: import openpyxl, fpdf, aiohttp, APScheduler…: a second and 40 MB for all of them). A
#: command missing here still works: every plugin is imported then, as for ``--help``.
PLUGIN_OF = {
    "run": "cli_run",
    "kb": "cli_kb",
    "cases": "cli_cases",
    "dossier": "cli_dossier",
    "broadcast": "cli_outreach",
    "survey": "cli_survey",
    "courses": "cli_courses",
    **dict.fromkeys(
        ("officials", "units", "programs", "plan", "remind", "report"), "cli_officials"
    ),
}
#: Sub-commands defined in this module: they import no plugin.
BUILT_IN = frozenset({"chat", "simulate", "db"})


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser for ``command`` (None: every command, as for ``--help``)."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="Hàm Yên labour-office bot")
    sub = parser.add_subparsers(dest="command", required=True)

    chat = sub.add_parser("chat", help="chat with the bot in this terminal")
    chat.add_argument("--user", default=None, help="user id to chat as (default: your login)")
    chat.set_defaults(handler=_cmd_chat)

    simulate = sub.add_parser("simulate", help="JSON Lines conversation on stdin/stdout")
    simulate.set_defaults(handler=_cmd_simulate)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply migrations, load shipped data").set_defaults(
        handler=_cmd_db_upgrade
    )

    for register in _plugins(command):
        register(sub)
    return parser


def _plugins(command: str | None) -> list[Callable[[Any], None]]:
    if command in BUILT_IN:
        return []
    names = [PLUGIN_OF[command]] if command in PLUGIN_OF else PLUGINS
    return [importlib.import_module(f"bot.{name}").register for name in names]


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    command = next((w for w in words if not w.startswith("-")), None)
    parser = build_parser(command)
    args = parser.parse_args(words)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc.code, file=sys.stderr)
        return 2
    _setup_logging(settings)
    handler: Handler = args.handler
    try:
        return handler(args, settings)
    except SettingsError as exc:
        print(exc.code, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
