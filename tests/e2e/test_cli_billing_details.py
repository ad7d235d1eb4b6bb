"""`workspace set`'s Rechnungsdaten, SEPA mandate and Tarif, through the command line:
each option changes only its value, a bad one is refused in one line and changes nothing,
`workspace show` prints what is stored, and invoices carry it (issue 20)."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_cli import NO_BILLING_DETAILS, TEAM, Cli, dump, run
from tests.environment import SELLER_ENV

ADDRESS = (
    "--company", "Acme GmbH",
    "--street", "Hauptstr. 1",
    "--postcode", "10115",
    "--city", "Berlin",
    "--country", "de",
    "--vat-id", "DE 136 695 976",
    "--invoice-email", "rechnung@acme.example",
    "--buyer-reference", "991-01234-56",
)  # fmt: skip
MANDATE = (
    "--sepa-mandate", "MR-0001",
    "--sepa-iban", "DE89 3704 0044 0532 0130 00",
    "--sepa-signed", "2026-03-01",
)  # fmt: skip
TARIF = ("--plan", "CloudCRM Business", "--plan-price", "49.00")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No stray .env or ADDONS_* variable decides anything here; a whole seller that
    can collect by direct debit (its Gläubiger-ID: the Bundesbank's test id)."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("ADDONS_", "SLACK_")):
            monkeypatch.delenv(name)
    for name, value in SELLER_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ADDONS_SELLER_CREDITOR_ID", "DE98ZZZ09999999999")


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path / "addons.db", capsys)


@pytest.fixture
def workspace(cli: Cli) -> str:
    assert cli("workspace", "set", TEAM, "--anchor", "2026-03-18", day="2026-03-18") == 0
    return TEAM


def shown(cli: Cli) -> dict[str, Any]:
    return dict(cli.json("workspace", "show", TEAM))


def test_the_rechnungsdaten_are_stored_checked_and_shown(cli: Cli, workspace: str) -> None:
    assert cli("workspace", "set", TEAM, *ADDRESS) == 0
    assert shown(cli)["billing_details"] == {
        "company": "Acme GmbH",
        "street": "Hauptstr. 1",
        "postcode": "10115",
        "city": "Berlin",
        "country": "DE",  # in capitals
        "vat_id": "DE136695976",  # compact
        "invoice_email": "rechnung@acme.example",
        "buyer_reference": "991-01234-56",
        "sepa_mandate": None,
    }
    assert cli("workspace", "show", TEAM) == 0
    assert (
        "Rechnungsdaten: Acme GmbH, Hauptstr. 1, 10115 Berlin, DE; USt-IdNr DE136695976; "
        "invoices to rechnung@acme.example; buyer reference 991-01234-56." in cli.out
    )
    assert "SEPA mandate: none (invoices ask for a transfer)." in cli.out
    assert "Tarif: none" in cli.out
    [entry, *_] = cli.json("audit", TEAM)
    assert (entry["actor"], entry["action"]) == ("operator", "workspace_set")
    assert entry["detail"]["company"] == "Acme GmbH"
    assert entry["detail"]["vat_id"] == "DE136695976"


def test_each_option_changes_only_its_value_and_an_empty_one_clears_it(
    cli: Cli, workspace: str
) -> None:
    cli("workspace", "set", TEAM, *ADDRESS, *MANDATE, *TARIF)
    before = shown(cli)
    assert cli("workspace", "set", TEAM, "--city", "Potsdam", "--buyer-reference", "") == 0
    after = shown(cli)
    assert after["billing_details"] == {
        **before["billing_details"],
        "city": "Potsdam",
        "buyer_reference": None,
    }
    assert after["plan"] == before["plan"]
    [entry, *_] = cli.json("audit", TEAM)
    assert {k: entry["detail"][k] for k in ("city", "buyer_reference")} == {
        "city": "Potsdam",
        "buyer_reference": None,
    }
    assert "company" not in entry["detail"]  # only what changed


def test_a_bad_value_is_refused_in_one_line_and_changes_nothing(cli: Cli, workspace: str) -> None:
    cli("workspace", "set", TEAM, *ADDRESS, *MANDATE, *TARIF)
    before = dump(cli.path)
    for argv, says in (
        (("--vat-id", "DE136695977"), "not a valid --vat-id: 'DE136695977'"),  # check digit
        (("--country", "AT"), "not a valid --vat-id: 'DE136695976'"),  # no longer its country
        (("--country", "Deutschland"), "not a valid --country: 'Deutschland'"),
        (("--invoice-email", "rechnung.acme"), "not a valid --invoice-email"),
        (("--company", "x" * 201), "not a valid --company"),
        (
            ("--sepa-mandate", "MR-2", "--sepa-iban", "DE89 3704 0044 0532 0130 01",
             "--sepa-signed", "2026-03-01"),
            "not a valid --sepa-iban: 'DE89 3704 0044 0532 0130 01'",
        ),
        (
            ("--sepa-mandate", "MR-2", "--sepa-iban", "DE89370400440532013000",
             "--sepa-signed", "2026-04-04"),
            "not a valid --sepa-signed: '2026-04-04' (YYYY-MM-DD, not after today)",
        ),
        (("--sepa-mandate", "MR-2"), "--sepa-iban is missing"),
        (("--no-sepa-mandate", "--sepa-mandate", "MR-2"), "cannot go with --sepa-mandate"),
        (("--plan-price", "49.001"), "not a valid --plan-price: '49.001'"),
        (("--plan-price", "-1"), "not a valid --plan-price"),
        (("--plan", ""), "not a valid --plan: ''"),
        (("--no-plan", "--plan-price", "5"), "--no-plan cannot go with"),
        (("--company", "Other AG", "--vat-id", "DE1"), "not a valid --vat-id: 'DE1'"),
    ):  # fmt: skip
        line = cli.refused("workspace", "set", TEAM, *argv)
        assert says in line, line
    assert dump(cli.path) == before
    assert shown(cli)["billing_details"]["company"] == "Acme GmbH"


def test_a_refusal_from_a_real_process_is_one_line_with_exit_two(cli: Cli, workspace: str) -> None:
    before = dump(cli.path)
    done = run("workspace", "set", TEAM, "--vat-id", "ATU1234567", database=cli.path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "not a valid --vat-id: 'ATU1234567'" in done.stderr
    assert dump(cli.path) == before


def test_a_sepa_mandate_is_shown_masked_and_can_be_revoked(cli: Cli, workspace: str) -> None:
    assert cli("workspace", "set", TEAM, *MANDATE) == 0
    assert shown(cli)["billing_details"]["sepa_mandate"] == {
        "reference": "MR-0001",
        "iban": "DE89 **** 3000",
        "signed_on": "2026-03-01",
    }
    assert cli("workspace", "show", TEAM) == 0
    assert "SEPA mandate: MR-0001, IBAN DE89 **** 3000, signed 2026-03-01" in cli.out
    assert "0532013000" not in cli.out
    assert "0532013000" not in json.dumps(cli.json("audit", TEAM))  # the IBAN masked there too
    # an invoice issued with the mandate is debited from that account
    cli("addons", "book", TEAM, "users", "1", "--by", "ops")
    [issued] = cli.json("billing", "run", "--as-of", "2026-04-18", day="2026-04-18")["issued"]
    assert issued["payment"]["method"] == "sepa_direct_debit"
    assert issued["payment"]["debtor_iban"] == "DE89 **** 3000"
    assert cli("workspace", "set", TEAM, "--no-sepa-mandate", day="2026-04-20") == 0
    assert shown(cli)["billing_details"] == NO_BILLING_DETAILS
    preview = cli.json("invoice", "preview", TEAM, day="2026-04-20")
    assert preview["payment"]["method"] == "transfer"


def test_a_tarif_rides_first_on_every_sammelrechnung_and_a_new_price_from_the_next(
    cli: Cli, workspace: str
) -> None:
    assert cli("workspace", "set", TEAM, *TARIF) == 0
    assert shown(cli)["plan"] == {"name": "CloudCRM Business", "price": "49.00"}
    assert cli("workspace", "show", TEAM) == 0
    assert "Tarif: CloudCRM Business, 49.00 EUR per month excl. VAT" in cli.out
    cli("addons", "book", TEAM, "users", "1", "--by", "ops")
    [april] = cli.json("billing", "run", "--as-of", "2026-04-18", day="2026-04-18")["issued"]
    assert [(line["kind"], line.get("name"), line["amount"]) for line in april["lines"]] == [
        ("plan", "CloudCRM Business", "49.00"),
        ("proration", None, "2.85"),
        ("renewal", None, "5.90"),
    ]
    assert (april["total"], april["vat"], april["gross"]) == ("57.75", "10.97", "68.72")
    # a new price only: the name stays, the invoice issued already keeps the old price
    assert cli("workspace", "set", TEAM, "--plan-price", "59", day="2026-04-20") == 0
    assert shown(cli)["plan"] == {"name": "CloudCRM Business", "price": "59.00"}
    assert cli.json("invoices", "show", "1") == april
    [may] = cli.json("billing", "run", "--as-of", "2026-05-18", day="2026-05-18")["issued"]
    assert may["lines"][0]["amount"] == "59.00"
    assert cli("invoices", "show", "2") == 0
    assert "CloudCRM Business" in cli.out
    assert "total net (excl. VAT)" in cli.out
    assert "VAT 19.00 % (S)" in cli.out
    assert cli("workspace", "set", TEAM, "--no-plan", day="2026-05-20") == 0
    assert shown(cli)["plan"] is None
    assert cli.json("invoice", "preview", TEAM, day="2026-05-20")["lines"][0]["kind"] != "plan"


def test_a_tarif_price_without_a_tarif_needs_its_name(cli: Cli, workspace: str) -> None:
    assert "not a valid --plan: ''" in cli.refused("workspace", "set", TEAM, "--plan-price", "9")
    assert "not a valid --plan-price: ''" in cli.refused(
        "workspace", "set", TEAM, "--plan", "CloudCRM Business"
    )
    assert shown(cli)["plan"] is None


def test_a_change_of_the_rechnungsdaten_is_told_to_cloudcrm_once(cli: Cli, workspace: str) -> None:
    def updates() -> list[dict[str, Any]]:
        with sqlite3.connect(cli.path) as conn:
            rows = conn.execute(
                "SELECT body FROM events WHERE type = 'workspace.updated' ORDER BY sequence"
            ).fetchall()
        return [json.loads(body)["data"] for (body,) in rows]

    assert updates() == []
    cli("workspace", "set", TEAM, "--company", "Acme GmbH", *TARIF)
    [told] = updates()
    assert told["billing_details"]["company"] == "Acme GmbH"
    assert told["plan"] == {"name": "CloudCRM Business", "price": "49.00"}
    cli("workspace", "set", TEAM, "--company", "Acme GmbH")  # the same again: nothing new
    assert len(updates()) == 1
    cli("workspace", "set", TEAM, "--locale", "en")  # not CloudCRM's: nothing new
    assert len(updates()) == 1
    cli("workspace", "set", TEAM, "--no-plan")
    assert [u["plan"] for u in updates()] == [{"name": "CloudCRM Business", "price": "49.00"}, None]


def test_the_export_has_corrections_and_the_vat_columns(cli: Cli, workspace: str) -> None:
    cli("workspace", "set", TEAM, "--customer", "C-4711", *TARIF)
    cli("addons", "book", TEAM, "users", "1", "--by", "ops", day="2026-04-17")
    cli("billing", "run", "--as-of", "2026-04-18", day="2026-04-18")
    cli("addons", "cancel", TEAM, "1", "--by", "ops", day="2026-04-20")  # withdrawn: K-1
    span = ("invoices", "export", "--from", "2026-04-01", "--to", "2026-04-30")
    assert cli(*span, day="2026-04-21") == 0
    rows = list(csv.DictReader(io.StringIO(cli.out)))
    assert [
        (r["document_type"], r["document_number"], r["invoice_number"], r["corrects"]) for r in rows
    ] == [
        ("invoice", "1", "1", ""),
        ("invoice", "1", "1", ""),
        ("invoice", "1", "1", ""),
        ("correction", "K-1", "", "1"),
        ("correction", "K-1", "", "1"),
    ]
    assert [(r["line_kind"], r["line_name"], r["line_amount"]) for r in rows] == [
        ("plan", "CloudCRM Business", "49.00"),
        ("proration", "", "0.19"),
        ("renewal", "", "5.90"),
        ("credit", "", "-0.19"),
        ("credit", "", "-5.90"),
    ]
    invoice, correction = rows[0], rows[-1]
    assert (invoice["net"], invoice["vat"], invoice["gross"]) == ("55.09", "10.47", "65.56")
    assert (correction["net"], correction["vat"], correction["gross"]) == (
        "-6.09",
        "-1.16",
        "-7.25",
    )
    assert {(r["tax_category"], r["tax_rate"]) for r in rows} == {("S", "19.00")}
    assert {r["customer"] for r in rows} == {"C-4711"}
    assert correction["invoice_total"] == "-6.09"
    assert cli(*span, "--format", "json", day="2026-04-21") == 0
    parsed = [json.loads(line) for line in cli.out.splitlines()]
    assert [(p["document_number"], p["line_amount"], p["gross"]) for p in parsed] == [
        (r["document_number"], r["line_amount"], r["gross"]) for r in rows
    ]
    assert parsed[-1]["corrects"] == 1
    assert parsed[-1]["invoice_number"] is None


def test_a_withdrawal_says_what_was_refunded_and_what_left_the_entwurf_apart(
    cli: Cli, workspace: str
) -> None:
    cli("workspace", "set", TEAM, "--customer", "C-4711")
    cli("addons", "book", TEAM, "users", "1", "--by", "ops", day="2026-04-17")
    [issued] = cli.json("billing", "run", "--as-of", "2026-04-18", day="2026-04-18")["issued"]
    assert issued["customer"] == "C-4711"
    # booked again on 19 April: a draft only, never invoiced
    cli("addons", "book", TEAM, "storage", "1", "--by", "ops", day="2026-04-19")
    invoiced = cli.json("addons", "cancel", TEAM, "1", "--by", "ops", day="2026-04-20")
    # 0.19 + 5.90 were invoiced: refunded; May's renewal was only in the Entwurf
    assert (invoiced["refund"], invoiced["refund_gross"], invoiced["removed_from_drafts"]) == (
        "6.09",
        "7.25",
        "5.90",
    )
    [correction] = invoiced["corrections"]
    assert (correction["customer"], correction["gross"]) == ("C-4711", "-7.25")
    drafted = cli.json("addons", "cancel", TEAM, "2", "--by", "ops", day="2026-04-20")
    # 5.90 × 29/30 = 5.70 for 19.04.–17.05. and the renewal 5.90 leave the Entwurf
    assert (drafted["refund"], drafted["refund_gross"], drafted["removed_from_drafts"]) == (
        "0.00",
        "0.00",
        "11.60",
    )
    assert drafted["corrections"] == []
    audit = [e for e in cli.json("audit", TEAM) if e["action"] == "withdrawal"]
    on = {"on": "2026-04-20"}
    assert [e["detail"] for e in audit] == [
        {**on, "removed_from_drafts": "11.60", "refund": "0.00", "refund_gross": "0.00"},
        {**on, "removed_from_drafts": "5.90", "refund": "6.09", "refund_gross": "7.25"},
    ]
