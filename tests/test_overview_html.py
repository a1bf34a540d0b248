"""The Scorecard page's theme tiles and "look at first" list, read back from their HTML as a
browser would (`html_support.Items`)."""

from __future__ import annotations

import math

import pandas as pd
from html_support import Items

from thinktank.overview_html import look_at_first_list, theme_tiles


def text(item: dict) -> str:
    return " ".join(item["text"].split())


def summary(**overrides) -> pd.DataFrame:
    rows = [
        {"theme": "early_help", "number": 1, "name": "Early Help & Prevention", "indicators": 5, "with_data": 4,
         "with_data_percent": 80.0, "red": 1, "amber": 2, "green": 1, "improving": 3, "declining": 1,
         "no_significant_change": 0, "concerns": 2, "improvements": 1},
        {"theme": "front_door", "number": 2, "name": "Front Door & MASH", "indicators": 7, "with_data": 7,
         "with_data_percent": 100.0, "red": 1, "amber": 0, "green": 2, "improving": 0, "declining": 1,
         "no_significant_change": 4, "concerns": 1, "improvements": 0},
        {"theme": "voice", "number": 11, "name": "Voice & Lived Experience", "indicators": 0, "with_data": 0,
         "with_data_percent": 0.0, "red": 0, "amber": 0, "green": 0, "improving": 0, "declining": 0,
         "no_significant_change": 0, "concerns": 0, "improvements": 0},
    ]
    frame = pd.DataFrame(rows)
    for column, value in overrides.items():
        frame.loc[0, column] = value
    return frame


def test_each_theme_with_indicators_has_a_tile_in_theme_order_with_its_counts_in_words():
    tiles = Items(theme_tiles(summary(), "2025-26 Q2")).items
    assert [tile["headings"] for tile in tiles] == [["1. Early Help & Prevention"], ["2. Front Door & MASH"]]
    assert text(tiles[0]) == (
        "1. Early Help & Prevention 1 red · 2 amber · 1 green ✓ 3 improving · ✗ 1 declining "
        "⚠ 2 SPC concerns · ★ 1 improvement 4 of 5 with a figure (80%) Open Early Help & Prevention"
    )
    assert "⚠ 1 SPC concern · ★ 0 improvements" in text(tiles[1])


def test_a_tile_links_to_its_theme_on_the_same_quarter():
    tiles = Items(theme_tiles(summary(), "2025-26 Q2")).items
    assert tiles[1]["links"] == [["theme?theme=front_door&period=2025-26+Q2", "Open Front Door & MASH"]]


def test_the_bar_of_indicators_with_a_figure_repeats_its_share_in_words():
    html = theme_tiles(summary(), "2025-26 Q2")
    tiles = Items(html).items
    assert tiles[0]["bars"] == ["width: 80%"]
    assert "4 of 5 with a figure (80%)" in text(tiles[0])
    assert '<div class="tt-bar" aria-hidden="true">' in html


def test_large_counts_have_thousands_separators():
    tiles = Items(theme_tiles(summary(indicators=1200, with_data=1150, with_data_percent=95.8), "2025-26 Q2")).items
    assert "1,150 of 1,200 with a figure (95.8%)" in text(tiles[0])


def test_markup_in_a_theme_name_shows_as_typed_and_is_never_run():
    html = theme_tiles(summary(name="<script>alert('x')</script> & <b>Help</b>"), "2025-26 Q2")
    tiles = Items(html).items
    assert tiles[0]["headings"] == ["1. <script>alert('x')</script> & <b>Help</b>"]
    assert "script" not in Items(html).tags and "<script>" not in html


def first_rows() -> pd.DataFrame:
    return pd.DataFrame({
        "indicator_id": ["FD04", "CP02", "HO01"],
        "name": ["Re-referrals within 12 months", "Children on a plan <per 10,000>", "Hospital admissions"],
        "value": [24.1, 1234.5, math.nan],
        "unit": ["percent", "rate_per_10k", "count"],
        "status": [None, None, "c"],
        "reason": ["SPC concern (above the upper limit); red against target", "worse than England",
                   "declining since last quarter"],
    })


def test_look_at_first_keeps_its_order_with_each_figure_and_reason():
    items = Items(look_at_first_list(first_rows(), "2025-26 Q2")).items
    assert [text(item) for item in items] == [
        "FD04 Re-referrals within 12 months: 24.1% SPC concern (above the upper limit); red against target",
        "CP02 Children on a plan <per 10,000>: 1,234.5 per 10,000 worse than England",
        "HO01 Hospital admissions: c (suppressed) declining since last quarter",
    ]


def test_a_suppressed_figure_in_look_at_first_is_words_never_a_zero():
    item = Items(look_at_first_list(first_rows(), "2025-26 Q2")).items[2]
    assert ": c (suppressed)" in text(item)
    assert " 0" not in text(item)


def test_look_at_first_links_each_indicator_to_its_page_on_the_same_quarter():
    items = Items(look_at_first_list(first_rows(), "2025-26 Q2")).items
    assert [item["links"] for item in items] == [
        [["indicator?indicator=FD04&period=2025-26+Q2", "FD04 Re-referrals within 12 months"]],
        [["indicator?indicator=CP02&period=2025-26+Q2", "CP02 Children on a plan <per 10,000>"]],
        [["indicator?indicator=HO01&period=2025-26+Q2", "HO01 Hospital admissions"]],
    ]
