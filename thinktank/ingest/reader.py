"""Reading a return's sheets into located rows: every cell keeps its sheet, its row as Excel
shows it and its column letter, so any problem can be pointed at exactly.

Workbooks are streamed (`sheet_stream`: openpyxl for the package, expat with defusedxml's
refusals for the sheets); csv files are decoded as UTF-8, UTF-8 with a byte-order mark, or
Windows-1252, in that order.
"""

from __future__ import annotations

import csv
import itertools
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
from thinktank.ingest.sheet_stream import Cell, PastLimit, Row, RowSource, StreamedWorkbook
from thinktank.rules import Issue, issue, register
from thinktank.rules.example_inputs import (
    POLICE_ROWS,
    RETURN_HEADER,
    ExampleFile,
    ExampleReturn,
    csv_text,
)

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
# A csv line with its ending, split as the csv module splits lines: at \r\n, \r or \n.
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
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
register("F116", "error", "Too many columns",
         "A row wider than the column limit is refused as soon as the limit is passed, and nothing "
         "after it is read. The template has eight columns.",
         ExampleFile("wide.csv", lambda: ("indicator_id,value" + ",note" * 1_000 + "\nFD06,1180\n").encode()),
         what_to_do="Delete the columns to the right of the figures, or copy the figures into a new template.")
register("F117", "error", "A cell is too long",
         "A cell holding more text than the cell limit is refused as soon as the limit is passed: a "
         "comment or a piece of evidence needs a few paragraphs at most.",
         ExampleFile("long-comment.csv", lambda: csv_text(RETURN_HEADER, [POLICE_ROWS[0] + "x" * 131_073])),
         what_to_do="Shorten the text in that cell; put a long report in a document and name it in the cell.")


def normalise_header(name: object) -> str:
    """``Indicator ID``, ``indicator-id`` and ``INDICATOR_ID`` are all ``indicator_id``."""
    return _SEPARATORS.sub("_", clean_text(name).lower()).strip("_")


@dataclass
class SheetRows:
    """One sheet's data: the columns found, and its data rows held by column (a dict per row
    would cost a backfill a hundred megabytes): each row's Excel row number, and under each
    column name each row's value (None where empty) and number format."""

    sheet: str
    header_row: int
    columns: dict[str, int]  # normalised name -> 1-based column index
    ignored_columns: list[str] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    values: dict[str, list[Any]] = field(default_factory=dict)
    formats: dict[str, list[str | None]] = field(default_factory=dict)

    def letter(self, column: str) -> str | None:
        index = self.columns.get(column)
        return get_column_letter(index) if index else None

    @property
    def rows(self) -> list[tuple[int, dict[str, Cell]]]:
        """Each data row with its Excel row number and its cells by column name, for a sheet
        read a row at a time (evidence)."""
        return [
            (number, {name: Cell(self.values[name][position], self.formats[name][position])
                      for name in self.values if self.values[name][position] is not None})
            for position, number in enumerate(self.row_numbers)
        ]

    def release(self) -> None:
        """Let the cells go once they are normalised, to keep a backfill's peak memory down."""
        self.values, self.formats = {}, {}


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
        try:
            return_rows, issues = _locate(CSV_SHEET_NAME, RowSource(_csv_rows(text, limits)), known_columns["return"],
                                          limits)
        except PastLimit as past:
            return ReadResult(None, None, [_past_limit_issue(CSV_SHEET_NAME, past, limits)])
        return ReadResult(return_rows, None, issues)
    return _read_workbook(content, file_name, known_columns, limits)


def _read_workbook(content: bytes, file_name: str, known_columns: dict[str, set[str]],
                   limits: Limits) -> ReadResult:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it skips (data validation, conditional formats).
            warnings.simplefilter("ignore")
            workbook = StreamedWorkbook(content, limits)
    except PastLimit as past:
        return ReadResult(None, None, [_past_limit_issue(None, past, limits)])
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
        reading = data_sheet.title
        try:
            returns, issues = _locate(data_sheet.title, workbook.rows(data_sheet, limits), known_columns["return"],
                                      limits)
            evidence = None
            evidence_sheet = by_name.get(EVIDENCE_SHEET)
            if evidence_sheet is not None:
                reading = evidence_sheet.title
                evidence, evidence_issues = _locate(
                    evidence_sheet.title, workbook.rows(evidence_sheet, limits), known_columns["evidence"], limits,
                    key="theme", may_be_empty=True,
                )
                issues += evidence_issues
        except PastLimit as past:
            return ReadResult(None, None, [_past_limit_issue(reading, past, limits)])
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


def _past_limit_issue(sheet: str | None, past: PastLimit, limits: Limits) -> Issue:
    """``sheet`` is None for the workbook's shared text, read before any sheet."""
    letter = get_column_letter(past.column) if past.column else None
    within = {CSV_SHEET_NAME: "the file", None: "the workbook"}.get(sheet, f"sheet {sheet}")
    if past.what == "columns":
        return issue(
            "F116",
            f"Row {past.row} of {within} has more than {limits.max_columns:,} columns, the limit, so "
            f"nothing past column {get_column_letter(limits.max_columns)} was read. Delete the columns to the "
            "right of the figures, or copy the figures into a new template.",
            sheet=sheet, row=past.row, column_letter=letter,
        )
    if letter:
        where = f"The cell in column {letter} of row {past.row}"
    else:
        where = f"A cell starting on row {past.row}" if past.row else "A cell"
    return issue(
        "F117",
        f"{where} of {within} holds more than {limits.max_cell_chars:,} characters, the limit for one "
        "cell. Shorten it: put a long report in a document and name it in the cell.",
        sheet=sheet, row=past.row, column_letter=letter,
    )


def _decode(content: bytes) -> tuple[str, str | None]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding), None
        except UnicodeDecodeError:
            continue
    return "", "the text is neither UTF-8 nor Windows-1252. Save it from Excel as 'CSV UTF-8'."


class _RecordLines:
    """The csv text's lines as the csv reader takes them, refusing a record as soon as it is
    known to be wider than the column limit: the reader would otherwise build the whole row
    first. A one-line record's fields are counted as the reader counts them; a record running
    over several lines (a quoted cell with line breaks) counts every separator in its lines,
    quoted or not, which only a row no real return needs reaches."""

    def __init__(self, text: str, dialect: Any, max_columns: int) -> None:
        # Matched lines, not io.StringIO, which would first copy the text at four bytes a character.
        self._lines = (line[0] for line in _LINES.finditer(text))
        self._dialect = dialect
        self._max_columns = max_columns
        self.record = 0
        self.lines_in_record = 0
        self.last_line = ""
        self._separators = 0

    def begin(self, record: int) -> None:
        self.record, self.lines_in_record, self._separators = record, 0, 0

    def __iter__(self) -> _RecordLines:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.last_line = line
        self.lines_in_record += 1
        self._separators += line.count(self._dialect.delimiter)
        if self._separators >= self._max_columns and not (
            self.lines_in_record == 1
            and sum(1 for _ in itertools.islice(_field_lengths(line, self._dialect), self._max_columns + 1))
            <= self._max_columns
        ):
            raise PastLimit("columns", self.record, self._max_columns + 1)
        return line


def _csv_rows(text: str, limits: Limits) -> Iterator[tuple[int, Row]]:
    """Each non-empty record of the csv text, numbered as Excel numbers a csv's rows. Raises
    `PastLimit` for a record past the column limit before it is built, and for a cell past the
    cell limit (the csv module's own limit, 131,072 characters, included)."""
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    lines = _RecordLines(text, dialect, limits.max_columns)
    reader = csv.reader(lines, dialect)
    number = 0
    while True:
        number += 1
        lines.begin(number)
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" not in str(error):
                raise  # the only error a non-strict reader raises: any other is a bug
            # The record's one line holds the long field; over several lines, which cell it
            # is cannot be told from the line in hand.
            column = _long_field_column(lines.last_line, dialect, limits) if lines.lines_in_record == 1 else None
            raise PastLimit("characters", number, column) from error
        cells = {}
        for column, value in enumerate(row, start=1):
            if len(value) > limits.max_cell_chars:
                raise PastLimit("characters", number, column)
            if value != "":
                cells[column] = Cell(value)
        if cells:
            yield number, cells


def _long_field_column(line: str, dialect: Any, limits: Limits) -> int | None:
    """Which field of a one-line csv record is longer than the cell limit (1 for the first)."""
    for column, length in enumerate(_field_lengths(line, dialect), start=1):
        if length > limits.max_cell_chars:
            return column
    return None


def _field_lengths(line: str, dialect: Any) -> Iterator[int]:
    """The length of each field of a csv record starting at this line, in characters as
    written, read as the csv module reads fields: quoted from a quote at its start to the
    closing quote (a doubled quote inside is a quote), then anything up to the separator. A
    quote left open runs on to the next line; here it ends at the next separator."""
    quote, separator = re.escape(dialect.quotechar or '"'), dialect.delimiter
    field = re.compile(f"(?:{quote}[^{quote}]*(?:{quote}{quote}[^{quote}]*)*{quote})?[^{re.escape(separator)}\\r\\n]*")
    position = 0
    while True:
        found = field.match(line, position)
        yield found.end() - position
        position = found.end()
        if position >= len(line) or line[position] != separator:
            return
        position += 1


def _locate(
    sheet: str,
    rows: RowSource,
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
    rows: RowSource, known: set[str], limits: Limits, may_be_empty: bool = False,
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
    wanted = sorted(columns.items(), key=lambda item: item[1])
    taken = rows.columns([index for _, index in wanted], limits.max_rows)
    if taken is None:
        return None, [issue(
            "F113",
            f"Sheet {sheet} has more than {limits.max_rows:,} rows of figures, the limit. "
            "Split a backfill into several files.",
            sheet=sheet,
        )]
    numbers, values, formats = taken
    names = [name for name, _ in wanted]
    found = SheetRows(sheet, header_row, columns, ignored, numbers,
                      dict(zip(names, values, strict=True)), dict(zip(names, formats, strict=True)))
    if not found.row_numbers and not may_be_empty:
        issues.append(issue(
            "F114", f"Sheet {sheet} has column names on row {header_row} but no figures below them.",
            sheet=sheet, row=header_row,
        ))
    return found, issues
