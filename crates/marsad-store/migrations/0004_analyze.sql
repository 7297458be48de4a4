-- Marsad store, version 4: analysis (issue 6): which detector versions ran on each item,
-- the findings they produced, alerts raised by rules, watchlists and geofences.

-- The distinct sets of detector versions that ran on items (JSON {"id": "version"}); a few
-- rows, shared by all items analysed alike.
CREATE TABLE analysis_sets (
    id        INTEGER PRIMARY KEY,
    detectors TEXT NOT NULL UNIQUE
);

-- One row per analysed item: the set of detector versions that ran on it and the item's
-- updated_at at that time. `marsad analyze` re-runs a detector on an item only when its
-- version changed or the item was updated since.
CREATE TABLE item_analysis (
    item_id      INTEGER PRIMARY KEY REFERENCES items (id) ON DELETE CASCADE,
    item_updated INTEGER NOT NULL,
    set_id       INTEGER NOT NULL REFERENCES analysis_sets (id),
    analyzed_at  INTEGER NOT NULL
);

-- Findings. `body` is the whole finding as JSON (evidence, explanation, advice); the other
-- columns are copies for queries. A re-analysis marks the findings it replaces
-- `current = 0` instead of deleting them, so alerts keep their evidence and any result can
-- be traced to the detector version that produced it. Account-level findings have no item.
CREATE TABLE findings (
    id         INTEGER PRIMARY KEY,
    item_id    INTEGER REFERENCES items (id) ON DELETE CASCADE,
    subject    TEXT    NOT NULL,
    account    TEXT,
    platform   TEXT    NOT NULL,
    detector   TEXT    NOT NULL,
    version    TEXT    NOT NULL,
    category   TEXT    NOT NULL,
    score      REAL    NOT NULL,
    severity   TEXT    NOT NULL,
    at         INTEGER,
    body       TEXT    NOT NULL,
    current    INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);
CREATE INDEX findings_item ON findings (item_id, detector);
CREATE INDEX findings_current ON findings (current, detector, subject);
CREATE INDEX findings_account ON findings (account);

-- Alerts raised by rules, one per (account, item) ('' for account-level findings).
CREATE TABLE alerts (
    id            INTEGER PRIMARY KEY,
    account       TEXT    NOT NULL,
    item          TEXT    NOT NULL,
    priority      TEXT    NOT NULL,
    priority_rank INTEGER NOT NULL,
    queue         TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    rules         TEXT    NOT NULL,
    at            INTEGER,
    status        TEXT    NOT NULL DEFAULT 'open',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    UNIQUE (account, item)
);
CREATE INDEX alerts_queue ON alerts (queue, priority_rank);

CREATE TABLE alert_findings (
    alert_id   INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    finding_id INTEGER NOT NULL REFERENCES findings (id),
    PRIMARY KEY (alert_id, finding_id)
) WITHOUT ROWID;

-- Watchlists: personnel, protected, known_extremist. platform '' = any platform; handle
-- without '@', lower case; names is a JSON array of names to find in text.
CREATE TABLE watchlist (
    list     TEXT    NOT NULL,
    platform TEXT    NOT NULL DEFAULT '',
    handle   TEXT    NOT NULL,
    names    TEXT    NOT NULL DEFAULT '[]',
    note     TEXT    NOT NULL DEFAULT '',
    added_at INTEGER NOT NULL,
    UNIQUE (list, platform, handle)
);

-- Sensitive sites: circles of radius_m metres.
CREATE TABLE geofences (
    name     TEXT PRIMARY KEY,
    lat      REAL NOT NULL,
    lon      REAL NOT NULL,
    radius_m REAL NOT NULL,
    added_at INTEGER NOT NULL
);
