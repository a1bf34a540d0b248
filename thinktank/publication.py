"""A table of the scorecard as a file for people, as the Government Statistical Service advises
("Releasing statistics in spreadsheets"): headers in words, the unit in its own column,
figures rounded as the dashboard shows them and kept as numbers with a number format, a
status in words where there is no figure (an empty cell, never a zero), and, in Excel, a
Cover sheet saying what the table is, for which quarter, from which returns, when it was made
and what the symbols mean.

The pages hand over the engine's own frames (``indicator_id``, ``rate_per_10k``, unrounded
floats); this module is the one place that turns their columns into what a person reads.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableStyleInfo

from thinktank import browse
from thinktank.downloads import CSV_LINE_END, fit_columns, safe_text, write_cell, write_header
from thinktank.formatting import (
    DIRECTION_LABELS,
    MOVEMENT_LABELS,
    NO_POSITION,
    POLARITY_LABELS,
    POSITION_LABELS,
    RAG_LABELS,
    SIGNAL_LABELS,
    STATUS_LABELS,
    UNIT_LABELS,
    agency_names,
    figure_decimals,
    format_number,
)
from thinktank.periods import Quarter, format_date

SOURCE = "Durham Safeguarding Children Partnership Think Tank"
COVER_SHEET = "Cover"
# The statuses that leave a figure empty; `u` keeps its figure.
NO_FIGURE_STATUSES = frozenset(STATUS_LABELS) - {"u", "no earlier quarter"}
_TITLE_FONT = Font(bold=True, size=14)
_HEADING_FONT = Font(bold=True, size=12)
_ENGINE_NAME = re.compile(r"^[a-z0-9_]+$")
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
# Characters: the cover's one column, wide enough for most lines, the rest wrapped.
_COVER_WIDTH = 110


@dataclass(frozen=True)
class Figure:
    """A number rounded as the dashboard shows it; ``text`` is how CSV writes it."""

    number: float
    decimals: int

    @property
    def text(self) -> str:
        return f"{self.number:.{self.decimals}f}"

    @property
    def number_format(self) -> str:
        return "#,##0" + ("." + "0" * self.decimals if self.decimals else "")

    @property
    def shown(self) -> str:
        return format_number(self.number, self.decimals)


Cell = str | Figure | None


@dataclass(frozen=True)
class Column:
    header: str
    cells: list[Cell]


@dataclass(frozen=True)
class Names:
    """Display names for the ids a frame carries."""

    themes: dict[str, str]
    agencies: dict[str, str]
    priorities: dict[str, str]

    @classmethod
    def read(cls, cursor: duckdb.DuckDBPyConnection) -> Names:
        def named(frame: pd.DataFrame) -> dict[str, str]:
            return dict(zip(frame["id"], frame["name"], strict=True))
        return cls(named(browse.themes(cursor)), agency_names(browse.agencies(cursor).itertuples()),
                   named(browse.priorities(cursor)))


@dataclass(frozen=True)
class Publication:
    """One table for people, with what its Cover sheet says about it."""

    title: str
    quarter: Quarter
    sheet: str
    columns: list[Column]
    returns: list[str]
    made: dt.datetime

    @property
    def heading(self) -> str:
        return f"{self.title}, {self.quarter.label}"

    @property
    def rows(self) -> int:
        return len(self.columns[0].cells) if self.columns else 0


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def _figures(values: Iterable[object], units: Iterable[str]) -> list[Cell]:
    cells: list[Cell] = []
    for value, unit in zip(values, units, strict=True):
        if _missing(value):
            cells.append(None)
            continue
        decimals = figure_decimals(float(value), unit)
        # Rounded through the same text the dashboard shows, so the file holds that figure.
        cells.append(Figure(float(f"{float(value):.{decimals}f}"), decimals))
    return cells


def _words(labels: dict[str, str], when_missing: str | None = None) -> Callable[[pd.Series], list[Cell]]:
    def converted(values: pd.Series) -> list[Cell]:
        return [when_missing if _missing(value) else labels.get(value, value) for value in values]
    return converted


def _text(values: pd.Series) -> list[Cell]:
    return [None if _missing(value) or value == "" else str(value) for value in values]


# Engine column -> its header and how its cells read.
_LABELLED = {
    "indicator_id": ("Indicator ID", _text),
    "name": ("Indicator", _text),
    "period": ("Quarter", _text),
    "breakdown": ("Breakdown", _text),
    "breakdown_value": ("Group", _text),
    "polarity": ("Polarity", _words(POLARITY_LABELS)),
    "status": ("Status", _words(STATUS_LABELS)),
    "previous_status": ("Status last quarter", _words(STATUS_LABELS)),
    "comment": ("Agency's comment", _text),
    "movement": ("Movement since last quarter", _words(MOVEMENT_LABELS)),
    "direction": ("Direction of travel", _words(DIRECTION_LABELS)),
    "rag": ("Against target (RAG)", _words(RAG_LABELS)),
    "england_position": ("Against England", _words(POSITION_LABELS, NO_POSITION)),
    "north_east_position": ("Against North East", _words(POSITION_LABELS, NO_POSITION)),
    "neighbours_position": ("Against statistical neighbours",
                            _words(POSITION_LABELS, NO_POSITION)),
    "spc_signal": ("SPC signal", _words(SIGNAL_LABELS)),
    "spc_rules": ("SPC rules met", _text),
    "rebase_reason": ("Re-based from this quarter because", _text),
}
# A figure in its row's unit -> its header and the status that says why it may have none.
_FIGURES = {
    "value": ("Value", "status"),
    "previous_value": ("Last quarter", "previous_status"),
    "last_year_value": ("A year ago", None),
    "change": ("Change since last quarter", None),
    "change_from_last_year": ("Change since a year ago", None),
    "target_value": ("Target", None),
    "target_low": ("Target band from", None),
    "target_high": ("Target band to", None),
    "target_amber_tolerance": ("Amber tolerance", None),
    "england_value": ("England", None),
    "north_east_value": ("North East", None),
    "neighbours_value": ("Statistical neighbours", None),
    "spc_mean": ("SPC mean", None),
    "spc_lower": ("Lower process limit", None),
    "spc_upper": ("Upper process limit", None),
}
_COUNTS = {"numerator": "Numerator", "denominator": "Denominator", "spc_points": "Quarters in the SPC calculation"}


def table_for_people(frame: pd.DataFrame, quarter: Quarter, names: Names, unit: str | None = None) -> list[Column]:
    """The frame's columns as people read them. Figures are in each row's ``unit`` (the frame's
    column, else the one given), with a Unit column beside them. A column the page named in
    words is kept as text; an engine name with no header here is a mistake, not a header."""
    units = frame["unit"].tolist() if "unit" in frame.columns else [unit] * len(frame)
    columns: list[Column] = []
    for name in frame.columns:
        values = frame[name]
        if name in _LABELLED:
            header, convert = _LABELLED[name]
            columns.append(Column(header, convert(values)))
        elif name in _FIGURES:
            header, status = _FIGURES[name]
            if units and None in units:
                raise ValueError(f"the column {name!r} holds figures, but no unit is given for them")
            if unit is not None and not any(column.header == "Unit" for column in columns):
                columns.append(Column("Unit", [UNIT_LABELS[unit]] * len(frame)))
            cells = _figures(values, units)
            if status in frame.columns:
                cells = [None if given in NO_FIGURE_STATUSES else cell
                         for cell, given in zip(cells, frame[status], strict=True)]
            columns.append(Column(header, cells))
        elif name in _COUNTS:
            columns.append(Column(_COUNTS[name], _figures(values, ["count"] * len(frame))))
        elif name == "unit":
            columns.append(Column("Unit", [UNIT_LABELS[value] for value in values]))
        elif name == "theme":
            columns.append(Column("Theme", _words(names.themes)(values)))
        elif name == "owner":
            columns.append(Column("Agency", _words(names.agencies)(values)))
        elif name == "priorities":
            columns.append(Column("Partnership priorities", [
                ", ".join(names.priorities.get(value, value) for value in listed or []) or None
                for listed in values]))
        elif name == "recent_values":
            columns.extend(_quarter_columns(values, units, quarter))
        elif _ENGINE_NAME.match(str(name)):
            raise ValueError(f"no header for people is given for the column {name!r}")
        else:
            columns.append(Column(str(name), _text(values)))
    return columns


def _quarter_columns(values: pd.Series, units: list[str], quarter: Quarter) -> list[Column]:
    """The last quarters' figures (the sparkline), one column a quarter, oldest first: one
    figure a cell, as GSS asks, not a list in one cell."""
    series = [list(listed) if listed is not None else [] for listed in values]
    width = max(map(len, series), default=0)
    quarters = [quarter]
    while len(quarters) < width:
        quarters.insert(0, quarters[0].previous())
    return [Column(shown.label, _figures([listed[position] if position < len(listed) else None
                                         for listed in series], units))
            for position, shown in enumerate(quarters)]


def returns_in_force(cursor: duckdb.DuckDBPyConnection, quarter: Quarter,
                     agencies: Sequence[str] | None = None) -> list[str]:
    """One line per return in force for the quarter (of the given agencies, else of all):
    the agency, its version and when it arrived."""
    rows = cursor.execute(
        """
        SELECT coalesce(a.short_name, s.agency_id), s.version, s.submitted_at
        FROM submissions_in_force s LEFT JOIN agencies a ON a.id = s.agency_id
        WHERE s.period = ? AND (? OR list_contains(?::VARCHAR[], s.agency_id))
        ORDER BY 1
        """,
        [quarter.label, agencies is None, list(agencies or [])],
    ).fetchall()
    return [f"{agency}: version {version}, received {format_date(received.date())}"
            for agency, version, received in rows]


def sheet_name(name: str) -> str:
    """A name Excel takes for a sheet: none of []:*?/\\, at most 31 characters."""
    return _NOT_IN_SHEET_NAMES.sub(" ", name)[:31]


def publish(cursor: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, title: str, quarter: Quarter,
            sheet: str, made: dt.datetime, unit: str | None = None,
            agencies: Sequence[str] | None = None) -> Publication:
    """The frame as a table for people, with the returns in force for its quarter. The returns
    are of ``agencies``, else of the agencies owning the frame's rows, else of every agency."""
    if agencies is None and "owner" in frame.columns:
        agencies = sorted(set(frame["owner"]))
    return Publication(title, quarter, sheet_name(sheet), table_for_people(frame, quarter, Names.read(cursor), unit),
                       returns_in_force(cursor, quarter, agencies), made)


def publication_csv(publication: Publication) -> bytes:
    """The table alone, headers in the first row: a CSV carries no cover, so its file name and
    headers say what it is."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=CSV_LINE_END)
    writer.writerow([safe_text(column.header) for column in publication.columns])
    for row in zip(*(column.cells for column in publication.columns), strict=True):
        writer.writerow(["" if cell is None else cell.text if isinstance(cell, Figure) else safe_text(cell)
                         for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def _made(moment: dt.datetime) -> str:
    return f"{format_date(moment.date())} at {moment:%H:%M} UTC"


def cover_sections(publication: Publication) -> dict[str, list[str]]:
    """What the Cover sheet says under each heading, one line a row."""
    quarter = publication.quarter
    period = f"{format_date(quarter.start)} to {format_date(quarter.end)}"
    return {
        "Source": [f"{SOURCE}, from the partner agencies' quarterly returns."],
        "Quarter": [f"{quarter.label}: {period} (financial-year quarters: Q1 is April to June)."],
        "Drawn from": [f"The returns in force on {format_date(publication.made.date())}, when this file was made.",
                       f"For {quarter.label}:",
                       *(publication.returns or [f"No return is in force for {quarter.label}."])],
        "Made": [_made(publication.made)],
        "Symbols": ["A figure with any status but u is left empty, never shown as zero; its status says why.",
                    *STATUS_LABELS.values()],
        "Notes": ["Figures are rounded as the dashboard shows them; each row's unit is in its Unit column.",
                  "A percentage is a number out of 100 (45.3 is 45.3%); a change in one is in percentage points."],
        "Contents": [f"{COVER_SHEET}: what the table is, where it comes from and what the symbols mean.",
                     f"{publication.sheet}: {publication.title} ({publication.rows:,} rows)."],
    }


def publication_xlsx(publication: Publication) -> bytes:
    """A Cover sheet, then the table: a title in A1, the header bold and frozen, an Excel table
    over the figures, number formats on every figure cell, no merged cells."""
    workbook = Workbook()
    cover = workbook.active
    cover.title = COVER_SHEET
    _write_lines(cover, publication.heading, cover_sections(publication), {publication.sheet})
    _write_table_sheet(workbook, publication)
    return _saved(workbook)


@dataclass(frozen=True)
class Release:
    """Several tables for people in one workbook, laid out as GSS's "Releasing statistics in
    spreadsheets" asks: a Cover sheet, a Contents sheet linking to each table, a Notes sheet
    saying what the symbols mean, then one table a sheet."""

    title: str
    quarter: Quarter
    # What the workbook is, in a line or two, at the top of the cover.
    about: list[str]
    tables: list[Publication]
    # (symbol or note, what it means) for the Notes sheet.
    notes: list[tuple[str, str]]
    returns: list[str]
    made: dt.datetime

    @property
    def heading(self) -> str:
        return f"{self.title}, {self.quarter.label}"


CONTENTS_SHEET, NOTES_SHEET = "Contents", "Notes"


def release_xlsx(release: Release) -> bytes:
    """The release's Cover, Contents and Notes, then each table on its own sheet; no formulas
    (text from people goes through the same neutralising as every download), no merged cells."""
    quarter = release.quarter
    workbook = Workbook()
    cover = workbook.active
    cover.title = COVER_SHEET
    _write_lines(cover, release.heading, {
        "About": release.about,
        "Source": [f"{SOURCE}, from the partner agencies' quarterly returns."],
        "Quarter": [(f"{quarter.label}: {format_date(quarter.start)} to {format_date(quarter.end)} "
                    "(financial-year quarters: Q1 is April to June).")],
        "Drawn from": [f"For {quarter.label}:", *(release.returns or [f"No return is in force for {quarter.label}."])],
        "Made": [_made(release.made)],
        "Contents and notes": [f"{CONTENTS_SHEET}: the tables, each on its own sheet.",
                               f"{NOTES_SHEET}: what the symbols in the tables mean."],
    }, {CONTENTS_SHEET, NOTES_SHEET})
    contents = [Column("Sheet", [table.sheet for table in release.tables]),
                Column("Table", [table.title for table in release.tables]),
                Column("Rows", [Figure(float(table.rows), 0) for table in release.tables])]
    sheet = _write_table_sheet(workbook, Publication("Contents", quarter, CONTENTS_SHEET, contents, [], release.made),
                               pointer="Each sheet holds one table; select a sheet's name to go to it.")
    for row_number, table in enumerate(release.tables, start=4):
        cell = sheet.cell(row=row_number, column=1)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{table.sheet}'!A1")
        cell.font = Font(underline="single", color="0563C1")
    notes = [Column("Symbol or note", [symbol for symbol, _ in release.notes]),
             Column("Meaning", [meaning for _, meaning in release.notes])]
    _write_table_sheet(workbook, Publication("Notes", quarter, NOTES_SHEET, notes, [], release.made),
                       pointer="What the symbols in the tables mean, and how the figures are read.")
    for table in release.tables:
        _write_table_sheet(workbook, table, pointer=f"Where the figures come from is on the {COVER_SHEET} sheet; "
                                                    f"what the symbols mean, on the {NOTES_SHEET} sheet.")
    return _saved(workbook)


def _write_lines(sheet, heading: str, sections: dict[str, list[str]], linked_sheets: set[str]) -> None:
    """A cover: the heading, then each section's heading and lines, one a row, in one wide
    column; a line that starts with a sheet's name links to it."""
    lines = [(heading, _TITLE_FONT)]
    for section, texts in sections.items():
        lines += [(section, _HEADING_FONT), *((text, None) for text in texts)]
    for row_number, (text, font) in enumerate(lines, start=1):
        cell = write_cell(sheet, row_number, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if font is not None:
            cell.font = font
        linked = next((name for name in linked_sheets if text.startswith(f"{name}: ")), None)
        if linked is not None:
            # The contents line of a sheet goes to it, as GSS asks.
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{linked}'!A1")
            cell.font = Font(underline="single", color="0563C1")
    sheet.column_dimensions["A"].width = _COVER_WIDTH


def _write_table_sheet(workbook: Workbook, publication: Publication, pointer: str | None = None):
    """The publication's table on a sheet of its own: its title in A1, a line saying where the
    rest is said, the header in row 3, an Excel table over the rows."""
    sheet = workbook.create_sheet(publication.sheet)
    write_cell(sheet, 1, 1, publication.heading).font = _TITLE_FONT
    write_cell(sheet, 2, 1, pointer or "The returns the figures come from, when the file was made and what the "
                                       f"symbols mean are on the {COVER_SHEET} sheet.")
    header_row = 3
    headers = [column.header for column in publication.columns]
    if len(set(headers)) != len(headers):
        raise ValueError(f"two columns share a header: {headers}")
    write_header(sheet, header_row, headers)
    for column_number, column in enumerate(publication.columns, start=1):
        for row_number, cell in enumerate(column.cells, start=header_row + 1):
            if isinstance(cell, Figure):
                write_cell(sheet, row_number, column_number, cell.number, cell.number_format)
            elif cell is not None:
                write_cell(sheet, row_number, column_number, cell)
    fit_columns(sheet, [[column.header, *("" if cell is None else cell.shown if isinstance(cell, Figure) else cell
                                          for cell in column.cells[:500])]
                        for column in publication.columns])
    if publication.rows:
        # Excel refuses a table with no row under its header.
        last = sheet.cell(row=header_row + publication.rows, column=len(headers)).coordinate
        table = Table(displayName="table_" + re.sub(r"\W", "_", publication.sheet), ref=f"A{header_row}:{last}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
        sheet.add_table(table)
    return sheet


def _saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
