"""Who may send a return for which agency: the first check on every return, before a byte
of the file is read."""

from __future__ import annotations

import difflib

from thinktank.catalogue import Catalogue
from thinktank.errors import AccessDeniedError, UnknownAgencyError
from thinktank.users import Role, User, may_send_returns


def check_agency(catalogue: Catalogue, agency_id: str, actor: User) -> None:
    """Raise if the agency is unknown or the actor may not act for it."""
    if agency_id not in catalogue.agency_by_id:
        close = difflib.get_close_matches(agency_id, list(catalogue.agency_by_id), n=2)
        raise UnknownAgencyError(
            f"'{agency_id}' is not an agency in the catalogue",
            ("Did you mean " + " or ".join(close) + "? " if close else "")
            + "python -m thinktank agencies lists them.",
        )
    if may_send_returns(actor, agency_id):
        return
    if actor.role == Role.AGENCY_UPLOADER:
        names = catalogue.agency_by_id
        own = names[actor.agency_id].short_name if actor.agency_id in names else actor.agency_id
        raise AccessDeniedError(
            "You can send returns only for your own agency",
            f"You are signed in for {own}; ask a Think Tank analyst to upload on behalf of "
            f"{names[agency_id].short_name}.",
        )
    raise AccessDeniedError(
        "PLG members read the headlines and the board pack; they do not send returns",
        "Returns come from each agency, or from a Think Tank analyst on its behalf.",
    )
