"""Logging set-up: LOG_LEVEL for our code, never personal data from the libraries.

Whatever LOG_LEVEL says, the libraries that log message texts or request bodies at DEBUG
(python-telegram-bot logs every API call with its parameters; httpcore its traffic) stop at
INFO, and httpx at WARNING (its INFO lines carry the bot token in the URL). storage/db.py does
the same for the database drivers (aiosqlite's DEBUG lines carry SQL parameters; SQLAlchemy
hides parameters). As a last guard, the handler's formatter masks phone- and ID-like numbers
in every message and traceback (storage.redact).
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from storage.redact import mask_numbers

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: The lowest level each library may log at, whatever LOG_LEVEL is.
LIBRARY_FLOORS = {
    "telegram": logging.INFO,
    "httpcore": logging.INFO,
    "hpack": logging.INFO,
    "httpx": logging.WARNING,
    "alembic": logging.WARNING,
}


class MaskingFormatter(logging.Formatter):
    """Formats as usual, with phone- and ID-like numbers in the message and traceback masked
    (not in the time stamp, which the masking would take for a number)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = mask_numbers(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: Any) -> str:
        return mask_numbers(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return mask_numbers(super().formatStack(stack_info))


def configure_logging(level: str | int) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(MaskingFormatter(FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
    apply_library_floors()


def apply_library_floors() -> None:
    """Raise each library's level to its floor, never below the root's (which would switch on
    lines the configured level hides)."""
    root = logging.getLogger().getEffectiveLevel()
    for name, floor in LIBRARY_FLOORS.items():
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < floor:
            logger.setLevel(max(floor, root))
