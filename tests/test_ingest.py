"""Sending returns: file-level refusals, the Evidence sheet, versions, identical files,
confirming warnings, the audit log, access, and templates round-tripping."""

import datetime as dt
import gc
import io
import threading
import zipfile

import openpyxl
import pandas as pd
import pytest
from returns_support import Q1, codes, csv_return, located, police, send

from thinktank.errors import AccessDeniedError, UnknownAgencyError
from thinktank.ingest.collector import collector_paused
from thinktank.ingest.limits import Limits
from thinktank.ingest.normalise import distinct_positions
from thinktank.periods import Quarter
from thinktank.store.returns import stored_figures, submission_history
from thinktank.templates import template_csv, template_rows, template_xlsx
from thinktank.users import LOCAL_ANALYST, Role, User


def workbook(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def police_sheet() -> list[list]:
    header, *rows = police().decode().splitlines()
    return [header.split(","), *[[cell or None for cell in row.split(",")] for row in rows]]


# --- the file -----------------------------------------------------------------------------

def test_a_file_over_the_size_limit_is_refused_unread(store):
    result = send(store, police(), limits=Limits(max_file_bytes=100))
    assert codes(result) == ["F102"]
    assert "the limit is 0.0 MB" in result.report.issues[0].message


def test_a_damaged_workbook_and_an_undecodable_csv_cannot_be_read(store):
    damaged = zipfile.ZipFile(io.BytesIO(workbook({"Return": police_sheet()})))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for member in damaged.infolist():
            data = damaged.read(member.filename)
            target.writestr(member.filename, data[: len(data) // 2] if "sheet1" in member.filename else data)
    assert codes(send(store, buffer.getvalue(), "damaged.xlsx")) == ["F109"]
    assert codes(send(store, b"indicator_id,value\nFD06,\x81\x8d\x90\n", "odd.csv")) == ["F109"]


def test_a_sheet_without_an_indicator_id_column_has_no_header(store):
    result = send(store, csv_return("FD06,1180", header="indicator,value"))
    assert codes(result) == ["F110"]


def test_a_return_without_any_figure_column_is_refused(store):
    result = send(store, csv_return("FD06,2024-25 Q1", header="indicator_id,period"))
    assert codes(result) == ["F112"]


def test_more_rows_than_the_limit_are_refused(store):
    result = send(store, police(), limits=Limits(max_rows=3))
    assert codes(result) == ["F113"]


def test_a_column_given_twice_is_refused(store):
    result = send(store, csv_return("FD06,2024-25 Q1,1180,1180", header="indicator_id,period,value,Value"))
    assert located(result)[0] == ("F115", "csv", 1, "D")


def test_header_names_are_matched_loosely_and_semicolon_csv_is_read(store):
    content = b"Indicator ID;PERIOD;Value\nFD06;2024-25 Q1;1180\n"
    result = send(store, content)
    assert result.report.observations["value"].tolist() == [1180.0]


# --- the Evidence sheet -------------------------------------------------------------------

EVIDENCE_HEADER = ["theme", "source", "signs_of_safety", "title", "detail", "period"]


def with_evidence(*rows: list) -> bytes:
    return workbook({"Return": police_sheet(), "Evidence": [EVIDENCE_HEADER, *rows]})


def test_evidence_rows_are_stored_with_their_return(store):
    content = with_evidence(
        ["domestic_abuse", "voice_of_child", "worried", "Children not told why police came",
         "Young people said nobody explained.", None],
        ["Harm Outside the Home", "Audit", "Working well", "Return interviews lead to plans", None, None],
    )
    result = send(store, content, "return.xlsx")
    assert result.outcome == "stored", result.report.issue_table()
    rows = store.cursor().execute(
        "SELECT theme_id, source, signs_of_safety, title, period, source_row FROM evidence ORDER BY id"
    ).fetchall()
    assert rows == [
        ("domestic_abuse", "voice_of_child", "worried", "Children not told why police came", "2024-25 Q1", 2),
        ("harm_outside_home", "audit", "working_well", "Return interviews lead to plans", "2024-25 Q1", 3),
    ]


def test_an_empty_evidence_sheet_is_fine(store):
    assert send(store, with_evidence(), "return.xlsx").outcome == "stored"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["neglect", "audit", "worried", None, None, None], ("E402", "Evidence", 2, "D")),
        (["Neglekt", "audit", "worried", "Title", None, None], ("E403", "Evidence", 2, "A")),
        (["neglect", "focus group", "worried", "Title", None, None], ("E404", "Evidence", 2, "B")),
        (["neglect", "audit", "concern", "Title", None, None], ("E405", "Evidence", 2, "C")),
        (["neglect", "audit", "worried", "Title", None, "2024-25 Q2"], ("R206", "Evidence", 2, "F")),
    ],
)
def test_each_evidence_problem_is_located(store, row, expected):
    result = send(store, with_evidence(row), "return.xlsx")
    assert result.outcome == "refused"
    assert located(result) == [expected]


def test_an_evidence_sheet_missing_a_column_is_refused(store):
    content = workbook({"Return": police_sheet(), "Evidence": [["theme", "source", "title"], ["neglect", "audit", "T"]]})
    assert codes(send(store, content, "return.xlsx")) == ["E401"]


# --- storing --------------------------------------------------------------------------------

def test_a_later_return_supersedes_the_earlier_which_stays_in_history(store):
    first = send(store, police())
    second = send(store, police((4, "HO01,2024-25 Q1,All,All,,,415,")), now=dt.datetime(2026, 11, 24, 9))
    assert [(v.period, v.version) for v in first.versions] == [("2024-25 Q1", 1)]
    assert [(v.period, v.version) for v in second.versions] == [("2024-25 Q1", 2)]
    figures = stored_figures(store.cursor(), LOCAL_ANALYST, "police", "2024-25 Q1").set_index("indicator_id")
    assert figures.loc["HO01", "value"] == 415
    history = submission_history(store.cursor(), LOCAL_ANALYST, "police")
    assert history[["version", "in_force"]].values.tolist() == [[2, True], [1, False]]


def test_a_byte_identical_file_is_recognised_and_stores_nothing(store):
    send(store, police())
    again = send(store, police())
    assert again.outcome == "already_stored"
    assert again.summary == "This exact file is already stored (2024-25 Q1 version 1). Nothing new was stored."
    assert len(submission_history(store.cursor(), LOCAL_ANALYST, "police")) == 1


def test_warnings_need_an_explicit_confirmation(store):
    content = police(extra=("HO01,2024-25 Q1,Locality,Durham,,,200,",))
    held = send(store, content)
    assert held.outcome == "needs_confirmation"
    assert submission_history(store.cursor(), LOCAL_ANALYST).empty
    confirmed = send(store, content, confirm=True)
    assert confirmed.outcome == "stored"
    assert submission_history(store.cursor(), LOCAL_ANALYST)["warnings_confirmed"].tolist() == [True]


def test_a_backfill_stores_one_version_per_quarter_in_one_go(store):
    rows = [row.replace("2024-25 Q1", label) for label in ("2023-24 Q3", "2023-24 Q4", "2024-25 Q1")
            for row in police().decode().splitlines()[1:]]
    result = send(store, csv_return(*rows), period=None)
    assert result.outcome == "stored"
    assert [(v.period, v.version) for v in result.versions] == [
        ("2023-24 Q3", 1), ("2023-24 Q4", 1), ("2024-25 Q1", 1),
    ]


def test_every_attempt_is_audited_without_a_single_cell_value(store):
    send(store, police((4, "HO01,2024-25 Q1,All,All,,,98765,")), confirm=True)
    send(store, police((4, "HO01,2024-25 Q1,All,All,,,about 98765,")))
    log = store.cursor().execute(
        "SELECT actor, action, agency_id, period, file_name, rows_read, errors, warnings, outcome, "
        "length(file_sha256) FROM audit_log WHERE action = 'upload' ORDER BY id"
    ).fetchall()
    assert log == [
        ("local-analyst", "upload", "police", "2024-25 Q1", "return.csv", 7, 0, 0, "stored", 64),
        ("local-analyst", "upload", "police", "2024-25 Q1", "return.csv", 7, 1, 0, "refused", 64),
    ]
    everything = str(store.cursor().execute("SELECT * FROM audit_log").fetchall())
    assert "98765" not in everything


def test_an_agency_uploader_sends_only_for_their_own_agency(store):
    police_user = User("p1", "Police uploader", Role.AGENCY_UPLOADER, agency_id="police")
    assert send(store, police(), actor=police_user).outcome == "stored"
    with pytest.raises(AccessDeniedError):
        send(store, police(), agency="education", actor=police_user)


def test_a_plg_member_sends_no_return(store):
    with pytest.raises(AccessDeniedError, match="do not send returns"):
        send(store, police(), actor=User("plg", "PLG member", Role.PLG_MEMBER))
    assert store.cursor().execute("SELECT count(*) FROM submissions").fetchone() == (0,)


def test_an_unknown_agency_is_named_with_a_suggestion(store):
    with pytest.raises(UnknownAgencyError) as raised:
        send(store, police(), agency="polise")
    assert "Did you mean police?" in raised.value.hint


# --- templates ------------------------------------------------------------------------------

TYPED = {
    # what a person types into the value column, and what must be stored
    "count": (1234, 1234.0),
    "percent": (87.5, 87.5),
    "rate_per_10k": (50.2, 50.2),
    "days": (23, 23.0),
    "score": (7.5, 7.5),
    "gbp": ("£12,500", 12500.0),
}


@pytest.mark.parametrize(("agency", "quarter"), [("childrens_social_care", Quarter(2025, 1)), ("partnership", Q1)])
def test_a_filled_xlsx_template_round_trips_for_every_unit(store, agency, quarter):
    rows = template_rows(store.cursor(), LOCAL_ANALYST, store.catalogue, agency, quarter)
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(rows, store.catalogue, agency, quarter)))
    sheet = book["Return"]
    typed = {}
    for row in range(2, len(rows) + 2):
        if sheet.cell(row, 3).value != "All":
            continue  # group rows left empty are not sent
        unit = store.catalogue.indicator_by_id[sheet.cell(row, 1).value].unit
        sheet.cell(row, 7).value = TYPED[unit][0]
        typed[sheet.cell(row, 1).value] = TYPED[unit][1]
    buffer = io.BytesIO()
    book.save(buffer)
    result = send(store, buffer.getvalue(), "filled.xlsx", agency=agency, period=quarter, confirm=True)
    assert result.outcome == "stored", result.report.issue_table()
    stored = stored_figures(store.cursor(), LOCAL_ANALYST, agency, quarter.label).set_index("indicator_id")["value"]
    assert stored.to_dict() == typed


def test_the_round_trip_covers_every_unit_of_the_catalogue(store):
    units = {store.catalogue.indicator_by_id[i].unit for agency in ("childrens_social_care", "partnership")
             for i in template_rows(store.cursor(), LOCAL_ANALYST, store.catalogue, agency, Quarter(2025, 1))["indicator_id"]}
    assert units == set(TYPED)


def test_a_filled_csv_template_round_trips(store):
    rows = template_rows(store.cursor(), LOCAL_ANALYST, store.catalogue, "police", Q1)
    overall = rows["breakdown"] == "All"
    rows.loc[overall, "value"] = [410, 95.5, 1540, 97.5, 410, 23, 9]
    result = send(store, template_csv(rows), "police.csv")
    assert result.outcome == "stored", result.report.issue_table()
    stored = stored_figures(store.cursor(), LOCAL_ANALYST, "police", Q1.label)
    assert stored["value"].tolist() == [410, 95.5, 1540, 97.5, 410, 23, 9]


def test_the_template_layout(store):
    rows = template_rows(store.cursor(), LOCAL_ANALYST, store.catalogue, "police", Q1)
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(rows, store.catalogue, "police", Q1)))
    assert book.sheetnames == ["Return", "Evidence", "About"]
    sheet = book["Return"]
    assert [cell.value for cell in sheet[1]][:8] == [
        "indicator_id", "period", "breakdown", "breakdown_value", "numerator", "denominator", "value", "comment",
    ]
    assert sheet.freeze_panes == "B2"
    assert sheet.protection.sheet
    overall = [row for row in range(2, sheet.max_row + 1) if sheet.cell(row, 3).value == "All"]
    assert [sheet.cell(row, 1).value for row in overall] == ["FD06", "AS06", "DA01", "DA05", "HO01", "HO04", "HO05"]
    assert {sheet.cell(row, 2).value for row in range(2, sheet.max_row + 1)} == {"2024-25 Q1"}
    validations = {str(v.sqref): (v.type, v.formula1, v.formula2, v.errorStyle) for v in sheet.data_validations.dataValidation}
    assert ("decimal", "0", "100", "warning") in validations.values()
    assert ("whole", "0", None, "warning") in validations.values()
    evidence = book["Evidence"]
    lists = [v.formula1 for v in evidence.data_validations.dataValidation]
    assert '"worried,working_well,needs_to_happen"' in lists
    assert any("voice_of_child" in formula for formula in lists)


def test_the_template_shows_last_quarters_figure(store):
    send(store, police())
    rows = template_rows(store.cursor(), LOCAL_ANALYST, store.catalogue, "police", Quarter(2024, 2))
    rows = rows[rows["breakdown"] == "All"]
    last = dict(zip(rows["indicator_id"], rows["last quarter (for reference)"], strict=True))
    assert last["FD06"] == "1,180"
    assert last["AS06"] == "95.7%"


def test_a_return_whose_every_row_has_a_figure_that_cannot_be_read_is_refused_for_that_alone(store):
    # No row is left for the row checks: they find nothing, rather than fail on a frame of none.
    result = send(store, csv_return("FD06,2024-25 Q1,All,All,,,about 1180,", "AS06,2024-25 Q1,All,All,,,x y,"))
    assert result.outcome == "refused"
    assert [code for code in codes(result) if not code.startswith("R3")] == ["R207", "R207"]


def test_the_collector_is_back_on_after_a_check_however_it_ends():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block did not switch it off, so leaves it off
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError
    assert gc.isenabled()


def test_the_collector_stays_off_while_any_thread_checks_and_comes_back_when_the_last_ends():
    # A enters, B enters, A leaves while B is still inside, then B leaves: the interleaving two
    # visitors' uploads make. The collector must stay off for B and be on again after.
    b_inside, a_left, b_may_leave = threading.Event(), threading.Event(), threading.Event()
    seen = []

    def b():
        with collector_paused():
            b_inside.set()
            a_left.wait(5)
            seen.append(gc.isenabled())
            b_may_leave.wait(5)

    other = threading.Thread(target=b)
    with collector_paused():
        other.start()
        assert b_inside.wait(5)
    a_left.set()
    b_may_leave.set()
    other.join(5)
    assert seen == [False]
    assert gc.isenabled()


def test_distinct_positions_number_each_combination_where_it_first_appears():
    first, which = distinct_positions(pd.Series(["b", "a", "b", None, "a"], dtype=object),
                                      pd.Series([1, 1, 1, 1, 2], dtype=object))
    assert first.tolist() == [0, 1, 3, 4]
    assert which.tolist() == [0, 1, 0, 2, 3]
    none = distinct_positions(pd.Series([], dtype=object))
    assert none[0].tolist() == [] and none[1].tolist() == []
