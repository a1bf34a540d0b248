"""R307: a new version that leaves out rows in force says which, and is stored only when the
person sending it confirms."""

from returns_support import POLICE_Q1, Q1, codes, csv_return, police, send

from thinktank.store.returns import stored_figures
from thinktank.users import LOCAL_ANALYST

LOCALITIES = ["Chester-le-Street", "Derwentside", "Durham", "Easington", "Sedgefield", "Teesdale", "Wear Valley"]
# FD06 split by locality (the groups add up to its 1,180).
FD06_GROUPS = tuple(
    f"FD06,2024-25 Q1,Locality,{name},,,{value},"
    for name, value in zip(LOCALITIES, [100, 190, 200, 220, 200, 50, 220], strict=True)
)


def _r307(result) -> list[str]:
    return [item.message for item in result.report.issues if item.code == "R307"]


def test_a_first_submission_drops_nothing(store):
    result = send(store, police(extra=FD06_GROUPS))
    assert "R307" not in codes(result)
    assert result.outcome == "stored"


def test_a_complete_resubmission_drops_nothing(store):
    send(store, police(extra=FD06_GROUPS))
    again = send(store, police((0, "FD06,2024-25 Q1,All,All,,,1180,Checked"), extra=FD06_GROUPS))
    assert "R307" not in codes(again)
    assert again.outcome == "stored"


def test_a_shortened_resubmission_names_every_row_it_drops_and_waits_for_confirmation(store):
    send(store, police(extra=FD06_GROUPS))
    shortened = csv_return(*[row for row in POLICE_Q1 if not row.startswith("HO05")], *FD06_GROUPS[:2])
    result = send(store, shortened)
    assert _r307(result) == [(
        "This version of 2024-25 Q1 drops 6 rows now in force: FD06 Locality: Durham, Easington, "
        "Sedgefield, Teesdale, Wear Valley; HO05 (overall figure). Add them back (the template for "
        "2024-25 Q1 holds the figures in force), or confirm if they should no longer be reported."
    )]
    assert result.outcome == "needs_confirmation"
    assert len(stored_figures(store.cursor(), LOCAL_ANALYST, "police", Q1.label)) == 14  # the version in force is untouched

    confirmed = send(store, shortened, confirm=True)
    assert confirmed.outcome == "stored"
    assert len(stored_figures(store.cursor(), LOCAL_ANALYST, "police", Q1.label)) == 8


def test_a_long_list_names_the_first_rows_and_counts_the_rest(store, monkeypatch):
    monkeypatch.setattr("thinktank.rules.resubmission.NAMED_AT_MOST", 34)
    groups = tuple(
        f"{indicator},2024-25 Q1,Locality,{name},,,10,"
        for indicator in ("FD06", "DA01", "HO01") for name in LOCALITIES
    ) + tuple(f"HO01,2024-25 Q1,Age band,{band},,,10," for band in ("Under 1", "1-4", "5-9", "10-15", "16-17"))
    groups += tuple(f"HO04,2024-25 Q1,Gender,{name},,,5," for name in ("Female", "Male", "Other or not known"))
    groups += tuple(f"HO04,2024-25 Q1,Exploitation type,{name},,,5," for name in ("Sexual", "Criminal", "Both"))
    send(store, police(extra=groups), confirm=True)
    (message,) = _r307(send(store, csv_return(POLICE_Q1[0])))
    assert message.startswith("This version of 2024-25 Q1 drops 38 rows now in force: AS06 (overall figure); "
                              "DA01 (overall figure); DA01 Locality: Chester-le-Street, ")
    assert "; and 4 more. Add them back" in message
