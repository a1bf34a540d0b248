"""Changing the catalogue, for the Think Tank's analysts and admins: an indicator changed from a
chosen quarter, a new indicator, a theme added or renamed. Each is checked as the catalogue files
are, its effect previewed, then saved; the core refuses anyone else."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from thinktank import catalogue_changes
from thinktank.catalogue import Indicator
from thinktank.docs import markdown_text
from thinktank.errors import ThinkTankError
from thinktank.formatting import (
    CATALOGUE_FIELD_LABELS,
    CATALOGUE_SOURCE_LABELS,
    PERIOD_BASIS_LABELS,
    POLARITY_LABELS,
    UNIT_LABELS,
    agency_names,
    field_value_in_words,
)
from thinktank.periods import Quarter, format_date, latest_complete_quarter, quarters_between
from thinktank.store import utc_now
from thinktank.store.catalogue import revisions
from thinktank.users import person_name
from views.common import acting_user, choose_from_link, show_error, store

NOTICE_KEY = "catalogue-change-notice"
NONE = ""
NEW_THEME = "+ new theme"
TARGET_KINDS = {"none": "No target", "value": "A value to reach", "band": "A band to stay within"}
# How far ahead a change may be set to start: a year of quarters after the latest complete one.
QUARTERS_AHEAD = 4

actor = acting_user()
opened = store()
catalogue = opened.catalogue
cursor = opened.cursor()
today = utc_now().date()
latest_quarter = latest_complete_quarter(today)
agencies = dict(sorted(agency_names(catalogue.agencies).items(), key=lambda item: item[1]))
themes = {theme.id: f"{theme.number}. {theme.name}" for theme in catalogue.themes}


def quarter_choices(first: Quarter) -> list[str]:
    last = Quarter.from_index(latest_quarter.index + QUARTERS_AHEAD)
    return [quarter.label for quarter in quarters_between(min(first, latest_quarter), last)]


def optional(text: str) -> str | None:
    return text.strip() or None


def indicator_form(prefix: str, base: Indicator | None, retire_from: str | None = None) -> dict[str, Any] | None:
    """The indicator's fields in a form, first showing ``base`` (None for a new indicator); the
    entry as a catalogue file would hold it once the form is sent, else None. Retiring it takes
    effect from ``retire_from``."""
    new = base is None
    base_data = base.model_dump(mode="json") if base else {}
    with st.form(f"{prefix}-form", border=True):
        left, right = st.columns(2)
        with left:
            identifier = (st.text_input("ID", placeholder="Two or three capitals and two digits, such as FD12",
                                        key=f"{prefix}-id") if new else base.id)
            name = st.text_input("Name", value=base_data.get("name", ""), key=f"{prefix}-name")
            definition = st.text_area("Definition", value=base_data.get("definition", ""), key=f"{prefix}-definition",
                                      help="What is counted, in words an agency's analyst can follow.")
            theme = st.selectbox("Theme", list(themes), format_func=themes.get, key=f"{prefix}-theme",
                                 index=list(themes).index(base.theme) if base else 0)
            owner = st.selectbox("Owner (the agency that sends it)", list(agencies), format_func=agencies.get,
                                 key=f"{prefix}-owner", index=list(agencies).index(base.owner) if base else 0)
            source = st.text_input("Source", value=base_data.get("source", ""), key=f"{prefix}-source",
                                   help="The system or collection the figure comes from.")
            unit = st.selectbox("Unit", list(UNIT_LABELS), format_func=UNIT_LABELS.get, key=f"{prefix}-unit",
                                index=list(UNIT_LABELS).index(base.unit) if base else 0)
            numerator = st.text_input("Numerator (percentages and rates)", value=base_data.get("numerator") or "",
                                      key=f"{prefix}-numerator")
            denominator = st.text_input("Denominator (percentages)", value=base_data.get("denominator") or "",
                                        key=f"{prefix}-denominator")
            counted = [NONE, *(i.id for i in catalogue.indicators if base is None or i.id != base.id)]
            denominator_is = st.selectbox(
                "Denominator counted by (another indicator)", counted, key=f"{prefix}-denominator-is",
                index=counted.index(base.denominator_is) if base and base.denominator_is in counted else 0,
                format_func=lambda value: "(none)" if value == NONE else
                f"{value} {catalogue.indicator_by_id[value].name}",
                help="Where the denominator is another indicator's count, uploads check that the two agree.")
            populations = {NONE: "(none)", **{p.id: p.name for p in catalogue.populations}}
            population = st.selectbox("Population (rates per 10,000)", list(populations), format_func=populations.get,
                                      key=f"{prefix}-population",
                                      index=list(populations).index(base.population or NONE) if base else 0)
        with right:
            polarity = st.selectbox("Polarity", list(POLARITY_LABELS), format_func=POLARITY_LABELS.get,
                                    key=f"{prefix}-polarity",
                                    index=list(POLARITY_LABELS).index(base.polarity) if base else 0)
            basis = st.selectbox("Counted", list(PERIOD_BASIS_LABELS), format_func=PERIOD_BASIS_LABELS.get,
                                 key=f"{prefix}-basis",
                                 index=list(PERIOD_BASIS_LABELS).index(base.period_basis) if base else 0)
            breakdown_names = {b.id: b.name for b in catalogue.breakdowns}
            breakdowns = st.multiselect("Breakdowns", list(breakdown_names), format_func=breakdown_names.get,
                                        default=list(base.breakdowns) if base else [], key=f"{prefix}-breakdowns")
            priority_names = {p.id: p.name for p in catalogue.priorities}
            priorities = st.multiselect("Partnership priorities", list(priority_names), format_func=priority_names.get,
                                        default=list(base.priorities) if base else [], key=f"{prefix}-priorities")
            target = base.target if base else None
            kind = "none" if target is None else ("band" if target.value is None else "value")
            target_kind = st.radio("Target", list(TARGET_KINDS), format_func=TARGET_KINDS.get, horizontal=True,
                                   index=list(TARGET_KINDS).index(kind), key=f"{prefix}-target-kind",
                                   help="Read through the polarity; a neutral indicator's target is a band.")
            value_column, low_column, high_column, tolerance_column = st.columns(4)
            target_value = value_column.number_input("Value", value=target.value if target else None,
                                                     key=f"{prefix}-target-value", format="%g")
            target_low = low_column.number_input("Band from", value=target.low if target else None,
                                                 key=f"{prefix}-target-low", format="%g")
            target_high = high_column.number_input("Band to", value=target.high if target else None,
                                                   key=f"{prefix}-target-high", format="%g")
            tolerance = tolerance_column.number_input(
                "Amber within", min_value=0.0, value=target.amber_tolerance if target else 0.0,
                key=f"{prefix}-target-tolerance", format="%g",
                help="How far on the wrong side of the target, in the indicator's unit, is amber rather than red.")
            change_tolerance = st.number_input(
                CATALOGUE_FIELD_LABELS["change_tolerance_percent"], min_value=0.1,
                value=float(base.change_tolerance_percent) if base else 50.0, key=f"{prefix}-change-tolerance",
                format="%g", help="An upload warns when the figure moves more than this from last quarter.")
            notes = st.text_area("Notes", value=base_data.get("notes", ""), key=f"{prefix}-notes")
            questions = st.text_area(
                CATALOGUE_FIELD_LABELS["challenge_questions"] + " (one a line)",
                value="\n".join(base.challenge_questions) if base else "", key=f"{prefix}-questions",
                help="Shown beside a worry in the headlines and the board pack.")
            applies_from = (st.selectbox("Collected from", quarter_choices(latest_quarter), key=f"{prefix}-applies",
                                         index=quarter_choices(latest_quarter).index(latest_quarter.label))
                            if new else base.applies_from)
            retire = False if new else st.checkbox(
                "Retire it from the quarter chosen above", value=base.status == "retired", key=f"{prefix}-retire",
                help="A retired indicator keeps its past figures and leaves the templates from that quarter.")
        sent = st.form_submit_button("Check the change", type="primary", icon=":material/fact_check:")
    if not sent and f"{prefix}-sent" not in st.session_state:
        return None
    st.session_state[f"{prefix}-sent"] = True
    entry = {
        "id": identifier.strip(), "theme": theme, "name": name, "definition": definition,
        "numerator": optional(numerator), "denominator": optional(denominator),
        "denominator_is": denominator_is or None, "unit": unit, "polarity": polarity,
        "population": population or None, "owner": owner, "source": source, "period_basis": basis,
        "breakdowns": breakdowns, "priorities": priorities, "change_tolerance_percent": change_tolerance,
        "applies_from": applies_from, "notes": notes.strip(),
        "challenge_questions": [line.strip() for line in questions.splitlines() if line.strip()],
        "target": None if target_kind == "none" else {
            "value": target_value if target_kind == "value" else None,
            "low": target_low if target_kind == "band" else None,
            "high": target_high if target_kind == "band" else None,
            "amber_tolerance": tolerance,
        },
    }
    if retire:
        entry.update(status="retired", retired_from=base.retired_from or retire_from)
    return entry


def show_problems(proposal: catalogue_changes.Proposal) -> None:
    lines = [f"{CATALOGUE_FIELD_LABELS.get(field, field or 'The entry')}: {reason}"
             for field, reason in proposal.field_problems] + list(proposal.problems)
    st.error(f"Not saved: {len(lines)} problem{'s' if len(lines) != 1 else ''} to put right in the form above.",
             icon=":material/error:")
    st.dataframe(pd.DataFrame({"Problem": lines}), hide_index=True, width="stretch")


def show_changes(proposal: catalogue_changes.Proposal) -> None:
    st.dataframe(pd.DataFrame({
        "What": [f"{change.subject}: {CATALOGUE_FIELD_LABELS.get(change.field, change.field)}" if change.field
                 else change.subject for change in proposal.changes],
        "Was": [field_value_in_words(change.before) if change.field else "" for change in proposal.changes],
        "Becomes": [field_value_in_words(change.after) if change.field else change.after
                    for change in proposal.changes],
    }), hide_index=True, width="stretch")


def show_effects(effects: catalogue_changes.Effects, effective_from: Quarter | None) -> None:
    since = f" from {effective_from.label}" if effective_from else ""
    st.markdown("**What saving does**")
    lines = []
    if effects.templates:
        lines.append(f"The return templates of {', '.join(effects.templates)} follow it{since}.")
    if effects.rag_changes:
        lines.append(f"{len(effects.rag_changes):,} quarter{'s' if len(effects.rag_changes) != 1 else ''}' "
                     "ratings against target change (below).")
    else:
        lines.append("No quarter's rating against target changes.")
    changed = sum(effects.figures_changed.values())
    if changed:
        lines.append(f"{changed:,} of the {effects.figures_held:,} stored figures are worked out afresh, in "
                     f"{len(effects.figures_changed):,} quarters ({', '.join(effects.figures_changed)}). The figures "
                     "the agencies sent are kept as sent.")
    else:
        lines.append("No stored figure changes value: the figures the agencies sent are read as before.")
    for line in lines:
        st.markdown(f"- {markdown_text(line)}")
    if effects.rag_changes:
        st.dataframe(pd.DataFrame(effects.rag_changes, columns=["Quarter", "Indicator", "Was", "Becomes"]),
                     hide_index=True, width="stretch")


def save_proposal(proposal: catalogue_changes.Proposal, prefix: str) -> None:
    """Save in a callback, before the page is drawn again, and keep what to say about it."""
    try:
        catalogue_changes.save(opened, actor, proposal, reason=st.session_state.get(f"{prefix}-reason", "").strip())
        st.session_state[NOTICE_KEY] = f"Saved. {proposal.summary()}"
        st.cache_data.clear()
        for key in [key for key in st.session_state if str(key).startswith(prefix)]:
            del st.session_state[key]
    except ThinkTankError as error:
        st.session_state[NOTICE_KEY] = error


def review(proposal: catalogue_changes.Proposal, prefix: str) -> None:
    """A checked change: its problems, or what it changes, its effect and the button to save it."""
    if not proposal.is_valid:
        show_problems(proposal)
        return
    if not proposal.changes:
        st.info("Nothing differs from the definition in force: there is nothing to save.", icon=":material/info:")
        return
    st.markdown(f"**The change, checked: {len(proposal.changes):,} difference"
                f"{'s' if len(proposal.changes) != 1 else ''}**")
    show_changes(proposal)
    try:
        with st.spinner("Working out the effect (nothing is saved)..."):
            show_effects(catalogue_changes.preview(opened, actor, proposal), proposal.effective_from)
    except ThinkTankError as error:
        show_error(error)
        return
    st.text_input("Why (kept with the change)", key=f"{prefix}-reason",
                  placeholder="Such as: target agreed by the PLG on 12 March 2025")
    st.button("Save the change", type="primary", icon=":material/save:", key=f"{prefix}-save",
              on_click=save_proposal, args=(proposal, prefix))


st.title("Change the catalogue")
st.caption(
    "The Think Tank owns its indicators. A change to an indicator takes effect from the quarter you choose: the "
    "scorecard, charts, headlines and board pack for earlier quarters keep the definition, target and theme they "
    "had. Every change is checked as the catalogue files are, shown with its effect before it is saved, and "
    "recorded in the audit log."
)
if opened.catalogue_notice:
    st.warning(markdown_text(opened.catalogue_notice), icon=":material/sync_problem:")
notice = st.session_state.pop(NOTICE_KEY, None)
if isinstance(notice, ThinkTankError):
    show_error(notice)
elif notice:
    st.success(markdown_text(notice), icon=":material/check_circle:")

change_tab, add_tab, theme_tab, history_tab = st.tabs(
    ["Change an indicator", "Add an indicator", "Themes", "Changes so far"])

with change_tab:
    names = {indicator.id: f"{indicator.id} {indicator.name}" for indicator in catalogue.indicators}
    indicator_column, quarter_column = st.columns([2, 1])
    indicator_id = choose_from_link(indicator_column, "Indicator", names, "indicator")
    choices = quarter_choices(Quarter.parse(catalogue.spans_of(indicator_id)[0].indicator.applies_from))
    effective = Quarter.parse(quarter_column.selectbox(
        "Effective from", choices, index=choices.index(latest_quarter.label), key="change-effective",
        format_func=lambda label: f"{label} (from {format_date(Quarter.parse(label).start)})",
        help="The first quarter the change applies to. Earlier quarters keep the definition they had."))
    base = catalogue.definition_in_force(indicator_id, effective)
    st.caption(f"The form shows {indicator_id} as it reads in {effective.label}. Change what should be different "
               f"from {effective.label} on, then check the change.")
    # One form per indicator and quarter, so that choosing another starts from its definition.
    prefix = f"change-{indicator_id}-{effective.index}"
    entry = indicator_form(prefix, base, retire_from=effective.label)
    if entry is not None:
        review(catalogue_changes.propose_indicator(cursor, catalogue, entry, effective), prefix)

with add_tab:
    st.caption("A new indicator joins its owner's template from the quarter it is collected from, is checked on "
               "upload like every other, and shows on the scorecard once it has figures.")
    entry = indicator_form("add", None)
    if entry is not None:
        review(catalogue_changes.propose_indicator(cursor, catalogue, entry, Quarter.parse(entry["applies_from"])),
               "add")

with theme_tab:
    st.caption("A theme's name, number (its place on every page) and description hold for every quarter. To move "
               "an indicator to another theme from a quarter, change the indicator.")
    theme_choice = st.selectbox("Theme", [NEW_THEME, *themes],
                                format_func=lambda value: "Add a new theme" if value == NEW_THEME else themes[value],
                                key="theme-choice")
    theme = None if theme_choice == NEW_THEME else catalogue.theme_by_id[theme_choice]
    prefix = f"theme-{theme_choice}"
    with st.form(f"{prefix}-form"):
        theme_id = (st.text_input("ID", placeholder="Lower case words joined by _, such as online_harm",
                                  key=f"{prefix}-id") if theme is None else theme.id)
        number = st.number_input("Number", min_value=1, step=1, key=f"{prefix}-number",
                                 value=theme.number if theme else max(t.number for t in catalogue.themes) + 1)
        theme_name = st.text_input("Name", value=theme.name if theme else "", key=f"{prefix}-name")
        description = st.text_area("Description", value=theme.description if theme else "",
                                   key=f"{prefix}-description")
        sent = st.form_submit_button("Check the change", type="primary", icon=":material/fact_check:")
    if sent or f"{prefix}-sent" in st.session_state:
        st.session_state[f"{prefix}-sent"] = True
        review(catalogue_changes.propose_theme(cursor, catalogue, {
            "id": theme_id.strip(), "number": int(number), "name": theme_name, "description": description}), prefix)

with history_tab:
    held = revisions(cursor)
    st.caption(f"{len(held):,} change{'s' if len(held) != 1 else ''} to the catalogue, newest first. Each "
               "indicator's own history, quarter by quarter, is on the Indicator catalogue page.")
    st.dataframe(pd.DataFrame({
        "When (UTC)": [f"{format_date(change.recorded_at.date())} {change.recorded_at:%H:%M}" for change in held],
        "By": [person_name(change.recorded_by, agencies) for change in held],
        "How": [CATALOGUE_SOURCE_LABELS[change.source] for change in held],
        "What changed": [change.summary for change in held],
    }), hide_index=True, width="stretch")
