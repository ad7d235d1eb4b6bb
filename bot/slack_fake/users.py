"""The people of a fake workspace, as users.info describes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class SlackUser:
    """A member of a workspace; ``team_id`` None means the fake's own workspace."""

    id: str
    team_id: str | None = None
    is_admin: bool = False
    is_owner: bool = False
    locale: str = "de-DE"
    name: str = ""  # empty: the id in lower case
    is_primary_owner: bool = False
    is_bot: bool = False
    deleted: bool = False
    tz: str = "Europe/Berlin"

    @property
    def handle(self) -> str:
        """The user name Slack shows (``name``, else the id in lower case)."""
        return self.name or self.id.lower()

    @property
    def role(self) -> str:
        """ "admin" or "member", as the console names them."""
        return "admin" if self.is_admin else "member"

    def to_api(self, team_id: str, include_locale: bool) -> dict[str, Any]:
        """The ``user`` object of a users.info answer (``team_id``: the fake's team)."""
        real_name = self.handle.replace(".", " ").title()
        user: dict[str, Any] = {
            "id": self.id,
            "team_id": self.team_id or team_id,
            "name": self.handle,
            "real_name": real_name,
            "deleted": self.deleted,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": self.is_primary_owner,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "tz": self.tz,
            "profile": {"real_name": real_name, "display_name": self.handle},
        }
        if include_locale:
            user["locale"] = self.locale
        return user


class ConsoleUser(SlackUser):
    """A member of the console's demo workspace: a name, admin or not, a locale."""

    def __init__(self, id: str, name: str, is_admin: bool, locale: str = "de-DE") -> None:
        super().__init__(id, is_admin=is_admin, locale=locale, name=name)
