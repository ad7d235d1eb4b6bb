"""Exact money in integer cents; the one place that rounds (ROUND_HALF_UP)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


class CurrencyMismatch(ValueError):
    """Two amounts of different currencies were combined."""


def round_half_up(numerator: int, denominator: int) -> int:
    """Divide two integers and round the quotient half away from zero."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return sign * quotient


@dataclass(frozen=True)
class Money:
    """An amount in whole cents of one currency; amounts of two currencies never mix."""

    cents: int
    currency: str = "EUR"

    @classmethod
    def euros(cls, amount: str | int | Decimal, currency: str = "EUR") -> Money:
        """Parse an amount in euros ("5.90"), rounding half-up to the cent."""
        value = Decimal(amount) if not isinstance(amount, Decimal) else amount
        cents = (value / CENT).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return cls(int(cents), currency)

    @classmethod
    def zero(cls, currency: str = "EUR") -> Money:
        """No money."""
        return cls(0, currency)

    @property
    def amount(self) -> Decimal:
        """The amount in euros, exact to the cent."""
        return (Decimal(self.cents) * CENT).quantize(CENT)

    def fraction(self, numerator: int, denominator: int) -> Money:
        """This amount × numerator ÷ denominator, rounded half-up to the cent."""
        return Money(round_half_up(self.cents * numerator, denominator), self.currency)

    def _check(self, other: Money) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency}")

    def __add__(self, other: object) -> Money:
        if isinstance(other, int) and other == 0:  # sum() starts at 0
            return self
        if not isinstance(other, Money):
            return NotImplemented
        self._check(other)
        return Money(self.cents + other.cents, self.currency)

    __radd__ = __add__

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.cents - other.cents, self.currency)

    # Ordering is written out rather than ``order=True``: that would compare
    # (cents, currency) tuples and quietly rank 1 EUR below 5 USD.
    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._check(other)
        return self.cents < other.cents

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._check(other)
        return self.cents <= other.cents

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._check(other)
        return self.cents > other.cents

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._check(other)
        return self.cents >= other.cents

    def __neg__(self) -> Money:
        return Money(-self.cents, self.currency)

    def __mul__(self, factor: int) -> Money:
        if not isinstance(factor, int) or isinstance(factor, bool):
            return NotImplemented
        return Money(self.cents * factor, self.currency)

    __rmul__ = __mul__

    def __bool__(self) -> bool:
        return self.cents != 0

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
