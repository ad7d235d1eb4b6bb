"""Texts in German and English, and Babel formatting of money and dates."""

from __future__ import annotations

import inspect
from datetime import date

import pytest

import domain.errors as errors_module
from domain.errors import (
    AlreadyCancelled,
    AlreadyEnded,
    AnchorLocked,
    BookingQuoteExpired,
    CancellationDateChanged,
    CancellationTookEffect,
    DomainError,
    InvalidTimezone,
    NotABillingAdmin,
    NothingToUndo,
    OutcomeChanged,
    QuantityOutOfRange,
    UnknownAddOn,
    UnknownCorrection,
    UnknownInvoice,
    UnknownOption,
    UnknownWorkspace,
)
from domain.money import Money
from handlers.i18n import (
    MESSAGES,
    error_text,
    fmt_date,
    fmt_money,
    fmt_number,
    language_for,
    placeholders,
    t,
    tn,
)

APRIL_17 = date(2026, 4, 17)

SAMPLE_ERRORS: list[DomainError] = [
    DomainError(),
    UnknownOption("printer"),
    QuantityOutOfRange(0, 1000),
    UnknownAddOn(42),
    AlreadyCancelled(42, APRIL_17),
    AlreadyEnded(42, APRIL_17),
    AlreadyEnded(42, APRIL_17, withdrawn=True),
    NothingToUndo(42),
    CancellationTookEffect(42, APRIL_17),
    OutcomeChanged(42, "withdrawal", "cancellation"),
    CancellationDateChanged(42, APRIL_17, date(2026, 5, 17)),
    BookingQuoteExpired(APRIL_17, date(2026, 4, 18)),
    NotABillingAdmin("U123"),
    UnknownWorkspace("T123"),
    UnknownInvoice(17),
    UnknownCorrection(3),
    AnchorLocked("T123"),
    InvalidTimezone("Europe/Berln"),
]


def test_both_languages_have_exactly_the_same_keys() -> None:
    assert set(MESSAGES["de"]) == set(MESSAGES["en"])


@pytest.mark.parametrize("key", sorted(MESSAGES["de"]))
def test_both_languages_use_the_same_placeholders(key: str) -> None:
    assert placeholders(MESSAGES["de"][key]) == placeholders(MESSAGES["en"][key])


def test_english_texts_contain_no_german_letters() -> None:
    german = [key for key, text in MESSAGES["en"].items() if set(text) & set("äöüÄÖÜß")]
    assert german == []


def test_no_text_calls_a_correction_a_gutschrift() -> None:
    for language in MESSAGES.values():
        assert not [text for text in language.values() if "Gutschrift" in text]


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("de-DE", "de"),
        ("de-AT", "de"),
        ("de_CH", "de"),
        ("en-US", "en"),
        ("en-GB", "en"),
        ("fr-FR", "de"),
        ("", "de"),
        (None, "de"),
    ],
)
def test_language_follows_the_slack_locale_or_falls_back(locale: str | None, expected: str) -> None:
    assert language_for(locale, "de") == expected


def test_language_falls_back_to_the_configured_default() -> None:
    assert language_for("ja-JP", "en") == "en"
    assert language_for(None, "en") == "en"


@pytest.mark.parametrize("locale", ["de-DE", "de-AT", "de_CH", "DE-de"])
def test_a_german_locale_is_german_under_an_english_default(locale: str) -> None:
    assert language_for(locale, "en") == "de"


@pytest.mark.parametrize("locale", ["en-US", "en-GB", "en_AU"])
def test_an_english_locale_is_english_under_a_german_default(locale: str) -> None:
    assert language_for(locale, "de") == "en"


def test_money_is_written_as_each_language_writes_it() -> None:
    assert fmt_money(Money(590), "de") == "5,90 €"
    assert fmt_money(Money(590), "en") == "€5.90"
    assert fmt_money(Money(123450), "de") == "1.234,50 €"
    assert fmt_money(Money(123450), "en") == "€1,234.50"
    assert fmt_money(Money(-285), "de") == "-2,85 €"
    assert fmt_money(Money(0), "en") == "€0.00"


def test_dates_are_written_as_each_locale_writes_them() -> None:
    assert fmt_date(APRIL_17, "de") == "17.04.2026"
    assert fmt_date(APRIL_17, "en") == "Apr 17, 2026"
    assert fmt_date(date(2026, 1, 2), "en") == "Jan 2, 2026"


def test_english_keeps_cancel_and_withdraw_apart() -> None:
    """Kündigen is "cancel" (to the period end), Widerruf is "withdraw" (at once)."""
    english = MESSAGES["en"]
    for key in ("withdraw.what", "withdraw.what_free", "withdraw.what_short", "withdraw.done"):
        assert "cancelled" not in english[key], key
        assert "withdraw" in english[key].lower(), key
    for key in ("cancel.what", "cancel.done", "cancel.details"):
        assert "withdraw" not in english[key].lower(), key


def test_no_withdrawal_text_says_not_charged_about_an_invoiced_amount() -> None:
    for lang in ("de", "en"):
        for key in ("withdraw.corrected", "withdraw.what_short", "notify.withdrawn"):
            text = MESSAGES[lang][key]
            assert "nicht berechnet" not in text
            assert "nichts berechnet" not in text
            assert "not charged" not in text
            assert "nothing is charged" not in text


def test_counts_are_grouped_per_language() -> None:
    assert fmt_number(1000, "de") == "1.000"
    assert fmt_number(1000, "en") == "1,000"


def test_t_formats_money_and_date_parameters_itself() -> None:
    assert t("de", "cancel.what", date=APRIL_17) == "Kündigung zum 17.04.2026, bis dahin nutzbar."
    assert t("en", "cancel.what", date=APRIL_17) == (
        "Cancellation effective Apr 17, 2026, usable until then."
    )
    assert t("de", "withdraw.what", amount=Money(285)) == (
        "Widerruf: sofort storniert, es wird nichts berechnet: 2,85 € werden von Ihrer nächsten "
        "Sammelrechnung entfernt."
    )


def test_unknown_language_falls_back_to_german() -> None:
    assert t("fr", "overview.title") == "Zusatzoptionen"


def test_the_help_page_words_are_the_german_texts() -> None:
    assert t("de", "overview.title") == "Zusatzoptionen"
    assert t("de", "table.title") == "Ihre Zusatzoptionen"
    assert t("de", "price.seat", price=Money(590)) == "5,90 € / Nutzer / Monat zzgl. USt."
    assert t("de", "price.gb", price=Money(590), size="10") == "5,90 € / 10 GB / Monat zzgl. USt."
    assert t("en", "price.seat", price=Money(590)) == "€5.90 / user / month excl. VAT"
    assert t("en", "price.gb", price=Money(590), size="10") == "€5.90 / 10 GB / month excl. VAT"
    assert t("de", "price.net", price=Money(590)) == "5,90 € zzgl. USt."
    assert t("en", "price.net", price=Money(590)) == "€5.90 excl. VAT"
    assert [t("de", f"button.{b}") for b in ("add", "cancel", "undo", "confirm", "back")] == [
        "Hinzufügen",
        "Kündigen",
        "Kündigung zurücknehmen",
        "Bestätigen",
        "Abbrechen",
    ]
    assert [t("en", f"button.{b}") for b in ("add", "cancel", "undo", "confirm", "back")] == [
        "Add",
        "Cancel",
        "Undo cancellation",
        "Confirm",
        "Back",
    ]
    assert [t("de", f"table.{c}") for c in ("option", "price", "billed_until", "status")] == [
        "OPTION",
        "PREIS",
        "ABGERECHNET BIS",
        "STATUS / AKTION",
    ]
    assert t("de", "status.pending", date=APRIL_17) == "Kündigung zum 17.04.2026"
    assert t("de", "status.ended", date=APRIL_17) == "Beendet am 17.04.2026"
    assert t("de", "status.withdrawn", date=APRIL_17) == "Widerrufen am 17.04.2026"


def test_direct_messages_of_the_schedule() -> None:
    assert t("de", "notify.invoice", number=17, date=date(2026, 4, 18), total=Money(875)) == (
        "Ihre Sammelrechnung Nr. 17 vom 18.04.2026 ist erstellt: 8,75 €."
    )
    assert "Apr 17, 2026" in t("en", "notify.ended", addon="Additional users (+1)", date=APRIL_17)
    assert t("en", "notify.withdrawn", addon="x", date=APRIL_17) == (
        "Withdrawal of Apr 17, 2026: x has ended."
    )
    assert t("de", "notify.correction", number=1, date=APRIL_17, corrects=3, total=Money(-609)) == (
        "Rechnungskorrektur K-1 vom 17.04.2026 zu Rechnung Nr. 3: -6,09 €."
    )


def test_plural_forms_follow_the_count() -> None:
    assert tn("de", "table.more_ended", 250) == "… und 250 weitere beendete Zusatzoptionen"
    assert tn("de", "table.more_ended", 1) == "… und 1 weitere beendete Zusatzoption"
    assert tn("en", "entitlements.seats", 1) == "1 user"
    assert tn("en", "entitlements.seats", 3) == "3 users"


def test_every_domain_error_has_a_sample_here() -> None:
    classes = {
        cls
        for _, cls in inspect.getmembers(errors_module, inspect.isclass)
        if issubclass(cls, DomainError)
    }
    assert classes == {type(error) for error in SAMPLE_ERRORS}


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("error", SAMPLE_ERRORS, ids=lambda e: type(e).__name__)
def test_every_domain_error_has_its_own_message_in_both_languages(
    error: DomainError, lang: str
) -> None:
    assert f"error.{error.code}" in MESSAGES[lang]
    text = error_text(lang, error)
    assert text
    assert "{" not in text
    if error.code != "domain_error":
        assert text != t(lang, "error.domain_error")


def test_error_messages_carry_their_facts() -> None:
    assert "17.04.2026" in error_text("de", AlreadyCancelled(42, APRIL_17))
    assert "Apr 17, 2026" in error_text("en", AlreadyCancelled(42, APRIL_17))
    assert "widerrufen" in error_text("de", AlreadyEnded(42, APRIL_17, withdrawn=True))
    assert "beendet" in error_text("de", AlreadyEnded(42, APRIL_17))
    assert "1 bis 1.000" in error_text("de", QuantityOutOfRange(0, 1000))
    assert "1 to 1,000" in error_text("en", QuantityOutOfRange(0, 1000))
    assert "42" in error_text("en", UnknownAddOn(42))


def test_a_changed_outcome_is_explained_in_words_not_codes() -> None:
    text = error_text("de", OutcomeChanged(42, "withdrawal", "cancellation"))
    assert "Kündigung zum Ende des Abrechnungszeitraums" in text
    assert "Widerruf" in text
    assert "withdrawal" not in text


def test_what_the_user_typed_is_escaped_and_shortened() -> None:
    text = error_text("de", UnknownOption("<!channel> & " + "x" * 100))
    assert "<!channel>" not in text
    assert "&lt;!channel&gt; &amp;" in text
    assert len(text) < 120


def test_an_error_with_unexpected_params_still_gets_a_message() -> None:
    class Odd(DomainError):
        code = "already_cancelled"  # its template needs {date}, which Odd lacks

    assert error_text("en", Odd()) == t("en", "error.domain_error")


@pytest.mark.parametrize(
    ("key", "german", "english"),
    [
        ("working.book", "Wird gebucht …", "Booking …"),
        ("working.cancel", "Wird gekündigt …", "Cancelling …"),
        ("working.withdraw", "Wird widerrufen …", "Withdrawing …"),
        ("working.quote", "Wird berechnet …", "Working out the price …"),
    ],
)
def test_a_confirmation_being_carried_out_says_so_in_both_languages(
    key: str, german: str, english: str
) -> None:
    assert (t("de", key), t("en", key)) == (german, english)
