"""Reading a number cell as the contract allows it to be written."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thinktank.ingest.cells import read_number


@pytest.mark.parametrize(
    ("raw", "number_format", "number", "status"),
    [
        (1234, None, 1234.0, None),
        ("1,234", None, 1234.0, None),
        (" 1234 ", None, 1234.0, None),
        ("1\u00a0234", None, 1234.0, None),
        ("45%", None, 45.0, None),
        ("45.5 %", None, 45.5, None),
        ("£1,200", None, 1200.0, None),
        (0.45, "0%", 45.0, None),
        (0.455, "0.0%", 45.5, None),
        ("12 u", None, 12.0, "u"),
        ("12 [u]", None, 12.0, "u"),
        ("c", None, None, "c"),
        ("[c]", None, None, "c"),
        ("C", None, None, "c"),
        ("x", None, None, "x"),
        (":", None, None, "x"),
        ("[x]", None, None, "x"),
        ("z", None, None, "z"),
        ("low", None, None, "low"),
        ("k", None, None, "low"),
        ("[low]", None, None, "low"),
        ("u", None, None, "u"),
    ],
)
def test_each_allowed_spelling(raw, number_format, number, status):
    cell = read_number(raw, number_format)
    assert (cell.number, cell.status, cell.problem) == (number, status, None)


@pytest.mark.parametrize("raw", [None, "", "  ", "-", "n/a", "N/A"])
def test_not_provided(raw):
    cell = read_number(raw)
    assert not cell.provided and cell.problem is None


@pytest.mark.parametrize("raw", ["about 40", "12 c", "1.2.3", "1234,5", True, dt.date(2024, 6, 30), "ten"])
def test_anything_else_is_a_problem_that_quotes_the_text(raw):
    cell = read_number(raw)
    assert cell.number is None and cell.status is None
    assert cell.problem.startswith(f"'{raw}'")


numbers = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


@given(numbers, st.sampled_from(["{:,}", "{}", " {} ", "\u00a0{:,}\u00a0", "£{:,}", "{}%", "{} %"]))
def test_any_number_written_as_text_reads_back_as_itself(number, template):
    assert read_number(template.format(number)).number == float(number)


@given(st.floats(min_value=0, max_value=1, allow_nan=False), st.sampled_from(["0%", "0.0%", "0.00%"]))
def test_a_percent_formatted_fraction_is_the_percentage_shown(fraction, number_format):
    # Read to 10 decimal places, so float noise (45.50000000000001) never reaches the store.
    assert read_number(fraction, number_format).number == pytest.approx(fraction * 100, abs=1e-9)


@given(st.sampled_from(["c", "x", ":", "z", "low", "k", "u"]), st.booleans(), st.booleans())
def test_symbols_are_never_numbers_in_any_case_or_brackets(symbol, bracketed, upper):
    text = f"[{symbol}]" if bracketed else symbol
    cell = read_number(text.upper() if upper else text)
    assert cell.number is None and cell.status is not None
