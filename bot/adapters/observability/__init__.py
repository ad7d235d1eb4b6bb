"""Running /addons as a service: metrics, structured logs, health and readiness."""
