"""A small, fixed partnership for the scorecard's golden files: ten quarters of a dozen
indicators, written by formula (no randomness), covering every status, breakdown groups,
targets, benchmarks, counts turned into rates, and series with each kind of SPC signal."""

from __future__ import annotations

from scorecard_support import figure, put

from thinktank.periods import Quarter, quarters_between

QUARTERS = quarters_between(Quarter(2023, 1), Quarter(2025, 2))  # 2023-24 Q1 to 2025-26 Q2
GOLDEN_QUARTERS = [Quarter(2025, 1), Quarter(2025, 2)]
LOCALITIES = ["Chester-le-Street", "Durham", "Easington"]


def fixture_rows() -> list[dict]:
    rows = []
    for step, quarter in enumerate(QUARTERS):
        season = [1, -1, 2, -2][quarter.number - 1]
        # Re-referrals (lower is better, target 20%, benchmarks): rising six quarters running.
        rows.append(figure("FD04", quarter, numerator=200 + 8 * max(step - 4, 0) + season, denominator=1000))
        # Children on a plan: counts a rate is made of, by locality, one locality suppressed once.
        rows.append(figure("CP02", quarter, numerator=480 + 3 * step + 4 * season))
        for place, locality in enumerate(LOCALITIES):
            if locality == "Easington" and step == len(QUARTERS) - 1:
                rows.append(figure("CP02", quarter, status="c", breakdown="Locality", group=locality))
            else:
                rows.append(figure("CP02", quarter, numerator=150 + 10 * place + step, breakdown="Locality",
                                   group=locality))
        # Conferences in time (higher is better, target 90%): steady, then a fall below the limit.
        rows.append(figure("CP03", quarter, numerator=88 + season if step < 9 else 70, denominator=100))
        # Repeat plans (neutral band 15-23%).
        rows.append(figure("CP05", quarter, value=18.0 + season))
        # Early help started by partners (higher is better): sliding below the mean for seven quarters.
        rows.append(figure("EH05", quarter, value=55.0 - (4.0 if step >= 3 else 0.0) + 0.5 * season))
        # Early help closed with needs met (higher is better, target 75%): a jump above the limit.
        rows.append(figure("EH02", quarter, value=[70, 71, 69, 70, 71, 69, 70, 71, 70, 85][step]))
        # Missing episodes (count, neutral): the latest quarter not available.
        rows.append(figure("HO01", quarter, status="x") if step == 9
                    else figure("HO01", quarter, value=400 + 10 * season + step))
        # Domestic abuse incidents with children present: the latest of low reliability.
        rows.append(figure("DA01", quarter, value=1500 + 20 * season, status="u" if step == 9 else None))
        # Children in need and in care: counts made rates with the population.
        rows.append(figure("AS03", quarter, numerator=3500 + 5 * step))
        if step != 8:  # children in care: nothing in force for 2025-26 Q1
            rows.append(figure("CLA01", quarter, numerator=1200 + 2 * step))
        # CAMHS seen within 4 weeks (higher is better, target 75%): two of three near the lower limit.
        rows.append(figure("HW03", quarter, value=[80, 81, 79, 80, 81, 79, 80, 81, 72, 80][step]))
        # Statuses never seen as figures.
        rows.append(figure("HO04", quarter, status="z"))
        rows.append(figure("HO05", quarter, status="low"))
    return rows


def build_fixture(store) -> None:
    put(store, fixture_rows())
