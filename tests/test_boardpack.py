"""The board pack of the demo partnership: the PDF WeasyPrint makes, read back with poppler
(pdftotext for its words, pdftoppm for its pages as images), the HTML it is made from, the
workbook of the figures behind it, and the command that writes them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from conftest import ARTIFACTS

from thinktank import cli, disclosure, narrative, scorecard
from thinktank.boardpack import build_pack, headlines_version, pack_html, pack_pdf, pack_xlsx
from thinktank.boardpack.render import css_string
from thinktank.formatting import STATUS_LABELS, format_figure
from thinktank.headlines import record
from thinktank.periods import Quarter
from thinktank.settings import Settings
from thinktank.store import Store
from thinktank.users import LOCAL_ANALYST, LOCAL_PLG_MEMBER, demo_agency_user

LATEST, AGREED = Quarter(2026, 2), Quarter(2026, 1)
MADE = dt.datetime(2026, 11, 30, 9, 30)
HOSTILE = "<img src=x onerror=alert(1)> and ![x](http://example.com/x.png) and =1+1"


@pytest.fixture(scope="module")
def demo_path(demo_copy) -> Path:
    """The full demo (built once for the run), this module's copy."""
    return demo_copy


@pytest.fixture
def demo_store(demo_path, tmp_path):
    """A copy of the demo a test may change."""
    copy = tmp_path / "demo.duckdb"
    shutil.copy(demo_path, copy)
    with Store.open(Settings.from_environment(copy)) as store:
        yield store


@pytest.fixture(scope="module")
def latest_pack(demo_path):
    with Store.open(Settings.from_environment(demo_path)) as store:
        return build_pack(store.cursor(), LOCAL_PLG_MEMBER, LATEST, MADE)


@pytest.fixture(scope="module")
def latest_pdf(latest_pack, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "board-pack.pdf"
    path.write_bytes(pack_pdf(latest_pack))
    return path


def pdf_pages(path: Path, layout: bool = False) -> list[str]:
    """The PDF's text a page at a time, as pdftotext reads it."""
    text = subprocess.run(["pdftotext", *(["-layout"] if layout else []), str(path), "-"],
                          check=True, capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


def test_the_pdf_has_a_page_per_theme_numbered_with_the_quarter_and_draft_on_every_page(latest_pack, latest_pdf):
    pages = pdf_pages(latest_pdf)
    assert len(pages) >= 1 + 12
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Think Tank quarterly headlines, 2026-27 Q2" in page
        assert "Draft, version 1" in page
        assert "DRAFT" in page
    front = pages[0]
    assert "Think Tank quarterly headlines: 2026-27 Q2" in front
    assert "30 September 2026" in front
    assert "The partnership overall" in front
    # Each theme opens a page of its own, under its name, after the summary's pages.
    openings = [next(number for number, page in enumerate(pages)
                     if f"{theme.number}. {theme.name}\n" in page and "Scale:" in page)
                for theme in latest_pack.themes]
    assert openings == sorted(openings) and len(set(openings)) == 12
    assert all(theme.scale is not None for theme in latest_pack.themes)


def test_the_pdf_is_tagged_for_screen_readers_with_its_title(latest_pdf):
    info = subprocess.run(["pdfinfo", str(latest_pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE)
    assert re.search(r"^Title:\s+Think Tank quarterly headlines, 2026-27 Q2 \(Draft\)$", info, re.MULTILINE)
    assert re.search(r"^Page size:.*\(A4\)$", info, re.MULTILINE)


def test_the_pdf_pages_as_images_are_kept_for_review(latest_pdf):
    ARTIFACTS.mkdir(exist_ok=True)
    for page in (1, 2):
        target = ARTIFACTS / f"board-pack-page-{page}"
        target.with_suffix(".png").unlink(missing_ok=True)
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", str(page), "-l", str(page),
                        str(latest_pdf), str(target)], check=True)
        image = target.with_suffix(".png").read_bytes()
        assert image.startswith(b"\x89PNG")
        # A4 landscape at 80 dots an inch: about 935 by 661.
        width, height = int.from_bytes(image[16:20], "big"), int.from_bytes(image[20:24], "big")
        assert abs(width - 935) <= 2 and abs(height - 661) <= 2


def test_no_count_of_one_to_four_children_is_printed_and_every_suppressed_figure_prints_as_c(
        latest_pack, latest_pdf):
    """A theme page's table gives each indicator's ID first, then its figure: the figure on the
    line of a count indicator's ID is its count, which is never 1 to 4, and the suppressed ones
    read c."""
    card = scorecard.whole_area(latest_pack.card).set_index("indicator_id")
    suppressed = set(card.index[card["status"] == disclosure.SUPPRESSED])
    assert suppressed, "the demo holds a suppressed figure, so that this test can fail"
    counts = set(card.index[card["unit"] == "count"])
    text = "\n".join(pdf_pages(latest_pdf, layout=True))
    seen = set()
    for line in text.splitlines():
        match = re.match(r"\s*([A-Z]{2,3}\d{2})\s+(.*)$", line)
        if not match or match.group(1) not in card.index:
            continue
        indicator_id, rest = match.groups()
        seen.add(indicator_id)
        row = card.loc[indicator_id]
        shown = format_figure(row["value"], row["unit"], row["status"])
        assert shown in rest, f"{indicator_id}: {shown!r} not on its line {line!r}"
        if indicator_id in suppressed:
            assert STATUS_LABELS["c"] in rest
        if indicator_id in counts:
            # This quarter's and last quarter's figures: the first two after the name (or the
            # part of it on this line: a long name wraps).
            words = row["name"].split()
            while words and not rest.startswith(" ".join(words)):
                words.pop()
            figures = re.findall(r"(?<![\d.,])(\d[\d,]*)(?![\d.,%])", rest[len(" ".join(words)):])
            assert not any(1 <= int(figure.replace(",", "")) <= 4 for figure in figures[:2]), line
    assert seen == set(card.index)


def test_every_figure_in_the_pack_went_through_the_small_numbers_rule(latest_pack):
    for frame in (latest_pack.card, latest_pack.series):
        small = [disclosure.small_row(unit, value, numerator, denominator) for unit, value, numerator, denominator
                 in zip(frame["unit"], frame["value"], frame["numerator"], frame["denominator"], strict=True)]
        assert not any(small)
    assert latest_pack.primary_suppressed >= 1
    points = latest_pack.series
    assert (points["status"] == disclosure.SUPPRESSED).any()
    assert points.loc[points["status"] == disclosure.SUPPRESSED, "value"].isna().all()


def test_last_quarters_figure_is_held_back_where_its_point_is(demo_store, monkeypatch):
    """A percentage last quarter on a numerator of 3: its point is suppressed, so this
    quarter's row does not show it as last quarter's figure either."""
    cursor = demo_store.cursor()
    figures = record.pack_figures(cursor, LOCAL_ANALYST, LATEST)
    series = figures.series.copy()
    last_quarter = (series["indicator_id"] == "FD04") & (series["period"] == LATEST.previous().label)
    assert last_quarter.sum() == 1
    series.loc[last_quarter, "numerator"] = 3.0
    monkeypatch.setattr(record, "pack_figures", lambda *_: dataclasses.replace(figures, series=series))
    pack = build_pack(cursor, LOCAL_ANALYST, LATEST, MADE)
    row = scorecard.whole_area(pack.card).set_index("indicator_id").loc["FD04"]
    assert row["value"] == row["value"] and row["previous_value"] != row["previous_value"]  # shown; NaN
    (front_door,) = [theme for theme in pack.themes if theme.theme_id == "front_door"]
    (shown,) = [figure for figure in front_door.figures if figure.indicator_id == "FD04"]
    assert shown.last_quarter == "no figure"


def test_charts_and_tables_have_text_alternatives_and_the_headings_go_in_order(latest_pack):
    html = pack_html(latest_pack)
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    images = re.findall(r"<img [^>]*>", html)
    assert images and len(images) == sum(len(theme.charts) for theme in latest_pack.themes)
    charts = [chart for theme in latest_pack.themes for chart in theme.charts]
    for image, chart in zip(images, charts, strict=True):
        (alt,) = re.findall(r'alt="([^"]*)"', image)
        assert f"chart of {chart.name}" in alt and "Latest figure" in alt
    levels = [int(level) for level in re.findall(r"<h([1-6])", html)]
    assert levels[0] == 1 and all(later - earlier <= 1 for earlier, later in itertools.pairwise(levels))
    for internal in ("None", "nan", "rate_per_10k", "front_door", "needs_to_happen"):
        assert not re.search(rf">[^<]*\b{internal}\b", html), internal


def test_an_agreed_quarter_prints_its_frozen_figures_with_no_watermark(demo_store, monkeypatch):
    cursor = demo_store.cursor()
    assert record.sign_off(cursor, AGREED).state == record.AGREED

    def live_figures(*arguments, **options):
        raise AssertionError("an agreed pack read the figures as they are now")

    # The figures as agreed, never the live ones, so that a later return changes nothing.
    monkeypatch.setattr(scorecard, "scorecard", live_figures)
    monkeypatch.setattr(scorecard, "series", live_figures)
    pack = build_pack(cursor, LOCAL_ANALYST, AGREED, MADE)
    assert pack.frozen_at is not None and not pack.is_draft
    html = pack_html(pack)
    assert 'class="watermark"' not in html
    assert "Agreed by PLG, version 1" in html
    assert "as they stood when the PLG agreed these headlines" in html


def test_text_from_people_prints_as_text(demo_store, tmp_path):
    cursor = demo_store.cursor()
    record.add_statement(cursor, LOCAL_ANALYST, LATEST, "front_door", "worried", HOSTILE, dt.datetime(2026, 11, 24))
    record.add_statement(cursor, LOCAL_ANALYST, LATEST, "front_door", "working_well", "=SUM(A1:A9) is text",
                         dt.datetime(2026, 11, 24))
    pack = build_pack(cursor, LOCAL_ANALYST, LATEST, MADE)
    html = pack_html(pack)
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; and ![x](http://example.com/x.png)" in html
    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(pack_pdf(pack))
    # Compared without white space: the address wraps at the end of a line.
    assert "".join(HOSTILE.split()) in "".join("".join(pdf_pages(pdf)).split())
    statements = openpyxl.load_workbook(io.BytesIO(pack_xlsx(pack)))["Statements"]
    (cell,) = [cell for row in statements.iter_rows() for cell in row if cell.value and "onerror" in str(cell.value)]
    assert cell.data_type == "s" and cell.value == HOSTILE
    (formula,) = [cell for row in statements.iter_rows() for cell in row if cell.value and "SUM(" in str(cell.value)]
    assert formula.data_type == "s" and formula.value == "'=SUM(A1:A9) is text"


def test_evidence_entered_in_the_app_prints_with_where_it_came_from_and_beside_its_statement(demo_store):
    cursor = demo_store.cursor()
    key = narrative.add_evidence(cursor, LOCAL_ANALYST, "neglect", LATEST, "audit", "worried",
                                 "Neglect audit <b>of 12 cases</b>", None, None, dt.datetime(2026, 11, 24))
    statement_id = record.add_statement(cursor, LOCAL_ANALYST, LATEST, "neglect", "worried",
                                        "Neglect is found late.", dt.datetime(2026, 11, 24))
    before = headlines_version(cursor)
    narrative.link_evidence(cursor, LOCAL_ANALYST, statement_id, key, dt.datetime(2026, 11, 25))
    assert headlines_version(cursor) != before
    pack = build_pack(cursor, LOCAL_ANALYST, LATEST, MADE)
    (neglect,) = [theme for theme in pack.themes if theme.theme_id == "neglect"]
    (entered,) = [item for item in neglect.evidence if item.title.startswith("Neglect audit")]
    assert (entered.agency, entered.origin, entered.source) == ("", "Entered in the app", "Audit")
    html = pack_html(pack)
    assert "<td>Neglect audit &lt;b&gt;of 12 cases&lt;/b&gt;</td><td>Audit</td><td></td>" in html
    assert ">None<" not in html
    (statement,) = [statement for statement in neglect.statements["worried"] if statement.body == "Neglect is found late."]
    assert statement.evidence == ("Neglect audit <b>of 12 cases</b> (Audit)",)
    assert '<p class="linked">Evidence: Neglect audit &lt;b&gt;of 12 cases&lt;/b&gt; (Audit)</p>' in html


def test_the_running_header_cannot_break_out_of_its_css_string():
    quoted = css_string('Q2 "draft" \\ </style><script>')
    assert quoted.startswith('"') and quoted.endswith('"')
    assert '"' not in quoted[1:-1] and "<" not in quoted and "\\5c " in quoted


def test_a_statement_quoting_a_suppressed_figure_is_left_out(demo_store):
    cursor = demo_store.cursor()
    card = scorecard.whole_area(disclosure.suppress(record.pack_figures(cursor, LOCAL_ANALYST, LATEST).card).frame)
    hidden = card.loc[card["status"] == disclosure.SUPPRESSED, "indicator_id"].iloc[0]
    statement_id = record.add_statement(cursor, LOCAL_ANALYST, LATEST, "harm_outside_home", "worried",
                                        "Quotes a suppressed figure.", dt.datetime(2026, 11, 24))
    cursor.execute("UPDATE headline_statements SET figures = ? WHERE id = ?",
                   [json.dumps([{"indicator_id": hidden, "period": LATEST.label, "shown": "3",
                                 "agency_id": "police", "return_version": 1}]), statement_id])
    pack = build_pack(cursor, LOCAL_ANALYST, LATEST, MADE)
    assert pack.statements_withheld == 1
    html = pack_html(pack)
    assert "Quotes a suppressed figure." not in html
    assert "1 statement quoting a figure held back under the small-numbers rule is left out" in html


def test_only_the_headlines_readers_get_a_pack(demo_store):
    from thinktank.errors import AccessDeniedError

    with pytest.raises(AccessDeniedError):
        build_pack(demo_store.cursor(), demo_agency_user("police"), LATEST, MADE)


def test_the_pack_changes_its_cache_key_when_the_headlines_change(demo_store):
    cursor = demo_store.cursor()
    before = headlines_version(cursor)
    record.set_scale(cursor, LOCAL_ANALYST, LATEST, "front_door", 3, "A test reason.", dt.datetime(2026, 11, 25))
    assert headlines_version(cursor) != before


def test_the_workbook_is_laid_out_as_gss_asks(latest_pack):
    workbook = openpyxl.load_workbook(io.BytesIO(pack_xlsx(latest_pack)))
    assert workbook.sheetnames == ["Cover", "Contents", "Notes", "Figures", "Series", "Scales", "Statements",
                                   "Actions"]
    for sheet in workbook:
        assert not sheet.merged_cells.ranges
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f" and not str(cell.value or "").startswith("=")
    contents = list(workbook["Contents"].iter_rows(min_row=4, values_only=True))
    assert [row[0] for row in contents] == workbook.sheetnames[3:]
    assert "c" in [row[0] for row in workbook["Notes"].iter_rows(min_row=4, values_only=True)]
    figures = workbook["Figures"]
    headers = [cell.value for cell in figures[3]]
    assert headers[:8] == ["Indicator ID", "Indicator", "Theme", "Breakdown", "Group", "Unit", "Value", "Status"]
    assert not any(re.fullmatch(r"[a-z0-9_]+", header) for header in headers)
    rows = list(figures.iter_rows(min_row=4, values_only=True))
    assert len(rows) == len(latest_pack.card)
    values = [row[headers.index("Value")] for row in rows]
    assert all(value is None or isinstance(value, int | float) for value in values)
    suppressed = [row for row in rows if row[headers.index("Status")] == STATUS_LABELS["c"]]
    assert suppressed and all(row[headers.index("Value")] is None and row[headers.index("Numerator")] is None
                              for row in suppressed)
    counts = [value for value, unit in zip(values, [row[headers.index("Unit")] for row in rows], strict=True)
              if unit == "Count" and value is not None]
    assert counts and not any(1 <= value <= 4 for value in counts)
    scales = list(workbook["Scales"].iter_rows(min_row=3, values_only=True))
    assert scales[1][0] == "The partnership as a whole" and isinstance(scales[1][-2], int)


def test_the_report_command_writes_each_format(demo_path, tmp_path, capsys):
    for suffix in ("html", "xlsx", "pdf"):
        out = tmp_path / f"pack.{suffix}"
        assert cli.main(["report", "--db", str(demo_path), "--period", "2026-27 Q2", "--out", str(out),
                         "--json"]) == cli.EXIT_OK
        summary = json.loads(capsys.readouterr().out)
        assert summary["period"] == "2026-27 Q2" and summary["format"] == suffix and summary["state"] == "draft"
    assert (tmp_path / "pack.html").read_text().startswith("<!DOCTYPE html>")
    assert (tmp_path / "pack.pdf").read_bytes().startswith(b"%PDF")
    # No --period: the latest quarter with returns; --format wins over the suffix.
    out = tmp_path / "latest.out"
    assert cli.main(["report", "--db", str(demo_path), "--format", "html", "--out", str(out)]) == cli.EXIT_OK
    assert "Wrote" in capsys.readouterr().out and "2026-27 Q2" in out.read_text()


def test_the_report_command_refuses_what_it_cannot_write(demo_path, tmp_path, capsys):
    assert cli.main(["report", "--db", str(demo_path), "--out", str(tmp_path / "pack.doc")]) == cli.EXIT_USAGE
    assert "Give --format pdf, html or xlsx" in capsys.readouterr().err
    empty = tmp_path / "empty.duckdb"
    assert cli.main(["report", "--db", str(empty), "--out", str(tmp_path / "pack.pdf")]) == cli.EXIT_PROBLEM
    assert "No returns are stored yet" in capsys.readouterr().err
