-- Marsad store, version 3: account lineage found by network analysis (marsad-graph).
-- `predecessor` and `successor` are natural keys as text (`platform:id`); a link says the
-- successor is believed to be a re-creation of the predecessor (ban evasion), with the
-- score and the features (JSON) that support it. Lineage chains A -> A' -> A'' follow links.
CREATE TABLE account_lineage (
    predecessor TEXT    NOT NULL,
    successor   TEXT    NOT NULL,
    score       REAL    NOT NULL,
    features    TEXT    NOT NULL,
    detected_at INTEGER NOT NULL,
    UNIQUE (predecessor, successor)
);
CREATE INDEX account_lineage_successor ON account_lineage (successor);
