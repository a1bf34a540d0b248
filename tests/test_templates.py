"""The template an agency downloads: a row for every group, the figures in force when it is a
correction, and a protected sheet that still lets people add rows."""

import io
import re
import zipfile

import openpyxl
import pandas as pd
from conftest import replace_in
from returns_support import Q1, codes, police, send

from thinktank.periods import Quarter
from thinktank.store import Store
from thinktank.store.returns import stored_figures
from thinktank.templates import template_csv, template_rows, template_xlsx, version_in_force
from thinktank.users import LOCAL_ANALYST

Q2 = Quarter(2024, 2)
LOCALITIES = ["Chester-le-Street", "Derwentside", "Durham", "Easington", "Sedgefield", "Teesdale", "Wear Valley"]


def _groups(rows: pd.DataFrame, indicator_id: str) -> list[tuple[str, str]]:
    mine = rows[rows["indicator_id"] == indicator_id]
    return list(zip(mine["breakdown"], mine["breakdown_value"], strict=True))


def test_a_template_has_a_row_for_every_group_each_indicator_is_collected_by(store):
    rows = template_rows(store.cursor(), LOCAL_ANALYST, store.catalogue, "police", Q1)
    registered = {breakdown.id: breakdown for breakdown in store.catalogue.breakdowns}
    for indicator_id in rows["indicator_id"].unique():
        indicator = store.catalogue.indicator_by_id[indicator_id]
        expected = [("All", "All")] + [
            (registered[b].name, group) for b in indicator.breakdowns for group in registered[b].values
        ]
        assert _groups(rows, indicator_id) == expected
    assert _groups(rows, "FD06") == [("All", "All")] + [("Locality", name) for name in LOCALITIES]


def test_a_first_template_gives_last_quarters_figure_of_each_group_for_reference(store):
    send(store, police(extra=("FD06,2024-25 Q1,Locality,Easington,,,300,",)), confirm=True)
    rows = template_rows(store.cursor(), LOCAL_ANALYST, store.catalogue, "police", Q2).set_index(["indicator_id", "breakdown_value"])
    assert rows.loc[("FD06", "Easington"), "last quarter (for reference)"] == "300"
    assert rows.loc[("FD06", "Durham"), "last quarter (for reference)"] == "none stored for 2024-25 Q1"
    assert rows[["numerator", "denominator", "value"]].isna().all().all()
    assert not version_in_force(store.cursor(), LOCAL_ANALYST, "police", Q2)


def test_a_breakdown_with_no_listed_groups_offers_the_groups_sent_last_quarter(editable_settings):
    replace_in(editable_settings.catalogue_dir / "partnership" / "breakdowns.yaml",
               "    values: [Chester-le-Street, Derwentside, Durham, Easington, Sedgefield, Teesdale, Wear Valley]\n", "")
    with Store.open(editable_settings) as store:
        assert _groups(template_rows(store.cursor(), LOCAL_ANALYST, store.catalogue, "police", Q1), "FD06") == [("All", "All")]
        send(store, police(extra=("FD06,2024-25 Q1,Locality,North,,,700,", "FD06,2024-25 Q1,Locality,South,,,480,")))
        rows = template_rows(store.cursor(), LOCAL_ANALYST, store.catalogue, "police", Q2)
        assert _groups(rows, "FD06") == [("All", "All"), ("Locality", "North"), ("Locality", "South")]


def test_a_correction_template_holds_the_figures_in_force_and_resends_them_unchanged(store):
    in_force = police(
        (6, "HO05,2024-25 Q1,All,All,,,c,"),
        extra=("FD06,2024-25 Q1,Locality,Easington,,,300,",
               "FD06,2024-25 Q1,Locality,Durham,,,12 u,Checked twice"),
    )
    assert send(store, in_force, confirm=True).outcome == "stored"
    before = stored_figures(store.cursor(), LOCAL_ANALYST, "police", Q1.label)
    assert version_in_force(store.cursor(), LOCAL_ANALYST, "police", Q1)
    rows = template_rows(store.cursor(), LOCAL_ANALYST, store.catalogue, "police", Q1).set_index(["indicator_id", "breakdown_value"])
    assert rows.loc[("FD06", "All"), "value"] == 1180
    assert rows.loc[("AS06", "All"), ["numerator", "denominator"]].tolist() == [88, 92]
    assert rows.loc[("HO05", "All"), "value"] == "c"
    assert rows.loc[("FD06", "Durham"), ["value", "comment"]].tolist() == ["12 u", "Checked twice"]
    assert pd.isna(rows.loc[("FD06", "Teesdale"), "value"])

    resent = template_rows(store.cursor(), LOCAL_ANALYST, store.catalogue, "police", Q1)
    for content, name in ((template_csv(resent), "again.csv"),
                          (template_xlsx(resent, store.catalogue, "police", Q1, correcting=True), "again.xlsx")):
        result = send(store, content, name, confirm=True)
        assert result.outcome == "stored", result.report.issue_table()
        assert "R307" not in codes(result)
        after = stored_figures(store.cursor(), LOCAL_ANALYST, "police", Q1.label)
        pd.testing.assert_frame_equal(after, before)


def test_the_protected_sheet_lets_people_insert_rows_and_type_in_them(store):
    rows = template_rows(store.cursor(), LOCAL_ANALYST, store.catalogue, "police", Q1)
    content = template_xlsx(rows, store.catalogue, "police", Q1)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    protection = dict(re.findall(r'(\w+)="(\d)"', re.search(r"<sheetProtection [^>]*>", xml).group(0)))
    # In OOXML (and openpyxl) a flag of 1 protects, that is forbids, the action; 0 allows it.
    assert protection["sheet"] == "1"
    assert protection["insertRows"] == "0" and protection["deleteRows"] == "0"
    assert protection["insertColumns"] == "1"
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Return"]
    new_row = sheet.max_row + 1
    # A cell of a new row takes its column's style: the input columns are unlocked, the grey ones not.
    assert [sheet.column_dimensions[letter].protection.locked for letter in "ABCDEFGH"] == [False] * 8
    assert [sheet.column_dimensions[letter].protection.locked for letter in "IJKL"] == [True] * 4
    assert sheet.cell(new_row, 1).value is None
    assert all(not sheet.cell(2, column).protection.locked for column in range(1, 9))
    assert all(sheet.cell(2, column).protection.locked for column in range(9, 13))


def test_the_about_sheet_says_how_groups_and_corrections_work(store):
    rows = template_rows(store.cursor(), LOCAL_ANALYST, store.catalogue, "police", Q1)
    first = openpyxl.load_workbook(io.BytesIO(template_xlsx(rows, store.catalogue, "police", Q1)))["About"]
    text = " ".join(str(row[0].value) for row in first.iter_rows())
    assert "a row for each group it is collected by" in text
    assert "A group row left empty is not sent" in text
    assert "add rows below for groups" not in text
    correction = openpyxl.load_workbook(io.BytesIO(
        template_xlsx(rows, store.catalogue, "police", Q1, correcting=True)))["About"]
    assert "holds the figures now in force" in correction["A2"].value
