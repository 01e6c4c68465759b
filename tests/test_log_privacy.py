"""No log level prints phone or citizen-id numbers: a whole registration with every logger at
DEBUG leaves neither number in any record (message, arguments or traceback)."""

from __future__ import annotations

import logging
import re
import sys

import pytest

from bot.app import App
from bot.logs import LIBRARY_FLOORS, MaskingFormatter, apply_library_floors
from tests.helpers import press, say
from tests.intake_support import fill_form

NUMBERS = ("912345678", "025199004321")


def _digits(text: str) -> str:
    return re.sub(r"(?<=\d)[ .\-](?=\d)", "", text)


async def test_a_registration_at_debug_level_logs_no_phone_or_id(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # the root, so every logger without a floor is at DEBUG
    apply_library_floors()  # what LOG_LEVEL=DEBUG start-up does (bot.logs.configure_logging)
    await fill_form(app, "u1")
    await press(app, "u1", "Xác nhận")
    await say(app, "u1", "xem dữ liệu của tôi")  # the numbers are read back and sent
    logging.getLogger("bot.test").debug("capture works")
    assert "capture works" in caplog.text
    formatter = logging.Formatter("%(message)s")
    for record in caplog.records:
        text = _digits(formatter.format(record))
        assert not any(n in text for n in NUMBERS), (record.name, text[:300])


def test_library_floors_hold_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    apply_library_floors()
    for name, floor in LIBRARY_FLOORS.items():
        assert logging.getLogger(name).getEffectiveLevel() >= floor
    logging.getLogger("aiosqlite").debug("executing INSERT (?, ?) %s", "0912345678")
    logging.getLogger("sqlalchemy.engine.Engine").debug("Row (%s,)", "025199004321")
    assert caplog.records == []


def test_the_handler_masks_numbers_in_messages_and_tracebacks() -> None:
    formatter = MaskingFormatter("%(asctime)s %(message)s")
    try:
        int("phone 0912 345 678")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "cccd %s", ("025199004321",),
                                   sys.exc_info())
    out = formatter.format(record)
    assert "025199004321" not in out and "345 678" not in out
    assert "cccd ***" in out and re.match(r"\d{4}-\d\d-\d\d", out)  # the time stays
