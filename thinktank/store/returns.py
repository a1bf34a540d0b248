"""Stored returns: each accepted upload becomes a new version for its agency and quarter, in
one transaction with its evidence and its audit entry; the latest version is in force."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd

from thinktank.catalogue import Catalogue
from thinktank.periods import Quarter
from thinktank.store.series_points import indicators_in_returns, refresh_series_points
from thinktank.users import User, check_reads_returns, only_agency

# A quarter's figure for comparisons, by the one definition of a figure (migration 006), with
# the population for the quarter's financial year or the latest earlier one.
FIGURE_SQL = """
    figure_value(i.unit, o.value, o.numerator, o.denominator, o.status, o.breakdown, (
        SELECT p.value FROM population p
        WHERE p.population_id = i.population_id AND p.fy_start <= o.period_index // 4
        ORDER BY p.fy_start DESC LIMIT 1))
"""
OBSERVATION_COLUMNS = [
    "indicator_id", "period", "period_index", "breakdown", "breakdown_value", "numerator",
    "denominator", "value", "status", "comment", "source_row",
]
EVIDENCE_COLUMNS = ["theme_id", "source", "signs_of_safety", "title", "detail", "period", "source_row"]


@dataclass(frozen=True)
class StoredVersion:
    submission_id: int
    period: str
    version: int


@dataclass
class _Remembered:
    """The figures in force read through a remembering cursor, by agency and quarter: every
    quarter of each agency in ``agencies`` (a pair not in ``figures`` has none), but the
    ``stale`` pairs, which a return stored since has changed."""

    cursor: duckdb.DuckDBPyConnection  # held, so that its id stays its own
    agencies: set[str] = field(default_factory=set)
    figures: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)
    stale: set[tuple[str, str]] = field(default_factory=set)
    none: pd.DataFrame | None = None  # no figures, in the columns and types of the query's
    sent: dict[str, set[str]] = field(default_factory=dict)  # the quarters an agency has versions of


# By the id of the cursor that remembers (`figures_remembered`).
_REMEMBERED: dict[int, _Remembered] = {}


@contextmanager
def figures_remembered(cursor: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """While a batch holds its transaction on ``cursor``, `figures_in_force` through that cursor
    reads each agency's figures in force once, every quarter at a time, and afterwards only the
    quarters `save_return` has since stored through it, every agency's at once: a return's
    template, its history rule and its resubmission rule then share what was read, and a
    quarter's returns the one read of the quarter before. It also knows which quarters each
    agency has versions of (`none_stored`). Every read still sees every earlier return of the
    batch, and nothing else writes through the cursor while the batch holds it."""
    _REMEMBERED[id(cursor)] = _Remembered(cursor)
    try:
        yield
    finally:
        del _REMEMBERED[id(cursor)]


def _stored_through(cursor: duckdb.DuckDBPyConnection, agency_id: str, periods: list[str]) -> None:
    remembered = _REMEMBERED.get(id(cursor))
    if remembered is None:
        return
    if agency_id in remembered.agencies:
        remembered.stale.update((agency_id, period) for period in periods)
    if agency_id in remembered.sent:
        remembered.sent[agency_id].update(periods)


def none_stored(cursor: duckdb.DuckDBPyConnection, agency_id: str, periods: list[str]) -> bool:
    """Whether a remembering cursor (`figures_remembered`) knows that the agency has no version
    of any of ``periods``, so that what a version would hold need not be looked up. False
    through any other cursor: it knows nothing."""
    remembered = _REMEMBERED.get(id(cursor))
    if remembered is None:
        return False
    if agency_id not in remembered.sent:
        remembered.sent[agency_id] = {period for (period,) in cursor.execute(
            "SELECT DISTINCT period FROM submissions WHERE agency_id = ?", [agency_id]).fetchall()}
    return not remembered.sent[agency_id] & set(periods)


def figures_in_force(
    cursor: duckdb.DuckDBPyConnection, agency_id: str, periods: list[str]
) -> pd.DataFrame:
    """The figures of the version in force for each of ``periods``."""
    remembered = _REMEMBERED.get(id(cursor))
    if remembered is None:
        return _read_figures_in_force(cursor, "o.agency_id = ? AND list_contains(?, o.period)", [agency_id, periods])
    labels = sorted(set(periods))  # in the query's order
    if agency_id not in remembered.agencies:
        _remember(remembered, _read_figures_in_force(cursor, "o.agency_id = ?", [agency_id], whose=True), set())
        remembered.agencies.add(agency_id)
    if remembered.stale & {(agency_id, label) for label in labels}:
        stale = remembered.stale
        _remember(remembered, _read_figures_in_force(
            cursor, "list_contains(?, [o.agency_id, o.period])", [[list(pair) for pair in sorted(stale)]], whose=True,
        ), stale)
        remembered.stale = set()
    # A copy: what a caller does with its frame is no other caller's business.
    parts = [remembered.figures[(agency_id, label)] for label in labels if (agency_id, label) in remembered.figures]
    return pd.concat(parts, ignore_index=True) if parts else remembered.none.copy()


def _remember(remembered: _Remembered, figures: pd.DataFrame, replacing: set[tuple[str, str]]) -> None:
    for pair in replacing:
        remembered.figures.pop(pair, None)
    for (agency_id, period), rows in figures.groupby(["agency_id", "period"], sort=False):
        remembered.figures[(str(agency_id), str(period))] = rows.drop(columns="agency_id")
    if remembered.none is None:
        remembered.none = figures.drop(columns="agency_id").iloc[:0]


def _read_figures_in_force(
    cursor: duckdb.DuckDBPyConnection, where: str, parameters: list, whose: bool = False
) -> pd.DataFrame:
    """The figures in force ``where`` says (``whose``: with the agency's id first)."""
    agency = "o.agency_id, " if whose else ""
    return cursor.execute(
        f"""
        SELECT {agency}o.indicator_id, o.period, o.breakdown, o.breakdown_value, o.numerator,
               o.denominator, o.value, o.status, {FIGURE_SQL} AS figure
        FROM observations_in_force o
        JOIN indicator_spans i ON i.id = o.indicator_id AND i.from_index <= o.period_index AND o.period_index < i.to_index
        WHERE {where}
        ORDER BY o.period, o.indicator_id, o.breakdown, o.breakdown_value
        """,
        parameters,
    ).df()


def stored_figures(cursor: duckdb.DuckDBPyConnection, actor: User, agency_id: str, period: str) -> pd.DataFrame:
    """What the figures command shows: the version in force, exactly as stored."""
    check_reads_returns(actor, agency_id)
    return cursor.execute(
        """
        SELECT o.indicator_id, o.breakdown, o.breakdown_value, o.numerator, o.denominator,
               o.value, o.status
        FROM observations_in_force o
        JOIN indicators i ON i.id = o.indicator_id
        JOIN themes t ON t.id = i.theme_id
        WHERE o.agency_id = ? AND o.period = ?
        ORDER BY t.number, o.indicator_id, o.breakdown = 'All' DESC, o.breakdown, o.breakdown_value
        """,
        [agency_id, period],
    ).df()


_IDENTICAL_COLUMNS = ["id", "period", "version", "submitted_at"]


def identical_submission(
    cursor: duckdb.DuckDBPyConnection, agency_id: str, sha256: str, periods: list[str]
) -> pd.DataFrame:
    """Versions already stored from a byte-identical file for this agency and these quarters."""
    if none_stored(cursor, agency_id, periods):
        return pd.DataFrame(columns=_IDENTICAL_COLUMNS)
    return cursor.execute(
        f"SELECT {', '.join(_IDENTICAL_COLUMNS)} FROM submissions "
        "WHERE agency_id = ? AND file_sha256 = ? AND list_contains(?, period) ORDER BY period",
        [agency_id, sha256, periods],
    ).df()


def save_return(
    cursor: duckdb.DuckDBPyConnection,
    agency_id: str,
    file_name: str,
    sha256: str,
    rows_read: int,
    observations: pd.DataFrame,
    evidence: pd.DataFrame,
    submitted_by: str,
    submitted_at: dt.datetime,
    warnings_confirmed: bool,
    refresh_series: bool = True,
) -> list[StoredVersion]:
    """Insert one new version per quarter in the return, and rewrite the series it touches
    (unless ``refresh_series`` is False: a batch rewrites them once, after its last return).
    The caller holds the transaction."""
    periods = sorted(
        set(observations["period"].unique()) | set(evidence.get("period", pd.Series(dtype=object)).unique()),
        key=Quarter.parse,
    )
    _stored_through(cursor, agency_id, periods)
    stored = []
    for period in periods:
        (version,) = cursor.execute(
            "SELECT coalesce(max(version), 0) + 1 FROM submissions WHERE agency_id = ? AND period = ?",
            [agency_id, period],
        ).fetchone()
        (submission_id,) = cursor.execute(
            """
            INSERT INTO submissions (agency_id, period, version, file_name, file_sha256, rows_read,
                                     submitted_by, submitted_at, warnings_confirmed)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """,
            [agency_id, period, version, file_name, sha256, rows_read, submitted_by,
             submitted_at, warnings_confirmed],
        ).fetchone()
        stored.append(StoredVersion(submission_id, period, version))
    ids = {version.period: version.submission_id for version in stored}
    if not observations.empty:
        rows = observations.reset_index().rename(columns={"row": "source_row"})
        # Each row's quarter looked up by its position among the return's few quarters: a
        # backfill's 100,000 rows are two array lookups rather than two mappings of text.
        which, labels = pd.factorize(rows["period"], use_na_sentinel=False)
        rows["period_index"] = np.array([Quarter.parse(label).index for label in labels], dtype=np.int64)[which]
        rows["submission_id"] = np.array([ids[label] for label in labels], dtype=np.int64)[which]
        _insert(cursor, "observations", rows, OBSERVATION_COLUMNS)
    if not evidence.empty:
        _insert(cursor, "evidence", evidence.assign(submission_id=evidence["period"].map(ids)), EVIDENCE_COLUMNS)
    if refresh_series:
        refresh_series_points(cursor, indicators_in_returns(cursor, agency_id, periods))
    return stored


def _insert(cursor: duckdb.DuckDBPyConnection, table: str, rows: pd.DataFrame, columns: list[str]) -> None:
    """Insert a whole frame in one statement: DuckDB reads it in place, no per-row Python."""
    names = ", ".join(["submission_id", *columns])
    cursor.register("incoming_rows", rows[["submission_id", *columns]])
    try:
        cursor.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM incoming_rows")
    finally:
        cursor.unregister("incoming_rows")


def submission_history(
    cursor: duckdb.DuckDBPyConnection, actor: User, agency_id: str | None = None, period: str | None = None
) -> pd.DataFrame:
    """Every accepted version the actor may see (an uploader: its own agency's), newest quarter
    first, with whether it is the one in force."""
    agency_id = only_agency(actor, agency_id)
    check_reads_returns(actor, agency_id)
    conditions, parameters = [], []
    if agency_id:
        conditions.append("s.agency_id = ?")
        parameters.append(agency_id)
    if period:
        conditions.append("s.period = ?")
        parameters.append(period)
    where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
    frame = cursor.execute(
        f"""
        SELECT s.id AS submission_id, s.agency_id, a.short_name AS agency, s.period, s.version,
               s.id IN (SELECT id FROM submissions_in_force) AS in_force,
               s.file_name, s.file_sha256, s.rows_read, s.submitted_by, s.submitted_at,
               s.warnings_confirmed,
               (SELECT count(*) FROM observations o WHERE o.submission_id = s.id) AS figures,
               (SELECT count(*) FROM evidence e WHERE e.submission_id = s.id) AS evidence_items
        FROM submissions s JOIN agencies a ON a.id = s.agency_id
        {where}
        ORDER BY s.period DESC, a.short_name, s.version DESC
        """,
        parameters,
    ).df()
    return frame.sort_values(
        ["period", "agency", "version"], ascending=[False, True, False],
        key=lambda column: column.map(lambda label: Quarter.parse(label)) if column.name == "period" else column,
        kind="stable",
    ).reset_index(drop=True)


def completeness(
    cursor: duckdb.DuckDBPyConnection,
    actor: User,
    catalogue: Catalogue,
    quarters: list[Quarter],
    due_after_days: int,
    today: dt.date,
) -> pd.DataFrame:
    """Agencies x quarters: on time, late, refused (only refused attempts), missing or not yet due.

    A return is due ``due_after_days`` after its quarter ends; it counts as on time when its
    first accepted version arrived by then. Whether a return arrived is no figure of it, so the
    PLG reads every agency's; an uploader reads its own agency's only.
    """
    shown_agency = only_agency(actor, None)
    labels = [quarter.label for quarter in quarters]
    first_accepted = {
        (agency, period): submitted.date()
        for agency, period, submitted in cursor.execute(
            "SELECT agency_id, period, min(submitted_at) FROM submissions "
            "WHERE list_contains(?, period) GROUP BY ALL", [labels],
        ).fetchall()
    }
    refused = {
        (agency, period)
        for agency, period in cursor.execute(
            "SELECT DISTINCT agency_id, period FROM audit_log "
            "WHERE action = 'upload' AND outcome = 'refused' AND list_contains(?, period)", [labels],
        ).fetchall()
    }
    records = []
    for agency in sorted(catalogue.agencies, key=lambda a: a.short_name):
        if shown_agency is not None and agency.id != shown_agency:
            continue
        for quarter in quarters:
            if not any(i.owner == agency.id and i.is_active_in(quarter) for i in catalogue.in_force(quarter).indicators):
                continue
            due = quarter.end + dt.timedelta(days=due_after_days)
            arrived = first_accepted.get((agency.id, quarter.label))
            if arrived is not None:
                state = "on_time" if arrived <= due else "late"
            elif (agency.id, quarter.label) in refused:
                state = "refused"
            else:
                state = "missing" if today > due else "not_due"
            records.append({
                "agency_id": agency.id, "agency": agency.short_name, "period": quarter.label,
                "due": due, "received": arrived, "state": state,
            })
    return pd.DataFrame.from_records(
        records, columns=["agency_id", "agency", "period", "due", "received", "state"]
    )
