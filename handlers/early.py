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
from handlers.i18n import t


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
