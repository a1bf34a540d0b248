"""The catalogue of record: changes from a chosen quarter that leave earlier quarters as they
were, new and retired indicators, themes, import and export, who may change it, and start-up
never overwriting a change made in the app."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import replace_in
from returns_support import csv_return, send
from scorecard_support import put, quarterly

from thinktank import browse, catalogue_changes
from thinktank.boardpack import build_pack
from thinktank.catalogue import load_catalogue
from thinktank.cli import main
from thinktank.errors import AccessDeniedError, CatalogueChangeError
from thinktank.periods import Quarter
from thinktank.scorecard import scorecard, whole_area
from thinktank.store import Store
from thinktank.store.audit import audit_entries
from thinktank.store.catalogue import revisions
from thinktank.templates import template_rows
from thinktank.users import LOCAL_ADMIN, LOCAL_ANALYST, LOCAL_PLG_MEMBER, demo_agency_user

FROM = Quarter(2025, 1)
QUARTERS = [Quarter(2024, number) for number in (1, 2, 3, 4)] + [Quarter(2025, number) for number in (1, 2, 3, 4)]


def entry(store, indicator_id: str, quarter: Quarter, **changes) -> dict:
    """The indicator as the form shows it for ``quarter``, with ``changes`` made."""
    return {**store.catalogue.definition_in_force(indicator_id, quarter).model_dump(mode="json"), **changes}


def change(store, indicator_id: str, quarter: Quarter, actor=LOCAL_ANALYST, **changes) -> list[str]:
    proposal = catalogue_changes.propose_indicator(store.cursor(), store.catalogue,
                                                   entry(store, indicator_id, quarter, **changes), quarter)
    assert proposal.is_valid, (proposal.field_problems, proposal.problems)
    return catalogue_changes.save(store, actor, proposal)


def rag(store, indicator_id: str, quarter: Quarter) -> str:
    return whole_area(scorecard(store.cursor(), quarter, indicator_id=indicator_id)).iloc[0]["rag"]


@pytest.fixture
def fd02_at_92(store):
    """FD02 (a percentage, higher is better, target 90 with 5 points of amber) at 92 for two years."""
    put(store, quarterly("FD02", [92.0] * len(QUARTERS), first=QUARTERS[0]))
    return store


def test_a_target_changed_from_a_quarter_changes_the_rag_from_then_on_and_never_before(fd02_at_92):
    store = fd02_at_92
    assert {rag(store, "FD02", quarter) for quarter in QUARTERS} == {"green"}
    change(store, "FD02", FROM, target={"value": 95, "amber_tolerance": 5})
    assert [rag(store, "FD02", quarter) for quarter in QUARTERS] == ["green"] * 4 + ["amber"] * 4


def test_the_board_pack_reads_each_quarter_by_the_target_in_force_then(fd02_at_92):
    store = fd02_at_92
    change(store, "FD02", FROM, target={"value": 95, "amber_tolerance": 5})

    def pack_rag(quarter: Quarter) -> str:
        pack = build_pack(store.cursor(), LOCAL_ANALYST, quarter, dt.datetime(2026, 11, 23, 9))
        (row,) = [row for page in pack.themes for row in page.figures if row.indicator_id == "FD02"]
        return row.rag

    assert pack_rag(Quarter(2024, 4)) == "Green"
    assert pack_rag(FROM) == "Amber"


def test_a_move_to_another_theme_and_a_new_name_hold_from_the_quarter_chosen(fd02_at_92):
    store = fd02_at_92
    change(store, "FD02", FROM, theme="assessment_cin", name="Contacts decided within a working day")
    before = whole_area(scorecard(store.cursor(), Quarter(2024, 4), indicator_id="FD02")).iloc[0]
    after = whole_area(scorecard(store.cursor(), FROM, indicator_id="FD02")).iloc[0]
    assert (before["theme"], before["name"]) == ("front_door", "Contacts with a decision within one working day")
    assert (after["theme"], after["name"]) == ("assessment_cin", "Contacts decided within a working day")
    assert browse.indicators(store.cursor(), search="FD02", quarter=Quarter(2024, 4))["theme"].tolist() == ["front_door"]


def test_a_later_change_from_an_earlier_quarter_keeps_the_later_changes(fd02_at_92):
    """A change sets its fields from its quarter on, in every later definition too: changing the
    name from 2024-25 Q1 keeps the target set from 2025-26 Q1."""
    store = fd02_at_92
    change(store, "FD02", FROM, target={"value": 95, "amber_tolerance": 5})
    change(store, "FD02", Quarter(2024, 1), name="Contacts decided within a working day")
    assert [rag(store, "FD02", quarter) for quarter in QUARTERS] == ["green"] * 4 + ["amber"] * 4
    history = browse.definition_history(store.cursor(), "FD02")
    assert history["starts"].tolist() == ["2022-23 Q1", "2024-25 Q1", "2025-26 Q1"]
    assert history["fields"].tolist() == ["", "name", "target"]
    assert history["until"].tolist() == ["2023-24 Q4", "2024-25 Q4", ""]
    assert history["recorded_by"].tolist() == ["The catalogue files", "local-analyst", "local-analyst"]


def test_a_change_of_unit_works_the_figures_out_afresh_from_its_quarter_only(store):
    """DA01 is a count; read as a number of days from 2025-26 Q1 (a made-up change), its figures
    stay as sent but the series is read by the new unit from then."""
    put(store, quarterly("DA01", [1000.0] * len(QUARTERS), first=QUARTERS[0]))
    change(store, "DA01", FROM, unit="days")
    units = {quarter.label: whole_area(scorecard(store.cursor(), quarter, indicator_id="DA01")).iloc[0]["unit"]
             for quarter in (Quarter(2024, 4), FROM)}
    assert units == {"2024-25 Q4": "count", "2025-26 Q1": "days"}


def test_the_preview_says_what_saving_would_change_and_changes_nothing(fd02_at_92):
    store = fd02_at_92
    proposal = catalogue_changes.propose_indicator(
        store.cursor(), store.catalogue, entry(store, "FD02", FROM, target={"value": 95, "amber_tolerance": 5}), FROM)
    effects = catalogue_changes.preview(store, LOCAL_ANALYST, proposal)
    assert [(quarter, was, becomes) for quarter, _, was, becomes in effects.rag_changes] == [
        (quarter.label, "Green", "Amber") for quarter in QUARTERS[4:]]
    assert effects.figures_changed == {}
    assert len(effects.templates) == 1
    assert {rag(store, "FD02", quarter) for quarter in QUARTERS} == {"green"}
    assert store.catalogue.definition_in_force("FD02", FROM).target.value == 90


def test_a_new_indicator_joins_its_template_is_checked_on_upload_and_reaches_the_scorecard(store):
    new = {"id": "FD90", "theme": "front_door", "name": "Police notifications about children seen at incidents",
           "definition": "Notifications sent by the police about a child present at an incident in the quarter.",
           "unit": "count", "polarity": "neutral", "owner": "police", "source": "Police records",
           "applies_from": FROM.label}
    proposal = catalogue_changes.propose_indicator(store.cursor(), store.catalogue, new, FROM)
    assert proposal.is_valid and proposal.summary().startswith("Changed from 2025-26 Q1: FD90")
    catalogue_changes.save(store, LOCAL_ANALYST, proposal)

    assert "FD90" in set(template_rows(store.cursor(), LOCAL_ANALYST, store.catalogue, "police", FROM)["indicator_id"])
    assert "FD90" not in set(template_rows(store.cursor(), LOCAL_ANALYST, store.catalogue, "police",
                                           Quarter(2024, 4))["indicator_id"])
    refused = send(store, csv_return(f"FD90,{FROM.label},All,All,,,minus three,"), agency="police", period=FROM,
                   confirm=True)
    assert not refused.report.accepted and any(issue.severity == "error" for issue in refused.report.issues)
    stored = send(store, csv_return(f"FD90,{FROM.label},All,All,,,42,"), agency="police", period=FROM, confirm=True)
    assert stored.outcome == "stored", stored.report.issue_table()
    assert whole_area(scorecard(store.cursor(), FROM, indicator_id="FD90")).iloc[0]["value"] == 42


def test_retiring_an_indicator_keeps_its_past_figures_and_takes_it_out_of_new_templates(fd02_at_92):
    store = fd02_at_92
    change(store, "FD02", FROM, status="retired", retired_from=FROM.label)
    assert "FD02" not in set(template_rows(store.cursor(), LOCAL_ANALYST, store.catalogue, "childrens_social_care",
                                           FROM)["indicator_id"])
    assert "FD02" in set(template_rows(store.cursor(), LOCAL_ANALYST, store.catalogue, "childrens_social_care",
                                       Quarter(2024, 4))["indicator_id"])
    assert whole_area(scorecard(store.cursor(), Quarter(2024, 4), indicator_id="FD02")).iloc[0]["value"] == 92
    assert scorecard(store.cursor(), FROM, indicator_id="FD02").empty


def test_a_form_entry_is_checked_field_by_field_as_the_files_are(store):
    problems = catalogue_changes.propose_indicator(
        store.cursor(), store.catalogue,
        entry(store, "FD01", FROM, polarity="up", name="![seen](http://example.org/x.png)", source=""), FROM,
    ).field_problems
    fields = dict(problems)
    assert "allowed: higher_is_better, lower_is_better, neutral" in fields["polarity"]
    assert "must be plain text: take out [ ]" in fields["name"]
    assert "source" in fields
    reference = catalogue_changes.propose_indicator(store.cursor(), store.catalogue,
                                                    entry(store, "FD01", FROM, owner="nobody"), FROM)
    assert reference.problems == ("indicator FD01: owner 'nobody' is not in partnership/agencies.yaml",)
    neutral = catalogue_changes.propose_indicator(store.cursor(), store.catalogue,
                                                  entry(store, "FD02", FROM, polarity="neutral"), FROM)
    assert any("neutral indicator has no better direction" in reason for _, reason in neutral.field_problems)
    with pytest.raises(CatalogueChangeError):
        catalogue_changes.save(store, LOCAL_ANALYST, neutral)


def test_themes_are_added_and_renamed_and_each_keeps_its_own_number(store):
    add = catalogue_changes.propose_theme(store.cursor(), store.catalogue, {
        "id": "online_harm", "number": 13, "name": "Online harm", "description": "Harm to children online."})
    catalogue_changes.save(store, LOCAL_ADMIN, add)
    renamed = catalogue_changes.propose_theme(store.cursor(), store.catalogue, {
        **store.catalogue.theme_by_id["front_door"].model_dump(), "name": "Front Door"})
    catalogue_changes.save(store, LOCAL_ANALYST, renamed)
    themes = browse.themes(store.cursor()).set_index("id")
    assert themes.loc["online_harm", "number"] == 13 and themes.loc["front_door", "name"] == "Front Door"
    taken = catalogue_changes.propose_theme(store.cursor(), store.catalogue, {
        "id": "another", "number": 13, "name": "Another", "description": "Another theme."})
    assert taken.problems == ("Number 13 is already theme Online harm's: give each theme its own number.",)


@pytest.mark.parametrize("actor", [LOCAL_PLG_MEMBER, demo_agency_user("childrens_social_care")])
def test_only_analysts_and_admins_change_the_catalogue(store, actor):
    proposal = catalogue_changes.propose_indicator(
        store.cursor(), store.catalogue, entry(store, "FD02", FROM, target={"value": 95, "amber_tolerance": 5}), FROM)
    for attempt in (lambda: catalogue_changes.save(store, actor, proposal),
                    lambda: catalogue_changes.preview(store, actor, proposal)):
        with pytest.raises(AccessDeniedError):
            attempt()
    assert store.catalogue.definition_in_force("FD02", FROM).target.value == 90


def test_a_change_made_from_a_catalogue_someone_has_since_changed_is_refused(store):
    first = catalogue_changes.propose_indicator(store.cursor(), store.catalogue,
                                                entry(store, "FD02", FROM, notes="One."), FROM)
    second = catalogue_changes.propose_indicator(store.cursor(), store.catalogue,
                                                 entry(store, "FD02", FROM, notes="Two."), FROM)
    catalogue_changes.save(store, LOCAL_ANALYST, first)
    with pytest.raises(CatalogueChangeError, match="Someone else changed the catalogue"):
        catalogue_changes.save(store, LOCAL_ANALYST, second)
    assert store.catalogue.definition_in_force("FD02", FROM).notes == "One."


def test_every_change_is_audited_and_listed(store):
    change(store, "FD02", FROM, target={"value": 95, "amber_tolerance": 5})
    audit = audit_entries(store.cursor())
    last = audit.iloc[-1]
    assert (last["actor"], last["action"], last["detail"]) == (
        "local-analyst", "catalogue_change",
        "Changed from 2025-26 Q1: FD02 Contacts with a decision within one working day (target).")
    assert [revision.source for revision in revisions(store.cursor())] == ["app", "files"]


def test_the_catalogue_of_record_and_its_history_survive_a_restart(settings):
    with Store.open(settings) as opened:
        change(opened, "FD02", FROM, target={"value": 95, "amber_tolerance": 5})
    with Store.open(settings) as reopened:
        assert reopened.catalogue.definition_in_force("FD02", Quarter(2024, 4)).target.value == 90
        assert reopened.catalogue.definition_in_force("FD02", FROM).target.value == 95
        assert reopened.catalogue_notice is None


def test_start_up_never_overwrites_a_change_made_in_the_app_and_says_why(editable_settings):
    with Store.open(editable_settings) as opened:
        change(opened, "FD02", FROM, target={"value": 95, "amber_tolerance": 5})
    replace_in(editable_settings.catalogue_dir / "02-front-door.yaml",
               "target: {value: 90, amber_tolerance: 5}", "target: {value: 80, amber_tolerance: 5}")
    with Store.open(editable_settings) as reopened:
        assert reopened.catalogue.definition_in_force("FD02", FROM).target.value == 95
        assert reopened.catalogue.definition_in_force("FD02", Quarter(2024, 4)).target.value == 90
        assert "were not applied" in reopened.catalogue_notice
        assert "python -m thinktank catalogue import indicators" in reopened.catalogue_notice


def test_files_that_say_what_the_store_holds_raise_no_notice(editable_settings, tmp_path):
    with Store.open(editable_settings) as opened:
        change(opened, "FD02", FROM, notes="Changed in the app.")
    replace_in(editable_settings.catalogue_dir / "02-front-door.yaml",
               "notes: Local target set by the Think Tank.", "notes: Changed in the app.")
    with Store.open(editable_settings) as reopened:
        assert reopened.catalogue_notice is None


# Import and export, from the command line. -------------------------------------------------

def run(capsys, *arguments: str) -> tuple[int, str, str]:
    code = main(list(arguments))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_exporting_then_importing_the_catalogue_changes_nothing(settings, tmp_path, capsys):
    with Store.open(settings) as opened:
        change(opened, "FD02", FROM, target={"value": 95, "amber_tolerance": 5})
    database = str(settings.database_path)
    code, out, _ = run(capsys, "catalogue", "export", "--db", database, "--out", str(tmp_path / "out"), "--json")
    assert code == 0 and "02-front-door.yaml" in json.loads(out)["files"]
    exported = load_catalogue(tmp_path / "out")
    with Store.open(settings) as opened:
        assert exported.indicators == opened.catalogue.indicators
        assert exported.themes == opened.catalogue.themes and exported.agencies == opened.catalogue.agencies
        before = len(revisions(opened.cursor())), len(audit_entries(opened.cursor()))
    code, out, _ = run(capsys, "catalogue", "import", str(tmp_path / "out"), "--db", database, "--json")
    assert code == 0 and json.loads(out) == {"effective_from": json.loads(out)["effective_from"], "applied": False,
                                             "changes": [], "indicators_changed": []}
    with Store.open(settings) as opened:
        assert (len(revisions(opened.cursor())), len(audit_entries(opened.cursor()))) == before
        assert opened.catalogue.definition_in_force("FD02", Quarter(2024, 4)).target.value == 90


def test_an_import_shows_its_difference_and_applies_it_from_the_quarter_given(settings, tmp_path, capsys):
    database = str(settings.database_path)
    run(capsys, "catalogue", "export", "--db", database, "--out", str(tmp_path / "shared"))
    replace_in(tmp_path / "shared" / "02-front-door.yaml", "    value: 90.0\n", "    value: 92.5\n")
    code, out, _ = run(capsys, "catalogue", "import", str(tmp_path / "shared"), "--db", database,
                       "--effective-from", "2025-26 Q1", "--dry-run")
    assert code == 0 and "FD02 Contacts with a decision within one working day: Target: value 90" in out
    assert "Nothing was changed (--dry-run)." in out
    code, out, _ = run(capsys, "catalogue", "import", str(tmp_path / "shared"), "--db", database,
                       "--effective-from", "2025-26 Q1")
    assert code == 0 and "Applied in one transaction." in out
    with Store.open(settings) as opened:
        assert opened.catalogue.definition_in_force("FD02", Quarter(2024, 4)).target.value == 90
        assert opened.catalogue.definition_in_force("FD02", FROM).target.value == 92.5
        assert revisions(opened.cursor())[0].source == "import"


def test_an_import_with_a_broken_file_changes_nothing_and_names_the_file_line_and_field(settings, tmp_path, capsys):
    database = str(settings.database_path)
    run(capsys, "catalogue", "export", "--db", database, "--out", str(tmp_path / "shared"))
    replace_in(tmp_path / "shared" / "02-front-door.yaml", "    value: 90.0\n", "    value: 92.5\n")
    replace_in(tmp_path / "shared" / "02-front-door.yaml", "    amber_tolerance: 5.0\n", "    amber_tolerance: lots\n")
    with Store.open(settings) as opened:
        before = len(revisions(opened.cursor()))
    code, out, err = run(capsys, "catalogue", "import", str(tmp_path / "shared"), "--db", database, "--json")
    assert code == 1
    (problem,) = [line for line in err.splitlines() if line.startswith("- ")]
    assert problem.startswith("- shared/02-front-door.yaml, line ") and "indicator FD02: amber_tolerance:" in problem
    assert json.loads(out)["error"]["title"] == "The indicator catalogue has 1 problem"
    with Store.open(settings) as opened:
        assert len(revisions(opened.cursor())) == before
        assert opened.catalogue.definition_in_force("FD02", FROM).target.value == 90


def test_export_refuses_a_folder_that_holds_files(settings, tmp_path, capsys):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "mine.txt").write_text("keep me")
    code, _, err = run(capsys, "catalogue", "export", "--db", str(settings.database_path), "--out", str(tmp_path / "full"))
    assert code == 2 and "is not an empty folder" in err
    assert (tmp_path / "full" / "mine.txt").read_text() == "keep me"
