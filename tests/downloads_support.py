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
    from_csv = list(csv.DictReader(io.StringIO(csv_bytes(frame).decode("utf-8-sig"))))
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({sheet: frame})), read_only=True)
    header, *body = workbook[sheet[:31]].iter_rows(values_only=True)
    from_xlsx = [{column: "" if cell is None else cell for column, cell in zip(header, row, strict=True)}
                 for row in body]
    return {"CSV": from_csv, "Excel": from_xlsx}
