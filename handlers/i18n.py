"""German and English texts of the Slack app, and Babel formatting of money, dates, numbers.

German is the default and uses the help page's words. Every key exists in both languages
with the same ``{placeholders}`` (a unit test checks this). ``t()`` formats ``Money`` and
``date`` parameters for the language itself, so callers pass domain values, not strings.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from domain.errors import DomainError
from domain.money import Money
from handlers.texts_de import DE
from handlers.texts_en import EN

DEFAULT_LANGUAGE = "de"
LANGUAGES = ("de", "en")
_BABEL_LOCALE = {"de": "de_DE", "en": "en_US"}
# The locale's own medium date: "17.04.2026" (de_DE), "Apr 17, 2026" (en_US).
_DATE_PATTERN = {"de": "medium", "en": "medium"}
# Babel puts no-break spaces (U+00A0, U+202F) between amount and symbol; the help page
# and everything users type or search for use a plain space.
_NO_BREAK_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " "})

MESSAGES: Mapping[str, Mapping[str, str]] = {"de": DE, "en": EN}


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
    """A calendar date as the locale writes it: "17.04.2026", "Apr 17, 2026" (Babel)."""
    lang = _language(lang)
    return format_date(day, _DATE_PATTERN[lang], locale=_babel(lang))


@lru_cache(maxsize=_FORMATTED_CACHE)
def fmt_number(number: int, lang: str) -> str:
    """A count with the language's digit grouping: "1.000" or "1,000"."""
    text = format_decimal(number, locale=_babel(lang))
    return text.translate(_NO_BREAK_SPACES)


def fmt_rate(rate: Decimal, lang: str) -> str:
    """A VAT rate as the language writes it: "19", "7,5" / "7.5"."""
    text = format_decimal(rate.normalize(), locale=_babel(lang))
    return text.translate(_NO_BREAK_SPACES)


def month_text(start: date, lang: str) -> str:
    """A billing period by its first day: "Mai 2026" for a calendar month, else
    "den Monat ab 03.05.2026" (periods run from the workspace's anchor day)."""
    if start.day == 1:
        return format_date(start, "LLLL yyyy", locale=_babel(lang))
    return t(lang, "period.month_from", start=start)


def _formatted(value: object, lang: str) -> object:
    if isinstance(value, Money):
        return fmt_money(value, lang)
    if isinstance(value, date):
        return fmt_date(value, lang)
    return value


def t(lang: str, key: str, **params: object) -> str:
    """The text ``key`` in ``lang`` (German if unknown), with Money and dates formatted."""
    template = MESSAGES[_language(lang)][key]
    if not params and "{" not in template and "}" not in template:
        return template  # most texts of a view are fixed: nothing to format
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


def _special_params(lang: str, code: str, params: Mapping[str, object]) -> dict[str, object]:
    """Parameters some errors show in words: an outcome, a Rechnungsdaten field."""
    known = MESSAGES[_language(lang)]
    if code == "outcome_changed":
        return {
            name: t(lang, f"outcome.{params.get(name)}")
            for name in ("confirmed", "actual")
            if f"outcome.{params.get(name)}" in known
        }
    if code == "invalid_billing_detail":  # the refused field by its label, the value safe
        label = f"details.label.{params.get('field')}"
        field = t(lang, label) if label in known else "?"
        return {"field": field, "value": _echo(params.get("value", ""))}
    return {}


def error_text(lang: str, error: DomainError) -> str:
    """The translated, mrkdwn-safe message for a refused request (nothing was changed)."""
    params = dict(error.params())
    key = f"error.{error.code}"
    if error.code == "already_ended" and params.get("withdrawn"):
        key = "error.already_ended.withdrawn"
    params.update(_special_params(lang, error.code, params))
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
