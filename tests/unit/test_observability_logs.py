"""Log lines: text or one JSON object per line, with the request's context, never a secret."""

from __future__ import annotations

import io
import json
import logging

from bot.adapters.observability.context import CURRENT, RequestInfo, kind_of, team_of
from bot.adapters.observability.logs import REDACTED, JsonFormatter, Redact, configure

TOKEN = "xoxb-1234-5678-abcdef"
SECRET = "a-signing-secret-of-32-characters"


def _record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("addons.test", logging.ERROR, __file__, 1, message, args, info)


def test_redaction_replaces_tokens_and_secrets_in_the_message_and_its_arguments() -> None:
    record = _record("calling with %s and %s", {"token": TOKEN}, SECRET)
    Redact([SECRET]).filter(record)
    line = record.getMessage()
    assert TOKEN not in line
    assert SECRET not in line
    assert line.count(REDACTED) == 2


def test_redaction_reaches_into_a_trace() -> None:
    try:
        raise RuntimeError(f"bad token {TOKEN}")
    except RuntimeError as error:
        record = _record("failed", exc=error)
    Redact().filter(record)
    assert record.exc_text is not None
    assert TOKEN not in record.exc_text
    assert REDACTED in record.exc_text


def test_redaction_leaves_ordinary_lines_alone_and_ignores_too_short_secrets() -> None:
    record = _record("booked %s users", 3)
    Redact(["ab", None]).filter(record)
    assert record.getMessage() == "booked 3 users"


def test_a_json_line_carries_the_request_context() -> None:
    token = CURRENT.set(RequestInfo(kind="view_submission", team_id="T0TEAM"))
    try:
        line = JsonFormatter().format(_record("answered %s", 200))
    finally:
        CURRENT.reset(token)
    parsed = json.loads(line)
    assert parsed["message"] == "answered 200"
    assert parsed["level"] == "ERROR"
    assert parsed["logger"] == "addons.test"
    assert parsed["team_id"] == "T0TEAM"
    assert parsed["kind"] == "view_submission"
    assert parsed["duration"] >= 0
    assert parsed["time"].endswith("+00:00")


def test_a_json_line_without_a_request_has_no_request_fields_and_the_error_has_its_trace() -> None:
    try:
        raise ValueError("broken")
    except ValueError as error:
        parsed = json.loads(JsonFormatter().format(_record("failed", exc=error)))
    assert "team_id" not in parsed
    assert "kind" not in parsed
    assert "ValueError: broken" in parsed["error"]


def test_configured_json_logging_writes_one_redacted_object_per_line() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    try:
        configure("json", [SECRET], stream=stream)
        logging.getLogger("addons.x").info("secret %s\nand token %s", SECRET, TOKEN)
        logging.getLogger("addons.x").warning("second")
    finally:
        root.handlers[:] = before[0]
        root.setLevel(before[1])
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == f"secret {REDACTED}\nand token {REDACTED}"
    assert second["message"] == "second"


def test_configured_text_logging_stays_readable() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    try:
        configure("text", stream=stream)
        logging.getLogger("addons.x").info("hello %s", TOKEN)
    finally:
        root.handlers[:] = before[0]
        root.setLevel(before[1])
    assert stream.getvalue().rstrip().endswith(f"INFO addons.x hello {REDACTED}")


def test_the_kind_of_each_request_slack_sends() -> None:
    assert kind_of({"command": "/addons", "team_id": "T1"}) == "command"
    assert kind_of({"type": "block_actions"}) == "block_actions"
    assert kind_of({"type": "event_callback", "event": {"type": "app_home_opened"}}) == (
        "event:app_home_opened"
    )
    assert kind_of({}) == "unknown"
    assert team_of({"team_id": "T1"}) == "T1"
    assert team_of({"team": {"id": "T2"}}) == "T2"
    assert team_of({"user": {"id": "U1"}}) is None
