"""Survey results as files for officials: csv, xlsx (two sheets) or json.

Answers are typed by the public, and a spreadsheet must never read one as a formula: every
cell is written through storage/sheet_cells.py (the OWASP CSV rule; XLSX text cells as strings).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

from openpyxl import Workbook

from storage.sheet_cells import append_row, csv_cell, csv_text
from storage.survey_repo import Results


def cell(value: Any) -> Any:
    """A list answer (trades) as one text cell; text neutralised for CSV."""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    return csv_cell(value)


#: (question id, answer id) → what officials read (the questionnaire's label).
Label = Callable[[str, str], str]


def _plain(value: Any) -> Any:
    return "; ".join(str(v) for v in value) if isinstance(value, list) else value


def _shown(key: str, value: Any, label: Label | None) -> Any:
    """An answer in a spreadsheet: option ids as their labels when ``label`` is given."""
    if label is None:
        return _plain(value)
    if isinstance(value, list):
        return "; ".join(label(key, str(v)) for v in value)
    return label(key, value) if isinstance(value, str) else value


def table(results: Results, trades: dict[str, str]) -> tuple[list[str], list[list[Any]]]:
    """The commune × trade table: a header and one row per commune, counts per trade."""
    communes = sorted({commune for commune, _ in results.counts})
    used = [t for t in trades if any(results.counts[(c, t)] for c in communes)]
    header = ["commune", *[trades[t] for t in used], "total_responses"]
    per_commune: dict[str, int] = {}
    for row in results.responses:
        per_commune[row["commune"]] = per_commune.get(row["commune"], 0) + 1
    rows = [
        [c, *[results.counts[(c, t)] for t in used], per_commune.get(c, 0)] for c in communes
    ]
    return header, rows


def _raw_columns(results: Results) -> list[str]:
    columns: list[str] = []
    for row in results.responses:
        columns += [k for k in row if k not in columns and not k.startswith("_")]
    return columns


def render(
    results: Results, trades: dict[str, str], fmt: str, label: Label | None = None
) -> bytes:
    """The export as bytes. JSON keeps the answers' ids; CSV and XLSX show them through
    ``label`` (the questionnaire's labels) when it is given."""
    header, rows = table(results, trades)
    columns = _raw_columns(results)
    if fmt == "json":
        data = {
            "round": results.round.id,
            "version": results.round.version,
            "table": [dict(zip(header, line, strict=True)) for line in rows],
            "responses": [{k: r.get(k) for k in columns} for r in results.responses],
        }
        return json.dumps(data, ensure_ascii=False, indent=1).encode()
    if fmt == "csv":
        raw_rows = [[_shown(k, r.get(k, ""), label) for k in columns] for r in results.responses]
        text = csv_text([header, *rows, [], columns, *raw_rows])
        return text.encode("utf-8-sig")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "theo xã"
    for line in [header, *rows]:
        append_row(sheet, line)
    raw = book.create_sheet("phiếu trả lời")
    append_row(raw, columns)
    for r in results.responses:
        append_row(raw, [_shown(k, r.get(k, ""), label) for k in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
