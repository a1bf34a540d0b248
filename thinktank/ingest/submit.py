"""Taking a return in, in two steps: a check that writes nothing, then a store that keeps the
return whole (one transaction, a new version per quarter) or not at all. Every store attempt
is written to the audit log, never a cell value; a check alone is not an attempt to send."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from thinktank.ingest.limits import Limits
from thinktank.ingest.validate import ValidationReport, validate_return
from thinktank.periods import Quarter
from thinktank.store import Store, utc_now
from thinktank.store.audit import AuditEntry, record
from thinktank.store.returns import StoredVersion, identical_submission, save_return
from thinktank.store.transactions import run_transaction_retrying
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
    # Checked by the definitions in force in the quarter chosen (by the latest, when the file's
    # own Period column says which quarters it holds).
    catalogue = store.catalogue.in_force(chosen_period) if chosen_period else store.catalogue
    report = validate_return(
        cursor, catalogue, content, file_name, agency_id, chosen_period, actor,
        today or utc_now().date(), limits or Limits.from_environment(),
    )
    if not report.accepted:
        return IngestResult(report, "refused")
    identical = identical_submission(cursor, agency_id, report.sha256, report.periods)
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
    report = checked.report
    if checked.outcome not in ("ready", "needs_confirmation") or (
        checked.outcome == "needs_confirmation" and not confirm_warnings
    ):
        record(cursor, actor, _audit_entry(report, checked.outcome), now)
        return checked

    def store_versions() -> list[StoredVersion]:
        # Re-runnable: the version numbers and the series are worked out inside the transaction.
        versions = save_return(
            cursor, report.agency_id, report.file_name, report.sha256, report.rows_read,
            report.observations, report.evidence, actor.id, now,
            warnings_confirmed=bool(report.warnings),
        )
        record(cursor, actor, _audit_entry(report, "stored", versions), now)
        return versions

    return IngestResult(report, "stored", run_transaction_retrying(cursor, store_versions))


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
