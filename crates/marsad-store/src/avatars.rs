//! Avatar images of accounts (migration 0005): which stored image an account used as its
//! avatar. Inherent methods of [`SqliteStore`], used by `marsad import-avatars` and read by
//! the successor ranking (`marsad-graph`, feature `avatar_pdq`).
//!
//! The image bytes live in the blob store and the `media` table like any imported media,
//! so `marsad media scan` hashes each image once (by sha256).

use chrono::Utc;
use serde::Serialize;
use sqlx::Row;

use crate::{SqliteStore, StoreError};

/// How an account name given by the analyst (folder file name or manifest `account`)
/// resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountMatch {
    /// The account's platform id.
    Found(String),
    /// Several accounts answer to this handle or name (their platform ids): the analyst must
    /// give the platform id. (A re-created account often takes over its predecessor's handle.)
    Ambiguous(Vec<String>),
    NotFound,
}

/// One avatar to store: the image is already in the blob store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAvatar {
    pub platform: String,
    pub platform_id: String,
    pub sha256: String,
    pub mime: Option<String>,
    pub size: u64,
    /// Where it came from (file path, or manifest and line).
    pub source: String,
    /// When the avatar was seen in use (microseconds), when known.
    pub observed_at: Option<i64>,
}

/// A stored avatar.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountAvatar {
    pub platform: String,
    pub platform_id: String,
    pub sha256: String,
    pub source: String,
    pub observed_at: Option<i64>,
}

/// What [`SqliteStore::add_avatars`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AvatarCounts {
    /// New (account, image) pairs.
    pub imported: u64,
    /// Pairs already stored.
    pub duplicates: u64,
}

fn ids(rows: Vec<sqlx::sqlite::SqliteRow>) -> Result<Vec<String>, StoreError> {
    rows.iter()
        .map(|r| r.try_get::<String, _>(0).map_err(StoreError::from))
        .collect()
}

fn one(ids: Vec<String>) -> AccountMatch {
    match ids.len() {
        0 => AccountMatch::NotFound,
        1 => AccountMatch::Found(ids.into_iter().next().unwrap_or_default()),
        _ => AccountMatch::Ambiguous(ids),
    }
}

impl SqliteStore {
    /// Resolves an account of `platform` the way edge ends are resolved elsewhere: a name
    /// starting with `@` is a handle, `name:` a display name; any other name is first a
    /// platform id, then a handle. Handles compare case-insensitively and without a leading
    /// `@` (the exact spelling first, so the usual case uses the index).
    pub async fn resolve_account(
        &self,
        platform: &str,
        name: &str,
    ) -> Result<AccountMatch, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Ok(AccountMatch::NotFound);
        }
        if let Some(display) = name.strip_prefix("name:") {
            let rows = sqlx::query(
                "SELECT platform_id FROM accounts WHERE platform = ? AND display_name = ? \
                 ORDER BY platform_id",
            )
            .bind(platform)
            .bind(display)
            .fetch_all(self.pool())
            .await?;
            return Ok(one(ids(rows)?));
        }
        let handle = match name.strip_prefix('@') {
            Some(h) => h,
            None => {
                let rows = sqlx::query(
                    "SELECT platform_id FROM accounts WHERE platform = ? AND platform_id = ?",
                )
                .bind(platform)
                .bind(name)
                .fetch_all(self.pool())
                .await?;
                if !rows.is_empty() {
                    return Ok(one(ids(rows)?));
                }
                name
            }
        };
        let at = format!("@{handle}");
        let rows = sqlx::query(
            "SELECT platform_id FROM accounts WHERE platform = ? AND handle IN (?, ?) \
             ORDER BY platform_id",
        )
        .bind(platform)
        .bind(handle)
        .bind(&at)
        .fetch_all(self.pool())
        .await?;
        if !rows.is_empty() {
            return Ok(one(ids(rows)?));
        }
        let rows = sqlx::query(
            "SELECT platform_id FROM accounts WHERE platform = ? \
             AND lower(ltrim(handle, '@')) = lower(?) ORDER BY platform_id",
        )
        .bind(platform)
        .bind(handle)
        .fetch_all(self.pool())
        .await?;
        Ok(one(ids(rows)?))
    }

    /// Stores avatars in one transaction: each image in `media` (once per sha256, so the
    /// media scan hashes it) and the (account, image) pair in `account_avatars`. A pair
    /// already stored is a duplicate; its earliest `observed_at` is kept.
    pub async fn add_avatars(&self, rows: &[NewAvatar]) -> Result<AvatarCounts, StoreError> {
        let now = Utc::now().timestamp_micros();
        let mut counts = AvatarCounts::default();
        let mut tx = self.pool().begin().await?;
        for r in rows {
            if !crate::is_sha256(&r.sha256) {
                return Err(StoreError::Encode {
                    key: format!("{}:{}", r.platform, r.platform_id),
                    message: format!("avatar sha256 {:?} is not a SHA-256", r.sha256),
                });
            }
            sqlx::query(
                "INSERT INTO media (sha256, mime, size, blob_path, first_seen) VALUES (?, ?, ?, ?, ?) \
                 ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(&r.sha256)
            .bind(&r.mime)
            .bind(r.size as i64)
            .bind(crate::BlobStore::rel_path(&r.sha256))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            let inserted = sqlx::query(
                "INSERT INTO account_avatars (platform, platform_id, sha256, source, observed_at, first_seen) \
                 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (platform, platform_id, sha256) DO NOTHING",
            )
            .bind(&r.platform)
            .bind(&r.platform_id)
            .bind(&r.sha256)
            .bind(&r.source)
            .bind(r.observed_at)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted > 0 {
                counts.imported += 1;
            } else {
                counts.duplicates += 1;
                if let Some(at) = r.observed_at {
                    sqlx::query(
                        "UPDATE account_avatars SET observed_at = ? WHERE platform = ? \
                         AND platform_id = ? AND sha256 = ? AND (observed_at IS NULL OR observed_at > ?)",
                    )
                    .bind(at)
                    .bind(&r.platform)
                    .bind(&r.platform_id)
                    .bind(&r.sha256)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(counts)
    }

    /// Every stored avatar, by account then image.
    pub async fn account_avatars(&self) -> Result<Vec<AccountAvatar>, StoreError> {
        let rows = sqlx::query(
            "SELECT platform, platform_id, sha256, source, observed_at FROM account_avatars \
             ORDER BY platform, platform_id, sha256",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AccountAvatar {
                    platform: r.try_get(0)?,
                    platform_id: r.try_get(1)?,
                    sha256: r.try_get(2)?,
                    source: r.try_get(3)?,
                    observed_at: r.try_get(4)?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Prepared, Store};
    use marsad_model::{Account, Key, Platform, Raw, Record};

    async fn store_with(
        accounts: &[(&str, Option<&str>, Option<&str>)],
    ) -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let ws = crate::Workspace::new(dir.path());
        let s = ws.init().await.unwrap_or_else(|e| panic!("{e}"));
        let batch = accounts
            .iter()
            .map(|(id, h, name)| {
                let mut a = Account::new(Key::new(Platform::X, *id), Raw::new("t", "{}"));
                a.handle = h.map(str::to_string);
                a.display_name = name.map(str::to_string);
                Prepared::new(Record::Account(a)).unwrap_or_else(|e| panic!("{e}"))
            })
            .collect();
        s.ingest(batch).await.unwrap_or_else(|e| panic!("{e}"));
        (dir, s)
    }

    #[tokio::test]
    async fn resolves_ids_handles_names_and_reports_ambiguity() {
        let (_dir, s) = store_with(&[
            ("100", Some("Khilafa_News"), Some("أخبار")),
            ("200", Some("khilafa_news"), None),
            ("300", Some("@sawt"), Some("Sawt")),
            ("sawt", None, None),
        ])
        .await;
        let r = |n: &'static str| {
            let s = &s;
            async move {
                s.resolve_account("x", n)
                    .await
                    .unwrap_or_else(|e| panic!("{e}"))
            }
        };
        assert_eq!(r("100").await, AccountMatch::Found("100".into()));
        // A platform id wins over a handle; `@` forces the handle.
        assert_eq!(r("sawt").await, AccountMatch::Found("sawt".into()));
        assert_eq!(r("@sawt").await, AccountMatch::Found("300".into()));
        assert_eq!(r("@SAWT").await, AccountMatch::Found("300".into()));
        assert_eq!(r("Khilafa_News").await, AccountMatch::Found("100".into()));
        assert_eq!(
            r("KHILAFA_NEWS").await,
            AccountMatch::Ambiguous(vec!["100".into(), "200".into()])
        );
        assert_eq!(r("name:Sawt").await, AccountMatch::Found("300".into()));
        assert_eq!(r("nobody").await, AccountMatch::NotFound);
        assert_eq!(
            s.resolve_account("telegram", "100")
                .await
                .unwrap_or_else(|e| panic!("{e}")),
            AccountMatch::NotFound
        );
    }

    #[tokio::test]
    async fn avatars_are_idempotent_and_keep_the_earliest_observation() {
        let (_dir, s) = store_with(&[("100", Some("a"), None)]).await;
        let sha = "ab".repeat(32);
        let row = |at: Option<i64>| NewAvatar {
            platform: "x".into(),
            platform_id: "100".into(),
            sha256: sha.clone(),
            mime: Some("image/png".into()),
            size: 10,
            source: "a.png".into(),
            observed_at: at,
        };
        let c = s
            .add_avatars(&[row(Some(50))])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((c.imported, c.duplicates), (1, 0));
        let c = s
            .add_avatars(&[row(Some(70)), row(Some(20))])
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((c.imported, c.duplicates), (0, 2));
        let all = s.account_avatars().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].observed_at, Some(20));
        assert_eq!(
            s.pending_media(10)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .len(),
            1
        );
        let mut bad = row(None);
        bad.sha256 = "nope".into();
        assert!(s.add_avatars(&[bad]).await.is_err());
    }
}
