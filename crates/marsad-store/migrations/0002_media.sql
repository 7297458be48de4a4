-- Media analysis (issue 5): each stored media file is hashed once, by sha256, and matched
-- against the hash banks; matches are findings.

-- One row per analysed media file (kind: image, video, other, error).
CREATE TABLE media_hashes (
    sha256      TEXT PRIMARY KEY REFERENCES media (sha256),
    kind        TEXT    NOT NULL,
    md5         TEXT,
    pdq         TEXT,
    quality     INTEGER,
    -- Video: the vPDQ frame hashes as JSON [{frame, millis, quality, hash}].
    frames      TEXT,
    -- EXIF/metadata as JSON (GPS, capture time, camera, software), when any.
    metadata    TEXT,
    has_gps     INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    hashed_at   INTEGER NOT NULL
);
CREATE INDEX media_hashes_pdq ON media_hashes (pdq);

-- A media file matched a bank entry.
CREATE TABLE media_findings (
    id           INTEGER PRIMARY KEY,
    sha256       TEXT    NOT NULL REFERENCES media (sha256),
    bank         TEXT    NOT NULL,
    bank_hash    TEXT    NOT NULL,
    label        TEXT    NOT NULL,
    grp          TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    distance     INTEGER NOT NULL,
    quality      INTEGER,
    -- For videos: the fraction of sampled frames that matched this entry.
    frame_fraction REAL,
    found_at     INTEGER NOT NULL,
    UNIQUE (sha256, bank, bank_hash, label)
);
CREATE INDEX media_findings_bank ON media_findings (bank);
