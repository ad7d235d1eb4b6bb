"""Rechnungsdaten in Slack, and what invoices say about money (issue 20), over signed HTTP.

The workspace is anchored on the 18th; today is 03.04.2026 (tests/slack/conftest.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest_asyncio
from slack_sdk.web.async_client import AsyncWebClient

from bot import services
from bot.adapters.dm_sender import deliver_due
from bot.adapters.slack_name import learn_slack_name
from domain.parties import BillingDetails, Seller, SepaMandate
from domain.workspace import Subscription
from handlers import blocks
from handlers.notifications import renderer
from tests.slack.flows import (
    advance_days,
    anchor_workspace,
    block_text,
    book_directly,
    open_overview,
    press,
    row_text,
    submit,
    submit_and_see,
    texts,
    view_text,
)
from tests.slack.harness import RunningApp, running_app
from tests.slack.mock_slack import ADMIN, BOT_TOKEN, MEMBER, OWNER, MockSlack

SELLER = Seller(
    "CloudCRM GmbH",
    "Friedrichstraße 123",
    "10117",
    "Berlin",
    vat_id="DE123456788",
    iban="DE02120300000000202051",
    bic="BYLADEM1001",
    creditor_id="DE98ZZZ09999999999",
)


@pytest_asyncio.fixture
async def app(slack_mock: MockSlack, tmp_path: Path) -> AsyncIterator[RunningApp]:
    """The real app with a whole seller (so invoices carry VAT and payment terms)."""
    async with running_app(slack_mock, tmp_path / "addons.db", seller=SELLER) as running:
        await anchor_workspace(running)
        yield running


async def _home(app: RunningApp, user: str = ADMIN) -> dict[str, Any]:
    await app.send(app.signer.app_home_opened(user_id=user), "views.publish")
    return app.mock.home[user]


async def _details_modal(app: RunningApp, user: str = ADMIN) -> dict[str, Any]:
    home = await _home(app, user)
    return await press(
        app, home, blocks.ACTION_OPEN_DETAILS, "open", expect="views.open", user=user
    )


async def _stored(app: RunningApp) -> BillingDetails:
    return (await services.get_workspace(app.ctx, app.signer.team_id)).details


GOOD = {
    "company": "Muster GmbH",
    "street": "Hauptstraße 1",
    "postcode": "10115",
    "city": "Berlin",
    "country": "de",
    "vat_id": "DE 123 456 788",
    "invoice_email": "rechnung@muster.example",
    "buyer_reference": "04011000-1234512345-06",
}


async def test_the_rechnungsdaten_modal_opens_from_app_home_with_what_is_stored(
    app: RunningApp,
) -> None:
    await services.set_billing_details(
        app.ctx,
        app.signer.team_id,
        BillingDetails.checked(company="Alt AG", country="AT", vat_id="ATU13585627"),
        app.clock.now(),
    )
    home = await _home(app)
    assert "Rechnungsdaten:* Alt AG, AT · USt-IdNr. ATU13585627" in block_text(
        home, "billing_details"
    )
    modal = await _details_modal(app)
    assert modal["callback_id"] == blocks.CALLBACK_DETAILS
    assert modal["title"]["text"] == "Rechnungsdaten"
    inputs = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert inputs["company"]["initial_value"] == "Alt AG"
    assert inputs["vat_id"]["initial_value"] == "ATU13585627"
    assert "initial_value" not in inputs["street"]
    assert inputs["sepa_signed"]["type"] == "datepicker"
    assert list(inputs) == [*GOOD, "sepa_mandate", "sepa_iban", "sepa_signed"]


async def test_the_modal_speaks_english_to_an_english_admin(app: RunningApp) -> None:
    modal = await _details_modal(app, OWNER)
    text = view_text(modal)
    assert modal["title"]["text"] == "Billing details"
    assert "VAT ID" in text
    assert "All prices are excl. VAT." in text


async def test_a_bad_vat_id_is_answered_inline_and_nothing_is_stored(app: RunningApp) -> None:
    modal = await _details_modal(app)
    answer = await submit(app, modal, typed={**GOOD, "vat_id": "DE123456789"})
    body = answer.json()
    assert body == {
        "response_action": "errors",
        "errors": {
            "vat_id": "Diese USt-IdNr. ist nicht gültig: Format, Prüfziffer oder Land passen nicht."
        },
    }
    assert await _stored(app) == BillingDetails()
    assert app.mock.calls_to("views.update") == []


async def test_a_vat_id_of_another_country_than_the_one_given_is_refused(app: RunningApp) -> None:
    modal = await _details_modal(app, OWNER)
    answer = await submit(app, modal, user=OWNER, typed={**GOOD, "country": "FR"})
    assert answer.json()["errors"] == {
        "vat_id": "This VAT ID is not valid: its format, check digits or country do not match."
    }
    assert await _stored(app) == BillingDetails()


async def test_good_rechnungsdaten_are_stored_and_shown(app: RunningApp) -> None:
    modal = await _details_modal(app)
    before = len(app.mock.calls_to("views.publish"))
    shown = await submit_and_see(app, modal, typed=GOOD)

    assert view_text(shown).startswith("Rechnungsdaten\nRechnungsdaten gespeichert.")
    assert await _stored(app) == BillingDetails(
        company="Muster GmbH",
        street="Hauptstraße 1",
        postcode="10115",
        city="Berlin",
        country="DE",
        vat_id="DE123456788",
        invoice_email="rechnung@muster.example",
        buyer_reference="04011000-1234512345-06",
    )
    await app.mock.wait_for("views.publish", before + 1)
    line = block_text(app.mock.home[ADMIN], "billing_details")
    assert "Muster GmbH, Hauptstraße 1, 10115 Berlin, DE · USt-IdNr. DE123456788" in line
    assert "Zahlung per Überweisung" in line
    [entry, *_] = await services.audit_log(app.ctx, app.signer.team_id)
    assert (entry.action, entry.actor) == ("billing_details_set", ADMIN)


async def test_the_overview_modal_has_the_button_too_and_is_redrawn_below(app: RunningApp) -> None:
    overview = await open_overview(app)
    assert "Noch keine Rechnungsdaten hinterlegt; Rechnungen gehen an T0ADDONS1." in block_text(
        overview, "billing_details"
    )
    modal = await press(app, overview, blocks.ACTION_OPEN_DETAILS, "open")
    assert modal["previous_view_id"] == overview["id"]
    before = len(app.mock.calls_to("views.update"))
    await submit(app, modal, typed=GOOD)
    await app.mock.wait_for_view_update(overview["id"], after=before)
    assert "Muster GmbH" in block_text(app.mock.views[overview["id"]], "billing_details")


async def test_members_cannot_store_rechnungsdaten(app: RunningApp) -> None:
    modal = await _details_modal(app)  # drawn for an admin
    shown = await submit_and_see(app, modal, user=MEMBER, typed=GOOD)
    assert "Das dürfen nur Admins" in view_text(shown)
    assert await _stored(app) == BillingDetails()


async def test_a_sepa_mandate_is_stored_and_the_invoice_says_when_it_is_debited(
    app: RunningApp,
) -> None:
    modal = await _details_modal(app)
    half = {**GOOD, "sepa_mandate": "M-1"}
    answer = await submit(app, modal, typed=half)
    assert answer.json()["errors"] == {
        "sepa_iban": "Für ein SEPA-Mandat bitte Mandatsreferenz, IBAN und Datum angeben."
    }
    whole = {**half, "sepa_iban": "DE89 3704 0044 0532 0130 00", "sepa_signed": "2026-04-01"}
    await submit_and_see(app, modal, typed=whole)
    assert (await _stored(app)).mandate == SepaMandate(
        "M-1", "DE89370400440532013000", date(2026, 4, 1)
    )
    assert "Mandat M-1, DE89 **** 3000, unterschrieben am 01.04.2026" in block_text(
        await _home(app), "billing_details"
    )

    await book_directly(app, "users", 3)  # 17,70 € a month; 8,56 € for 03.04.–17.04.
    advance_days(app, 15)  # 18.04.2026: the invoice of the period 18.04.–17.05.
    [turn] = await services.billing_run(app.ctx, app.clock.now())
    assert turn.invoice is not None
    message = await _dm(app)
    text = "\n".join(str(b) for b in message["blocks"])
    assert message["text"] == (
        "Ihre Sammelrechnung Nr. 1 vom 18.04.2026 ist erstellt: 26,26 € netto, 31,25 € brutto."
    )
    assert "Rechnungsdatum 18.04.2026, Abrechnungszeitraum 18.04.2026–17.05.2026" in text
    assert "Summe netto: 26,26 €" in text
    assert "USt. 19 %: 4,99 €" in text
    assert "Gesamtbetrag brutto: 31,25 €" in text
    assert (
        "Der Betrag von 31,25 € wird am 02.05.2026 von DE89 **** 3000 abgebucht "
        "(Mandat M-1, Gläubiger-ID DE98ZZZ09999999999)." in text
    )


async def test_the_modal_shows_the_mandates_iban_masked_and_keeps_it_when_left_as_shown(
    app: RunningApp,
) -> None:
    mandate = SepaMandate("M-1", "DE89370400440532013000", date(2026, 4, 1))
    details = BillingDetails.checked(company="Alt AG")
    await services.set_billing_details(
        app.ctx, app.signer.team_id, replace(details, mandate=mandate), app.clock.now()
    )
    modal = await _details_modal(app)
    inputs = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert inputs["sepa_iban"]["initial_value"] == "DE89 **** 3000"
    assert "DE89370400440532013000" not in str([c.params for c in app.mock.calls])
    shown = {"company": "Neu AG", "sepa_mandate": "M-1", "sepa_iban": "DE89 **** 3000"}
    await submit_and_see(app, modal, typed={**shown, "sepa_signed": "2026-04-01"})
    stored = await _stored(app)
    assert (stored.company, stored.mandate) == ("Neu AG", mandate)


async def test_a_mandate_signed_after_today_is_refused_inline(app: RunningApp) -> None:
    modal = await _details_modal(app)
    typed = {"sepa_mandate": "M-1", "sepa_iban": "DE89370400440532013000"}
    answer = await submit(app, modal, typed={**typed, "sepa_signed": "2026-04-10"})
    assert list(answer.json()["errors"]) == ["sepa_signed"]
    assert (await _stored(app)).mandate is None


async def test_without_a_mandate_the_invoice_asks_for_a_transfer(app: RunningApp) -> None:
    await book_directly(app, "users", 1)
    advance_days(app, 15)
    await services.billing_run(app.ctx, app.clock.now())
    message = await _dm(app)
    text = "\n".join(str(b) for b in message["blocks"])
    assert "Zahlbar bis 02.05.2026 ohne Abzug auf IBAN DE02120300000000202051." in text


async def _dm(app: RunningApp) -> dict[str, Any]:
    """Deliver the queued direct messages as the schedule does; the first one sent."""
    client = AsyncWebClient(token=BOT_TOKEN, base_url=app.mock.url)
    await deliver_due(app.ctx, client, app.clock, renderer(app.ctx, client, "de"))
    [call, *_] = app.mock.calls_to("chat.postMessage")
    return dict(call.params)


async def test_a_withdrawn_row_reads_as_not_charged(app: RunningApp) -> None:
    addon = await book_directly(app, "users", 2)
    overview = await open_overview(app)
    confirmation = await press(app, overview, blocks.ACTION_CANCEL, str(addon.id))
    await submit_and_see(app, confirmation)  # Bestätigen: a Widerruf, on the day of booking
    again = await open_overview(app)
    row = row_text(again, addon.id)
    assert "— (nicht berechnet)" in row
    assert "11,80" not in row
    listed = await _reply(app, "liste")
    assert f"Nr. {addon.id}: Zusätzliche Benutzer (+2), — (nicht berechnet)," in listed


async def test_addons_rechnung_lists_the_correction_next_to_its_invoice(app: RunningApp) -> None:
    advance_days(app, 14)  # 17.04.2026, the last day of the period 18.03.–17.04.
    addon = await book_directly(app, "users", 1)  # 0,19 € as a draft
    advance_days(app, 1)
    await services.billing_run(app.ctx, app.clock.now())  # no. 1: 0,19 € + 5,90 €
    advance_days(app, 2)  # 20.04.2026: inside the withdrawal window
    overview = await open_overview(app)
    confirmation = await press(app, overview, blocks.ACTION_CANCEL, str(addon.id))
    await submit_and_see(app, confirmation)
    listed = await _reply(app, "rechnung")
    assert (
        "Nr. 1 vom 18.04.2026: 6,09 € netto, 7,25 € brutto\n"
        "↳ Rechnungskorrektur K-1 vom 20.04.2026: -6,09 € netto, -7,25 € brutto"
    ) in listed
    assert "Nr. 1 of Apr 18, 2026" not in listed


async def test_the_booking_dialog_says_what_the_next_sammelrechnung_carries(
    app: RunningApp,
) -> None:
    overview = await open_overview(app)  # 03.04.2026, in the period 18.03.–17.04.
    confirmation = await press(app, overview, blocks.ACTION_ADD, "users", typed={"qty_users": "3"})
    assert block_text(confirmation, "explanation") == (
        "Die Leistung steht Ihnen sofort zur Verfügung. Ihre nächste Sammelrechnung am "
        "18.04.2026 enthält dafür 26,26 € zzgl. USt.: anteilig 8,56 € und 17,70 € für den "
        "Monat ab 18.04.2026. Danach kostet die Option 17,70 € zzgl. USt., monatlich im Voraus "
        "abgerechnet, bis Sie sie kündigen."
    )
    assert "Anteilig 03.04.2026–17.04.2026*\n8,56 € zzgl. USt." in view_text(confirmation)


async def test_a_booking_on_the_first_day_of_a_period_is_a_whole_month(app: RunningApp) -> None:
    advance_days(app, 15)  # 18.04.2026: the first day of the period 18.04.–17.05.
    await services.billing_run(app.ctx, app.clock.now())
    overview = await open_overview(app)
    confirmation = await press(app, overview, blocks.ACTION_ADD, "users")
    text = view_text(confirmation)
    assert "Ganzer Monat 18.04.2026–17.05.2026*\n5,90 € zzgl. USt." in text
    assert "nteilig" not in text
    assert (
        "Ihre nächste Sammelrechnung am 18.05.2026 enthält dafür 11,80 € zzgl. USt.: 5,90 € für "
        "den Monat ab 18.04.2026 und 5,90 € für den Monat ab 18.05.2026."
    ) in text
    done = await submit_and_see(app, confirmation)
    assert "nteilig" not in view_text(done)
    assert "5,90 € für den Monat ab 18.04.2026" in view_text(done)


async def _reply(app: RunningApp, text: str, user: str = ADMIN) -> str:
    """Type ``/addons <text>``; the text of the ephemeral answer."""
    call = await app.send(app.signer.slash_command(user_id=user, text=text), "response_url")
    message = call.params
    return "\n".join([str(message.get("text", "")), *texts(message.get("blocks", []))])


async def test_with_one_bot_token_the_buyer_without_a_company_is_the_slack_name(
    app: RunningApp,
) -> None:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=app.mock.url)
    assert (await _stored_workspace(app)).slack_name is None
    assert await learn_slack_name(client, app.ctx) == "Acme"  # auth.test's team
    assert (await _stored_workspace(app)).slack_name == "Acme"
    [upcoming] = await services.preview_invoices(app.ctx, app.signer.team_id, app.clock.now())
    assert upcoming.terms is not None
    assert upcoming.terms.buyer.name == "Acme"


async def test_a_slack_that_does_not_answer_auth_test_changes_nothing(app: RunningApp) -> None:
    app.mock.fail("auth.test", status=500)
    client = AsyncWebClient(token=BOT_TOKEN, base_url=app.mock.url, retry_handlers=[])
    assert await learn_slack_name(client, app.ctx) is None
    assert (await _stored_workspace(app)).slack_name is None


async def _stored_workspace(app: RunningApp) -> Subscription:
    return await services.get_workspace(app.ctx, app.signer.team_id)
