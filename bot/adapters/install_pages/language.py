"""German or English for a browser, from ``?lang=`` or its Accept-Language header."""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("de", "en")


def _weighted(header: str) -> list[tuple[float, int, str]]:
    """Each language range of the header with its weight (and position, for ties)."""
    ranges = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if tag and weight > 0:
            ranges.append((-weight, position, tag.strip().lower()))
    return sorted(ranges)


def choose(accept_language: str | None, default: str, asked: str | None = None) -> str:
    """``asked`` if it is a language of the pages, else the browser's first one we speak.

    ``de-AT`` counts as German, ``en-GB`` as English; ``*`` or nothing we speak gives
    ``default`` (ADDONS_DEFAULT_LOCALE's language).
    """
    if asked in LANGUAGES:
        return asked
    for _, _, tag in _weighted((accept_language or "")[:500]):
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    fallback = default.split("-")[0].split("_")[0].lower()
    return fallback if fallback in LANGUAGES else LANGUAGES[0]
