"""OAuth mode from the outside: the token key is checked first; workspaces show their install."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.test_cli import TEAM, Cli
from tests.environment import SELLER_ENV, process_environment

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No stray .env or ADDONS_* variable decides anything here."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("ADDONS_", "SLACK_")):
            monkeypatch.delenv(name)
    for name, value in SELLER_ENV.items():  # `billing run` names the seller
        monkeypatch.setenv(name, value)


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(tmp_path / "addons.db", capsys)


def serve(tmp_path: Path, command: str = "serve", **env: str) -> subprocess.CompletedProcess[str]:
    """`addons-bot serve` in OAuth mode with ``env`` added; it must stop by itself."""
    clean = process_environment()
    clean |= {
        "SLACK_CLIENT_ID": "1111.2222",
        "SLACK_CLIENT_SECRET": "client-secret",
        "SLACK_SIGNING_SECRET": "signing-secret",
        "ADDONS_DATABASE": str(tmp_path / "addons.db"),
        "PORT": "0",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", command],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_oauth_mode_refuses_to_start_without_a_token_key(tmp_path: Path) -> None:
    done = serve(tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "ADDONS_TOKEN_KEY is not set" in done.stderr
    assert "Fernet.generate_key" in done.stderr
    assert not (tmp_path / "addons.db").exists()


def test_oauth_mode_refuses_a_key_that_is_no_fernet_key_without_echoing_it(
    tmp_path: Path,
) -> None:
    done = serve(tmp_path, ADDONS_TOKEN_KEY="not-a-key-but-a-secret")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "not a Fernet key" in done.stderr
    assert "not-a-key-but-a-secret" not in done.stderr + done.stdout
    assert not (tmp_path / "addons.db").exists()


def test_socket_mode_cannot_serve_add_to_slack(tmp_path: Path) -> None:
    done = serve(tmp_path, "socket", SLACK_APP_TOKEN="xapp-1", ADDONS_TOKEN_KEY="x")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "needs HTTP" in done.stderr
    assert not (tmp_path / "addons.db").exists()


def test_workspace_set_takes_billing_admins_and_show_tells_the_installation(cli: Cli) -> None:
    assert cli("workspace", "set", TEAM, "--anchor", "2026-03-18", day="2026-03-18") == 0
    assert cli("workspace", "set", TEAM, "--billing-admins", "U0AAA1,U0BBB2") == 0
    shown = cli.json("workspace", "show", TEAM)
    assert shown["billing_admins"] == ["U0AAA1", "U0BBB2"]
    assert shown["installed"] is False
    assert shown["installed_on"] is None
    assert shown["anchor"] == "2026-03-18"
    assert {"team_id", "timezone", "locale", "period_start", "period_end"} <= set(shown)
    assert cli("workspace", "set", TEAM, "--billing-admins", "") == 0
    assert cli.json("workspace", "show", TEAM)["billing_admins"] == []


def test_billing_admins_must_be_slack_user_ids(cli: Cli) -> None:
    assert cli("workspace", "set", TEAM, "--anchor", "2026-03-18", day="2026-03-18") == 0
    assert cli("workspace", "set", TEAM, "--billing-admins", "alice") == 2
    assert "not a Slack user id" in cli.err
    assert cli.json("workspace", "show", TEAM)["billing_admins"] == []


def test_a_new_workspace_needs_an_anchor(cli: Cli) -> None:
    assert cli("workspace", "set", TEAM, day="2026-03-18") == 2
    assert "--anchor" in cli.err


def test_show_names_an_unknown_workspace(cli: Cli) -> None:
    assert cli("workspace", "set", TEAM, "--anchor", "2026-03-18", day="2026-03-18") == 0
    assert cli("workspace", "show", "T0NOBODY") == 2
    assert "no workspace T0NOBODY" in cli.err
