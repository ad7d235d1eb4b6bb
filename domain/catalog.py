"""The add-on options and their prices (defaults from the help page)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from domain.errors import QuantityOutOfRange, UnknownOption
from domain.money import Money

DEFAULT_MAX_QUANTITY = 1000
DEFAULT_UNIT_PRICE = Money(590)  # 5,90 € per user or per 10 GB per month


@dataclass(frozen=True)
class Option:
    """One bookable add-on: what a unit costs per month and what it gives."""

    key: str
    label_de: str
    label_en: str
    unit_price: Money
    unit_size: int  # what one unit gives: 1 seat, 10 GB
    unit: str  # "seat" or "GB"
    max_quantity: int = DEFAULT_MAX_QUANTITY

    def label(self, language: str) -> str:
        """The option's name in German ("de") or English."""
        return self.label_de if language == "de" else self.label_en

    def monthly_price(self, quantity: int) -> Money:
        """Unit price × quantity: what a row of the list shows as PREIS."""
        return self.unit_price * quantity

    def gives(self, quantity: int) -> int:
        """Seats or gigabytes that ``quantity`` units give."""
        return self.unit_size * quantity

    def validate_quantity(self, quantity: object) -> int:
        """Return the quantity if it is a whole number from 1 to the maximum."""
        if (
            not isinstance(quantity, int)
            or isinstance(quantity, bool)
            or not 1 <= quantity <= self.max_quantity
        ):
            raise QuantityOutOfRange(quantity, self.max_quantity)
        return quantity


def default_options(
    users_price: Money = DEFAULT_UNIT_PRICE,
    storage_price: Money = DEFAULT_UNIT_PRICE,
    max_quantity: int = DEFAULT_MAX_QUANTITY,
) -> tuple[Option, ...]:
    """The two options of the help page, with overridable prices and maximum."""
    return (
        Option(
            "users",
            "Zusätzliche Benutzer",
            "Additional users",
            users_price,
            1,
            "seat",
            max_quantity,
        ),
        Option(
            "storage",
            "Erweiterter Speicherplatz (+10 GB)",
            "Extended storage (+10 GB)",
            storage_price,
            10,
            "GB",
            max_quantity,
        ),
    )


class Catalog:
    """The options a workspace can book, by key, in display order."""

    def __init__(self, options: Iterable[Option] | None = None) -> None:
        self._options = {o.key: o for o in (options if options is not None else default_options())}

    def __getitem__(self, key: str) -> Option:
        try:
            return self._options[key]
        except KeyError:
            raise UnknownOption(key) from None

    def __contains__(self, key: object) -> bool:
        return key in self._options

    def __iter__(self) -> Iterator[Option]:
        return iter(self._options.values())

    def __len__(self) -> int:
        return len(self._options)
