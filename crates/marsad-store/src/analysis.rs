//! Analysis rows (migration 0004): per-item detector versions, findings, alerts, watchlists
//! and geofences. Inherent methods of [`SqliteStore`], used by `marsad analyze`, `findings`,
//! `alerts`, `rules`, `watch` and `geofence`.
//!
//! Findings arrive as JSON documents (the detection crate's `Finding`) plus the columns
//! queries need; bulk writes go through one statement per batch over `json_each`, so a batch
//! of thousands of items is a handful of statements.

use chrono::Utc;
use serde::Serialize;
use sqlx::Row;

use crate::{SqliteStore, StoreError};

/// An item as the analysis reads it, with what was analysed before.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalyzeItemRow {
    pub id: i64,
    pub platform: String,
    pub platform_id: String,
    pub kind: String,
    pub author: Option<String>,
    pub created_at: Option<i64>,
    pub updated_at: i64,
    pub text: String,
    pub is_live: bool,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub place: Option<String>,
    /// JSON array of URLs.
    pub links: Option<String>,
    /// JSON array of mentions (`{"handle", "account"?}`).
    pub mentions: Option<String>,
    /// The stored analysis set id (see [`SqliteStore::analysis_set`]) and `item_updated`,
    /// when analysed before.
    pub analysed: Option<(i64, i64)>,
    /// The author of the item this one replies to (same platform), when stored.
    pub parent_author: Option<String>,
}

/// A stored media file of an item, with one bank match (or none) per row.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemMediaRow {
    pub item_id: i64,
    pub sha256: String,
    pub pdq: Option<String>,
    /// EXIF metadata JSON (`gps_latitude`, `gps_longitude`…).
    pub metadata: Option<String>,
    pub bank: Option<String>,
    pub bank_hash: Option<String>,
    pub label: Option<String>,
    pub group: Option<String>,
    pub content_type: Option<String>,
    pub distance: Option<i64>,
    pub frame_fraction: Option<f64>,
}

/// An account's profile facts.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountFactsRow {
    pub platform: String,
    pub platform_id: String,
    pub handle: Option<String>,
    pub display_name: Option<String>,
    pub bio: Option<String>,
    pub created_at: Option<i64>,
}

/// A finding to store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewFinding {
    pub item_id: Option<i64>,
    pub subject: String,
    pub account: Option<String>,
    pub platform: String,
    pub detector: String,
    pub version: String,
    pub category: String,
    pub score: f64,
    pub severity: String,
    pub at: Option<i64>,
    /// The finding as JSON.
    pub body: String,
}

/// The analysis of one item to store: the detectors that ran (their old findings on this
/// item are superseded) and the new findings.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemAnalysis {
    pub item_id: i64,
    pub item_updated: i64,
    /// The merged `{"detector": "version"}` JSON to store.
    pub detectors: String,
    /// Detectors that ran now on an item analysed before.
    pub rerun: Vec<String>,
    pub findings: Vec<NewFinding>,
}

/// A stored finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredFinding {
    pub id: i64,
    pub item_id: Option<i64>,
    pub platform: String,
    pub current: bool,
    pub created_at: i64,
    /// The finding as JSON.
    pub body: String,
}

/// What rules read of a current finding (no evidence: rules do not need it).
#[derive(Debug, Clone, PartialEq)]
pub struct RuleFindingRow {
    pub id: i64,
    pub item_id: Option<i64>,
    pub subject: String,
    pub account: Option<String>,
    pub platform: String,
    pub detector: String,
    pub category: String,
    pub score: f64,
    pub severity: String,
    pub at: Option<i64>,
}

/// Counts per finding category and detector (current findings).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingCount {
    pub detector: String,
    pub category: String,
    pub count: i64,
}

/// One account's current item findings of one category.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityRow {
    pub account: String,
    pub category: String,
    pub count: i64,
    pub first_at: Option<i64>,
    pub max_score: f64,
    pub example_item: String,
}

/// An alert to raise (or to merge into the alert for the same account and item).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewAlert {
    pub account: String,
    pub item: String,
    pub priority: String,
    pub priority_rank: i64,
    pub queue: String,
    pub title: String,
    /// Rule ids.
    pub rules: Vec<String>,
    pub at: Option<i64>,
    pub findings: Vec<i64>,
}

/// A stored alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertRow {
    pub id: i64,
    pub account: String,
    pub item: String,
    pub priority: String,
    pub queue: String,
    pub title: String,
    pub rules: Vec<String>,
    pub at: Option<i64>,
    pub status: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub findings: Vec<i64>,
}

/// What an alert upsert did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AlertCounts {
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// A watchlist row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WatchRow {
    pub list: String,
    /// `""`: any platform.
    pub platform: String,
    pub handle: String,
    pub names: Vec<String>,
    pub note: String,
}

/// A geofence row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GeofenceRow {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub radius_m: f64,
}

fn now_micros() -> i64 {
    Utc::now().timestamp_micros()
}

fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Encode {
        key: "analysis batch".into(),
        message: e.to_string(),
    }
}

impl SqliteStore {
    /// Items in id order after `after` (created at or after `since`, µs, when given), at
    /// most `limit`, with their previous analysis.
    pub async fn items_for_analysis(
        &self,
        after: i64,
        since: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AnalyzeItemRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT i.id, i.platform, i.platform_id, i.kind, i.author, i.created_at, i.updated_at,
                    i.text, i.is_live, i.lat, i.lon, i.place, i.links, i.mentions,
                    a.set_id, a.item_updated, p.author
             FROM items i LEFT JOIN item_analysis a ON a.item_id = i.id
             LEFT JOIN items p ON i.reply_to IS NOT NULL AND p.platform = i.platform
                               AND p.platform_id = i.reply_to
             WHERE i.id > ?1 AND (?2 IS NULL OR i.created_at >= ?2)
             ORDER BY i.id LIMIT ?3",
        )
        .bind(after)
        .bind(since)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                let det: Option<i64> = r.try_get(14)?;
                let upd: Option<i64> = r.try_get(15)?;
                Ok(AnalyzeItemRow {
                    id: r.try_get(0)?,
                    platform: r.try_get(1)?,
                    platform_id: r.try_get(2)?,
                    kind: r.try_get(3)?,
                    author: r.try_get(4)?,
                    created_at: r.try_get(5)?,
                    updated_at: r.try_get(6)?,
                    text: r.try_get(7)?,
                    is_live: r.try_get::<i64, _>(8)? != 0,
                    lat: r.try_get(9)?,
                    lon: r.try_get(10)?,
                    place: r.try_get(11)?,
                    links: r.try_get(12)?,
                    mentions: r.try_get(13)?,
                    analysed: det.zip(upd),
                    parent_author: r.try_get(16)?,
                })
            })
            .collect()
    }

    /// The `{"detector": "version"}` JSON of an analysis set.
    pub async fn analysis_set(&self, id: i64) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT detectors FROM analysis_sets WHERE id = ?")
                .bind(id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Number of items created at or after `since` (all without it).
    pub async fn count_items_since(&self, since: Option<i64>) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM items WHERE ?1 IS NULL OR created_at >= ?1")
                .bind(since)
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Stored media of the items with ids in `lo..=hi`, with their hashes, EXIF metadata and
    /// bank matches (one row per match; a file without matches has one row with no bank).
    pub async fn item_media_for_analysis(
        &self,
        lo: i64,
        hi: i64,
    ) -> Result<Vec<ItemMediaRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT im.item_id, im.sha256, h.pdq, h.metadata, f.bank, f.bank_hash, f.label, f.grp,
                    f.content_type, f.distance, f.frame_fraction
             FROM item_media im
             LEFT JOIN media_hashes h ON h.sha256 = im.sha256
             LEFT JOIN media_findings f ON f.sha256 = im.sha256
             WHERE im.item_id BETWEEN ?1 AND ?2 AND im.sha256 IS NOT NULL
             ORDER BY im.item_id, im.ordinal, f.distance",
        )
        .bind(lo)
        .bind(hi)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(ItemMediaRow {
                    item_id: r.try_get(0)?,
                    sha256: r.try_get(1)?,
                    pdq: r.try_get(2)?,
                    metadata: r.try_get(3)?,
                    bank: r.try_get(4)?,
                    bank_hash: r.try_get(5)?,
                    label: r.try_get(6)?,
                    group: r.try_get(7)?,
                    content_type: r.try_get(8)?,
                    distance: r.try_get(9)?,
                    frame_fraction: r.try_get(10)?,
                })
            })
            .collect()
    }

    /// Profile facts of accounts by `(platform, platform_id)`.
    pub async fn account_facts(
        &self,
        keys: &[(String, String)],
    ) -> Result<Vec<AccountFactsRow>, StoreError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let json = serde_json::to_string(keys).map_err(json_err)?;
        let rows = sqlx::query(
            "SELECT a.platform, a.platform_id, a.handle, a.display_name, a.bio, a.created_at
             FROM json_each(?1) j
             JOIN accounts a ON a.platform = j.value ->> 0 AND a.platform_id = j.value ->> 1",
        )
        .bind(json)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(AccountFactsRow {
                    platform: r.try_get(0)?,
                    platform_id: r.try_get(1)?,
                    handle: r.try_get(2)?,
                    display_name: r.try_get(3)?,
                    bio: r.try_get(4)?,
                    created_at: r.try_get(5)?,
                })
            })
            .collect()
    }

    /// Every account with a known creation time (for account-level detectors).
    pub async fn accounts_with_creation(&self) -> Result<Vec<AccountFactsRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT platform, platform_id, handle, created_at FROM accounts
             WHERE created_at IS NOT NULL ORDER BY platform, created_at",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(AccountFactsRow {
                    platform: r.try_get(0)?,
                    platform_id: r.try_get(1)?,
                    handle: r.try_get(2)?,
                    display_name: None,
                    bio: None,
                    created_at: r.try_get(3)?,
                })
            })
            .collect()
    }

    /// Write the analysis of a batch of items in one transaction: supersede the findings of
    /// detectors that ran again, insert the new findings, record the detector versions.
    /// Returns the number of findings inserted.
    pub async fn put_item_analyses(&self, batch: &[ItemAnalysis]) -> Result<u64, StoreError> {
        if batch.is_empty() {
            return Ok(0);
        }
        let now = now_micros();
        let rerun: Vec<(i64, &str)> = batch
            .iter()
            .flat_map(|a| a.rerun.iter().map(move |d| (a.item_id, d.as_str())))
            .collect();
        let findings: Vec<&NewFinding> = batch.iter().flat_map(|a| &a.findings).collect();
        let analyses: Vec<(i64, i64, &str)> = batch
            .iter()
            .map(|a| (a.item_id, a.item_updated, a.detectors.as_str()))
            .collect();
        let mut tx = self.pool().begin().await?;
        if !rerun.is_empty() {
            sqlx::query(
                "UPDATE findings SET current = 0
                 WHERE current = 1 AND item_id IS NOT NULL
                   AND (item_id, detector) IN
                       (SELECT j.value ->> 0, j.value ->> 1 FROM json_each(?1) j)",
            )
            .bind(serde_json::to_string(&rerun).map_err(json_err)?)
            .execute(&mut *tx)
            .await?;
        }
        let mut inserted = 0;
        if !findings.is_empty() {
            inserted = sqlx::query(
                "INSERT INTO findings (item_id, subject, account, platform, detector, version,
                                       category, score, severity, at, body, current, created_at)
                 SELECT j.value ->> 'item_id', j.value ->> 'subject', j.value ->> 'account',
                        j.value ->> 'platform', j.value ->> 'detector', j.value ->> 'version',
                        j.value ->> 'category', j.value ->> 'score', j.value ->> 'severity',
                        j.value ->> 'at', j.value ->> 'body', 1, ?2
                 FROM json_each(?1) j",
            )
            .bind(serde_json::to_string(&findings).map_err(json_err)?)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        let analyses = serde_json::to_string(&analyses).map_err(json_err)?;
        sqlx::query(
            "INSERT OR IGNORE INTO analysis_sets (detectors)
             SELECT DISTINCT j.value ->> 2 FROM json_each(?1) j",
        )
        .bind(&analyses)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO item_analysis (item_id, item_updated, set_id, analyzed_at)
             SELECT j.value ->> 0, j.value ->> 1, s.id, ?2
             FROM json_each(?1) j JOIN analysis_sets s ON s.detectors = j.value ->> 2 WHERE true
             ON CONFLICT (item_id) DO UPDATE SET item_updated = excluded.item_updated,
               set_id = excluded.set_id, analyzed_at = excluded.analyzed_at",
        )
        .bind(&analyses)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(inserted)
    }

    /// Replace the current findings of an account-level detector: a finding identical to a
    /// current one (same subject, version and body) is kept; others supersede the current
    /// finding of their subject; current findings whose subject is gone are superseded.
    /// Returns `(new, kept)`.
    pub async fn put_account_findings(
        &self,
        detector: &str,
        findings: &[NewFinding],
    ) -> Result<(u64, u64), StoreError> {
        let now = now_micros();
        let mut tx = self.pool().begin().await?;
        let current: Vec<(i64, String, String, String)> = sqlx::query(
            "SELECT id, subject, version, body FROM findings
             WHERE current = 1 AND detector = ?1 AND item_id IS NULL",
        )
        .bind(detector)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect::<Result<_, sqlx::Error>>()?;
        let (mut new, mut kept) = (0, 0);
        let mut keep_ids: Vec<i64> = Vec::new();
        for f in findings {
            if let Some((id, ..)) = current
                .iter()
                .find(|(_, s, v, b)| *s == f.subject && *v == f.version && *b == f.body)
            {
                keep_ids.push(*id);
                kept += 1;
                continue;
            }
            sqlx::query(
                "INSERT INTO findings (item_id, subject, account, platform, detector, version,
                                       category, score, severity, at, body, current, created_at)
                 VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
            )
            .bind(&f.subject)
            .bind(&f.account)
            .bind(&f.platform)
            .bind(&f.detector)
            .bind(&f.version)
            .bind(&f.category)
            .bind(f.score)
            .bind(&f.severity)
            .bind(f.at)
            .bind(&f.body)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            new += 1;
        }
        for (id, ..) in &current {
            if !keep_ids.contains(id) {
                sqlx::query("UPDATE findings SET current = 0 WHERE id = ?")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok((new, kept))
    }

    /// Per account and category: current item-level findings (for account-level detectors).
    pub async fn account_activity(&self) -> Result<Vec<ActivityRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT account, category, COUNT(*), MIN(at), MAX(score), MIN(subject) FROM findings
             WHERE current = 1 AND item_id IS NOT NULL AND account IS NOT NULL
             GROUP BY account, category",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(ActivityRow {
                    account: r.try_get(0)?,
                    category: r.try_get(1)?,
                    count: r.try_get(2)?,
                    first_at: r.try_get(3)?,
                    max_score: r.try_get(4)?,
                    example_item: r.try_get(5)?,
                })
            })
            .collect()
    }

    /// Current findings whose time is at or after `since` (all without it; findings without
    /// a time are included), optionally of one category, newest id first, at most `limit`.
    pub async fn current_findings(
        &self,
        since: Option<i64>,
        category: Option<&str>,
        limit: i64,
    ) -> Result<Vec<StoredFinding>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, item_id, platform, current, created_at, body FROM findings
             WHERE current = 1 AND (?1 IS NULL OR at IS NULL OR at >= ?1)
               AND (?2 IS NULL OR category = ?2)
             ORDER BY id DESC LIMIT ?3",
        )
        .bind(since)
        .bind(category)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(|r| stored_finding(&r)).collect()
    }

    /// Current findings at or after `since` (µs; untimed included) as rules read them.
    pub async fn rule_findings(
        &self,
        since: Option<i64>,
    ) -> Result<Vec<RuleFindingRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, item_id, subject, account, platform, detector, category, score, severity, at
             FROM findings WHERE current = 1 AND (?1 IS NULL OR at IS NULL OR at >= ?1)
             ORDER BY id",
        )
        .bind(since)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(RuleFindingRow {
                    id: r.try_get(0)?,
                    item_id: r.try_get(1)?,
                    subject: r.try_get(2)?,
                    account: r.try_get(3)?,
                    platform: r.try_get(4)?,
                    detector: r.try_get(5)?,
                    category: r.try_get(6)?,
                    score: r.try_get(7)?,
                    severity: r.try_get(8)?,
                    at: r.try_get(9)?,
                })
            })
            .collect()
    }

    /// Findings by id (current or superseded), in id order.
    pub async fn findings_by_id(&self, ids: &[i64]) -> Result<Vec<StoredFinding>, StoreError> {
        let json = serde_json::to_string(ids).map_err(json_err)?;
        let rows = sqlx::query(
            "SELECT id, item_id, platform, current, created_at, body FROM findings
             WHERE id IN (SELECT value FROM json_each(?1)) ORDER BY id",
        )
        .bind(json)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(|r| stored_finding(&r)).collect()
    }

    /// Current findings by detector and category.
    pub async fn finding_counts(&self) -> Result<Vec<FindingCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT detector, category, COUNT(*) FROM findings WHERE current = 1
             GROUP BY detector, category ORDER BY detector, category",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(FindingCount {
                    detector: r.try_get(0)?,
                    category: r.try_get(1)?,
                    count: r.try_get(2)?,
                })
            })
            .collect()
    }

    /// The text of an item by its natural key (for highlighting evidence).
    pub async fn item_text(
        &self,
        platform: &str,
        platform_id: &str,
    ) -> Result<Option<(String, Option<i64>, Option<String>)>, StoreError> {
        let row = sqlx::query(
            "SELECT text, created_at, url FROM items WHERE platform = ? AND platform_id = ?",
        )
        .bind(platform)
        .bind(platform_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .transpose()
    }

    /// Raise alerts, one per (account, item): a new alert, or the stored one updated with
    /// the rules and findings it did not have yet (priority only goes up).
    pub async fn upsert_alerts(&self, alerts: &[NewAlert]) -> Result<AlertCounts, StoreError> {
        let now = now_micros();
        let mut counts = AlertCounts::default();
        let mut tx = self.pool().begin().await?;
        for a in alerts {
            let mut existing_changed: Option<bool> = None;
            let existing = sqlx::query(
                "SELECT id, priority_rank, rules FROM alerts WHERE account = ? AND item = ?",
            )
            .bind(&a.account)
            .bind(&a.item)
            .fetch_optional(&mut *tx)
            .await?;
            let id: i64 = match existing {
                None => {
                    counts.new += 1;
                    sqlx::query(
                        "INSERT INTO alerts (account, item, priority, priority_rank, queue, title,
                                             rules, at, status, created_at, updated_at)
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
                    )
                    .bind(&a.account)
                    .bind(&a.item)
                    .bind(&a.priority)
                    .bind(a.priority_rank)
                    .bind(&a.queue)
                    .bind(&a.title)
                    .bind(serde_json::to_string(&a.rules).map_err(json_err)?)
                    .bind(a.at)
                    .bind(now)
                    .bind(now)
                    .fetch_one(&mut *tx)
                    .await?
                    .try_get(0)?
                }
                Some(row) => {
                    let id: i64 = row.try_get(0)?;
                    let rank: i64 = row.try_get(1)?;
                    let rules_json: String = row.try_get(2)?;
                    let mut rules: Vec<String> =
                        serde_json::from_str(&rules_json).unwrap_or_default();
                    let mut changed = false;
                    for r in &a.rules {
                        if !rules.contains(r) {
                            rules.push(r.clone());
                            changed = true;
                        }
                    }
                    if a.priority_rank > rank {
                        sqlx::query(
                            "UPDATE alerts SET priority = ?, priority_rank = ?, queue = ?, title = ?
                             WHERE id = ?",
                        )
                        .bind(&a.priority)
                        .bind(a.priority_rank)
                        .bind(&a.queue)
                        .bind(&a.title)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                        changed = true;
                    }
                    if changed {
                        sqlx::query("UPDATE alerts SET rules = ?, updated_at = ? WHERE id = ?")
                            .bind(serde_json::to_string(&rules).map_err(json_err)?)
                            .bind(now)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    existing_changed = Some(changed);
                    id
                }
            };
            let linked = sqlx::query(
                "INSERT OR IGNORE INTO alert_findings (alert_id, finding_id)
                 SELECT ?1, value FROM json_each(?2)",
            )
            .bind(id)
            .bind(serde_json::to_string(&a.findings).map_err(json_err)?)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            match existing_changed {
                Some(true) => counts.updated += 1,
                Some(false) if linked > 0 => counts.updated += 1,
                Some(false) => counts.unchanged += 1,
                None => {}
            }
        }
        tx.commit().await?;
        Ok(counts)
    }

    /// Alerts, highest priority first then newest, optionally of one queue.
    pub async fn alerts(
        &self,
        queue: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AlertRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.account, a.item, a.priority, a.queue, a.title, a.rules, a.at, a.status,
                    a.created_at, a.updated_at,
                    (SELECT json_group_array(finding_id) FROM alert_findings WHERE alert_id = a.id)
             FROM alerts a WHERE ?1 IS NULL OR a.queue = ?1
             ORDER BY a.priority_rank DESC, a.at DESC, a.id LIMIT ?2",
        )
        .bind(queue)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(|r| alert_row(&r)).collect()
    }

    /// One alert.
    pub async fn alert(&self, id: i64) -> Result<Option<AlertRow>, StoreError> {
        let row = sqlx::query(
            "SELECT a.id, a.account, a.item, a.priority, a.queue, a.title, a.rules, a.at, a.status,
                    a.created_at, a.updated_at,
                    (SELECT json_group_array(finding_id) FROM alert_findings WHERE alert_id = a.id)
             FROM alerts a WHERE a.id = ?",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| alert_row(&r)).transpose()
    }

    /// Add (or update the names and note of) watchlist entries. Returns how many were new.
    pub async fn watch_add(&self, rows: &[WatchRow]) -> Result<u64, StoreError> {
        let now = now_micros();
        let mut tx = self.pool().begin().await?;
        let mut new = 0;
        for w in rows {
            let existed: Option<i64> = sqlx::query_scalar(
                "SELECT 1 FROM watchlist WHERE list = ? AND platform = ? AND handle = ?",
            )
            .bind(&w.list)
            .bind(&w.platform)
            .bind(&w.handle)
            .fetch_optional(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO watchlist (list, platform, handle, names, note, added_at)
                 VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT (list, platform, handle) DO UPDATE SET names = excluded.names,
                   note = excluded.note",
            )
            .bind(&w.list)
            .bind(&w.platform)
            .bind(&w.handle)
            .bind(serde_json::to_string(&w.names).map_err(json_err)?)
            .bind(&w.note)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            new += u64::from(existed.is_none());
        }
        tx.commit().await?;
        Ok(new)
    }

    /// Remove a watchlist entry; true when it existed.
    pub async fn watch_remove(
        &self,
        list: &str,
        platform: &str,
        handle: &str,
    ) -> Result<bool, StoreError> {
        let r = sqlx::query("DELETE FROM watchlist WHERE list = ? AND platform = ? AND handle = ?")
            .bind(list)
            .bind(platform)
            .bind(handle)
            .execute(self.pool())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Every watchlist entry, by list, platform and handle.
    pub async fn watchlist(&self) -> Result<Vec<WatchRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT list, platform, handle, names, note FROM watchlist ORDER BY list, platform, handle",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                let names: String = r.try_get(3)?;
                Ok(WatchRow {
                    list: r.try_get(0)?,
                    platform: r.try_get(1)?,
                    handle: r.try_get(2)?,
                    names: serde_json::from_str(&names).map_err(|e| StoreError::Corrupt {
                        key: "watchlist.names".into(),
                        message: e.to_string(),
                    })?,
                    note: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// Add or move geofences. Returns how many were new.
    pub async fn geofence_add(&self, rows: &[GeofenceRow]) -> Result<u64, StoreError> {
        let now = now_micros();
        let mut tx = self.pool().begin().await?;
        let mut new = 0;
        for g in rows {
            let existed: Option<i64> = sqlx::query_scalar("SELECT 1 FROM geofences WHERE name = ?")
                .bind(&g.name)
                .fetch_optional(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO geofences (name, lat, lon, radius_m, added_at) VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (name) DO UPDATE SET lat = excluded.lat, lon = excluded.lon,
                   radius_m = excluded.radius_m",
            )
            .bind(&g.name)
            .bind(g.lat)
            .bind(g.lon)
            .bind(g.radius_m)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            new += u64::from(existed.is_none());
        }
        tx.commit().await?;
        Ok(new)
    }

    /// Remove a geofence; true when it existed.
    pub async fn geofence_remove(&self, name: &str) -> Result<bool, StoreError> {
        let r = sqlx::query("DELETE FROM geofences WHERE name = ?")
            .bind(name)
            .execute(self.pool())
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Every geofence, by name.
    pub async fn geofences(&self) -> Result<Vec<GeofenceRow>, StoreError> {
        let rows = sqlx::query("SELECT name, lat, lon, radius_m FROM geofences ORDER BY name")
            .fetch_all(self.pool())
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(GeofenceRow {
                    name: r.try_get(0)?,
                    lat: r.try_get(1)?,
                    lon: r.try_get(2)?,
                    radius_m: r.try_get(3)?,
                })
            })
            .collect()
    }
}

fn stored_finding(r: &sqlx::sqlite::SqliteRow) -> Result<StoredFinding, StoreError> {
    Ok(StoredFinding {
        id: r.try_get(0)?,
        item_id: r.try_get(1)?,
        platform: r.try_get(2)?,
        current: r.try_get::<i64, _>(3)? != 0,
        created_at: r.try_get(4)?,
        body: r.try_get(5)?,
    })
}

fn alert_row(r: &sqlx::sqlite::SqliteRow) -> Result<AlertRow, StoreError> {
    let corrupt = |e: serde_json::Error| StoreError::Corrupt {
        key: "alert".into(),
        message: e.to_string(),
    };
    let rules: String = r.try_get(6)?;
    let findings: String = r.try_get(11)?;
    let mut findings: Vec<i64> = serde_json::from_str(&findings).map_err(corrupt)?;
    findings.sort_unstable();
    Ok(AlertRow {
        id: r.try_get(0)?,
        account: r.try_get(1)?,
        item: r.try_get(2)?,
        priority: r.try_get(3)?,
        queue: r.try_get(4)?,
        title: r.try_get(5)?,
        rules: serde_json::from_str(&rules).map_err(corrupt)?,
        at: r.try_get(7)?,
        status: r.try_get(8)?,
        created_at: r.try_get(9)?,
        updated_at: r.try_get(10)?,
        findings,
    })
}
