"""Tables as files people open in Excel: CSV with a byte-order mark (so Excel reads £ and
accents correctly) and xlsx with a frozen, bold header and sensible column widths."""

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
from openpyxl.writer.excel import ExcelWriter

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MAX_COLUMN_WIDTH = 60


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return _lists_as_text(frame).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per frame, in order; sheet names are cut to Excel's 31 characters."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, frame in sheets.items():
        frame = _lists_as_text(frame)
        sheet = workbook.create_sheet(title=name[:31])
        sheet.append([str(column) for column in frame.columns])
        for row in frame.itertuples(index=False):
            sheet.append([_cell(value) for value in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(frame.columns, start=1):
            longest = max([len(str(column)), *(len(str(v)) for v in frame[column].head(500))])
            sheet.column_dimensions[get_column_letter(index)].width = min(longest + 2, _MAX_COLUMN_WIDTH)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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
    return f"{item:g}" if isinstance(item, float) else str(item)


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
