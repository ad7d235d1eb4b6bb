"""`addons-bot serve` as a process: Slack over HTTP, the schedule beside it, a clean stop."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from bot.slack_fake.signing import SlackSigner
from tests.environment import clean_environment
from tests.slack.flows import is_placeholder
from tests.slack.mock_slack import ADMIN, BOT_TOKEN, MockSlack

ROOT = Path(__file__).resolve().parents[2]
SECRET = "serve-test-secret"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(mock: MockSlack, database: Path, port: int, **extra: str) -> dict[str, str]:
    env = clean_environment()
    env.update(
        PYTHONPATH=str(ROOT),
        PORT=str(port),
        SLACK_API_URL=mock.url,
        ADDONS_DATABASE=str(database),
        **extra,
    )
    return env


async def test_a_missing_credential_names_the_variable_and_exits_2(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    env = _environment(slack_mock, tmp_path / "a.db", _free_port(), SLACK_BOT_TOKEN=BOT_TOKEN)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(child.communicate(), 60)
    assert child.returncode == 2
    assert err.decode().strip() == (
        "addons-bot: SLACK_SIGNING_SECRET is not set (see README, 'Connect to Slack')"
    )


async def test_serve_answers_signed_slack_requests_and_stops_on_sigterm(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    port = _free_port()
    env = _environment(
        slack_mock,
        tmp_path / "addons.db",
        port,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SECRET,
    )
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "serve",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(600):  # wait until it listens (start-up imports take a moment)
                try:
                    async with http.get(f"{url}/healthz") as health:
                        if health.status == 200:
                            break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.05)
            signer = SlackSigner(SECRET, response_urls=slack_mock.new_response_url)
            command = signer.slash_command(user_id=ADMIN)
            async with http.post(
                f"{url}/slack/events", data=command.data, headers=command.headers
            ) as answer:
                assert answer.status == 200
            forged = command.forged()
            async with http.post(
                f"{url}/slack/events", data=forged.data, headers=forged.headers
            ) as answer:
                assert answer.status == 401
        # The overview opened filled, or a placeholder filled once the overview was read.
        [opened] = await slack_mock.wait_for("views.open", timeout=10)
        shown = opened
        if is_placeholder(opened.params["view"]):
            [shown] = await slack_mock.wait_for("views.update", timeout=10)
        assert "Ihre Zusatzoptionen" in str(shown.params["view"])
    finally:
        child.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(child.communicate(), 30)
    assert child.returncode == 0, err.decode()
    assert (tmp_path / "addons.db").exists()
