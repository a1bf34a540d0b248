"""Running the checks on a normalised return: the row checks of the Pandera model, then every
cross-row and history rule. A rule that crashes is reported as X901, never as a pass."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

import thinktank.rules.related  # noqa: F401  (importing it registers R306 with the cross-row rules)
from schemas.returns import ROW_CHECKS, failed_rows
from thinktank.ingest.reader import SheetRows
from thinktank.rules import RULES, Issue, Rule, issue
from thinktank.rules import resubmission as resubmission_rules  # noqa: F401  (registers R307)
from thinktank.rules import returns as cross_row_rules
from thinktank.rules.context import ReturnContext

ROW_CHECK_COLUMNS = {spec.code: spec.column for spec, _ in ROW_CHECKS}


def row_check_issues_together(returns: Sequence[tuple[pd.DataFrame, SheetRows]]) -> list[list[Issue]]:
    """Each return's row check issues, from one Pandera pass over the rows of them all: every
    check reads a row on its own, so a row fails together exactly as it fails alone, and each
    return's issues come in the order they would alone."""
    # Rows whose cells could not be read are reported already; checking them again would
    # only repeat the same problem in other words.
    checkables = [frame[~frame["cell_problem"]] if frame["cell_problem"].any() else frame for frame, _ in returns]
    if len(checkables) == 1:  # a return alone (every upload) is checked as it is, never copied
        together, owners, rows = checkables[0], None, None
    else:
        together = pd.concat(checkables, ignore_index=True).rename_axis("row")
        owners = np.repeat(np.arange(len(checkables)), [len(frame) for frame in checkables])
        rows = np.concatenate([frame.index.to_numpy() for frame in checkables])
    issues: list[list[Issue]] = [[] for _ in returns]
    for spec, position in failed_rows(together):
        owner, row = (0, position) if owners is None else (int(owners[position]), int(rows[position]))
        line, sheet = checkables[owner].loc[row], returns[owner][1]
        issues[owner].append(issue(
            spec.code, spec.describe(line), sheet=sheet.sheet, row=row, column=spec.column,
            column_letter=sheet.letter(spec.column),
            value=_cell_value(line, spec.column),
        ))
    return issues


def _cell_value(line: pd.Series, column: str) -> object:
    value = line.get(column)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float):
        return f"{value:,.10g}"
    return value


def cross_row_issues(context: ReturnContext, sheet: SheetRows) -> list[Issue]:
    issues = []
    for registered in RULES:
        if registered.family == cross_row_rules.FAMILY:
            issues += rule_issues(registered, context, sheet)
    return issues


def rule_issues(registered: Rule, context: ReturnContext, sheet: SheetRows) -> list[Issue]:
    """What one rule finds, located; a rule that crashes is one X901 error instead."""
    try:
        findings = list(registered.function(context))
    except Exception as crash:  # a broken rule must never pass silently
        return [issue(
            "X901",
            f"Check {registered.code} could not run ({type(crash).__name__}: {crash}). "
            "The return cannot be accepted until it does; please tell the Think Tank team.",
            sheet=sheet.sheet,
        )]
    # A backfill's rule can find tens of thousands of rows: each column's letter is worked out
    # once, not once a finding.
    letters: dict[str | None, str | None] = {None: None}
    issues = []
    for finding in findings:
        column = finding.column or ROW_CHECK_COLUMNS.get(registered.code)
        if column not in letters:
            letters[column] = sheet.letter(column)
        issues.append(issue(
            registered.code, finding.message, sheet=sheet.sheet,
            row=None if finding.row_index is None else int(finding.row_index),
            column=column, column_letter=letters[column], value=finding.value,
        ))
    return issues
