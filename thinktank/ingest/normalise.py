"""Every cell of a return as typed, normalised into one frame indexed by the row number Excel
shows: texts trimmed, periods read as quarters, numbers and statistical symbols parsed. A cell
that cannot be read becomes an issue here, and its row is marked so that later checks do not
report it again in other words."""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np
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
    count = len(sheet.row_numbers)
    absent = [None] * count
    columns: dict[str, list] = {name: [] for name in NORMALISED_COLUMNS}
    columns["row"] = sheet.row_numbers
    # Each distinct cell is read once: a backfill repeats the same ids, quarters, groups and
    # figures on thousands of rows.
    for name in ("indicator_id", "breakdown", "breakdown_value", "comment"):
        texts = sheet.values.get(name, absent)
        columns[name] = _each_distinct(_keys(texts), lambda position, texts=texts: read_text(texts[position]))
    # (row position, column order, issue): put back in the order the cells are met.
    located: list[tuple[int, int, Issue]] = []
    raw_periods = sheet.values.get("period")
    if raw_periods is None:
        columns["period"] = [chosen.label if chosen is not None else None] * count
        columns["period_problem"] = absent
    else:
        periods = _each_distinct(_keys(raw_periods), lambda position: _read_period(raw_periods[position]))
        # A row that leaves the period empty is for the quarter chosen in the form, if any.
        default = chosen.label if chosen is not None else None
        columns["period"] = [default if raw is None else label for raw, (label, _) in zip(raw_periods, periods, strict=True)]
        columns["period_problem"] = [problem.title if problem else None for _, problem in periods]
        for position, (_, problem) in enumerate(periods):
            if problem is not None:
                located.append((position, 0, issue(
                    "R204", f"{problem.title}. {problem.hint}", sheet=sheet.sheet,
                    row=sheet.row_numbers[position], column="period", column_letter=sheet.letter("period"),
                    value=raw_periods[position],
                )))
    statuses: list[list[str | None]] = []
    for order, column in enumerate(("value", "numerator", "denominator"), start=1):
        raw, formats = sheet.values.get(column, absent), sheet.formats.get(column, absent)
        keys = _keys(raw, formats)
        parsed = _each_distinct(keys, lambda position, raw=raw, formats=formats: read_number(raw[position],
                                                                                              formats[position]))
        columns[column] = [reading.number for reading in parsed]
        statuses.append([reading.status for reading in parsed])
        if column == "value":
            columns["value_decimals"] = _each_distinct(keys, lambda position, raw=raw, formats=formats, parsed=parsed: (
                _shown_decimals(raw[position], formats[position]) if parsed[position].number is not None else None
            ))
        for position, reading in enumerate(parsed):
            if reading.problem:
                located.append((position, order, issue(
                    "R207",
                    f"{reading.problem}. Type the figure, or a symbol: {statuses_in_words(CELL_STATUSES)}.",
                    sheet=sheet.sheet, row=sheet.row_numbers[position], column=column,
                    column_letter=sheet.letter(column), value=raw[position],
                )))
    columns["status"] = [value or numerator or denominator for value, numerator, denominator in zip(*statuses, strict=True)]
    located.sort(key=lambda item: item[:2])
    problem_rows = {position for position, _, _ in located}
    columns["cell_problem"] = [position in problem_rows for position in range(count)]
    issues = [found for _, _, found in located]
    ids = columns["indicator_id"]
    columns["indicator_id"] = _each_distinct(_keys(ids), lambda position: _upper(ids[position]))
    for column in ("breakdown", "breakdown_value"):
        columns[column] = [ALL if text is None else text for text in columns[column]]
    # Texts stay Python objects with None for a gap (pandas would make them Arrow strings, and
    # the checks read them back one by one); figures are floats with NaN for a gap.
    index = pd.Index(columns.pop("row"), dtype="int64", name="row")
    numeric = (*FIGURE_COLUMNS, "value_decimals")
    frame = pd.DataFrame({
        name: pd.Series(np.array(values, dtype=float) if name in numeric else values, index=index,
                        dtype=float if name in numeric else bool if name == "cell_problem" else object)
        for name, values in columns.items()
    })
    frame["chosen_period"] = chosen.label if chosen else None
    # A backfill repeats a few labels thousands of times: work each out once.
    quarters = {label: quarter_of(label) for label in frame["period"].dropna().unique()}
    periods = DistinctValues(frame["period"])
    frame["period_key"] = periods.lookup({label: quarter_key(label) for label in quarters}, float, math.nan)
    frame["period_end"] = periods.lookup({label: format_date(q.end) for label, q in quarters.items()})
    frame["financial_year"] = periods.lookup({label: q.financial_year for label, q in quarters.items()})
    frame["period_is_future"] = periods.lookup({label: q.is_future(today) for label, q in quarters.items()},
                                               bool, False)
    frame["has_figure"] = frame[list(FIGURE_COLUMNS)].notna().any(axis=1) | frame["status"].notna()
    return frame, issues


def _each_distinct(keys: list, read: Callable[[int], Any]) -> list:
    """For each position, ``read`` of it, worked out once for each distinct key (from `_keys`)
    at one of the positions holding that key."""
    at = dict(zip(keys, range(len(keys)), strict=True))
    distinct = {key: read(position) for key, position in at.items()}
    return list(map(distinct.__getitem__, keys))


def _keys(values: list, formats: list | None = None) -> list:
    """What tells two cells apart: the value, with its number format where the numbers have
    more than one, and with its type where they are of more than one kind (True, 1 and 1.0 are
    three cells, but one key in a dict)."""
    mixed = len(set(map(type, values)) & _NUMBER_KINDS) > 1
    formatted = formats is not None and len(set(formats) - {None}) > 1
    if not (mixed or formatted):
        return values
    return list(zip(map(type, values), values, formats or [None] * len(values), strict=True))


_NUMBER_KINDS = {bool, int, float}


class DistinctValues:
    """A column's distinct values, found once, and which of them each row holds: to look up
    several facts of each value (its quarter's key, end and year) once per value, not per row."""

    def __init__(self, values: pd.Series) -> None:
        first, self._which = distinct_positions(values)
        self._distinct = values.to_numpy(dtype=object)[first]
        self._index = values.index

    def lookup(self, lookup: dict, dtype: object = object, missing: object = None) -> pd.Series:
        """Each row's value's entry in ``lookup`` (``missing`` where it has none), as ``dtype``.
        Where Series.map would make texts Arrow strings, which the checks then read back one at
        a time, these stay Python objects."""
        found = np.array([lookup.get(value, missing) for value in self._distinct] + [missing], dtype=object)
        return pd.Series(found[self._which], index=self._index, dtype=dtype)


def by_lookup(values: pd.Series, lookup: dict, dtype: object = object, missing: object = None) -> pd.Series:
    """Each value's entry in ``lookup``, as `DistinctValues.lookup` gives it, for one fact."""
    return DistinctValues(values).lookup(lookup, dtype, missing)


def distinct_positions(*columns: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Where each distinct combination of these columns' values first appears, and which of them
    each row holds: to work a fact out once per distinct value rather than once per row. A gap
    (None or NaN) is a value like any other."""
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=False)
        combined = combined * (len(uniques) + 1) + codes
    # Numbered in the order each combination first appears (hashed, where sorting them cost a
    # backfill more), so a combination first appears where its number passes every before it.
    which = pd.factorize(combined)[0] if len(columns) > 1 else combined
    if not len(which):
        return which, which
    first = np.flatnonzero(np.concatenate(([True], which[1:] > np.maximum.accumulate(which)[:-1])))
    return first, which


def _read_period(value: object) -> tuple[str | None, ThinkTankError | None]:
    if value is None:
        return None, None
    try:
        raw_period = _period_input(value)
        return (quarter_of(raw_period) if isinstance(raw_period, str) else Quarter.parse(raw_period)).label, None
    except ThinkTankError as error:
        return None, error


@functools.lru_cache(maxsize=4096)
def quarter_of(label: str) -> Quarter:
    """Parsing is memoised: a backfill repeats the same few quarter labels thousands of times."""
    return Quarter.parse(label)


def quarter_key(label: object) -> float:
    """A quarter label as a number that sorts as the quarters do (a row's period against an
    indicator's first and last quarters); NaN for no label."""
    if not isinstance(label, str):
        return math.nan
    quarter = quarter_of(label)
    return quarter.fy_start * 10 + quarter.number


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
