"""`serve` as a process, as production meets it: a token key list of only commas, an
overlong request line, and the log redaction knowing every configured secret."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

from bot.adapters.observability.logs import Redact
from bot.settings import Settings
from tests.e2e.ops_serve import ROOT, environment, free_port, started
from tests.slack.mock_slack import MockSlack


def test_a_token_key_of_only_commas_is_one_line(slack_mock: MockSlack, tmp_path: Path) -> None:
    env = environment(
        slack_mock,
        tmp_path / "addons.db",
        free_port(),
        SLACK_CLIENT_ID="1.2",
        SLACK_CLIENT_SECRET="client-secret-value",
        ADDONS_TOKEN_KEY=",,",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert "ADDONS_TOKEN_KEY names no key" in line


async def test_an_overlong_request_line_is_a_bare_400_and_one_quiet_log_line(
    slack_mock: MockSlack, tmp_path: Path
) -> None:
    port = free_port()
    env = environment(slack_mock, tmp_path / "addons.db", port)
    async with started("serve", env, port, tmp_path) as process:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /slack/events?t=xoxb-1-" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 10)
        writer.close()
        assert await process.get("/healthz") == (200, "ok")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") or head.startswith(b"HTTP/1.0 400")
    assert body == b"400 Bad Request\n"
    log = "".join(process.stderr)
    assert "Traceback" not in log
    assert "ERROR" not in log
    assert "aaaa" not in log
    assert "refused a request that is not readable HTTP" in log
    assert "will be unused" not in log  # Bolt's warning on every start, about our own client


def test_the_redaction_knows_every_configured_secret(tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings = Settings(
        slack_signing_secret="signing-secret-1",
        slack_client_id="1.2",
        slack_client_secret="client-secret-2",
        token_key=f"{new},{old}",
        database="postgresql://addons:db-password-3@db.example/addons?sslmode=require",
        webhook_url="https://crm.example/hooks",
        webhook_secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    )
    echoed = (
        "Slack said: signing-secret-1 client-secret-2 "
        f"{old} {new} db-password-3 MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    )
    cleaned = Redact(settings.secrets()).clean(echoed)
    for secret in ("signing-secret-1", "client-secret-2", old, new, "db-password-3", "MfKQ9r8G"):
        assert secret not in cleaned
    assert cleaned.startswith("Slack said: ")
