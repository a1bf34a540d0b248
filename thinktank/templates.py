"""Ready-to-fill return templates for an agency and a quarter, as xlsx or csv.

The Return sheet has the contract's columns and one row per indicator the agency owns, with
read-only helper columns to its right (name, unit, definition, last quarter's figure) that
the reader ignores. Excel's data validation nudges towards the right kind of figure but
still lets symbols such as c or x be typed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from thinktank.catalogue import Catalogue, Indicator
from thinktank.downloads import stamped_workbook_bytes
from thinktank.formatting import STATUS_LABELS, format_value
from thinktank.ingest.cells import SYMBOLS
from thinktank.periods import Quarter
from thinktank.rules.evidence import SIGNS_OF_SAFETY, SOURCES
from thinktank.store.returns import figures_in_force

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
_SYMBOLS_HINT = ", ".join(STATUS_LABELS[status] for status in dict.fromkeys(SYMBOLS.values()))


def template_rows(
    cursor: duckdb.DuckDBPyConnection, catalogue: Catalogue, agency_id: str, quarter: Quarter
) -> pd.DataFrame:
    """One row per indicator the agency owns for the quarter, helper columns included."""
    indicators = [
        indicator for indicator in catalogue.indicators
        if indicator.owner == agency_id and indicator.is_active_in(quarter)
    ]
    previous = quarter.previous().label
    last = figures_in_force(cursor, agency_id, [previous])
    last = last[last["breakdown"] == "All"].set_index("indicator_id")
    return pd.DataFrame(
        [
            {
                "indicator_id": indicator.id, "period": quarter.label, "breakdown": "All",
                "breakdown_value": "All", "numerator": None, "denominator": None, "value": None,
                "comment": None,
                "name (for reference)": indicator.name,
                "unit (for reference)": indicator.unit_label,
                "definition (for reference)": indicator.definition,
                "last quarter (for reference)": _last_figure(last, indicator, previous),
            }
            for indicator in indicators
        ],
        columns=RETURN_COLUMNS + HELPER_COLUMNS,
    )


def _last_figure(last: pd.DataFrame, indicator: Indicator, previous: str) -> str:
    if indicator.id not in last.index:
        return f"none stored for {previous}"
    row = last.loc[indicator.id]
    if pd.notna(row["figure"]):
        shown = format_value(float(row["figure"]), indicator.unit)
        return f"{shown} ({row['status']})" if isinstance(row["status"], str) else shown
    return STATUS_LABELS.get(row["status"], row["status"])


def template_csv(rows: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    rows.to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL)
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(rows: pd.DataFrame, catalogue: Catalogue, agency_id: str, quarter: Quarter) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Return"
    sheet.append(RETURN_COLUMNS + HELPER_COLUMNS)
    for record in rows.itertuples(index=False):
        sheet.append([None if pd.isna(value) else value for value in record])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    # Input columns are unlocked as whole columns (so rows added for breakdowns are too);
    # the cells already written carry their own style and are unlocked one by one.
    unlocked = Protection(locked=False)
    for index in range(1, len(RETURN_COLUMNS) + 1):
        sheet.column_dimensions[get_column_letter(index)].protection = unlocked
    for row in sheet.iter_rows(min_row=2, max_row=len(rows) + 1, max_col=len(RETURN_COLUMNS)):
        for cell in row:
            cell.protection = unlocked
    for row in sheet.iter_rows(min_row=2, max_row=len(rows) + 1, min_col=len(RETURN_COLUMNS) + 1,
                               max_col=len(RETURN_COLUMNS) + len(HELPER_COLUMNS)):
        for cell in row:
            cell.fill = _HELPER_FILL
            cell.font = Font(italic=True, color="404040")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in _WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "B2"
    _validate_figures(sheet, rows, catalogue)
    sheet["G1"].comment = Comment(
        f"The figure in the indicator's unit. Or a symbol: {_SYMBOLS_HINT}.", "Think Tank"
    )
    # The helper columns are read-only; the figures, and spare rows for breakdowns, are not.
    protection = sheet.protection
    protection.sheet = True
    protection.formatColumns = protection.formatRows = protection.insertRows = False
    protection.deleteRows = protection.sort = protection.autoFilter = False

    _evidence_sheet(workbook.create_sheet("Evidence"), catalogue, quarter)
    _about_sheet(workbook.create_sheet("About"), catalogue, agency_id, quarter)
    return stamped_workbook_bytes(workbook, template_stamp(quarter))


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


def _about_sheet(sheet, catalogue: Catalogue, agency_id: str, quarter: Quarter) -> None:
    agency = catalogue.agency_by_id[agency_id]
    lines = [
        (f"Quarterly return for {agency.name}, {quarter.label} "
        f"({quarter.start:%-d %B %Y} to {quarter.end:%-d %B %Y})"),
        "",
        "How to fill it in",
        ("1. On the Return sheet, give each indicator's figure in the 'value' column, in the unit "
        "shown to the right. For a percentage or a rate you may give the numerator and "
        "denominator instead; a rate per 10,000 may give just the numerator."),
        ("2. Keep the period as it is. Breakdown and breakdown_value stay 'All' for the overall "
        "figure; add rows below for groups, such as breakdown 'Locality' and breakdown_value "
        "'Easington'."),
        (f"3. Where there is no figure, write a symbol instead: {_SYMBOLS_HINT}. '12 u' keeps 12 "
        "and marks it as of low reliability."),
        ("4. Numbers may carry commas, % or £ signs. Percentages are 0 to 100 (45, 45% or 0.45 in a "
        "cell formatted as a percentage). Counts and days are whole numbers, scores 0 to 10."),
        "5. The grey columns are for reference and are not read. Extra columns are ignored.",
        ("6. On the Evidence sheet, add findings from audits, surveys and what children, families "
        "and practitioners say, with a theme, a source and a Signs of Safety heading."),
        "",
        "What happens when you upload",
        ("Every problem is listed with its row and column. Errors must be fixed: nothing is stored "
        "until there are none. Warnings (a missing indicator, a big change from last quarter, "
        "groups that do not add up) can be accepted once you have checked them."),
        ("Uploading again later stores a new version, which replaces the earlier one in reports; "
        "the earlier one is kept in the history."),
    ]
    for line in lines:
        sheet.append([line])
    sheet.column_dimensions["A"].width = 120
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(bold=True, size=14)
    for row_number in (3, 12):
        sheet[f"A{row_number}"].font = Font(bold=True)
