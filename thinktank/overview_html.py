"""The Scorecard page's theme tiles and "look at first" list, each drawn as one block of HTML.

Drawn as Streamlit elements, the tiles and the list took about 120 of them, and the browser
spent about 0.3 s longer drawing them than it spends on these two blocks; the Scorecard is the
page people open most (`bench/RESULTS.md`). Everything reads without colour: counts are written
in words, links are underlined, and the bar of indicators with a figure repeats the figure in
its text. Every name from the catalogue is escaped, so a theme or indicator named with markup
shows as the characters typed.

Links are plain links to the other pages' addresses (``theme?theme=...&period=...``), so they
open the page afresh in the same tab, on the same quarter.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

import pandas as pd

from thinktank.formatting import format_figure

TILE_STYLE = """<style>
ul.tt-tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: 0.75rem;
              list-style: none; margin: 0; padding: 0; }
.tt-tiles li.tt-tile { margin: 0; }
.tt-tile { border: 1px solid rgba(128, 128, 128, 0.35); border-radius: 0.5rem; padding: 0.75rem 1rem;
           display: flex; flex-direction: column; gap: 0.2rem; }
.tt-tile h3 { font-size: 1rem; font-weight: 600; line-height: 1.4; margin: 0; padding: 0; }
.tt-tile p { margin: 0; }
.tt-bar { height: 0.4rem; border-radius: 0.2rem; background: rgba(128, 128, 128, 0.25); overflow: hidden;
          margin-top: 0.3rem; }
.tt-bar span { display: block; height: 100%; background: #1d70b8; }
.tt-tile a { margin-top: auto; padding-top: 0.3rem; color: #1d70b8; }
@media (prefers-color-scheme: dark) {
  .tt-bar span { background: #5694ca; }
  .tt-tile a { color: #8fc1ff; }
}
</style>"""
LIST_STYLE = """<style>
.tt-first { margin: 0; padding-left: 1.5rem; }
.tt-first li { margin-bottom: 0.5rem; }
.tt-first a { color: #1d70b8; }
@media (prefers-color-scheme: dark) { .tt-first a { color: #8fc1ff; } }
</style>"""


def _plural(count: int, noun: str) -> str:
    return f"<b>{count:,}</b> {noun}{'' if count == 1 else 's'}"


def _address(page: str, **parameters: str) -> str:
    return escape(f"{page}?{urlencode(parameters)}")


def theme_tiles(summary: pd.DataFrame, period_label: str) -> str:
    """One tile per theme with indicators (from `scorecard.theme_summary`): its counts by RAG,
    by direction and by SPC signal, how many have a figure, and a link to the theme's page."""
    tiles = []
    for theme in summary[summary["indicators"] > 0].itertuples():
        name = escape(theme.name)
        tiles.append(
            f'<li class="tt-tile"><h3>{theme.number}. {name}</h3>'
            f"<p><b>{theme.red:,}</b> red · <b>{theme.amber:,}</b> amber · <b>{theme.green:,}</b> green</p>"
            f"<p>✓ <b>{theme.improving:,}</b> improving · ✗ <b>{theme.declining:,}</b> declining</p>"
            f"<p>⚠ {_plural(theme.concerns, 'SPC concern')} · ★ {_plural(theme.improvements, 'improvement')}</p>"
            f'<div class="tt-bar" aria-hidden="true"><span style="width: {theme.with_data_percent:g}%"></span></div>'
            f"<p>{theme.with_data:,} of {theme.indicators:,} with a figure ({theme.with_data_percent:g}%)</p>"
            f'<a href="{_address("theme", theme=theme.theme, period=period_label)}">Open {name}</a></li>'
        )
    return f'{TILE_STYLE}<ul class="tt-tiles">{"".join(tiles)}</ul>'


def look_at_first_list(first: pd.DataFrame, period_label: str) -> str:
    """The indicators to look at first (from `scorecard.look_at_first`), in its order: each with
    its figure (a status in words, never a zero) and why it is on the list, linked to its page."""
    items = [
        f'<li><a href="{_address("indicator", indicator=row.indicator_id, period=period_label)}">'
        f"<b>{escape(row.indicator_id)} {escape(row.name)}</b></a>: "
        f"{escape(format_figure(row.value, row.unit, row.status))}<br>{escape(row.reason)}</li>"
        for row in first.itertuples()
    ]
    return f'{LIST_STYLE}<ol class="tt-first">{"".join(items)}</ol>'
