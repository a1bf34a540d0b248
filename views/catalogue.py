"""The indicator catalogue: every theme, indicator, definition, owner, target and benchmark."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from thinktank import browse
from thinktank.docs import markdown_text
from thinktank.formatting import (
    INDICATOR_STATUS_LABELS,
    PERIOD_BASIS_LABELS,
    UNIT_LABELS,
    agency_names,
    format_value,
)
from thinktank.periods import latest_complete_quarter
from thinktank.store import utc_now
from views.common import data_version, page_link, store, table_downloads

ALL = ""
THEME_KEY, OWNER_KEY, PRIORITY_KEY, STATUS_KEY, SEARCH_KEY = (
    "catalogue_theme", "catalogue_owner", "catalogue_priority", "catalogue_status", "catalogue_search",
)
STATUS_CHOICES = {**INDICATOR_STATUS_LABELS, ALL: "Active and retired"}
TABLE_COLUMNS = {
    "id": "ID", "theme_name": "Theme", "name": "Indicator", "unit_label": "Unit",
    "polarity_label": "Polarity", "owner_name": "Owner", "target": "Target",
    "benchmarks": "Benchmarks", "status_label": "Status",
}


# Each cached reading takes the data version, which changes with every change to the catalogue.
@st.cache_data(show_spinner=False)
def themes(version: str) -> pd.DataFrame:
    return browse.themes(store().cursor())


@st.cache_data(show_spinner=False)
def agencies(version: str) -> pd.DataFrame:
    return browse.agencies(store().cursor())


@st.cache_data(show_spinner=False)
def priorities(version: str) -> pd.DataFrame:
    return browse.priorities(store().cursor())


@st.cache_data(show_spinner=False)
def indicators(search: str, theme: str, owner: str, status: str, priority: str, version: str) -> pd.DataFrame:
    frame = browse.indicators(
        store().cursor(), search=search, theme=theme or None, owner=owner or None,
        status=status or None, priority=priority or None,
    )
    frame["unit_label"] = frame["unit"].map(UNIT_LABELS)
    frame["status_label"] = frame["status"].map(INDICATOR_STATUS_LABELS)
    return frame


@st.cache_data(show_spinner=False)
def benchmarks(indicator_id: str, version: str) -> pd.DataFrame:
    return browse.benchmarks(store().cursor(), indicator_id)


@st.cache_data(show_spinner=False)
def definition_history(indicator_id: str, version: str) -> pd.DataFrame:
    return browse.definition_history(store().cursor(), indicator_id)


def show_theme(theme_id: str) -> None:
    st.session_state[THEME_KEY] = theme_id


st.title("Indicator catalogue")
version = data_version()
all_themes = themes(version)
st.caption(
    f"{int(all_themes['active_indicators'].sum())} active indicators in {len(all_themes)} themes, "
    f"supplied by {len(agencies(version))} agencies. The Think Tank owns these definitions and changes them "
    "without a code change, each from a chosen quarter: earlier quarters keep the definitions they had."
)
page_link(st, "views/catalogue_edit.py", label="Change the catalogue: an indicator, a new indicator, a theme",
          icon=":material/edit_note:")

st.header("Themes", divider="gray")
for row_start in range(0, len(all_themes), 4):
    for column, theme in zip(st.columns(4), all_themes.iloc[row_start:row_start + 4].itertuples(), strict=False):
        with column.container(border=True, height="stretch"):
            st.markdown(f"**{theme.number}. {markdown_text(theme.name)}**")
            st.caption(markdown_text(theme.description))
            st.button(
                f"{theme.active_indicators} indicators",
                key=f"theme_button_{theme.id}",
                on_click=show_theme,
                args=(theme.id,),
                help=f"Show the indicators of {theme.name}",
                icon=":material/filter_list:",
            )

st.header("Indicators", divider="gray")
theme_names = dict(zip(all_themes["id"], all_themes["name"], strict=True))
agency_frame = agencies(version)
owner_names = dict(sorted(agency_names(agency_frame.itertuples()).items(), key=lambda item: item[1]))
priority_frame = priorities(version)
priority_names = dict(zip(priority_frame["id"], priority_frame["name"], strict=True))

search_column, theme_column, owner_column, priority_column, status_column = st.columns([3, 2, 2, 2, 1.4])
search = search_column.text_input(
    "Search", key=SEARCH_KEY, placeholder="Words from the name or definition, an id, an agency...",
)
theme = theme_column.selectbox(
    "Theme", [ALL, *theme_names], key=THEME_KEY,
    format_func=lambda value: theme_names.get(value, "All themes"),
)
owner = owner_column.selectbox(
    "Owner", [ALL, *owner_names], key=OWNER_KEY,
    format_func=lambda value: owner_names.get(value, "All agencies"),
)
priority = priority_column.selectbox(
    "Partnership priority", [ALL, *priority_names], key=PRIORITY_KEY,
    format_func=lambda value: priority_names.get(value, "All priorities"),
)
status = status_column.selectbox(
    "Status", list(STATUS_CHOICES), key=STATUS_KEY, format_func=STATUS_CHOICES.get,
)

found = indicators(search, theme, owner, status, priority, version)
st.markdown(f"**{len(found)} indicator{'s' if len(found) != 1 else ''}** match.")
if found.empty:
    st.info("Nothing matches. Clear the search or choose All in the filters above.")
    st.stop()

table = found[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS)
# Widths that fit the nine columns in the 980 px a 1,440 px window leaves beside the navigation,
# with rows tall enough for Streamlit to wrap a long name (it wraps above 64 px).
CATALOGUE_ROW_HEIGHT = 66
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    row_height=CATALOGUE_ROW_HEIGHT,
    column_config={
        "ID": st.column_config.TextColumn(width=56),
        "Theme": st.column_config.TextColumn(width=108),
        "Indicator": st.column_config.TextColumn(width=200),
        "Unit": st.column_config.TextColumn(width=92),
        "Polarity": st.column_config.TextColumn(width=120),
        "Owner": st.column_config.TextColumn(width=112),
        "Target": st.column_config.TextColumn(width=124),
        "Benchmarks": st.column_config.NumberColumn(help="Published comparators held", format="%d", width=94),
        "Status": st.column_config.TextColumn(width=64),
    },
)
download_name = f"thinktank-indicators-{utc_now():%Y-%m-%d}"
full = browse.catalogue_for_people(found)
table_downloads(full, download_name, sheet="Indicators")

st.header("Definition", divider="gray")
chosen_id = st.selectbox(
    "Show the full definition of", list(found["id"]),
    format_func=lambda value: f"{value}: {found.set_index('id').at[value, 'name']}",
)
chosen = found.set_index("id").loc[chosen_id]
st.subheader(f"{chosen_id}: {markdown_text(chosen['name'])}")
if chosen["status"] == "retired":
    st.warning(f"Retired from {chosen['retired_from']}: no longer collected.", icon=":material/archive:")
st.markdown(markdown_text(chosen["definition"]))
page_link(st, "views/catalogue_edit.py", label=f"Change {chosen_id} from a quarter", icon=":material/edit:",
          query_params={"indicator": chosen_id})

facts, context = st.columns(2)
with facts:
    rows = [
        ("Theme", theme_names[chosen["theme"]]),
        ("Unit", UNIT_LABELS[chosen["unit"]]),
        ("Polarity", chosen["polarity_label"]),
        ("Numerator", chosen["numerator"]),
        ("Denominator", chosen["denominator"]),
        ("Measured", PERIOD_BASIS_LABELS[chosen["period_basis"]]),
        ("Target", chosen["target"]),
        ("Warn on a change of more than", f"{chosen['change_tolerance_percent']:g}% from the previous quarter"),
    ]
    st.markdown("\n".join(f"- **{label}:** {markdown_text(value)}" for label, value in rows
                          if isinstance(value, str) and value))
with context:
    rows = [
        ("Owner", owner_names[chosen["owner"]]),
        ("Source", chosen["source"]),
        ("Breakdowns", ", ".join(chosen["breakdown_names"]) or "none"),
        ("Priorities", ", ".join(chosen["priority_names"]) or "none"),
        ("Applies from", chosen["applies_from"]),
        ("Notes", chosen["notes"]),
    ]
    st.markdown("\n".join(f"- **{label}:** {markdown_text(value)}" for label, value in rows if value))
    if len(chosen["challenge_questions"]):
        st.markdown("**Questions to ask when it moves**\n" + "\n".join(
            f"- {markdown_text(question)}" for question in chosen["challenge_questions"]))
    if isinstance(chosen["population"], str):
        quarter = latest_complete_quarter(utc_now().date())
        st.info(
            f"For {quarter.label}: " + browse.population_note(
                store().cursor(), chosen["population"], chosen["population_name"], quarter
            ),
            icon=":material/info:",
        )

comparators = benchmarks(chosen_id, version)
st.markdown("**Benchmarks**")
if comparators.empty:
    st.caption("No published comparator is held for this indicator.")
else:
    shown = comparators.assign(
        Figure=[format_value(value, chosen["unit"]) for value in comparators["value"]],
        Group=[value if value != "All" else "" for value in comparators["breakdown_value"]],
    )[["area", "Group", "period", "Figure", "source", "licence", "note"]].rename(
        columns={"area": "Area", "period": "Period", "source": "Source", "licence": "Licence", "note": "Note"}
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    table_downloads(browse.benchmarks_for_people(comparators, chosen["unit"]), f"thinktank-{chosen_id}-benchmarks",
                    sheet="Benchmarks")

history = definition_history(chosen_id, version)
with st.expander(f"Definition history ({len(history)} definition{'s' if len(history) != 1 else ''} over time)"):
    st.caption("Which definition was in force for which quarters: the scorecard, charts, headlines and board pack "
               "read each quarter by the definition in force then.")
    shown_history = browse.definition_history_for_people(history, owner_names)
    st.dataframe(shown_history, hide_index=True, width="stretch")
    table_downloads(shown_history, f"thinktank-{chosen_id}-definition-history", sheet="Definition history")
