"""Settings from the environment or .env (pydantic-settings)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain.catalog import DEFAULT_MAX_QUANTITY, Catalog, default_options
from domain.errors import InvalidTimezone
from domain.money import Money
from domain.parties import (
    HOME_COUNTRY,
    InvalidBillingDetail,
    Seller,
    check_country,
    check_creditor_id,
    check_email,
    check_iban,
    check_vat_id,
)
from domain.tax import DEFAULT_RATE
from domain.terms import DEFAULT_PAYMENT_DAYS, Invoicing
from domain.workspace import DEFAULT_TIMEZONE, check_timezone
from storage.urls import UnsupportedDatabase, parse

SLACK_API_URL = "https://slack.com/api/"
_IDENTIFIED = "ADDONS_SELLER_TAX_NUMBER or ADDONS_SELLER_REGISTRATION"


def is_webhook_secret(value: str) -> bool:
    """``whsec_`` and a base64 key of at least 16 bytes (the Standard Webhooks form)."""
    if not value.startswith("whsec_"):
        return False
    key = value.removeprefix("whsec_")
    try:
        return len(base64.b64decode(key, validate=True)) >= 16
    except (binascii.Error, ValueError):
        return False


class Settings(BaseSettings):
    """Everything configurable; names are the environment variables."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = SLACK_API_URL
    # OAuth ("Add to Slack", many workspaces): on as soon as SLACK_CLIENT_ID is set
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    token_key: str | None = Field(default=None, validation_alias="ADDONS_TOKEN_KEY", repr=False)

    database: str = Field(default="./addons.db", validation_alias="ADDONS_DATABASE")
    billing_admins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(), validation_alias="ADDONS_BILLING_ADMINS"
    )
    default_locale: str = Field(default="de", validation_alias="ADDONS_DEFAULT_LOCALE")
    timezone: str = Field(default=DEFAULT_TIMEZONE, validation_alias="ADDONS_TIMEZONE")
    users_price: Decimal = Field(default=Decimal("5.90"), validation_alias="ADDONS_USERS_PRICE")
    storage_price: Decimal = Field(default=Decimal("5.90"), validation_alias="ADDONS_STORAGE_PRICE")
    max_quantity: int = Field(
        default=DEFAULT_MAX_QUANTITY, ge=1, validation_alias="ADDONS_MAX_QUANTITY"
    )
    port: int = Field(default=3000, validation_alias="PORT")
    billing_interval_seconds: int = Field(
        default=300, ge=1, validation_alias="ADDONS_BILLING_INTERVAL_SECONDS"
    )
    user_cache_seconds: int = Field(default=60, ge=0, validation_alias="ADDONS_USER_CACHE_SECONDS")
    webhook_url: str | None = Field(default=None, validation_alias="ADDONS_WEBHOOK_URL")
    webhook_secret: str | None = Field(default=None, validation_alias="ADDONS_WEBHOOK_SECRET")

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _webhook_url(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        value = value.strip()
        if not value:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or " " in value:
            raise ValueError("must be an http:// or https:// URL with a host")
        return value

    crm_secret: str | None = Field(default=None, validation_alias="ADDONS_CRM_SECRET")

    @field_validator("webhook_secret", "crm_secret", mode="before")
    @classmethod
    def _webhook_secret(cls, value: object) -> object:
        # Never echo the value: it is a secret.
        if not isinstance(value, str):
            return value
        parts = value.split()
        if not parts:
            return None
        for n, part in enumerate(parts, 1):
            if not is_webhook_secret(part):
                which = f"secret {n}" if len(parts) > 1 else "it"
                raise ValueError(
                    f"{which} must be whsec_ followed by a base64 key (as CloudCRM shows it); "
                    "several secrets are separated by spaces"
                )
        return " ".join(parts)

    @model_validator(mode="after")
    def _webhook_pair(self) -> Settings:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("ADDONS_WEBHOOK_SECRET must be set when ADDONS_WEBHOOK_URL is")
        if self.webhook_secret and not self.webhook_url:
            raise ValueError("ADDONS_WEBHOOK_URL must be set when ADDONS_WEBHOOK_SECRET is")
        return self

    @property
    def crm_secrets(self) -> tuple[str, ...]:
        """The secrets CloudCRM signs its requests with (one, or two while it rotates)."""
        return tuple(self.crm_secret.split()) if self.crm_secret else ()

    @property
    def webhook_secrets(self) -> tuple[str, ...]:
        """Each webhook secret: a delivery is signed with every one (rotation, no gap)."""
        return tuple(self.webhook_secret.split()) if self.webhook_secret else ()

    @property
    def webhooks(self) -> bool:
        """Whether events go to CloudCRM's webhook (both settings given)."""
        return bool(self.webhook_url and self.webhook_secret)

    # Operations: JSON log lines for log platforms; the scheduler's /metrics port (off: None).
    log_format: Literal["text", "json"] = Field(
        default="text", validation_alias="ADDONS_LOG_FORMAT"
    )
    metrics_port: int | None = Field(
        default=None, ge=1, le=65535, validation_alias="ADDONS_METRICS_PORT"
    )
    # Data lifecycle (docs/privacy.md): delivered DMs and events are kept this many days;
    # an uninstalled workspace's people are pseudonymized this many days after it; the
    # pseudonyms' HMAC key (default: derived from SLACK_SIGNING_SECRET).
    retention_days: int = Field(default=90, ge=1, validation_alias="ADDONS_RETENTION_DAYS")
    erase_after_uninstall_days: int = Field(
        default=30, ge=0, validation_alias="ADDONS_ERASE_AFTER_UNINSTALL_DAYS"
    )
    pseudonym_key: str | None = Field(
        default=None, validation_alias="ADDONS_PSEUDONYM_KEY", repr=False
    )

    # The invoice as a document (bot/adapters/documents): the seller as every invoice
    # names it (§14 UStG), the XRechnung's seller contact (BR-DE-2..7) and electronic
    # address, and the public base URL of the signed document links. "auto": documents
    # are made once a seller is configured (ADDONS_SELLER_NAME).
    documents_mode: Literal["auto", "on", "off"] = Field(
        default="auto", validation_alias="ADDONS_DOCUMENTS"
    )
    seller_name: str | None = Field(default=None, validation_alias="ADDONS_SELLER_NAME")
    seller_street: str = Field(default="", validation_alias="ADDONS_SELLER_STREET")
    seller_postcode: str = Field(default="", validation_alias="ADDONS_SELLER_POSTCODE")
    seller_city: str = Field(default="", validation_alias="ADDONS_SELLER_CITY")
    seller_country: str = Field(default="DE", validation_alias="ADDONS_SELLER_COUNTRY")
    seller_vat_id: str | None = Field(default=None, validation_alias="ADDONS_SELLER_VAT_ID")
    seller_tax_number: str | None = Field(default=None, validation_alias="ADDONS_SELLER_TAX_NUMBER")
    seller_registration: str | None = Field(
        default=None, validation_alias="ADDONS_SELLER_REGISTRATION"
    )
    seller_iban: str = Field(default="", validation_alias="ADDONS_SELLER_IBAN")
    seller_bic: str | None = Field(default=None, validation_alias="ADDONS_SELLER_BIC")
    seller_email: str = Field(default="", validation_alias="ADDONS_SELLER_EMAIL")
    seller_contact_name: str = Field(default="", validation_alias="ADDONS_SELLER_CONTACT_NAME")
    seller_contact_phone: str = Field(default="", validation_alias="ADDONS_SELLER_CONTACT_PHONE")
    seller_contact_email: str = Field(default="", validation_alias="ADDONS_SELLER_CONTACT_EMAIL")
    public_url: str | None = Field(default=None, validation_alias="ADDONS_PUBLIC_URL")
    seller_creditor_id: str | None = Field(
        default=None, validation_alias="ADDONS_SELLER_CREDITOR_ID"
    )
    # Invoices in law (domain.terms): the standard VAT rate (category S), the payment days
    vat_rate: Decimal = Field(
        default=DEFAULT_RATE, ge=0, le=100, validation_alias="ADDONS_VAT_RATE"
    )
    payment_days: int = Field(
        default=DEFAULT_PAYMENT_DAYS, ge=0, le=90, validation_alias="ADDONS_PAYMENT_DAYS"
    )

    def seller_problem(self) -> str | None:
        """The first seller setting missing or malformed, as one line (None when complete):
        what a process that issues invoices or corrections needs (docs/invoices.md)."""

        def given(value: str | None) -> bool:
            return bool((value or "").strip())

        checks: list[tuple[str, bool, Callable[[], object]]] = [
            ("ADDONS_SELLER_NAME", given(self.seller_name), lambda: None),
            ("ADDONS_SELLER_STREET", given(self.seller_street), lambda: None),
            ("ADDONS_SELLER_POSTCODE", given(self.seller_postcode), lambda: None),
            ("ADDONS_SELLER_CITY", given(self.seller_city), lambda: None),
            ("ADDONS_SELLER_COUNTRY", True, lambda: check_country(self.seller_country)),
            (
                "ADDONS_SELLER_VAT_ID or ADDONS_SELLER_TAX_NUMBER",
                given(self.seller_vat_id) or given(self.seller_tax_number),
                lambda: None,
            ),
            ("ADDONS_SELLER_VAT_ID", True, lambda: check_vat_id(self.seller_vat_id, None)),
            (
                "ADDONS_SELLER_EMAIL",
                given(self.seller_email),
                lambda: check_email(self.seller_email, "email"),
            ),
            ("ADDONS_SELLER_IBAN", given(self.seller_iban), lambda: check_iban(self.seller_iban)),
            ("ADDONS_SELLER_CREDITOR_ID", True, lambda: check_creditor_id(self.seller_creditor_id)),
        ]
        for name, present, check in checks:
            if not present:
                return f"{name} is not set: every invoice must name the seller"
            try:
                check()
            except InvalidBillingDetail:
                return f"{name} is malformed"
        identified = given(self.seller_tax_number) or given(self.seller_registration)
        if self.documents and not given(self.seller_vat_id):  # reverse charge, §14a UStG
            return "ADDONS_SELLER_VAT_ID is not set: reverse-charge invoices name it"
        if self.documents and not identified:  # no VAT id may stand outside the EU (BR-O-02)
            return f"{_IDENTIFIED} is not set: invoices outside the EU name one of them"
        return None

    def seller(self) -> Seller | None:
        """The seller every invoice names, or None while it is incomplete."""
        if self.seller_problem() is not None:
            return None
        return Seller(
            name=(self.seller_name or "").strip(),
            street=self.seller_street.strip(),
            postcode=self.seller_postcode.strip(),
            city=self.seller_city.strip(),
            country=check_country(self.seller_country) or HOME_COUNTRY,
            vat_id=check_vat_id(self.seller_vat_id, None),
            tax_number=(self.seller_tax_number or "").strip() or None,
            email=check_email(self.seller_email, "email"),
            iban=check_iban(self.seller_iban),
            bic=(self.seller_bic or "").strip() or None,
            creditor_id=check_creditor_id(self.seller_creditor_id),
        )

    def invoicing(self, seller: Seller | None = None) -> Invoicing:
        """How invoices are issued: this seller (default: the configured one), rate, days."""
        return Invoicing(seller or self.seller(), self.vat_rate, self.payment_days)

    @model_validator(mode="after")
    def _seller_complete(self) -> Settings:
        if self.documents_mode == "on" and not self.seller_name:
            raise ValueError("ADDONS_DOCUMENTS=on needs the seller: set ADDONS_SELLER_NAME")
        if not self.documents:
            return self
        problem = self.seller_problem()
        if problem is not None:
            raise ValueError(f"invoices as documents need the whole seller: {problem}")
        return self

    @property
    def documents(self) -> bool:
        """Whether each invoice and correction gets its PDF and XML (a seller is set)."""
        return self.documents_mode == "on" or (
            self.documents_mode == "auto" and bool(self.seller_name)
        )

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "slack_client_id",
        "slack_client_secret",
        "token_key",
        "pseudonym_key",
        mode="before",
    )
    @classmethod
    def _credential(cls, value: object) -> object:
        # Blank means not set: a whitespace-only secret must be refused before anything is
        # opened, exactly like an empty one. Never echo the value: it may be a secret.
        if not isinstance(value, str):
            return value
        value = value.strip()
        if not value:
            return None
        if any(char.isspace() or not char.isprintable() for char in value):
            raise ValueError("must be one word: no spaces or control characters inside")
        return value

    @field_validator("metrics_port", mode="before")
    @classmethod
    def _blank_port(cls, value: object) -> object:
        # ADDONS_METRICS_PORT= (blank) means no metrics server, like leaving it out.
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _format_name(cls, value: object) -> object:
        return value.strip().lower() or "text" if isinstance(value, str) else value

    @field_validator("database")
    @classmethod
    def _path(cls, value: str) -> str:
        # A SQLite file path or a postgresql:// URL; another scheme is refused here, before
        # anything is opened. Never echo a URL: it may hold a password.
        if not value.strip():
            raise ValueError("must name a file or a postgresql:// URL, not be blank")
        try:
            parse(value)
        except UnsupportedDatabase as error:
            raise ValueError(str(error).removeprefix("ADDONS_DATABASE ")) from None
        return value

    @field_validator("billing_admins", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("default_locale")
    @classmethod
    def _language(cls, value: str) -> str:
        language = value.split("-")[0].split("_")[0].lower()
        if language not in ("de", "en"):
            raise ValueError("ADDONS_DEFAULT_LOCALE must be de or en")
        return language

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            return check_timezone(value)
        except InvalidTimezone:
            raise ValueError(f"unknown time zone {value!r}") from None

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    def secrets(self) -> list[str]:
        """Every configured secret, as the log redaction must know them: tokens, signing,
        client, webhook and CloudCRM secrets, each token key (and the list), the database
        password."""
        found = [
            self.slack_bot_token,
            self.slack_signing_secret,
            self.slack_app_token,
            self.slack_client_secret,
            self.token_key,
            self.webhook_secret,
            self.crm_secret,
        ]
        found += [part.strip() for part in (self.token_key or "").split(",")]
        for secret in (*self.webhook_secrets, *self.crm_secrets):
            # each one, and its key alone, as a client library may print it
            found += [secret, secret.removeprefix("whsec_")]
        target = parse(self.database)
        if target.url is not None and target.url.password:
            found.append(str(target.url.password))
        return [secret for secret in found if secret]

    @property
    def oauth(self) -> bool:
        """Many workspaces through "Add to Slack" (SLACK_CLIENT_ID) instead of one bot token."""
        return self.slack_client_id is not None

    def catalog(self) -> Catalog:
        """The catalog with the configured prices and maximum quantity."""
        return Catalog(
            default_options(
                Money.euros(self.users_price), Money.euros(self.storage_price), self.max_quantity
            )
        )


class SettingsError(Exception):
    """A setting in the environment or .env does not validate; the message is one line."""


def load_settings(database: str | None = None) -> Settings:
    """The settings from the environment and .env, with ``--database`` applied if given."""
    try:
        settings = Settings()
    except ValidationError as error:
        first = error.errors()[0]
        # Fields without an alias report their own name: show the variable's name instead.
        where = ".".join(str(part) for part in first["loc"]).upper()
        if not where:  # a rule over two settings names them itself
            raise SettingsError(f"bad settings: {first['msg']}") from None
        raise SettingsError(f"bad setting {where}: {first['msg']}") from None
    if database is not None:
        settings = settings.model_copy(update={"database": database})
    return settings
