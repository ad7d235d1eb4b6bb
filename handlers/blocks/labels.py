"""The words several screens share: an add-on's label, an option's price, a status."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from domain.addons import AddOn, Status
from domain.catalog import Catalog, Option
from domain.errors import UnknownOption
from domain.money import Money
from handlers.i18n import MESSAGES, fmt_number, t

_SIZE_SUFFIX = re.compile(r"\s*\(\+[^()]*\)\s*$")


def option_or_none(catalog: Catalog, key: str) -> Option | None:
    """The catalog's option ``key``, or None for one since removed from the catalog."""
    try:
        return catalog[key]
    except UnknownOption:  # booked under an option since removed from the catalog
        return None


# Texts a view draws again and again (every row of every overview, the Entwurf's lines)
# are remembered, boundedly: each is a function of frozen values and the language only.
TEXTS_CACHE = 4096


@lru_cache(maxsize=TEXTS_CACHE)
def addon_label(option: Option | None, quantity: int, lang: str, key: str = "?") -> str:
    """A row's option text: "Zusätzliche Benutzer (+1)", "Erweiterter Speicherplatz (+30 GB)"."""
    if option is None:  # an option since removed from the catalog
        return f"{key} (×{quantity})"
    full = option.label(lang)
    base = _SIZE_SUFFIX.sub("", full) or full
    amount = fmt_number(option.gives(quantity), lang)
    template = "addon.seat" if option.unit == "seat" else "addon.gb"
    return t(lang, template, label=base, amount=amount)


def net_text(amount: Money, lang: str) -> str:
    """A net amount as every price is shown: "5,90 € zzgl. USt." / "€5.90 excl. VAT"."""
    return t(lang, "price.net", price=amount)


def option_price(option: Option, lang: str) -> str:
    """The unit price as the help page writes it: "5,90 € / Nutzer / Monat"."""
    size = fmt_number(option.unit_size, lang)
    if option.unit == "seat":
        key = "price.seat" if option.unit_size == 1 else "price.seats"
        return t(lang, key, price=option.unit_price, size=size)
    return t(lang, "price.gb", price=option.unit_price, size=size)


def option_description(option: Option, lang: str) -> str | None:
    """The help page's one-line pitch for the two standard options, if any."""
    key = f"option.description.{option.key}"
    return t(lang, key) if key in MESSAGES[lang if lang in MESSAGES else "de"] else None


def status_text(addon: AddOn, lang: str) -> str:
    """STATUS: "Aktiv", "Kündigung zum 17.04.2026", "Beendet am …", "Widerrufen am …"."""
    return _status_text(addon.status, addon.effective_on, addon.ended_on, lang)


@lru_cache(maxsize=TEXTS_CACHE)
def _status_text(
    status: Status, effective_on: date | None, ended_on: date | None, lang: str
) -> str:
    if status is Status.CANCELLATION_PENDING and effective_on is not None:
        return t(lang, "status.pending", date=effective_on)
    if status is Status.ENDED and ended_on is not None:
        return t(lang, "status.ended", date=ended_on)
    if status is Status.WITHDRAWN and ended_on is not None:
        return t(lang, "status.withdrawn", date=ended_on)
    if status is Status.ACTIVE:
        return t(lang, "status.active")
    return t(lang, "table.none")


def sort_for_display(addons: Iterable[AddOn]) -> list[AddOn]:
    """Active and pending add-ons first (newest booking first), then the newest ended."""

    def key(addon: AddOn) -> tuple[int, int, int]:
        if addon.is_live:
            return (0, -addon.booked_on.toordinal(), -addon.id)
        ended = addon.ended_on or addon.booked_on
        return (1, -ended.toordinal(), -addon.id)

    return sorted(addons, key=key)
