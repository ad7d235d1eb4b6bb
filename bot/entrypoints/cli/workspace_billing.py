"""`workspace set`'s Rechnungsdaten, SEPA mandate and Tarif options, and how `workspace
show` prints them. The values are checked by the use case (InvalidBillingDetail names the
field; the refusal names the option)."""

from __future__ import annotations

import argparse

from bot import services
from bot.entrypoints.cli.arguments import UsageError
from domain.catalog import Catalog
from domain.parties import InvalidBillingDetail, mask_iban
from domain.workspace import Subscription

# The Rechnungsdaten options of `workspace set`: each sets one field ("" clears it).
DETAIL_OPTIONS = (
    ("--company", "NAME", "company", "the company invoices are made out to (default: the "
     "workspace's Slack name)"),
    ("--street", "S", "street", "street and number"),
    ("--postcode", "P", "postcode", "postcode"),
    ("--city", "C", "city", "city"),
    ("--country", "CC", "country", "ISO 3166 alpha-2 country code (DE, AT, CH, ...): with "
     "--vat-id it decides the VAT category (S, AE reverse charge, O)"),
    ("--vat-id", "ID", "vat_id", "USt-IdNr (VAT id), checked for its country and check digits"),
    ("--invoice-email", "E", "invoice_email", "where invoices are sent (e-mail address)"),
    ("--buyer-reference", "R", "buyer_reference", "buyer reference (Leitweg-ID for public "
     "customers), printed on every invoice"),
)  # fmt: skip
# The option that gave a field, and what a valid value looks like, for refusals.
FIELD_OPTIONS = {
    **{field: option for option, _, field, _ in DETAIL_OPTIONS},
    "sepa_mandate": "--sepa-mandate",
    "sepa_iban": "--sepa-iban",
    "sepa_signed": "--sepa-signed",
    "plan": "--plan",
    "plan_price": "--plan-price",
}
FIELD_HINTS = {
    "country": "an ISO 3166 alpha-2 code such as DE",
    "vat_id": "a USt-IdNr with valid check digits, of the workspace's --country",
    "invoice_email": "an e-mail address",
    "postcode": "at most 16 characters",
    "buyer_reference": "at most 100 characters",
    "sepa_mandate": "the mandate reference, 1 to 35 characters",
    "sepa_iban": "an IBAN with valid check digits",
    "sepa_signed": "YYYY-MM-DD, not after today",
    "plan": "a name of 1 to 100 printable characters",
    "plan_price": "the monthly net price in EUR, such as 49.00",
}
MANDATE = ("sepa_mandate", "sepa_iban", "sepa_signed")


def add_billing_options(p: argparse.ArgumentParser) -> None:
    """`workspace set`'s Rechnungsdaten, SEPA mandate and Tarif options."""
    p.set_defaults(validate=validate_set)
    details = p.add_argument_group(
        "Rechnungsdaten (whom invoices are made out to; each option changes only its "
        "value, '' clears it)"
    )
    for option, metavar, field, text in DETAIL_OPTIONS:
        details.add_argument(option, dest=field, metavar=metavar, default=None, help=text)
    mandate = p.add_argument_group(
        "SEPA direct debit mandate (all three together; invoices are then debited, "
        "otherwise they ask for a transfer)"
    )
    mandate.add_argument("--sepa-mandate", metavar="REF", help="the mandate reference")
    mandate.add_argument("--sepa-iban", metavar="IBAN", help="the debtor's IBAN (shown masked)")
    mandate.add_argument("--sepa-signed", metavar="YYYY-MM-DD", help="the day it was signed")
    mandate.add_argument(
        "--no-sepa-mandate", action="store_true", help="revoke the mandate: pay by transfer"
    )
    plan = p.add_argument_group(
        "Tarif (the CloudCRM plan every Sammelrechnung carries first, billed in advance)"
    )
    plan.add_argument("--plan", metavar="NAME", help='the Tarif\'s name, e.g. "CloudCRM Business"')
    plan.add_argument(
        "--plan-price",
        metavar="EUR",
        help="its monthly net price excl. VAT, e.g. 49.00; the billing run reads the Tarif "
        "when it issues, so a new price applies from the next Sammelrechnung (the next "
        "period), never to one issued already",
    )
    plan.add_argument("--no-plan", action="store_true", help="remove the Tarif")


def validate_set(args: argparse.Namespace, catalog: Catalog) -> None:
    """The mandate's three options go together; a removal is not also a change."""
    given = [name for name in MANDATE if getattr(args, name) is not None]
    if args.no_sepa_mandate and given:
        raise UsageError(f"--no-sepa-mandate cannot go with {FIELD_OPTIONS[given[0]]}")
    if given and len(given) < len(MANDATE):
        missing = next(name for name in MANDATE if name not in given)
        raise UsageError(
            f"{FIELD_OPTIONS[missing]} is missing: --sepa-mandate, --sepa-iban and "
            "--sepa-signed go together (--no-sepa-mandate revokes the mandate)"
        )
    if args.no_plan and (args.plan is not None or args.plan_price is not None):
        raise UsageError("--no-plan cannot go with --plan or --plan-price")


def billing_change(args: argparse.Namespace) -> services.BillingChange:
    """What the options change of the Rechnungsdaten, the mandate and the Tarif."""
    details = {
        field: getattr(args, field)
        for _, _, field, _ in DETAIL_OPTIONS
        if getattr(args, field) is not None
    }
    mandate: services.MandateInput | services.Keep | None = services.KEEP
    if args.no_sepa_mandate:
        mandate = None
    elif args.sepa_mandate is not None:
        mandate = services.MandateInput(args.sepa_mandate, args.sepa_iban, args.sepa_signed)
    plan: services.PlanInput | services.Keep | None = services.KEEP
    if args.no_plan:
        plan = None
    elif args.plan is not None or args.plan_price is not None:
        plan = services.PlanInput(args.plan, args.plan_price)
    return services.BillingChange(details=details, mandate=mandate, plan=plan)


def refusal(error: InvalidBillingDetail) -> str:
    """An invalid value as the command line names it: its option and what fits."""
    hint = FIELD_HINTS.get(error.field)
    return f"not a valid {FIELD_OPTIONS.get(error.field, error.field)}: {error.value!r}" + (
        f" ({hint})" if hint else ""
    )


def billing_text(sub: Subscription, debits: bool) -> list[str]:
    """The Rechnungsdaten, the mandate (IBAN masked) and the Tarif, one line each;
    ``debits``: whether the seller can collect by direct debit (has a Gläubiger-ID)."""
    d = sub.details
    place = " ".join(part for part in (d.postcode, d.city) if part)
    address = ", ".join(part for part in (d.company, d.street, place, d.country) if part)
    extras = [
        f"USt-IdNr {d.vat_id}" if d.vat_id else "",
        f"invoices to {d.invoice_email}" if d.invoice_email else "",
        f"buyer reference {d.buyer_reference}" if d.buyer_reference else "",
    ]
    said = "; ".join(part for part in (address, *extras) if part)
    if not d.company:
        said = (said + "; " if said else "") + "no company: invoices name the Slack name"
    mandate = d.mandate
    debit = "SEPA mandate: none (invoices ask for a transfer)."
    if mandate is not None:
        how = "debited" if debits else "paid by transfer until ADDONS_SELLER_CREDITOR_ID is set"
        debit = (
            f"SEPA mandate: {mandate.reference}, IBAN {mask_iban(mandate.iban)}, signed "
            f"{mandate.signed_on} (invoices are {how})."
        )
    plan = (
        f"Tarif: {sub.plan.name}, {sub.plan.price} per month excl. VAT, first on every "
        "Sammelrechnung (a new price applies from the next one)."
        if sub.plan
        else "Tarif: none (invoices carry the add-ons only)."
    )
    return [f"Rechnungsdaten: {said}.", debit, plan]
