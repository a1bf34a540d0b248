"""The catalogue of record: the store's themes, registers and every version of every indicator
definition, each in force from a quarter (migration 014).

A version is in force from its ``effective_from`` quarter: for any quarter, the highest version
among those in force from that quarter or earlier. So a change from a quarter appends versions
and never rewrites one, and the quarters before it read the definition they had. Everything
that reads the catalogue by quarter reads `indicator_spans`, derived here from the versions;
`indicators` holds each indicator's latest definition.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import duckdb

from thinktank.catalogue import (
    Agency,
    Breakdown,
    Catalogue,
    Indicator,
    Population,
    Priority,
    Span,
    Theme,
)
from thinktank.periods import Quarter
from thinktank.users import User

# Where a revision came from: the files in indicators/, a command-line import, the Catalogue page.
SOURCE_FILES, SOURCE_IMPORT, SOURCE_APP = "files", "import", "app"
FILES_ACTOR_NAME = "The catalogue files"
# The end of the last span and the start of the first: beyond every quarter.
OPEN_END = 2147483647

_SPANS = """
WITH versions AS (
    SELECT indicator_id, version, quarter_index(effective_from) AS starts_index, effective_from
    FROM indicator_definitions
),
starts AS (
    SELECT indicator_id, starts_index, any_value(effective_from) AS effective_from
    FROM versions GROUP BY ALL
),
spans AS (
    SELECT s.indicator_id, s.effective_from, s.starts_index,
        (SELECT max(v.version) FROM versions v
         WHERE v.indicator_id = s.indicator_id AND v.starts_index <= s.starts_index) AS version
    FROM starts s
)
SELECT s.indicator_id, s.effective_from, s.version, d.definition, d.recorded_at, d.recorded_by, d.reason
FROM spans s JOIN indicator_definitions d USING (indicator_id, version)
ORDER BY s.indicator_id, s.starts_index
"""


@dataclass(frozen=True)
class StoredSpan:
    """A span as the store holds it: from which quarter, which version, who made it and why."""

    starts: Quarter
    version: int
    indicator: Indicator
    recorded_at: dt.datetime
    recorded_by: str
    reason: str


@dataclass(frozen=True)
class Revision:
    revision: int
    source: str
    recorded_at: dt.datetime
    recorded_by: str
    summary: str


def indicator_document(indicator: Indicator) -> dict[str, Any]:
    """The indicator's definition as versioned: how its figure is counted and read. An
    indicator that does not use `denominator_is` keeps the document (and so the hash) it had
    before the key existed, so that adding the key is not a new version of every one. The
    challenge questions are not part of the definition: changing them changes no figure, so they
    are kept with the latest definition only."""
    excluded = {"challenge_questions"} | (set() if indicator.denominator_is else {"denominator_is"})
    return indicator.model_dump(mode="json", exclude=excluded)


def document_sha256(document: Any) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def latest_revision(cursor: duckdb.DuckDBPyConnection) -> Revision | None:
    row = cursor.execute(
        "SELECT revision, source, recorded_at, recorded_by, summary FROM catalogue_revisions "
        "ORDER BY revision DESC LIMIT 1"
    ).fetchone()
    return Revision(*row) if row else None


def revisions(cursor: duckdb.DuckDBPyConnection) -> list[Revision]:
    """Every change to the catalogue, newest first."""
    return [Revision(*row) for row in cursor.execute(
        "SELECT revision, source, recorded_at, recorded_by, summary FROM catalogue_revisions "
        "ORDER BY revision DESC"
    ).fetchall()]


def stored_spans(
    cursor: duckdb.DuckDBPyConnection, questions: dict[str, tuple[str, ...]] | None = None
) -> dict[str, list[StoredSpan]]:
    """Each indicator's spans, oldest first, consecutive spans of one version merged. The
    challenge questions (kept with the latest definition) are ``questions``, else the store's."""
    if questions is None:
        questions = dict(cursor.execute("SELECT id, challenge_questions FROM indicators").fetchall())
    spans: dict[str, list[StoredSpan]] = {}
    for identifier, effective_from, version, definition, recorded_at, recorded_by, reason in cursor.execute(_SPANS).fetchall():
        held = spans.setdefault(identifier, [])
        if held and held[-1].version == version:
            continue
        indicator = Indicator.model_validate(
            {**json.loads(definition), "challenge_questions": questions.get(identifier) or []}
        )
        held.append(StoredSpan(Quarter.parse(effective_from), version, indicator, recorded_at, recorded_by, reason))
    return spans


def stored_catalogue(cursor: duckdb.DuckDBPyConnection) -> Catalogue | None:
    """The catalogue of record; None for a store the files have not seeded yet."""
    if latest_revision(cursor) is None:
        return None
    spans = stored_spans(cursor)
    order = dict(cursor.execute("SELECT id, number FROM themes").fetchall())
    latest = sorted((held[-1].indicator for held in spans.values()), key=lambda i: (order.get(i.theme, 0), i.id))
    return Catalogue(
        themes=tuple(Theme(id=row[0], number=row[1], name=row[2], description=row[3])
                     for row in cursor.execute("SELECT * FROM themes ORDER BY number").fetchall()),
        agencies=tuple(Agency(id=row[0], name=row[1], short_name=row[2], sector=row[3], description=row[4])
                       for row in cursor.execute("SELECT * FROM agencies ORDER BY rowid").fetchall()),
        priorities=tuple(Priority(id=row[0], name=row[1], description=row[2])
                         for row in cursor.execute("SELECT * FROM priorities ORDER BY rowid").fetchall()),
        populations=tuple(Population(id=row[0], name=row[1], description=row[2])
                          for row in cursor.execute("SELECT * FROM populations ORDER BY rowid").fetchall()),
        breakdowns=tuple(Breakdown(id=row[0], name=row[1], values=tuple(row[2]))
                         for row in cursor.execute("SELECT * FROM breakdowns ORDER BY rowid").fetchall()),
        indicators=tuple(latest),
        history={identifier: tuple(Span(span.starts, span.indicator) for span in held)
                 for identifier, held in spans.items() if len(held) > 1},
    )


def write_catalogue(
    cursor: duckdb.DuckDBPyConnection,
    previous: Catalogue | None,
    wanted: Catalogue,
    actor: User,
    source: str,
    summary: str,
    now: dt.datetime,
    reason: str = "",
) -> list[str]:
    """Make the store's catalogue read as ``wanted`` for every quarter: the registers as given,
    and for each indicator the versions that make its spans ``wanted``'s (appended, from the
    first quarter where the two differ). The caller holds the transaction and refreshes the
    series and records the audit event. Returns the indicators whose definition changed for
    some quarter."""
    _write_registers(cursor, wanted)
    latest_version = dict(cursor.execute(
        "SELECT indicator_id, max(version) FROM indicator_definitions GROUP BY ALL").fetchall())
    recorded_by = FILES_ACTOR_NAME if source == SOURCE_FILES else actor.id
    changed = []
    for indicator in wanted.indicators:
        before = previous.spans_of(indicator.id) if previous and indicator.id in previous.indicator_by_id else ()
        appended = _versions_to_append(before, wanted.spans_of(indicator.id))
        version = latest_version.get(indicator.id, 0)
        for span in appended:
            version += 1
            document = indicator_document(span.indicator)
            cursor.execute(
                "INSERT INTO indicator_definitions (indicator_id, version, applies_from, content_sha256, definition,"
                " recorded_at, effective_from, recorded_by, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [indicator.id, version, span.indicator.applies_from, document_sha256(document),
                 json.dumps(document, ensure_ascii=False), now, span.starts.label, recorded_by, reason],
            )
        if appended:
            changed.append(indicator.id)
    _write_indicator_tables(cursor, wanted)
    (revision,) = cursor.execute("SELECT coalesce(max(revision), 0) + 1 FROM catalogue_revisions").fetchone()
    cursor.execute("INSERT INTO catalogue_revisions VALUES (?, ?, ?, ?, ?)",
                   [revision, source, now, recorded_by, summary])
    return changed


def _versions_to_append(before: tuple[Span, ...], wanted: tuple[Span, ...]) -> list[Span]:
    """The spans to append as new versions so that the store reads ``wanted``: from the first
    quarter where ``before`` and ``wanted`` give different definitions, the definition wanted
    there and every later span wanted."""
    if not before:
        return list(wanted)

    def in_force(spans: tuple[Span, ...], quarter: Quarter) -> str:
        chosen = spans[0]
        for span in spans:
            if span.starts <= quarter:
                chosen = span
        return document_sha256(indicator_document(chosen.indicator))

    starts = sorted({span.starts for span in (*before, *wanted)})
    differs = next((quarter for quarter in starts if in_force(before, quarter) != in_force(wanted, quarter)), None)
    if differs is None:
        return []
    at_change = wanted[0]
    for span in wanted:
        if span.starts <= differs:
            at_change = span
    return [Span(differs, at_change.indicator), *(span for span in wanted if span.starts > differs)]


def replace_rows(cursor: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    cursor.execute(f"DELETE FROM {table}")
    if rows:
        parameters = ", ".join("?" for _ in rows[0])
        cursor.executemany(f"INSERT INTO {table} VALUES ({parameters})", rows)


def _write_registers(cursor: duckdb.DuckDBPyConnection, catalogue: Catalogue) -> None:
    replace_rows(cursor, "themes", [(t.id, t.number, t.name, t.description) for t in catalogue.themes])
    replace_rows(cursor, "agencies", [(a.id, a.name, a.short_name, a.sector, a.description) for a in catalogue.agencies])
    replace_rows(cursor, "priorities", [(p.id, p.name, p.description) for p in catalogue.priorities])
    replace_rows(cursor, "populations", [(p.id, p.name, p.description) for p in catalogue.populations])
    replace_rows(cursor, "breakdowns", [(b.id, b.name, list(b.values)) for b in catalogue.breakdowns])


def _indicator_row(indicator: Indicator, version: int, questions: tuple[str, ...]) -> tuple:
    target = indicator.target
    return (
        indicator.id, indicator.theme, indicator.name, indicator.definition,
        indicator.numerator, indicator.denominator, indicator.unit, indicator.polarity,
        indicator.population, indicator.owner, indicator.source, indicator.period_basis,
        list(indicator.breakdowns), list(indicator.priorities),
        target.value if target else None, target.low if target else None,
        target.high if target else None, target.amber_tolerance if target else None,
        indicator.change_tolerance_percent, indicator.applies_from, indicator.status,
        indicator.retired_from, indicator.notes, version, list(questions),
    )


def _write_indicator_tables(cursor: duckdb.DuckDBPyConnection, catalogue: Catalogue) -> None:
    """`indicators` (each latest definition, with its challenge questions) and `indicator_spans`
    (every span), from the versions just written."""
    questions = {indicator.id: indicator.challenge_questions for indicator in catalogue.indicators}
    spans = stored_spans(cursor, questions)
    latest_rows, span_rows = [], []
    for identifier, held in spans.items():
        for position, span in enumerate(held):
            row = _indicator_row(span.indicator, span.version, questions.get(identifier, ()))
            ends = held[position + 1].starts.index if position + 1 < len(held) else OPEN_END
            span_rows.append((*row, span.starts.label, 0 if position == 0 else span.starts.index, ends))
        latest_rows.append(_indicator_row(held[-1].indicator, held[-1].version, questions.get(identifier, ())))
    replace_rows(cursor, "indicators", latest_rows)
    replace_rows(cursor, "indicator_spans", span_rows)
