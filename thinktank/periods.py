"""Financial-year quarters, as the quarterly-return contract defines them.

Q1 is April to June, Q2 July to September, Q3 October to December and Q4 January to March
of the following calendar year. The canonical label is ``2024-25 Q1``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Self

from thinktank.errors import PeriodError

ACCEPTED_SPELLINGS = (
    "2024-25 Q1",
    "2024/25 Q1",
    "2024-2025 Q1",
    "Q1 2024-25",
    "Q1 2024/25",
    "2024-25 q1",
    "a date such as 2024-06-30 (the quarter that contains it)",
)

_QUARTER_START_MONTH = {1: 4, 2: 7, 3: 10, 4: 1}
_YEARS = r"(?P<start>\d{4})\s*[-/\u2013]\s*(?P<end>\d{2}|\d{4})"
_QUARTER = r"Q\s*(?P<quarter>[1-4])"
_LABEL_PATTERNS = (
    re.compile(rf"^{_YEARS}\s*,?\s*{_QUARTER}$", re.IGNORECASE),
    re.compile(rf"^{_QUARTER}\s*,?\s*{_YEARS}$", re.IGNORECASE),
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")


@dataclass(frozen=True, order=True, slots=True)
class Quarter:
    """One financial-year quarter; ``fy_start`` is the calendar year the financial year starts in."""

    fy_start: int
    number: int

    def __post_init__(self) -> None:
        if self.number not in _QUARTER_START_MONTH:
            raise ValueError(f"quarter number must be 1 to 4, not {self.number}")

    @property
    def financial_year(self) -> str:
        return f"{self.fy_start}-{(self.fy_start + 1) % 100:02d}"

    @property
    def label(self) -> str:
        return f"{self.financial_year} Q{self.number}"

    @property
    def index(self) -> int:
        """A whole number per quarter, one apart: what the store's ``quarter_index`` gives."""
        return self.fy_start * 4 + self.number - 1

    @classmethod
    def from_index(cls, index: int) -> Self:
        return cls(index // 4, index % 4 + 1)

    @property
    def start(self) -> dt.date:
        month = _QUARTER_START_MONTH[self.number]
        year = self.fy_start + 1 if self.number == 4 else self.fy_start
        return dt.date(year, month, 1)

    @property
    def end(self) -> dt.date:
        return self.next().start - dt.timedelta(days=1)

    def previous(self) -> Quarter:
        if self.number == 1:
            return Quarter(self.fy_start - 1, 4)
        return Quarter(self.fy_start, self.number - 1)

    def next(self) -> Quarter:
        if self.number == 4:
            return Quarter(self.fy_start + 1, 1)
        return Quarter(self.fy_start, self.number + 1)

    def same_quarter_last_year(self) -> Quarter:
        return Quarter(self.fy_start - 1, self.number)

    def is_future(self, today: dt.date) -> bool:
        """A quarter that has not ended by ``today`` cannot be reported on yet."""
        return self.end > today

    @classmethod
    def containing(cls, day: dt.date) -> Self:
        number = (day.month - 4) % 12 // 3 + 1
        fy_start = day.year if day.month >= 4 else day.year - 1
        return cls(fy_start, number)

    @classmethod
    def parse(cls, value: object) -> Self:
        """Read any accepted spelling, a date or a datetime; raise `PeriodError` otherwise."""
        if isinstance(value, dt.datetime):
            return cls.containing(value.date())
        if isinstance(value, dt.date):
            return cls.containing(value)
        if isinstance(value, cls):
            return value
        if not isinstance(value, str):
            raise _unreadable(value)
        text = " ".join(value.replace("\u00a0", " ").split())
        for pattern in _LABEL_PATTERNS:
            match = pattern.match(text)
            if match:
                return cls(_checked_fy_start(match, value), int(match["quarter"]))
        iso = _ISO_DATE.match(text)
        if iso:
            try:
                return cls.containing(dt.date(*(int(part) for part in iso.groups())))
            except ValueError as not_a_date:
                raise _unreadable(value) from not_a_date
        raise _unreadable(value)

    def __str__(self) -> str:
        return self.label


def _checked_fy_start(match: re.Match[str], original: str) -> int:
    start, end = int(match["start"]), match["end"]
    expected_end = start + 1 if len(end) == 4 else (start + 1) % 100
    if int(end) != expected_end:
        raise PeriodError(
            f"'{original}' is not a financial year: {start} is followed by "
            f"{start + 1}, not {end}",
            f"Write the financial year as {start}-{(start + 1) % 100:02d}.",
        )
    return start


def _unreadable(value: object) -> PeriodError:
    return PeriodError(
        f"'{value}' cannot be read as a financial-year quarter",
        "Write the quarter as, for example, " + ", ".join(ACCEPTED_SPELLINGS[:-1])
        + ", or give " + ACCEPTED_SPELLINGS[-1] + ".",
    )


def quarters_between(first: Quarter, last: Quarter) -> list[Quarter]:
    """Every quarter from ``first`` to ``last`` inclusive, in order."""
    quarters = []
    current = first
    while current <= last:
        quarters.append(current)
        current = current.next()
    return quarters


def latest_complete_quarter(today: dt.date) -> Quarter:
    """The most recent quarter that has ended by ``today``."""
    return Quarter.containing(today).previous()


def format_date(day: dt.date) -> str:
    """Dates as UK public-sector readers expect them: 31 March 2025."""
    return f"{day.day} {day:%B %Y}"
