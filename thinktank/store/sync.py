"""Bring the store's reference data in line with the files, and seed the catalogue of record.

Runs at every start-up. When nothing changed it writes nothing at all.

The files in ``indicators/`` seed a new database's catalogue. After that the database is the
catalogue of record (`thinktank.store.catalogue`): a change to the files reaches the store at the
next start only while the catalogue has been changed by nothing but the files, and then in full,
for every quarter, as a correction. Once it has been changed in the app or by an import, a
change to the files is never applied on its own: start-up says so (`SyncOutcome.notice`) and
`python -m thinktank catalogue import` shows the difference and applies it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import duckdb

from thinktank.catalogue import Catalogue, Span
from thinktank.periods import Quarter
from thinktank.reference import ReferenceData
from thinktank.store.audit import AuditEntry, record
from thinktank.store.catalogue import (
    SOURCE_FILES,
    document_sha256,
    latest_revision,
    replace_rows,
    stored_catalogue,
    write_catalogue,
)
from thinktank.store.series_points import refresh_series_points
from thinktank.store.transactions import transaction
from thinktank.users import User

CATALOGUE_SOURCE = "catalogue"
REFERENCE_SOURCE = "reference"


@dataclass(frozen=True)
class SyncOutcome:
    catalogue: Catalogue
    written: bool
    # Set when the files changed but were not applied, because the catalogue was changed otherwise.
    notice: str | None = None


def sync(
    connection: duckdb.DuckDBPyConnection,
    files: Catalogue,
    reference: ReferenceData,
    actor: User,
    now: dt.datetime,
) -> SyncOutcome:
    """Seed or correct the catalogue from the files where that is theirs to do, and sync the
    reference data; hand back the catalogue of record."""
    files_hash = document_sha256(catalogue_document(files))
    reference_hash = document_sha256(_reference_document(reference))
    stored = dict(connection.execute("SELECT source, content_sha256 FROM synced_sources").fetchall())
    files_changed = stored.get(CATALOGUE_SOURCE) != files_hash
    reference_changed = stored.get(REFERENCE_SOURCE) != reference_hash
    revision = latest_revision(connection)
    of_record = stored_catalogue(connection)
    apply_files = files_changed and (revision is None or revision.source == SOURCE_FILES)
    # The files may say just what the store holds (they were imported): nothing to apply or say.
    files_agree = of_record is not None and document_sha256(catalogue_document(of_record)) == files_hash
    notice = None
    if files_changed and not apply_files and not files_agree:
        notice = (
            "The catalogue files in indicators/ changed, but the catalogue has been changed in the app "
            f"or by an import since they were last read (the latest change: {revision.recorded_by}, "
            f"{revision.recorded_at:%d %B %Y at %H:%M} UTC), so they were not applied: the catalogue in the "
            "database stays in force. To take the files' changes, run `python -m thinktank catalogue import "
            "indicators`, which shows the difference and applies it."
        )
    mark_files = files_changed and (apply_files or files_agree)
    if not (apply_files or mark_files or reference_changed):
        return SyncOutcome(of_record or files, written=False, notice=notice)
    with transaction(connection):
        details = []
        if apply_files:
            changed = write_catalogue(connection, of_record, _in_full(files, of_record), actor, SOURCE_FILES,
                                      _files_summary(files, of_record), now)
            details.append(f"{len(files.indicators)} indicators; "
                           f"{len(changed)} definition{'s' if len(changed) != 1 else ''} new or changed")
        if mark_files:
            _mark_synced(connection, CATALOGUE_SOURCE, files_hash, now)
        if reference_changed:
            _write_reference(connection, reference)
            _mark_synced(connection, REFERENCE_SOURCE, reference_hash, now)
            details.append(
                f"{len(reference.population)} population figures; "
                f"{len(reference.benchmarks)} benchmarks"
            )
        if details:
            refresh_series_points(connection)
            record(connection, actor,
                   AuditEntry(action="catalogue_sync", outcome="updated", detail="; ".join(details)), now)
        of_record = stored_catalogue(connection)
    return SyncOutcome(of_record, written=True, notice=notice)


def _in_full(files: Catalogue, of_record: Catalogue | None) -> Catalogue:
    """The files' catalogue as a correction for every quarter: each indicator one span, from its
    first quarter or the first the store holds, whichever is earlier."""
    history = {}
    for indicator in files.indicators:
        starts = Quarter.parse(indicator.applies_from)
        if of_record is not None and indicator.id in of_record.indicator_by_id:
            starts = min(starts, of_record.spans_of(indicator.id)[0].starts)
        history[indicator.id] = (Span(starts, indicator),)
    return replace(files, history=history)


def _files_summary(files: Catalogue, of_record: Catalogue | None) -> str:
    if of_record is None:
        return f"Seeded from the files in indicators/: {len(files.indicators)} indicators in {len(files.themes)} themes."
    return "The files in indicators/ changed; applied in full, as the catalogue had been changed by nothing else."


def catalogue_document(catalogue: Catalogue) -> dict[str, Any]:
    """The catalogue as its files say it: registers and each indicator's latest definition."""
    return {
        "themes": [theme.model_dump(mode="json") for theme in catalogue.themes],
        "agencies": [agency.model_dump(mode="json") for agency in catalogue.agencies],
        "priorities": [priority.model_dump(mode="json") for priority in catalogue.priorities],
        "populations": [population.model_dump(mode="json") for population in catalogue.populations],
        "breakdowns": [breakdown.model_dump(mode="json") for breakdown in catalogue.breakdowns],
        "indicators": [indicator.model_dump(mode="json") for indicator in catalogue.indicators],
    }


def _reference_document(reference: ReferenceData) -> dict[str, Any]:
    return {
        "population": [row.model_dump(mode="json") for row in reference.population],
        "benchmarks": [row.model_dump(mode="json") for row in reference.benchmarks],
    }


def _mark_synced(
    connection: duckdb.DuckDBPyConnection, source: str, content_hash: str, now: dt.datetime
) -> None:
    connection.execute(
        "INSERT OR REPLACE INTO synced_sources VALUES (?, ?, ?)", [source, content_hash, now]
    )


def _write_reference(connection: duckdb.DuckDBPyConnection, reference: ReferenceData) -> None:
    replace_rows(connection, "population", [
        (row.population_id, row.financial_year, row.fy_start, row.value, row.as_at,
         row.derivation, row.source, row.licence)
        for row in reference.population
    ])
    replace_rows(connection, "benchmarks", [
        (row.indicator_id, row.area, row.period, row.period_type, row.period_end, row.value,
         row.published_value, row.published_unit, row.breakdown, row.breakdown_value,
         row.source, row.licence, row.note)
        for row in reference.benchmarks
    ])
