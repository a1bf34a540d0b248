"""Headline statements drafted from the data, by fixed rules and never invented text.

For a quarter, each indicator's whole-area figure is read as the scorecard reads it:
- an SPC concern, red against target or worse than a benchmark puts it under "What are we
  worried about?", and gives it a prompt under "What needs to happen?" addressed to the agency
  that owns it;
- otherwise an SPC improvement, green against target or better than a benchmark puts it under
  "What's working well?".
Each statement says the figure with its unit, its movement since last quarter and the reasons,
and lists the figures it quotes with the quarter and the return version they came from, so that
it can be traced and flagged when a later return changes them (`record.py`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import duckdb
import pandas as pd

from thinktank import scorecard
from thinktank.formatting import (
    MOVEMENT_VERBS,
    SPC_RULE_PHRASES,
    agency_names,
    describe_target,
    format_figure,
)
from thinktank.periods import Quarter

WORRIED, WORKING_WELL, NEEDS_TO_HAPPEN = "worried", "working_well", "needs_to_happen"
BENCHMARK_AREAS = {"England": "england", "North East": "north_east", "statistical neighbours": "neighbours"}
# How a sentence names each area after "worse than" or "better than".
AREAS_IN_A_SENTENCE = {"England": "England", "North East": "the North East",
                       "statistical neighbours": "its statistical neighbours"}
# Rules on the latest point that can hold for several quarters running: said with how long.
LIMIT_RULES = {"above the upper limit": "above", "below the lower limit": "below"}
_ORDINALS = {2: "second", 3: "third", 4: "fourth", 5: "fifth", 6: "sixth"}


@dataclass(frozen=True)
class QuotedFigure:
    """A figure a statement quotes: which, as the statement shows it, and where it came from."""

    indicator_id: str
    period: str
    shown: str
    agency_id: str
    return_version: int | None

    def as_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Proposal:
    theme_id: str
    signs_of_safety: str
    indicator_id: str
    # Why the rules put it here, in words: "SPC concern; red against target".
    drafting_rule: str
    body: str
    figures: tuple[QuotedFigure, ...]


def propose(cursor: duckdb.DuckDBPyConnection, period: Quarter) -> list[Proposal]:
    """Every statement the rules draft for the quarter, theme by theme in catalogue order."""
    card = scorecard.whole_area(scorecard.scorecard(cursor, period))
    points = scorecard.series(cursor, None, period)
    versions = return_versions(cursor, [period, period.previous()])
    owners = agency_names(cursor.execute("SELECT id, short_name FROM agencies").df().itertuples())
    theme_order = dict(cursor.execute("SELECT id, number FROM themes").fetchall())
    proposals = []
    rows = card.assign(_theme_number=card["theme"].map(theme_order)).sort_values(["_theme_number", "indicator_id"])
    for row in rows.itertuples():
        if row.value is None or math.isnan(row.value):
            continue
        reading = Reading(row, points[points["indicator_id"] == row.indicator_id], period, versions, owners)
        proposals.extend(reading.proposals())
    return proposals


def return_versions(cursor: duckdb.DuckDBPyConnection, periods: list[Quarter]) -> dict[tuple[str, str], int]:
    """The version in force of each agency's return for the quarters: (agency, quarter) to version."""
    rows = cursor.execute(
        "SELECT agency_id, period, version FROM submissions_in_force WHERE list_contains($periods, period)",
        {"periods": [quarter.label for quarter in periods]},
    ).fetchall()
    return {(agency, quarter): version for agency, quarter, version in rows}


def in_a_list(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def in_a_sentence(name: str) -> str:
    """An indicator's name inside a sentence: ``Re-referrals ...`` becomes ``re-referrals ...``;
    ``CAMHS referrals ...`` stays as it is."""
    return name[0].lower() + name[1:] if name[1:2].islower() else name


class Reading:
    """One indicator's whole-area row for the quarter, read by the drafting rules."""

    def __init__(self, row, points: pd.DataFrame, period: Quarter, versions: Mapping[tuple[str, str], int],
                 owners: Mapping[str, str]) -> None:
        self.row = row
        self.points = points
        self.period = period
        self.versions = versions
        self.owner = owners.get(row.owner, row.owner)

    def proposals(self) -> list[Proposal]:
        worries = self.worries()
        if worries:
            return [self._proposal(WORRIED, worries, self.worry_text(worries)),
                    self._proposal(NEEDS_TO_HAPPEN, worries, self.next_step_text())]
        strengths = self.strengths()
        if strengths:
            return [self._proposal(WORKING_WELL, strengths, self.strength_text(strengths))]
        return []

    def worries(self) -> list[str]:
        reasons = []
        if self.row.spc_signal == "concern":
            reasons.append("SPC concern")
        if self.row.rag == "red":
            reasons.append("red against target")
        reasons.extend(f"worse than {AREAS_IN_A_SENTENCE[area]}" for area in self.benchmarks("worse"))
        return reasons

    def strengths(self) -> list[str]:
        reasons = []
        if self.row.spc_signal == "improvement":
            reasons.append("SPC improvement")
        if self.row.rag == "green":
            reasons.append("green against target")
        reasons.extend(f"better than {AREAS_IN_A_SENTENCE[area]}" for area in self.benchmarks("better"))
        return reasons

    def benchmarks(self, position: str) -> list[str]:
        return [area for area, prefix in BENCHMARK_AREAS.items()
                if getattr(self.row, f"{prefix}_position") == position]

    # The sentences. -------------------------------------------------------------------------

    def worry_text(self, reasons: list[str]) -> str:
        return self.figure_sentence(reasons) + " " + self.reasons_sentence(reasons, "concern")

    def strength_text(self, reasons: list[str]) -> str:
        return self.figure_sentence(reasons) + " " + self.reasons_sentence(reasons, "improvement")

    def figure_sentence(self, reasons: list[str]) -> str:
        row = self.row
        now = self.shown(row.value, row.status)
        previous_quarter = self.period.previous()
        if row.previous_value is None or (isinstance(row.previous_value, float) and math.isnan(row.previous_value)):
            moved = f"stood at {now} in {self.period}"
        else:
            before = self.shown(row.previous_value, row.previous_status)
            verb = MOVEMENT_VERBS.get(row.movement)
            moved = (f"{verb} {now} in {self.period}, from {before} in {previous_quarter}" if verb
                     else f"stood at {now} in {self.period}, much the same as {before} in {previous_quarter}")
        compared = [f"{area} {self.shown(getattr(row, f'{prefix}_value'), None)}"
                    for area, prefix in BENCHMARK_AREAS.items()
                    if any(reason.endswith(AREAS_IN_A_SENTENCE[area]) for reason in reasons)]
        return f"{row.name} {moved}" + (f" ({', '.join(compared)})" if compared else "") + "."

    def reasons_sentence(self, reasons: list[str], signal: str) -> str:
        row = self.row
        clauses = []
        if f"SPC {signal}" in reasons:
            rules = [rule for rule in (row.spc_rules or "").split("; ") if rule]
            clauses.append(in_a_list([self.rule_phrase(rule) for rule in rules]) + f" (an SPC {signal})")
        if "red against target" in reasons or "green against target" in reasons:
            target = describe_target(row.unit, row.polarity, row.target_value, row.target_low, row.target_high,
                                     row.target_amber_tolerance)
            clauses.append(f"{row.rag} against its target of {target}")
        areas = [reason.split(" than ", 1)[1] for reason in reasons if " than " in reason]
        if areas:
            word = "worse" if signal == "concern" else "better"
            clauses.append(f"{word} than " + in_a_list(areas))
        return "It is " + "; ".join(clauses) + "."

    def rule_phrase(self, rule: str) -> str:
        phrase = SPC_RULE_PHRASES.get(rule, rule)
        side = LIMIT_RULES.get(rule)
        running = self.quarters_beyond_limit(side) if side else 1
        return phrase + (f" for the {_ORDINALS.get(running, f'{running}th')} quarter running" if running > 1 else "")

    def quarters_beyond_limit(self, side: str) -> int:
        """How many quarters in a row, up to this one and within its SPC segment, the figure has
        been beyond the limit on that side."""
        points = self.points[self.points["value"].notna()].sort_values("period_index", ascending=False)
        if points.empty:
            return 0
        points = points[points["segment"] == points["segment"].iloc[0]]
        running = 0
        for point in points.itertuples():
            beyond = point.value > point.spc_upper if side == "above" else point.value < point.spc_lower
            if not beyond:
                break
            running += 1
        return running

    def next_step_text(self) -> str:
        row = self.row
        if row.rag == "red":
            aim = "what will bring it back to its target of " + describe_target(
                row.unit, row.polarity, row.target_value, row.target_low, row.target_high, row.target_amber_tolerance)
        elif self.benchmarks("worse"):
            aim = "what partners elsewhere do differently"
        else:
            aim = "whether the change is in practice or in recording"
        return (f"{self.owner} to report to the PLG in {self.period.next()} on what lies behind "
                f"{in_a_sentence(row.name)} and {aim}.")

    # The figures quoted. --------------------------------------------------------------------

    def shown(self, value: float | None, status: str | None) -> str:
        return format_figure(value, self.row.unit, status)

    def quoted(self) -> tuple[QuotedFigure, ...]:
        row = self.row
        figures = [self._figure(self.period, row.value, row.status)]
        if not (row.previous_value is None or (isinstance(row.previous_value, float) and math.isnan(row.previous_value))):
            figures.append(self._figure(self.period.previous(), row.previous_value, row.previous_status))
        return tuple(figures)

    def _figure(self, period: Quarter, value: float, status: str | None) -> QuotedFigure:
        return QuotedFigure(indicator_id=self.row.indicator_id, period=period.label, shown=self.shown(value, status),
                            agency_id=self.row.owner, return_version=self.versions.get((self.row.owner, period.label)))

    def _proposal(self, column: str, reasons: list[str], body: str) -> Proposal:
        return Proposal(theme_id=self.row.theme, signs_of_safety=column, indicator_id=self.row.indicator_id,
                        drafting_rule="; ".join(reasons), body=body, figures=self.quoted())
