"""Ready-to-fill return templates for an agency and a quarter, as xlsx or csv.

The Return sheet has the contract's columns and a row per indicator the agency owns and per
group of each breakdown it is collected by (a resubmission made from it leaves nothing out),
with read-only helper columns to its right (name, unit, definition, last quarter's figure) that
the reader ignores. Excel's data validation nudges towards the right kind of figure but
still lets symbols such as c or x be typed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from copy import copy

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from thinktank.catalogue import Catalogue, Indicator
from thinktank.downloads import safe_text, stamped_workbook_bytes
from thinktank.formatting import STATUS_LABELS, format_value, statuses_in_words
from thinktank.ingest.cells import SYMBOLS
from thinktank.ingest.normalise import ALL
from thinktank.periods import Quarter
from thinktank.rules.evidence import SIGNS_OF_SAFETY, SOURCES
from thinktank.store.returns import figures_in_force, none_stored
from thinktank.users import User, check_reads_returns

RETURN_COLUMNS = [
    "indicator_id", "period", "breakdown", "breakdown_value", "numerator", "denominator",
    "value", "comment",
]
HELPER_COLUMNS = [
    "name (for reference)", "unit (for reference)", "definition (for reference)",
    "last quarter (for reference)",
]
EVIDENCE_COLUMNS = ["theme", "source", "signs_of_safety", "title", "detail", "period"]
SPARE_ROWS = 300  # rows below the indicators that the figure checks also cover, for breakdowns
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_HELPER_FILL = PatternFill("solid", fgColor="E7E6E6")
_WIDTHS = {"A": 14, "B": 12, "C": 14, "D": 18, "E": 12, "F": 13, "G": 12, "H": 30,
           "I": 50, "J": 14, "K": 70, "L": 22}
# The statuses a return's cell may carry, each with its meaning.
_SYMBOLS_HINT = statuses_in_words(SYMBOLS.values())


def template_rows(
    cursor: duckdb.DuckDBPyConnection, actor: User, catalogue: Catalogue, agency_id: str, quarter: Quarter
) -> pd.DataFrame:
    """One row per indicator the agency owns for the quarter and per group it is collected by,
    helper columns included.

    Where a version for the quarter is in force already (the agency is correcting it), every
    row carries the figures in force, so that a resubmission that changes one cell keeps the
    rest. Otherwise the figures are empty, with last quarter's figure beside each for reference.
    Both are the agency's returns, so only those who may read them get its template.
    """
    check_reads_returns(actor, agency_id)
    catalogue = catalogue.in_force(quarter)
    indicators = [
        indicator for indicator in catalogue.indicators
        if indicator.owner == agency_id and indicator.is_active_in(quarter)
    ]
    previous = quarter.previous().label
    stored = figures_in_force(cursor, agency_id, [previous])
    last = {_key(line): line for line in stored.itertuples(index=False)}
    in_force = _rows_in_force(cursor, agency_id, quarter.label)
    current = {_key(line): line for line in in_force.itertuples(index=False)}
    records = []
    for indicator in indicators:
        for breakdown, group in _groups_of(indicator, catalogue, [*last, *current]):
            key = (indicator.id, breakdown, group)
            record = {
                "indicator_id": indicator.id, "period": quarter.label, "breakdown": breakdown,
                "breakdown_value": group, "numerator": None, "denominator": None, "value": None,
                "comment": None,
                "name (for reference)": indicator.name,
                "unit (for reference)": indicator.unit_label,
                "definition (for reference)": indicator.definition,
                "last quarter (for reference)": _last_figure(last.get(key), indicator, previous),
            }
            if key in current:
                record.update(_figures_as_typed(current[key]))
            records.append(record)
    # Figures and symbols share a column, as they do in a spreadsheet, and 12 stays 12, not 12.0.
    return pd.DataFrame(records, columns=RETURN_COLUMNS + HELPER_COLUMNS, dtype=object)


def version_in_force(cursor: duckdb.DuckDBPyConnection, actor: User, agency_id: str, quarter: Quarter) -> bool:
    """Whether the agency has a return in force for the quarter, so that a template for it is
    a correction."""
    check_reads_returns(actor, agency_id)
    (count,) = cursor.execute(
        "SELECT count(*) FROM submissions_in_force WHERE agency_id = ? AND period = ?",
        [agency_id, quarter.label],
    ).fetchone()
    return count > 0


def _key(line) -> tuple[str, str, str]:
    return (line.indicator_id, line.breakdown, line.breakdown_value)


def _groups_of(
    indicator: Indicator, catalogue: Catalogue, stored_keys: list[tuple[str, str, str]]
) -> list[tuple[str, str]]:
    """The overall figure, then each group of each breakdown the indicator is collected by:
    the register's groups, or for a breakdown that lists none the groups stored before.
    Groups stored for this indicator that the catalogue no longer lists come last, so that a
    correction made on the template leaves nothing in force out."""
    registered = {breakdown.id: breakdown for breakdown in catalogue.breakdowns}
    stored = [(breakdown, group) for indicator_id, breakdown, group in stored_keys
              if indicator_id == indicator.id and breakdown != ALL]
    groups = [(ALL, ALL)]
    for breakdown_id in indicator.breakdowns:
        breakdown = registered[breakdown_id]
        listed = breakdown.values or sorted({group for name, group in stored if name == breakdown.name})
        groups += [(breakdown.name, group) for group in listed]
    return list(dict.fromkeys([*groups, *stored]))


_IN_FORCE_COLUMNS = ["indicator_id", "breakdown", "breakdown_value", "numerator", "denominator", "value", "status",
                     "comment"]


def _rows_in_force(cursor: duckdb.DuckDBPyConnection, agency_id: str, period: str) -> pd.DataFrame:
    """The rows of the version in force for the quarter, as the agency sent them."""
    if none_stored(cursor, agency_id, [period]):  # in a batch, all but a correction's template
        return pd.DataFrame(columns=_IN_FORCE_COLUMNS)
    return cursor.execute(
        f"SELECT {', '.join(_IN_FORCE_COLUMNS)} FROM observations_in_force WHERE agency_id = ? AND period = ?",
        [agency_id, period],
    ).df()


def _figures_as_typed(line) -> dict:
    """A stored row written back into the template's cells: figures as numbers, a symbol
    where there is no figure, and 'u' after the figure it qualifies."""
    cells = {
        column: None if pd.isna(getattr(line, column)) else float(getattr(line, column))
        for column in ("numerator", "denominator", "value")
    }
    cells = {column: int(number) if number is not None and number.is_integer() else number
             for column, number in cells.items()}
    status = line.status if isinstance(line.status, str) else None
    qualified = next((column for column in ("value", "numerator", "denominator") if cells[column] is not None), None)
    if status == "u" and qualified:
        cells[qualified] = f"{cells[qualified]} u"
    elif status is not None and cells["value"] is None:
        cells["value"] = status
    cells["comment"] = line.comment if isinstance(line.comment, str) else None
    return cells


def _last_figure(row, indicator: Indicator, previous: str) -> str:
    if row is None:
        return f"none stored for {previous}"
    status = row.status if isinstance(row.status, str) else None
    if pd.notna(row.figure):
        shown = format_value(float(row.figure), indicator.unit)
        return f"{shown} ({status})" if status else shown
    return STATUS_LABELS.get(status, status)


def _as_text(value: object) -> object:
    """A comment or a figure as the return in force holds it: text that no spreadsheet runs as a
    formula (`downloads.safe_text`), a number as a number."""
    return safe_text(value) if isinstance(value, str) else value


def template_csv(rows: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    rows.map(_as_text).to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL)
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(
    rows: pd.DataFrame, catalogue: Catalogue, agency_id: str, quarter: Quarter, correcting: bool = False
) -> bytes:
    """The Excel template; ``correcting`` says that ``rows`` hold the version in force."""
    catalogue = catalogue.in_force(quarter)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Return"
    sheet.append(RETURN_COLUMNS + HELPER_COLUMNS)
    for record in rows.itertuples(index=False):
        sheet.append([None if pd.isna(value) else _as_text(value) for value in record])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    # Input columns are unlocked as whole columns (so rows added for breakdowns are too);
    # the cells already written carry their own style and are unlocked one by one.
    unlocked = Protection(locked=False)
    for index in range(1, len(RETURN_COLUMNS) + 1):
        sheet.column_dimensions[get_column_letter(index)].protection = unlocked
    # Every input cell has one style and every helper cell another: each is set on the first
    # cell and copied to the rest, openpyxl's way of copying a style, which looks nothing up
    # again (setting each part on each cell was over half of writing a workbook).
    _styled(sheet.iter_rows(min_row=2, max_row=len(rows) + 1, max_col=len(RETURN_COLUMNS)),
            protection=unlocked)
    _styled(sheet.iter_rows(min_row=2, max_row=len(rows) + 1, min_col=len(RETURN_COLUMNS) + 1,
                            max_col=len(RETURN_COLUMNS) + len(HELPER_COLUMNS)),
            fill=_HELPER_FILL, font=Font(italic=True, color="404040"),
            alignment=Alignment(wrap_text=True, vertical="top"))
    for letter, width in _WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "B2"
    _validate_figures(sheet, rows, catalogue)
    sheet["G1"].comment = Comment(
        f"The figure in the indicator's unit. Or a symbol: {_SYMBOLS_HINT}.", "Think Tank"
    )
    # Protection keeps the helper columns read-only. In a sheet's protection a flag set to
    # False means "not protected": people may insert rows (for a group the template does not
    # list), delete or sort them, and widen columns; the input cells of new rows are unlocked
    # through their columns' style.
    protection = sheet.protection
    protection.sheet = True
    protection.formatColumns = protection.formatRows = protection.insertRows = False
    protection.deleteRows = protection.sort = protection.autoFilter = False

    _evidence_sheet(workbook.create_sheet("Evidence"), catalogue, quarter)
    _about_sheet(workbook.create_sheet("About"), catalogue, agency_id, quarter, correcting)
    return stamped_workbook_bytes(workbook, template_stamp(quarter))


def _styled(rows, **parts) -> None:
    """Give every cell of ``rows`` (freshly written, so unstyled) the same ``parts`` of a style."""
    style = None
    for row in rows:
        for cell in row:
            if style is None:
                for name, part in parts.items():
                    setattr(cell, name, part)
                style = cell._style
            else:
                cell._style = copy(style)


def template_stamp(quarter: Quarter) -> dt.datetime:
    """A template's file times: the day after its quarter ends, so that the same template is
    always the same file."""
    return dt.datetime.combine(quarter.end + dt.timedelta(days=1), dt.time(0, 0))


def _validate_figures(sheet, rows: pd.DataFrame, catalogue: Catalogue) -> None:
    by_unit: dict[str, list[int]] = {}
    for offset, indicator_id in enumerate(rows["indicator_id"], start=2):
        by_unit.setdefault(catalogue.indicator_by_id[indicator_id].unit, []).append(offset)
    rules = {
        "count": ("whole", 0, None, "a whole number of 0 or more"),
        "days": ("whole", 0, None, "a whole number of days"),
        "percent": ("decimal", 0, 100, "a percentage from 0 to 100"),
        "score": ("decimal", 0, 10, "a score from 0 to 10"),
        "rate_per_10k": ("decimal", 0, None, "a rate of 0 or more"),
        "gbp": ("decimal", 0, None, "an amount in pounds"),
    }
    for unit, row_numbers in by_unit.items():
        kind, low, high, words = rules[unit]
        validation = DataValidation(
            type=kind, operator="between" if high is not None else "greaterThanOrEqual",
            formula1=str(low), formula2=str(high) if high is not None else None,
            allow_blank=True, showErrorMessage=True, errorStyle="warning",
            errorTitle="Check the figure",
            error=f"This should be {words}, or a symbol such as c or x. Keep it anyway?",
        )
        sheet.add_data_validation(validation)
        for row_number in row_numbers:
            validation.add(f"G{row_number}")
    counts = DataValidation(
        type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
        showErrorMessage=True, errorStyle="warning", errorTitle="Check the figure",
        error="A numerator or denominator is 0 or more, or a symbol such as c. Keep it anyway?",
    )
    sheet.add_data_validation(counts)
    counts.add(f"E2:F{len(rows) + 1 + SPARE_ROWS}")


def _evidence_sheet(sheet, catalogue: Catalogue, quarter: Quarter) -> None:
    sheet.append(EVIDENCE_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
    for letter, width in {"A": 24, "B": 22, "C": 18, "D": 40, "E": 80, "F": 12}.items():
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    lists = {
        "A": [theme.id for theme in catalogue.themes],
        "B": list(SOURCES),
        "C": list(SIGNS_OF_SAFETY),
    }
    for letter, choices in lists.items():
        validation = DataValidation(
            type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
            showErrorMessage=True, errorTitle="Choose from the list",
            error="Choose one of the listed entries.",
        )
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}200")
    sheet["F2"].value = None
    sheet["F1"].comment = Comment(f"Leave empty for {quarter.label}, the quarter of this return.", "Think Tank")


def _about_sheet(sheet, catalogue: Catalogue, agency_id: str, quarter: Quarter, correcting: bool) -> None:
    agency = catalogue.agency_by_id[agency_id]
    if correcting:
        opening = (
            f"You have already sent {quarter.label}, so this template holds the figures now in force. "
            "Change the ones that need correcting and upload it: the new version replaces the "
            "whole of the earlier one, so keep every row you are not changing."
        )
    else:
        opening = (
            "Each indicator has a row for its overall figure (breakdown 'All') and a row for each "
            "group it is collected by, such as breakdown 'Locality' and group 'Easington'."
        )
    lines = [
        (f"Quarterly return for {agency.name}, {quarter.label} "
        f"({quarter.start:%-d %B %Y} to {quarter.end:%-d %B %Y})"),
        opening,
        "",
        "How to fill it in",
        ("1. On the Return sheet, give each row's figure in the 'value' column, in the unit "
        "shown to the right. For a percentage or a rate you may give the numerator and "
        "denominator instead; a rate per 10,000 may give just the numerator."),
        ("2. Keep the period, breakdown and breakdown_value as they are. A group row left empty "
        "is not sent. To send a group that is not listed, insert a row (or use the empty rows "
        "below the last one) and type the indicator, period, breakdown and group yourself."),
        (f"3. Where there is no figure, write a symbol instead: {_SYMBOLS_HINT}. '12 u' keeps 12 "
        "and marks it as of low reliability."),
        ("4. Numbers may carry commas, % or £ signs. Percentages are 0 to 100 (45, 45% or 0.45 in a "
        "cell formatted as a percentage). Counts and days are whole numbers, scores 0 to 10."),
        "5. The grey columns are for reference and are not read. Extra columns are ignored.",
        ("6. On the Evidence sheet, add findings from audits, surveys and what children, families "
        "and practitioners say, with a theme, a source and a Signs of Safety heading."),
        "",
        "What happens when you upload",
        ("The upload page checks the file first and lists every problem with its row and column. "
        "Errors must be fixed: nothing can be stored until there are none. Warnings (a missing "
        "indicator, a big change from last quarter, groups that do not add up, rows in force "
        "that this version leaves out) can be accepted once you have checked them. Nothing is "
        "stored until you press 'Store this return'."),
        ("Uploading again later stores a new version, which replaces the whole of the earlier one "
        "in reports; the earlier one is kept in the history."),
    ]
    for line in lines:
        sheet.append([line])
    sheet.column_dimensions["A"].width = 120
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(bold=True, size=14)
    for row in sheet.iter_rows(min_row=2):
        if row[0].value in ("How to fill it in", "What happens when you upload"):
            row[0].font = Font(bold=True)
