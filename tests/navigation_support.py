"""The pages app.py registers, read from its source: the tests that visit or link every page use this."""

from __future__ import annotations

import ast

from thinktank.settings import REPO_ROOT

# Streamlit serves the default page at the root, and links to it there.
DEFAULT_ADDRESS = ""


def app_pages() -> dict[str, str]:
    """Every page in app.py's navigation that runs a script, by its address (url_path, and the
    root for the default page): its script. A page made from a function (the old /scorecard
    address, which only redirects) has no script of its own and is left out."""
    pages = {}
    for node in ast.walk(ast.parse((REPO_ROOT / "app.py").read_text(encoding="utf-8"))):
        # st.Page(...), or app.py's page(...), which makes one for the roles offered it.
        if not isinstance(node, ast.Call):
            continue
        made = getattr(node.func, "attr", None) == "Page" or getattr(node.func, "id", None) == "page"
        if made and node.args and isinstance(node.args[0], ast.Constant):
            keywords = {keyword.arg: keyword.value.value for keyword in node.keywords
                        if isinstance(keyword.value, ast.Constant)}
            pages[keywords["url_path"]] = node.args[0].value
            if keywords.get("default"):
                pages[DEFAULT_ADDRESS] = node.args[0].value
    return pages
