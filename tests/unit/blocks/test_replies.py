"""Plain replies: the help, the refusal and `/addons liste`."""

from __future__ import annotations

import pytest

from handlers.blocks.replies import help_message, list_message, refusal_message
from tests.unit.blocks.samples import CATALOG, LANGS, active, many, pending, texts


@pytest.mark.parametrize("lang", LANGS)
def test_help_lists_every_text_form(lang: str) -> None:
    text = help_message(lang, CATALOG)["text"]
    words = {
        "de": ["hilfe", "liste", "buchen", "kündigen", "rechnung"],
        "en": ["help", "list", "book", "cancel", "invoice"],
    }[lang]
    for word in words:
        assert f"`/addons {word}" in text
    assert "`users`" in text
    assert "`storage`" in text
    assert "<" not in text  # mrkdwn: written &lt; so Slack does not take it for a link


def test_help_for_an_unknown_word_repeats_it_safely() -> None:
    text = help_message("de", CATALOG, unknown="<!here>")["text"]
    assert text.startswith("Das habe ich nicht verstanden: „&lt;!here&gt;“.")


def test_refusal_message() -> None:
    assert "Admins" in refusal_message("de")["text"]


def test_list_message_numbers_every_add_on() -> None:
    message = list_message([active(7), pending(8)], catalog=CATALOG, lang="de")
    shown = texts(message["blocks"])
    assert (
        "• Nr. 7: Zusätzliche Benutzer (+1), 5,90 € zzgl. USt., abgerechnet bis 17.04.2026, Aktiv"
        in shown
    )
    assert (
        "• Nr. 8: Erweiterter Speicherplatz (+30 GB), 17,70 € zzgl. USt., abgerechnet bis "
        "17.04.2026, Kündigung zum 17.04.2026" in shown
    )


def test_list_message_with_300_add_ons_fits_a_message() -> None:
    message = list_message(many(12, 3, 285), catalog=CATALOG, lang="en")
    assert len(message["blocks"]) <= 50
    assert "No. 1:" in texts(message["blocks"])


def test_list_message_without_add_ons() -> None:
    message = list_message([], catalog=CATALOG, lang="en")
    assert message["text"] == "Your add-ons: You have not booked any add-ons yet."
