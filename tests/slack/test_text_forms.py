"""/addons hilfe|liste|buchen|kündigen|rechnung and their English twins."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest

from domain.addons import Status
from handlers import blocks
from tests.slack.flows import addons, book_directly, submit_and_see, texts, view_text
from tests.slack.harness import RunningApp
from tests.slack.mock_slack import ADMIN, OWNER


async def _reply(app: RunningApp, text: str, user: str = ADMIN) -> dict[str, Any]:
    """Type ``/addons <text>``; the ephemeral message posted to the response_url."""
    call = await app.send(app.signer.slash_command(user_id=user, text=text), "response_url")
    return call.params


def _text(message: dict[str, Any]) -> str:
    return "\n".join([str(message.get("text", "")), *texts(message.get("blocks", []))])


async def _opened(app: RunningApp, text: str, user: str = ADMIN) -> dict[str, Any]:
    """Type ``/addons <text>``; the modal it opens (as Slack stores it)."""
    call = await app.send(app.signer.slash_command(user_id=user, text=text), "views.open")
    view: dict[str, Any] = call.params["view"]
    return next(
        v for v in reversed(app.mock.views.values()) if v["callback_id"] == view["callback_id"]
    )


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("hilfe", "`/addons buchen &lt;Option&gt; &lt;Anzahl&gt;`"),
        ("help", "`/addons buchen &lt;Option&gt; &lt;Anzahl&gt;`"),  # the language is the user's
        ("HILFE", "`/addons kündigen &lt;Nr.&gt;`"),
    ],
)
async def test_help_is_an_ephemeral_message(app: RunningApp, word: str, expected: str) -> None:
    message = await _reply(app, word)
    assert message["response_type"] == "ephemeral"
    assert expected in _text(message)
    assert "`users`" in _text(message)
    assert "`storage`" in _text(message)


async def test_help_in_english_for_an_english_owner(app: RunningApp) -> None:
    message = await _reply(app, "help", OWNER)
    assert "`/addons book &lt;option&gt; &lt;quantity&gt;`" in _text(message)


@pytest.mark.parametrize("word", ["liste", "list"])
async def test_the_list_names_every_addon_with_its_number(app: RunningApp, word: str) -> None:
    users = await book_directly(app, "users", 1)
    storage = await book_directly(app, "storage", 3)
    message = await _reply(app, word)
    assert message["response_type"] == "ephemeral"
    text = _text(message)
    assert (
        f"Nr. {users.id}: Zusätzliche Benutzer (+1), 5,90 € zzgl. USt., abgerechnet bis "
        "17.04.2026, Aktiv" in text
    )
    assert f"Nr. {storage.id}: Erweiterter Speicherplatz (+30 GB), 17,70 € zzgl. USt." in text


async def test_an_empty_list_says_so(app: RunningApp) -> None:
    message = await _reply(app, "list", OWNER)
    assert "You have not booked any add-ons yet." in _text(message)


async def test_buchen_users_2_opens_the_same_confirmation_and_books_on_confirm(
    app: RunningApp,
) -> None:
    confirmation = await _opened(app, "buchen users 2")
    assert confirmation["callback_id"] == blocks.CALLBACK_CONFIRM_BOOKING
    text = view_text(confirmation)
    assert "Zusätzliche Benutzer (+2)" in text
    assert "11,80 € / Monat" in text
    assert "5,71 €" in text  # 11,80 € × 15 / 31 = 5,709…
    assert await addons(app) == []
    done = await submit_and_see(app, confirmation)
    assert "Gebucht: Zusätzliche Benutzer (+2)" in view_text(done)
    [addon] = await addons(app)
    assert (addon.option, addon.quantity) == ("users", 2)


async def test_book_storage_3_in_english(app: RunningApp) -> None:
    confirmation = await _opened(app, "book storage 3", OWNER)
    text = view_text(confirmation)
    assert "Extended storage (+30 GB)" in text
    assert "€17.70 / month" in text
    assert "€8.56" in text


async def test_german_option_words_work_too(app: RunningApp) -> None:
    confirmation = await _opened(app, "Buchen Speicher 1")
    assert "Erweiterter Speicherplatz (+10 GB)" in view_text(confirmation)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("buchen users abc", "Bitte geben Sie eine Zahl ein."),
        ("buchen users 0", "Die Anzahl muss mindestens 1 sein."),
        ("buchen users 2,5", "ohne Komma"),
        ("buchen users 5000", "Höchstens 1.000 auf einmal."),
        ("buchen users", "Bitte geben Sie eine Anzahl ein."),
        ("buchen bananen 2", "Eine Zusatzoption „bananen“ gibt es nicht."),
    ],
)
async def test_a_bad_booking_text_gets_a_friendly_answer(
    app: RunningApp, text: str, expected: str
) -> None:
    message = await _reply(app, text)
    assert message["response_type"] == "ephemeral"
    assert expected in _text(message)
    assert app.mock.calls_to("views.open") == []
    assert await addons(app) == []


@pytest.mark.parametrize("word", ["kündigen", "cancel", unicodedata.normalize("NFD", "kündigen")])
async def test_kuendigen_with_a_number_opens_the_confirmation(app: RunningApp, word: str) -> None:
    addon = await book_directly(app, "users", 1)
    confirmation = await _opened(app, f"{word} {addon.id}")
    assert confirmation["callback_id"] == blocks.CALLBACK_CONFIRM_CANCEL
    # nothing was invoiced: the draft 2,85 € and the renewal 5,90 € leave the Entwurf
    assert (
        "Widerruf: sofort storniert, es wird nichts berechnet: 8,75 € werden von Ihrer "
        "nächsten Sammelrechnung entfernt" in view_text(confirmation)
    )
    done = await submit_and_see(app, confirmation)
    assert "Widerrufen: Zusätzliche Benutzer (+1)" in view_text(done)
    [stored] = await addons(app)
    assert stored.status is Status.WITHDRAWN


@pytest.mark.parametrize("text", ["kündigen", "kündigen abc", "cancel #"])
async def test_kuendigen_without_a_number_explains_how(app: RunningApp, text: str) -> None:
    message = await _reply(app, text)
    assert "/addons liste" in _text(message)
    assert "nicht mehr gültig" not in _text(message)


async def test_kuendigen_an_unknown_number_is_refused(app: RunningApp) -> None:
    message = await _reply(app, "kündigen 4711")
    assert "Eine Zusatzoption Nr. 4711 gibt es in diesem Workspace nicht." in _text(message)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("rechnung", "Kommende Sammelrechnung am 18.04.2026"),
        ("invoice", "Kommende Sammelrechnung am 18.04.2026"),
    ],
)
async def test_rechnung_shows_the_upcoming_consolidated_invoice(
    app: RunningApp, word: str, expected: str
) -> None:
    await book_directly(app, "users", 1)
    message = await _reply(app, word)
    text = _text(message)
    assert expected in text
    assert "Zusätzliche Benutzer (+1), anteilig 03.04.2026–17.04.2026: 2,85 €" in text
    assert "Noch keine Rechnungen." in text


@pytest.mark.parametrize("text", ["blabla", "<script>", "buchen;drop table", "%s {0}"])
async def test_unknown_words_get_a_short_help_and_never_a_trace(app: RunningApp, text: str) -> None:
    answer = await app.post(app.signer.slash_command(user_id=ADMIN, text=text))
    assert answer.status == 200
    assert answer.text == ""  # the acknowledgement itself says nothing
    [call] = await app.mock.wait_for("response_url")
    message = call.params
    assert message["response_type"] == "ephemeral"
    body = _text(message)
    assert "Das habe ich nicht verstanden" in body
    assert "`/addons hilfe`" in body
    assert "Traceback" not in body
    assert "Error" not in body
    assert "<script>" not in body
    assert app.mock.calls_to("views.open") == []
