"""Seller and buyer as an invoice names them (§14 Abs. 4 UStG), and their checks.

The seller comes from settings, the buyer from the workspace's Rechnungsdaten. Each check
is offline (python-stdnum: format and check digits, no VIES lookup) and raises
``InvalidBillingDetail`` naming the field, so Slack, the CLI and CloudCRM's endpoint can
say which value is wrong.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date
from functools import cache
from typing import Any

from babel import Locale
from stdnum import iban as stdnum_iban
from stdnum.eu import at_02 as creditor_ids
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError

from domain.errors import DomainError

# The EU member states by ISO 3166 alpha-2 (Greece's VAT ids say EL, its country code GR).
EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()  # noqa: SIM905
)
HOME_COUNTRY = "DE"
# The Rechnungsdaten set one by one, in BillingDetails' order (the SEPA mandate apart).
DETAIL_FIELDS = (
    "company",
    "street",
    "postcode",
    "city",
    "country",
    "vat_id",
    "invoice_email",
    "buyer_reference",
)
# CLDR's two-letter territories that are not countries (EU, Eurozone, outlying Oceania,
# United Nations, unknown).
NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "ZZ"})
TEXT_MAX = 200


class InvalidBillingDetail(DomainError):
    """One of the Rechnungsdaten (or a seller setting) is missing or malformed."""

    code = "invalid_billing_detail"

    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"not a valid {field}: {value!r}")
        self.field = field
        self.value = value

    def params(self) -> dict[str, object]:
        return {"field": self.field, "value": self.value}


def _text(field: str, value: str | None, *, limit: int = TEXT_MAX) -> str | None:
    """``value`` stripped, None when blank; refused when too long or not printable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > limit or not value.isprintable():
        raise InvalidBillingDetail(field, value)
    return value


def check_country(value: str | None) -> str | None:
    """An ISO 3166 alpha-2 code in capitals ("de" → "DE"), None when blank."""
    text = _text("country", value)
    if text is None:
        return None
    if text.upper() not in iso_countries():  # "EL" and "UK" are VAT prefixes, not countries
        raise InvalidBillingDetail("country", text)
    return text.upper()


@cache
def iso_countries() -> frozenset[str]:
    """Every ISO 3166 alpha-2 country code (CLDR's territories, as Babel ships them)."""
    territories = Locale("en").territories
    codes = {code for code in map(str, territories) if len(code) == 2 and code.isalpha()}
    return frozenset(codes - NOT_COUNTRIES)


def check_vat_id(value: str | None, country: str | None) -> str | None:
    """A USt-IdNr in its compact form, valid (check digits) and of ``country`` if known."""
    text = _text("vat_id", value)
    if text is None:
        return None
    try:
        compact = str(eu_vat.validate(text))
    except ValidationError:
        raise InvalidBillingDetail("vat_id", text) from None
    prefix = "GR" if compact[:2] == "EL" else compact[:2]
    if country is not None and prefix != country:
        raise InvalidBillingDetail("vat_id", text)
    return compact


def check_iban(value: str | None, field: str = "iban") -> str | None:
    """An IBAN in its compact form (check digits verified), None when blank."""
    text = _text(field, value)
    if text is None:
        return None
    try:
        return str(stdnum_iban.validate(text))
    except ValidationError:
        raise InvalidBillingDetail(field, text) from None


def check_creditor_id(value: str | None) -> str | None:
    """A SEPA Gläubiger-ID in its compact form, None when blank."""
    text = _text("creditor_id", value)
    if text is None:
        return None
    try:
        return str(creditor_ids.validate(text))
    except ValidationError:
        raise InvalidBillingDetail("creditor_id", text) from None


def check_email(value: str | None, field: str = "invoice_email") -> str | None:
    """An address with one @ and a dot in its domain, None when blank."""
    text = _text(field, value, limit=254)
    if text is None:
        return None
    local, at, domain = text.partition("@")
    if not at or not local or "." not in domain.strip(".") or " " in text or "@" in domain:
        raise InvalidBillingDetail(field, text)
    return text


def mask_iban(iban: str) -> str:
    """An IBAN as an invoice may print it: country, check digits and the last four."""
    return f"{iban[:4]} **** {iban[-4:]}"


@dataclass(frozen=True)
class SepaMandate:
    """A SEPA direct debit mandate the workspace gave: its reference, account and date."""

    reference: str
    iban: str
    signed_on: date

    @classmethod
    def checked(
        cls, reference: str | None, iban: str | None, signed_on: date | None
    ) -> SepaMandate:
        """A mandate whose three parts are all given and well-formed."""
        ref = _text("sepa_mandate", reference, limit=35)
        if ref is None:
            raise InvalidBillingDetail("sepa_mandate", reference or "")
        account = check_iban(iban, "sepa_iban")
        if account is None:
            raise InvalidBillingDetail("sepa_iban", iban or "")
        if signed_on is None:
            raise InvalidBillingDetail("sepa_signed", "")
        return cls(ref, account, signed_on)


@dataclass(frozen=True)
class BillingDetails:
    """A workspace's Rechnungsdaten: whom its invoices are made out to, every part optional."""

    company: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None
    vat_id: str | None = None
    invoice_email: str | None = None
    buyer_reference: str | None = None  # Leitweg-ID for public customers
    mandate: SepaMandate | None = None

    @classmethod
    def checked(
        cls,
        *,
        company: str | None = None,
        street: str | None = None,
        postcode: str | None = None,
        city: str | None = None,
        country: str | None = None,
        vat_id: str | None = None,
        invoice_email: str | None = None,
        buyer_reference: str | None = None,
        mandate: SepaMandate | None = None,
    ) -> BillingDetails:
        """Rechnungsdaten with every value checked; blank values are not set."""
        land = check_country(country)
        return cls(
            company=_text("company", company),
            street=_text("street", street),
            postcode=_text("postcode", postcode, limit=16),
            city=_text("city", city),
            country=land,
            vat_id=check_vat_id(vat_id, land),
            invoice_email=check_email(invoice_email),
            buyer_reference=_text("buyer_reference", buyer_reference, limit=100),
            mandate=mandate,
        )

    def changed(self, **values: Any) -> BillingDetails:
        """These details with some values replaced, all checked again together."""
        merged: dict[str, Any] = {name: getattr(self, name) for name in DETAIL_FIELDS}
        merged["mandate"] = self.mandate
        merged.update(values)
        return BillingDetails.checked(**merged)

    def buyer(self, slack_name: str | None, team_id: str) -> Buyer:
        """The buyer as the next document names it (the Slack name without a company)."""
        return Buyer(
            name=self.company or slack_name or team_id,
            street=self.street,
            postcode=self.postcode,
            city=self.city,
            country=self.country,
            vat_id=self.vat_id,
            email=self.invoice_email,
            reference=self.buyer_reference,
        )


@dataclass(frozen=True)
class Buyer:
    """The invoice's recipient, as printed on it."""

    name: str
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None
    vat_id: str | None = None
    email: str | None = None
    reference: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The buyer as JSON names it (every field, None where not set)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Buyer:
        return cls(**_known(cls, data))


@dataclass(frozen=True)
class Seller:
    """The vendor every invoice names (§14 Abs. 4 Nr. 1 and 2 UStG)."""

    name: str
    street: str
    postcode: str
    city: str
    country: str = HOME_COUNTRY
    vat_id: str | None = None
    tax_number: str | None = None
    email: str | None = None
    iban: str | None = None
    bic: str | None = None
    creditor_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The seller as JSON names it (every field, None where not set)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Seller:
        return cls(**_known(cls, data))


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """The values of ``data`` that name a field of the dataclass ``cls`` (others dropped)."""
    return {f.name: data.get(f.name) for f in fields(cls)}
