"""The adapters: what talks to the world (Slack, CloudCRM, documents, metrics)."""
