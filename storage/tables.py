"""Reading officials' spreadsheets: xlsx (first sheet) or csv (UTF-8 ± BOM, comma or semicolon).

The header row names the columns, in any order, by the spec's names or the headers officers
write (messages/import_columns.toml), compared without case, diacritics, punctuation or what is
in brackets; it may have a title above it; extra columns are ignored. Cells come back as
stripped strings.
"""

from __future__ import annotations

import csv
import io
import sys
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from messages.import_columns import KindColumns, header_key

#: Line number in the sheet (1 = its first row) and the cells by canonical column name.
Row = tuple[int, dict[str, str]]
Progress = Callable[[int, int], None]
#: Non-empty rows at the top of a sheet among which the header row is looked for.
HEADER_ROWS = 10
#: An import is a table typed by people: 20 MB is far more than any district's file.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: What an xlsx may unpack to: a zip bomb is refused before openpyxl inflates it.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
#: Punctuation a unit or programme name may hold (inside it: it starts with a letter or digit).
NAME_MARKS = frozenset(".,;:'\"-\u2013/()&+%#")


class UnreadableFileError(ValueError):
    """The bytes are not a readable xlsx workbook or UTF-8 CSV; ``reason`` names why
    (an officials.import.* key)."""

    def __init__(self, reason: str = "unreadable", **params: str) -> None:
        super().__init__(reason)
        self.reason = reason
        #: The placeholders of the reason's message (a sheet, a cell).
        self.params = params


class UncomputedFormulaError(UnreadableFileError):
    """An xlsx cell holds a formula but no value saved with it (a file written by a program,
    never opened and saved in Excel): read as empty it would silently drop what the cell
    meant, so the file is refused naming the cell. The workbook itself opens."""

    def __init__(self, sheet: str, cell: str) -> None:
        super().__init__("formula_no_value", sheet=sheet, cell=cell)


def visible(text: str) -> str:
    """``text`` without invisible format characters (a byte-order mark, zero-width spaces,
    direction marks) and stripped: an xlsx header "\ufeffunit" was "Thiếu cột: unit", and a
    commune "Phù Lưu\u200b" pasted from the web was not found."""
    if text.isascii():
        return text.strip()
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip()


@dataclass(frozen=True, slots=True)
class Table:
    """A sheet as read: where its header row is, what each column is, and the rows below."""

    #: The header row's line (1 = the sheet's first row); 0 when no row names a column.
    line: int
    #: Each column's name by position ("" for a column not understood, which is ignored).
    columns: list[str]
    #: The header as written in the file, by column name (the first, if one is named twice).
    written: dict[str, str]
    #: The rows below the header with something in a column understood.
    rows: list[Row]
    #: The file holds no cell at all.
    empty: bool = False
    #: A column named twice: (its name, the first header, the second header).
    twice: tuple[str, str, str] | None = None


def read_table(
    data: bytes, columns: KindColumns | None = None, required: Sequence[str] = ()
) -> Table:
    """The header row and the data rows of an xlsx or csv file. The header row is the first of
    the top HEADER_ROWS non-empty rows naming every ``required`` column (a title above it is
    skipped); if none does, the one naming the most (for the report of what is missing).
    ``columns`` says which headers name which column; without it every header is its own."""
    matrix = read_cells(data)
    filled = [(line, cells) for line, cells in enumerate(matrix, start=1) if any(cells)]
    if not filled:
        return Table(0, [], {}, [], empty=True)
    name_of = columns.column_of if columns is not None else header_key
    best: tuple[tuple[int, int], int, list[str]] = ((0, 0), 0, [])
    for line, cells in filled[:HEADER_ROWS]:
        names = [name_of(cell) if cell else "" for cell in cells]
        known = set(names) - {""}
        score = (len(known.intersection(required)), len(known))
        if score > best[0]:
            best = (score, line, names)
        if known and known.issuperset(required):
            break
    _, header_line, names = best
    if not header_line:
        return Table(0, [], {}, [])
    written: dict[str, str] = {}
    first: dict[str, int] = {}
    twice = None
    header = matrix[header_line - 1]
    for index, name in enumerate(names):
        if not name:
            continue
        if name in first:
            twice = twice or (name, written[name], header[index])
            continue
        first[name] = index
        written[name] = header[index]
    rows: list[Row] = []
    for line, cells in filled:
        if line <= header_line:
            continue
        values = {name: (cells[i] if i < len(cells) else "") for name, i in first.items()}
        if any(values.values()):
            rows.append((line, values))
    return Table(header_line, names, written, rows, twice=twice)


def read_cells(data: bytes) -> list[list[str]]:
    """Every row of an xlsx (first sheet) or csv file, as stripped strings."""
    if len(data) > MAX_FILE_BYTES:
        raise UnreadableFileError("too_big")
    return _xlsx_cells(data) if data[:4] == b"PK\x03\x04" else _csv_cells(data)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return visible(str(value))


def _xlsx_cells(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnreadableFileError() from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise UnreadableFileError("too_big")
    try:
        # Twice, streamed side by side: the values saved with the formulas, and the formulas.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many types for a broken archive
        raise UnreadableFileError() from None
    try:
        if not book.worksheets or not formulas.worksheets:
            return []
        sheet = book.worksheets[0]
        written = formulas.worksheets[0].iter_rows(values_only=True)
        matrix: list[list[str]] = []
        for row_no, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            as_written = next(written, ())
            for col_no, (value, formula) in enumerate(zip(row, as_written, strict=False), 1):
                if value is None and formula is not None:
                    raise UncomputedFormulaError(
                        visible(sheet.title)[:31], f"{_column(col_no)}{row_no}"
                    )
            matrix.append([_cell(v) for v in row])
        return matrix
    except UncomputedFormulaError:
        raise
    except Exception:  # broken XML inside a valid zip surfaces only while reading rows
        raise UnreadableFileError() from None
    finally:
        book.close()
        formulas.close()


def _column(number: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(number))


def _csv_cells(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFileError() from None
    # Over the first lines, not the first alone: a title above the header ("Danh sách lớp,
    # năm 2027") may hold a comma where the rows are separated by semicolons.
    top = "\n".join(text.split("\n", HEADER_ROWS)[:HEADER_ROWS])
    delimiter = ";" if top.count(";") > top.count(",") else ","
    # A cell may be as long as the file (then refused by the importer as too long, with its
    # line number): the csv module's default limit would raise instead.
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return [[visible(c) for c in row] for row in reader]
    except csv.Error:
        raise UnreadableFileError() from None


def _digits(value: str, most: int) -> bool:
    # ASCII only: str.isdigit() is also true for "²" and "٣", which int() refuses or misreads.
    return 0 < len(value) <= most and value.isascii() and value.isdigit()


def parse_date(value: str) -> date | None:
    """``2026-07-15`` or ``15/07/2026`` (also with dashes or dots); None when it is neither."""
    value = value.strip()
    if len(value) > 40:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        pass
    for sep in ("/", "-", "."):
        parts = value.split(sep)
        if len(parts) == 3 and all(_digits(p, 4) for p in parts) and len(parts[2]) == 4:
            try:
                return date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                return None
    return None


def parse_int(value: str) -> int | None:
    """A whole number of at most 9 digits (ASCII), optionally negative; else None."""
    value = value.strip().replace(" ", "")
    if value.endswith(".0"):
        value = value[:-2]
    return int(value) if _digits(value.removeprefix("-"), 9) else None


def name_problem(value: str, longest: int) -> str:
    """Why ``value`` is not a plausible unit or programme name ("" if it is): it starts with a
    letter or a digit (so never like a formula), then letters, digits, spaces, NAME_MARKS."""
    if len(value) > longest:
        return "name_too_long"
    if not value[:1].isalnum() or not all(
        ch.isalnum() or ch == " " or ch in NAME_MARKS or unicodedata.category(ch) == "Mn"
        for ch in value
    ):
        return "bad_name"
    return ""


def stderr_bar(done: int, total: int) -> None:
    """A one-line progress bar on stderr, redrawn in place."""
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()
