"""A confirmation being carried out: "Wird gebucht …" at once, then what happened.

Slack gets its answer before the work starts (DESIGN §10): the submitted confirmation is
replaced by a working view, which views.update then replaces with the result or the
refusal. Neither has a submit button, so neither can be submitted twice.
"""

from __future__ import annotations

from handlers.blocks.ids import CALLBACK_NOTICE, CALLBACK_WORKING
from handlers.blocks.kit import ViewDict, modal, section
from handlers.blocks.primitives import md
from handlers.i18n import t


def working_view(lang: str, text_key: str, *, title_key: str = "overview.title") -> ViewDict:
    """ "Wird gebucht …": shown in place of the confirmation while the use case runs."""
    return modal(
        callback_id=CALLBACK_WORKING,
        title=t(lang, title_key),
        close=t(lang, "overview.close"),
        blocks=[section(block_id="working", text=md(t(lang, text_key)))],
    )


def result_view(lang: str, text: str, *, title_key: str = "overview.title") -> ViewDict:
    """What was done (or why nothing was), in place of the working view."""
    return modal(
        callback_id=CALLBACK_NOTICE,
        title=t(lang, title_key),
        close=t(lang, "overview.close"),
        blocks=[section(block_id="result", text=md(text))],
    )
