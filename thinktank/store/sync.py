"""Bring the store's copy of the catalogue and reference data in line with the files.

Runs at every start-up. When nothing changed it writes nothing at all; when something did,
it rewrites the mirror tables in one transaction, adds a new version to the history of each
indicator definition that changed, rewrites every series' points (a unit or a population changes
values), and notes the change in the audit log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import duckdb

from thinktank.catalogue import Catalogue, Indicator
from thinktank.reference import ReferenceData
from thinktank.store.audit import AuditEntry, record
from thinktank.store.series_points import refresh_series_points
from thinktank.store.transactions import transaction
from thinktank.users import User

CATALOGUE_SOURCE = "catalogue"
REFERENCE_SOURCE = "reference"


def sync(
    connection: duckdb.DuckDBPyConnection,
    catalogue: Catalogue,
    reference: ReferenceData,
    actor: User,
    now: dt.datetime,
) -> bool:
    """Sync both sources; return whether anything was written."""
    catalogue_hash = _sha256(_catalogue_document(catalogue))
    reference_hash = _sha256(_reference_document(reference))
    stored = dict(connection.execute("SELECT source, content_sha256 FROM synced_sources").fetchall())
    catalogue_changed = stored.get(CATALOGUE_SOURCE) != catalogue_hash
    reference_changed = stored.get(REFERENCE_SOURCE) != reference_hash
    if not (catalogue_changed or reference_changed):
        return False
    with transaction(connection):
        details = []
        if catalogue_changed:
            changed = _write_catalogue(connection, catalogue, now)
            _mark_synced(connection, CATALOGUE_SOURCE, catalogue_hash, now)
            details.append(
                f"{len(catalogue.indicators)} indicators; "
                f"{changed} definition{'s' if changed != 1 else ''} new or changed"
            )
        if reference_changed:
            _write_reference(connection, reference)
            _mark_synced(connection, REFERENCE_SOURCE, reference_hash, now)
            details.append(
                f"{len(reference.population)} population figures; "
                f"{len(reference.benchmarks)} benchmarks"
            )
        refresh_series_points(connection)
        record(
            connection, actor,
            AuditEntry(action="catalogue_sync", outcome="updated", detail="; ".join(details)),
            now,
        )
    return True


def indicator_document(indicator: Indicator) -> dict[str, Any]:
    """The indicator's definition as versioned: how its figure is counted and read. An
    indicator that does not use `denominator_is` keeps the document (and so the hash) it had
    before the key existed, so that adding the key is not a new version of every one. The
    challenge questions are not part of the definition: changing them changes no figure."""
    excluded = {"challenge_questions"} | (set() if indicator.denominator_is else {"denominator_is"})
    return indicator.model_dump(mode="json", exclude=excluded)


def _catalogue_document(catalogue: Catalogue) -> dict[str, Any]:
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


def _sha256(document: Any) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _mark_synced(
    connection: duckdb.DuckDBPyConnection, source: str, content_hash: str, now: dt.datetime
) -> None:
    connection.execute(
        "INSERT OR REPLACE INTO synced_sources VALUES (?, ?, ?)", [source, content_hash, now]
    )


def _replace(connection: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    connection.execute(f"DELETE FROM {table}")
    if rows:
        parameters = ", ".join("?" for _ in rows[0])
        connection.executemany(f"INSERT INTO {table} VALUES ({parameters})", rows)


def _write_catalogue(
    connection: duckdb.DuckDBPyConnection, catalogue: Catalogue, now: dt.datetime
) -> int:
    _replace(connection, "themes", [
        (theme.id, theme.number, theme.name, theme.description) for theme in catalogue.themes
    ])
    _replace(connection, "agencies", [
        (agency.id, agency.name, agency.short_name, agency.sector, agency.description)
        for agency in catalogue.agencies
    ])
    _replace(connection, "priorities", [
        (priority.id, priority.name, priority.description) for priority in catalogue.priorities
    ])
    _replace(connection, "populations", [
        (population.id, population.name, population.description)
        for population in catalogue.populations
    ])
    _replace(connection, "breakdowns", [
        (breakdown.id, breakdown.name, list(breakdown.values)) for breakdown in catalogue.breakdowns
    ])
    latest = {
        indicator_id: (version, content_hash)
        for indicator_id, version, content_hash in connection.execute(
            "SELECT indicator_id, max(version), arg_max(content_sha256, version) "
            "FROM indicator_definitions GROUP BY indicator_id"
        ).fetchall()
    }
    changed = 0
    indicator_rows = []
    for indicator in catalogue.indicators:
        document = indicator_document(indicator)
        content_hash = _sha256(document)
        version, stored_hash = latest.get(indicator.id, (0, None))
        if stored_hash != content_hash:
            version += 1
            changed += 1
            connection.execute(
                "INSERT INTO indicator_definitions VALUES (?, ?, ?, ?, ?, ?)",
                [indicator.id, version, indicator.applies_from, content_hash,
                 json.dumps(document, ensure_ascii=False), now],
            )
        target = indicator.target
        indicator_rows.append((
            indicator.id, indicator.theme, indicator.name, indicator.definition,
            indicator.numerator, indicator.denominator, indicator.unit, indicator.polarity,
            indicator.population, indicator.owner, indicator.source, indicator.period_basis,
            list(indicator.breakdowns), list(indicator.priorities),
            target.value if target else None, target.low if target else None,
            target.high if target else None, target.amber_tolerance if target else None,
            indicator.change_tolerance_percent, indicator.applies_from, indicator.status,
            indicator.retired_from, indicator.notes, version, list(indicator.challenge_questions),
        ))
    _replace(connection, "indicators", indicator_rows)
    return changed


def _write_reference(connection: duckdb.DuckDBPyConnection, reference: ReferenceData) -> None:
    _replace(connection, "population", [
        (row.population_id, row.financial_year, row.fy_start, row.value, row.as_at,
         row.derivation, row.source, row.licence)
        for row in reference.population
    ])
    _replace(connection, "benchmarks", [
        (row.indicator_id, row.area, row.period, row.period_type, row.period_end, row.value,
         row.published_value, row.published_unit, row.breakdown, row.breakdown_value,
         row.source, row.licence, row.note)
        for row in reference.benchmarks
    ])
