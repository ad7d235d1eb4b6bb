"""Stable ids of buttons and views: the listeners in handlers/ match on these."""

from __future__ import annotations

ACTION_ADD = "addon_add"  # overview modal: Hinzufügen; value = option key
ACTION_OPEN_BOOKING = "addon_open_booking"  # App Home: Hinzufügen opens the booking modal
ACTION_CANCEL = "addon_cancel"  # red Kündigen; value = add-on id
ACTION_UNDO = "addon_undo_cancel"  # Kündigung zurücknehmen; value = add-on id
ACTION_PAGE_NEXT = "addons_page_next"  # value = row offset to show
ACTION_PAGE_PREV = "addons_page_prev"  # value = row offset to show
ACTION_OPEN_DETAILS = "addons_open_billing_details"  # Rechnungsdaten: opens their modal

CALLBACK_OVERVIEW = "addons_overview"
CALLBACK_HOME = "addons_home"
CALLBACK_BOOK = "addons_book"  # booking modal opened from App Home
CALLBACK_CONFIRM_BOOKING = "addons_confirm_booking"
CALLBACK_CONFIRM_CANCEL = "addons_confirm_cancel"
CALLBACK_NOTICE = "addons_notice"
CALLBACK_DETAILS = "addons_billing_details"  # the Rechnungsdaten modal
CALLBACK_WORKING = "addons_working"  # "Wird gebucht …" while a confirmation is carried out
