"""German and English texts of the Slack app, and Babel formatting of money, dates, numbers.

German is the default and uses the help page's words. Every key exists in both languages
with the same ``{placeholders}`` (a unit test checks this). ``t()`` formats ``Money`` and
``date`` parameters for the language itself, so callers pass domain values, not strings.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date
from functools import cache, lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from domain.errors import DomainError
from domain.money import Money

DEFAULT_LANGUAGE = "de"
LANGUAGES = ("de", "en")
_BABEL_LOCALE = {"de": "de_DE", "en": "en_US"}
_DATE_PATTERN = {"de": "dd.MM.yyyy", "en": "yyyy-MM-dd"}
# Babel puts no-break spaces (U+00A0, U+202F) between amount and symbol; the help page
# and everything users type or search for use a plain space.
_NO_BREAK_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})

_DE: dict[str, str] = {
    # -- overview (modal and App Home) ---------------------------------------------------
    "overview.title": "Zusatzoptionen",
    "overview.submit": "Fertig",
    "overview.close": "Schließen",
    "overview.intro": "Erweitern Sie Ihr CRM flexibel nach Ihren Bedürfnissen. "
    "Zusatzoptionen sind monatlich kündbar.",
    "overview.home_hint": "Mit *Hinzufügen* wählen Sie die Anzahl und bestätigen die Buchung. "
    "Alles geht auch als Text: `/addons hilfe`.",
    "overview.loading": "Einen Moment, die Übersicht wird geladen …",
    "option.description.users": "Ihr Team wächst? Buchen Sie weitere Lizenzen.",
    "option.description.storage": "Mehr Platz für Dokumente und E-Mails.",
    "price.seat": "{price} / Nutzer / Monat",
    "price.seats": "{price} / {size} Nutzer / Monat",
    "price.gb": "{price} / {size} GB / Monat",
    "price.monthly": "{price} / Monat",
    "addon.seat": "{label} (+{amount})",
    "addon.gb": "{label} (+{amount} GB)",
    # -- quantity input -----------------------------------------------------------------
    "quantity.label": "Anzahl",
    "quantity.placeholder": "1 bis {maximum}",
    "quantity.hint.seat": "Eine ganze Zahl von 1 bis {maximum}.",
    "quantity.hint.gb": "Eine ganze Zahl von 1 bis {maximum}, in {size}-GB-Paketen: "
    "3 ergibt +{example} GB.",
    "quantity.error.empty": "Bitte geben Sie eine Anzahl ein.",
    "quantity.error.not_a_number": "Bitte geben Sie eine Zahl ein.",
    "quantity.error.zero": "Die Anzahl muss mindestens 1 sein.",
    "quantity.error.negative": "Die Anzahl darf nicht negativ sein.",
    "quantity.error.decimal": "Bitte geben Sie eine ganze Zahl ein, ohne Komma.",
    "quantity.error.too_large": "Höchstens {maximum} auf einmal.",
    # -- buttons ------------------------------------------------------------------------
    "button.add": "Hinzufügen",
    "button.cancel": "Kündigen",
    "button.undo": "Kündigung zurücknehmen",
    "button.confirm": "Bestätigen",
    "button.back": "Abbrechen",
    "button.continue": "Weiter",
    "button.more": "Weitere anzeigen",
    "button.previous": "Vorherige anzeigen",
    # -- the table "Ihre Zusatzoptionen" ------------------------------------------------
    "table.title": "Ihre Zusatzoptionen",
    "table.option": "OPTION",
    "table.price": "PREIS",
    "table.billed_until": "ABGERECHNET BIS",
    "table.status": "STATUS / AKTION",
    "table.empty": "Sie haben noch keine Zusatzoptionen gebucht.",
    "table.none": "–",
    "table.rows": "Zeilen {first}–{last} von {total}",
    "table.more_ended.one": "… und {count} weitere beendete Zusatzoption",
    "table.more_ended.other": "… und {count} weitere beendete Zusatzoptionen",
    "table.more.one": "… und {count} weitere Zusatzoption",
    "table.more.other": "… und {count} weitere Zusatzoptionen",
    "status.active": "Aktiv",
    "status.pending": "Kündigung zum {date}",
    "status.ended": "Beendet am {date}",
    "status.withdrawn": "Widerrufen am {date}",
    # -- entitlements and invoices ------------------------------------------------------
    "entitlements.line": "Zusätzlich in Kraft: {items}",
    "entitlements.none": "keine Zusatzoptionen",
    "entitlements.seats.one": "{count} Benutzer",
    "entitlements.seats.other": "{count} Benutzer",
    "entitlements.gigabytes": "{count} GB",
    "invoice.upcoming_total": "Nächste Sammelrechnung am {date}, bisher: {total}",
    "invoice.recent_title": "Letzte Rechnungen",
    "invoice.recent_line": "Nr. {number} vom {date}: {total}",
    "invoice.none": "Noch keine Rechnungen.",
    "invoice.modal_title": "Rechnung",
    "invoice.title": "Rechnung Nr. {number} vom {date}",
    "invoice.preview_title": "Kommende Sammelrechnung am {date}",
    "invoice.preview_note": "Vorschau nach heutigem Stand; bis zum Rechnungstag kann sich "
    "noch etwas ändern.",
    "invoice.line.proration": "{addon}, anteilig {start}–{end}: {amount}",
    "invoice.line.renewal": "{addon}, {start}–{end}: {amount}",
    "invoice.line.credit": "Rechnungskorrektur (Widerruf) {addon}, {start}–{end}: {amount}",
    "invoice.total": "Summe: {total}",
    "invoice.empty": "Keine Positionen.",
    "invoice.more_lines.one": "… und {count} weitere Position",
    "invoice.more_lines.other": "… und {count} weitere Positionen",
    # -- booking ------------------------------------------------------------------------
    "booking.modal_title": "Zusatzoption buchen",
    "booking.title": "Buchung bestätigen",
    "booking.quantity": "Anzahl",
    "booking.monthly_price": "Monatlicher Preis",
    "booking.prorated": "Anteilig {start}–{end}",
    "booking.billed_until": "Abgerechnet bis",
    "booking.explanation": "Die Leistung steht Ihnen sofort zur Verfügung. Der anteilige "
    "Betrag von {prorated} wird mit Ihrer nächsten Sammelrechnung "
    "abgerechnet (am {invoice_date}). Danach kostet die Option {monthly} "
    "pro Monat, bis Sie sie kündigen.",
    "booking.withdrawal_note": "Hinweis zum Widerruf: Kündigen Sie bis zum {deadline}, wird "
    "die Option sofort storniert und nichts berechnet.",
    "booking.done": "Gebucht: {addon}. Steht Ihnen sofort zur Verfügung. Anteilig {prorated}, "
    "abgerechnet bis {billed_until}; wird mit Ihrer nächsten Sammelrechnung "
    "abgerechnet.",
    "booking.repeated": "Diese Buchung wurde bereits ausgeführt: {addon}. Es wurde nichts "
    "doppelt gebucht.",
    # -- cancelling and withdrawal ------------------------------------------------------
    "cancel.title": "Kündigung bestätigen",
    "cancel.what": "Kündigung zum {date}, bis dahin nutzbar.",
    "cancel.details": "Danach wird die Option automatisch deaktiviert und nicht verlängert. "
    "Bis zum {date} können Sie die Kündigung zurücknehmen.",
    "cancel.done": "Gekündigt: {addon}. Kündigung zum {date}, bis dahin nutzbar.",
    "withdraw.title": "Widerruf bestätigen",
    "withdraw.what": "Widerruf: sofort storniert, {amount} werden von Ihrer Sammelrechnung "
    "entfernt.",
    "withdraw.what_free": "Widerruf: sofort storniert, es wird nichts berechnet.",
    "withdraw.what_short": "Widerruf: sofort storniert.",
    "withdraw.credit": "Bereits berechnete {amount} erscheinen auf Ihrer nächsten "
    "Sammelrechnung als Rechnungskorrektur.",
    "withdraw.details": "Kündigen innerhalb von 14 Tagen nach der Buchung ist ein Widerruf: "
    "Die Option endet sofort und steht ab jetzt nicht mehr zur Verfügung.",
    "withdraw.done": "Widerrufen: {addon}.",
    "undo.done": "Kündigung zurückgenommen: {addon} ist wieder aktiv und wird verlängert.",
    "outcome.cancellation": "eine Kündigung zum Ende des Abrechnungszeitraums",
    "outcome.withdrawal": "ein Widerruf mit sofortiger Stornierung",
    # -- the text forms (mrkdwn: "<" and ">" are written &lt; &gt;) -----------------------
    "help.title": "*/addons*: Zusatzoptionen buchen und kündigen",
    "help.overview": "`/addons`: Übersicht öffnen, mit Hinzufügen und Kündigen",
    "help.help": "`/addons hilfe`: diese Hilfe",
    "help.list": "`/addons liste`: Ihre Zusatzoptionen als Text, mit Nummern",
    "help.book": "`/addons buchen &lt;Option&gt; &lt;Anzahl&gt;`: hinzubuchen, nach Ihrer "
    "Bestätigung, z. B. `/addons buchen users 3`",
    "help.option": "`{name}`: {label}",
    "help.cancel": "`/addons kündigen &lt;Nr.&gt;`: kündigen, nach Ihrer Bestätigung, "
    "z. B. `/addons kündigen 42`",
    "help.invoice": "`/addons rechnung`: kommende Sammelrechnung und letzte Rechnungen",
    "help.unknown": "Das habe ich nicht verstanden: „{word}“.",
    "help.cancel_needs_number": "Bitte geben Sie die Nummer der Zusatzoption an, z. B. "
    "`/addons kündigen 42`. Die Nummern zeigt `/addons liste`.",
    "list.line": "Nr. {id}: {addon}, {price}, abgerechnet bis {billed_until}, {status}",
    "list.hint": "Kündigen mit `/addons kündigen &lt;Nr.&gt;`.",
    # -- direct messages from the schedule (handlers/notifications.py) ------------------
    "notify.invoice": "Ihre Sammelrechnung Nr. {number} vom {date} ist erstellt: {total}.",
    "notify.ended": "Die Kündigung ist wirksam: {addon} wurde zum {date} beendet und wird "
    "nicht verlängert.",
    "notify.withdrawn": "Widerruf vom {date}: {addon} ist storniert; {amount} werden Ihnen "
    "nicht berechnet.",
    # -- who may do what ----------------------------------------------------------------
    "refusal.not_admin": "Das dürfen nur Admins und Inhaber dieses Workspaces sowie "
    "Abrechnungs-Admins. Bitte wenden Sie sich an einen von ihnen.",
    "home.non_admin": "Hier buchen und kündigen die Admins Ihres Workspaces zusätzliche "
    "Benutzer und Speicherplatz für CloudCRM. Braucht Ihr Team mehr, wenden "
    "Sie sich bitte an einen Admin.",
    # -- errors (one per DomainError code) ----------------------------------------------
    "error.domain_error": "Das ging leider nicht. Es wurde nichts geändert.",
    "error.unknown_option": "Eine Zusatzoption „{option}“ gibt es nicht.",
    "error.quantity_out_of_range": "Bitte geben Sie eine ganze Zahl von 1 bis {maximum} ein. "
    "Es wurde nichts gebucht.",
    "error.unknown_addon": "Eine Zusatzoption Nr. {addon_id} gibt es in diesem Workspace nicht.",
    "error.already_cancelled": "Diese Zusatzoption ist bereits gekündigt, Kündigung zum {date}. "
    "Es wurde nichts geändert.",
    "error.already_ended": "Diese Zusatzoption ist bereits am {date} beendet. "
    "Es wurde nichts geändert.",
    "error.already_ended.withdrawn": "Diese Zusatzoption wurde bereits am {date} widerrufen. "
    "Es wurde nichts geändert.",
    "error.nothing_to_undo": "Für diese Zusatzoption ist keine Kündigung vorgemerkt; es gibt "
    "nichts zurückzunehmen.",
    "error.cancellation_took_effect": "Die Kündigung ist zum {date} wirksam geworden und kann "
    "nicht mehr zurückgenommen werden.",
    "error.outcome_changed": "Inzwischen wäre Kündigen {actual}, nicht mehr {confirmed}. Es "
    "wurde nichts geändert; bitte prüfen Sie die neue Abfrage.",
    "error.cancellation_date_changed": "Inzwischen hat ein neuer Abrechnungszeitraum begonnen: "
    "Kündigen wäre jetzt eine Kündigung zum {actual}, nicht "
    "mehr zum {confirmed}. Es wurde nichts geändert; bitte "
    "kündigen Sie erneut, wenn Sie möchten.",
    "error.booking_quote_expired": "Diese Abfrage galt für den {quoted}; heute ergäben sich ein "
    "anderer anteiliger Betrag und ein anderes Abrechnungsdatum. "
    "Es wurde nichts gebucht; bitte klicken Sie erneut auf "
    "Hinzufügen.",
    "error.not_a_billing_admin": "Das dürfen nur Admins und Inhaber dieses Workspaces sowie "
    "Abrechnungs-Admins. Bitte wenden Sie sich an einen von ihnen.",
    "error.unknown_workspace": "Für diesen Workspace ist noch kein CloudCRM-Abonnement "
    "eingerichtet. Bitte wenden Sie sich an den Support.",
    "error.unknown_invoice": "Eine Rechnung Nr. {number} gibt es nicht.",
    "error.anchor_locked": "Der Abrechnungsstichtag lässt sich nicht mehr ändern, weil bereits "
    "Zusatzoptionen gebucht sind.",
    "error.invalid_timezone": "Die Zeitzone „{timezone}“ gibt es nicht.",
    "error.invalid_view": "Diese Abfrage ist nicht mehr gültig. Es wurde nichts geändert; "
    "bitte öffnen Sie `/addons` erneut.",
    "error.unexpected": "Da ist leider etwas schiefgegangen. Bitte versuchen Sie es gleich "
    "noch einmal.",
    "error.busy": "Gerade ist viel los. Es wurde nichts geändert; bitte versuchen Sie es in "
    "einem Moment noch einmal.",
    # -- while a confirmation is being carried out (Slack has been answered already) ------
    "working.book": "Wird gebucht …",
    "working.cancel": "Wird gekündigt …",
    "working.withdraw": "Wird widerrufen …",
    "working.quote": "Wird berechnet …",
}

_EN: dict[str, str] = {
    "overview.title": "Add-ons",
    "overview.submit": "Done",
    "overview.close": "Close",
    "overview.intro": "Extend your CRM flexibly, as you need it. Add-ons can be cancelled monthly.",
    "overview.home_hint": "Press *Add* to choose a quantity and confirm the booking. "
    "Everything also works as text: `/addons help`.",
    "overview.loading": "One moment, loading the overview …",
    "option.description.users": "Your team is growing? Book more licences.",
    "option.description.storage": "More room for documents and e-mails.",
    "price.seat": "{price} / user / month",
    "price.seats": "{price} / {size} users / month",
    "price.gb": "{price} / {size} GB / month",
    "price.monthly": "{price} / month",
    "addon.seat": "{label} (+{amount})",
    "addon.gb": "{label} (+{amount} GB)",
    "quantity.label": "Quantity",
    "quantity.placeholder": "1 to {maximum}",
    "quantity.hint.seat": "A whole number from 1 to {maximum}.",
    "quantity.hint.gb": "A whole number from 1 to {maximum}, in packages of {size} GB: "
    "3 gives +{example} GB.",
    "quantity.error.empty": "Please enter a quantity.",
    "quantity.error.not_a_number": "Please enter a number.",
    "quantity.error.zero": "The quantity must be at least 1.",
    "quantity.error.negative": "The quantity cannot be negative.",
    "quantity.error.decimal": "Please enter a whole number, without decimals.",
    "quantity.error.too_large": "At most {maximum} at a time.",
    "button.add": "Add",
    "button.cancel": "Cancel",
    "button.undo": "Undo cancellation",
    "button.confirm": "Confirm",
    "button.back": "Back",
    "button.continue": "Continue",
    "button.more": "Show more",
    "button.previous": "Show previous",
    "table.title": "Your add-ons",
    "table.option": "OPTION",
    "table.price": "PRICE",
    "table.billed_until": "BILLED UNTIL",
    "table.status": "STATUS / ACTION",
    "table.empty": "You have not booked any add-ons yet.",
    "table.none": "–",
    "table.rows": "Rows {first}–{last} of {total}",
    "table.more_ended.one": "… and {count} more ended add-on",
    "table.more_ended.other": "… and {count} more ended add-ons",
    "table.more.one": "… and {count} more add-on",
    "table.more.other": "… and {count} more add-ons",
    "status.active": "Active",
    "status.pending": "Cancellation effective {date}",
    "status.ended": "Ended on {date}",
    "status.withdrawn": "Withdrawn on {date}",
    "entitlements.line": "Extra in force now: {items}",
    "entitlements.none": "no add-ons",
    "entitlements.seats.one": "{count} user",
    "entitlements.seats.other": "{count} users",
    "entitlements.gigabytes": "{count} GB",
    "invoice.upcoming_total": "Next consolidated invoice on {date}, so far: {total}",
    "invoice.recent_title": "Recent invoices",
    "invoice.recent_line": "No. {number} of {date}: {total}",
    "invoice.none": "No invoices yet.",
    "invoice.modal_title": "Invoice",
    "invoice.title": "Invoice no. {number} of {date}",
    "invoice.preview_title": "Upcoming consolidated invoice on {date}",
    "invoice.preview_note": "Preview as of today; it may still change until the invoice date.",
    "invoice.line.proration": "{addon}, prorated {start}–{end}: {amount}",
    "invoice.line.renewal": "{addon}, {start}–{end}: {amount}",
    "invoice.line.credit": "Invoice correction (withdrawal) {addon}, {start}–{end}: {amount}",
    "invoice.total": "Total: {total}",
    "invoice.empty": "No lines.",
    "invoice.more_lines.one": "… and {count} more line",
    "invoice.more_lines.other": "… and {count} more lines",
    "booking.modal_title": "Book an add-on",
    "booking.title": "Confirm booking",
    "booking.quantity": "Quantity",
    "booking.monthly_price": "Monthly price",
    "booking.prorated": "Prorated {start}–{end}",
    "booking.billed_until": "Billed until",
    "booking.explanation": "The add-on is available immediately. The prorated amount of "
    "{prorated} will be billed with your next consolidated invoice "
    "(on {invoice_date}). After that it costs {monthly} per month until "
    "you cancel it.",
    "booking.withdrawal_note": "Right of withdrawal: if you cancel by {deadline}, the add-on "
    "is cancelled at once and nothing is charged.",
    "booking.done": "Booked: {addon}. Available immediately. Prorated {prorated}, billed until "
    "{billed_until}; billed with your next consolidated invoice.",
    "booking.repeated": "This booking was already made: {addon}. Nothing was booked twice.",
    "cancel.title": "Confirm cancellation",
    "cancel.what": "Cancellation effective {date}, usable until then.",
    "cancel.details": "After that the add-on is deactivated automatically and not renewed. "
    "Until {date} you can undo the cancellation.",
    "cancel.done": "Cancelled: {addon}. Cancellation effective {date}, usable until then.",
    "withdraw.title": "Confirm withdrawal",
    "withdraw.what": "Withdrawal: cancelled at once, {amount} will be removed from your "
    "consolidated invoice.",
    "withdraw.what_free": "Withdrawal: cancelled at once, nothing is charged.",
    "withdraw.what_short": "Withdrawal: cancelled at once.",
    "withdraw.credit": "{amount} already invoiced will appear on your next consolidated "
    "invoice as an invoice correction.",
    "withdraw.details": "Cancelling within 14 days of booking is a withdrawal: the add-on ends "
    "now and is no longer available.",
    "withdraw.done": "Withdrawn: {addon}.",
    "undo.done": "Cancellation undone: {addon} is active again and will be renewed.",
    "outcome.cancellation": "a cancellation at the end of the billing period",
    "outcome.withdrawal": "a withdrawal, cancelled at once",
    "help.title": "*/addons*: book and cancel add-ons",
    "help.overview": "`/addons`: open the overview, with Add and Cancel",
    "help.help": "`/addons help`: this help",
    "help.list": "`/addons list`: your add-ons as text, with numbers",
    "help.book": "`/addons book &lt;option&gt; &lt;quantity&gt;`: book after you confirm, "
    "e.g. `/addons book users 3`",
    "help.option": "`{name}`: {label}",
    "help.cancel": "`/addons cancel &lt;no.&gt;`: cancel after you confirm, "
    "e.g. `/addons cancel 42`",
    "help.invoice": "`/addons invoice`: upcoming consolidated invoice and recent invoices",
    "help.unknown": "I did not understand “{word}”.",
    "help.cancel_needs_number": "Please give the number of the add-on, e.g. "
    "`/addons cancel 42`. `/addons list` shows the numbers.",
    "list.line": "No. {id}: {addon}, {price}, billed until {billed_until}, {status}",
    "list.hint": "Cancel with `/addons cancel &lt;no.&gt;`.",
    "notify.invoice": "Your consolidated invoice no. {number} of {date} has been issued: {total}.",
    "notify.ended": "The cancellation took effect: {addon} ended on {date} and will not be "
    "renewed.",
    "notify.withdrawn": "Withdrawal of {date}: {addon} is cancelled; you will not be charged "
    "{amount}.",
    "refusal.not_admin": "Only admins and owners of this workspace and billing admins can do "
    "this. Please ask one of them.",
    "home.non_admin": "This is where the admins of your workspace book and cancel extra users "
    "and storage for CloudCRM. If your team needs more, please ask an admin.",
    "error.domain_error": "Sorry, that did not work. Nothing was changed.",
    "error.unknown_option": "There is no add-on option “{option}”.",
    "error.quantity_out_of_range": "Please enter a whole number from 1 to {maximum}. "
    "Nothing was booked.",
    "error.unknown_addon": "There is no add-on no. {addon_id} in this workspace.",
    "error.already_cancelled": "This add-on is already cancelled, effective {date}. "
    "Nothing was changed.",
    "error.already_ended": "This add-on already ended on {date}. Nothing was changed.",
    "error.already_ended.withdrawn": "This add-on was already withdrawn on {date}. "
    "Nothing was changed.",
    "error.nothing_to_undo": "This add-on has no scheduled cancellation; there is nothing to undo.",
    "error.cancellation_took_effect": "The cancellation took effect on {date} and can no longer "
    "be undone.",
    "error.outcome_changed": "Cancelling would now be {actual}, no longer {confirmed}. Nothing "
    "was changed; please check the new confirmation.",
    "error.cancellation_date_changed": "A new billing period has begun meanwhile: cancelling "
    "would now take effect on {actual}, no longer on "
    "{confirmed}. Nothing was changed; please cancel again "
    "if you wish.",
    "error.booking_quote_expired": "This confirmation was for {quoted}; today the prorated "
    "amount and the billed-until date would differ. Nothing was "
    "booked; please press Add again.",
    "error.not_a_billing_admin": "Only admins and owners of this workspace and billing admins "
    "can do this. Please ask one of them.",
    "error.unknown_workspace": "No CloudCRM subscription is set up for this workspace yet. "
    "Please contact support.",
    "error.unknown_invoice": "There is no invoice no. {number}.",
    "error.anchor_locked": "The billing date can no longer change because add-ons are "
    "already booked.",
    "error.invalid_timezone": "There is no time zone “{timezone}”.",
    "error.invalid_view": "This confirmation is no longer valid. Nothing was changed; please "
    "open `/addons` again.",
    "error.unexpected": "Sorry, something went wrong. Please try again in a moment.",
    "error.busy": "We are busy right now. Nothing was changed; please try again in a moment.",
    "working.book": "Booking …",
    "working.cancel": "Cancelling …",
    "working.withdraw": "Withdrawing …",
    "working.quote": "Working out the price …",
}

MESSAGES: Mapping[str, Mapping[str, str]] = {"de": _DE, "en": _EN}


def language_for(locale: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The app language for a Slack locale: "de-DE" gives "de", "en-US" "en", else default."""
    if locale:
        language = locale.replace("_", "-").split("-")[0].lower()
        if language in MESSAGES:
            return language
    return default if default in MESSAGES else DEFAULT_LANGUAGE


def _language(lang: str) -> str:
    return lang if lang in MESSAGES else DEFAULT_LANGUAGE


@cache
def _babel(lang: str) -> Locale:
    """Babel's locale for an app language, parsed once (not at import: it reads files)."""
    return Locale.parse(_BABEL_LOCALE[_language(lang)])


# Babel's formatting is the costliest step of drawing a view (an overview formats a few
# dozen amounts, dates and counts per click), and the same few values recur: prices of
# 1..n units, period ends. So each formatter remembers what it wrote, boundedly.
_FORMATTED_CACHE = 4096


def fmt_money(money: Money, lang: str) -> str:
    """Money as the language writes it: "5,90 €" or "€5.90" (Babel, exact Decimal)."""
    return _money_text(money.cents, money.currency, lang)


@lru_cache(maxsize=_FORMATTED_CACHE)
def _money_text(cents: int, currency: str, lang: str) -> str:
    text = format_currency(Money(cents, currency).amount, currency, locale=_babel(lang))
    return text.translate(_NO_BREAK_SPACES)


@lru_cache(maxsize=_FORMATTED_CACHE)
def fmt_date(day: date, lang: str) -> str:
    """A calendar date: "17.04.2026" in German, ISO "2026-04-17" in English (Babel)."""
    lang = _language(lang)
    return format_date(day, _DATE_PATTERN[lang], locale=_babel(lang))


@lru_cache(maxsize=_FORMATTED_CACHE)
def fmt_number(number: int, lang: str) -> str:
    """A count with the language's digit grouping: "1.000" or "1,000"."""
    text = format_decimal(number, locale=_babel(lang))
    return text.translate(_NO_BREAK_SPACES)


def _formatted(value: object, lang: str) -> object:
    if isinstance(value, Money):
        return fmt_money(value, lang)
    if isinstance(value, date):
        return fmt_date(value, lang)
    return value


def t(lang: str, key: str, **params: object) -> str:
    """The text ``key`` in ``lang`` (German if unknown), with Money and dates formatted."""
    template = MESSAGES[_language(lang)][key]
    return template.format_map({name: _formatted(v, lang) for name, v in params.items()})


def tn(lang: str, key: str, count: int, **params: object) -> str:
    """The singular (``key.one``) or plural (``key.other``) text for ``count``."""
    form = "one" if count == 1 else "other"
    return t(lang, f"{key}.{form}", count=fmt_number(count, lang), **params)


def placeholders(template: str) -> frozenset[str]:
    """The ``{names}`` a template uses (for the consistency test)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _echo(value: object) -> str:
    """Something the user typed, safe and short enough to repeat back in mrkdwn."""
    text = str(value)
    if len(text) > 40:
        text = text[:39] + "…"
    return escape_mrkdwn(text)


def error_text(lang: str, error: DomainError) -> str:
    """The translated, mrkdwn-safe message for a refused request (nothing was changed)."""
    params = dict(error.params())
    key = f"error.{error.code}"
    if error.code == "already_ended" and params.get("withdrawn"):
        key = "error.already_ended.withdrawn"
    if error.code == "outcome_changed":
        for name in ("confirmed", "actual"):
            outcome_key = f"outcome.{params.get(name)}"
            if outcome_key in MESSAGES[_language(lang)]:
                params[name] = t(lang, outcome_key)
    maximum = params.get("maximum")
    if isinstance(maximum, int):
        params["maximum"] = fmt_number(maximum, lang)
    for name in ("option", "addon_id", "number", "timezone"):
        if name in params:
            params[name] = _echo(params[name])
    if key not in MESSAGES[_language(lang)]:
        key = "error.domain_error"
    try:
        return t(lang, key, **params)
    except (KeyError, IndexError, ValueError):  # a subclass with unexpected params()
        return t(lang, "error.domain_error")
