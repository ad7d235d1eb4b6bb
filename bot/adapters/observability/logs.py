"""Log lines: readable text by default, one JSON object per line for log platforms.

``ADDONS_LOG_FORMAT=json`` turns each record into a JSON object with time, level,
logger, message and, inside a Slack request, its workspace (team_id), kind and the
seconds since it arrived (duration); an exception comes as ``error`` with its trace.
Whatever the format, a redaction filter replaces every Slack token (``xox…-``, ``xapp-``)
and the configured secrets before a line is written: a safety net, since nothing is
meant to log them in the first place.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.adapters.observability.bolt_logs import WEB_API
from bot.adapters.observability.context import current

REDACTED = "[redacted]"
# Slack's token shapes: bot, user, app-level, refresh, configuration and legacy tokens.
TOKEN = re.compile(r"\b(?:xox[a-z]|xapp|xoxe\.xox[a-z])-[A-Za-z0-9-]+")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Shorter than this, a "secret" would blank out ordinary words (tests use short ones).
MIN_SECRET_LENGTH = 6


class Redact(logging.Filter):
    """Replace tokens and the given secrets in a record's message, arguments and trace."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self._secrets = sorted(
            {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True
        )

    def clean(self, text: str) -> str:
        """``text`` with every token and secret replaced."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return TOKEN.sub(REDACTED, text)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; it is always kept."""
        message = record.getMessage()
        cleaned = self.clean(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON object with the request's context, if any."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = current()
        team_id = getattr(record, "team_id", None) or (request.team_id if request else None)
        if team_id:
            line["team_id"] = team_id
        kind = getattr(record, "kind", None) or (request.kind if request else None)
        if kind:
            line["kind"] = kind
        duration = getattr(record, "duration", None)
        if duration is None and request is not None:
            duration = request.elapsed()
        if duration is not None:
            line["duration"] = round(float(duration), 6)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["error"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(
    fmt: str = "text",
    secrets: Iterable[str | None] = (),
    *,
    level: int = logging.INFO,
    stream: TextIO | None = None,
) -> logging.Handler:
    """Send the root logger's records to ``stream`` (stderr) as text or JSON, redacted."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(Redact(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Alembic says "Context impl SQLiteImpl." on every open: not news for an operator.
    logging.getLogger("alembic").setLevel(max(level, logging.WARNING))
    # slack_sdk's per-request debug line is built whenever this level is NOTSET or DEBUG.
    logging.getLogger(WEB_API).setLevel(level)
    return handler
