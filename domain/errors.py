"""One small exception per broken rule, all under DomainError.

Each carries the facts a translated message needs, and a stable ``code`` that the
handlers and the CLI use to look the message up:

    DomainError
    ├── UnknownOption            option key not in the catalog
    ├── QuantityOutOfRange       quantity not a whole number from 1 to the maximum
    ├── UnknownAddOn             no add-on with this id in this workspace
    ├── AlreadyCancelled         a cancellation is already scheduled
    ├── AlreadyEnded             the add-on has ended (or was withdrawn)
    ├── NothingToUndo            no scheduled cancellation to take back
    ├── CancellationTookEffect   the scheduled cancellation already took effect
    ├── OutcomeChanged           the confirmed outcome is no longer what would happen
    ├── CancellationDateChanged  the confirmed "Kündigung zum" date is no longer the one
    ├── BookingQuoteExpired      the booking was quoted on another day (amounts differ)
    ├── NotABillingAdmin         the user may not see prices or change anything
    ├── UnknownWorkspace         no subscription for this team id
    ├── UnknownInvoice           no invoice with this number
    ├── UnknownCorrection        no Rechnungskorrektur with this number
    ├── InvalidTimezone          no such time zone
    └── AnchorLocked             the billing anchor cannot change once add-ons exist
"""

from __future__ import annotations

from datetime import date


class DomainError(Exception):
    """A business rule refused the request; nothing was changed."""

    code = "domain_error"

    def params(self) -> dict[str, object]:
        """The facts a translated message needs."""
        return {}


class UnknownOption(DomainError):
    code = "unknown_option"

    def __init__(self, option: str) -> None:
        super().__init__(f"unknown add-on option: {option!r}")
        self.option = option

    def params(self) -> dict[str, object]:
        return {"option": self.option}


class QuantityOutOfRange(DomainError):
    code = "quantity_out_of_range"

    def __init__(self, quantity: object, maximum: int) -> None:
        super().__init__(f"quantity must be a whole number from 1 to {maximum}, got {quantity!r}")
        self.quantity = quantity
        self.maximum = maximum

    def params(self) -> dict[str, object]:
        return {"quantity": self.quantity, "maximum": self.maximum}


class UnknownAddOn(DomainError):
    code = "unknown_addon"

    def __init__(self, addon_id: object) -> None:
        super().__init__(f"no add-on {addon_id!r} in this workspace")
        self.addon_id = addon_id

    def params(self) -> dict[str, object]:
        return {"addon_id": self.addon_id}


class AlreadyCancelled(DomainError):
    code = "already_cancelled"

    def __init__(self, addon_id: int, effective_on: date) -> None:
        super().__init__(f"add-on {addon_id} is already cancelled as of {effective_on}")
        self.addon_id = addon_id
        self.effective_on = effective_on

    def params(self) -> dict[str, object]:
        return {"addon_id": self.addon_id, "date": self.effective_on}


class AlreadyEnded(DomainError):
    code = "already_ended"

    def __init__(self, addon_id: int, ended_on: date, *, withdrawn: bool = False) -> None:
        word = "was withdrawn" if withdrawn else "has already ended"
        super().__init__(f"add-on {addon_id} {word} on {ended_on}")
        self.addon_id = addon_id
        self.ended_on = ended_on
        self.withdrawn = withdrawn

    def params(self) -> dict[str, object]:
        return {"addon_id": self.addon_id, "date": self.ended_on, "withdrawn": self.withdrawn}


class NothingToUndo(DomainError):
    code = "nothing_to_undo"

    def __init__(self, addon_id: int) -> None:
        super().__init__(f"add-on {addon_id} has no scheduled cancellation")
        self.addon_id = addon_id

    def params(self) -> dict[str, object]:
        return {"addon_id": self.addon_id}


class CancellationTookEffect(DomainError):
    code = "cancellation_took_effect"

    def __init__(self, addon_id: int, effective_on: date) -> None:
        super().__init__(f"the cancellation of add-on {addon_id} took effect on {effective_on}")
        self.addon_id = addon_id
        self.effective_on = effective_on

    def params(self) -> dict[str, object]:
        return {"addon_id": self.addon_id, "date": self.effective_on}


class OutcomeChanged(DomainError):
    code = "outcome_changed"

    def __init__(self, addon_id: int, confirmed: str, actual: str) -> None:
        super().__init__(
            f"add-on {addon_id}: confirmed {confirmed!r} but it would now be {actual!r}"
        )
        self.addon_id = addon_id
        self.confirmed = confirmed
        self.actual = actual

    def params(self) -> dict[str, object]:
        return {"addon_id": self.addon_id, "confirmed": self.confirmed, "actual": self.actual}


class CancellationDateChanged(DomainError):
    code = "cancellation_date_changed"

    def __init__(self, addon_id: int, confirmed_on: date, actual_on: date) -> None:
        super().__init__(
            f"add-on {addon_id}: confirmed a cancellation as of {confirmed_on}, "
            f"but today it would be as of {actual_on}"
        )
        self.addon_id = addon_id
        self.confirmed_on = confirmed_on
        self.actual_on = actual_on

    def params(self) -> dict[str, object]:
        return {"addon_id": self.addon_id, "confirmed": self.confirmed_on, "actual": self.actual_on}


class BookingQuoteExpired(DomainError):
    code = "booking_quote_expired"

    def __init__(self, quoted_on: date, today: date) -> None:
        super().__init__(f"the booking was quoted for {quoted_on}, but today is {today}")
        self.quoted_on = quoted_on
        self.today = today

    def params(self) -> dict[str, object]:
        return {"quoted": self.quoted_on, "today": self.today}


class NotABillingAdmin(DomainError):
    code = "not_a_billing_admin"

    def __init__(self, user_id: str) -> None:
        super().__init__(f"user {user_id} is not a workspace admin or billing admin")
        self.user_id = user_id

    def params(self) -> dict[str, object]:
        return {"user_id": self.user_id}


class UnknownWorkspace(DomainError):
    code = "unknown_workspace"

    def __init__(self, team_id: str) -> None:
        super().__init__(f"unknown workspace: {team_id}")
        self.team_id = team_id

    def params(self) -> dict[str, object]:
        return {"team_id": self.team_id}


class UnknownInvoice(DomainError):
    code = "unknown_invoice"

    def __init__(self, number: object) -> None:
        super().__init__(f"unknown invoice: {number}")
        self.number = number

    def params(self) -> dict[str, object]:
        return {"number": self.number}


class UnknownCorrection(DomainError):
    code = "unknown_correction"

    def __init__(self, number: object) -> None:
        super().__init__(f"unknown correction: {number}")
        self.number = number

    def params(self) -> dict[str, object]:
        return {"number": self.number}


class InvalidTimezone(DomainError):
    code = "invalid_timezone"

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown time zone: {name!r}")
        self.name = name

    def params(self) -> dict[str, object]:
        return {"timezone": self.name}


class AnchorLocked(DomainError):
    code = "anchor_locked"

    def __init__(self, team_id: str) -> None:
        super().__init__(f"workspace {team_id} has add-ons; its billing anchor cannot change")
        self.team_id = team_id

    def params(self) -> dict[str, object]:
        return {"team_id": self.team_id}
