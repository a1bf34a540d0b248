"""Last quarter's status where there is no last quarter: the first quarter of the data, or of an
indicator, has no earlier quarter, which is not a missing return."""

from __future__ import annotations

from scorecard_support import FIRST, put, quarterly

from thinktank import scorecard
from thinktank.periods import Quarter


def previous_statuses(store, period: Quarter) -> dict[str, str | None]:
    card = scorecard.whole_area(scorecard.scorecard(store.cursor(), period))
    return dict(zip(card["indicator_id"], card["previous_status"], strict=True))


def test_the_first_quarter_of_the_data_has_no_earlier_quarter_for_any_indicator(store):
    put(store, quarterly("HO01", [400, 420]))
    first = previous_statuses(store, FIRST)
    assert first["HO01"] == "no earlier quarter"
    assert first["CP02"] == "no earlier quarter"  # nothing sent yet, and nothing could have been


def test_after_the_first_quarter_nothing_in_force_is_a_missing_return(store):
    put(store, quarterly("HO01", [400, "c", 420]))
    second = previous_statuses(store, FIRST.next())
    assert second["HO01"] is None  # a figure last quarter: no status
    assert second["CP02"] == "missing"
    assert previous_statuses(store, FIRST.next().next())["HO01"] == "c"


def test_an_indicator_in_its_first_quarter_has_no_earlier_quarter(store):
    # VO06 is introduced in 2025-26 Q1; the data starts long before.
    put(store, quarterly("HO01", [400], first=Quarter(2024, 4)))
    introduced = previous_statuses(store, Quarter(2025, 1))
    assert introduced["VO06"] == "no earlier quarter"
    assert introduced["HO01"] is None
