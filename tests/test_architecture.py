"""Mechanical checks of the rules the code base lives by."""

import ast
import re
from pathlib import Path

from thinktank.catalogue import load_catalogue
from thinktank.cli import build_parser
from thinktank.docs import (
    INDICATOR_REFERENCE,
    RULES_REFERENCE,
    markdown_text,
    render_indicator_reference,
    render_rules_reference,
    rule_entries,
)
from thinktank.reference import load_reference
from thinktank.rules import CODES
from thinktank.rules.examples import example_problems
from thinktank.settings import REPO_ROOT

CORE = REPO_ROOT / "thinktank"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_the_core_never_imports_streamlit():
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for path in CORE.rglob("*.py")
        if any(module.split(".")[0] == "streamlit" for module in imported_modules(path))
    ]
    assert offenders == []


def test_the_core_never_imports_the_pages():
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for path in CORE.rglob("*.py")
        if any(module.split(".")[0] in {"views", "app"} for module in imported_modules(path))
    ]
    assert offenders == []


def test_the_pages_never_build_the_demo():
    # First start (the demo included) is the core's: the pages show its progress.
    pages = [REPO_ROOT / "app.py", *(REPO_ROOT / "views").rglob("*.py")]
    offenders = [str(path.relative_to(REPO_ROOT)) for path in pages
                 if any(module == "thinktank.demo" or module.startswith("thinktank.demo.")
                        for module in imported_modules(path))]
    assert offenders == []


def test_the_audit_log_is_only_ever_appended_to():
    changes = re.compile(r"\b(UPDATE|DELETE\s+FROM|TRUNCATE|DROP\s+TABLE)\s+audit_log\b", re.IGNORECASE)
    sources = [*CORE.rglob("*.py"), *CORE.rglob("*.sql"), *(REPO_ROOT / "views").rglob("*.py")]
    assert [str(p) for p in sources if changes.search(p.read_text(encoding="utf-8"))] == []


def test_the_indicator_reference_page_is_generated_from_the_current_catalogue():
    catalogue = load_catalogue(REPO_ROOT / "indicators")
    reference = load_reference(REPO_ROOT / "data" / "reference", catalogue)
    committed = INDICATOR_REFERENCE.read_text(encoding="utf-8")
    assert committed == render_indicator_reference(catalogue, reference), (
        "docs/indicators.md is out of date: run `python -m thinktank docs`"
    )
    for indicator in catalogue.indicators:
        assert f"### {indicator.id}: {indicator.name}" in committed


def test_every_cli_command_is_documented_in_the_readme():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    commands = build_parser()._subparsers._group_actions[0].choices
    missing = [name for name in commands if f"python -m thinktank {name}" not in readme]
    assert missing == []


def test_every_dependency_is_pinned_exactly_and_named_in_the_readme():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8").lower()
    for requirements in ("requirements.txt", "requirements-dev.txt"):
        for line in (REPO_ROOT / requirements).read_text().splitlines():
            line = line.strip()
            if not line or line.startswith(("#", "-r")):
                continue
            name, _, version = line.partition("==")
            assert version, f"{requirements}: {line} is not pinned exactly"
            assert f"`{name.lower()}`" in readme, f"README does not say why {name} is used"


def test_the_rules_reference_page_is_generated_from_the_examples():
    committed = RULES_REFERENCE.read_text(encoding="utf-8")
    assert committed == render_rules_reference(), (
        "docs/rules.md is out of date: run `python -m thinktank docs`"
    )
    for entry in rule_entries():
        assert f"### {entry.code}: " in committed
        assert "> Example: " + markdown_text(entry.example_message) in committed


def test_every_rule_code_has_an_example_input_that_produces_exactly_that_code():
    # Named by code: "R306 has no example input ('...' is not an ExampleReturn, ...)".
    assert example_problems() == []
    assert len(CODES) >= 45


def test_every_rule_code_says_what_it_means_and_what_to_do():
    unexplained = [code for code, spec in CODES.items() if not (spec.explanation.strip() and spec.what_to_do.strip())]
    assert unexplained == []


def test_an_example_that_does_not_produce_its_code_is_named(monkeypatch):
    from dataclasses import replace

    from thinktank.rules.example_inputs import POLICE_ROWS, ExampleReturn
    from thinktank.rules.examples import example_store, run_example

    monkeypatch.setitem(CODES, "R209", replace(CODES["R209"], example=ExampleReturn(*POLICE_ROWS)))
    monkeypatch.setitem(CODES, "R210", replace(CODES["R210"], example="'-3' is negative."))
    monkeypatch.setitem(CODES, "R211", replace(CODES["R211"], example=CODES["R303"].example))
    with example_store() as store:
        assert [run_example(code, store).problem for code in ("R209", "R210", "R211", "R212")] == [
            "R209's example produces no problem, not R209 alone",
            ("R210 has no example input (\"'-3' is negative.\" is not an ExampleReturn, ExampleFile or "
             "ExampleCrash from thinktank.rules.example_inputs)"),
            "R211's example produces R303, not R211 alone",
            None,
        ]


def test_text_from_users_keeps_its_characters_and_links_nothing():
    shown = markdown_text("**Audit** <b>x</b> ![x](https://example.com/x.png) www.example.com a.b@example.com 3:1")
    for marker in ("**", "<b>", "![x]", "https://", "www.", "b@e"):
        assert marker not in shown
    # What a reader sees is the same characters (the joiner is invisible, the escapes are read).
    assert shown.replace("\\", "").replace("\u2060", "") == (
        "**Audit** <b>x</b> ![x](https://example.com/x.png) www.example.com a.b@example.com 3:1")
