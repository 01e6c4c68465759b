"""Survey results as files for officials: csv, xlsx (two sheets) or json.

Every text cell goes through ``cell()``: answers are typed by the public, and a spreadsheet must
never read one as a formula (OWASP CSV injection: a leading = + - @ tab or CR is neutralised
with a leading apostrophe). When storage/sheet_cells.py lands, ``cell`` delegates to it.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from openpyxl import Workbook

from storage.survey_repo import Results

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A value safe to put in a spreadsheet cell."""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


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


def render(results: Results, trades: dict[str, str], fmt: str) -> bytes:
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
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([cell(h) for h in header])
        writer.writerows([[cell(v) for v in line] for line in rows])
        writer.writerow([])
        writer.writerow(columns)
        for r in results.responses:
            writer.writerow([cell(r.get(k, "")) for k in columns])
        return out.getvalue().encode("utf-8-sig")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "theo xã"
    sheet.append([cell(h) for h in header])
    for line in rows:
        sheet.append([cell(v) for v in line])
    raw = book.create_sheet("phiếu trả lời")
    raw.append(columns)
    for r in results.responses:
        raw.append([cell(r.get(k, "")) for k in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
