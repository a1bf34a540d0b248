"""One indicator: its trend as an XmR chart with the signals marked, target and benchmarks, its
breakdowns side by side, its definition, and the table behind every chart."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from thinktank import charts, indicator_commentary, scorecard, spc_baselines
from thinktank.docs import markdown_text
from thinktank.errors import ThinkTankError
from thinktank.formatting import (
    COMMENTARY_CHANGE_LABELS,
    DIRECTION_LABELS,
    INDICATOR_QUESTION_LABELS,
    PERIOD_BASIS_LABELS,
    POLARITY_LABELS,
    RAG_LABELS,
    SIGNAL_LABELS,
    UNIT_LABELS,
    agency_names,
    describe_target,
    format_change,
    format_figure,
    format_value,
    position_label,
)
from thinktank.periods import Quarter, format_date
from thinktank.scorecard.queries import SPC_MINIMUM_POINTS
from thinktank.store import utc_now
from thinktank.users import THINK_TANK_READERS, THINK_TANK_WRITERS, person_name, sees_raw_figures
from views.common import (
    acting_user,
    catalogue_table,
    choose_from_link,
    choose_quarter,
    data_version,
    download_buttons,
    figures_for,
    page_link,
    published_figures,
    say_if_held_back,
    show_error,
    store,
    table_downloads,
)
from views.indicator_parts import (
    benchmarks_held,
    definition_history,
    definition_in_force,
    groups_chart,
    groups_table,
    history_for_people,
    series_for,
    trend_chart,
    trend_tables,
)

# Until sign-in arrives, whoever runs the dashboard chooses whom to act as (an analyst unless
# told otherwise: see thinktank.users); a PLG member reads without a control to change anything.
ACTOR = acting_user()

# Read once for the page: the same version throughout, and one query rather than one a table.
version = data_version()
raw = sees_raw_figures(ACTOR)
catalogue = catalogue_table("indicators", version)
names = dict(zip(catalogue["id"], catalogue["id"] + " " + catalogue["name"], strict=True))
indicator_column, quarter_column = st.columns([2, 1])
indicator_id = choose_from_link(indicator_column, "Indicator", names, "indicator")
quarter = choose_quarter(quarter_column)
# The definition in force in the quarter shown: its name, target and theme as they were then.
definition = definition_in_force(indicator_id, quarter.label, version)
history = definition_history(indicator_id, version)
definition_changes = [(row.starts, row.fields) for row in history.iloc[1:].itertuples()]
unit = definition["unit"]
st.title(f"{indicator_id} {definition['name']}")
st.page_link("views/theme.py", label=f"Theme: {definition['theme_name']}", icon=":material/arrow_back:",
             query_params={"theme": definition["theme"], "period": quarter.label})

# What this viewer sees on screen, and what every download holds: the published figures, held
# back once for the page (`published_figures`), so that no two of its files can be set against each other.
shown_figures = figures_for(ACTOR, quarter.label, version)
published = published_figures(quarter.label, version)
card = shown_figures.card
rows = card[card["indicator_id"] == indicator_id]
if rows.empty:
    st.warning(f"{indicator_id} is not active in {quarter.label}: it applies from "
               f"{definition['applies_from']}" + (f" and was retired from {definition['retired_from']}."
                                                   if definition["retired_from"] else "."))
    st.stop()
latest = scorecard.whole_area(rows).iloc[0]
# Two rows of three: figures with their units ("-7.0 per 10,000") are cut short any narrower.
# The second row's widths fit its longest words ("= No significant change", "Too few points").
metrics = [*st.columns(3), *st.columns([4, 2, 3])]
metrics[0].metric(f"Latest ({quarter.label})", format_figure(latest["value"], unit, latest["status"]))
metrics[1].metric("Since last quarter", format_change(latest["change"], unit))
metrics[2].metric("Since a year ago", format_change(latest["change_from_last_year"], unit))
metrics[3].metric("Direction", DIRECTION_LABELS[latest["direction"]],
                  help="Against last quarter, read through the polarity; within half a point (percentages "
                  "and scores) or 2% (other units) is no significant change")
metrics[4].metric("Against target", RAG_LABELS[latest["rag"]])
metrics[5].metric("SPC signal", SIGNAL_LABELS[latest["spc_signal"]],
                  help="NHS England's Making Data Count reading of the latest point")
say_if_held_back(shown_figures)
st.caption(f"{POLARITY_LABELS[definition['polarity']]}. Target: "
           f"{describe_target(unit, definition['polarity'], definition['target_value'], definition['target_low'], definition['target_high'], definition['target_amber_tolerance'])}.")

trend = shown_figures.indicator_series(indicator_id)
if trend is None:
    trend = series_for(indicator_id, quarter.label, version)
published_trend = published.indicator_series(indicator_id)
st.header("Trend and signals", divider="gray")
if trend.empty:
    st.info(f"No figures are in force for {indicator_id} up to {quarter.label}.")
else:
    figure, alt = trend_chart(indicator_id, quarter.label, version, raw, trend, latest, definition,
                              definition_changes)
    st.plotly_chart(figure, alt=alt, key="spc")
    signal = SIGNAL_LABELS[latest["spc_signal"]]
    current = trend[trend["segment"] == trend["segment"].iloc[-1]]
    rebased_from = current["period"].iloc[0] if current["rebase_reason"].iloc[0] else None
    since = f" since the re-base in {rebased_from}" if rebased_from else ""
    figures = int(current["value"].notna().sum())
    too_few = (f"{figures:,} quarter{'s' if figures != 1 else ''} with a figure{since} up to {quarter.label}: "
               f"a mean and process limits need at least {SPC_MINIMUM_POINTS}, so none is drawn.")
    if pd.isna(latest["value"]):
        reading = f"No figure for {quarter.label}, so no signal is read." + (
            f" {too_few}" if figures < SPC_MINIMUM_POINTS else "")
    elif figures < SPC_MINIMUM_POINTS:
        reading = too_few
    else:
        reading = f"Mean and process limits from {figures:,} quarters{since} up to {quarter.label}."
    st.markdown(f"**SPC for {quarter.label}: {signal}**"
                + (f" ({latest['spc_rules']})" if latest["spc_rules"] else "") + f". {reading}")
    missing, shown = trend_tables(indicator_id, quarter.label, version, raw, trend, unit)
    if missing:
        st.caption("Gaps in the line: no figure for " + "; ".join(missing) + ". A gap is never a zero.")
    with st.expander("The table behind the chart"):
        table = published_trend[["period", "value", "status", "numerator", "denominator", "spc_mean", "spc_lower",
                       "spc_upper", "spc_signal", "spc_rules", "rebase_reason", "comment"]]
        # A reason or comment is a sentence: wide enough to be read whole, the table scrolling sideways.
        st.dataframe(shown, hide_index=True, width="stretch", column_config={
                         "Re-based from this quarter because": st.column_config.TextColumn(width="large"),
                         "Agency's comment": st.column_config.TextColumn(width="large"),
                     })
        download_buttons(table, f"thinktank-{indicator_id}-trend-{quarter.label.replace(' ', '-')}", sheet="Trend",
                         title=f"{indicator_id} {definition['name']}: trend and SPC", quarter=quarter, unit=unit,
                         agencies=[definition["owner"]])

st.subheader("Re-bases")
st.caption("When the process behind the figures changes (a restructure, a new definition, a new recording "
           "system), re-base the SPC from the quarter of the change: from then on the mean and process limits "
           "are worked out afresh, and signals are read against the new process alone. Every re-base is "
           "audited.")
held = spc_baselines.rebases(store().cursor(), indicator_id)
if held.empty:
    st.caption(f"{indicator_id} has not been re-based: its SPC reads every quarter as one process.")
may_rebase = ACTOR.role in THINK_TANK_WRITERS
for rebase in held.itertuples():
    described, removing = st.columns([5, 1], vertical_alignment="center")
    # An analyst's own words: shown as text, never as markdown.
    described.text(f"From {rebase.period}: {rebase.reason} (recorded by {rebase.recorded_by} on "
                   f"{format_date(rebase.recorded_at.date())})")
    if may_rebase and removing.button("Remove", key=f"remove-rebase-{rebase.period}", icon=":material/delete:",
                                      help=f"Remove the re-base from {rebase.period}"):
        try:
            spc_baselines.remove_rebase(store().cursor(), ACTOR, indicator_id, Quarter.parse(rebase.period),
                                        utc_now())
        except ThinkTankError as error:
            show_error(error)
        else:
            st.rerun()
choices = [period for period in trend["period"].iloc[1:] if period not in set(held["period"])]
if may_rebase and choices:
    with st.form("add_rebase", clear_on_submit=True):
        st.markdown("**Re-base from a quarter**")
        chosen_quarter, reason_column = st.columns([1, 2])
        start = chosen_quarter.selectbox("The process changed from", choices, index=len(choices) - 1)
        reason = reason_column.text_input("Why", max_chars=spc_baselines.MAX_REASON_CHARACTERS,
                                          placeholder="For example: MASH restructure")
        if st.form_submit_button("Save re-base", icon=":material/save:"):
            try:
                spc_baselines.add_rebase(store().cursor(), ACTOR, indicator_id, Quarter.parse(start), reason,
                                         utc_now())
            except ThinkTankError as error:
                show_error(error)
            else:
                st.rerun()

st.header(f"Commentary for {quarter.label}", divider="gray")
# The Think Tank's commentary is for the Think Tank and the PLG (the core refuses anyone else).
if ACTOR.role not in THINK_TANK_READERS:
    st.caption("The Think Tank's commentary on each indicator is read by the Think Tank and the Performance "
               "and Learning Group, in the quarterly headlines and the board pack.")
else:
    st.caption("The Think Tank's reading of this indicator for the quarter, for the PLG and the board pack. An edit "
               "is a new version and a deletion is marked: every version is kept below, with who wrote it and when.")
    problem = st.session_state.pop("commentary_problem", None)
    if problem is not None:
        show_error(problem)
    answers = indicator_commentary.current(store().cursor(), ACTOR, indicator_id, quarter)
    answered = {(row.question, row.agency_id): row for row in answers.itertuples()}
    feeding = indicator_commentary.feeding_agencies(store().cursor(), indicator_id, quarter)
    may_write = ACTOR.role in THINK_TANK_WRITERS
    agency_short_names = agency_names(catalogue_table("agencies", version).itertuples())


    def change_commentary(change, *args, **agency) -> None:
        """Save or delete an answer as the acting user; one the rules refuse is shown with its hint."""
        try:
            change(store().cursor(), ACTOR, indicator_id, quarter, *args, utc_now(), **agency)
        except ThinkTankError as error:
            st.session_state["commentary_problem"] = error
        st.rerun()


    def answer_box(question: str, agency_id: str | None, agency: str | None) -> None:
        answer = answered.get((question, agency_id))
        key = f"{question}-{agency_id or 'all'}"
        with st.container(border=True):
            if agency is not None:
                st.markdown(f"**{markdown_text(agency)}**")
            if answer is None:
                st.caption(f"Not answered for {quarter.label} yet.")
            else:
                # An analyst's own words: shown as text, never as markdown.
                st.text(answer.body)
                st.caption(markdown_text(f"Written by {person_name(answer.written_by, agency_short_names)} on "
                                         f"{answer.written_at.strftime('%-d %B %Y at %H:%M')}"))
            if not may_write:
                return
            tools = st.container(horizontal=True)
            with tools.popover("Edit" if answer is not None else "Write", icon=":material/edit:"), \
                    st.form(f"commentary-{key}", border=False):
                text = st.text_area(INDICATOR_QUESTION_LABELS[question] + (f" ({agency})" if agency else ""),
                                    value=answer.body if answer is not None else "", key=f"commentary-text-{key}",
                                    max_chars=indicator_commentary.MAX_ANSWER_CHARACTERS, height=160,
                                    # Wide enough to read a paragraph: a popover is only as wide as its content.
                                    width=720)
                if st.form_submit_button("Save"):
                    change_commentary(indicator_commentary.save, question, text, agency_id=agency_id)
            if answer is not None and tools.button("Delete", key=f"commentary-delete-{key}", icon=":material/delete:",
                                                   help="Take the answer away; it is kept in the history"):
                change_commentary(indicator_commentary.delete, question, agency_id=agency_id)


    for question, label in INDICATOR_QUESTION_LABELS.items():
        st.subheader(label)
        if question != indicator_commentary.FOR_AGENCY:
            answer_box(question, None, None)
            continue
        st.caption(f"An answer for each agency that feeds {indicator_id}: the agency that sends it, any agency whose "
                   "count is its denominator, and any whose returns have carried it.")
        for agency_id, agency in zip(feeding["agency_id"], feeding["agency"], strict=True):
            answer_box(question, agency_id, agency)
    written = indicator_commentary.history(store().cursor(), ACTOR, indicator_id, quarter)
    if not written.empty:
        with st.expander(f"Every version of this commentary ({len(written):,})"):
            # A list rather than a table, so that each version reads whole.
            for entry in written.itertuples():
                answer_to = INDICATOR_QUESTION_LABELS[entry.question] + (f" ({entry.agency})" if entry.agency else "")
                st.caption(markdown_text(
                    f"{COMMENTARY_CHANGE_LABELS[entry.change]} by {person_name(entry.written_by, agency_short_names)} "
                    f"on {entry.written_at.strftime('%-d %B %Y at %H:%M')}: {answer_to}"))
                st.text(entry.body)

st.header("Breakdowns", divider="gray")
groups = rows[rows["breakdown"] != "All"]
if groups.empty:
    st.caption(f"No breakdown groups were reported for {quarter.label}.")
for breakdown, frame in groups.groupby("breakdown", sort=False):
    st.subheader(str(breakdown))
    figure, alt = groups_chart(indicator_id, quarter.label, version, raw, str(breakdown), frame, definition)
    st.plotly_chart(figure, alt=alt, key=f"breakdown-{breakdown}")
    published_groups = published.card[(published.card["indicator_id"] == indicator_id)
                                      & (published.card["breakdown"] == breakdown)]
    table = published_groups[["breakdown_value", "value", "status", "numerator", "denominator", "previous_value",
                              "direction", "rag"]]
    with st.expander(f"The table behind the {str(breakdown).lower()} chart"):
        st.dataframe(groups_table(indicator_id, quarter.label, version, raw, str(breakdown), frame, unit),
                     hide_index=True, width="stretch")
        download_buttons(table, f"thinktank-{indicator_id}-{breakdown}-{quarter.label.replace(' ', '-')}".replace(" ", "-").lower(),
                         sheet=str(breakdown), title=f"{indicator_id} {definition['name']} by {str(breakdown).lower()}",
                         quarter=quarter, unit=unit, agencies=[definition["owner"]])

st.header("Benchmarks", divider="gray")
comparison = pd.DataFrame({
    "Comparator": ["England", "North East", "Statistical neighbours"],
    "Latest published": [format_value(latest[f"{key}_value"], unit) if not math.isnan(latest[f"{key}_value"])
                         else "none held" for key in charts.BENCHMARK_STYLES],
    "Our figure is": [position_label(latest[f"{key}_position"]) for key in charts.BENCHMARK_STYLES],
})
st.dataframe(comparison, hide_index=True, column_config={"Our figure is": st.column_config.TextColumn(
    help="Better, similar or worse than the benchmark, read through the polarity. A neutral indicator has no "
         "better side: unless it is similar, it is not assessed as better or worse.")})
held_benchmarks = benchmarks_held(indicator_id, unit, version)
if not held_benchmarks.empty:
    with st.expander("Every benchmark held, with its source"):
        st.dataframe(held_benchmarks, hide_index=True, width="stretch")
        table_downloads(held_benchmarks, f"thinktank-{indicator_id}-benchmarks", sheet="Benchmarks")

st.header("Definition", divider="gray")
if len(history) > 1:
    st.caption(f"As in force in {quarter.label}. The definition has changed over time: its history is below, and "
               "the chart marks where each new definition takes effect.")
st.markdown(markdown_text(definition["definition"]))
# A denominator that is another indicator's count (`denominator_is`) names that indicator.
counted_by = store().catalogue.definition_in_force(indicator_id, quarter).denominator_is
denominator = definition["denominator"]
if isinstance(denominator, str) and counted_by:
    # Said as "the count behind it": the other indicator may be a rate (FD03 is per 10,000 children).
    denominator = f"{denominator.rstrip('.')}: the same count as the one behind {names[counted_by]}."
facts = {
    "Numerator": definition["numerator"], "Denominator": denominator,
    "Population": definition["population_name"], "Unit": UNIT_LABELS[unit],
    "Measured": PERIOD_BASIS_LABELS[definition["period_basis"]],
    "Polarity": POLARITY_LABELS[definition["polarity"]], "Owner": definition["owner_name"],
    "Source": definition["source"], "Applies from": definition["applies_from"],
    "Notes": definition["notes"],
}
st.markdown("\n".join(f"- **{label}:** {markdown_text(value)}" for label, value in facts.items()
                      if isinstance(value, str) and value))
if len(definition["challenge_questions"]):
    st.subheader("Questions to ask when this moves")
    st.markdown("\n".join(f"- {markdown_text(question)}" for question in definition["challenge_questions"]))
st.subheader("Definition history")
st.caption("Which definition was in force for which quarters: every quarter is read by the definition in force then.")
shown_history = history_for_people(indicator_id, version)
st.dataframe(shown_history, hide_index=True, width="stretch")
table_downloads(shown_history, f"thinktank-{indicator_id}-definition-history", sheet="Definition history")
page_link(st, "views/catalogue_edit.py", label="Change this definition from a quarter", icon=":material/edit:",
          query_params={"indicator": indicator_id})
