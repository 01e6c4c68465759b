"""The xlsx report officials download: the period's figures and the plan's progress."""

from __future__ import annotations

import io

from handlers.officials.progress import program_label
from messages import t
from storage.report import Report
from storage.sheet_cells import append_row
from storage.status import AllocationStatus


def render_report_xlsx(report: Report, plan: list[AllocationStatus]) -> bytes:
    """Three sheets: summary, per unit, plan progress (Vietnamese headers)."""
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    summary.title = t("officials.report.sheet_summary")
    append_row(
        summary,
        [
            t(
                "officials.report.title",
                start=report.start.strftime("%d/%m/%Y"),
                end=report.end.strftime("%d/%m/%Y"),
            )
        ],
    )
    append_row(summary, [t("officials.report.classes_organised"), report.classes])
    for code in report.programs:
        append_row(
            summary,
            [
                t("officials.report.classes_program", program=program_label(code)),
                report.lines(code),
            ],
        )
    append_row(summary, [t("officials.report.trainees"), report.trainees])
    append_row(summary, [t("officials.report.departures"), report.departures])
    summary.column_dimensions["A"].width = 60

    units = book.create_sheet(t("officials.report.sheet_units"))
    append_row(
        units,
        [t("officials.report.col_unit"), t("officials.report.col_classes")]
        + [t("officials.report.col_lines", program=program_label(c)) for c in report.programs]
        + [t("officials.report.col_trainees"), t("officials.report.col_departures")],
    )
    for u in report.units:
        append_row(
            units,
            [u.name, u.classes]
            + [u.lines.get(c, 0) for c in report.programs]
            + [u.trainees, u.departures],
        )
    append_row(
        units,
        [t("officials.report.total"), report.classes]
        + [report.lines(c) for c in report.programs]
        + [report.trainees, report.departures],
    )
    units.column_dimensions["A"].width = 24

    sheet = book.create_sheet(t("officials.report.sheet_plan"))
    append_row(
        sheet,
        [
            t(f"officials.report.col_{c}")
            for c in ("unit", "program", "year", "target", "submitted", "deadline", "status")
        ],
    )
    for item in plan:
        append_row(
            sheet,
            [
                item.unit_name,
                program_label(item.program_code),
                item.year,
                item.target,
                item.submitted,
                item.deadline,
                t(f"officials.status.{item.status.value}"),
            ],
        )
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 28
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
