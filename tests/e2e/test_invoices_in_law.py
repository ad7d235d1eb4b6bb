"""Invoices that count in law, through the operator CLI as its own process: a buyer in
Germany paying by SEPA direct debit, one in Austria with a USt-IdNr (reverse charge) on a
Tarif, one outside the EU paying by transfer; a catch-up run issued today, not backdated;
withdrawals corrected in their invoice's category.

The process reads the real clock, so the story is laid out around today: the workspaces
were set up two months before the last period began, the bookings made four days before
it (in-process, at that instant), and everything else happens today.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta

from bot.entrypoints.cli import main
from tests.e2e.lifecycle_world import cli
from tests.environment import SELLER_ENV

BERLIN = ZoneInfo("Europe/Berlin")
GERMANY, AUSTRIA, ABROAD = "T0DE", "T0AT", "T0US"
BUYERS = {
    GERMANY: [
        "--company", "Kunde GmbH", "--street", "Hauptstraße 5", "--postcode", "80331",
        "--city", "München", "--country", "DE", "--vat-id", "DE123456788",
        "--invoice-email", "rechnung@kunde.example",
        "--sepa-mandate", "M-2026-7", "--sepa-iban", "DE02 1203 0000 0000 2020 51",
    ],
    AUSTRIA: [
        "--company", "Klient GmbH", "--street", "Ring 1", "--postcode", "1010",
        "--city", "Wien", "--country", "AT", "--vat-id", "ATU13585627",
        "--plan", "CloudCRM Business", "--plan-price", "49.00",
    ],
    ABROAD: [
        "--company", "Client Inc.", "--street", "1 Main St", "--postcode", "10001",
        "--city", "New York", "--country", "US", "--buyer-reference", "PO-4711",
    ],
}  # fmt: skip


def today() -> date:
    return datetime.now(BERLIN).date()


def last_period_start() -> date:
    """A period start two to five days ago, on a day every month has."""
    start = today() - timedelta(days=2)
    return start if start.day <= 28 else start.replace(day=28)


def vat_of(net: Decimal) -> Decimal:
    return (net * Decimal("0.19")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def ok(database: str, *argv: str) -> Any:
    done = cli(database, *argv, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def book_back_then(database: Path, team: str, day: date) -> None:
    """An admin's booking on ``day`` (the CLI in-process: a process reads today's clock)."""
    argv = ["addons", "book", team, "users", "3", "--by", "anna", "--json"]
    at = datetime(day.year, day.month, day.day, 10, tzinfo=BERLIN)
    assert main([*argv, "--database", str(database)], now=at.astimezone(UTC)) == 0


@pytest.fixture
def story(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """Three workspaces set up, booked, and the billing run catching up today."""
    database = tmp_path / "addons.db"
    start = last_period_start()
    anchor = start - relativedelta(months=2)
    for team, buyer in BUYERS.items():
        extra = ["--sepa-signed", (anchor - timedelta(days=1)).isoformat()]
        argv = ["workspace", "set", team, "--anchor", anchor.isoformat()]
        ok(str(database), *argv, "--as-of", anchor.isoformat(), *buyer,
           *(extra if team == GERMANY else []))  # fmt: skip
    booked = start - timedelta(days=4)
    for team in BUYERS:
        book_back_then(database, team, booked)
    capsys.readouterr()
    run = ok(str(database), "billing", "run")
    return {"database": str(database), "start": start, "anchor": anchor, "run": run}


def issued_to(story: dict[str, Any], team: str) -> list[dict[str, Any]]:
    return [i for i in story["run"]["issued"] if i["team_id"] == team]


def test_a_catch_up_run_issues_every_invoice_today_each_naming_its_period(
    story: dict[str, Any],
) -> None:
    issued = story["run"]["issued"]
    assert [i["number"] for i in issued] == list(range(1, len(issued) + 1))
    assert {i["issued_on"] for i in issued} == {today().isoformat()}  # nothing backdated
    for invoice in issued_to(story, GERMANY):
        assert invoice["period_start"] == story["start"].isoformat()
        kinds = [line["kind"] for line in invoice["lines"]]
        assert kinds == ["proration", "renewal"]
        assert invoice["lines"][0]["to"] == (story["start"] - timedelta(days=1)).isoformat()
    again = ok(story["database"], "billing", "run")
    assert again["issued"] == []


def test_every_invoice_names_the_seller_and_the_buyer(story: dict[str, Any]) -> None:
    for invoice in story["run"]["issued"]:
        seller = invoice["seller"]
        assert seller["name"] == SELLER_ENV["ADDONS_SELLER_NAME"]
        assert seller["vat_id"] == SELLER_ENV["ADDONS_SELLER_VAT_ID"]
        assert seller["iban"] == SELLER_ENV["ADDONS_SELLER_IBAN"]
    [german] = issued_to(story, GERMANY)
    assert german["buyer"] == {
        "name": "Kunde GmbH",
        "street": "Hauptstraße 5",
        "postcode": "80331",
        "city": "München",
        "country": "DE",
        "vat_id": "DE123456788",
        "email": "rechnung@kunde.example",
        "reference": None,
    }
    [american] = issued_to(story, ABROAD)
    assert american["buyer"]["reference"] == "PO-4711"


def test_a_german_buyer_pays_19_percent_by_direct_debit(story: dict[str, Any]) -> None:
    [invoice] = issued_to(story, GERMANY)
    net = Decimal(invoice["net"])
    assert net == Decimal(invoice["total"]) == sum(Decimal(x["amount"]) for x in invoice["lines"])
    assert Decimal(invoice["vat"]) == vat_of(net) > 0
    assert Decimal(invoice["gross"]) == net + vat_of(net)
    assert invoice["tax"] == [
        {"category": "S", "rate": "19.00", "basis": str(net), "amount": str(vat_of(net))}
    ]
    assert invoice["payment"] == {
        "method": "sepa_direct_debit",
        "due_on": (today() + timedelta(days=14)).isoformat(),
        "mandate_reference": "M-2026-7",
        "debtor_iban": "DE02 **** 2051",
        "creditor_id": "DE98ZZZ09999999999",
        "iban": SELLER_ENV["ADDONS_SELLER_IBAN"],
        "bic": SELLER_ENV["ADDONS_SELLER_BIC"],
    }


def test_an_austrian_business_is_reverse_charged_on_its_tarif_and_add_ons(
    story: dict[str, Any],
) -> None:
    invoices = issued_to(story, AUSTRIA)
    # the Tarif gives every period an invoice: the one caught up and the last one
    assert [i["period_start"] for i in invoices] == [
        (story["anchor"] + relativedelta(months=1)).isoformat(),
        story["start"].isoformat(),
    ]
    for invoice in invoices:
        plan = invoice["lines"][0]
        assert (plan["kind"], plan["name"], plan["amount"]) == (
            "plan",
            "CloudCRM Business",
            "49.00",
        )
        assert (plan["from"], plan["to"]) == (invoice["period_start"], invoice["period_end"])
        assert invoice["tax"] == [
            {"category": "AE", "rate": "0.00", "basis": invoice["net"], "amount": "0.00"}
        ]
        assert invoice["vat"] == "0.00"
        assert invoice["gross"] == invoice["net"] == invoice["total"]
        assert invoice["buyer"]["vat_id"] == "ATU13585627"
        assert invoice["payment"]["method"] == "transfer"
    assert [line["kind"] for line in invoices[0]["lines"]] == ["plan"]
    assert [line["kind"] for line in invoices[1]["lines"]] == ["plan", "proration", "renewal"]


def test_a_buyer_outside_the_eu_is_not_subject_to_german_vat_and_pays_by_transfer(
    story: dict[str, Any],
) -> None:
    [invoice] = issued_to(story, ABROAD)
    assert invoice["tax"][0]["category"] == "O"
    assert (invoice["vat"], invoice["gross"]) == ("0.00", invoice["net"])
    assert invoice["payment"]["method"] == "transfer"
    assert invoice["payment"]["iban"] == SELLER_ENV["ADDONS_SELLER_IBAN"]
    assert invoice["payment"]["debtor_iban"] is None


def withdraw(story: dict[str, Any], team: str) -> dict[str, Any]:
    """Kündigen today, within 14 days of the booking: a withdrawal, refunded at once."""
    [addon] = ok(story["database"], "addons", "list", team)
    return ok(story["database"], "addons", "cancel", team, str(addon["id"]), "--by", "anna")  # type: ignore[no-any-return]


def test_a_withdrawal_corrects_a_reverse_charge_invoice_in_its_category(
    story: dict[str, Any],
) -> None:
    withdraw(story, AUSTRIA)
    [invoice] = [i for i in issued_to(story, AUSTRIA) if len(i["lines"]) == 3]
    correction = ok(story["database"], "invoices", "show", "K-1")
    assert correction["corrects"] == invoice["number"]
    assert correction["issued_on"] == today().isoformat()
    add_ons = sum(Decimal(x["amount"]) for x in invoice["lines"][1:])
    assert Decimal(correction["net"]) == -add_ons  # the Tarif stays charged
    assert correction["tax"] == [
        {"category": "AE", "rate": "0.00", "basis": str(-add_ons), "amount": "0.00"}
    ]
    assert correction["buyer"] == invoice["buyer"]


def test_a_withdrawal_reverses_the_net_and_the_vat_of_a_german_invoice(
    story: dict[str, Any],
) -> None:
    withdraw(story, GERMANY)
    [invoice] = issued_to(story, GERMANY)
    correction = ok(story["database"], "invoices", "show", "K-1")
    assert correction["corrects"] == invoice["number"]
    assert correction["net"] == "-" + invoice["net"]
    assert correction["vat"] == "-" + invoice["vat"]
    assert correction["gross"] == "-" + invoice["gross"]


def test_the_rechnungsdaten_are_shown_and_a_bad_one_changes_nothing(
    story: dict[str, Any],
) -> None:
    before = ok(story["database"], "workspace", "show", GERMANY)
    details = before["billing_details"]
    assert (details["company"], details["vat_id"]) == ("Kunde GmbH", "DE123456788")
    assert details["sepa_mandate"]["iban"] == "DE02 **** 2051"
    done = cli(story["database"], "workspace", "set", GERMANY, "--vat-id", "DE123456789")
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert "DE123456789" in done.stderr
    assert ok(story["database"], "workspace", "show", GERMANY) == before


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"ADDONS_SELLER_NAME": ""}, "ADDONS_SELLER_NAME"),
        ({"ADDONS_SELLER_IBAN": "DE02120300000000202052"}, "ADDONS_SELLER_IBAN"),
        ({"ADDONS_SELLER_VAT_ID": "", "ADDONS_SELLER_TAX_NUMBER": ""}, "ADDONS_SELLER_VAT_ID"),
    ],
)
@pytest.mark.parametrize(
    "command",
    [["billing", "run"], ["scheduler"], ["serve"], ["addons", "cancel", "T1", "1", "--by", "x"]],
)
def test_a_process_that_issues_invoices_or_corrections_does_not_start_without_a_seller(
    tmp_path: Path, change: dict[str, str], named: str, command: list[str]
) -> None:
    slack = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s" * 32}
    done = cli(str(tmp_path / "addons.db"), *command, **slack, **change)
    assert done.returncode == 2, done
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert named in line
    assert not (tmp_path / "addons.db").exists()  # refused before anything was opened


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"ADDONS_SELLER_VAT_ID": ""}, "ADDONS_SELLER_VAT_ID"),  # reverse charge needs it
        (
            {"ADDONS_SELLER_TAX_NUMBER": "", "ADDONS_SELLER_REGISTRATION": ""},
            "ADDONS_SELLER_TAX_NUMBER or ADDONS_SELLER_REGISTRATION",  # so does category O
        ),
    ],
)
def test_with_documents_on_the_seller_must_be_able_to_issue_every_category(
    tmp_path: Path, change: dict[str, str], named: str
) -> None:
    done = cli(str(tmp_path / "addons.db"), "billing", "run", ADDONS_DOCUMENTS="auto", **change)
    assert done.returncode == 2, done
    [line] = done.stderr.splitlines()
    assert named in line
