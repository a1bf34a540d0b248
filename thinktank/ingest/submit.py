"""Taking a return in, in two steps: a check that writes nothing, then a store that keeps the
return whole (one transaction, a new version per quarter) or not at all. Every store attempt
is written to the audit log, never a cell value; a check alone is not an attempt to send.

A batch of returns (`ReturnBatch`, the demo's) goes through the same two steps return by
return, but shares what an upload pays alone: one transaction, the limits and each quarter's
catalogue looked up once, the checks that read only the catalogue run over the rows of many
returns at once, each agency's figures in force and the quarters it has sent read once (and
again only for the quarters the batch has stored since), and the series rewritten once at the
end."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

import duckdb
import pandas as pd

from thinktank.catalogue import Catalogue
from thinktank.ingest.collector import collector_paused
from thinktank.ingest.limits import Limits
from thinktank.ingest.validate import (
    ValidationReport,
    add_row_checks,
    finish_return,
    prepare_return,
    validate_return,
)
from thinktank.periods import Quarter
from thinktank.store import Store, utc_now
from thinktank.store.audit import AuditEntry, record
from thinktank.store.returns import (
    StoredVersion,
    figures_remembered,
    identical_submission,
    save_return,
)
from thinktank.store.series_points import indicators_in_returns, refresh_series_points
from thinktank.store.transactions import run_transaction_retrying, transaction
from thinktank.users import User

# "ready": checked, no errors or warnings, not stored yet. The others are also what a store
# attempt ends in.
Outcome = Literal["ready", "stored", "refused", "needs_confirmation", "already_stored"]


@dataclass
class IngestResult:
    report: ValidationReport
    outcome: Outcome
    versions: list[StoredVersion] = field(default_factory=list)
    identical: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def warnings_shown(self) -> frozenset[tuple]:
        """The warnings as a person saw them, to tell whether a confirmation still applies."""
        return frozenset(
            (item.code, item.sheet, item.row, item.column, item.message)
            for item in self.report.issues if item.severity == "warning"
        )

    @property
    def summary(self) -> str:
        report = self.report
        if self.outcome == "refused":
            return (
                f"Refused: {report.errors:,} error{'s' if report.errors != 1 else ''} to fix. "
                "Nothing was stored."
            )
        if self.outcome == "needs_confirmation":
            return (
                f"{report.warnings:,} warning{'s' if report.warnings != 1 else ''} to check. "
                "Nothing is stored until you confirm the warnings."
            )
        if self.outcome == "already_stored":
            stored = ", ".join(
                f"{line.period} version {line.version}" for line in self.identical.itertuples()
            )
            return f"This exact file is already stored ({stored}). Nothing new was stored."
        if self.outcome == "ready":
            return "No problems found. Nothing is stored until you store it."
        stored = ", ".join(f"{version.period} as version {version.version}" for version in self.versions)
        return f"Stored {stored}."


def check_return(
    store: Store,
    content: bytes,
    file_name: str,
    agency_id: str,
    chosen_period: Quarter | None,
    actor: User,
    today: dt.date | None = None,
    limits: Limits | None = None,
) -> IngestResult:
    """Validate a return and say what storing it would do. Writes nothing."""
    cursor = store.cursor()
    report = validate_return(cursor, checked_against(store, chosen_period), content, file_name, agency_id,
                             chosen_period, actor, today or utc_now().date(), limits or Limits.from_environment())
    return _judged(cursor, report)


def checked_against(store: Store, chosen_period: Quarter | None) -> Catalogue:
    """The definitions a return is checked by: those in force in the quarter chosen (the latest,
    when the file's own Period column says which quarters it holds)."""
    return store.catalogue.in_force(chosen_period) if chosen_period else store.catalogue


def _judged(cursor: duckdb.DuckDBPyConnection, report: ValidationReport) -> IngestResult:
    """What storing a checked return would do."""
    if not report.accepted:
        return IngestResult(report, "refused")
    identical = identical_submission(cursor, report.agency_id, report.sha256, report.periods)
    if not identical.empty:
        return IngestResult(report, "already_stored", identical=identical)
    if report.warnings:
        return IngestResult(report, "needs_confirmation")
    return IngestResult(report, "ready")


def store_return(
    store: Store,
    checked: IngestResult,
    actor: User,
    confirm_warnings: bool = False,
    now: dt.datetime | None = None,
) -> IngestResult:
    """Store a checked return if it may be stored, and audit the attempt either way. ``now``
    is when it counts as submitted."""
    now = now or utc_now()
    cursor = store.cursor()
    if not _may_store(checked, confirm_warnings):
        record(cursor, actor, _audit_entry(checked.report, checked.outcome), now)
        return checked
    # Re-runnable: the version numbers and the series are worked out inside the transaction.
    versions = run_transaction_retrying(cursor, lambda: _saved(cursor, checked.report, actor, now))
    return IngestResult(checked.report, "stored", versions)


def _may_store(checked: IngestResult, confirm_warnings: bool) -> bool:
    return checked.outcome == "ready" or (checked.outcome == "needs_confirmation" and confirm_warnings)


def _saved(
    cursor: duckdb.DuckDBPyConnection, report: ValidationReport, actor: User, now: dt.datetime,
    refresh_series: bool = True,
) -> list[StoredVersion]:
    """Save a return's versions with its audit entry; the caller holds the transaction."""
    versions = save_return(
        cursor, report.agency_id, report.file_name, report.sha256, report.rows_read,
        report.observations, report.evidence, actor.id, now,
        warnings_confirmed=bool(report.warnings), refresh_series=refresh_series,
    )
    record(cursor, actor, _audit_entry(report, "stored", versions), now)
    return versions


def ingest_return(
    store: Store,
    content: bytes,
    file_name: str,
    agency_id: str,
    chosen_period: Quarter | None,
    actor: User,
    confirm_warnings: bool = False,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    limits: Limits | None = None,
) -> IngestResult:
    """Check and, if allowed, store a return in one go, as the command line and the demo send."""
    now = now or utc_now()
    checked = check_return(store, content, file_name, agency_id, chosen_period, actor, today or now.date(), limits)
    return store_return(store, checked, actor, confirm_warnings, now)


@dataclass(frozen=True)
class Upload:
    """A return sent in a batch: the file, who sends it for which agency and quarter, when it
    counts as sent, and whether its warnings are confirmed."""

    content: bytes
    file_name: str
    agency_id: str
    chosen_period: Quarter | None
    actor: User
    now: dt.datetime
    confirm_warnings: bool = False


class ReturnBatch:
    """Returns taken in one after another in one transaction (`ReturnBatch.of`): each is read
    from its file and checked as an upload is, against the store with every earlier return of
    the batch in it, and each attempt has its own audit entry. What a return would pay alone is
    paid once: the transaction, the limits, each quarter's catalogue, the catalogue's row checks
    of returns sent together (`ingest_all`), reading an agency's figures in force and the
    quarters it has sent (`figures_remembered`) and, at the end, rewriting the series of every
    indicator the batch touched. All or nothing: a failure keeps none."""

    def __init__(self, store: Store, cursor: duckdb.DuckDBPyConnection, limits: Limits) -> None:
        self.store = store
        self.cursor = cursor  # the batch's own: only it reads what the batch has written so far
        self.limits = limits
        self._catalogues: dict[Quarter | None, Catalogue] = {}
        self._touched: set[tuple[str, tuple[str, ...]]] = set()

    @classmethod
    @contextmanager
    def of(cls, store: Store, limits: Limits | None = None) -> Iterator[ReturnBatch]:
        cursor = store.cursor()
        with transaction(cursor), figures_remembered(cursor):
            batch = cls(store, cursor, limits or Limits.from_environment())
            yield batch
            batch._refresh_series()

    def ingest(
        self,
        content: bytes,
        file_name: str,
        agency_id: str,
        chosen_period: Quarter | None,
        actor: User,
        now: dt.datetime,
        confirm_warnings: bool = False,
    ) -> IngestResult:
        """Check and, if allowed, store one return as `ingest_return` does, as of ``now``."""
        (result,) = self.ingest_all([Upload(content, file_name, agency_id, chosen_period, actor, now, confirm_warnings)])
        return result

    def ingest_all(self, uploads: Sequence[Upload]) -> list[IngestResult]:
        """Check and store each upload in turn, as `ingest` would one after another. The checks
        that read only the catalogue (`add_row_checks`) are run once over the rows of them all;
        those that read the store run for each return after the ones before it are stored.
        The collector is held off throughout, as it is while one return is checked."""
        with collector_paused():
            return self._ingest_all(uploads)

    def _ingest_all(self, uploads: Sequence[Upload]) -> list[IngestResult]:
        prepared = [prepare_return(self._catalogue(upload.chosen_period), upload.content, upload.file_name,
                                   upload.agency_id, upload.chosen_period, upload.actor, upload.now.date(), self.limits)
                    for upload in uploads]
        for chosen_period in dict.fromkeys(upload.chosen_period for upload in uploads):
            add_row_checks([each for each, upload in zip(prepared, uploads, strict=True)
                            if upload.chosen_period == chosen_period], self._catalogue(chosen_period), self.cursor)
        results = []
        for each, upload in zip(prepared, uploads, strict=True):
            report = finish_return(each, self.cursor, self._catalogue(upload.chosen_period))
            results.append(self._stored(upload, _judged(self.cursor, report)))
        return results

    def _catalogue(self, chosen_period: Quarter | None) -> Catalogue:
        if chosen_period not in self._catalogues:
            self._catalogues[chosen_period] = checked_against(self.store, chosen_period)
        return self._catalogues[chosen_period]

    def _stored(self, upload: Upload, checked: IngestResult) -> IngestResult:
        if not _may_store(checked, upload.confirm_warnings):
            record(self.cursor, upload.actor, _audit_entry(checked.report, checked.outcome), upload.now)
            return checked
        versions = _saved(self.cursor, checked.report, upload.actor, upload.now, refresh_series=False)
        self._touched.add((upload.agency_id, tuple(version.period for version in versions)))
        return IngestResult(checked.report, "stored", versions)

    def _refresh_series(self) -> None:
        indicators = set()
        for agency_id, periods in self._touched:
            indicators.update(indicators_in_returns(self.cursor, agency_id, list(periods)))
        if indicators:
            refresh_series_points(self.cursor, sorted(indicators))


def _audit_entry(report: ValidationReport, outcome: str, versions: list[StoredVersion] | None = None) -> AuditEntry:
    detail = None
    if versions:
        detail = "; ".join(f"{version.period} v{version.version}" for version in versions)
    return AuditEntry(
        action="upload",
        outcome=outcome,
        agency_id=report.agency_id,
        period=", ".join(report.periods) or report.chosen_period,
        file_name=report.file_name,
        file_sha256=report.sha256,
        rows_read=report.rows_read,
        errors=report.errors,
        warnings=report.warnings,
        detail=detail,
    )
