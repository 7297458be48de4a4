-- Marsad store, version 1.
-- Times are INTEGER microseconds since the Unix epoch, UTC.
-- Natural keys are (platform, platform_id); `id` columns are internal row ids.
-- `fingerprint` is the xxh3-128 of the record as read (without its observation time): equal
-- fingerprints mean a re-import of the same observation.
-- `raw` is the verbatim source record, zstd-compressed; `raw_source` names its format.

CREATE TABLE accounts (
    id           INTEGER PRIMARY KEY,
    platform     TEXT    NOT NULL,
    platform_id  TEXT    NOT NULL,
    handle       TEXT,
    display_name TEXT,
    bio          TEXT,
    avatar_url   TEXT,
    url          TEXT,
    location     TEXT,
    created_at   INTEGER,
    followers    INTEGER,
    following    INTEGER,
    verified     INTEGER,
    metrics      TEXT,
    status       TEXT,
    observed_at  INTEGER,
    first_seen   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    fingerprint  BLOB    NOT NULL,
    raw_source   TEXT    NOT NULL,
    raw          BLOB    NOT NULL,
    UNIQUE (platform, platform_id)
);
CREATE INDEX accounts_handle ON accounts (platform, handle);

-- Every status observation of an account (active / suspended / deleted / restored).
CREATE TABLE account_status (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status     TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    source     TEXT    NOT NULL,
    UNIQUE (account_id, status, at, source)
);

CREATE TABLE channels (
    id           INTEGER PRIMARY KEY,
    platform     TEXT    NOT NULL,
    platform_id  TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    name         TEXT,
    handle       TEXT,
    description  TEXT,
    member_count INTEGER,
    invite_links TEXT,
    owner        TEXT,
    created_at   INTEGER,
    observed_at  INTEGER,
    first_seen   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    fingerprint  BLOB    NOT NULL,
    raw_source   TEXT    NOT NULL,
    raw          BLOB    NOT NULL,
    UNIQUE (platform, platform_id)
);

CREATE TABLE items (
    id             INTEGER PRIMARY KEY,
    platform       TEXT    NOT NULL,
    platform_id    TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    author         TEXT,
    channel        TEXT,
    created_at     INTEGER,
    edited_at      INTEGER,
    text           TEXT    NOT NULL,
    language       TEXT,
    url            TEXT,
    reply_to       TEXT,
    repost_of      TEXT,
    quote_of       TEXT,
    forwarded_from TEXT,
    forwarded_platform TEXT,
    via_bot        TEXT,
    mentions       TEXT,
    hashtags       TEXT,
    links          TEXT,
    lat            REAL,
    lon            REAL,
    place          TEXT,
    metrics        TEXT,
    is_live        INTEGER NOT NULL DEFAULT 0,
    withheld_in    TEXT,
    observed_at    INTEGER,
    first_seen     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    fingerprint    BLOB    NOT NULL,
    raw_source     TEXT    NOT NULL,
    raw            BLOB    NOT NULL,
    UNIQUE (platform, platform_id)
);
CREATE INDEX items_author ON items (platform, author);
CREATE INDEX items_channel ON items (platform, channel);
CREATE INDEX items_created ON items (created_at);

-- Content-addressed media files (the bytes live in the blob store).
CREATE TABLE media (
    sha256     TEXT PRIMARY KEY,
    mime       TEXT,
    size       INTEGER NOT NULL,
    blob_path  TEXT    NOT NULL,
    first_seen INTEGER NOT NULL
);

-- The media an item references, in order; sha256 is set when the file is in the blob store.
CREATE TABLE item_media (
    item_id       INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    ordinal       INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    url           TEXT,
    path          TEXT,
    platform_id   TEXT,
    mime          TEXT,
    width         INTEGER,
    height        INTEGER,
    duration_secs REAL,
    sha256        TEXT REFERENCES media (sha256),
    size          INTEGER,
    PRIMARY KEY (item_id, ordinal)
);
CREATE INDEX item_media_sha ON item_media (sha256);

-- Typed, time-stamped edges. `ident` is the xxh3-128 of (kind, source, target, at, item), so
-- that re-imports add nothing even when `at` or `item` is unknown (NULL).
CREATE TABLE interactions (
    id              INTEGER PRIMARY KEY,
    ident           BLOB    NOT NULL UNIQUE,
    platform        TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    source_type     TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    target_type     TEXT    NOT NULL,
    target_platform TEXT    NOT NULL,
    target          TEXT    NOT NULL,
    at              INTEGER,
    item            TEXT,
    derived         INTEGER NOT NULL,
    raw_source      TEXT,
    raw             BLOB,
    first_seen      INTEGER NOT NULL
);
CREATE INDEX interactions_source ON interactions (platform, source, kind);
CREATE INDEX interactions_target ON interactions (target_platform, target, kind);

-- One row per `marsad import` run and input file: provenance and the summary it printed.
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    format      TEXT    NOT NULL,
    path        TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    status      TEXT    NOT NULL,
    read        INTEGER NOT NULL DEFAULT 0,
    imported    INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    duplicates  INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    message     TEXT
);

-- Every distinct observation of a record beyond its first, with its own raw record: the
-- evidence log. A record observed once has no row here (its raw is in its own table); when
-- a second, different observation arrives, both are written here and the record's row holds
-- the merged state.
CREATE TABLE observations (
    record_type TEXT    NOT NULL,
    record_id   INTEGER NOT NULL,
    fingerprint BLOB    NOT NULL,
    observed_at INTEGER,
    first_seen  INTEGER NOT NULL,
    raw_source  TEXT    NOT NULL,
    raw         BLOB    NOT NULL,
    UNIQUE (record_type, record_id, fingerprint)
);
