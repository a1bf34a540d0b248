"""Validating a return, in the order a return travels through `thinktank/ingest/`:

1. `access`: may this user send a return for this agency?
2. `sniff` and `reader`: is the file what it says, and safe; which sheet and header row hold it?
3. `normalise`: every cell read as text, quarter, number or symbol.
4. `catalogue_facts`: what the catalogue knows about each row, and the figure worked out.
5. `checks`: the row checks (Pandera, from the catalogue), then every cross-row and history rule.

The result is one report holding every problem found, never just the first, and the normalised
rows ready to store."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from schemas.returns import FIGURE_COLUMNS
from thinktank.catalogue import Catalogue
from thinktank.ingest.access import check_agency
from thinktank.ingest.catalogue_facts import with_catalogue_facts
from thinktank.ingest.checks import cross_row_issues, row_check_issues_together
from thinktank.ingest.collector import collector_paused
from thinktank.ingest.limits import Limits
from thinktank.ingest.normalise import normalise_cells
from thinktank.ingest.reader import SheetRows, read_return
from thinktank.ingest.sniff import sniff
from thinktank.periods import Quarter
from thinktank.rules import Issue, issue, issues_frame
from thinktank.rules.context import ReturnContext
from thinktank.rules.evidence import read_evidence
from thinktank.store.returns import OBSERVATION_COLUMNS
from thinktank.users import User

RETURN_COLUMNS = {
    "indicator_id", "period", "breakdown", "breakdown_value", "numerator", "denominator",
    "value", "comment",
}
EVIDENCE_COLUMNS = {"theme", "source", "signs_of_safety", "title", "detail", "period"}


@dataclass
class ValidationReport:
    file_name: str
    sha256: str
    agency_id: str
    chosen_period: str | None
    rows_read: int = 0
    issues: list[Issue] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    observations: pd.DataFrame = field(default_factory=pd.DataFrame)
    evidence: pd.DataFrame = field(default_factory=pd.DataFrame)
    rows: pd.DataFrame = field(default_factory=pd.DataFrame)  # every row read, by Excel row
    return_sheet: str | None = None

    @property
    def errors(self) -> int:
        return sum(item.severity == "error" for item in self.issues)

    @property
    def warnings(self) -> int:
        return sum(item.severity == "warning" for item in self.issues)

    @property
    def accepted(self) -> bool:
        return self.errors == 0

    @property
    def periods(self) -> list[str]:
        if self.observations.empty:
            return [self.chosen_period] if self.chosen_period else []
        # Its distinct labels by hashing, not a set built from a backfill's rows one by one.
        return sorted(self.observations["period"].dropna().unique(), key=Quarter.parse)

    def issue_table(self) -> pd.DataFrame:
        return issues_frame(self.issues)

    def rows_with_problems(self) -> pd.DataFrame:
        """The rows as read, each with the codes of its problems and its worst severity."""
        frame = self.rows
        if frame.empty:
            return frame
        table = self.issue_table()
        located = table[table["row"].notna() & (table["sheet"] == self.return_sheet)]
        by_row = located.groupby("row").agg(
            problems=("code", lambda codes: ", ".join(sorted(set(codes)))),
            worst=("severity", lambda severities: "error" if "error" in set(severities) else "warning"),
        )
        shown = frame[["indicator_id", "period", "breakdown", "breakdown_value", "numerator",
                       "denominator", "value", "status", "comment"]].astype(dict.fromkeys(FIGURE_COLUMNS, object))
        # A figure that could not be read is shown as it was typed ('about 1700'), not as a gap.
        unreadable = located[(located["code"] == "R207") & located["column"].isin(FIGURE_COLUMNS)]
        for line in unreadable.itertuples():
            shown.at[line.row, line.column] = str(line.value)
        return shown.join(by_row, how="left")


def validate_return(
    cursor: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
    content: bytes,
    file_name: str,
    agency_id: str,
    chosen_period: Quarter | None,
    actor: User,
    today: dt.date,
    limits: Limits,
) -> ValidationReport:
    with collector_paused():
        prepared = prepare_return(catalogue, content, file_name, agency_id, chosen_period, actor, today, limits)
        add_row_checks([prepared], catalogue, cursor)
        return finish_return(prepared, cursor, catalogue)


@dataclass
class PreparedReturn:
    """A return read and normalised, before the checks that read the catalogue and the store.
    ``frame`` is None once the report is final (refused on reading, or without figures)."""

    report: ValidationReport
    chosen_period: Quarter | None
    today: dt.date
    frame: pd.DataFrame | None = None
    sheet: SheetRows | None = None
    evidence: SheetRows | None = None


def prepare_return(
    catalogue: Catalogue,
    content: bytes,
    file_name: str,
    agency_id: str,
    chosen_period: Quarter | None,
    actor: User,
    today: dt.date,
    limits: Limits,
) -> PreparedReturn:
    """Steps 1 to 3: who sends it, the file, and every cell read. Reads nothing stored."""
    check_agency(catalogue, agency_id, actor)
    report = ValidationReport(
        file_name=file_name,
        sha256=hashlib.sha256(content).hexdigest(),
        agency_id=agency_id,
        chosen_period=chosen_period.label if chosen_period else None,
    )
    prepared = PreparedReturn(report, chosen_period, today)
    sniffed = sniff(content, file_name, limits)
    if sniffed.kind is None:
        report.issues += sniffed.issues
        return prepared
    read = read_return(
        content, sniffed.kind, file_name,
        {"return": RETURN_COLUMNS, "evidence": EVIDENCE_COLUMNS}, limits,
    )
    report.issues += read.issues
    sheet = read.returns
    if sheet is None:
        return prepared
    report.rows_read = len(sheet.row_numbers)
    report.ignored_columns = sheet.ignored_columns
    report.return_sheet = sheet.sheet
    if "period" not in sheet.columns and chosen_period is None:
        report.issues.append(issue(
            "F112", "There is no 'period' column. Add one, or choose the quarter in the upload form.",
            sheet=sheet.sheet, row=sheet.header_row,
        ))
    if not set(FIGURE_COLUMNS) & set(sheet.columns):
        report.issues.append(issue(
            "F112", "There is no 'value' column (nor numerator and denominator). Add the figures "
            "under a 'value' column as in the template.",
            sheet=sheet.sheet, row=sheet.header_row,
        ))
    if any(item.severity == "error" for item in report.issues):
        return prepared

    frame, cell_issues = normalise_cells(sheet, chosen_period, today)
    sheet.release()
    report.issues += cell_issues
    report.rows = frame
    if not (frame["has_figure"] | frame["cell_problem"]).any():
        report.issues.append(issue(
            "F114", f"Sheet {sheet.sheet} has no figures: every row's numerator, denominator and "
            "value are empty. Fill in the figures (or a symbol such as x) and upload again.",
            sheet=sheet.sheet, row=sheet.header_row,
        ))
        return prepared
    prepared.frame, prepared.sheet, prepared.evidence = frame, sheet, read.evidence
    return prepared


def add_row_checks(prepared: Sequence[PreparedReturn], catalogue: Catalogue, cursor: duckdb.DuckDBPyConnection) -> None:
    """Step 4 and the row checks of step 5, for returns checked by the same catalogue. Both work
    row by row from the catalogue and the populations alone, never from returns stored, so the
    rows of many returns are taken through them together (one statement, one Pandera pass) and
    each row comes out as it would alone."""
    waiting = [each for each in prepared if each.frame is not None]
    # Rows of returns whose columns differ are not put together: pandas would fill the gaps.
    by_shape: dict[tuple, list[PreparedReturn]] = {}
    for each in waiting:
        by_shape.setdefault(tuple(each.frame.dtypes.astype(str).items()), []).append(each)
    for group in by_shape.values():
        frames = [each.frame for each in group]
        if len(group) == 1:
            facts = [with_catalogue_facts(frames[0], catalogue, cursor)]
        else:
            together = with_catalogue_facts(pd.concat(frames, ignore_index=True), catalogue, cursor)
            ends = np.cumsum([len(frame) for frame in frames])
            facts = [together.iloc[end - len(frame):end].set_axis(frame.index)
                     for frame, end in zip(frames, ends, strict=True)]
        found = row_check_issues_together([(frame, each.sheet) for frame, each in zip(facts, group, strict=True)])
        for each, frame, issues in zip(group, facts, found, strict=True):
            each.frame = frame
            each.report.issues += issues


def finish_return(prepared: PreparedReturn, cursor: duckdb.DuckDBPyConnection, catalogue: Catalogue) -> ValidationReport:
    """The rest of step 5: the cross-row and history rules, which read the store as it is now,
    then the evidence; the report holds the rows ready to store."""
    report, frame = prepared.report, prepared.frame
    if frame is None:
        return report
    context = ReturnContext(
        cursor=cursor, catalogue=catalogue, agency_id=report.agency_id, frame=frame, today=prepared.today,
    )
    report.issues += cross_row_issues(context, prepared.sheet)
    if prepared.evidence is not None:
        evidence, evidence_issues = read_evidence(prepared.evidence, catalogue, prepared.chosen_period,
                                                  prepared.today)
        report.evidence = evidence
        report.issues += evidence_issues
    # Only the columns the store keeps: storing copies them, and a backfill's other thirty
    # columns of catalogue facts would be copied for nothing.
    kept = frame[[column for column in OBSERVATION_COLUMNS if column in frame.columns]]
    has_figure = frame["has_figure"]
    report.observations = kept if has_figure.all() else kept[has_figure]
    report.rows = frame
    prepared.frame = None  # the report holds the rows now
    return report
