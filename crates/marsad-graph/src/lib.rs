//! Network analysis for Marsad: who amplifies whom, which accounts act together, who is being
//! swarmed, who came back after a suspension, and where a network moves.
//!
//! The pieces, each answering one question:
//! - [`dataset`]: the analysis input — nodes (accounts, channels), typed time-stamped edges,
//!   posts and status observations — loaded from the SQLite store ([`load`]) or from an edge
//!   list CSV ([`edges_csv`]);
//! - [`derived`]: co-channel, shared-link and shared-media edges derived from the posts;
//! - [`graph`]: the compact CSR graph built from the dataset's edges under an [`graph::EdgeFilter`];
//! - [`hubs`]: in-degree, weighted PageRank, amplification, "hub + followers";
//! - [`community`]: Leiden communities (local moving, refinement, aggregation), modularity;
//! - [`tiers`]: the explainable official / supporting / sympathiser classification;
//! - [`coord`]: co-posting of the same text, media, URL or hashtag sequence within a window;
//! - [`brigade`]: mention / reply / report swarms against one target;
//! - [`successors`]: ranked successor candidates of suspended or deleted accounts (lineage);
//! - [`migration`]: per-platform first-seen and activity, invite links, first appearances;
//! - [`export`]: GEXF 1.3 (dynamic), GraphML, CSV.
//!
//! Invariants: every analysis is deterministic (sorted iteration, seeded randomness only);
//! every finding carries the features that produced it ([`Feature`]); nothing here writes
//! to the store except [`load::store_lineage`].

pub mod brigade;
pub mod community;
pub mod coord;
pub mod dataset;
pub mod derived;
pub mod edges_csv;
pub mod export;
pub mod graph;
pub mod hubs;
pub mod load;
pub mod migration;
pub mod normalize;
pub mod successors;
pub mod tiers;

pub use dataset::{Dataset, NodeId, NodeKind};
pub use graph::{EdgeFilter, Graph};

use serde::Serialize;

/// Errors of the graph crate.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{path}: line {line}: field `{field}`: {message}")]
    BadRow {
        path: String,
        line: u64,
        field: String,
        message: String,
    },
    #[error("stored record {key}: {message}")]
    Corrupt { key: String, message: String },
    #[error("invalid parameter {name}: {message}")]
    Param { name: &'static str, message: String },
}

/// One explanation feature of a finding: a name, its value, and what it means.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feature {
    pub name: &'static str,
    pub value: serde_json::Value,
    #[serde(skip_serializing_if = "str::is_empty")]
    pub note: std::borrow::Cow<'static, str>,
}

impl Feature {
    pub fn new(name: &'static str, value: impl Into<serde_json::Value>) -> Self {
        Feature {
            name,
            value: value.into(),
            note: std::borrow::Cow::Borrowed(""),
        }
    }
    pub fn with_note(mut self, note: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        self.note = note.into();
        self
    }
}

/// Microseconds since the Unix epoch (the store's time unit).
pub type Micros = i64;

/// RFC 3339 text of a time in microseconds (for JSON output).
pub fn iso(t: Micros) -> String {
    chrono::DateTime::from_timestamp_micros(t)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| t.to_string())
}
