"""Reading one cell as the quarterly-return contract says: numbers typed as text, percent
signs and percent formats, pound signs, thousands separators, the Government statistical
symbols, and the ways people write "nothing here"."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass

# Symbol -> stored status (`formatting.STATUS_MEANINGS` says what each means). `:` is "not
# available" like `x`; `k` rounds to zero like `low`.
SYMBOLS = {"c": "c", "x": "x", ":": "x", "z": "z", "low": "low", "k": "low", "u": "u"}
NOT_PROVIDED = frozenset({"", "-", "n/a", "na"})
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_WITH_RELIABILITY = re.compile(r"^(?P<number>.+?)\s*\[?u\]?$", re.IGNORECASE)
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(frozen=True)
class CellNumber:
    """A number cell read: a figure, a status symbol, both (``12 u``), or nothing."""

    number: float | None = None
    status: str | None = None
    problem: str | None = None

    @property
    def provided(self) -> bool:
        return self.number is not None or self.status is not None


def clean_text(value: object) -> str:
    """Text with every kind of space collapsed to one ordinary space, and trimmed."""
    return _SPACES.sub(" ", str(value)).strip()


def read_number(value: object, number_format: str | None = None) -> CellNumber:
    """Read a cell meant to hold a number, as the contract allows it to be written."""
    if value is None:
        return CellNumber()
    if isinstance(value, bool):
        return CellNumber(problem=f"'{value}' is not a number")
    if isinstance(value, (int, float)):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            return CellNumber(problem=f"'{value}' is not a number")
        if number_format and "%" in number_format:
            # Excel stores 45% as 0.45 and shows it as 45%; the figure meant is 45.
            number = round(number * 100, 10)
        return CellNumber(number=number)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return CellNumber(problem=f"'{value}' is a date, not a number")
    text = clean_text(value)
    lowered = text.lower()
    if lowered in NOT_PROVIDED:
        return CellNumber()
    symbol = lowered.strip("[]").strip()
    if symbol in SYMBOLS and (lowered == symbol or lowered == f"[{symbol}]"):
        return CellNumber(status=SYMBOLS[symbol])
    reliability = _WITH_RELIABILITY.match(text)
    if reliability and lowered != "u":
        figure = _read_text_number(reliability["number"])
        if figure is not None:
            return CellNumber(number=figure, status="u")
    figure = _read_text_number(text)
    if figure is None:
        return CellNumber(problem=f"'{text}' is not a number")
    return CellNumber(number=figure)


def _read_text_number(text: str) -> float | None:
    compact = text.strip().removeprefix("£").strip()
    if compact.endswith("%"):
        compact = compact[:-1].strip()
    if _THOUSANDS.match(compact.replace(" ", "")):
        compact = compact.replace(",", "")
    compact = compact.replace(" ", "")
    if not _NUMBER.match(compact):
        return None
    return float(compact)


def read_text(value: object) -> str | None:
    """A free-text or identifier cell: trimmed, with no text counted as nothing."""
    if value is None:
        return None
    if isinstance(value, str):
        return _read_string(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value)
    return text or None


@functools.lru_cache(maxsize=65_536)
def _read_string(value: str) -> str | None:
    """Memoised: a return repeats the same ids, breakdowns and groups on thousands of rows."""
    return clean_text(value) or None
