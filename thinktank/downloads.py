"""Tables as files people open in Excel: CSV with a byte-order mark (so Excel reads £ and
accents correctly) and xlsx with a frozen, bold header and sensible column widths.

Every text cell is written as text: one that a spreadsheet would read as a formula (it starts
with =, +, -, @, a tab or a carriage return) gets a leading apostrophe, and xlsx text is stored
as a string, never a formula (OWASP's advice on CSV injection). A return's comment or a value
an uploader typed reaches these files, so this holds for every download."""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from thinktank.text import without_direction_controls

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_MIME = "application/pdf"
HTML_MIME = "text/html"
# RFC 4180's line end: a text holding a carriage return or a newline is then quoted.
CSV_LINE_END = "\r\n"
_MAX_COLUMN_WIDTH = 60
_MIN_COLUMN_WIDTH = 8
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """Text that no spreadsheet runs as a formula, in the order it was typed."""
    text = without_direction_controls(text)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_bytes(frame: pd.DataFrame) -> bytes:
    frame = _lists_as_text(frame)
    texts = {column: frame[column].map(lambda value: safe_text(value) if isinstance(value, str) else value)
             for column in frame.columns if frame[column].map(lambda value: isinstance(value, str)).any()}
    return frame.assign(**texts).to_csv(index=False, lineterminator=CSV_LINE_END).encode("utf-8-sig")


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per frame, in order; sheet names are cut to Excel's 31 characters."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, frame in sheets.items():
        frame = _lists_as_text(frame)
        sheet = workbook.create_sheet(title=name[:31])
        write_header(sheet, 1, [str(column) for column in frame.columns])
        for row_number, row in enumerate(frame.itertuples(index=False), start=2):
            for column_number, value in enumerate(row, start=1):
                write_cell(sheet, row_number, column_number, _cell(value))
        fit_columns(sheet, [[str(column), *map(str, frame[column].head(500))] for column in frame.columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_header(sheet: Worksheet, row: int, headers: list[str]) -> None:
    """A bold header row, with every row above it and itself frozen."""
    for column_number, header in enumerate(headers, start=1):
        write_cell(sheet, row, column_number, header).font = Font(bold=True)
    sheet.freeze_panes = f"A{row + 1}"


def write_cell(sheet: Worksheet, row: int, column: int, value: object, number_format: str | None = None):
    """One cell: text always as a string (never a formula), a number with its format."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = safe_text(value)
        cell.data_type = "s"
    else:
        cell.value = value
        if number_format is not None:
            cell.number_format = number_format
    return cell


def fit_columns(sheet: Worksheet, texts: list[list[str]]) -> None:
    """Each column as wide as its longest text (as shown), within reason."""
    for index, column in enumerate(texts, start=1):
        longest = max(map(len, column), default=0)
        width = min(max(longest + 2, _MIN_COLUMN_WIDTH), _MAX_COLUMN_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = width


def _lists_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """List cells (the sparkline, an indicator's breakdowns) written as "a, b", as people type
    them. DuckDB's lists arrive as Arrow lists or as NumPy arrays, where a missing entry may be
    None or NaN: either is left empty, never written as "nan" or "None"."""
    listed = {column: [", ".join(map(_list_item, values)) if _is_list(values) else None
                       for values in frame[column].tolist()]
              for column in frame.columns if _holds_lists(frame[column])}
    return frame.assign(**listed) if listed else frame


def _is_list(value: object) -> bool:
    return isinstance(value, (list, tuple, np.ndarray))


def _holds_lists(column: pd.Series) -> bool:
    if isinstance(column.dtype, pd.ArrowDtype):
        return pa.types.is_list(column.dtype.pyarrow_dtype) or pa.types.is_large_list(column.dtype.pyarrow_dtype)
    return column.dtype == object and column.map(_is_list).any()


def _list_item(item: object) -> str:
    if isinstance(item, np.generic):
        item = item.item()
    if item is None or (isinstance(item, float) and math.isnan(item)):
        return ""
    # Positional, never an exponent: 1234567.0 is "1234567", not "1.23457e+06".
    return np.format_float_positional(item, trim="-") if isinstance(item, float) else str(item)


def _cell(value: object) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


class _StampedArchive:
    """A zip archive whose every entry carries one given time, for ExcelWriter."""

    def __init__(self, archive: zipfile.ZipFile, stamp: dt.datetime) -> None:
        self._archive = archive
        self._date_time = stamp.timetuple()[:6]

    def writestr(self, name: str, data: bytes | str) -> None:
        info = zipfile.ZipInfo(name, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        self._archive.writestr(info, data)

    def write(self, filename: str, arcname: str) -> None:
        self.writestr(arcname, Path(filename).read_bytes())

    def namelist(self) -> list[str]:
        return self._archive.namelist()


def stamped_workbook_bytes(workbook: Workbook, stamp: dt.datetime) -> bytes:
    """The workbook's bytes with ``stamp`` as its created, modified and zip-entry times, so the
    same workbook always gives the same file (and the same SHA-256)."""
    workbook.properties.created = workbook.properties.modified = stamp
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, _StampedArchive(archive, stamp)).write_data()
    return buffer.getvalue()
