"""Pure billing rules of /addons: no I/O, no Slack, no SQL, no clock."""
