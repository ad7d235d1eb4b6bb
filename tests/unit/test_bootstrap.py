"""The composition root: settings loaded once, the database opened inside and closed after."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import pytest

from bot.bootstrap import SettingsError, bootstrap, load_settings
from bot.settings import Settings
from domain.errors import InvalidTimezone
from domain.workspace import check_timezone

ROOT = Path(__file__).resolve().parents[2]


def test_database_option_replaces_the_configured_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADDONS_DATABASE", "/srv/configured.db")
    assert load_settings().database == "/srv/configured.db"
    assert load_settings("/tmp/given.db").database == "/tmp/given.db"


def test_a_bad_setting_is_one_line_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADDONS_TIMEZONE", "Europe/Berln")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value) == (
        "bad setting ADDONS_TIMEZONE: Value error, unknown time zone 'Europe/Berln'"
    )


def test_time_zones_are_checked_in_one_place() -> None:
    assert check_timezone("America/New_York") == "America/New_York"
    with pytest.raises(InvalidTimezone):
        check_timezone("Europe/Berln")
    with pytest.raises(InvalidTimezone):
        check_timezone("")


def test_bootstrap_opens_the_database_and_closes_it_afterwards(tmp_path: Path) -> None:
    settings = Settings(database=str(tmp_path / "wired.db"), max_quantity=7)

    async def wire() -> None:
        async with bootstrap(settings, slack_session=False) as rt:
            assert rt.db.path == settings.database
            assert rt.ctx.db is rt.db
            assert rt.ctx.catalog["users"].max_quantity == 7
            assert rt.applied  # a new file is migrated on opening
            assert rt.http is None
        assert (tmp_path / "wired.db").exists()
        async with bootstrap(settings) as rt:
            assert rt.applied == []  # already at the current schema
            assert rt.http is not None
            assert not rt.http.closed
            http = rt.http
        assert http.closed

    asyncio.run(wire())


def _variable(name: str) -> str:
    """The environment variable of a Settings field."""
    alias = Settings.model_fields[name].validation_alias
    return alias if isinstance(alias, str) else name.upper()


def test_env_example_names_every_setting_and_loads_as_it_stands_uncommented(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    named = re.findall(r"^#?([A-Z][A-Z_]+)=", example, re.MULTILINE)
    assert sorted(named) == sorted(_variable(name) for name in Settings.model_fields)
    # Every example value is valid, and none is blank (blank means "not set").
    for name in list(os.environ):
        if name.startswith(("SLACK_", "ADDONS_")) or name == "PORT":
            monkeypatch.delenv(name)
    uncommented = re.sub(r"^#([A-Z][A-Z_]+=)", r"\1", example, flags=re.MULTILINE)
    (tmp_path / ".env").write_text(uncommented, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.slack_bot_token
    assert settings.slack_signing_secret
    assert settings.billing_admins == ("U0123ABC", "U0456DEF")


def test_blank_credentials_are_not_set_and_spaced_ones_are_refused_without_the_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_SIGNING_SECRET", " \t ")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "  xoxb-trimmed ")
    settings = load_settings()
    assert settings.slack_signing_secret is None
    assert settings.slack_bot_token == "xoxb-trimmed"
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1 leaked")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value).startswith("bad setting SLACK_APP_TOKEN: ")
    assert "leaked" not in str(raised.value)


def test_the_guide_the_manifest_points_to_exists_and_its_links_resolve() -> None:
    manifest = (ROOT / "manifest.yaml").read_text(encoding="utf-8")
    assert re.findall(r"docs/[\w.-]+", manifest) == ["docs/slack.md"]
    guide = (ROOT / "docs" / "slack.md").read_text(encoding="utf-8")
    links = [link for link in re.findall(r"\]\(([^)]+)\)", guide) if "://" not in link]
    assert {"../manifest.yaml", "../.env.example", "console.md"} <= set(links)
    for link in links:
        assert (ROOT / "docs" / link).exists(), link
