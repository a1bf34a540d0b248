"""Taking a return in two steps: a check that writes nothing, then a store that is audited."""

import datetime as dt

import pandas as pd
import pytest
from conftest import CATALOGUE, REFERENCE
from returns_support import POLICE_Q1, Q1, TODAY, codes, csv_return, police
from test_store import table_contents

from thinktank.ingest.submit import ReturnBatch, Upload, check_return, ingest_return, store_return
from thinktank.settings import Settings
from thinktank.store import Store
from thinktank.store.audit import audit_entries
from thinktank.store.returns import figures_in_force
from thinktank.templates import template_rows
from thinktank.users import LOCAL_ANALYST

NOW = dt.datetime(2026, 11, 23, 9, 0)


def _check(store, content):
    return check_return(store, content, "return.csv", "police", Q1, LOCAL_ANALYST, TODAY)


def _written(store) -> tuple[int, int]:
    """Submissions stored and upload attempts audited (opening the store audits the catalogue)."""
    cursor = store.cursor()
    uploads = audit_entries(cursor).query("action == 'upload'")
    return (cursor.execute("SELECT count(*) FROM submissions").fetchone()[0], len(uploads))


def test_a_check_writes_nothing_whatever_it_finds(store):
    for content in (police(), police((0, "FD06,2024-25 Q1,All,All,,,about 1700,")),
                    police((0, "FD06,2024-25 Q1,All,All,,,9999,"))):
        _check(store, content)
    assert _written(store) == (0, 0)
    assert _check(store, police()).outcome == "ready"


def test_storing_a_checked_return_stores_it_once_and_audits_it(store):
    checked = _check(store, police())
    stored = store_return(store, checked, LOCAL_ANALYST, now=NOW)
    assert stored.outcome == "stored" and [v.version for v in stored.versions] == [1]
    assert _written(store) == (1, 1)
    assert _check(store, police()).outcome == "already_stored"


def test_a_refused_store_attempt_is_audited_and_counts_as_refused(store):
    refused = _check(store, police((0, "FD06,2024-25 Q1,All,All,,,about 1700,")))
    assert refused.outcome == "refused"
    assert _written(store) == (0, 0)
    store_return(store, refused, LOCAL_ANALYST, now=NOW)
    uploads = audit_entries(store.cursor()).query("action == 'upload'")
    assert uploads["outcome"].tolist() == ["refused"]


def test_warnings_need_confirming_when_storing(store):
    store_return(store, _check(store, police()), LOCAL_ANALYST, now=NOW)
    moved = _check(store, csv_return(*POLICE_Q1[:-1]))  # HO05 left out: R303 and R307
    assert moved.outcome == "needs_confirmation" and moved.warnings_shown
    assert store_return(store, moved, LOCAL_ANALYST, now=NOW).outcome == "needs_confirmation"
    assert store_return(store, moved, LOCAL_ANALYST, confirm_warnings=True, now=NOW).outcome == "stored"


def _series_points(cursor) -> list[tuple]:
    """The series' points by what they are, not by the numbers the store gave the series."""
    return cursor.execute(
        "SELECT s.indicator_id, s.breakdown, s.breakdown_value, p.* EXCLUDE (series_id) "
        "FROM series_points p JOIN series s ON s.id = p.series_id ORDER BY ALL"
    ).fetchall()


BATCH = [  # (content, quarter): a clean return, the next quarter, a refused one, a correction
    (police(), Q1),
    (csv_return(*(row.replace("2024-25 Q1", "2024-25 Q2") for row in POLICE_Q1)), Q1.next()),
    (police((0, "FD06,2024-25 Q1,All,All,,,about 1700,")), Q1),
    (csv_return(*POLICE_Q1[:-1]), Q1),  # HO05 left out: warnings, confirmed
]


def test_a_batch_stores_and_audits_each_return_as_sending_them_one_by_one_does(tmp_path):
    dumps = []
    for name in ("alone", "batch"):
        with Store.open(Settings(tmp_path / f"{name}.duckdb", CATALOGUE, REFERENCE)) as store:
            if name == "alone":
                results = [ingest_return(store, content, "return.csv", "police", quarter, LOCAL_ANALYST,
                                         confirm_warnings=True, now=NOW) for content, quarter in BATCH]
            else:
                with ReturnBatch.of(store) as batch:
                    results = [batch.ingest(content, "return.csv", "police", quarter, LOCAL_ANALYST, NOW,
                                            confirm_warnings=True) for content, quarter in BATCH]
            cursor = store.cursor()
            dumps.append((
                [(result.outcome, [v.version for v in result.versions], codes(result)) for result in results],
                # Without the times the stores were created at (the catalogue load), which differ.
                {table: table_contents(cursor, ignore_timestamps=True)[table]
                 for table in ("submissions", "observations", "audit_log")},
                _series_points(cursor),
            ))
    assert dumps[0] == dumps[1]
    outcomes, _, points = dumps[1]
    assert [outcome for outcome, _, _ in outcomes] == ["stored", "stored", "refused", "stored"]
    assert outcomes[3][1] == [2] and points


SENT_TOGETHER = [  # (content, agency, file name): one quarter's returns, sent at once
    (police(), "police", "police.csv"),
    # Caught by the row checks (an unknown indicator, a numerator above its denominator) and by
    # reading a cell: the rows of other returns must neither hide nor add to these.
    (police((1, "AS06,2024-25 Q1,All,All,95,92,,"), extra=("ZZ99,2024-25 Q1,All,All,,,5,",)), "police", "typo.csv"),
    (police((0, "FD06,2024-25 Q1,All,All,,,about 1700,")), "police", "slip.csv"),
    # Another agency, whose denominator disagrees with its own count (R306, confirmed).
    (csv_return("DA02,2024-25 Q1,All,All,412,,18.7,", "DA03,2024-25 Q1,All,All,131,398,,"),
     "domestic_abuse_service", "marac.csv"),
    # A file without a comment column, its rows shaped unlike the others'.
    (csv_return(*(row.rsplit(",", 1)[0] for row in POLICE_Q1[:-1]),
                header="indicator_id,period,breakdown,breakdown_value,numerator,denominator,value"),
     "police", "resent.csv"),
]


def test_returns_sent_together_are_checked_and_stored_as_sent_one_after_another(tmp_path):
    dumps = []
    for name in ("alone", "together"):
        with Store.open(Settings(tmp_path / f"{name}.duckdb", CATALOGUE, REFERENCE)) as store:
            if name == "alone":
                results = [ingest_return(store, content, file_name, agency, Q1, LOCAL_ANALYST, confirm_warnings=True,
                                         now=NOW) for content, agency, file_name in SENT_TOGETHER]
            else:
                with ReturnBatch.of(store) as batch:
                    results = batch.ingest_all([Upload(content, file_name, agency, Q1, LOCAL_ANALYST, NOW,
                                                       confirm_warnings=True)
                                                for content, agency, file_name in SENT_TOGETHER])
            cursor = store.cursor()
            dumps.append((
                [(result.outcome, [v.version for v in result.versions],
                  result.report.issue_table().to_dict("records")) for result in results],
                {table: table_contents(cursor, ignore_timestamps=True)[table]
                 for table in ("submissions", "observations", "audit_log")},
                _series_points(cursor),
            ))
    assert dumps[0] == dumps[1]
    outcomes = dumps[1][0]
    assert [outcome for outcome, _, _ in outcomes] == ["stored", "refused", "refused", "stored", "stored"]
    typo_codes = {issue["code"] for issue in outcomes[1][2]}
    assert len(typo_codes) >= 2 and "R207" not in typo_codes
    assert {issue["code"] for issue in outcomes[2][2]} == {"R207"}
    assert "R306" in {issue["code"] for issue in outcomes[3][2]}
    assert outcomes[4][1] == [2]  # the police resent: its second version


def test_a_batch_that_fails_keeps_nothing(store):
    with pytest.raises(RuntimeError), ReturnBatch.of(store) as batch:
        assert batch.ingest(police(), "return.csv", "police", Q1, LOCAL_ANALYST, NOW).outcome == "stored"
        raise RuntimeError("stopped half way")
    assert _written(store) == (0, 0)
    assert not store.cursor().execute("SELECT count(*) FROM series_points").fetchone()[0]


def test_a_batch_reads_the_figures_in_force_as_each_return_it_stores_leaves_them(store):
    # A batch reads each agency's figures once and then only what it has stored since: the
    # figures read inside it must still be those a fresh read finds, quarter by quarter.
    def read(cursor, *quarters):
        return figures_in_force(cursor, "police", [quarter.label for quarter in quarters])

    with ReturnBatch.of(store) as batch:
        assert read(batch.cursor, Q1, Q1.next()).empty
        seen = []
        for content, quarter in BATCH:
            batch.ingest(content, "return.csv", "police", quarter, LOCAL_ANALYST, NOW, confirm_warnings=True)
            seen.append((read(batch.cursor, Q1), read(batch.cursor, Q1, Q1.next())))
            (fresh,) = batch.cursor.execute("SELECT count(*) FROM observations_in_force WHERE period = ?",
                                            [Q1.label]).fetchall()
            assert len(seen[-1][0]) == fresh[0]
    after = store.cursor()
    pd.testing.assert_frame_equal(seen[-1][0], read(after, Q1))
    pd.testing.assert_frame_equal(seen[-1][1], read(after, Q1, Q1.next()))
    assert len(seen[0][0]) > len(seen[-1][0])  # the correction left HO05 out


def test_a_batch_knows_what_it_has_stored_when_a_file_comes_again_or_a_quarter_is_corrected(store):
    with ReturnBatch.of(store) as batch:
        blank = template_rows(batch.cursor, LOCAL_ANALYST, store.catalogue, "police", Q1)
        first = batch.ingest(police(), "return.csv", "police", Q1, LOCAL_ANALYST, NOW)
        again = batch.ingest(police(), "return.csv", "police", Q1, LOCAL_ANALYST, NOW)
        correcting = template_rows(batch.cursor, LOCAL_ANALYST, store.catalogue, "police", Q1)
    assert (first.outcome, again.outcome) == ("stored", "already_stored")
    assert blank["value"].isna().all() and correcting["value"].notna().any()
    pd.testing.assert_frame_equal(correcting, template_rows(store.cursor(), LOCAL_ANALYST, store.catalogue, "police", Q1))
