"""The reliability suite reuses the mock Slack Web API fixtures of tests/slack."""

from tests.slack.conftest import app, slack_client, slack_mock, slack_users

__all__ = ["app", "slack_client", "slack_mock", "slack_users"]
