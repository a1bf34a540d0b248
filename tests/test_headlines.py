"""The PLG's quarterly headlines: statements drafted from the engine's figures, kept with their
history, scaled, signed off and frozen when agreed, and the actions they give rise to. On the
frozen test catalogue, with figures put straight into the store."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest
from scorecard_support import figure, put, quarterly

from thinktank import scorecard
from thinktank.errors import AccessDeniedError
from thinktank.formatting import format_figure
from thinktank.headlines import actions, drafting, record
from thinktank.headlines.actions import ActionError
from thinktank.headlines.record import HeadlineError
from thinktank.periods import Quarter
from thinktank.store import Store
from thinktank.store.audit import audit_entries
from thinktank.store.migrations import available_migrations
from thinktank.users import LOCAL_ANALYST, LOCAL_PLG_MEMBER, Role, User

START = Quarter(2024, 1)
LATEST = Quarter(2025, 4)  # the eighth quarter from START
NOW = dt.datetime(2026, 5, 20, 10, 0)
POLICE_UPLOADER = User(id="police-1", name="Police uploader", role=Role.AGENCY_UPLOADER, agency_id="police")
CSC_UPLOADER = User(id="csc-1", name="Social care uploader", role=Role.AGENCY_UPLOADER,
                    agency_id="childrens_social_care")

# FD04 (re-referrals, lower is better, target 20% with 3 points amber, England 22.6%, North East
# 20.7%): steady around 20%, then above the upper process limit for the last two quarters.
# FD02 (decisions within a day, higher is better, target 90%): steady and green.
FD04 = [20.1, 19.8, 20.3, 19.9, 20.2, 20.0, 25.4, 26.0]
FD02 = [92.0, 91.5, 92.5, 91.8, 92.2, 92.0, 91.9, 92.1]


@pytest.fixture
def figures_in(store):
    put(store, quarterly("FD04", FD04, START) + quarterly("FD02", FD02, START))
    return store


def drafted(store, period=LATEST) -> dict[tuple[str, str], drafting.Proposal]:
    return {(proposal.indicator_id, proposal.signs_of_safety): proposal
            for proposal in drafting.propose(store.cursor(), period)}


def test_a_worry_quotes_its_figures_benchmarks_target_and_how_long_it_has_been_beyond_the_limit(figures_in):
    proposals = drafted(figures_in)
    assert set(proposals) == {("FD04", "worried"), ("FD04", "needs_to_happen"), ("FD02", "working_well")}
    worry = proposals[("FD04", "worried")]
    assert worry.theme_id == "front_door"
    assert worry.drafting_rule == "SPC concern; red against target; worse than England; worse than the North East"
    assert worry.body == (
        "Re-referrals within 12 months of a previous referral rose to 26.0% in 2025-26 Q4, from 25.4% in "
        "2025-26 Q3 (England 22.6%, North East 20.7%). It is above the upper process limit for the second "
        "quarter running and near the upper process limit in two of the last three quarters (an SPC concern); red against its target of at most 20.0% (amber up to 23.0%); "
        "worse than England and the North East.")
    assert [figure.as_json() for figure in worry.figures] == [
        {"indicator_id": "FD04", "period": "2025-26 Q4", "shown": "26.0%", "agency_id": "childrens_social_care",
         "return_version": 1},
        {"indicator_id": "FD04", "period": "2025-26 Q3", "shown": "25.4%", "agency_id": "childrens_social_care",
         "return_version": 1},
    ]
    assert proposals[("FD04", "needs_to_happen")].body == (
        "Children's social care to report to the PLG in 2026-27 Q1 on what lies behind re-referrals within 12 "
        "months of a previous referral and what will bring it back to its target of at most 20.0% (amber up to "
        "23.0%).")
    assert proposals[("FD02", "working_well")].body == (
        "Contacts with a decision within one working day stood at 92.1% in 2025-26 Q4, much the same as 91.9% in "
        "2025-26 Q3. It is green against its target of at least 90.0% (amber down to 85.0%).")


def test_every_drafted_figure_is_the_engines_figure_and_is_in_the_text(figures_in):
    cursor = figures_in.cursor()
    points = scorecard.series(cursor, None, LATEST)
    units = dict(cursor.execute("SELECT id, unit FROM indicators").fetchall())
    for proposal in drafting.propose(cursor, LATEST):
        for quoted in proposal.figures:
            (point,) = points[(points["indicator_id"] == quoted.indicator_id)
                              & (points["period"] == quoted.period)].itertuples()
            assert quoted.shown == format_figure(point.value, units[quoted.indicator_id], point.status)
            # What needs to happen rests on the worry's figures without repeating them.
            if proposal.signs_of_safety != "needs_to_happen":
                assert quoted.shown in proposal.body


def test_an_indicator_without_a_figure_or_a_reason_is_not_drafted(store):
    put(store, quarterly("FD04", [20.0] * 7 + ["c"], START) + quarterly("FD05", [5.0] * 8, START))
    # FD04's latest is suppressed; FD05 is green, so it is all that is said.
    assert set(drafted(store)) == {("FD05", "working_well")}


def test_drafting_adds_only_what_the_draft_lacks_and_never_brings_back_a_deletion(figures_in):
    cursor = figures_in.cursor()
    assert record.draft_from_data(cursor, LOCAL_ANALYST, LATEST, NOW) == 3
    assert record.draft_from_data(cursor, LOCAL_ANALYST, LATEST, NOW) == 0
    kept = record.statements(cursor, LOCAL_ANALYST, LATEST)
    worry = kept[kept["signs_of_safety"] == "worried"].iloc[0]
    assert worry["figures"][0]["shown"] == "26.0%"
    record.delete_statement(cursor, LOCAL_ANALYST, int(worry["id"]), NOW)
    assert record.draft_from_data(cursor, LOCAL_ANALYST, LATEST, NOW) == 0
    assert len(record.statements(cursor, LOCAL_ANALYST, LATEST)) == 2


def test_statements_are_added_edited_moved_and_deleted_with_their_history_and_audited_without_text(store):
    cursor = store.cursor()
    first = record.add_statement(cursor, LOCAL_ANALYST, LATEST, "front_door", "worried", "  First.  ", NOW)
    second = record.add_statement(cursor, LOCAL_ANALYST, LATEST, "front_door", "worried", "Second.", NOW)
    record.edit_statement(cursor, LOCAL_ANALYST, first, "First, with the so what for children.", NOW)
    record.move_statement(cursor, LOCAL_ANALYST, second, -1, NOW)
    shown = record.statements(cursor, LOCAL_ANALYST, LATEST)
    assert shown["body"].tolist() == ["Second.", "First, with the so what for children."]
    assert shown["position"].tolist() == [1, 2]
    record.delete_statement(cursor, LOCAL_ANALYST, second, NOW)
    assert record.statements(cursor, LOCAL_ANALYST, LATEST)["id"].tolist() == [first]
    assert record.statement_history(cursor, LOCAL_ANALYST, first)[["change", "body"]].values.tolist() == [
        ["added", "First."], ["edited", "First, with the so what for children."]]
    assert record.statement_history(cursor, LOCAL_ANALYST, second)["change"].tolist() == ["added", "moved", "deleted"]
    assert record.changes(cursor, LOCAL_PLG_MEMBER, LATEST)[["change", "changed_by"]].values.tolist()[:2] == [
        ["deleted", "local-analyst"], ["moved", "local-analyst"]]
    audit = audit_entries(cursor)
    assert audit[audit["action"] == "headlines"]["outcome"].tolist() == [
        "statement added", "statement added", "statement edited", "statement moved", "statement deleted"]
    assert "so what" not in json.dumps(audit.astype(str).to_dict("records"))


@pytest.mark.parametrize(("heading", "body", "title"), [
    ("worried", "   ", "The statement is empty"),
    ("so_what", "Text", "'so_what' is not a Signs of Safety heading"),
    ("worried", "x" * 1_501, "The statement is 1,501 characters long"),
])
def test_a_statement_that_cannot_be_saved_says_why(store, heading, body, title):
    with pytest.raises(HeadlineError) as raised:
        record.add_statement(store.cursor(), LOCAL_ANALYST, LATEST, "front_door", heading, body, NOW)
    assert raised.value.title == title and raised.value.hint


def test_analysts_write_plg_members_read_and_agencies_do_neither(store):
    cursor = store.cursor()
    for reader in (LOCAL_PLG_MEMBER, POLICE_UPLOADER):
        with pytest.raises(AccessDeniedError):
            record.add_statement(cursor, reader, LATEST, "front_door", "worried", "Text", NOW)
        with pytest.raises(AccessDeniedError):
            record.set_scale(cursor, reader, LATEST, "front_door", 5, "Reason", NOW)
        with pytest.raises(AccessDeniedError):
            record.mark_ready(cursor, reader, LATEST, NOW)
    assert record.statements(cursor, LOCAL_PLG_MEMBER, LATEST).empty
    with pytest.raises(AccessDeniedError):
        record.statements(cursor, POLICE_UPLOADER, LATEST)


def test_headlines_move_from_draft_to_ready_to_agreed_and_are_changed_only_as_a_draft(store):
    cursor = store.cursor()
    statement = record.add_statement(cursor, LOCAL_ANALYST, LATEST, "front_door", "worried", "Text.", NOW)
    assert record.sign_off(cursor, LATEST).state == "draft"
    with pytest.raises(HeadlineError, match="can become agreed by the PLG only from ready for the PLG"):
        record.agree(cursor, LOCAL_ANALYST, LATEST, NOW)
    record.mark_ready(cursor, LOCAL_ANALYST, LATEST, NOW)
    with pytest.raises(HeadlineError, match="ready for the PLG"):
        record.edit_statement(cursor, LOCAL_ANALYST, statement, "Changed.", NOW)
    record.back_to_draft(cursor, LOCAL_ANALYST, LATEST, NOW)
    record.edit_statement(cursor, LOCAL_ANALYST, statement, "Changed.", NOW)
    record.mark_ready(cursor, LOCAL_ANALYST, LATEST, NOW)
    record.agree(cursor, LOCAL_ANALYST, LATEST, NOW)
    for change in (lambda: record.edit_statement(cursor, LOCAL_ANALYST, statement, "Again.", NOW),
                   lambda: record.delete_statement(cursor, LOCAL_ANALYST, statement, NOW),
                   lambda: record.set_scale(cursor, LOCAL_ANALYST, LATEST, "front_door", 3, "Reason", NOW),
                   lambda: record.draft_from_data(cursor, LOCAL_ANALYST, LATEST, NOW)):
        with pytest.raises(HeadlineError, match="agreed by the PLG and are frozen"):
            change()
    assert record.sign_off_history(cursor, LATEST)["state"].tolist() == ["ready", "draft", "ready", "agreed"]


def test_a_new_version_of_agreed_headlines_needs_a_reason_and_keeps_the_agreed_one(store):
    cursor = store.cursor()
    record.add_statement(cursor, LOCAL_ANALYST, LATEST, "front_door", "worried", "As agreed.", NOW)
    record.set_scale(cursor, LOCAL_ANALYST, LATEST, "front_door", 4, "Re-referrals high.", NOW)
    with pytest.raises(HeadlineError, match="not agreed"):
        record.new_version(cursor, LOCAL_ANALYST, LATEST, "Reason", NOW)
    record.mark_ready(cursor, LOCAL_ANALYST, LATEST, NOW)
    record.agree(cursor, LOCAL_ANALYST, LATEST, NOW)
    with pytest.raises(HeadlineError, match="needs its reason"):
        record.new_version(cursor, LOCAL_ANALYST, LATEST, "  ", NOW)
    assert record.new_version(cursor, LOCAL_ANALYST, LATEST, "Social care return corrected", NOW) == 2
    state = record.sign_off(cursor, LATEST)
    assert (state.version, state.state, state.reason) == (2, "draft", "Social care return corrected")
    (carried,) = record.statements(cursor, LOCAL_ANALYST, LATEST).itertuples()
    record.edit_statement(cursor, LOCAL_ANALYST, carried.id, "Corrected.", NOW)
    assert record.statements(cursor, LOCAL_ANALYST, LATEST, version=1)["body"].tolist() == ["As agreed."]
    assert record.statements(cursor, LOCAL_ANALYST, LATEST)["body"].tolist() == ["Corrected."]
    assert record.scales(cursor, LATEST)[["theme_id", "score"]].values.tolist() == [["front_door", 4]]


def test_agreed_headlines_and_their_figures_do_not_change_when_a_later_return_arrives(figures_in):
    from thinktank import narrative

    cursor = figures_in.cursor()
    record.draft_from_data(cursor, LOCAL_ANALYST, LATEST, NOW)
    narrative.add_evidence(cursor, LOCAL_ANALYST, "front_door", LATEST, "audit", "worried",
                           "Audit of re-referred families", None, None, NOW)
    record.mark_ready(cursor, LOCAL_ANALYST, LATEST, NOW)
    record.agree(cursor, LOCAL_ANALYST, LATEST, NOW)
    agreed = record.statements(cursor, LOCAL_ANALYST, LATEST)
    frozen = record.pack_figures(cursor, LOCAL_ANALYST, LATEST)
    assert frozen.frozen_at == NOW
    assert frozen.evidence["title"].tolist() == ["Audit of re-referred families"]
    assert frozen.returns[0].startswith("Children's social care: version 1, received")
    assert record.moved_figures(cursor, LOCAL_ANALYST, LATEST).empty

    # Social care corrects its latest return: re-referrals were 24.1%, not 26.0%.
    put(figures_in, [figure("FD04", LATEST, value=24.1), figure("FD02", LATEST, value=92.1)])

    narrative.add_evidence(cursor, LOCAL_ANALYST, "front_door", LATEST, "survey", "working_well",
                           "Survey after agreement", None, None, NOW)
    assert record.statements(cursor, LOCAL_ANALYST, LATEST).equals(agreed)
    after = record.pack_figures(cursor, LOCAL_ANALYST, LATEST)
    assert after.card.equals(frozen.card) and after.series.equals(frozen.series)
    assert after.evidence.equals(frozen.evidence) and after.returns == frozen.returns
    from thinktank.publication import returns_in_force

    assert "version 2" in " ".join(returns_in_force(cursor, LATEST))
    assert "version 2" not in " ".join(after.returns)
    fd04 = after.card[(after.card["indicator_id"] == "FD04") & (after.card["breakdown"] == "All")]
    assert fd04["value"].tolist() == [26.0]
    moved = record.moved_figures(cursor, LOCAL_ANALYST, LATEST)
    assert moved[["indicator_id", "period", "shown_then", "shown_now", "version_then", "version_now"]
                 ].values.tolist() == [["FD04", "2025-26 Q4", "26.0%", "24.1%", 1, 2]] * 2
    # A draft quarter reads the figures as they are now.
    assert record.pack_figures(cursor, LOCAL_ANALYST, LATEST.previous()).frozen_at is None


@pytest.mark.parametrize(("score", "reason", "title"), [
    (11, "Reason", "11 is not on the scale"),
    (-1, "Reason", "-1 is not on the scale"),
    (5, "  ", "A scale needs its reason"),
])
def test_a_scale_is_a_whole_number_from_0_to_10_with_a_reason(store, score, reason, title):
    with pytest.raises(HeadlineError) as raised:
        record.set_scale(store.cursor(), LOCAL_ANALYST, LATEST, "front_door", score, reason, NOW)
    assert raised.value.title == title


def test_the_scaling_history_reads_each_quarters_current_scale(store):
    cursor = store.cursor()
    earlier = LATEST.previous()
    record.set_scale(cursor, LOCAL_ANALYST, earlier, "front_door", 4, "Worried.", NOW)
    record.set_scale(cursor, LOCAL_ANALYST, earlier, None, 5, "Overall.", NOW)
    record.set_scale(cursor, LOCAL_ANALYST, LATEST, "front_door", 5, "First thoughts.", NOW)
    record.set_scale(cursor, LOCAL_ANALYST, LATEST, "front_door", 6, "After the audit.", NOW + dt.timedelta(hours=1))
    history = record.scale_history(cursor, LATEST)
    assert [(row.period, row.theme_id if isinstance(row.theme_id, str) else None, row.score)
            for row in history.itertuples()] == [
        ("2025-26 Q3", "front_door", 4), ("2025-26 Q3", None, 5), ("2025-26 Q4", "front_door", 6)]
    assert record.scale_history(cursor, earlier)["period"].unique().tolist() == ["2025-26 Q3"]


def test_an_action_comes_from_what_needs_to_happen_and_is_overdue_once_its_quarter_has_passed(figures_in):
    cursor = figures_in.cursor()
    record.draft_from_data(cursor, LOCAL_ANALYST, LATEST, NOW)
    kept = record.statements(cursor, LOCAL_ANALYST, LATEST)
    needs = int(kept[kept["signs_of_safety"] == "needs_to_happen"]["id"].iloc[0])
    worry = int(kept[kept["signs_of_safety"] == "worried"]["id"].iloc[0])
    with pytest.raises(ActionError, match="What needs to happen"):
        actions.raise_action(cursor, LOCAL_ANALYST, worry, "Do it", "childrens_social_care", LATEST.next(), NOW)
    with pytest.raises(ActionError, match="before 2025-26 Q4"):
        actions.raise_action(cursor, LOCAL_ANALYST, needs, "Do it", "childrens_social_care", LATEST.previous(), NOW)
    with pytest.raises(AccessDeniedError):
        actions.raise_action(cursor, LOCAL_PLG_MEMBER, needs, "Do it", "childrens_social_care", LATEST.next(), NOW)
    action = actions.raise_action(cursor, LOCAL_ANALYST, needs, "Audit 20 re-referred families",
                                  "childrens_social_care", LATEST.next(), NOW)
    assert actions.actions(cursor, LOCAL_ANALYST, LATEST.next())["status"].tolist() == ["in progress"]
    assert actions.actions(cursor, LOCAL_ANALYST, LATEST.next().next())["status"].tolist() == ["overdue"]
    assert actions.actions_due(cursor, LOCAL_ANALYST, LATEST.next())["id"].tolist() == [action]
    assert actions.actions_due(cursor, LOCAL_ANALYST, LATEST).empty  # raised this quarter: not yet reported back on

    with pytest.raises(AccessDeniedError):
        actions.update_action(cursor, POLICE_UPLOADER, action, "done", "Not ours", NOW)
    actions.update_action(cursor, CSC_UPLOADER, action, "done", "Audit reported to the PLG", NOW)
    (done,) = actions.actions(cursor, LOCAL_ANALYST, LATEST.next().next(), agency_id="childrens_social_care").itertuples()
    assert (done.status, done.latest_note, done.owner) == ("done", "Audit reported to the PLG", "Children's social care")
    # Done and due in an earlier quarter: no longer reported back on.
    assert actions.actions_due(cursor, LOCAL_ANALYST, LATEST.next().next()).empty


def test_theme_commentary_from_before_headlines_becomes_the_first_versions_statements(settings):
    connection = duckdb.connect(str(settings.database_path))
    connection.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                       "applied_at TIMESTAMP NOT NULL)")
    for migration in available_migrations():
        if migration.version >= 8:
            break
        connection.execute(migration.sql)
        connection.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [migration.version, migration.name, NOW])
    connection.execute(
        "INSERT INTO commentary (theme_id, period, signs_of_safety, body, written_by, written_at) VALUES "
        "('front_door', '2025-26 Q4', 'worried', 'Second written', 'Local analyst', '2026-05-02 10:00'), "
        "('front_door', '2025-26 Q4', 'worried', 'First written', 'Local analyst', '2026-05-01 10:00')"
    )
    connection.close()
    with Store.open(settings) as store:
        moved = record.statements(store.cursor(), LOCAL_ANALYST, LATEST)
        assert moved[["body", "position", "written_by"]].values.tolist() == [
            ["First written", 1, "local-analyst"], ["Second written", 2, "local-analyst"]]
        tables = {row[0] for row in store.cursor().execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert "commentary" not in tables
