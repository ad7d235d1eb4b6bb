"""manifest.yaml agrees with the app: the command, the one path, the event, the scopes."""

from __future__ import annotations

import re
from pathlib import Path

from bot.adapters.slack_app import REDIRECT_PATH, SLACK_PATH
from handlers.commands import COMMAND

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yaml"


def _values(key: str) -> list[str]:
    """Every value of ``key:`` in the manifest (comments stripped); no YAML library needed."""
    found = []
    for line in MANIFEST.read_text(encoding="utf-8").splitlines():
        match = re.match(rf"\s*-?\s*{re.escape(key)}:\s*(\S.*?)\s*(#.*)?$", line)
        if match:
            found.append(match.group(1).strip('"'))
    return found


def _list_after(key: str) -> list[str]:
    """The "- item" lines right below ``key:``."""
    lines = MANIFEST.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == f"{key}:")
    items = []
    for line in lines[start + 1 :]:
        match = re.match(r"\s*-\s*([\w:.]+)", line)
        if not match:
            break
        items.append(match.group(1))
    return items


def test_every_url_is_the_apps_one_path() -> None:
    urls = _values("url") + _values("request_url")
    assert len(urls) == 3  # slash command, events, interactivity
    assert all(url.startswith("https://") and url.endswith(SLACK_PATH) for url in urls)


def test_the_slash_command_and_the_event_are_the_ones_the_app_listens_to() -> None:
    assert _values("command") == [COMMAND]
    assert _list_after("bot_events") == ["app_home_opened", "app_uninstalled", "tokens_revoked"]
    assert _values("home_tab_enabled") == ["true"]
    assert _values("socket_mode_enabled") == ["false"]


def test_the_bot_scopes_are_exactly_what_the_app_calls_need() -> None:
    assert sorted(_list_after("bot")) == ["chat:write", "commands", "users:read"]


def test_the_oauth_redirect_url_is_the_apps_redirect_route() -> None:
    lines = MANIFEST.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "redirect_urls:")
    url = lines[start + 1].split("#")[0].strip().removeprefix("- ").strip()
    assert url == f"https://YOUR-HOST{REDIRECT_PATH}"
