-- Marsad store, version 5: avatar images of accounts (issue 7, re-created accounts).
-- Exports carry avatar URLs only; the images come from files the analyst is given
-- (`marsad import-avatars`). The bytes live in the blob store and the `media` table like any
-- imported media, so `marsad media scan` hashes them once (PDQ in `media_hashes`).
-- An account may have several avatars (accounts change them); a row is unique by account and
-- image, and re-importing the same image for the same account adds nothing.
-- `platform`, `platform_id` are the account's natural key; `source` names where the image
-- came from (folder file or manifest row); `observed_at` (microseconds, optional) when the
-- avatar was seen in use.
CREATE TABLE account_avatars (
    id          INTEGER PRIMARY KEY,
    platform    TEXT    NOT NULL,
    platform_id TEXT    NOT NULL,
    sha256      TEXT    NOT NULL REFERENCES media (sha256),
    source      TEXT    NOT NULL,
    observed_at INTEGER,
    first_seen  INTEGER NOT NULL,
    UNIQUE (platform, platform_id, sha256)
);
CREATE INDEX account_avatars_sha256 ON account_avatars (sha256);
