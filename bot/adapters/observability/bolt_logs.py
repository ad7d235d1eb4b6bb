"""Bolt's and slack_sdk's log lines as an operator wants them: no warning on every
start, one INFO line with the workspace for a request from a workspace without an
installation, and the Web API clients' debug lines only when debugging."""

from __future__ import annotations

import logging

from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped

from bot.adapters.observability.context import current

# The Web API clients' logger (Bolt's per-request clients take the app client's).
WEB_API = "addons.slack.web_api"
_TOKEN_SKIPPED = warning_client_prioritized_and_token_skipped()
_NOT_INSTALLED = "Although the app should be installed into this workspace"


class BoltNoise(logging.Filter):
    """Drop Bolt's "token will be unused" warning (the client carries the token on
    purpose); say a request of a workspace without an installation in one INFO line."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for the warning; the installation error rewritten; anything else kept."""
        message = record.getMessage()
        if message == _TOKEN_SKIPPED:
            return False
        if message.startswith(_NOT_INSTALLED):
            request = current()
            team = request.team_id if request is not None else None
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.msg = "no installation for workspace %s: answered with the install hint"
            record.args = (team or "(unknown)",)
            record.exc_info = record.exc_text = None
        return True


def quiet_bolt(logger: logging.Logger) -> None:
    """Install the filter on the logger Bolt is given (Bolt copies a base logger's
    filters onto its own loggers when it makes them, so this comes first)."""
    if not any(isinstance(f, BoltNoise) for f in logger.filters):
        logger.addFilter(BoltNoise())


def web_api_logger() -> logging.Logger:
    """The Web API clients' logger, with a level of its own. slack_sdk builds a debug
    line of every request (whole views included: a third of a click's Slack calls'
    CPU) unless its logger's *own* level is above DEBUG, whether anything logs it or
    not; ``configure`` sets the level, and INFO stands until then."""
    log = logging.getLogger(WEB_API)
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)
    return log
