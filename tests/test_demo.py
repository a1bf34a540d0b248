"""The demo partnership: built through the real ingest path, plausible, and the same every time."""

import datetime as dt
import shutil

import pandas as pd
import pytest
import streamlit as st
from conftest import CATALOGUE, DEMO_TODAY, REFERENCE
from streamlit.testing.v1 import AppTest
from test_store import table_contents

from thinktank import demo, first_start
from thinktank.demo import DemoNotEmptyError, build_demo, is_demo
from thinktank.periods import Quarter
from thinktank.settings import (
    CATALOGUE_ENV,
    DATABASE_ENV,
    DEMO_ENV,
    REFERENCE_ENV,
    REPO_ROOT,
    Settings,
)
from thinktank.store import Store
from thinktank.store.returns import completeness, stored_figures, submission_history
from thinktank.users import LOCAL_ANALYST

TODAY = DEMO_TODAY


@pytest.fixture
def demo_store(demo_database, tmp_path):
    copy = tmp_path / "demo.duckdb"
    shutil.copy(demo_database, copy)
    with Store.open(Settings.from_environment(copy)) as store:
        yield store


def test_every_agency_sends_fourteen_quarters_through_the_ingest_path(demo_store):
    history = submission_history(demo_store.cursor(), LOCAL_ANALYST)
    assert sorted(set(history["period"]), key=Quarter.parse)[0] == "2023-24 Q1"
    assert sorted(set(history["period"]), key=Quarter.parse)[-1] == "2026-27 Q2"
    assert set(history["agency_id"]) == {agency.id for agency in demo_store.catalogue.agencies}
    uploads = demo_store.cursor().execute(
        "SELECT count(*) FROM audit_log WHERE action = 'upload' AND outcome = 'stored'"
    ).fetchone()[0]
    assert uploads == len(history) >= 19 * 13
    assert {name.rsplit(".", 1)[1] for name in history["file_name"]} == {"xlsx", "csv"}


def test_levels_are_anchored_on_the_published_county_durham_figures(demo_store):
    figures = stored_figures(demo_store.cursor(), LOCAL_ANALYST, "childrens_social_care", "2023-24 Q4").set_index(
        ["indicator_id", "breakdown", "breakdown_value"]
    )
    assert 470 <= figures.loc[("CP02", "All", "All"), "numerator"] <= 530
    assert 3_400 <= figures.loc[("AS03", "All", "All"), "numerator"] <= 3_700
    assert 1_150 <= figures.loc[("CLA01", "All", "All"), "numerator"] <= 1_280


def test_breakdowns_add_up_and_small_groups_are_suppressed_never_zero(demo_store):
    cursor = demo_store.cursor()
    suppressed = cursor.execute("SELECT count(*) FROM observations WHERE status = 'c'").fetchone()[0]
    assert suppressed >= 5
    assert cursor.execute(
        "SELECT count(*) FROM observations WHERE status = 'c' AND coalesce(value, numerator) IS NOT NULL"
    ).fetchone()[0] == 0
    sums = cursor.execute(
        """
        SELECT o.period, sum(o.value) FILTER (WHERE o.breakdown = 'Locality'),
               any_value(o.value) FILTER (WHERE o.breakdown = 'All')
        FROM observations_in_force o WHERE o.indicator_id = 'DA01' GROUP BY o.period
        """
    ).fetchall()
    assert sums and all(total == whole for _, total, whole in sums)


def test_a_late_agency_a_missing_return_and_a_refused_one(demo_store):
    quarters = [Quarter(2025, 1).next().next(), Quarter(2025, 4), Quarter(2026, 1), Quarter(2026, 2)]
    matrix = completeness(demo_store.cursor(), LOCAL_ANALYST, demo_store.catalogue, quarters, 42, TODAY)
    state = {(row.agency_id, row.period): row.state for row in matrix.itertuples()}
    assert state[("probation", "2025-26 Q3")] == "late"
    assert state[("housing", "2025-26 Q4")] == "missing"
    assert state[("early_years", "2026-27 Q2")] == "refused"
    assert state[("police", "2025-26 Q3")] == "on_time"


def test_a_corrected_return_is_version_two_and_evidence_arrives_for_the_latest_quarter(demo_store):
    history = submission_history(demo_store.cursor(), LOCAL_ANALYST, "childrens_social_care", "2025-26 Q2")
    assert history["version"].tolist() == [2, 1]
    evidence = demo_store.cursor().execute("SELECT DISTINCT period FROM evidence").fetchall()
    assert evidence == [("2026-27 Q2",)]


def test_improvements_and_deteriorations_are_in_the_data(demo_store):
    cursor = demo_store.cursor()

    def share(indicator, agency, period):
        row = stored_figures(cursor, LOCAL_ANALYST, agency, period).set_index("indicator_id").loc[indicator]
        return row["numerator"] / row["denominator"] * 100

    assert share("AS01", "childrens_social_care", "2026-27 Q2") > share("AS01", "childrens_social_care", "2023-24 Q2") + 5
    assert share("FD04", "childrens_social_care", "2026-27 Q2") > share("FD04", "childrens_social_care", "2023-24 Q2") + 2


def test_the_scorecard_reads_the_demos_story_as_signals(demo_store):
    from thinktank import scorecard
    from thinktank.periods import Quarter

    card = scorecard.whole_area(scorecard.scorecard(demo_store.cursor(), Quarter(2026, 2))).set_index("indicator_id")
    # Re-referrals stepped up with the MASH restructure, which the demo's analyst re-based: within
    # the new process they are common cause, but above target.
    assert (card.loc["FD04", "spc_signal"], card.loc["FD04", "spc_points"]) == ("common cause", 6)
    assert card.loc["FD04", "rag"] == "red"
    assert (card["spc_signal"] == "concern").sum() >= 1
    assert card.loc["AS01", "spc_signal"] == "improvement"  # assessments in 45 days
    assert (card["status"] == "missing").sum() >= 1  # housing's missing return, early years' refused one


def test_fd04s_step_change_is_rebased_by_the_analyst_at_the_quarter_it_began(demo_store):
    from thinktank import scorecard
    from thinktank.spc_baselines import rebases

    cursor = demo_store.cursor()
    (rebase,) = rebases(cursor).to_dict("records")
    assert (rebase["indicator_id"], rebase["period"], rebase["recorded_by"]) == ("FD04", "2025-26 Q1", "Demo analyst")
    chart = scorecard.series(cursor, "FD04", Quarter(2026, 2))
    assert chart["segment"].tolist() == [0] * 8 + [1] * 6
    assert chart["rebase_reason"].iloc[8] == rebase["reason"]
    audit = cursor.execute("SELECT actor, detail FROM audit_log WHERE action = 'spc_rebase_added'").fetchall()
    assert audit == [("demo-analyst", f"FD04: {rebase['reason']}")]


def test_the_demos_latest_quarter_is_a_draft_and_the_six_before_it_are_agreed(demo_store):
    from thinktank.headlines import actions, record
    from thinktank.users import DEMO_ANALYST

    cursor = demo_store.cursor()
    latest, earlier = Quarter(2026, 2), Quarter(2026, 1)
    assert record.sign_off(cursor, latest).state == "draft"
    for back in range(1, 7):
        quarter = Quarter.from_index(latest.index - back)
        assert record.sign_off(cursor, quarter).state == "agreed"
        assert record.pack_figures(cursor, LOCAL_ANALYST, quarter).frozen_at is not None
    assert record.sign_off(cursor, Quarter.from_index(latest.index - 7)).state == "draft"
    for quarter in (latest, earlier):
        scaled = record.scales(cursor, quarter)
        assert len(scaled) == 13 and scaled["score"].between(0, 10).all() and scaled["reason"].str.len().min() > 20
        written = record.statements(cursor, DEMO_ANALYST, quarter)
        assert written["drafting_rule"].isna().sum() >= 3  # the analyst's own, from the evidence
        assert set(written["signs_of_safety"]) == {"worried", "working_well", "needs_to_happen"}
    assert set(actions.actions(cursor, LOCAL_ANALYST, latest)["status"]) == {"done", "in progress", "overdue"}
    assert len(actions.actions_due(cursor, LOCAL_ANALYST, latest)) == 4
    history = record.statement_history(cursor, DEMO_ANALYST, int(record.statements(
        cursor, DEMO_ANALYST, latest).query("indicator_id == 'FD04' and signs_of_safety == 'worried'")["id"].iloc[0]))
    assert history["change"].tolist() == ["added", "edited"]


def test_the_demos_latest_quarter_has_entered_evidence_behind_statements_and_indicator_commentary(demo_store):
    from thinktank import indicator_commentary, narrative
    from thinktank.headlines import record
    from thinktank.users import DEMO_ANALYST

    cursor = demo_store.cursor()
    latest = Quarter(2026, 2)
    front_door = narrative.theme_evidence(cursor, LOCAL_ANALYST, "front_door", latest)
    assert set(front_door["origin"]) == {"return", "entered in the app"}
    statements = record.statements(cursor, DEMO_ANALYST, latest)
    linked = narrative.linked_evidence(cursor, statements["id"].tolist())
    assert len(linked) == 3 and linked["current"].all()
    linked_to = statements.set_index("id").loc[linked["statement_id"], "body"]
    assert linked_to.str.startswith(("The MASH audit", "Practitioners in", "Young people on")).all()
    fd04 = indicator_commentary.current(cursor, DEMO_ANALYST, "FD04", latest)
    assert fd04["question"].tolist() == ["tells_us", "so_what_for_children", "for_agency"]
    as05 = indicator_commentary.current(cursor, DEMO_ANALYST, "AS05", latest)
    assert as05.loc[as05["question"] == "for_agency", "agency_id"].tolist() == ["childrens_social_care", "icb"]


def test_the_drafted_statements_of_the_latest_quarter_quote_exactly_the_engines_figures(demo_store):
    from thinktank import scorecard
    from thinktank.formatting import format_figure
    from thinktank.headlines import record
    from thinktank.headlines.drafting import return_versions
    from thinktank.users import DEMO_ANALYST

    cursor = demo_store.cursor()
    latest = Quarter(2026, 2)
    points = scorecard.series(cursor, None, latest).set_index(["indicator_id", "period"])
    units = dict(cursor.execute("SELECT id, unit FROM indicators").fetchall())
    versions = return_versions(cursor, [latest, latest.previous()])
    drafted = record.statements(cursor, DEMO_ANALYST, latest).dropna(subset=["drafting_rule"])
    assert set(drafted["theme_id"]) >= {"front_door", "child_protection", "health_wellbeing", "workforce_learning"}
    checked = 0
    for statement in drafted.itertuples():
        assert statement.figures, statement.body
        for quoted in statement.figures:
            point = points.loc[(quoted["indicator_id"], quoted["period"])]
            assert quoted["shown"] == format_figure(point["value"], units[quoted["indicator_id"]], point["status"])
            assert quoted["return_version"] == versions[(quoted["agency_id"], quoted["period"])]
            if statement.signs_of_safety != "needs_to_happen":
                assert quoted["shown"] in statement.body
            checked += 1
    assert checked >= 40


def test_an_agreed_quarter_stays_as_agreed_when_a_later_return_for_it_arrives(demo_store):
    from thinktank.headlines import record
    from thinktank.ingest.submit import ingest_return
    from thinktank.templates import template_csv, template_rows
    from thinktank.users import DEMO_ANALYST, demo_agency_user

    cursor = demo_store.cursor()
    agreed = Quarter(2026, 1)
    statements = record.statements(cursor, DEMO_ANALYST, agreed)
    frozen = record.pack_figures(cursor, LOCAL_ANALYST, agreed)
    # Social care re-sends 2026-27 Q1 with re-referrals corrected to 30.0%.
    rows = template_rows(cursor, LOCAL_ANALYST, demo_store.catalogue, "childrens_social_care", agreed)
    fd04 = (rows["indicator_id"] == "FD04") & (rows["breakdown"] == "All")
    rows.loc[fd04, ["numerator", "denominator"]] = None
    rows.loc[fd04, "value"] = 30.0
    result = ingest_return(demo_store, template_csv(rows), "csc-2026-27-Q1-corrected.csv", "childrens_social_care",
                           agreed, demo_agency_user("childrens_social_care"), confirm_warnings=True,
                           today=TODAY, now=dt.datetime(2026, 11, 23, 9))
    assert result.outcome == "stored", result
    assert record.statements(cursor, DEMO_ANALYST, agreed).equals(statements)
    after = record.pack_figures(cursor, LOCAL_ANALYST, agreed)
    assert after.card.equals(frozen.card) and after.series.equals(frozen.series)
    moved = record.moved_figures(cursor, DEMO_ANALYST, agreed)
    assert set(moved["indicator_id"]) == {"FD04"}
    assert set(moved["shown_now"]) == {"30.0%"}
    # The latest quarter's draft quotes 2026-27 Q1 as last quarter: it is flagged too.
    assert "30.0%" in set(record.moved_figures(cursor, DEMO_ANALYST, Quarter(2026, 2))["shown_now"])


def test_the_demo_is_seeded(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "DEMO_QUARTERS", 2)
    dumps = []
    for name in ("one", "two"):
        with Store.open(Settings.from_environment(tmp_path / f"{name}.duckdb")) as store:
            build_demo(store, TODAY)
            dumps.append(table_contents(store.cursor(), ignore_timestamps=False))
    for table in ("submissions", "observations", "evidence", "headline_statements", "headline_scaling",
                  "headline_sign_off", "headline_actions", "headline_action_updates"):
        assert dumps[0][table] == dumps[1][table]


def test_the_demo_goes_only_into_an_empty_database(demo_store):
    assert is_demo(demo_store)
    with pytest.raises(DemoNotEmptyError):
        build_demo(demo_store, TODAY)


def test_first_start_builds_the_demo_once_into_a_database_it_created(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "DEMO_QUARTERS", 2)
    monkeypatch.setenv(DEMO_ENV, "1")
    settings = Settings(tmp_path / "first.duckdb", CATALOGUE, REFERENCE)
    told = []
    started = first_start.open_store(settings)
    with started.store:
        assert started.created and started.demo_due
        built = first_start.build_demo_if_due(started, TODAY, progress=lambda *step: told.append(step))
        assert built is not None and built.stored > 0
        assert first_start.is_demo(started.store)
        assert told[-1][0] == told[-1][1] and told[0][0] == 1
        assert not started.demo_due and first_start.build_demo_if_due(started, TODAY) is None
    again = first_start.open_store(settings)
    with again.store:
        assert not again.created and not again.demo_due


def test_first_start_leaves_a_new_database_empty_when_the_demo_is_switched_off(tmp_path, monkeypatch):
    monkeypatch.setenv(DEMO_ENV, "0")
    started = first_start.open_store(Settings(tmp_path / "real.duckdb", CATALOGUE, REFERENCE))
    with started.store:
        assert started.created and not started.demo_due
        assert first_start.build_demo_if_due(started, TODAY) is None
        assert submission_history(started.store.cursor(), LOCAL_ANALYST).empty


def test_the_dashboard_builds_the_demo_on_first_start_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "DEMO_QUARTERS", 2)
    monkeypatch.setenv(DATABASE_ENV, str(tmp_path / "first.duckdb"))
    monkeypatch.setenv(CATALOGUE_ENV, str(CATALOGUE))
    monkeypatch.setenv(REFERENCE_ENV, str(REFERENCE))
    monkeypatch.setenv(DEMO_ENV, "1")
    st.cache_resource.clear()
    st.cache_data.clear()
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=120)
    app.run()
    assert not app.exception
    assert app.info[0].value.startswith("**Demo data.**")
    st.cache_resource.clear()
    with Store.open(Settings.from_environment(tmp_path / "first.duckdb")) as store:
        assert len(submission_history(store.cursor(), LOCAL_ANALYST)) >= 19


def test_every_denominator_is_the_count_the_catalogue_says_it_is(demo_store):
    catalogue = demo_store.catalogue
    pairs = pd.DataFrame([
        {"percent_id": indicator.id, "count_id": indicator.denominator_is,
         "count_column": "value" if catalogue.indicator_by_id[indicator.denominator_is].unit == "count"
         else "numerator"}
        for indicator in catalogue.indicators if indicator.denominator_is
    ])
    cursor = demo_store.cursor()
    cursor.register("pairs", pairs)
    compared = cursor.execute(
        """
        SELECT p.indicator_id, p.period, p.denominator,
               CASE pair.count_column WHEN 'numerator' THEN c.numerator ELSE c.value END AS count
        FROM observations_in_force p
        JOIN pairs pair ON pair.percent_id = p.indicator_id
        JOIN observations_in_force c ON c.indicator_id = pair.count_id AND c.period = p.period
             AND c.breakdown = p.breakdown AND c.breakdown_value = p.breakdown_value
        WHERE p.denominator IS NOT NULL
        """
    ).df()
    # FD04 and FD03 among them, in every quarter, the corrected return's too.
    assert len(compared[compared["indicator_id"] == "FD04"]) == 14
    assert compared["indicator_id"].nunique() >= 10
    disagreeing = compared[compared["denominator"] != compared["count"]]
    assert disagreeing.empty, disagreeing
