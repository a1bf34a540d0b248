"""Validating a return: sniff, read, normalise every cell, check every row (Pandera, from the
catalogue), then every cross-row and history rule. The result is one report holding every
problem found, never just the first, and the normalised rows ready to store."""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import math
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from schemas.returns import FIGURE_COLUMNS, ROW_CHECKS, failed_rows
from thinktank import browse
from thinktank.catalogue import Catalogue
from thinktank.errors import AccessDeniedError, ThinkTankError, UnknownAgencyError
from thinktank.ingest.cells import read_number, read_text
from thinktank.ingest.limits import Limits
from thinktank.ingest.reader import SheetRows, read_return
from thinktank.ingest.sniff import sniff
from thinktank.periods import Quarter, format_date
from thinktank.rules import RULES, Issue, issue, issues_frame, register
from thinktank.rules import returns as cross_row_rules
from thinktank.rules.context import ReturnContext
from thinktank.rules.evidence import read_evidence
from thinktank.users import Role, User

RETURN_COLUMNS = {
    "indicator_id", "period", "breakdown", "breakdown_value", "numerator", "denominator",
    "value", "comment",
}
EVIDENCE_COLUMNS = {"theme", "source", "signs_of_safety", "title", "detail", "period"}
ALL = "All"
ROW_CHECK_COLUMNS = {spec.code: spec.column for spec, _ in ROW_CHECKS}
NORMALISED_COLUMNS = (
    "row", "indicator_id", "breakdown", "breakdown_value", "comment", "period", "period_problem",
    "value", "numerator", "denominator", "value_decimals", "status", "cell_problem",
)

register("R204", "error", "Period cannot be read",
         "The period must be a financial-year quarter written as in the template, or a date "
         "inside the quarter.",
         "'Spring 2024' cannot be read as a quarter. Write it as 2024-25 Q1, Q1 2024/25 or a "
         "date such as 30/06/2024.", ("period",))
register("R207", "error", "Text in a number column",
         "Numbers may be typed with commas, spaces, % or £, and the statistical symbols c, x, z, "
         "low and u are understood; any other text is refused and quoted.",
         "'about 40' is not a number. Type the figure, or a symbol such as c (suppressed) or x "
         "(not available).", FIGURE_COLUMNS)


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
        return sorted(set(self.observations["period"].dropna()), key=Quarter.parse)

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
                       "denominator", "value", "status", "comment"]]
        return shown.join(by_row, how="left")


def check_agency(catalogue: Catalogue, agency_id: str, actor: User) -> None:
    """Raise if the agency is unknown or the actor may not act for it."""
    if agency_id not in catalogue.agency_by_id:
        close = difflib.get_close_matches(agency_id, list(catalogue.agency_by_id), n=2)
        raise UnknownAgencyError(
            f"'{agency_id}' is not an agency in the catalogue",
            ("Did you mean " + " or ".join(close) + "? " if close else "")
            + "python -m thinktank agencies lists them.",
        )
    if actor.role == Role.AGENCY_UPLOADER and actor.agency_id != agency_id:
        raise AccessDeniedError(
            "You can send returns only for your own agency",
            f"You are signed in for {actor.agency_id}; ask a Think Tank analyst to upload on "
            f"behalf of {agency_id}.",
        )


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
    check_agency(catalogue, agency_id, actor)
    report = ValidationReport(
        file_name=file_name,
        sha256=hashlib.sha256(content).hexdigest(),
        agency_id=agency_id,
        chosen_period=chosen_period.label if chosen_period else None,
    )
    sniffed = sniff(content, file_name, limits)
    if sniffed.kind is None:
        report.issues += sniffed.issues
        return report
    read = read_return(
        content, sniffed.kind, file_name,
        {"return": RETURN_COLUMNS, "evidence": EVIDENCE_COLUMNS}, limits,
    )
    report.issues += read.issues
    sheet = read.returns
    if sheet is None:
        return report
    report.rows_read = len(sheet.rows)
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
        return report

    frame, cell_issues = _normalise(sheet, chosen_period, today)
    # Every cell is in the frame now; letting the cells go keeps a backfill's peak memory down.
    sheet.rows = []
    report.issues += cell_issues
    report.rows = frame
    if not (frame["has_figure"] | frame["cell_problem"]).any():
        report.issues.append(issue(
            "F114", f"Sheet {sheet.sheet} has no figures: every row's numerator, denominator and "
            "value are empty. Fill in the figures (or a symbol such as x) and upload again.",
            sheet=sheet.sheet, row=sheet.header_row,
        ))
        return report
    frame = _with_catalogue_facts(frame, catalogue, cursor)
    report.issues += _row_check_issues(frame, sheet)
    context = ReturnContext(
        cursor=cursor, catalogue=catalogue, agency_id=agency_id, frame=frame, today=today,
    )
    report.issues += _rule_issues(context, sheet)
    if read.evidence is not None:
        evidence, evidence_issues = read_evidence(read.evidence, catalogue, chosen_period, today)
        report.evidence = evidence
        report.issues += evidence_issues
    report.observations = frame[frame["has_figure"]].copy()
    report.rows = frame
    return report


def _normalise(sheet: SheetRows, chosen: Quarter | None, today: dt.date) -> tuple[pd.DataFrame, list[Issue]]:
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
                period = (_quarter(raw_period) if isinstance(raw_period, str) else Quarter.parse(raw_period)).label
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
                    f"{parsed.problem}. Type the figure, or a symbol: c (suppressed), x (not "
                    "available), z (not applicable), low (rounds to zero), u (low reliability).",
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
    quarters = {label: _quarter(label) for label in frame["period"].dropna().unique()}
    frame["period_key"] = frame["period"].map({label: q.fy_start * 10 + q.number for label, q in quarters.items()})
    frame["period_end"] = frame["period"].map({label: format_date(q.end) for label, q in quarters.items()})
    frame["financial_year"] = frame["period"].map({label: q.financial_year for label, q in quarters.items()})
    frame["period_is_future"] = frame["period"].map(
        {label: q.is_future(today) for label, q in quarters.items()}
    ).fillna(False).astype(bool)
    frame["has_figure"] = frame[list(FIGURE_COLUMNS)].notna().any(axis=1) | frame["status"].notna()
    return frame, issues


@functools.lru_cache(maxsize=4096)
def _quarter(label: str) -> Quarter:
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


def _with_catalogue_facts(frame: pd.DataFrame, catalogue: Catalogue, cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    indicators = catalogue.indicator_by_id
    breakdown_by_key = {}
    for breakdown in catalogue.breakdowns:
        for key in (breakdown.id, breakdown.name):
            breakdown_by_key[key.lower().replace("_", " ")] = breakdown

    # Facts are looked up once per indicator named, not once per row.
    ids = frame["indicator_id"]
    named = [i for i in ids.dropna().unique() if i in indicators]
    for name in ("unit", "owner", "population", "applies_from", "retired_from"):
        frame[name] = ids.map({i: getattr(indicators[i], name) for i in named}).astype(object)
        frame[name] = frame[name].where(frame[name].notna(), None)
    for name in ("applies_from", "retired_from"):
        frame[f"{name}_key"] = ids.map({i: _quarter_key(getattr(indicators[i], name)) for i in named}).astype(float)
    unknown = [i for i in ids.dropna().unique() if i not in indicators]
    frame["suggestion"] = ids.map({i: _suggest(i, list(indicators)) for i in unknown}).astype(object).fillna("")

    group_lookup = {b.id: {value.lower(): value for value in b.values} for b in catalogue.breakdowns}
    allowed, known, suggestions, listings, canonical_breakdowns, canonical_groups = [], [], [], [], [], []
    for indicator_id, breakdown_text, group_text in zip(
        frame["indicator_id"], frame["breakdown"], frame["breakdown_value"], strict=True
    ):
        indicator = indicators.get(indicator_id) if isinstance(indicator_id, str) else None
        if breakdown_text.lower() == "all":
            canonical_breakdowns.append(ALL)
            canonical_groups.append(ALL if group_text.lower() == "all" else group_text)
            allowed.append(group_text.lower() == "all")
            known.append(True)
            suggestions.append("")
            listings.append("With breakdown All the group must be All too.")
            continue
        breakdown = breakdown_by_key.get(breakdown_text.lower().replace("_", " "))
        names = [catalogue_breakdown.name for catalogue_breakdown in catalogue.breakdowns
                 if indicator and catalogue_breakdown.id in indicator.breakdowns]
        listings.append(f"It allows: {', '.join(names)}." if names else "It has no breakdowns: use All.")
        canonical_breakdowns.append(breakdown.name if breakdown else breakdown_text)
        allowed.append(indicator is None or (breakdown is not None and breakdown.id in indicator.breakdowns))
        if breakdown is None or not breakdown.values:
            canonical_groups.append(group_text)
            known.append(True)
            suggestions.append("")
            continue
        match = group_lookup[breakdown.id].get(group_text.lower())
        canonical_groups.append(match or group_text)
        known.append(match is not None)
        suggestions.append("" if match else _suggest(group_text, list(breakdown.values)) + f" The groups are: {', '.join(breakdown.values)}.")
    frame["breakdown"] = canonical_breakdowns
    frame["breakdown_value"] = canonical_groups
    frame["breakdown_allowed"] = allowed
    frame["allowed_breakdowns"] = listings
    frame["group_known"] = known
    frame["group_suggestion"] = suggestions

    population_names = {population.id: population.name.lower() for population in catalogue.populations}
    frame["population_name"] = frame["population"].map(lambda p: population_names.get(p) if p else None)
    figures: dict[tuple[str, str], float | None] = {}
    for population_id, label in set(zip(frame["population"], frame["period"], strict=True)):
        if isinstance(population_id, str) and isinstance(label, str):
            figure = browse.population_for(cursor, population_id, Quarter.parse(label))
            figures[(population_id, label)] = float(figure.value) if figure else None
    frame["population_value"] = [
        figures.get((p, label)) if isinstance(p, str) and isinstance(label, str) else None
        for p, label in zip(frame["population"], frame["period"], strict=True)
    ]
    frame["population_value"] = frame["population_value"].astype(float)
    scale = frame["unit"].map({"percent": 100.0, "rate_per_10k": 10_000.0})
    denominator = frame["denominator"].where(frame["denominator"] != 0)
    frame["computed_value"] = frame["numerator"] / denominator * scale
    rate_from_population = (frame["unit"] == "rate_per_10k") & frame["denominator"].isna()
    frame.loc[rate_from_population, "computed_value"] = (
        frame["numerator"] / frame["population_value"] * 10_000
    )[rate_from_population]
    # The figure used for comparisons over time: as given, else worked out.
    frame["figure"] = frame["value"].where(frame["value"].notna(), frame["computed_value"])
    return frame


def _quarter_key(label: object) -> float:
    if not isinstance(label, str):
        return math.nan
    quarter = _quarter(label)
    return quarter.fy_start * 10 + quarter.number


def _suggest(value: object, choices: list[str]) -> str:
    if not isinstance(value, str):
        return ""
    # Two characters swapped (CP20 for CP02) is the commonest slip, so such ids come first.
    swapped = [choice for choice in choices if sorted(choice.upper()) == sorted(value.upper())]
    close = difflib.get_close_matches(value, choices, n=3, cutoff=0.5)
    ranked = list(dict.fromkeys([*swapped, *close]))[:3]
    return f" Did you mean {' or '.join(ranked)}?" if ranked else ""


def _row_check_issues(frame: pd.DataFrame, sheet: SheetRows) -> list[Issue]:
    # Rows whose cells could not be read are reported already; checking them again would
    # only repeat the same problem in other words.
    checkable = frame[~frame["cell_problem"]]
    issues = []
    for spec, row in failed_rows(checkable):
        line = checkable.loc[row]
        issues.append(issue(
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


def _rule_issues(context: ReturnContext, sheet: SheetRows) -> list[Issue]:
    issues = []
    for registered in RULES:
        if registered.family != cross_row_rules.FAMILY:
            continue
        try:
            findings = list(registered.function(context))
        except Exception as crash:  # a broken rule must never pass silently
            issues.append(issue(
                "X901",
                f"Check {registered.code} could not run ({type(crash).__name__}: {crash}). "
                "The return cannot be accepted until it does; please tell the Think Tank team.",
                sheet=sheet.sheet,
            ))
            continue
        for finding in findings:
            column = finding.column or ROW_CHECK_COLUMNS.get(registered.code)
            issues.append(issue(
                registered.code, finding.message, sheet=sheet.sheet,
                row=None if finding.row_index is None else int(finding.row_index),
                column=column, column_letter=sheet.letter(column) if column else None,
                value=finding.value,
            ))
    return issues

