"""Evidence beside the figures, and what keeps cached scorecards current."""

from __future__ import annotations

import datetime as dt

import pytest
from scorecard_support import FIRST, figure, put

from thinktank import narrative, scorecard
from thinktank.errors import AccessDeniedError
from thinktank.narrative import EvidenceError
from thinktank.periods import Quarter
from thinktank.store.audit import audit_entries
from thinktank.users import LOCAL_ANALYST, LOCAL_PLG_MEMBER, SYSTEM, Role, User

NOW = dt.datetime(2026, 11, 23, 10, 0)
QUARTER = Quarter(2024, 1)
POLICE_UPLOADER = User(id="police-1", name="Police uploader", role=Role.AGENCY_UPLOADER, agency_id="police")


def statement(store, body: str = "Plans lack contingencies.") -> int:
    """A draft headline statement on the front door for the quarter; its id."""
    from thinktank.headlines import record

    return record.add_statement(store.cursor(), LOCAL_ANALYST, QUARTER, "front_door", "worried", body, NOW)


def entered(store, title: str = "Audit of 20 plans", heading: str = "worried", agency: str | None = None,
            actor: User = LOCAL_ANALYST) -> str:
    return narrative.add_evidence(store.cursor(), actor, "front_door", QUARTER, "audit", heading, title,
                                  "Most plans had no contingency.", agency, NOW)


def test_evidence_entered_in_the_app_sits_beside_the_returns_with_a_key_of_its_own(store):
    number = returned_evidence(store, heading="worried")
    key = entered(store, title="Voice of young people", heading="worried", agency="childrens_social_care")
    other = entered(store, title="Audit of strategy meetings", heading="working_well")
    shown = narrative.theme_evidence(store.cursor(), LOCAL_ANALYST, "front_door", QUARTER)
    assert shown[["evidence_key", "signs_of_safety", "agency", "origin", "entered_by"]].values.tolist() == [
        [f"return-{number}", "worried", "Police", "return", "local-analyst"],
        [key, "worried", "Children's social care", "entered in the app", "local-analyst"],
        [other, "working_well", None, "entered in the app", "local-analyst"]]
    assert (key, other) == ("entered-1", "entered-2")
    assert narrative.theme_evidence(store.cursor(), LOCAL_ANALYST, "front_door", QUARTER.next()).empty
    assert narrative.theme_evidence(store.cursor(), LOCAL_ANALYST, "child_protection", QUARTER).empty


def test_a_key_names_the_same_evidence_after_others_are_added_and_deleted(store):
    first = entered(store, title="First")
    second = entered(store, title="Second")
    narrative.delete_evidence(store.cursor(), LOCAL_ANALYST, first, NOW)
    third = entered(store, title="Third")
    shown = narrative.theme_evidence(store.cursor(), LOCAL_ANALYST, "front_door", QUARTER).set_index("evidence_key")
    assert shown["title"].to_dict() == {second: "Second", third: "Third"}
    assert third not in (first, second)


def test_deleted_evidence_is_kept_with_who_deleted_it(store):
    key = entered(store)
    narrative.delete_evidence(store.cursor(), SYSTEM, key, NOW)
    assert narrative.theme_evidence(store.cursor(), LOCAL_ANALYST, "front_door", QUARTER).empty
    kept = narrative.deleted_evidence(store.cursor(), LOCAL_ANALYST, "front_door", QUARTER)
    assert kept[["evidence_key", "title", "entered_by", "deleted_by"]].values.tolist() == [
        [key, "Audit of 20 plans", "local-analyst", "system"]]
    with pytest.raises(EvidenceError, match="no longer on the theme"):
        narrative.delete_evidence(store.cursor(), LOCAL_ANALYST, key, NOW)


def test_evidence_sent_with_a_return_is_not_deleted_in_the_app(store):
    number = returned_evidence(store)
    with pytest.raises(EvidenceError, match="cannot be deleted here"):
        narrative.delete_evidence(store.cursor(), LOCAL_ANALYST, f"return-{number}", NOW)


@pytest.mark.parametrize("user", [LOCAL_PLG_MEMBER, POLICE_UPLOADER])
def test_only_analysts_and_admins_enter_delete_and_link_evidence(store, user):
    first = statement(store)
    with pytest.raises(AccessDeniedError):
        entered(store, actor=user)
    key = entered(store, actor=SYSTEM)
    with pytest.raises(AccessDeniedError):
        narrative.delete_evidence(store.cursor(), user, key, NOW)
    with pytest.raises(AccessDeniedError):
        narrative.link_evidence(store.cursor(), user, first, key, NOW)
    narrative.link_evidence(store.cursor(), LOCAL_ANALYST, first, key, NOW)
    with pytest.raises(AccessDeniedError):
        narrative.unlink_evidence(store.cursor(), user, first, key, NOW)
    assert len(narrative.theme_evidence(store.cursor(), LOCAL_ANALYST, "front_door", QUARTER)) == 1


def test_entered_evidence_is_checked_with_what_to_do(store):
    cursor = store.cursor()
    refused = {
        "title": {"title": " "}, "long title": {"title": "x" * (narrative.MAX_TITLE_CHARACTERS + 1)},
        "long detail": {"detail": "x" * (narrative.MAX_DETAIL_CHARACTERS + 1)},
        "source": {"source": "focus group"}, "heading": {"heading": "concern"},
        "theme": {"theme": "front_dore"}, "agency": {"agency_id": "nobody"},
    }
    hints = {}
    for problem, change in refused.items():
        asked = {"theme": "front_door", "period": QUARTER, "source": "survey", "heading": "worried",
                 "title": "Survey", "detail": None, "agency_id": None} | change
        with pytest.raises(EvidenceError) as error:
            narrative.add_evidence(cursor, LOCAL_ANALYST, now=NOW, **asked)
        hints[problem] = error.value.hint
    assert "2,000 characters" in hints["long detail"]
    assert "Voice of the child" in hints["source"]
    assert narrative.theme_evidence(cursor, LOCAL_ANALYST, "front_door", QUARTER).empty


def test_each_write_is_audited(store):
    seven = statement(store)
    key = entered(store)
    narrative.link_evidence(store.cursor(), LOCAL_ANALYST, seven, key, NOW)
    narrative.unlink_evidence(store.cursor(), LOCAL_ANALYST, seven, key, NOW)
    narrative.delete_evidence(store.cursor(), LOCAL_ANALYST, key, NOW)
    audited = audit_entries(store.cursor())
    audited = audited[audited["action"] == "evidence"]
    assert audited["outcome"].tolist() == ["entered", "linked", "unlinked", "deleted"]
    assert audited["detail"].iloc[1] == f"{key} to statement {seven}"


def test_a_statement_keeps_the_evidence_linked_to_it_even_when_that_is_deleted(store):
    seven = statement(store)
    eight = statement(store, "A second worry.")
    number = returned_evidence(store)
    key = entered(store)
    cursor = store.cursor()
    narrative.link_evidence(cursor, LOCAL_ANALYST, seven, f"return-{number}", NOW)
    narrative.link_evidence(cursor, LOCAL_ANALYST, seven, key, NOW)
    narrative.link_evidence(cursor, LOCAL_ANALYST, eight, key, NOW)
    with pytest.raises(EvidenceError, match="already linked"):
        narrative.link_evidence(cursor, LOCAL_ANALYST, eight, key, NOW)
    narrative.delete_evidence(cursor, LOCAL_ANALYST, key, NOW)
    linked = narrative.linked_evidence(cursor, [seven])
    assert linked[["statement_id", "evidence_key", "origin", "current", "linked_by"]].values.tolist() == [
        [seven, f"return-{number}", "return", True, "local-analyst"], [seven, key, "entered in the app", False, "local-analyst"]]
    narrative.unlink_evidence(cursor, LOCAL_ANALYST, seven, key, NOW)
    assert narrative.linked_evidence(cursor, [seven, eight])[["statement_id", "evidence_key"]].values.tolist() == [
        [seven, f"return-{number}"], [eight, key]]
    with pytest.raises(EvidenceError, match="not linked"):
        narrative.unlink_evidence(cursor, LOCAL_ANALYST, seven, key, NOW)
    # The unlinking is kept, with when.
    assert cursor.execute("SELECT count(*) FROM statement_evidence WHERE unlinked_at IS NOT NULL").fetchone() == (1,)


def test_evidence_is_linked_only_to_a_draft_and_a_new_version_keeps_the_links(store):
    from thinktank.headlines import record
    from thinktank.headlines.record import HeadlineError

    cursor = store.cursor()
    worry, key = statement(store), entered(store)
    narrative.link_evidence(cursor, LOCAL_ANALYST, worry, key, NOW)
    record.mark_ready(cursor, LOCAL_ANALYST, QUARTER, NOW)
    with pytest.raises(HeadlineError, match="ready for the PLG"):
        narrative.unlink_evidence(cursor, LOCAL_ANALYST, worry, key, NOW)
    record.agree(cursor, LOCAL_ANALYST, QUARTER, NOW)
    record.new_version(cursor, LOCAL_ANALYST, QUARTER, "Police return corrected", NOW)
    (carried,) = record.statements(cursor, LOCAL_ANALYST, QUARTER)["id"]
    assert narrative.linked_evidence(cursor, [carried])["evidence_key"].tolist() == [key]
    with pytest.raises(HeadlineError, match="earlier version"):
        narrative.link_evidence(cursor, LOCAL_ANALYST, worry, key, NOW)


def test_only_evidence_in_force_can_be_linked(store):
    seven = statement(store)
    with pytest.raises(EvidenceError, match="no evidence 'entered-9'"):
        narrative.link_evidence(store.cursor(), LOCAL_ANALYST, seven, "entered-9", NOW)
    key = entered(store)
    narrative.delete_evidence(store.cursor(), LOCAL_ANALYST, key, NOW)
    with pytest.raises(EvidenceError, match="in force"):
        narrative.link_evidence(store.cursor(), LOCAL_ANALYST, seven, key, NOW)


def returned_evidence(store, title: str = "MASH audit: decisions in time", heading: str = "working_well") -> int:
    """A police return for 2024-25 Q1 carrying one piece of front-door evidence; its evidence row's id."""
    from returns_support import csv_return, send

    send(store, csv_return("FD06,2024-25 Q1,All,All,,,1180,"), confirm=True)
    cursor = store.cursor()
    submission_id = cursor.execute("SELECT max(id) FROM submissions").fetchone()[0]
    (number,) = cursor.execute(
        "INSERT INTO evidence (submission_id, theme_id, source, signs_of_safety, title, detail, period, source_row) "
        "VALUES (?, 'front_door', 'audit', ?, ?, NULL, '2024-25 Q1', 2) RETURNING id",
        [submission_id, heading, title]).fetchone()
    return number


def test_evidence_comes_from_the_returns_in_force_under_its_heading(store):
    number = returned_evidence(store)
    shown = narrative.theme_evidence(store.cursor(), LOCAL_ANALYST, "front_door", Quarter(2024, 1))
    assert shown.to_dict("records") == [
        {"evidence_key": f"return-{number}", "signs_of_safety": "working_well", "source": "audit",
         "title": "MASH audit: decisions in time", "detail": None, "agency": "Police", "origin": "return",
         "entered_by": "local-analyst"}]


def test_the_data_version_changes_when_a_return_is_stored(store):
    cursor = store.cursor()
    before = scorecard.data_version(cursor)
    assert scorecard.data_version(cursor) == before
    put(store, [figure("HO01", FIRST, value=400)])
    assert scorecard.data_version(cursor) != before


def test_reported_quarters_run_from_the_first_to_the_last_return_without_gaps(store):
    assert scorecard.reported_quarters(store.cursor()) == []
    put(store, [figure("HO01", FIRST, value=400), figure("HO01", FIRST.next().next(), value=410)])
    assert scorecard.reported_quarters(store.cursor()) == [FIRST, FIRST.next(), FIRST.next().next()]


def test_each_stored_figure_carries_its_quarter_as_a_number(store):
    put(store, [figure("HO01", Quarter(2024, 3), value=400)])
    (label, index) = store.cursor().execute("SELECT period, period_index FROM observations").fetchone()
    assert (label, index) == ("2024-25 Q3", Quarter(2024, 3).index)


def test_the_stores_quarter_macros_agree_with_the_python_quarters(store):
    from thinktank.periods import format_date, quarters_between

    quarters = quarters_between(Quarter(1999, 1), Quarter(2040, 4))
    rows = store.cursor().execute(
        "SELECT label, quarter_index(label), quarter_label(quarter_index(label)), quarter_end(quarter_index(label)) "
        "FROM unnest(?) AS labels(label)", [[quarter.label for quarter in quarters]]).fetchall()
    assert rows == [(q.label, q.index, q.label, q.end) for q in quarters]
    assert format_date(quarters[0].end) == "30 June 1999"


def test_the_migration_applies_to_a_store_built_before_it(settings):
    import duckdb

    from thinktank.store import Store
    from thinktank.store.migrations import available_migrations

    connection = duckdb.connect(str(settings.database_path))
    connection.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                       "applied_at TIMESTAMP NOT NULL)")
    before = [migration for migration in available_migrations()
              if migration.name != "indicator_commentary_and_evidence"]
    for migration in before:
        connection.execute(migration.sql)
        connection.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", [migration.version, migration.name, NOW])
    connection.close()
    with Store.open(settings) as store:
        key = entered(store)
        assert narrative.theme_evidence(store.cursor(), LOCAL_ANALYST, "front_door", QUARTER)["evidence_key"].tolist() == [key]
        tables = {row[0] for row in store.cursor().execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert {"indicator_commentary", "evidence_entries", "statement_evidence"} <= tables


def test_every_origin_of_evidence_has_its_words():
    from thinktank.formatting import EVIDENCE_ORIGIN_LABELS

    assert set(EVIDENCE_ORIGIN_LABELS) == {narrative.RETURN, narrative.ENTERED}
