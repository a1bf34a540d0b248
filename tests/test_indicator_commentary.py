"""The Think Tank's commentary on an indicator for a quarter: the three questions, an answer per
agency that feeds the indicator, every version kept, writes for analysts only and audited. On
the frozen test catalogue."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from scorecard_support import figure, put

from thinktank import indicator_commentary as commentary
from thinktank.errors import AccessDeniedError, ThinkTankError
from thinktank.indicator_commentary import CommentaryError
from thinktank.periods import Quarter
from thinktank.store.audit import audit_entries
from thinktank.store.returns import save_return
from thinktank.store.transactions import transaction
from thinktank.users import LOCAL_ANALYST, LOCAL_PLG_MEMBER, SYSTEM, Role, User

PERIOD = Quarter(2025, 4)
NOW = dt.datetime(2026, 5, 20, 10, 0)
LATER = NOW + dt.timedelta(hours=1)
POLICE_UPLOADER = User(id="police-1", name="Police uploader", role=Role.AGENCY_UPLOADER, agency_id="police")


def test_an_edit_is_a_new_version_and_the_old_one_is_kept(store):
    cursor = store.cursor()
    assert commentary.save(cursor, LOCAL_ANALYST, "FD04", PERIOD, "tells_us", "Re-referrals rose.", NOW)
    assert commentary.save(cursor, LOCAL_ANALYST, "FD04", PERIOD, "tells_us", "  Re-referrals rose again. ", LATER)
    now_says = commentary.current(cursor, LOCAL_ANALYST, "FD04", PERIOD)
    assert now_says[["question", "body", "written_by", "written_at"]].values.tolist() == [
        ["tells_us", "Re-referrals rose again.", "local-analyst", pd.Timestamp(LATER)]]
    assert commentary.history(cursor, LOCAL_ANALYST, "FD04", PERIOD)[["change", "body"]].values.tolist() == [
        ["edited", "Re-referrals rose again."], ["written", "Re-referrals rose."]]


def test_the_same_words_again_are_not_a_new_version(store):
    cursor = store.cursor()
    commentary.save(cursor, LOCAL_ANALYST, "FD04", PERIOD, "tells_us", "Re-referrals rose.", NOW)
    assert not commentary.save(cursor, LOCAL_ANALYST, "FD04", PERIOD, "tells_us", "Re-referrals rose.", LATER)
    assert len(commentary.history(cursor, LOCAL_ANALYST, "FD04", PERIOD)) == 1


def test_a_deleted_answer_is_gone_from_the_page_but_kept_with_its_words(store):
    cursor = store.cursor()
    commentary.save(cursor, LOCAL_ANALYST, "FD04", PERIOD, "so_what_for_children", "Children wait longer.", NOW)
    commentary.delete(cursor, LOCAL_ANALYST, "FD04", PERIOD, "so_what_for_children", LATER)
    assert commentary.current(cursor, LOCAL_ANALYST, "FD04", PERIOD).empty
    assert commentary.history(cursor, LOCAL_ANALYST, "FD04", PERIOD)[["change", "body"]].values.tolist() == [
        ["deleted", "Children wait longer."], ["written", "Children wait longer."]]
    with pytest.raises(CommentaryError, match="no answer to delete"):
        commentary.delete(cursor, LOCAL_ANALYST, "FD04", PERIOD, "so_what_for_children", LATER)
    # Written again after a deletion, it is written afresh, not an edit of what was deleted.
    commentary.save(cursor, LOCAL_ANALYST, "FD04", PERIOD, "so_what_for_children", "Fewer wait.", LATER)
    assert commentary.history(cursor, LOCAL_ANALYST, "FD04", PERIOD)["change"].iloc[0] == "written"


def test_answers_belong_to_their_indicator_and_quarter(store):
    cursor = store.cursor()
    commentary.save(cursor, LOCAL_ANALYST, "FD04", PERIOD, "tells_us", "About FD04 this quarter.", NOW)
    assert commentary.current(cursor, LOCAL_ANALYST, "FD02", PERIOD).empty
    assert commentary.current(cursor, LOCAL_ANALYST, "FD04", PERIOD.previous()).empty


@pytest.mark.parametrize("user", [LOCAL_PLG_MEMBER, POLICE_UPLOADER])
def test_only_analysts_and_admins_write(store, user):
    cursor = store.cursor()
    with pytest.raises(AccessDeniedError):
        commentary.save(cursor, user, "FD04", PERIOD, "tells_us", "Mine.", NOW)
    commentary.save(cursor, SYSTEM, "FD04", PERIOD, "tells_us", "An admin's.", NOW)
    with pytest.raises(AccessDeniedError):
        commentary.delete(cursor, user, "FD04", PERIOD, "tells_us", NOW)
    assert commentary.current(cursor, LOCAL_PLG_MEMBER, "FD04", PERIOD)["body"].tolist() == ["An admin's."]


def test_agencies_do_not_read_the_think_tanks_commentary(store):
    with pytest.raises(AccessDeniedError):
        commentary.current(store.cursor(), POLICE_UPLOADER, "FD04", PERIOD)


def test_every_write_is_audited(store):
    cursor = store.cursor()
    commentary.save(cursor, LOCAL_ANALYST, "FD04", PERIOD, "tells_us", "First.", NOW)
    commentary.save(cursor, LOCAL_ANALYST, "FD04", PERIOD, "tells_us", "Second.", LATER)
    commentary.delete(cursor, LOCAL_ANALYST, "FD04", PERIOD, "tells_us", LATER)
    audited = audit_entries(cursor)
    audited = audited[audited["action"] == "indicator_commentary"]
    assert audited[["actor", "outcome", "period", "detail"]].values.tolist() == [
        ["local-analyst", outcome, "2025-26 Q4", "FD04: tells_us"] for outcome in ("written", "edited", "deleted")]


def test_a_long_or_empty_answer_is_refused_with_what_to_do(store):
    cursor = store.cursor()
    with pytest.raises(CommentaryError) as refused:
        commentary.save(cursor, LOCAL_ANALYST, "FD04", PERIOD, "tells_us",
                        "x" * (commentary.MAX_ANSWER_CHARACTERS + 1), NOW)
    assert refused.value.title == "The answer is 1,501 characters long"
    assert "1,500" in refused.value.hint
    with pytest.raises(CommentaryError, match="empty"):
        commentary.save(cursor, LOCAL_ANALYST, "FD04", PERIOD, "tells_us", "   ", NOW)
    with pytest.raises(ThinkTankError, match="not an indicator"):
        commentary.save(cursor, LOCAL_ANALYST, "ZZ99", PERIOD, "tells_us", "Words.", NOW)
    assert commentary.history(cursor, LOCAL_ANALYST, "FD04", PERIOD).empty


def test_the_owner_and_the_agency_whose_count_is_the_denominator_feed_an_indicator(store):
    # AS05 (the ICB's) is a percentage of AS04's assessments, which children's social care sends.
    feeding = commentary.feeding_agencies(store.cursor(), "AS05", PERIOD)
    assert feeding["agency_id"].tolist() == ["icb", "childrens_social_care"]
    assert commentary.feeding_agencies(store.cursor(), "FD04", PERIOD)["agency_id"].tolist() == [
        "childrens_social_care"]


def test_an_agency_whose_returns_carried_the_indicator_feeds_it(store):
    # As before the catalogue moved HO01 to the police: another agency's return carried it.
    frame = pd.DataFrame([figure("HO01", PERIOD.previous(), value=10)], index=pd.RangeIndex(2, 3, name="row"))
    for column in ("numerator", "denominator", "value"):
        frame[column] = frame[column].astype(float)
    cursor = store.cursor()
    with transaction(cursor):
        save_return(cursor, "youth_justice", "yj.csv", "sha-yj", 1, frame, pd.DataFrame(), "test", NOW,
                    warnings_confirmed=False)
    assert commentary.feeding_agencies(cursor, "HO01", PERIOD)["agency_id"].tolist() == ["police", "youth_justice"]
    # Not before the quarter its return was for.
    assert commentary.feeding_agencies(cursor, "HO01", PERIOD.previous().previous())["agency_id"].tolist() == [
        "police"]


def test_each_agency_that_feeds_the_indicator_has_its_own_answer(store):
    put(store, [figure("AS05", PERIOD, value=40, numerator=40, denominator=100)])
    cursor = store.cursor()
    commentary.save(cursor, LOCAL_ANALYST, "AS05", PERIOD, "for_agency", "Health: more assessments.", NOW,
                    agency_id="icb")
    commentary.save(cursor, LOCAL_ANALYST, "AS05", PERIOD, "for_agency", "Social care: timeliness.", NOW,
                    agency_id="childrens_social_care")
    commentary.save(cursor, LOCAL_ANALYST, "AS05", PERIOD, "tells_us", "Health leads more.", NOW)
    now_says = commentary.current(cursor, LOCAL_ANALYST, "AS05", PERIOD)
    assert now_says[["question", "agency_id"]].values.tolist() == [
        ["tells_us", None], ["for_agency", "childrens_social_care"], ["for_agency", "icb"]]
    with pytest.raises(CommentaryError, match="does not feed AS05"):
        commentary.save(cursor, LOCAL_ANALYST, "AS05", PERIOD, "for_agency", "Police?", NOW, agency_id="police")
    with pytest.raises(CommentaryError, match="answered once"):
        commentary.save(cursor, LOCAL_ANALYST, "AS05", PERIOD, "tells_us", "Per agency?", NOW, agency_id="icb")


def test_every_change_to_an_answer_has_its_words():
    from thinktank.formatting import COMMENTARY_CHANGE_LABELS

    assert set(COMMENTARY_CHANGE_LABELS) == {commentary.WRITTEN, commentary.EDITED, commentary.DELETED}
