"""Changing the catalogue of record: an indicator or a theme edited or added on the Catalogue
page, or a whole catalogue imported from files. Each change is proposed first (checked as the
loader checks the files, with the difference in words and, on request, a preview of its effect)
and then saved in one transaction, by an analyst or an admin only.

An indicator's change is effective from a chosen quarter: the fields that differ from the
definition in force then take their new values from that quarter on (in every later definition
too), and the quarters before keep what they had. Challenge questions are not part of the
definition (they change no figure) and belong to the latest definition only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

import duckdb

from thinktank.catalogue import Catalogue, Indicator, Span, Theme, check_catalogue, check_entry
from thinktank.errors import CatalogueChangeError
from thinktank.formatting import CATALOGUE_FIELD_LABELS, RAG_LABELS, field_value_in_words
from thinktank.periods import Quarter
from thinktank.scorecard import reported_quarters, scorecard, whole_area
from thinktank.store import Store, utc_now
from thinktank.store.audit import AuditEntry, record
from thinktank.store.catalogue import SOURCE_APP, latest_revision, stored_catalogue, write_catalogue
from thinktank.store.series_points import refresh_series_points
from thinktank.store.transactions import transaction
from thinktank.users import User, check_changes_catalogue

# Kept with the latest definition only, never a new version (see the module's docstring).
CURRENT_ONLY_FIELDS = frozenset({"challenge_questions"})
REGISTER_NAMES = {"themes": "theme", "agencies": "agency", "priorities": "priority",
                  "populations": "population", "breakdowns": "breakdown"}


@dataclass(frozen=True)
class FieldChange:
    """One field of one entry: what it said and what it will say."""

    subject: str
    field: str
    before: Any
    after: Any

    def in_words(self) -> str:
        label = CATALOGUE_FIELD_LABELS.get(self.field, self.field)
        if self.before is None and self.field == "":
            return f"{self.subject}: added"
        if self.after is None and self.field == "":
            return f"{self.subject}: removed"
        return f"{self.subject}: {label}: {field_value_in_words(self.before)} → {field_value_in_words(self.after)}"


@dataclass(frozen=True)
class Proposal:
    """A change checked and ready to save: the catalogue it makes and what it changes."""

    wanted: Catalogue
    effective_from: Quarter | None
    changes: tuple[FieldChange, ...]
    # Problems found: each field's (field, reason) for a form, and the whole catalogue's.
    field_problems: tuple[tuple[str, str], ...] = ()
    problems: tuple[str, ...] = ()
    # The catalogue revision it was made from: saving refuses if another change came first.
    base_revision: int = 0
    indicator_ids: tuple[str, ...] = field(default=())

    @property
    def is_valid(self) -> bool:
        return not self.field_problems and not self.problems

    def summary(self) -> str:
        """The change in a sentence, for the audit log and the list of changes: which entries
        and which fields, never a figure of any return."""
        by_subject: dict[str, list[str]] = {}
        for change in self.changes:
            fields = by_subject.setdefault(change.subject, [])
            if change.field:
                fields.append(CATALOGUE_FIELD_LABELS.get(change.field, change.field).lower())
            else:
                fields.append("added" if change.before is None else "removed")
        parts = [f"{subject} ({', '.join(dict.fromkeys(fields))})" for subject, fields in by_subject.items()]
        when = f" from {self.effective_from.label}" if self.effective_from and self.indicator_ids else ""
        return ("Changed" + when + ": " + "; ".join(parts) + ".") if parts else "No change."


@dataclass(frozen=True)
class Effects:
    """What saving would do, worked out by making the change and undoing it."""

    # The agencies whose templates change, by name.
    templates: tuple[str, ...]
    # Whole-area RAG ratings that change: (quarter, indicator id, before, after), in words.
    rag_changes: tuple[tuple[str, str, str, str], ...]
    # Stored figures whose worked-out value changes (a unit or population changed), by quarter.
    figures_changed: dict[str, int]
    figures_held: int


def _document(indicator: Indicator) -> dict[str, Any]:
    return indicator.model_dump(mode="json")


def _subject(indicator_id: str, name: str) -> str:
    return f"{indicator_id} {name}"


def _apply_from(spans: tuple[Span, ...], delta: dict[str, Any], quarter: Quarter) -> tuple[list[Span], list[str]]:
    """The spans after setting ``delta``'s fields from ``quarter`` on, and any problem a
    definition would then have (each naming the quarter it starts)."""
    at_change = spans[0]
    for span in spans:
        if span.starts <= quarter:
            at_change = span
    result = [span for span in spans if span.starts < quarter]
    problems = []
    for starts, base in [(quarter, at_change.indicator), *((s.starts, s.indicator) for s in spans if s.starts > quarter)]:
        changed, reasons = check_entry(Indicator, {**_document(base), **delta})
        if changed is None:
            problems.extend(f"From {starts.label}: {CATALOGUE_FIELD_LABELS.get(where, where)}: {reason}"
                            for where, reason in reasons)
            continue
        if result and _document(result[-1].indicator) == _document(changed):
            continue  # the same definition as the span before: one span
        result.append(Span(starts, changed))
    return result, problems


def _with_indicator(catalogue: Catalogue, spans: list[Span], questions: tuple[str, ...] | None = None) -> Catalogue:
    """The catalogue with one indicator's spans replaced (or added)."""
    latest = spans[-1].indicator
    if questions is not None:
        latest = latest.model_copy(update={"challenge_questions": questions})
        spans = [*spans[:-1], Span(spans[-1].starts, latest)]
    indicators = [i for i in catalogue.indicators if i.id != latest.id] + [latest]
    order = {theme.id: theme.number for theme in catalogue.themes}
    indicators.sort(key=lambda i: (order.get(i.theme, 0), i.id))
    history = {**catalogue.history}
    if len(spans) > 1:
        history[latest.id] = tuple(spans)
    else:
        history.pop(latest.id, None)
    return replace(catalogue, indicators=tuple(indicators), history=history)


def propose_indicator(cursor: duckdb.DuckDBPyConnection, catalogue: Catalogue, raw: dict[str, Any],
                      effective_from: Quarter) -> Proposal:
    """An indicator added, or changed from ``effective_from``, as the form gives it (the same
    keys as a catalogue file's entry)."""
    base_revision = _revision(cursor)
    checked, field_problems = check_entry(Indicator, raw)
    if checked is None:
        return Proposal(catalogue, effective_from, (), tuple(field_problems), (), base_revision)
    existing = catalogue.indicator_by_id.get(checked.id)
    if existing is None:
        wanted = _with_indicator(catalogue, [Span(Quarter.parse(checked.applies_from), checked)])
        changes = (FieldChange(_subject(checked.id, checked.name), "", None, "added"),)
        return _checked(wanted, Quarter.parse(checked.applies_from), changes, base_revision, (checked.id,))
    base = catalogue.definition_in_force(checked.id, effective_from)
    after = _document(checked)
    delta = {key: value for key, value in after.items()
             if key not in CURRENT_ONLY_FIELDS and value != _document(base).get(key)}
    questions_changed = tuple(checked.challenge_questions) != tuple(existing.challenge_questions)
    spans, problems = _apply_from(catalogue.spans_of(checked.id), delta, effective_from)
    changes = tuple(FieldChange(_subject(checked.id, base.name), key, _document(base).get(key), value)
                    for key, value in delta.items())
    if questions_changed:
        changes += (FieldChange(_subject(checked.id, base.name), "challenge_questions",
                                list(existing.challenge_questions), list(checked.challenge_questions)),)
    if problems:
        return Proposal(catalogue, effective_from, changes, (), tuple(problems), base_revision, (checked.id,))
    wanted = _with_indicator(catalogue, spans, tuple(checked.challenge_questions))
    return _checked(wanted, effective_from, changes, base_revision, (checked.id,) if delta else ())


def propose_theme(cursor: duckdb.DuckDBPyConnection, catalogue: Catalogue, raw: dict[str, Any]) -> Proposal:
    """A theme added or renamed (its name, number or description): a register, so the change
    holds for every quarter."""
    base_revision = _revision(cursor)
    checked, field_problems = check_entry(Theme, raw)
    if checked is None:
        return Proposal(catalogue, None, (), tuple(field_problems), (), base_revision)
    existing = catalogue.theme_by_id.get(checked.id)
    themes = sorted([t for t in catalogue.themes if t.id != checked.id] + [checked], key=lambda t: t.number)
    if existing is None:
        changes = (FieldChange(f"Theme {checked.name}", "", None, "added"),)
    else:
        before, after = existing.model_dump(), checked.model_dump()
        changes = tuple(FieldChange(f"Theme {existing.name}", key, before[key], value)
                        for key, value in after.items() if value != before[key])
    taken = [t.name for t in catalogue.themes if t.number == checked.number and t.id != checked.id]
    problems = (f"Number {checked.number} is already theme {taken[0]}'s: give each theme its own number.",) if taken else ()
    wanted = replace(catalogue, themes=tuple(themes))
    if problems:
        return Proposal(wanted, None, changes, (), problems, base_revision)
    return _checked(wanted, None, changes, base_revision, ())


def propose_import(cursor: duckdb.DuckDBPyConnection, catalogue: Catalogue, files: Catalogue,
                   effective_from: Quarter) -> Proposal:
    """A whole catalogue read from files: its registers replace the store's; each indicator it
    holds is added, or changed from ``effective_from`` wherever it differs from the latest
    definition (what an export writes). An indicator the files lack is kept as it is: an import
    never deletes (retire an indicator instead)."""
    base_revision = _revision(cursor)
    wanted = replace(catalogue, themes=files.themes, agencies=files.agencies, priorities=files.priorities,
                     populations=files.populations, breakdowns=files.breakdowns)
    changes: list[FieldChange] = []
    for name, singular in REGISTER_NAMES.items():
        before = {entry.id: entry.model_dump() for entry in getattr(catalogue, name)}
        after = {entry.id: entry.model_dump() for entry in getattr(files, name)}
        for entry_id in after.keys() - before.keys():
            changes.append(FieldChange(f"{singular.capitalize()} {entry_id}", "", None, "added"))
        for entry_id in before.keys() - after.keys():
            changes.append(FieldChange(f"{singular.capitalize()} {entry_id}", "", "removed", None))
        for entry_id in sorted(after.keys() & before.keys()):
            changes.extend(FieldChange(f"{singular.capitalize()} {entry_id}", key, before[entry_id][key], value)
                           for key, value in after[entry_id].items() if value != before[entry_id][key])
    problems: list[str] = []
    changed_ids = []
    for indicator in files.indicators:
        existing = catalogue.indicator_by_id.get(indicator.id)
        if existing is None:
            wanted = _with_indicator(wanted, [Span(Quarter.parse(indicator.applies_from), indicator)])
            changes.append(FieldChange(_subject(indicator.id, indicator.name), "", None, "added"))
            changed_ids.append(indicator.id)
            continue
        before, after = _document(existing), _document(indicator)
        delta = {key: value for key, value in after.items() if key not in CURRENT_ONLY_FIELDS and value != before[key]}
        questions = tuple(indicator.challenge_questions)
        if not delta and questions == tuple(existing.challenge_questions):
            continue
        changes.extend(FieldChange(_subject(indicator.id, existing.name), key, before[key], value)
                       for key, value in after.items() if value != before[key])
        spans, found = _apply_from(wanted.spans_of(indicator.id), delta, effective_from) if delta else (
            list(wanted.spans_of(indicator.id)), [])
        problems.extend(f"{indicator.id}: {problem}" for problem in found)
        if not found:
            wanted = _with_indicator(wanted, spans, questions)
        if delta:
            changed_ids.append(indicator.id)
    if problems:
        return Proposal(catalogue, effective_from, tuple(changes), (), tuple(problems), base_revision)
    return _checked(wanted, effective_from, tuple(changes), base_revision, tuple(changed_ids))


def _checked(wanted: Catalogue, effective_from: Quarter | None, changes: tuple[FieldChange, ...],
             base_revision: int, indicator_ids: tuple[str, ...]) -> Proposal:
    return Proposal(wanted, effective_from, changes, (), tuple(check_catalogue(wanted)), base_revision, indicator_ids)


def _revision(cursor: duckdb.DuckDBPyConnection) -> int:
    latest = latest_revision(cursor)
    return latest.revision if latest else 0


class _UndoPreviewError(Exception):
    """Raised inside a preview's transaction so that everything it wrote is rolled back."""


def preview(store: Store, actor: User, proposal: Proposal) -> Effects:
    """What saving would change, worked out by saving inside a transaction and rolling it back:
    the templates, the whole-area RAG of every reported quarter, and the stored figures."""
    check_changes_catalogue(actor)
    cursor = store.cursor()
    ids = list(proposal.indicator_ids)
    before_catalogue = store.catalogue
    owners = {before_catalogue.indicator_by_id[i].owner for i in ids if i in before_catalogue.indicator_by_id}
    owners |= {proposal.wanted.indicator_by_id[i].owner for i in ids}
    names = {agency.id: agency.name for agency in proposal.wanted.agencies}
    quarters = reported_quarters(cursor)

    def state() -> tuple[dict, dict]:
        rags = {}
        for quarter in quarters:
            for indicator_id in ids:
                card = scorecard(cursor, quarter, indicator_id=indicator_id, within_transaction=True)
                for row in whole_area(card).itertuples():
                    rags[(quarter.label, row.indicator_id)] = row.rag
        values = {(i, p, s): v for i, p, s, v in cursor.execute(
            "SELECT indicator_id, period_index, series_id, value FROM series_points "
            "WHERE list_contains(?, indicator_id)", [ids]).fetchall()}
        return rags, values

    rags_before, values_before = state() if ids else ({}, {})
    rags_after: dict = {}
    values_after: dict = {}
    try:
        with transaction(cursor):
            write_catalogue(cursor, before_catalogue, proposal.wanted, actor, SOURCE_APP, "preview", utc_now())
            if ids:
                refresh_series_points(cursor, ids)
                rags_after, values_after = state()
            raise _UndoPreviewError
    except _UndoPreviewError:
        pass
    rag_changes = tuple(
        (quarter, indicator_id, RAG_LABELS.get(rag, rag or "Not collected"),
         RAG_LABELS.get(rags_after.get((quarter, indicator_id)), rags_after.get((quarter, indicator_id)) or "Not collected"))
        for (quarter, indicator_id), rag in sorted(rags_before.items(), key=lambda item: (Quarter.parse(item[0][0]), item[0][1]))
        if rags_after.get((quarter, indicator_id)) != rag
    ) + tuple(
        (quarter, indicator_id, "Not collected", RAG_LABELS.get(rag, rag))
        for (quarter, indicator_id), rag in rags_after.items() if (quarter, indicator_id) not in rags_before
    )
    figures_changed: dict[str, int] = {}
    for key, value in values_before.items():
        if values_after.get(key, value) != value:
            label = Quarter.from_index(key[1]).label
            figures_changed[label] = figures_changed.get(label, 0) + 1
    return Effects(tuple(sorted(names.get(owner, owner) for owner in owners)) if ids else (),
                   rag_changes, figures_changed, len(values_before))


def save(store: Store, actor: User, proposal: Proposal, source: str = SOURCE_APP, reason: str = "",
         now: dt.datetime | None = None) -> list[str]:
    """Store the change in one transaction, by an analyst or an admin only; the catalogue every
    page reads is the new one from the next page on. Returns the indicators whose definition
    changed for some quarter."""
    check_changes_catalogue(actor)
    if not proposal.is_valid:
        raise CatalogueChangeError("The change has problems, so nothing was saved",
                                   "Put right what the form lists, then save again.")
    if not proposal.changes:
        return []
    cursor = store.cursor()
    now = now or utc_now()
    with transaction(cursor):
        if _revision(cursor) != proposal.base_revision:
            raise CatalogueChangeError(
                "Someone else changed the catalogue while you were editing",
                "Nothing of yours was saved. Open the indicator again to see their change, then make yours.")
        changed = write_catalogue(cursor, store.catalogue, proposal.wanted, actor, source, proposal.summary(), now,
                                  reason)
        if changed:
            refresh_series_points(cursor, changed)
        record(cursor, actor, AuditEntry(action="catalogue_change", outcome="saved", detail=proposal.summary()), now)
    store.catalogue = stored_catalogue(cursor) or store.catalogue
    return changed

