"""One small exact test per rule: a few rows in, the code at the right row and column out."""

import pandas as pd
import pytest
from returns_support import codes, csv_return, located, police, send

from schemas.returns import _population_known
from thinktank.formatting import STATUS_LABELS
from thinktank.rules import CODES, RULES, Finding, Rule
from thinktank.rules import returns as cross_row


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (police((0, ",2024-25 Q1,All,All,,,1180,")), ("R201", "csv", 2, "A")),
        (police((6, "HO50,2024-25 Q1,All,All,,,9,")), ("R202", "csv", 8, "A")),
        (police((0, "FD06,Spring 2024,All,All,,,1180,")), ("R204", "csv", 2, "B")),
        (police((4, "HO01,2024-25 Q1,All,All,,,about 400,")), ("R207", "csv", 6, "G")),
        (police((3, "DA05,2024-25 Q1,All,All,,,101,")), ("R208", "csv", 5, "G")),
        (police((4, "HO01,2024-25 Q1,All,All,,,410.5,")), ("R209", "csv", 6, "G")),
        (police((4, "HO01,2024-25 Q1,All,All,,,-4,")), ("R210", "csv", 6, "G")),
        (police((1, "AS06,2024-25 Q1,All,All,95,92,,")), ("R212", "csv", 3, "E")),
        (police((1, "AS06,2024-25 Q1,All,All,88,92,95.6,")), ("R213", "csv", 3, "G")),
        (police((1, "AS06,2024-25 Q1,All,All,88,,,")), ("R214", "csv", 3, "G")),
        (police((0, "FD06,2024-25 Q1,All,All,5,,,")), ("R214", "csv", 2, "G")),
        (police(extra=("HO01,2024-25 Q1,Ethnicity,White,,,300,",)), ("R215", "csv", 9, "C")),
        (police(extra=("HO01,2024-25 Q1,Locality,Easingon,,,410,",)), ("R216", "csv", 9, "D")),
        (police((1, "AS06,2024-25 Q1,All,All,0,0,,")), ("R219", "csv", 3, "F")),
        (police(extra=("CP02,2024-25 Q1,All,All,497,,,",)), ("R301", "csv", 9, "A")),
        (police(extra=("HO05,2024-25 Q1,All,All,,,9,",)), ("R302", "csv", 9, "A")),
    ],
)
def test_each_error_is_found_at_its_row_and_column(store, content, expected):
    result = send(store, content)
    assert result.outcome == "refused"
    assert expected in located(result)


def test_text_in_a_number_column_names_each_symbol_in_the_words_shown_for_it(store, monkeypatch):
    # The words come from the vocabulary at the time of the check: changed there, changed here.
    monkeypatch.setitem(STATUS_LABELS, "c", "c (held back to protect children)")
    result = send(store, police((4, "HO01,2024-25 Q1,All,All,,,about 400,")))
    (message,) = [item.message for item in result.report.issues if item.code == "R207"]
    assert message == ("'about 400' is not a number. Type the figure, or a symbol: c (held back to protect "
                       "children), x (not available), z (not applicable), low (rounds to zero), u (low "
                       "reliability).")
    assert CODES["R207"].what_to_do == "Type the figure alone, or a symbol: c, x, z, low or u."


def test_a_period_is_required_when_the_form_does_not_fix_it(store):
    result = send(store, police((0, "FD06,,All,All,,,1180,")), period=None)
    assert ("R203", "csv", 2, "B") in located(result)


def test_a_missing_period_column_is_fine_when_the_form_fixes_the_quarter(store):
    header = "indicator_id,value"
    result = send(store, csv_return("FD06,1180", "DA01,1540", header=header))
    assert "F112" not in codes(result)
    assert result.report.observations["period"].unique().tolist() == ["2024-25 Q1"]


def test_a_missing_period_column_without_a_chosen_quarter_is_an_error(store):
    result = send(store, csv_return("FD06,1180", header="indicator_id,value"), period=None)
    assert codes(result) == ["F112"]


def test_an_indicator_outside_its_quarters_is_refused(store):
    content = csv_return("EH06,2025-26 Q2,All,All,80,100,,")
    result = send(store, content, agency="childrens_social_care", period=None)
    assert ("R217", "csv", 2, "A") in located(result)
    assert "retired from 2025-26 Q1" in result.report.issues[0].message


def test_a_future_quarter_is_refused(store):
    result = send(store, csv_return("FD06,2026-27 Q3,All,All,,,1180,"), period=None)
    assert ("R205", "csv", 2, "B") in located(result)


def test_a_rate_from_a_numerator_needs_a_population(store):
    result = send(store, csv_return("DA02,2024-25 Q1,All,All,350,,,"), agency="domestic_abuse_service")
    assert ("R218", "csv", 2, "E") in located(result)


def test_a_group_of_a_rate_is_not_worked_out_from_the_whole_areas_population(store):
    # The group's value stands on its own: there is no population of under-ones to check it
    # against, and its numerator alone would be a count, not a rate per 10,000 children.
    content = csv_return(
        "CP02,2024-25 Q1,All,All,420,,42.4,", "CP02,2024-25 Q1,Age band,Under 1,43,,520,",
        "CP02,2024-25 Q1,Age band,1-4,61,,,",
    )
    result = send(store, content, agency="childrens_social_care")
    assert not {"R213", "R218"} & set(codes(result))
    figures = result.report.rows["figure"]
    assert figures.loc[3] == 520 and pd.isna(figures.loc[4])
    assert figures.loc[2] == 42.4


def test_a_rate_checked_against_the_population_names_the_population(store):
    result = send(store, csv_return("CP02,2024-25 Q1,All,All,420,,50,"), agency="childrens_social_care")
    (message,) = [item.message for item in result.report.issues if item.code == "R213"]
    assert message == (
        "The value 50 does not match 420 / 98,957 (children aged 0-17, 2023-24) × 10,000 = 42.4. "  # noqa: RUF001 (the multiplication sign a person reads)
        "Correct one of them, or leave the value empty."
    )


def test_only_the_whole_area_needs_a_population_for_a_rate_given_as_its_numerator():
    frame = pd.DataFrame({
        "unit": ["rate_per_10k"] * 2, "numerator": [350.0, 40.0], "denominator": [None, None],
        "value": [None, None], "breakdown": ["All", "Locality"], "population_value": [None, None],
    }).astype({"denominator": float, "value": float, "population_value": float})
    assert _population_known(frame).tolist() == [False, True]


def test_a_score_is_on_the_0_to_10_scale(store):
    result = send(store, csv_return("VO06,2025-26 Q1,All,All,,,11,"), agency="childrens_social_care",
                  period=None)
    assert ("R211", "csv", 2, "G") in located(result)


def test_the_unknown_indicator_message_suggests_the_closest_ids(store):
    result = send(store, police(extra=("CP20,2024-25 Q1,All,All,,,4,",)))
    (message,) = [item.message for item in result.report.issues if item.code == "R202"]
    assert message.startswith("'CP20' is not an indicator in the catalogue. Did you mean CP02")


def test_missing_expected_indicators_are_warnings(store):
    result = send(store, csv_return(*police().decode().splitlines()[1:6]))
    assert result.outcome == "needs_confirmation"
    assert sorted(item.value for item in result.report.issues if item.code == "R303") == ["HO04", "HO05"]


def test_a_blank_template_row_counts_as_missing_not_as_an_error(store):
    result = send(store, police((6, "HO05,2024-25 Q1,All,All,,,,")))
    assert codes(result) == ["R303"]


def test_a_big_change_from_the_previous_quarter_is_a_warning(store):
    send(store, police())
    q2 = police(*[(i, row.replace("2024-25 Q1", "2024-25 Q2")) for i, row in enumerate(police().decode().splitlines()[1:])])
    q2 = q2.replace(b"HO01,2024-25 Q2,All,All,,,410,", b"HO01,2024-25 Q2,All,All,,,900,")
    from thinktank.periods import Quarter

    result = send(store, q2, period=Quarter(2024, 2))
    assert located(result) == [("R304", "csv", 6, "G")]
    assert "went from 410 to 900 (+120%) since 2024-25 Q1" in result.report.issues[0].message


def test_groups_not_adding_up_to_all_is_a_warning_and_suppressed_groups_are_skipped(store):
    groups = ("HO01,2024-25 Q1,Locality,Durham,,,200,", "HO01,2024-25 Q1,Locality,Easington,,,150,")
    result = send(store, police(extra=groups))
    assert located(result) == [("R305", "csv", 9, "G")]
    suppressed = ("HO01,2024-25 Q1,Locality,Durham,,,200,", "HO01,2024-25 Q1,Locality,Easington,,,c,")
    assert codes(send(store, police(extra=suppressed))) == []


def test_a_rule_that_crashes_is_an_error_never_a_pass(store, monkeypatch):
    def broken(context):
        raise ZeroDivisionError("synthetic fault")
        yield Finding(None, "unreachable")

    monkeypatch.setattr("thinktank.ingest.checks.RULES", [*RULES, Rule("R305", broken, cross_row.FAMILY)])
    result = send(store, police())
    assert result.outcome == "refused"
    (crash,) = [item for item in result.report.issues if item.code == "X901"]
    assert crash.severity == "error"
    assert "Check R305 could not run (ZeroDivisionError: synthetic fault)" in crash.message


def test_every_registered_code_has_a_test_in_this_suite():
    from pathlib import Path

    tests = "".join(path.read_text() for path in Path(__file__).parent.glob("test_*.py"))
    untested = [code for code in CODES if f'"{code}"' not in tests]
    assert untested == []


def test_the_cross_row_rules_are_registered():
    assert {rule.code for rule in RULES} == {"R301", "R302", "R303", "R304", "R305", "R306", "R307"}


def test_a_backfill_compares_each_quarter_with_the_one_before_in_the_same_file(store):
    rows = [row.replace("2024-25 Q1", label) for label in ("2023-24 Q4", "2024-25 Q1")
            for row in police().decode().splitlines()[1:]]
    steady = send(store, csv_return(*rows), period=None)
    assert "R304" not in codes(steady)
    rows[-3] = rows[-3].replace(",,410,", ",,990,")  # HO01 in 2024-25 Q1
    moved = send(store, csv_return(*rows), period=None)
    assert [item for item in located(moved) if item[0] == "R304"] == [("R304", "csv", 13, "G")]
