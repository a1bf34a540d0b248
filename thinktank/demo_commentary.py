"""The demo partnership's qualitative side for its latest quarter, written through the same
functions an analyst's clicks call: evidence the Think Tank entered in the app (an audit, a
survey, the voice of young people), linked to the analyst's own headline statements drawn from
it, and the commentary on the indicators the draft worries about most.

Everything here is made up, like every figure of the demo; the words follow the demo's story
(re-referrals high since the MASH restructure, CAMHS waits, health at strategy discussions) and
quote no figure, so they stay true whatever the seed draws.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from thinktank import indicator_commentary, narrative
from thinktank.headlines import record
from thinktank.periods import Quarter
from thinktank.users import DEMO_ANALYST

# The analyst writes the indicator commentary and enters the evidence a couple of days after
# drafting the headlines (`demo_headlines` drafts 50 days after the quarter ends).
WRITTEN_AFTER = dt.timedelta(days=52)

# Evidence the Think Tank entered: (theme, heading, source, title, detail, agency it is about),
# each with the start of the analyst's statement (`demo_headlines.OWN_STATEMENTS`) it lies behind.
EVIDENCE = (
    ("front_door", "working_well", "audit", "MASH audit of 40 contacts",
     ("Threshold decisions were right in 37 of the 40; parents were told the outcome in all but two. "
     "Three contacts waited more than a day for a decision because the health researcher was absent."),
     "childrens_social_care", "The MASH audit of 40 contacts"),
    ("child_protection", "worried", "survey", "Conference survey of practitioners",
     ("Practitioners said partner agencies' reports often arrive on the day of the conference, so "
     "families cannot read them beforehand."), None, "Practitioners in the conference survey"),
    ("voice", "working_well", "voice_of_child", "Children in Care Council meeting",
     ("Young people said they now meet their new social worker before a change of worker, as they asked "
     "last year."), None, "Young people on the Children in Care Council"),
)

# The commentary on an indicator: question to answer, and the answers for each feeding agency.
COMMENTARY = {
    "FD04": {
        "tells_us": ("Re-referrals have stayed high since the MASH restructure, and above where they were "
                     "before it: a real change in how the front door works, not the usual ups and downs."),
        "so_what_for_children": ("More children come back to the front door with the same worries within a "
                                 "year: for them, the help offered the first time did not meet their needs."),
        "for_agency": {
            "childrens_social_care": ("Review the contacts closed with advice only that came back within "
                                      "three months, with the MASH partners, before the next PLG."),
        },
    },
    "HW03": {
        "tells_us": ("Fewer children referred to CAMHS are seen within four weeks than the partnership's "
                     "target, and the figure has not recovered."),
        "so_what_for_children": ("Children waiting longer are more likely to reach crisis; schools' pastoral "
                                 "staff are holding more of them while they wait."),
        "for_agency": {
            "tewv": "Say what support children can have while they wait, and share it with schools.",
        },
    },
    "AS05": {
        "tells_us": ("Health professionals are at strategy discussions a little more often than a year ago, but "
                     "still short of the target."),
        "for_agency": {
            "icb": "Named GP leads for strategy discussions in the two localities without one.",
            "childrens_social_care": "Invite health as soon as the strategy discussion is set, not on the day.",
        },
    },
}


def write_demo_commentary(cursor: duckdb.DuckDBPyConnection, latest: Quarter, today: dt.date) -> None:
    now = dt.datetime.combine(min(latest.end + WRITTEN_AFTER, today), dt.time(11, 0))
    statements = record.statements(cursor, DEMO_ANALYST, latest)
    for theme, heading, source, title, detail, agency_id, statement_start in EVIDENCE:
        key = narrative.add_evidence(cursor, DEMO_ANALYST, theme, latest, source, heading, title, detail,
                                     agency_id, now)
        behind = statements[(statements["theme_id"] == theme) & statements["body"].str.startswith(statement_start)]
        for statement_id in behind["id"]:
            narrative.link_evidence(cursor, DEMO_ANALYST, int(statement_id), key, now)
    for indicator_id, answers in COMMENTARY.items():
        for question, answer in answers.items():
            if question == indicator_commentary.FOR_AGENCY:
                for agency_id, text in answer.items():
                    indicator_commentary.save(cursor, DEMO_ANALYST, indicator_id, latest, question, text, now,
                                              agency_id=agency_id)
            else:
                indicator_commentary.save(cursor, DEMO_ANALYST, indicator_id, latest, question, answer, now)
