"""The fixture folder of real-world and hostile files: each bad file gets its documented code
at the right place and leaves the stored content unchanged; each good file is read right."""

import pytest
from returns_support import FIXTURES, Q1, send
from test_store import table_contents

from thinktank.store.returns import stored_figures
from thinktank.users import LOCAL_ANALYST

BAD = [
    # file, chosen quarter, expected issues (code, sheet, row, column letter)
    ("empty.xlsx", Q1, [("F101", None, None, None)]),
    ("pdf-renamed.xlsx", Q1, [("F103", None, None, None)]),
    ("old-format.xls", Q1, [("F104", None, None, None)]),
    ("macro-enabled.xlsm", Q1, [("F105", None, None, None)]),
    ("macro-renamed.xlsx", Q1, [("F105", None, None, None)]),
    ("encrypted.xlsx", Q1, [("F106", None, None, None)]),
    ("zip-bomb.xlsx", Q1, [("F107", None, None, None)]),
    ("xml-entities.xlsx", Q1, [("F108", None, None, None)]),
    ("header-only.xlsx", Q1, [("F114", "Return", 1, None)]),
    ("two-row-header.xlsx", Q1, [("F111", "Return", 3, None)]),
    ("duplicate-rows.csv", Q1, [("R302", "csv", 9, "A")]),
    ("unknown-indicator.csv", Q1, [("R202", "csv", 8, "A"), ("R303", "csv", None, "A")]),
    ("other-agency.csv", Q1, [("R301", "csv", 9, "A")]),
    ("future-period.csv", None, [("R205", "csv", row, "B") for row in range(2, 9)]),
    ("wrong-period.csv", Q1, [("R206", "csv", 6, "B"), ("R303", "csv", None, "A")]),
    ("text-in-number.csv", Q1, [("R207", "csv", 7, "G")]),
    ("percent-over-100.csv", Q1, [("R208", "csv", 5, "G")]),
    ("numerator-over-denominator.csv", Q1, [("R212", "csv", 3, "E")]),
    ("values-disagree.csv", Q1, [("R213", "csv", 3, "G")]),
]


def test_every_bad_fixture_is_covered():
    assert {name for name, _, _ in BAD} == {path.name for path in (FIXTURES / "bad").iterdir()}


@pytest.mark.parametrize(("name", "period", "expected"), BAD, ids=[name for name, _, _ in BAD])
def test_a_bad_file_is_refused_at_the_right_place_and_stores_nothing(store, name, period, expected):
    from returns_support import located

    before = table_contents(store.cursor())
    result = send(store, (FIXTURES / "bad" / name).read_bytes(), name, period=period)
    assert result.outcome == "refused"
    assert sorted(located(result), key=str) == sorted(expected, key=str)
    for item in result.report.issues:
        assert item.message and item.severity in ("error", "warning")
    after = table_contents(store.cursor())
    assert {table: rows for table, rows in after.items() if table != "audit_log"} == {
        table: rows for table, rows in before.items() if table != "audit_log"
    }
    assert len(after["audit_log"]) == len(before["audit_log"]) + 1
    (outcome, errors, file_name) = store.cursor().execute(
        "SELECT outcome, errors, file_name FROM audit_log ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert (outcome, file_name) == ("refused", name)
    assert errors == sum(code.startswith(("F", "R2", "R301", "R302")) for code, *_ in expected)


GOOD_FIGURES = {
    # indicator: (numerator, denominator, value, status)
    "FD06": (None, None, 1180.0, None),
    "AS06": (88.0, 92.0, None, None),
    "DA01": (None, None, 1540.0, None),
    "DA05": (None, None, 97.5, None),
    "HO01": (None, None, 410.0, None),
    "HO04": (None, None, 23.0, None),
    "HO05": (None, None, 9.0, None),
}


def figures(store) -> dict:
    frame = stored_figures(store.cursor(), LOCAL_ANALYST, "police", "2024-25 Q1")
    return {
        row.indicator_id: (
            *(None if value != value else value  # NaN is "no figure"
              for value in (row.numerator, row.denominator, row.value)),
            row.status,
        )
        for row in frame.itertuples()
    }


@pytest.mark.parametrize(
    "name",
    ["cp1252.csv", "utf8-bom.csv", "numbers-as-text.xlsx", "title-rows-and-hidden-sheet.xlsx",
     "excel-shared-strings.xlsx", "openxml-sdk-prefixed.xlsx"],
)
def test_real_world_files_are_read_exactly(store, name):
    result = send(store, (FIXTURES / "good" / name).read_bytes(), name)
    assert result.outcome == "stored", result.report.issue_table()
    assert figures(store) == GOOD_FIGURES


def test_windows_1252_and_utf8_text_keeps_pound_signs_and_curly_quotes(store):
    send(store, (FIXTURES / "good" / "cp1252.csv").read_bytes(), "cp1252.csv")
    (comment,) = store.cursor().execute(
        "SELECT comment FROM observations WHERE indicator_id = 'FD06'"
    ).fetchone()
    assert comment == "Includes £ spent on overtime\u2019s cover"


def test_percent_typed_as_text_is_the_number_shown(store):
    result = send(store, (FIXTURES / "good" / "percent-as-text.csv").read_bytes(), "p.csv")
    assert result.outcome == "stored"
    stored = figures(store)
    assert stored["AS06"] == (None, None, 95.7, None)
    assert stored["DA05"] == (None, None, 97.5, None)


def test_statistical_symbols_are_stored_as_status_never_as_zero(store):
    result = send(store, (FIXTURES / "good" / "gss-symbols.csv").read_bytes(), "gss.csv")
    assert result.outcome == "stored", result.report.issue_table()
    assert figures(store) == {
        "FD06": (None, None, None, "c"),
        "AS06": (None, None, None, "x"),
        "DA01": (None, None, None, "x"),
        "DA05": (None, None, None, "z"),
        "HO01": (None, None, None, "low"),
        "HO04": (None, None, 12.0, "u"),
        "HO05": (None, None, None, "c"),
    }


def test_hidden_sheets_title_rows_and_ignored_columns_are_reported(store):
    result = send(store, (FIXTURES / "good" / "title-rows-and-hidden-sheet.xlsx").read_bytes(), "t.xlsx")
    assert result.report.ignored_columns == ["Team notes"]
