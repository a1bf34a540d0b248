"""Reading a return's sheets into located rows: every cell keeps its sheet, its row as Excel
shows it and its column letter, so any problem can be pointed at exactly.

Workbooks are streamed (`sheet_stream`: openpyxl for the package, expat with defusedxml's
refusals for the sheets); csv files are decoded as UTF-8, UTF-8 with a byte-order mark, or
Windows-1252, in that order.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.utils import get_column_letter

from thinktank.ingest.cells import clean_text
from thinktank.ingest.limits import Limits
from thinktank.ingest.sheet_stream import Cell, Row, StreamedWorkbook
from thinktank.rules import Issue, issue, register
from thinktank.rules.example_inputs import ExampleFile, ExampleReturn

if not openpyxl.DEFUSEDXML:
    raise RuntimeError(
        "openpyxl is not parsing through defusedxml (is OPENPYXL_DEFUSEDXML set to False?); "
        "uploaded workbooks must never be parsed without it"
    )

RETURN_SHEET = "return"
EVIDENCE_SHEET = "evidence"
KEY_COLUMN = "indicator_id"
# What a damaged part of a workbook raises when it is streamed; defusedxml's refusals are
# ValueErrors too, and a shared-string index past the end is an IndexError.
DAMAGED_WORKBOOK_ERRORS = (
    ParseError, ExpatError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, IndexError,
)
CSV_SHEET_NAME = "csv"
_SEPARATORS = re.compile(r"[\s\-_]+")

register("F110", "error", "No header row",
         "The header row is the first row with an indicator_id column. Without one, no column "
         "can be found.",
         ExampleReturn("FD06,2024-25 Q1,1180", header="id,period,value"),
         what_to_do="Put the column names from the template in one row above the figures.")
register("F111", "error", "Column names split over two rows",
         "The column names seem to run over two rows (merged cells, or a heading and a sub-heading). "
         "Each column's whole name must be in one row.",
         ExampleReturn("ID,,", "FD06,2024-25 Q1,1180", header="Indicator,period,value"),
         what_to_do="Put each column's full name in one row, such as indicator_id, and unmerge the cells.")
register("F112", "error", "A required column is missing",
         "indicator_id is always required; period is required unless the upload form fixes the "
         "quarter.",
         ExampleReturn("FD06,1180", "AS06,95.7", "HO01,410", header="indicator_id,value", period=None),
         what_to_do="Add the column, named as in the template.")
register("F113", "error", "Too many rows",
         "Returns above the row limit are refused. A quarterly return has a few hundred rows at most.",
         ExampleFile("backfill.csv", lambda: ("indicator_id,value\n" + "FD06,1180\n" * 200_001).encode()),
         what_to_do="Split a backfill into several files, a few years each.")
register("F114", "error", "No figures",
         "The sheet has a header row but no rows of figures under it.",
         ExampleReturn(), what_to_do="Fill in the figures below the column names, or upload the filled-in file.")
register("F115", "error", "A column appears twice",
         "Two columns have the same name once spaces, hyphens, underscores and case are ignored, "
         "so it is not clear which holds the figures.",
         ExampleReturn("FD06,2024-25 Q1,1180,1180", header="indicator_id,period,value,Value"),
         what_to_do="Delete or rename one of the two columns.")


def normalise_header(name: object) -> str:
    """``Indicator ID``, ``indicator-id`` and ``INDICATOR_ID`` are all ``indicator_id``."""
    return _SEPARATORS.sub("_", clean_text(name).lower()).strip("_")


@dataclass
class SheetRows:
    """One sheet's data: the columns found, and each data row with its Excel row number."""

    sheet: str
    header_row: int
    columns: dict[str, int]  # normalised name -> 1-based column index
    ignored_columns: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, Cell]]] = field(default_factory=list)  # by column name

    def letter(self, column: str) -> str | None:
        index = self.columns.get(column)
        return get_column_letter(index) if index else None


@dataclass
class ReadResult:
    returns: SheetRows | None
    evidence: SheetRows | None
    issues: list[Issue]


def read_return(content: bytes, kind: str, file_name: str, known_columns: dict[str, set[str]],
                limits: Limits) -> ReadResult:
    """Read the Return sheet (and an Evidence sheet, if any) of an already sniffed file.

    ``known_columns`` maps "return" and "evidence" to the column names each may use; any other
    column is listed as ignored.
    """
    if kind == "csv":
        text, problem = _decode(content)
        if problem:
            return ReadResult(None, None, [issue("F109", f"{file_name}: {problem}")])
        rows = _csv_rows(text)
        return_rows, issues = _locate(CSV_SHEET_NAME, rows, known_columns["return"], limits)
        return ReadResult(return_rows, None, issues)
    return _read_workbook(content, file_name, known_columns, limits)


def _read_workbook(content: bytes, file_name: str, known_columns: dict[str, set[str]],
                   limits: Limits) -> ReadResult:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it skips (data validation, conditional formats).
            warnings.simplefilter("ignore")
            workbook = StreamedWorkbook(content)
    except DefusedXmlException as refusal:
        return ReadResult(None, None, [_declarations_refused(file_name, refusal)])
    except Exception as error:  # openpyxl raises many types for a damaged file
        return ReadResult(None, None, [issue(
            "F109", f"{file_name} cannot be opened as a workbook ({type(error).__name__}). Save it again from Excel.",
        )])
    with workbook:
        visible = [sheet for sheet in workbook.sheets if sheet.state == "visible"]
        by_name = {normalise_header(sheet.title): sheet for sheet in visible}
        data_sheet = by_name.get(RETURN_SHEET) or next(
            (sheet for sheet in visible if normalise_header(sheet.title) != EVIDENCE_SHEET), None
        )
        if data_sheet is None:
            return ReadResult(None, None, [issue(
                "F110", f"{file_name} has no visible sheet of figures. Put them on a sheet named Return.",
            )])
        try:
            returns, issues = _locate(data_sheet.title, workbook.rows(data_sheet), known_columns["return"], limits)
            evidence = None
            evidence_sheet = by_name.get(EVIDENCE_SHEET)
            if evidence_sheet is not None:
                evidence, evidence_issues = _locate(
                    evidence_sheet.title, workbook.rows(evidence_sheet), known_columns["evidence"], limits,
                    key="theme", may_be_empty=True,
                )
                issues += evidence_issues
        except DefusedXmlException as refusal:
            return ReadResult(None, None, [_declarations_refused(file_name, refusal)])
        except DAMAGED_WORKBOOK_ERRORS as error:
            # Sheets are parsed as they are streamed, so damage inside one shows up here.
            return ReadResult(None, None, [issue(
                "F109", f"{file_name} is damaged ({type(error).__name__}) and cannot be read. "
                "Save it again from Excel.",
            )])
        return ReadResult(returns, evidence, issues)


def _declarations_refused(file_name: str, refusal: DefusedXmlException) -> Issue:
    """The parsers' own refusal of a DTD or entity, should a part ever get past the sniffing:
    the same problem, under the same code."""
    return issue(
        "F108", f"{file_name} holds XML declarations ({type(refusal).__name__}), which Excel never "
        "writes. Copy the figures into a new template and upload that.",
    )


def _decode(content: bytes) -> tuple[str, str | None]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding), None
        except UnicodeDecodeError:
            continue
    return "", "the text is neither UTF-8 nor Windows-1252. Save it from Excel as 'CSV UTF-8'."


def _csv_rows(text: str) -> Iterator[tuple[int, Row]]:
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1):
        cells = {column: Cell(value) for column, value in enumerate(row, start=1) if value != ""}
        if cells:
            yield number, cells


def _locate(
    sheet: str,
    rows: Iterator[tuple[int, Row]],
    known: set[str],
    limits: Limits,
    key: str = KEY_COLUMN,
    may_be_empty: bool = False,
) -> tuple[SheetRows | None, list[Issue]]:
    previous: tuple[int, Row] | None = None
    for row_number, cells in rows:
        names = {column: normalise_header(cell.value) for column, cell in cells.items()}
        if key in names.values():
            originals = {column: clean_text(cell.value) for column, cell in cells.items()}
            return _collect(sheet, row_number, names, originals, rows, known, limits, may_be_empty)
        if previous is not None and _split_header(previous[1], cells, key):
            return None, [issue(
                "F111",
                f"Rows {previous[0]} and {row_number} together look like the header (column names "
                f"split over two rows, or merged cells). Put each column's full name in one row, "
                f"such as {key}.",
                sheet=sheet, row=row_number,
            )]
        if any(names.values()):
            previous = (row_number, cells)
    if may_be_empty and previous is None:
        return None, []
    return None, [issue(
        "F110",
        f"No row on sheet {sheet} has a '{key}' column. Put the column names from the template in "
        "one row above the figures.",
        sheet=sheet,
    )]


def _split_header(upper: Row, lower: Row, key: str) -> bool:
    carried = ""
    for column in sorted(upper.keys() | lower.keys()):
        if column in upper:
            carried = clean_text(upper[column].value)  # a merged cell's text carries rightwards
        if column in lower and normalise_header(f"{carried} {clean_text(lower[column].value)}") == key:
            return True
    return False


def _collect(
    sheet: str, header_row: int, names: dict[int, str], originals: dict[int, str],
    rows: Iterator[tuple[int, Row]], known: set[str], limits: Limits, may_be_empty: bool = False,
) -> tuple[SheetRows | None, list[Issue]]:
    columns: dict[str, int] = {}
    ignored: list[str] = []
    issues: list[Issue] = []
    for index, name in sorted(names.items()):
        if not name:
            continue
        if name not in known:
            ignored.append(originals[index])
        elif name in columns:
            issues.append(issue(
                "F115",
                f"Columns {get_column_letter(columns[name])} and {get_column_letter(index)} are both "
                f"'{name}'. Delete or rename one of them.",
                sheet=sheet, row=header_row, column=name, column_letter=get_column_letter(index),
            ))
        else:
            columns[name] = index
    found = SheetRows(sheet, header_row, columns, ignored)
    wanted = sorted(columns.items(), key=lambda item: item[1])
    for row_number, cells in rows:
        values = {}
        for name, index in wanted:
            cell = cells.get(index)
            if cell is None or (isinstance(cell.value, str) and not cell.value.strip()):
                continue
            values[name] = cell
        if values:
            found.rows.append((row_number, values))
            if len(found.rows) > limits.max_rows:
                return None, [issue(
                    "F113",
                    f"Sheet {sheet} has more than {limits.max_rows:,} rows of figures, the limit. "
                    "Split a backfill into several files.",
                    sheet=sheet,
                )]
    if not found.rows and not may_be_empty:
        issues.append(issue(
            "F114", f"Sheet {sheet} has column names on row {header_row} but no figures below them.",
            sheet=sheet, row=header_row,
        ))
    return found, issues
