"""Settings from the environment or .env (pydantic-settings)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain.catalog import DEFAULT_MAX_QUANTITY, Catalog, default_options
from domain.errors import InvalidTimezone
from domain.money import Money
from domain.workspace import DEFAULT_TIMEZONE, check_timezone
from storage.urls import UnsupportedDatabase, parse

SLACK_API_URL = "https://slack.com/api/"


class Settings(BaseSettings):
    """Everything configurable; names are the environment variables."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = SLACK_API_URL

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

    @field_validator("slack_bot_token", "slack_signing_secret", "slack_app_token", mode="before")
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

    def catalog(self) -> Catalog:
        """The catalog with the configured prices and maximum quantity."""
        return Catalog(
            default_options(
                Money.euros(self.users_price), Money.euros(self.storage_price), self.max_quantity
            )
        )
