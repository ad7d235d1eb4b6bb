-- Transactional outbox: messages to Slack stored with the change that causes them.

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    team_id     TEXT NOT NULL,
    event_key   TEXT NOT NULL UNIQUE,   -- one message per event, whatever retries happen
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,          -- JSON: what to say, rendered at send time
    created_at  TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    next_try_at TEXT NOT NULL,
    sent_at     TEXT,
    failed_at   TEXT,
    last_error  TEXT
);
CREATE INDEX outbox_pending ON outbox (sent_at, failed_at, next_try_at);
