-- The first schema: subscriptions, add-ons, the invoice ledger, idempotency and audit.
-- Money is integer cents, dates are ISO text (YYYY-MM-DD), instants ISO-8601 UTC.

CREATE TABLE subscriptions (
    team_id     TEXT PRIMARY KEY,
    anchor      TEXT NOT NULL,
    timezone    TEXT NOT NULL,
    locale      TEXT NOT NULL,
    last_closed TEXT NOT NULL,          -- start of the last period whose turn is done
    created_at  TEXT NOT NULL
);

CREATE TABLE addons (
    id           INTEGER PRIMARY KEY,
    team_id      TEXT NOT NULL REFERENCES subscriptions (team_id),
    option       TEXT NOT NULL,
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    booked_on    TEXT NOT NULL,
    billed_until TEXT,
    status       TEXT NOT NULL,
    effective_on TEXT,
    ended_on     TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX addons_by_team_status ON addons (team_id, status);

CREATE TABLE invoices (
    number       INTEGER PRIMARY KEY,
    team_id      TEXT NOT NULL REFERENCES subscriptions (team_id),
    period_index INTEGER NOT NULL,
    period_start TEXT NOT NULL,
    period_end   TEXT NOT NULL,
    total_cents  INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (team_id, period_start)      -- one consolidated invoice per workspace and period
);

CREATE TABLE invoice_lines (
    id              INTEGER PRIMARY KEY,
    team_id         TEXT NOT NULL REFERENCES subscriptions (team_id),
    addon_id        INTEGER NOT NULL REFERENCES addons (id),
    kind            TEXT NOT NULL,
    option          TEXT NOT NULL,
    quantity        INTEGER NOT NULL,
    from_day        TEXT NOT NULL,
    to_day          TEXT NOT NULL,
    amount_cents    INTEGER NOT NULL,
    due_on          TEXT NOT NULL,
    invoice_number  INTEGER REFERENCES invoices (number),   -- NULL: draft (Entwurf)
    credits_line_id INTEGER REFERENCES invoice_lines (id)
);
CREATE INDEX lines_by_team_invoice ON invoice_lines (team_id, invoice_number);
CREATE INDEX lines_by_addon ON invoice_lines (addon_id);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('invoice_number', 0);

CREATE TABLE idempotency_keys (
    team_id    TEXT NOT NULL,
    key        TEXT NOT NULL,
    addon_id   INTEGER NOT NULL REFERENCES addons (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (team_id, key)
);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    team_id       TEXT NOT NULL,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    addon_id      INTEGER,
    before_status TEXT,
    after_status  TEXT,
    detail        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_by_team ON audit_log (team_id, id);
