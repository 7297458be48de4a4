//! Detection for Marsad: turning normalized text, media hashes and account facts into
//! explained findings, and findings into alerts.
//!
//! - [`detector`]: the `Detector` contract, the inputs detectors see, and the [`Analyzer`]
//!   that runs them over items with one shared text scan;
//! - [`finding`]: findings (detector id and version, category, score, severity, evidence,
//!   explanation in Arabic and English);
//! - [`detectors`]: one file per detector and the registry;
//! - [`rules`]: alert rules as TOML data (conditions, priority, queue, shadow mode), their
//!   evaluation and backtests;
//! - [`watch`]: watchlists and geofences; [`config`]: settings and the code of conduct;
//! - [`text_classifier`]: the trainable multi-label text classifier (issue 4).
//!
//! The crate is pure: no database, no files except the configuration it is asked to read.
//! See ARCHITECTURE.md for the codemap.

pub mod config;
pub mod detector;
pub mod detectors;
pub mod finding;
pub mod rules;
pub mod text_classifier;
pub mod watch;

pub use config::{Conduct, DetectConfig, Env};
pub use detector::{
    AccountActivity, AccountInput, AccountRow, Analyzer, AuthorFacts, Detector, ItemContext,
    ItemView, MediaFacts, MediaMatchFact, Scope,
};
pub use detectors::text_classifier::{load_text_model, LinearTextModel, TextModel};
pub use finding::{Bilingual, Evidence, Feature, Finding, HashEvidence, Severity, Span, Subject};
pub use watch::{Geofence, ListKind, WatchEntry, Watchlists};

use std::path::PathBuf;

/// Errors of the detection crate.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error("{}: {message}", path.display())]
    Io { path: PathBuf, message: String },
    #[error("{}: {message}", path.display())]
    Parse { path: PathBuf, message: String },
    #[error("watchlist: {0}")]
    Watchlist(String),
    #[error("{}: rule {rule:?}: {message}", path.display())]
    Rule {
        path: PathBuf,
        rule: String,
        message: String,
    },
}
