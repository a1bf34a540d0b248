"""The small inputs that each problem code's example is made of.

Every code is registered with one of these, and the message shown in ``docs/rules.md`` and on
the Rules page is what the real checks say when they are run on it (``thinktank/rules/
examples.py``), so a documented example cannot drift from the code. The examples are run
against the frozen partnership in ``example_data/`` (see its README), whose police return for
2024-25 Q1 is `POLICE_ROWS`.

- `ExampleReturn`: a few csv rows of a return (and, for history rules, rows already stored).
- `ExampleFile`: a whole file, as a name and a function making its bytes.
- `ExampleCrash`: a return on which a rule is made to crash.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

RETURN_HEADER = "indicator_id,period,breakdown,breakdown_value,numerator,denominator,value,comment"
EXAMPLE_PERIOD = "2024-25 Q1"
# The example police return for 2024-25 Q1 that passes every check, to change one row of.
POLICE_ROWS = ("FD06,2024-25 Q1,All,All,,,1180,", "AS06,2024-25 Q1,All,All,88,92,,", "HO01,2024-25 Q1,All,All,,,410,")


@dataclass(frozen=True, init=False)
class ExampleReturn:
    """A tiny return: csv ``rows`` under the template's columns, sent by ``agency`` with the
    quarter ``period`` chosen in the upload form (None: the rows say their quarter).

    ``stored`` rows form a return already in force when this one arrives (for rules that read
    the history); ``evidence`` rows (a header first) make it a workbook with an Evidence sheet.
    """

    rows: tuple[str, ...]
    agency: str
    period: str | None
    stored: tuple[str, ...]
    stored_period: str | None
    evidence: tuple[tuple[str, ...], ...]
    header: str

    def __init__(
        self, *rows: str, agency: str = "police", period: str | None = EXAMPLE_PERIOD,
        stored: Sequence[str] = (), stored_period: str | None = None,
        evidence: Sequence[Sequence[str]] = (), header: str = RETURN_HEADER,
    ) -> None:
        for name, value in (
            ("rows", tuple(rows)), ("agency", agency), ("period", period), ("stored", tuple(stored)),
            ("stored_period", stored_period), ("evidence", tuple(tuple(row) for row in evidence)),
            ("header", header),
        ):
            object.__setattr__(self, name, value)

    @property
    def file_name(self) -> str:
        return "return.xlsx" if self.evidence else "return.csv"

    def content(self) -> bytes:
        if self.evidence:
            return_rows = [self.header.split(","), *(row.split(",") for row in self.rows)]
            return workbook({"Return": return_rows, "Evidence": [list(row) for row in self.evidence]})
        return csv_text(self.header, self.rows)


@dataclass(frozen=True)
class ExampleFile:
    """A whole file that the checks refuse: its name, and a function that makes its bytes
    (some are megabytes, made only when the example runs)."""

    file_name: str
    content: Callable[[], bytes]


@dataclass(frozen=True)
class ExampleCrash:
    """A return on which the cross-row rule ``rule`` is made to raise ``ZeroDivisionError``."""

    rule: str
    sent: ExampleReturn


Example = ExampleReturn | ExampleFile | ExampleCrash


def csv_text(header: str, rows: Sequence[str]) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def workbook(sheets: dict[str, list[list[str]]]) -> bytes:
    """An .xlsx with these sheets; a cell that reads as a number is written as one."""
    import openpyxl  # only the examples need it here

    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append([_cell(text) for text in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(text: str) -> object:
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return text
