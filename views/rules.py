"""Problem codes: every problem a return can have, what it means, what to do, and the message
the checks give on a small example. The entries are the ones docs/rules.md is written from.

A link to ``/rules?code=R213`` opens with that code at the top; ``/rules#R213`` scrolls to it.
"""

from __future__ import annotations

import streamlit as st

from thinktank.docs import RuleEntry, markdown_text, rule_entries

SEVERITY_BADGES = {
    "error": ("Error: fix it, the return is refused until then", "red", ":material/error:"),
    "warning": ("Warning: check it, then confirm", "orange", ":material/warning:"),
}


@st.cache_resource(show_spinner="Running each code's example through the checks (a few seconds, once)...")
def entries() -> list[RuleEntry]:
    return rule_entries()


def show(entry: RuleEntry, container: st.delta_generator.DeltaGenerator = st) -> None:
    container.subheader(f"{entry.code}: {markdown_text(entry.title)}", anchor=entry.code)
    label, color, icon = SEVERITY_BADGES[entry.severity]
    container.badge(label, color=color, icon=icon)
    columns = f" Template columns: {', '.join(entry.columns)}." if entry.columns else ""
    container.markdown(markdown_text(entry.explanation + columns))
    container.markdown(f"**What to do:** {markdown_text(entry.what_to_do)}")
    example = container.container(border=True)
    example.caption("Example message")
    # The message quotes what the example's user typed: shown as text, never as Markdown.
    example.text(entry.example_message)


st.title("Problem codes")
st.markdown(
    "Every problem found in a return has a code. **Errors** must be fixed: a return with any "
    "error is refused and nothing is stored. **Warnings** can be accepted once you have checked "
    "them. Each example is what the checks say about a small example return of a made-up "
    "partnership."
)
listed = entries()
by_code = {entry.code: entry for entry in listed}
wanted = (st.query_params.get("code") or "").strip().upper()
if wanted and wanted not in by_code:
    st.warning(f"The link asks for the code '{markdown_text(wanted)}', which is not a problem code. Every code is "
               "listed below.", icon=":material/link_off:")
    wanted = ""
if wanted:
    with st.container(border=True):
        st.caption("The code your link points to. Every other code follows below.")
        show(by_code[wanted])

families = list(dict.fromkeys(entry.family for entry in listed))
st.markdown("  \n".join(
    f"**{family}:** " + " · ".join(f"[{entry.code}](#{entry.code})" for entry in listed
                                    if entry.family == family and entry.code != wanted)
    for family in families
))
for family in families:
    st.header(family, divider="gray", anchor=False)
    for entry in listed:
        if entry.family == family and entry.code != wanted:
            show(entry)
