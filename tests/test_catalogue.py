import shutil
from collections import Counter
from pathlib import Path

import pytest

from thinktank.catalogue import load_catalogue
from thinktank.errors import CatalogueError
from thinktank.periods import Quarter

CATALOGUE = Path(__file__).parent / "fixtures" / "catalogue" / "indicators"  # frozen: see its README


@pytest.fixture
def catalogue_copy(tmp_path) -> Path:
    copy = tmp_path / "indicators"
    shutil.copytree(CATALOGUE, copy)
    return copy


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(directory)
    return raised.value.problems


def line_of(path: Path, text: str, occurrence: int = 1) -> int:
    lines = [number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line]
    return lines[occurrence - 1]


def test_the_default_catalogue_covers_twelve_themes_with_at_least_four_active_each():
    catalogue = load_catalogue(CATALOGUE)
    active = catalogue.active_indicators()
    assert len(catalogue.themes) == 12
    assert len(active) >= 60
    per_theme = Counter(indicator.theme for indicator in active)
    assert set(per_theme) == {theme.id for theme in catalogue.themes}
    assert min(per_theme.values()) >= 4
    assert [theme.number for theme in catalogue.themes] == list(range(1, 13))


def test_the_agencies_include_every_partner_that_feeds_the_think_tank():
    agencies = load_catalogue(CATALOGUE).agency_by_id
    assert len(agencies) >= 17
    for expected in [
        "childrens_social_care", "police", "icb", "primary_care", "hdft", "cddft", "tewv",
        "public_health", "probation", "prison", "cafcass", "domestic_abuse_service",
        "drug_alcohol_service", "education", "early_years", "housing", "voluntary_sector",
    ]:
        assert expected in agencies


def test_rates_are_per_children_0_17_unless_the_definition_says_otherwise():
    indicators = load_catalogue(CATALOGUE).indicator_by_id
    assert indicators["CP02"].population == "children_0_17"
    assert indicators["HO06"].population == "children_10_17"
    assert indicators["DA02"].population == "adult_females"
    assert indicators["FD02"].population is None


def test_status_and_the_quarter_a_definition_applies_from():
    indicators = load_catalogue(CATALOGUE).indicator_by_id
    retired = indicators["EH06"]
    assert retired.status == "retired"
    assert retired.is_active_in(Quarter(2024, 4))
    assert not retired.is_active_in(Quarter(2025, 1))
    assert not indicators["VO06"].is_active_in(Quarter(2024, 4))
    assert indicators["VO06"].is_active_in(Quarter(2025, 1))


def test_an_unknown_key_names_the_file_line_indicator_and_the_fix(catalogue_copy):
    path = catalogue_copy / "04-child-protection.yaml"
    edit(path, "    polarity: neutral\n    owner: childrens_social_care\n    source: Children's social care case management system\n    breakdowns: [locality, age_band]\n",
         "    polarty: neutral\n    owner: childrens_social_care\n    source: Children's social care case management system\n    breakdowns: [locality, age_band]\n")
    assert problems_of(catalogue_copy) == [
        (f"indicators/04-child-protection.yaml, line {line_of(path, 'polarty')}: indicator CP01: "
        "unknown key 'polarty' (did you mean 'polarity'?)")
    ]


def test_an_unknown_unit_names_the_allowed_units_and_the_closest(catalogue_copy):
    path = catalogue_copy / "03-assessment-cin.yaml"
    edit(path, "unit: percent", "unit: percentage")
    assert problems_of(catalogue_copy) == [
        (f"indicators/03-assessment-cin.yaml, line {line_of(path, 'percentage')}: indicator AS01: "
        "unit 'percentage' is not allowed (did you mean 'percent'?); "
        "allowed: count, percent, rate_per_10k, days, score, gbp")
    ]


def test_a_duplicate_id_names_both_files(catalogue_copy):
    path = catalogue_copy / "06-domestic-abuse.yaml"
    edit(path, "id: DA08", "id: CP02")
    assert problems_of(catalogue_copy) == [
        (f"indicators/06-domestic-abuse.yaml, line {line_of(path, 'id: CP02')}: indicator CP02: "
        "id CP02 is already used in 04-child-protection.yaml; give each indicator its own id")
    ]


def test_a_duplicate_id_is_found_even_when_the_first_copy_is_also_broken(catalogue_copy):
    edit(catalogue_copy / "04-child-protection.yaml", "polarity: neutral", "polarity: sideways")
    edit(catalogue_copy / "06-domestic-abuse.yaml", "id: DA08", "id: CP01")
    problems = problems_of(catalogue_copy)
    assert any("polarity 'sideways' is not allowed" in problem for problem in problems)
    assert any("id CP01 is already used" in problem for problem in problems)


def test_broken_yaml_names_the_file_and_line(catalogue_copy):
    path = catalogue_copy / "01-early-help.yaml"
    edit(path, "breakdowns: [locality, age_band]", "breakdowns: [locality, age_band")
    (problem,) = problems_of(catalogue_copy)
    assert problem.startswith(f"indicators/01-early-help.yaml, line {line_of(path, 'priorities: [early_help]')}: "
                              "not valid YAML (")
    assert "tab" not in problem


def test_a_tab_in_the_yaml_is_named_with_its_line(catalogue_copy):
    path = catalogue_copy / "01-early-help.yaml"
    edit(path, "    unit: rate_per_10k", "\tunit: rate_per_10k")
    (problem,) = problems_of(catalogue_copy)
    assert problem.startswith(f"indicators/01-early-help.yaml, line {line_of(path, 'unit: rate_per_10k')}: ")
    assert problem.endswith("; the line holds a tab: indent with spaces)")


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("06-domestic-abuse.yaml", "owner: probation", "owner: probaton",
         "owner 'probaton' is not in partnership/agencies.yaml (did you mean 'probation'?)"),
        ("01-early-help.yaml", "priorities: [early_help, neglect_cumulative_harm]",
         "priorities: [early_help, neglect]",
         "priorities 'neglect' is not in partnership/priorities.yaml"),
        ("02-front-door.yaml", "breakdowns: [referral_source, locality]",
         "breakdowns: [referal_source, locality]",
         ("breakdowns 'referal_source' is not in partnership/breakdowns.yaml "
         "(did you mean 'referral_source'?)")),
        ("07-harm-outside-home.yaml", "population: children_10_17", "population: children_11_17",
         "population 'children_11_17' is not in partnership/populations.yaml"),
        ("01-early-help.yaml", "retired_from: 2025-26 Q1", "retired_from: 2021-22 Q4",
         "retired_from (2021-22 Q4) must come after applies_from (2022-23 Q1)"),
        ("01-early-help.yaml", "    retired_from: 2025-26 Q1\n", "",
         "a retired indicator needs 'retired_from'"),
        ("01-early-help.yaml", "applies_from: 2022-23 Q1", "applies_from: 2022-24 Q1",
         "'2022-24 Q1' is not a financial year"),
        ("02-front-door.yaml", "target: {low: 2, high: 10, amber_tolerance: 2}",
         "target: {value: 5}", "a neutral indicator has no better direction"),
        ("02-front-door.yaml", "target: {value: 90, amber_tolerance: 5}",
         "target: {value: 190, amber_tolerance: 5}", "a percent target must lie between 0 and 100"),
        ("02-front-door.yaml", "target: {value: 90, amber_tolerance: 5}",
         "target: {value: 90, amber: 5}", "unknown key 'amber'"),
        ("02-front-door.yaml", "    denominator: Contacts received in the quarter.\n", "",
         "a percent indicator needs 'numerator' and 'denominator' definitions"),
        ("02-front-door.yaml", "    numerator: Referrals received in the quarter.\n",
         "    numerator: Referrals received in the quarter.\n    denominator: Children.\n",
         "remove 'denominator' and name the population instead"),
        ("12-workforce-learning.yaml", "    unit: count\n    polarity: higher_is_better\n    owner: partnership\n",
         "    unit: count\n    numerator: Places.\n    polarity: higher_is_better\n    owner: partnership\n",
         "'numerator' applies only to percent and rate_per_10k indicators"),
        ("01-early-help.yaml", "theme: early_help", "theme: early_helps",
         "theme 'early_helps' is not in partnership/themes.yaml (did you mean 'early_help'?)"),
        ("02-front-door.yaml", "theme: front_door", "theme: early_help",
         "theme 'early_help' already has its file (01-early-help.yaml)"),
        ("01-early-help.yaml", "  - id: EH02\n", "  - id: EH02\n    theme: voice\n",
         "says theme 'voice' but sits in the file of theme 'early_help'"),
        ("01-early-help.yaml", "    unit: count\n", "    unit: count\n    unit: count\n",
         "key 'unit' appears twice"),
        ("01-early-help.yaml", "  - id: EH02", "  - id: eh2", "id 'eh2' is not a valid id"),
        ("01-early-help.yaml", "definition: Early help assessments started",
         "definition: [Early help assessments started", "not valid YAML"),
        ("02-front-door.yaml", "denominator_is: FD03", "denominator_is: FD99",
         "denominator_is 'FD99' is not an indicator in the catalogue"),
        ("02-front-door.yaml", "denominator_is: FD03", "denominator_is: VO06",
         "denominator_is 'VO06' must name an indicator that counts"),
        ("02-front-door.yaml", "    numerator: Referrals received in the quarter.\n",
         "    numerator: Referrals received in the quarter.\n    denominator_is: FD01\n",
         "'denominator_is' applies only to percent indicators"),
        ("partnership/agencies.yaml", "sector: police", "sector: constabulary",
         "sector 'constabulary' is not allowed"),
        ("partnership/agencies.yaml", "  - id: prison", "  - id: probation", "id is used twice"),
        ("02-front-door.yaml", "      - What did the last audit of closed cases find about the first response?",
         "      - " + "Why? " * 61, "at most 300 characters"),
    ],
)
def test_each_catalogue_mistake_is_reported_with_its_file(catalogue_copy, file, old, new, expected):
    edit(catalogue_copy / file, old, new)
    problems = problems_of(catalogue_copy)
    matching = [problem for problem in problems if expected in problem]
    assert matching, problems
    assert all(problem.startswith(f"indicators/{file}") for problem in matching)


def test_every_problem_is_reported_at_once(catalogue_copy):
    edit(catalogue_copy / "01-early-help.yaml", "unit: count", "unit: number")
    edit(catalogue_copy / "05-children-in-care.yaml", "owner: hdft", "owner: hdtf")
    edit(catalogue_copy / "11-voice.yaml", "polarity: higher_is_better", "polarity: up")
    assert len(problems_of(catalogue_copy)) == 3


def test_a_missing_register_is_reported(catalogue_copy):
    (catalogue_copy / "partnership" / "priorities.yaml").unlink()
    assert any("priorities.yaml: file is missing" in p for p in problems_of(catalogue_copy))


def test_a_folder_without_a_catalogue_is_reported(tmp_path):
    problems = problems_of(tmp_path)
    assert "no catalogue here" in problems[0]
