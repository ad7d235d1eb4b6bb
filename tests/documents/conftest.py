"""The documents' tests reuse the mock Slack Web API fixtures."""

from tests.slack.conftest import slack_client, slack_mock, slack_users

__all__ = ["slack_client", "slack_mock", "slack_users"]
