"""Every problem a return can have, under one stable code and in one shape.

Each code is registered once with its severity, the columns it touches, a plain-English
explanation, what to do about it, and an example input (`example_inputs`), so the upload page,
the CLI, the downloadable report, the Rules page and ``docs/rules.md`` all say the same thing.
The example message they show is what the checks say when run on that input, never a copy.

Rules that need more than one row or the stored history are small functions registered with
`@rule`; a rule that crashes is reported as error ``X901``, never as a pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import pandas as pd

from thinktank.rules.example_inputs import POLICE_ROWS, Example, ExampleCrash, ExampleReturn

Severity = Literal["error", "warning"]
ISSUE_COLUMNS = ["severity", "code", "sheet", "row", "column", "column_letter", "value", "message"]


@dataclass(frozen=True)
class Issue:
    """One problem, located as Excel shows it: sheet, row number, column name and letter."""

    severity: Severity
    code: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    column_letter: str | None = None
    value: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {key: asdict(self)[key] for key in ISSUE_COLUMNS}


@dataclass(frozen=True)
class Code:
    code: str
    severity: Severity
    title: str
    explanation: str
    example: Example  # an input the checks find this problem in, run to show its message
    fields: tuple[str, ...] = ()
    what_to_do: str = ""


CODES: dict[str, Code] = {}


def register(
    code: str, severity: Severity, title: str, explanation: str, example: Example,
    fields: tuple[str, ...] = (), what_to_do: str = "",
) -> Code:
    """Register a code; ``tests/test_architecture.py`` names any code whose example is not an
    input that produces it, or that does not say what to do."""
    if code in CODES:
        raise ValueError(f"rule code {code} is registered twice")
    CODES[code] = Code(code, severity, title, explanation, example, fields, what_to_do)
    return CODES[code]


def issue(code: str, message: str, **where: Any) -> Issue:
    """An issue under a registered code, taking the code's severity."""
    spec = CODES[code]
    value = where.pop("value", None)
    return Issue(
        severity=spec.severity, code=code, message=message,
        value=None if value is None else _shown(value), **where,
    )


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


@dataclass(frozen=True)
class Finding:
    """What a rule function reports: which row (by its frame index) and what to say."""

    row_index: Any
    message: str
    column: str | None = None
    value: Any = None


@dataclass(frozen=True)
class Rule:
    code: str
    function: Callable[..., Iterable[Finding]]
    family: str = field(default="returns")


RULES: list[Rule] = []


def rule(
    code: str, severity: Severity, title: str, explanation: str, example: Example,
    fields: tuple[str, ...] = (), family: str = "returns", what_to_do: str = "",
) -> Callable[[Callable[..., Iterable[Finding]]], Callable[..., Iterable[Finding]]]:
    """Register a rule function under a code; it yields a `Finding` per problem."""

    def decorate(function: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        register(code, severity, title, explanation, example, fields, what_to_do)
        RULES.append(Rule(code, function, family))
        return function

    return decorate


register(
    "X901", "error", "A check could not run",
    "One of the checks failed while reading your return. This is a fault in Think Tank, not "
    "in your file, but the return cannot be accepted until every check has run.",
    ExampleCrash("R305", ExampleReturn(*POLICE_ROWS)),
    what_to_do="Tell the Think Tank team, with the file; the message names the check that failed.",
)


def issues_frame(issues: Iterable[Issue]) -> pd.DataFrame:
    """The one issue table, sorted as a person reads a file: sheet, row, column."""
    frame = pd.DataFrame([item.as_dict() for item in issues], columns=ISSUE_COLUMNS)
    if frame.empty:
        return frame
    frame["row"] = frame["row"].astype("Int64")
    # Errors first (they must be fixed), then in the order a person reads the file.
    letters = frame["column_letter"].fillna("")
    return (
        frame.assign(
            _severity=frame["severity"].map({"error": 0, "warning": 1}),
            _letter=letters.str.len().astype(str) + letters,
        )
        .sort_values(["_severity", "sheet", "row", "_letter", "code"], na_position="first", kind="stable")
        .drop(columns=["_severity", "_letter"])
        .reset_index(drop=True)
    )
