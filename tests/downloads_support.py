"""Reading a table back as people get it: from the CSV file and from the Excel file."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd

from thinktank.downloads import csv_bytes, xlsx_bytes


def as_downloaded(frame: pd.DataFrame, sheet: str = "Sheet") -> dict[str, list[dict]]:
    """The table's rows as read back from each kind of file ("CSV", "Excel"), every cell as the
    file holds it, an empty Excel cell as ""."""
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({sheet: frame})), read_only=True)
    header, *body = workbook[sheet[:31]].iter_rows(values_only=True)
    from_xlsx = [{column: "" if cell is None else cell for column, cell in zip(header, row, strict=True)}
                 for row in body]
    return {"CSV": csv_rows(csv_bytes(frame)), "Excel": from_xlsx}


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def table_cells(data: bytes) -> tuple[openpyxl.Workbook, list[dict]]:
    """A published workbook and the rows of the Excel table on its table sheet, each cell
    (openpyxl's, with its number format and type) under its header."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    (sheet,) = [sheet for sheet in workbook.worksheets if sheet.tables]
    (table,) = sheet.tables.values()
    header, *body = sheet[table.ref]
    return workbook, [{head.value: cell for head, cell in zip(header, row, strict=True)} for row in body]


def table_rows(data: bytes) -> list[dict]:
    """The Excel table's rows with each cell's value, an empty cell as ""."""
    _, rows = table_cells(data)
    return [{header: "" if cell.value is None else cell.value for header, cell in row.items()} for row in rows]


def published(files: dict[str, bytes]) -> dict[str, list[dict]]:
    """The rows of a download's CSV and Excel files, by kind ("CSV", "Excel")."""
    return {"CSV": csv_rows(files["csv"]), "Excel": table_rows(files["xlsx"])}
