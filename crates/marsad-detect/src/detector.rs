//! The `Detector` contract: what a detector sees, what it returns, and the [`Analyzer`] that
//! runs the registered detectors over items (one text scan shared by all of them).

use chrono::{DateTime, Utc};
use marsad_model::{ItemKind, Platform};
use marsad_text::{Engine, ScanOptions, ScanResult};
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::config::Env;
use crate::finding::Finding;

/// A stored media file attached to an item, with what the media pipeline found in it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediaFacts {
    pub sha256: String,
    pub pdq: Option<String>,
    /// EXIF GPS position, when the file carries one.
    pub gps: Option<(f64, f64)>,
    pub matches: Vec<MediaMatchFact>,
}

/// A bank match of a media file (from `marsad_media::pipeline::match_analysis`, stored by the
/// media scan).
#[derive(Debug, Clone, PartialEq)]
pub struct MediaMatchFact {
    pub bank: String,
    pub bank_hash: String,
    pub label: String,
    pub group: String,
    pub content_type: String,
    pub distance: u32,
    pub frame_fraction: Option<f64>,
}

/// The item fields detectors read (a projection of `marsad_model::Item`).
#[derive(Debug, Clone)]
pub struct ItemView {
    /// The store's row id (for writing findings back).
    pub row_id: i64,
    pub platform: Platform,
    pub id: String,
    pub kind: ItemKind,
    /// The author's platform id (same platform as the item).
    pub author: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub text: String,
    pub is_live: bool,
    /// The item's own geotag.
    pub geo: Option<(f64, f64)>,
    pub place: Option<String>,
    pub links: Vec<String>,
    /// Mentioned handles (without `@`).
    pub mentions: Vec<String>,
    /// The platform id of the author of the item this one replies to.
    pub reply_to_author: Option<String>,
    pub media: Vec<MediaFacts>,
}

impl ItemView {
    /// A text-only item (tests, benchmarks).
    pub fn text(platform: Platform, id: &str, text: &str) -> ItemView {
        ItemView {
            row_id: 0,
            platform,
            id: id.to_string(),
            kind: ItemKind::Post,
            author: None,
            created_at: None,
            text: text.to_string(),
            is_live: false,
            geo: None,
            place: None,
            links: Vec::new(),
            mentions: Vec::new(),
            reply_to_author: None,
            media: Vec::new(),
        }
    }
    /// `platform:id`.
    pub fn key(&self) -> String {
        format!("{}:{}", self.platform, self.id)
    }
    /// `platform:author`.
    pub fn author_key(&self) -> Option<String> {
        self.author
            .as_ref()
            .map(|a| format!("{}:{a}", self.platform))
    }
    pub fn at_micros(&self) -> Option<i64> {
        self.created_at.map(|t| t.timestamp_micros())
    }
}

/// What is known about an item's author beyond the item.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuthorFacts {
    pub handle: Option<String>,
    pub display_name: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    /// Watchlists the account is on (`personnel`, `protected`, `known_extremist`).
    pub watchlists: Vec<String>,
    /// Uniform/unit vocabulary found in the profile (bio, display name).
    pub personnel_terms: Vec<String>,
}

/// Everything an item-level detector sees.
#[derive(Debug, Clone, Copy)]
pub struct ItemContext<'a> {
    pub item: &'a ItemView,
    /// The text engine's scan of `item.text` (shared by all detectors).
    pub scan: &'a ScanResult,
    pub author: Option<&'a AuthorFacts>,
    pub env: &'a Env,
}

/// An account as account-level detectors see it.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountRow {
    /// `platform:id`.
    pub key: String,
    pub platform: Platform,
    pub handle: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

/// An account's item-level findings, summarised for account-level detectors.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountActivity {
    /// Items with findings, by category.
    pub categories: BTreeMap<String, u32>,
    /// Up to a few item keys with findings (evidence).
    pub items: Vec<String>,
    pub first_at: Option<i64>,
    pub max_score: f32,
}

/// Everything an account-level detector sees.
#[derive(Debug, Clone, Copy)]
pub struct AccountInput<'a> {
    /// Accounts with a known creation time.
    pub accounts: &'a [AccountRow],
    /// Item-level findings by account key.
    pub activity: &'a BTreeMap<String, AccountActivity>,
    pub env: &'a Env,
}

/// Which pass a detector runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Once per item (`detect_item`).
    Item,
    /// Once per run, over accounts and the item findings (`detect_accounts`).
    Accounts,
}

/// A detector. Implementations live one per file under `detectors/` and are registered in
/// [`crate::detectors::registry`].
///
/// Contract:
/// - `id` is stable (it names the detector in the database, the CLI and rules);
/// - `version` changes whenever the detector would say something different about the same
///   input (code, lexicon, model or configuration change): stored findings carry it, and
///   `marsad analyze` re-runs a detector on an item only when the stored version differs;
/// - detectors are pure: the same input and version give the same findings;
/// - every finding explains itself (`explanation` in English and Arabic) and carries the
///   evidence (spans that are exact slices of the text, features, hashes, rule ids).
pub trait Detector: Send + Sync + std::fmt::Debug {
    fn id(&self) -> &'static str;
    fn version(&self) -> String;
    fn scope(&self) -> Scope {
        Scope::Item
    }
    /// Item-level detection.
    fn detect_item(&self, _ctx: &ItemContext<'_>) -> Vec<Finding> {
        Vec::new()
    }
    /// Account-level detection.
    fn detect_accounts(&self, _input: &AccountInput<'_>) -> Vec<Finding> {
        Vec::new()
    }
}

/// Runs the registered item detectors over items: scans each text once and hands the scan
/// to every detector that has to run.
#[derive(Debug)]
pub struct Analyzer {
    pub detectors: Vec<Box<dyn Detector>>,
    pub engine: Arc<Engine>,
    pub env: Env,
}

impl Analyzer {
    /// `(id, version)` of every detector, in registry order.
    pub fn versions(&self) -> Vec<(&'static str, String)> {
        self.detectors
            .iter()
            .map(|d| (d.id(), d.version()))
            .collect()
    }

    /// Runs the item detectors whose indexes are in `which` on one item.
    pub fn analyze_item(
        &self,
        item: &ItemView,
        author: Option<&AuthorFacts>,
        which: &[usize],
    ) -> Vec<Finding> {
        if which.is_empty() {
            return Vec::new();
        }
        let scan = self.engine.scan(&item.text, ScanOptions::default());
        let ctx = ItemContext {
            item,
            scan: &scan,
            author,
            env: &self.env,
        };
        let mut out = Vec::new();
        for &i in which {
            if let Some(d) = self.detectors.get(i) {
                if d.scope() == Scope::Item {
                    out.extend(d.detect_item(&ctx));
                }
            }
        }
        out
    }

    /// Runs the account-level detectors.
    pub fn analyze_accounts(
        &self,
        accounts: &[AccountRow],
        activity: &BTreeMap<String, AccountActivity>,
    ) -> Vec<Finding> {
        let input = AccountInput {
            accounts,
            activity,
            env: &self.env,
        };
        self.detectors
            .iter()
            .filter(|d| d.scope() == Scope::Accounts)
            .flat_map(|d| d.detect_accounts(&input))
            .collect()
    }
}
