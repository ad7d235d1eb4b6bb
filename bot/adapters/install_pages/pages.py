"""The install pages as HTML: one layout, one stylesheet of the app's own, no outside asset.

Every value that comes from outside (a workspace's name, a URL) is escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Final
from urllib.parse import urlencode

from bot.adapters.install_pages import markdown
from bot.adapters.install_pages.texts import APP_NAME, SCOPE_REASONS, TEXTS

STYLESHEET: Final = "/static/addons.css"
ICON: Final = "/static/icon.svg"
PRIVACY: Final = "/privacy"
INSTALL: Final = "/slack/install"
FAILURES: Final = ("denied", "expired", "invalid", "refused", "unreachable", "org_install")

# Slack's mark, drawn inline (the "Add to Slack" image on Slack's CDN breaks offline).
SLACK_MARK: Final = (
    '<svg class="mark" viewBox="0 0 122.8 122.8" aria-hidden="true" focusable="false">'
    '<path fill="#e01e5a" d="M25.8 77.6a12.9 12.9 0 1 1-12.9-12.9h12.9zm6.5 0a12.9 12.9 0 0 '
    '1 25.8 0v32.3a12.9 12.9 0 1 1-25.8 0z"/>'
    '<path fill="#36c5f0" d="M45.2 25.8a12.9 12.9 0 1 1 12.9-12.9v12.9zm0 6.5a12.9 12.9 0 0 '
    '1 0 25.8H12.9a12.9 12.9 0 1 1 0-25.8z"/>'
    '<path fill="#2eb67d" d="M97 45.2a12.9 12.9 0 1 1 12.9 12.9H97zm-6.5 0a12.9 12.9 0 0 1-'
    '25.8 0V12.9a12.9 12.9 0 1 1 25.8 0z"/>'
    '<path fill="#ecb22e" d="M77.6 97a12.9 12.9 0 1 1-12.9 12.9V97zm0-6.5a12.9 12.9 0 0 1 0-'
    '25.8h32.3a12.9 12.9 0 1 1 0 25.8z"/></svg>'
)


def _t(lang: str, key: str, **values: str) -> str:
    """The text ``key`` in ``lang``, HTML-escaped, with escaped ``values`` filled in."""
    text = escape(TEXTS[lang][key], quote=False)
    return text.format(**{k: escape(v) for k, v in values.items()})


def layout(lang: str, title: str, main: str, here: str | None) -> str:
    """A whole page: the app's name in a band, ``main``, and a link to ``here`` in the
    other language (none where reloading would repeat a step: ``here`` None)."""
    other = TEXTS[lang]["other_lang"]
    switch = ""
    if here is not None:
        href = escape(f"{here}?{urlencode({'lang': other})}")
        switch = (
            f'<a class="lang" href="{href}" hreflang="{other}" lang="{other}">'
            f"{_t(lang, 'other_lang_name')}</a>"
        )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title} · {APP_NAME}</title>"
        f'<link rel="stylesheet" href="{STYLESHEET}">'
        f'<link rel="icon" href="{ICON}" type="image/svg+xml"></head><body>'
        f'<header class="band"><div class="inner"><span class="name">{APP_NAME}</span>'
        f"{switch}</div></header>"
        f'<main class="card">{main}</main></body></html>'
    )


def landing(lang: str, authorize_url: str, scopes: Sequence[str], here: str = INSTALL) -> str:
    """What the app is and does, what it may do in Slack and why, and the button."""
    reasons = SCOPE_REASONS[lang]
    items = "".join(
        f"<li><code>{escape(scope)}</code> {escape(reasons[scope])}</li>" for scope in scopes
    )
    main = (
        f"<h1>{_t(lang, 'landing_title')}</h1>"
        f'<p class="tagline">{_t(lang, "tagline")}</p>'
        f"<p>{_t(lang, 'intro')}</p><p>{_t(lang, 'what')}</p>"
        f'<p class="action"><a class="add-to-slack" href="{escape(authorize_url)}">'
        f"{SLACK_MARK}<span>{_t(lang, 'button')}</span></a></p>"
        f'<p class="note">{_t(lang, "button_note")}</p>'
        f"<h2>{_t(lang, 'scopes_title')}</h2><p>{_t(lang, 'scopes_intro')}</p>"
        f'<ul class="scopes">{items}</ul><p>{_t(lang, "scopes_none")}</p>'
        f"<h2>{_t(lang, 'privacy_title')}</h2><p>{_t(lang, 'privacy')} "
        f'<a href="{PRIVACY}?lang={lang}">{_t(lang, "privacy_link")}</a></p>'
    )
    return layout(lang, _t(lang, "landing_title"), main, here)


def installed(lang: str, team_name: str, open_app: str, open_web: str) -> str:
    """The success page: the workspace's name, and links that open Slack on the app."""
    main = (
        f'<h1 class="ok">{_t(lang, "installed_title")}</h1>'
        f"<p>{_t(lang, 'installed', team=team_name)}</p>"
        f'<p class="action"><a class="button primary" href="{escape(open_app)}">'
        f"{SLACK_MARK}<span>{_t(lang, 'open_app')}</span></a> "
        f'<a class="button" href="{escape(open_web)}">{_t(lang, "open_web")}</a></p>'
        f'<p class="note">{_t(lang, "installed_note")}</p>'
    )
    return layout(lang, _t(lang, "installed_title"), main, None)


def failed(lang: str, kind: str) -> str:
    """What went wrong, in plain words, and the way back to the install page."""
    main = (
        f'<h1 class="problem">{_t(lang, kind + "_title")}</h1><p>{_t(lang, kind)}</p>'
        f'<p class="action"><a class="button primary" href="{INSTALL}?lang={lang}">'
        f"{_t(lang, 'again' if kind != 'denied' else 'back')}</a></p>"
    )
    return layout(lang, _t(lang, kind + "_title"), main, None)


def privacy(lang: str, text: str) -> str:
    """The privacy notice (docs/privacy-notice.md, as HTML) and the way back."""
    main = (
        f'<article class="notice">{markdown.to_html(text)}</article>'
        f'<p class="action"><a class="button" href="{INSTALL}?lang={lang}">'
        f"{_t(lang, 'back')}</a></p>"
    )
    return layout(lang, _t(lang, "privacy_page_title"), main, PRIVACY)
