"""CloudCRM's webhook: signed Standard Webhooks events, delivered in order per workspace."""

from __future__ import annotations

from bot.adapters.webhooks.http import Attempt, WebhookClient, backoff, retry_after
from bot.adapters.webhooks.sender import Delivery, WebhookConfig, WebhookSender, run_webhooks

__all__ = [
    "Attempt",
    "Delivery",
    "WebhookClient",
    "WebhookConfig",
    "WebhookSender",
    "backoff",
    "retry_after",
    "run_webhooks",
]
