//! Media analysis rows (migration 0002): hashes and metadata per stored media file, and
//! findings (bank matches). Inherent methods of [`SqliteStore`], used by `marsad media scan`.

use chrono::Utc;
use serde::Serialize;
use sqlx::Row;

use crate::{SqliteStore, StoreError};

/// A stored media file not analysed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMedia {
    pub sha256: String,
    pub mime: Option<String>,
    pub size: i64,
}

/// The analysis of one media file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MediaHashRow {
    pub sha256: String,
    /// `image`, `video`, `other` or `error`.
    pub kind: String,
    pub md5: Option<String>,
    pub pdq: Option<String>,
    pub quality: Option<i64>,
    /// JSON array of frame hashes (videos).
    pub frames: Option<String>,
    /// JSON metadata (EXIF).
    pub metadata: Option<String>,
    pub has_gps: bool,
    pub error: Option<String>,
}

/// A bank match of a media file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MediaFinding {
    pub sha256: String,
    pub bank: String,
    pub bank_hash: String,
    pub label: String,
    pub group: String,
    pub content_type: String,
    pub source: String,
    pub distance: i64,
    pub quality: Option<i64>,
    pub frame_fraction: Option<f64>,
}

impl SqliteStore {
    /// Up to `limit` stored media files without an analysis row, oldest first.
    pub async fn pending_media(&self, limit: i64) -> Result<Vec<PendingMedia>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.sha256, m.mime, m.size FROM media m
             LEFT JOIN media_hashes h ON h.sha256 = m.sha256
             WHERE h.sha256 IS NULL ORDER BY m.first_seen, m.sha256 LIMIT ?",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| PendingMedia {
                sha256: r.get(0),
                mime: r.get(1),
                size: r.get(2),
            })
            .collect())
    }

    /// Store analyses and findings in one transaction (rows already present are kept).
    pub async fn put_media_analysis(
        &self,
        rows: &[MediaHashRow],
        findings: &[MediaFinding],
    ) -> Result<u64, StoreError> {
        let now = Utc::now().timestamp();
        let mut tx = self.pool().begin().await?;
        for r in rows {
            sqlx::query(
                "INSERT INTO media_hashes (sha256, kind, md5, pdq, quality, frames, metadata, has_gps, error, hashed_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (sha256) DO UPDATE SET kind = excluded.kind, md5 = excluded.md5,
                   pdq = excluded.pdq, quality = excluded.quality, frames = excluded.frames,
                   metadata = excluded.metadata, has_gps = excluded.has_gps,
                   error = excluded.error, hashed_at = excluded.hashed_at",
            )
            .bind(&r.sha256)
            .bind(&r.kind)
            .bind(&r.md5)
            .bind(&r.pdq)
            .bind(r.quality)
            .bind(&r.frames)
            .bind(&r.metadata)
            .bind(r.has_gps)
            .bind(&r.error)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let mut new = 0;
        for f in findings {
            let res = sqlx::query(
                "INSERT INTO media_findings (sha256, bank, bank_hash, label, grp, content_type, source, distance, quality, frame_fraction, found_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (sha256, bank, bank_hash, label) DO NOTHING",
            )
            .bind(&f.sha256)
            .bind(&f.bank)
            .bind(&f.bank_hash)
            .bind(&f.label)
            .bind(&f.group)
            .bind(&f.content_type)
            .bind(&f.source)
            .bind(f.distance)
            .bind(f.quality)
            .bind(f.frame_fraction)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            new += res.rows_affected();
        }
        tx.commit().await?;
        Ok(new)
    }

    /// Every analysed media file (for re-matching after banks change), in sha256 order.
    pub async fn media_analyses(&self) -> Result<Vec<MediaHashRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT sha256, kind, md5, pdq, quality, frames, metadata, has_gps, error
             FROM media_hashes ORDER BY sha256",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| MediaHashRow {
                sha256: r.get(0),
                kind: r.get(1),
                md5: r.get(2),
                pdq: r.get(3),
                quality: r.get(4),
                frames: r.get(5),
                metadata: r.get(6),
                has_gps: r.get(7),
                error: r.get(8),
            })
            .collect())
    }

    /// All findings, newest first.
    pub async fn media_findings(&self) -> Result<Vec<MediaFinding>, StoreError> {
        let rows = sqlx::query(
            "SELECT sha256, bank, bank_hash, label, grp, content_type, source, distance, quality, frame_fraction
             FROM media_findings ORDER BY id DESC",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| MediaFinding {
                sha256: r.get(0),
                bank: r.get(1),
                bank_hash: r.get(2),
                label: r.get(3),
                group: r.get(4),
                content_type: r.get(5),
                source: r.get(6),
                distance: r.get(7),
                quality: r.get(8),
                frame_fraction: r.get(9),
            })
            .collect())
    }
}
