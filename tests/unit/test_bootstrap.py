"""The composition root: settings loaded once, the database opened inside and closed after."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.bootstrap import SettingsError, bootstrap, load_settings
from bot.settings import Settings
from domain.errors import InvalidTimezone
from domain.workspace import check_timezone


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
