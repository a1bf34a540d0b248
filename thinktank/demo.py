"""The demo partnership: every agency's quarterly returns for 14 quarters, written with the
template writer and taken in through the same ingest path an agency's upload uses.

The figures are synthetic but anchored on published County Durham levels (98,957 children;
about 500 on a plan, 3,560 in need, 1,210 in care). They have seasons (referrals dip in the
summer holidays), a few real deteriorations and improvements, locality breakdowns with
suppressed small cells, one late agency, one missing return, a refused upload that was never
corrected, a corrected resubmission, and evidence for the latest quarter. Seeded: the same
command on the same day builds the same database.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

import openpyxl
import pandas as pd

from thinktank.catalogue import RATIO_UNITS, Catalogue, Indicator
from thinktank.demo_commentary import write_demo_commentary
from thinktank.demo_headlines import write_demo_headlines
from thinktank.downloads import stamped_workbook_bytes
from thinktank.errors import ThinkTankError
from thinktank.ingest.submit import ReturnBatch, Upload
from thinktank.periods import Quarter, latest_complete_quarter, quarters_between
from thinktank.spc_baselines import add_rebase
from thinktank.store import Store
from thinktank.store.audit import AuditEntry, record
from thinktank.templates import template_csv, template_rows, template_stamp, template_xlsx
from thinktank.users import DEMO_ANALYST, demo_agency_user

DEMO_QUARTERS = 14
DEMO_SEED = 2026
DEMO_ACTION = "demo_build"
XLSX_QUARTERS = 4  # the latest quarters are sent on the Excel template
CSV_AGENCIES = frozenset({"police", "cafcass", "prison", "voluntary_sector"})
LATE_AGENCY = "probation"
MISSING_RETURN = ("housing", 2)  # agency, quarters before the latest
REFUSED_NEVER_FIXED = ("early_years", 0)
REFUSED_THEN_FIXED = ("education", 5)
CORRECTED = ("childrens_social_care", 4)
# FD04's step up is a change of process, re-based by the analyst from the quarter it began.
REBASED = ("FD04", "MASH restructure: one front door for all referrals")
SUMMER_DIP = (1.0, 0.88, 1.08, 1.04)  # Q1..Q4: school holidays in Q2, autumn peak in Q3
SUMMER_PEAK = (1.0, 1.12, 0.98, 0.9)


@dataclass(frozen=True)
class Series:
    """How one indicator moves: ``level`` in its unit (for a rate, the quarter's count),
    ``trend`` per quarter in the same unit, seasonal multipliers, relative noise, and for a
    percentage the size of its denominator when the agency sends the two counts. A percentage
    whose denominator is another indicator's count (the catalogue's ``denominator_is``) sends
    the two counts, with that indicator's count for the quarter as its denominator."""

    level: float
    trend: float = 0.0
    season: tuple[float, float, float, float] = (1.0, 1.0, 1.0, 1.0)
    noise: float = 0.03
    denominator: int | None = None
    groups: str | None = None  # a breakdown sent for this indicator
    step: tuple[int, float] | None = None  # (quarter index, relative jump) from then on


SERIES: dict[str, Series] = {
    "EH01": Series(1480, 6, SUMMER_DIP, groups="locality"),
    "EH02": Series(74, 0.2, denominator=640),
    "EH03": Series(17, 0.1),
    "EH04": Series(265, 3, noise=0.08),
    "EH05": Series(41, 0.6),
    "EH06": Series(66, -0.5, denominator=1300),
    "FD01": Series(6150, 25, SUMMER_DIP, groups="referral_source"),
    "FD02": Series(88, 0.3),
    "FD03": Series(1240, 4, SUMMER_DIP),
    "FD04": Series(19.5, 0.0, step=(8, 0.22)),  # re-referrals rising lately
    "FD05": Series(5.5, 0.0, noise=0.1),
    "FD06": Series(1610, 5, SUMMER_PEAK, groups="locality"),
    "FD07": Series(23, 0.0, (1.05, 0.7, 1.12, 1.08)),
    "AS01": Series(78, 0.9, denominator=1180),  # improving timeliness
    "AS02": Series(24, 0.0, noise=0.05),
    "AS03": Series(3560, 4, noise=0.015),
    "AS04": Series(810, 3, noise=0.05),
    "AS05": Series(82, 0.4),
    "AS06": Series(96, 0.0, noise=0.01),
    "AS07": Series(39, -0.4, noise=0.05),
    "CP01": Series(660, 3, SUMMER_DIP, noise=0.05),
    "CP02": Series(497, 2, noise=0.03, groups="age_band"),
    "CP03": Series(81, 0.3),
    "CP04": Series(250, 1, noise=0.06),
    "CP05": Series(21, 0.0, denominator=210),
    "CP06": Series(2.5, 0.0, noise=0.3),
    "CP07": Series(18, 0.0, noise=0.1),
    "CP08": Series(93, 0.1, noise=0.015),
    "CP09": Series(71, 0.8, denominator=520),  # partners' reports improving
    "CLA01": Series(1213, 3, noise=0.01),
    "CLA02": Series(9.5, 0.0, noise=0.06),
    "CLA03": Series(68, 0.0, noise=0.02),
    "CLA04": Series(70, 1.5, denominator=115),  # initial health assessments improving
    "CLA05": Series(87, 0.0, noise=0.03),
    "CLA06": Series(84, 0.0, noise=0.03),
    "CLA07": Series(86, -0.3, noise=0.03),
    "CLA08": Series(56, 0.2, noise=0.04),
    "CLA09": Series(88, 0.0, noise=0.02),
    "DA01": Series(1540, 4, SUMMER_PEAK, groups="locality"),
    "DA02": Series(44, 0.1, noise=0.03),
    "DA03": Series(30, 0.0, noise=0.05),
    "DA04": Series(33, 0.4, noise=0.04),
    "DA05": Series(97, 0.0, noise=0.008),
    "DA06": Series(420, 2, noise=0.06),
    "DA07": Series(310, 0, noise=0.04),
    "DA08": Series(45, 0, noise=0.12),
    "HO01": Series(405, 6, SUMMER_PEAK, groups="locality"),  # missing episodes rising
    "HO02": Series(91, 0.0, denominator=400),
    "HO03": Series(63, 0.2, noise=0.04),
    "HO04": Series(21, 0.2, noise=0.08, step=(9, 0.55)),  # tracker widened: a step up
    "HO05": Series(9, 0.2, noise=0.25),
    "HO06": Series(74, -1, noise=0.06),
    "HO07": Series(3, 0, noise=0.4),
    "NG01": Series(47, 0.2, noise=0.03),
    "NG02": Series(140, 4, noise=0.1),
    "NG03": Series(55, 0.0, noise=0.02),
    "NG04": Series(83, 0.3, denominator=960),
    "NG05": Series(64, 0.5, noise=0.12),
    "NG06": Series(118, 2.5, noise=0.05),
    "ED01": Series(780, 12, (0.95, 1.0, 1.04, 1.0), groups="locality"),
    "ED02": Series(150, 3, (0.9, 0.8, 1.2, 1.1), noise=0.08),  # children missing education rising
    "ED03": Series(2050, 20, (1.0, 0.45, 1.3, 1.2), noise=0.05),
    "ED04": Series(24, 0.2, (1.0, 0.5, 1.3, 1.2), noise=0.15),
    "ED05": Series(48, 0.8, denominator=160),
    "ED06": Series(39, 0.0, noise=0.04),
    "ED07": Series(62, 0.0, (0.3, 0.6, 0.85, 1.0), noise=0.05),
    "HW01": Series(33, 0.0, noise=0.05),
    "HW02": Series(96, 1, noise=0.1),
    "HW03": Series(71, -1.0, denominator=610),  # CAMHS access worsening
    "HW04": Series(90, 0.2, denominator=1140),
    "HW05": Series(44, 0.5, noise=0.2),
    "HW06": Series(91, 0.3, noise=0.02),
    "HW07": Series(38, 0.5, noise=0.15),
    "VO01": Series(89, 0.3, denominator=1150),
    "VO02": Series(61, 0.5, noise=0.04),
    "VO03": Series(84, 0.0, noise=0.03),
    "VO04": Series(58, 1.0, noise=0.08),
    "VO05": Series(42, 0.3, noise=0.15),
    "VO06": Series(6.6, 0.08, noise=0.04),
    "WF01": Series(3700, 20, (1.1, 0.8, 1.1, 1.0), noise=0.05),
    "WF02": Series(79, 0.0, noise=0.02),
    "WF03": Series(16, -0.15, noise=0.04),
    "WF04": Series(14, -0.4, noise=0.04),  # fewer agency social workers
    "WF05": Series(13, -0.2, noise=0.05),
    "WF06": Series(18, -0.1, noise=0.03),
    "WF07": Series(63, 0.6, noise=0.06),
    "WF08": Series(92, 0.0, noise=0.06),
    "WF09": Series(17, 0.2, noise=0.2),
    "WF10": Series(140, 1, noise=0.1),
    "WF11": Series(90, 0.2, noise=0.02),
    "WF12": Series(88, 1.5, noise=0.04),
    "WF13": Series(14500, 50, (1.3, 0.7, 1.1, 0.9), noise=0.08),
}
GROUP_SHARES = {
    "locality": {"Chester-le-Street": 0.09, "Derwentside": 0.16, "Durham": 0.17, "Easington": 0.19,
                 "Sedgefield": 0.17, "Teesdale": 0.04, "Wear Valley": 0.18},
    "age_band": {"Under 1": 0.09, "1-4": 0.24, "5-9": 0.27, "10-15": 0.32, "16-17": 0.08},
    "referral_source": {"Police": 0.31, "Health": 0.15, "Schools": 0.2, "Local authority": 0.13,
                        "Individual": 0.08, "Other": 0.13},
}
EVIDENCE = {
    "partnership": [
        ("neglect", "audit", "worried", "Cumulative harm missed in four of ten neglect audits",
         "Chronologies were not used to bring together earlier concerns from school and health."),
        ("voice", "audit", "working_well", "Children's words quoted in most plans",
         "Seven of ten plans recorded the child's own words about what needs to change."),
    ],
    "childrens_social_care": [
        ("child_protection", "voice_of_child", "worried", "Young people unsure why conferences happen",
         "In the care council's session, young people said nobody explained what a conference was for."),
        ("front_door", "practitioner_feedback", "needs_to_happen", "Referrers want feedback on outcomes",
         "School safeguarding leads asked to be told the outcome of their referrals within a week."),
    ],
    "domestic_abuse_service": [
        ("domestic_abuse", "family_feedback", "working_well", "Mothers value the children's group",
         "Parents said the group helped their children talk about what had happened at home."),
    ],
    "education": [
        ("education_send", "survey", "worried", "Persistent absence seen as a safeguarding signal late",
         "The designated safeguarding lead survey found absence is discussed with social care late."),
    ],
    "cddft": [
        ("health_wellbeing", "review", "needs_to_happen", "Was-not-brought policy to cover A&E",
         "A rapid review found missed follow-up after two emergency department attendances."),
    ],
}
SUPPRESS_BELOW = 5  # groups of 1 to 4 are sent as c, as agencies' disclosure rules require


@dataclass(frozen=True)
class DemoSummary:
    quarters: list[str]
    stored: int
    refused: int
    not_sent: int


class DemoNotEmptyError(ThinkTankError):
    """The demo is built only into a database that holds no returns."""


def is_demo(store: Store) -> bool:
    cursor = store.cursor()
    return bool(cursor.execute("SELECT count(*) FROM audit_log WHERE action = ?", [DEMO_ACTION]).fetchone()[0])


def build_demo(
    store: Store,
    today: dt.date,
    progress: Callable[[int, int, str], None] | None = None,
    seed: int = DEMO_SEED,
) -> DemoSummary:
    """Write and ingest every agency's returns; ``progress(done, total, label)`` is told as it goes."""
    cursor = store.cursor()
    if cursor.execute("SELECT count(*) FROM submissions").fetchone()[0]:
        raise DemoNotEmptyError(
            "This database already holds returns",
            "The demo is built only into an empty database: point --db (or THINKTANK_DB) at a new file.",
        )
    catalogue = store.catalogue
    last = latest_complete_quarter(today)
    first = last
    for _ in range(DEMO_QUARTERS - 1):
        first = first.previous()
    quarters = quarters_between(first, last)
    agencies = [agency.id for agency in catalogue.agencies]
    # Every agency quarter, then the analyst's work on the headlines and commentary.
    total = len(quarters) * len(agencies) + 1
    stored = refused = not_sent = done = 0
    # One batch: every return still read from its file and checked as an upload is, in turn, but
    # in one transaction, with the series rewritten once at the end rather than after each. A
    # quarter's returns are sent together: their rows go through the catalogue's checks at once.
    with ReturnBatch.of(store) as batch:
        cursor = batch.cursor  # reads what the batch has stored so far (last quarter's figures)
        for index, quarter in enumerate(quarters):
            back = len(quarters) - 1 - index
            uploads = []
            for agency_id in agencies:
                done += 1
                if progress:
                    progress(done, total, f"{quarter.label}: {catalogue.agency_by_id[agency_id].short_name}")
                user = demo_agency_user(agency_id)
                rows = template_rows(cursor, user, catalogue, agency_id, quarter)
                if rows.empty or (agency_id, back) == MISSING_RETURN:
                    not_sent += 1
                    continue
                rng = random.Random(f"{seed}-{agency_id}-{quarter.label}")
                sent_at = _submission_time(agency_id, quarter, rng)
                if sent_at.date() > today:
                    not_sent += 1
                    continue
                filled = _fill(rows, catalogue, quarter, index, seed)
                attempts = []
                if (agency_id, back) in (REFUSED_NEVER_FIXED, REFUSED_THEN_FIXED):
                    attempts.append((_with_a_typing_slip(filled), sent_at))
                if (agency_id, back) != REFUSED_NEVER_FIXED:
                    attempts.append((filled, sent_at + dt.timedelta(days=3 if attempts else 0)))
                if (agency_id, back) == CORRECTED:
                    attempts.append((_corrected(filled, catalogue), sent_at + dt.timedelta(days=8)))
                for content_rows, moment in attempts:
                    content, name = _file(content_rows, catalogue, agency_id, quarter, back)
                    uploads.append(Upload(content, name, agency_id, quarter, user, moment, confirm_warnings=True))
            for result in batch.ingest_all(uploads):
                stored += result.outcome == "stored"
                refused += result.outcome == "refused"
    if progress:
        progress(total, total, "the series, the quarterly headlines and commentary")
    cursor = store.cursor()
    rebased_id, rebase_reason = REBASED
    step_index = SERIES[rebased_id].step[0]
    if step_index < len(quarters):  # a demo shorter than that has no step to re-base
        add_rebase(cursor, DEMO_ANALYST, rebased_id, quarters[step_index], rebase_reason,
                   dt.datetime.combine(today, dt.time(10, 0)))
    write_demo_headlines(cursor, quarters, today)
    write_demo_commentary(cursor, quarters[-1], today)
    record(cursor, demo_agency_user("partnership"),
           AuditEntry(action=DEMO_ACTION, outcome="built",
                      detail=f"{stored} returns stored, {refused} refused, {not_sent} not sent; seed {seed}"),
           dt.datetime.combine(today, dt.time(0, 0)))
    return DemoSummary([q.label for q in quarters], stored, refused, not_sent)


def series_for(indicator: Indicator) -> Series:
    """The demo's series for an indicator; one the demo has not met yet (the Think Tank adds
    indicators as data) gets a plausible steady series for its unit."""
    if indicator.id in SERIES:
        return SERIES[indicator.id]
    percent_level = {"higher_is_better": 80.0, "lower_is_better": 15.0}.get(indicator.polarity, 40.0)
    return {
        "percent": Series(percent_level, noise=0.04),
        "score": Series(6.5, noise=0.05),
        "days": Series(30, noise=0.08),
        "gbp": Series(10_000, noise=0.08),
    }.get(indicator.unit, Series(100, noise=0.08))


def _submission_time(agency_id: str, quarter: Quarter, rng: random.Random) -> dt.datetime:
    days = rng.randint(50, 75) if agency_id == LATE_AGENCY else rng.randint(12, 38)
    return dt.datetime.combine(quarter.end, dt.time(9, 0)) + dt.timedelta(days=days, minutes=rng.randint(0, 480))


def _figure(indicator: Indicator, series: Series, quarter: Quarter, index: int, rng: random.Random) -> float:
    level = series.level + series.trend * index
    if series.step and index >= series.step[0]:
        level *= 1 + series.step[1]
    level *= series.season[quarter.number - 1]
    figure = rng.gauss(level, abs(level) * series.noise)
    if indicator.unit == "percent":
        return min(100.0, max(0.0, figure))
    if indicator.unit == "score":
        return min(10.0, max(0.0, figure))
    return max(0.0, figure)


def _fill(rows: pd.DataFrame, catalogue: Catalogue, quarter: Quarter, index: int, seed: int) -> pd.DataFrame:
    filled = []
    # The demo agencies send the overall figures and their own groups (below); the template's
    # other group rows stay empty, so they are not sent.
    for row in rows[rows["breakdown"] == "All"].to_dict("records"):
        indicator = catalogue.indicator_by_id[row["indicator_id"]]
        series = series_for(indicator)
        figure, rng = _drawn(indicator, quarter, index, seed)
        denominator = _denominator(catalogue, indicator, quarter, index, seed)
        filled.append({**row, **_cells(indicator, figure, denominator)})
        if series.groups and series.groups in indicator.breakdowns:
            filled.extend(_groups(row, catalogue, indicator, series, figure, rng))
    # Figures and symbols share a column, as they do in a spreadsheet.
    return pd.DataFrame(filled, columns=rows.columns).astype(object)


def _drawn(indicator: Indicator, quarter: Quarter, index: int, seed: int) -> tuple[float, random.Random]:
    """The indicator's figure for the quarter, and the generator that drew it (its groups are
    drawn from it next). Seeded by indicator and quarter, so any agency's return can work out
    another indicator's figure."""
    rng = random.Random(f"{seed}-{indicator.id}-{quarter.label}")
    return _figure(indicator, series_for(indicator), quarter, index, rng), rng


def _denominator(catalogue: Catalogue, indicator: Indicator, quarter: Quarter, index: int, seed: int) -> int | None:
    """A percentage's denominator when the agency sends its two counts: the count that the
    indicator named by ``denominator_is`` sends for the quarter (FD04's referrals are FD03's),
    else the series' own size."""
    counted_id = indicator.denominator_is
    if counted_id is None:
        return series_for(indicator).denominator
    counted = catalogue.indicator_by_id[counted_id]
    cells = _cells(counted, _drawn(counted, quarter, index, seed)[0], None)
    count = cells.get("numerator" if counted.unit in RATIO_UNITS else "value")
    # A count sent suppressed, or a rate sent as the rate itself, gives no count to share.
    return count if isinstance(count, int) and count > 0 else series_for(indicator).denominator


def _cells(indicator: Indicator, figure: float, denominator: int | None) -> dict:
    unit = indicator.unit
    if unit == "percent" and denominator:
        numerator = round(figure / 100 * denominator)
        return {"numerator": numerator, "denominator": denominator}
    if unit == "rate_per_10k" and indicator.population in ("adult_females", "people_10_24"):
        return {"value": round(figure, 1)}  # no published population: the agency sends the rate
    if unit == "rate_per_10k":
        return {"numerator": round(figure)}
    if unit in ("count", "days", "gbp"):
        whole = round(figure)
        if unit == "count" and 0 < whole < SUPPRESS_BELOW:
            return {"value": "c"}
        return {"value": whole}
    return {"value": round(figure, 1)}


def _groups(
    row: dict, catalogue: Catalogue, indicator: Indicator, series: Series, figure: float, rng: random.Random
) -> list[dict]:
    total = round(figure)
    shares = GROUP_SHARES[series.groups]
    weights = {name: share * rng.uniform(0.9, 1.1) for name, share in shares.items()}
    scale = total / sum(weights.values())
    counts = {name: math.floor(weight * scale) for name, weight in weights.items()}
    largest = max(counts, key=counts.get)
    counts[largest] += total - sum(counts.values())
    breakdown = next(b.name for b in catalogue.breakdowns if b.id == series.groups)
    column = "numerator" if indicator.unit == "rate_per_10k" else "value"
    return [
        {**row, "breakdown": breakdown, "breakdown_value": name,
         column: "c" if 0 < count < SUPPRESS_BELOW else count}
        for name, count in counts.items()
    ]


def _with_a_typing_slip(rows: pd.DataFrame) -> pd.DataFrame:
    slipped = rows.copy()
    first = slipped.index[0]
    column = "value" if pd.notna(slipped.at[first, "value"]) else "numerator"
    slipped.at[first, column] = "tbc"
    return slipped


def _corrected(rows: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    corrected = rows.copy()
    first = corrected.index[0]
    column = "value" if pd.notna(corrected.at[first, "value"]) else "numerator"
    count = round(float(corrected.at[first, column]) * 1.03)
    corrected.at[first, column] = count
    corrected.at[first, "comment"] = "Corrected after a data quality check"
    # A percentage whose denominator is the corrected count is corrected with it.
    counted_id = corrected.at[first, "indicator_id"]
    for row in corrected.index[pd.notna(corrected["denominator"])]:
        indicator = catalogue.indicator_by_id[corrected.at[row, "indicator_id"]]
        if indicator.denominator_is == counted_id and corrected.at[row, "breakdown"] == "All":
            corrected.at[row, "denominator"] = count
    return corrected


def _file(rows: pd.DataFrame, catalogue: Catalogue, agency_id: str, quarter: Quarter, back: int) -> tuple[bytes, str]:
    stem = f"{agency_id}-{quarter.label.replace(' ', '-')}"
    # The older quarters arrived as csv, before agencies moved to the Excel template.
    if agency_id in CSV_AGENCIES or back >= XLSX_QUARTERS:
        return template_csv(rows), f"{stem}.csv"
    content = template_xlsx(rows, catalogue, agency_id, quarter)
    if back != 0 or agency_id not in EVIDENCE:
        return content, f"{stem}.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    evidence = workbook["Evidence"]
    for theme, source, heading, title, detail in EVIDENCE[agency_id]:
        evidence.append([theme, source, heading, title, detail, None])
    return stamped_workbook_bytes(workbook, template_stamp(quarter)), f"{stem}.xlsx"
