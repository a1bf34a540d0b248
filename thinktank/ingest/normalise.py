"""Every cell of a return as typed, normalised into one frame indexed by the row number Excel
shows: texts trimmed, periods read as quarters, numbers and statistical symbols parsed. A cell
that cannot be read becomes an issue here, and its row is marked so that later checks do not
report it again in other words."""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd

from schemas.returns import FIGURE_COLUMNS
from thinktank.errors import ThinkTankError
from thinktank.formatting import statuses_in_words
from thinktank.ingest.cells import SYMBOLS, read_number, read_text
from thinktank.ingest.reader import SheetRows
from thinktank.periods import Quarter, format_date
from thinktank.rules import Issue, issue, register
from thinktank.rules.example_inputs import POLICE_ROWS, ExampleReturn

ALL = "All"
NORMALISED_COLUMNS = (
    "row", "indicator_id", "breakdown", "breakdown_value", "comment", "period", "period_problem",
    "value", "numerator", "denominator", "value_decimals", "status", "cell_problem",
)

register("R204", "error", "Period cannot be read",
         "The period must be a financial-year quarter written as in the template, or a date "
         "inside the quarter.",
         ExampleReturn(*POLICE_ROWS, "FD06,Spring 2024,Locality,Durham,,,160,"), ("period",),
         what_to_do="Write the quarter as in the template, such as 2024-25 Q1, or a date inside it.")
# The statuses a number cell may carry as a symbol (c, x, z, low, u), each named once.
CELL_STATUSES = tuple(dict.fromkeys(SYMBOLS.values()))
register("R207", "error", "Text in a number column",
         "Numbers may be typed with commas, spaces, % or £, and the statistical symbols "
         f"{', '.join(CELL_STATUSES[:-1])} and {CELL_STATUSES[-1]} are understood; any other text is "
         "refused and quoted.",
         ExampleReturn("FD06,2024-25 Q1,All,All,,,about 1180,", *POLICE_ROWS[1:]), FIGURE_COLUMNS,
         what_to_do=f"Type the figure alone, or a symbol: {', '.join(CELL_STATUSES[:-1])} or {CELL_STATUSES[-1]}.")


def normalise_cells(sheet: SheetRows, chosen: Quarter | None, today: dt.date) -> tuple[pd.DataFrame, list[Issue]]:
    issues: list[Issue] = []
    # Built column by column: a dict per row would cost a backfill a hundred megabytes.
    columns: dict[str, list] = {name: [] for name in NORMALISED_COLUMNS}
    for row_number, cells in sheet.rows:
        problems_before = len(issues)
        columns["row"].append(row_number)
        for name in ("indicator_id", "breakdown", "breakdown_value", "comment"):
            cell = cells.get(name)
            columns[name].append(read_text(cell.value) if cell else None)
        period, period_problem = None, None
        if "period" in cells:
            try:
                raw_period = _period_input(cells["period"].value)
                period = (quarter_of(raw_period) if isinstance(raw_period, str) else Quarter.parse(raw_period)).label
            except ThinkTankError as error:
                period_problem = error.title
                issues.append(issue(
                    "R204", f"{error.title}. {error.hint}", sheet=sheet.sheet, row=row_number,
                    column="period", column_letter=sheet.letter("period"), value=cells["period"].value,
                ))
        elif chosen is not None:
            period = chosen.label
        columns["period"].append(period)
        columns["period_problem"].append(period_problem)
        status, decimals = None, None
        for column in ("value", "numerator", "denominator"):
            cell = cells.get(column)
            parsed = read_number(cell.value, cell.number_format) if cell else read_number(None)
            columns[column].append(parsed.number)
            if parsed.problem:
                issues.append(issue(
                    "R207",
                    f"{parsed.problem}. Type the figure, or a symbol: {statuses_in_words(CELL_STATUSES)}.",
                    sheet=sheet.sheet, row=row_number, column=column,
                    column_letter=sheet.letter(column), value=cell.value,
                ))
            status = status or parsed.status
            if column == "value" and parsed.number is not None:
                decimals = _shown_decimals(cell.value, cell.number_format)
        columns["value_decimals"].append(decimals)
        columns["status"].append(status)
        columns["cell_problem"].append(len(issues) > problems_before)
    frame = pd.DataFrame(columns).set_index("row")
    frame["indicator_id"] = frame["indicator_id"].map(_upper, na_action="ignore")
    for column in ("indicator_id", "breakdown", "breakdown_value", "comment", "period",
                   "period_problem", "status"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    for column in (*FIGURE_COLUMNS, "value_decimals"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["breakdown"] = frame["breakdown"].where(frame["breakdown"].notna(), ALL)
    frame["breakdown_value"] = frame["breakdown_value"].where(frame["breakdown_value"].notna(), ALL)
    frame["chosen_period"] = chosen.label if chosen else None
    # A backfill repeats a few labels thousands of times: work each out once.
    quarters = {label: quarter_of(label) for label in frame["period"].dropna().unique()}
    frame["period_key"] = frame["period"].map({label: q.fy_start * 10 + q.number for label, q in quarters.items()})
    frame["period_end"] = frame["period"].map({label: format_date(q.end) for label, q in quarters.items()})
    frame["financial_year"] = frame["period"].map({label: q.financial_year for label, q in quarters.items()})
    frame["period_is_future"] = frame["period"].map(
        {label: q.is_future(today) for label, q in quarters.items()}
    ).fillna(False).astype(bool)
    frame["has_figure"] = frame[list(FIGURE_COLUMNS)].notna().any(axis=1) | frame["status"].notna()
    return frame, issues


@functools.lru_cache(maxsize=4096)
def quarter_of(label: str) -> Quarter:
    """Parsing is memoised: a backfill repeats the same few quarter labels thousands of times."""
    return Quarter.parse(label)


def _upper(text: str | None) -> str | None:
    return text.upper() if text else None


def _period_input(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, (dt.date, dt.datetime)) else str(value)


def _shown_decimals(raw: object, number_format: str | None) -> int:
    if number_format and ("0" in number_format) and not isinstance(raw, str) and number_format != "General":
        decimals = number_format.split(".")[1] if "." in number_format else ""
        shown = sum(1 for char in decimals if char == "0")
        return shown
    text = str(raw).strip().rstrip("%").strip().replace(",", "")
    if isinstance(raw, float):
        text = repr(raw)
    return len(text.split(".")[1]) if "." in text else 0
