"""Answers given before any listener runs, each a valid answer for its kind of request.

Slack reads the body of the HTTP answer differently per kind: a slash command shows a
``text`` to the user, a view submission needs a ``response_action`` (a plain-text body
leaves the modal at "Wird gebucht …" with an error), everything else only needs the 200.
The user's language is not known yet (that needs users.info, with a token), so the text
comes in both languages, German first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.blocks.replies import notice_view
from handlers.common import TeamsDisagree, team_of
from handlers.i18n import t
from handlers.requests import MetadataError


def both(key: str) -> str:
    """The text ``key`` in German and in English."""
    return f"{t('de', key)} / {t('en', key)}"


def early_answer(body: Mapping[str, Any], text: str, lang: str = "de") -> dict[str, Any]:
    """The JSON body that tells the user ``text`` in the way this request allows."""
    if body.get("type") == "view_submission":
        return {"response_action": "update", "view": notice_view(lang, text)}
    if body.get("command"):
        return {"response_type": "ephemeral", "text": text}
    return {}


class Door:
    """The handlers' side of the Slack HTTP adapter's ``FrontDoor`` (bot.ports)."""

    def admit(self, body: Mapping[str, Any]) -> str | dict[str, Any] | None:
        """The one workspace (handlers.common.team_of); the refusal if fields disagree."""
        try:
            return team_of(body)
        except TeamsDisagree:
            return early_answer(body, both("error.teams_disagree"))
        except MetadataError:
            return None  # url_verification, ssl_check: Bolt answers those

    def busy(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Busy, nothing changed, try again."""
        return early_answer(body, both("error.busy"))

    def tell(self, body: Mapping[str, Any], text: str) -> dict[str, Any]:
        """``text`` as a valid answer to this request."""
        return early_answer(body, text)
