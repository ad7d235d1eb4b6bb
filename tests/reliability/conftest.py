"""The reliability suite reuses the mock Slack Web API fixtures of tests/slack."""

from tests.slack.conftest import slack_client, slack_mock, slack_users

__all__ = ["slack_client", "slack_mock", "slack_users"]
