"""Everything a quarter's board pack shows, gathered once: the sign-off, the scaling, the
statements, each theme's figures, charts, evidence and actions.

Figures come only from `record.pack_figures`, so an agreed pack is drawn from the figures as
they stood when the PLG agreed it, and every figure goes through `disclosure.suppress` before
anything else sees it: a count of 1 to 4 children never reaches the page, the PDF or the
workbook. A statement that quotes a figure the rule holds back is left out of the pack (its
text would give the figure away) and the pack says how many were.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from thinktank import browse, disclosure, narrative, scorecard, static_charts
from thinktank.charts import spc_alt_text
from thinktank.formatting import (
    ACTION_STATUS_LABELS,
    DIRECTION_LABELS,
    EVIDENCE_ORIGIN_LABELS,
    EVIDENCE_SOURCE_LABELS,
    RAG_LABELS,
    SIGNAL_LABELS,
    SIGNS_OF_SAFETY_LABELS,
    format_figure,
)
from thinktank.headlines import actions as headline_actions
from thinktank.headlines import record
from thinktank.periods import Quarter
from thinktank.publication import Names
from thinktank.users import User

# A theme page draws the charts of the indicators its statements quote, at most this many.
MAX_CHARTS = 4
# Quarters of scaling shown beside each theme on the first page, this one included.
SCALE_QUARTERS = 4
PARTNERSHIP = "The partnership as a whole"


@dataclass(frozen=True)
class Scale:
    score: int
    reason: str


@dataclass(frozen=True)
class Statement:
    heading: str
    body: str
    challenge_questions: tuple[str, ...] = ()
    # The evidence the statement rests on, each as "title (source, agency)".
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class FigureRow:
    """An indicator's whole-area figure this quarter, suppressed and written in words."""

    indicator_id: str
    name: str
    unit: str
    this_quarter: str
    last_quarter: str
    rag: str
    direction: str
    spc: str
    suppressed: bool


@dataclass(frozen=True)
class Chart:
    indicator_id: str
    name: str
    svg: str
    description: str

    @property
    def image_source(self) -> str:
        """The chart as an image's address: an image with its description as its text alternative
        reads the same in WeasyPrint and in a browser."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


@dataclass(frozen=True)
class Evidence:
    heading: str
    title: str
    source: str
    # The agency it is about or from (empty when none was named) and where it came from.
    agency: str
    origin: str


@dataclass(frozen=True)
class Action:
    description: str
    owner: str
    raised_in: str
    due: str
    status: str


@dataclass(frozen=True)
class ThemePage:
    theme_id: str
    number: int
    name: str
    scale: Scale | None
    # The theme's scale in each of the last quarters, oldest first (None: not scaled then).
    scale_history: tuple[tuple[str, int | None], ...]
    red: int
    amber: int
    green: int
    improving: int
    declining: int
    statements: dict[str, tuple[Statement, ...]]
    figures: tuple[FigureRow, ...]
    charts: tuple[Chart, ...]
    evidence: tuple[Evidence, ...]
    actions_raised: tuple[Action, ...]
    actions_due: tuple[Action, ...]

    @property
    def top_worry(self) -> str | None:
        worries = self.statements.get("worried", ())
        return worries[0].body if worries else None


@dataclass(frozen=True)
class BoardPack:
    period: Quarter
    sign_off: record.SignOff
    made: dt.datetime
    # When the figures were frozen (agreed headlines); None: the figures as they are now.
    frozen_at: dt.datetime | None
    partnership_scale: Scale | None
    themes: tuple[ThemePage, ...]
    # Every figure behind the pack, suppressed: the quarter's scorecard and the whole-area series.
    card: pd.DataFrame = field(repr=False)
    series: pd.DataFrame = field(repr=False)
    scale_history: pd.DataFrame = field(repr=False)
    actions: pd.DataFrame = field(repr=False)
    # The names of the ids the figures carry, and the returns in force, for the workbook.
    names: Names = field(repr=False)
    returns: tuple[str, ...] = ()
    # Figures held back under the small-numbers rule, and statements left out for quoting one.
    primary_suppressed: int = 0
    secondary_suppressed: int = 0
    statements_withheld: int = 0

    @property
    def is_draft(self) -> bool:
        return self.sign_off.state != record.AGREED


def build_pack(cursor: duckdb.DuckDBPyConnection, actor: User, period: Quarter, made: dt.datetime) -> BoardPack:
    """The quarter's board pack as ``actor`` may read it (the headlines' readers: analysts and
    PLG members), made at ``made``."""
    state = record.sign_off(cursor, period)
    written = record.statements(cursor, actor, period)
    figures = record.pack_figures(cursor, actor, period)
    units = figures.card.drop_duplicates("indicator_id").set_index("indicator_id")["unit"]
    # The series of the scorecard's indicators (a retired one's is not in the quarter's pack).
    active = figures.series[figures.series["indicator_id"].isin(units.index)]
    series = active.assign(unit=active["indicator_id"].map(units)).sort_values(
        ["indicator_id", "period_index"], ignore_index=True)
    points = disclosure.suppress(series)
    # Given the series, last quarter's and last year's figures are held back where their point is.
    card = disclosure.suppress(figures.card, series)
    hidden = _hidden_figures(card.frame, points.frame)
    withheld = [any((figure["indicator_id"], figure["period"]) in hidden for figure in quoted)
                for quoted in written["figures"]]
    shown = written[~pd.Series(withheld, index=written.index, dtype=bool)]

    themes = browse.themes(cursor)
    questions = browse.challenge_questions(cursor)
    links = narrative.linked_evidence(cursor, shown["id"].tolist())
    counts = scorecard.theme_summary(cursor, card.frame).set_index("theme")
    scaled = record.scales(cursor, period)
    history = record.scale_history(cursor, period)
    raised = headline_actions.actions(cursor, actor, period, raised_in=period)
    due = headline_actions.actions_due(cursor, actor, period)
    whole_card = scorecard.whole_area(card.frame)
    pages = []
    for theme in themes.itertuples():
        statements = shown[shown["theme_id"] == theme.id]
        pages.append(ThemePage(
            theme_id=theme.id, number=int(theme.number), name=theme.name,
            scale=_scale(scaled, theme.id),
            scale_history=_scale_history(history, theme.id, period),
            red=int(counts.loc[theme.id, "red"]), amber=int(counts.loc[theme.id, "amber"]),
            green=int(counts.loc[theme.id, "green"]), improving=int(counts.loc[theme.id, "improving"]),
            declining=int(counts.loc[theme.id, "declining"]),
            statements={heading: tuple(_statement(row, questions, links) for row in
                                       statements[statements["signs_of_safety"] == heading].itertuples())
                        for heading in SIGNS_OF_SAFETY_LABELS},
            figures=tuple(_figure_row(row) for row in whole_card[whole_card["theme"] == theme.id].itertuples()),
            charts=_charts(statements, whole_card, points.frame),
            evidence=tuple(Evidence(SIGNS_OF_SAFETY_LABELS[row.signs_of_safety], row.title,
                                    EVIDENCE_SOURCE_LABELS[row.source], row.agency or "",
                                    EVIDENCE_ORIGIN_LABELS[row.origin])
                           for row in figures.evidence[figures.evidence["theme_id"] == theme.id].itertuples()),
            actions_raised=_actions(raised[raised["theme_id"] == theme.id]),
            actions_due=_actions(due[due["theme_id"] == theme.id]),
        ))
    return BoardPack(
        period=period, sign_off=state, made=made, frozen_at=figures.frozen_at,
        partnership_scale=_scale(scaled, None), themes=tuple(pages),
        card=card.frame, series=points.frame, scale_history=history,
        actions=pd.concat([raised, due], ignore_index=True).drop_duplicates("id"),
        names=Names.read(cursor), returns=tuple(figures.returns),
        primary_suppressed=card.primary, secondary_suppressed=card.secondary,
        statements_withheld=sum(withheld),
    )


def headlines_version(cursor: duckdb.DuckDBPyConnection) -> str:
    """Changes whenever a statement, a scale, a sign-off, an action, evidence entered in the app
    or a statement's link to evidence changes: with the data's
    version (`scorecard.data_version`), a cache key for a pack, so that a cached one is never
    older than what it shows."""
    (version,) = cursor.execute(
        """
        SELECT concat_ws('/',
            (SELECT coalesce(max(id), 0) FROM headline_sign_off),
            (SELECT count(*) || ',' || coalesce(max(changed_at)::VARCHAR, '') FROM headline_statement_changes),
            (SELECT count(*) || ',' || coalesce(max(scaled_at)::VARCHAR, '') FROM headline_scaling),
            (SELECT count(*) || ',' || coalesce(max(updated_at)::VARCHAR, '') FROM headline_action_updates),
            (SELECT count(*) || ',' || coalesce(max(greatest(entered_at, deleted_at))::VARCHAR, '')
             FROM evidence_entries),
            (SELECT count(*) || ',' || coalesce(max(greatest(linked_at, unlinked_at))::VARCHAR, '')
             FROM statement_evidence))
        """
    ).fetchone()
    return version


def _statement(row, questions: dict[str, list[str]], links: pd.DataFrame) -> Statement:
    """A statement with the evidence linked to it, and beside a worry about an indicator the
    questions the PLG asks when it moves."""
    asked = questions.get(row.indicator_id, []) if row.signs_of_safety == "worried" else []
    resting_on = links[links["statement_id"] == row.id]
    evidence = tuple(f"{link.title} ({', '.join([EVIDENCE_SOURCE_LABELS[link.source], *filter(None, [link.agency])])})"
                     for link in resting_on.itertuples())
    return Statement(row.signs_of_safety, row.body, tuple(asked), evidence)


def _hidden_figures(card: pd.DataFrame, points: pd.DataFrame) -> set[tuple[str, str]]:
    """(indicator, quarter) of every whole-area figure the rule holds back."""
    hidden = set()
    for frame in (scorecard.whole_area(card), points):
        rows = frame[frame["status"] == disclosure.SUPPRESSED]
        hidden |= set(zip(rows["indicator_id"], rows["period"], strict=True))
    return hidden


def _scale(scaled: pd.DataFrame, theme_id: str | None) -> Scale | None:
    rows = scaled[scaled["theme_id"].isna()] if theme_id is None else scaled[scaled["theme_id"] == theme_id]
    if rows.empty:
        return None
    row = rows.iloc[0]
    return Scale(int(row["score"]), row["reason"])


def _scale_history(history: pd.DataFrame, theme_id: str, period: Quarter) -> tuple[tuple[str, int | None], ...]:
    rows = history[history["theme_id"] == theme_id]
    by_quarter = dict(zip(rows["period"], rows["score"], strict=True))
    quarters = [period]
    while len(quarters) < SCALE_QUARTERS:
        quarters.insert(0, quarters[0].previous())
    return tuple((quarter.label, None if quarter.label not in by_quarter else int(by_quarter[quarter.label]))
                 for quarter in quarters)


def _figure_row(row) -> FigureRow:
    return FigureRow(
        indicator_id=row.indicator_id, name=row.name, unit=row.unit,
        this_quarter=format_figure(row.value, row.unit, row.status),
        last_quarter=format_figure(row.previous_value, row.unit, row.previous_status),
        rag=RAG_LABELS[row.rag], direction=DIRECTION_LABELS[row.direction], spc=SIGNAL_LABELS[row.spc_signal],
        suppressed=row.status == disclosure.SUPPRESSED,
    )


def _charts(statements: pd.DataFrame, card: pd.DataFrame, points: pd.DataFrame) -> tuple[Chart, ...]:
    """The charts of the indicators the theme's statements quote, in the statements' order."""
    quoted: list[str] = []
    for row in statements.itertuples():
        for indicator_id in [row.indicator_id, *(figure["indicator_id"] for figure in row.figures)]:
            if isinstance(indicator_id, str) and indicator_id not in quoted:
                quoted.append(indicator_id)
    known = card.set_index("indicator_id")
    charts = []
    for indicator_id in [indicator for indicator in quoted if indicator in known.index][:MAX_CHARTS]:
        name, unit = known.loc[indicator_id, "name"], known.loc[indicator_id, "unit"]
        series = points[points["indicator_id"] == indicator_id]
        charts.append(Chart(indicator_id, name, static_charts.spc_chart_svg(series, name=name, unit=unit),
                            spc_alt_text(name, series, unit)))
    return tuple(charts)


def _actions(rows: pd.DataFrame) -> tuple[Action, ...]:
    return tuple(Action(row.description, row.owner, row.raised_in, row.due, ACTION_STATUS_LABELS[row.status])
                 for row in rows.itertuples())
