//! Matching hashes against the enabled banks, with negative-bank suppression.

use serde::Serialize;

use crate::bank::{Banks, LoadedBank};
use crate::error::{MediaError, Result};
use crate::hash::Hash256;

/// Meta's recommended match threshold for PDQ.
pub const DEFAULT_MAX_DISTANCE: u32 = 31;

/// One bank entry matched.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BankMatch {
    pub bank: String,
    pub hash: Hash256,
    pub distance: u32,
    pub label: String,
    pub group: String,
    pub content_type: String,
    pub source: String,
}

/// The result of matching one hash.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Default)]
pub struct MatchOutcome {
    /// Matches in positive banks, best (smallest distance) first; empty when suppressed.
    pub matches: Vec<BankMatch>,
    /// The closest known-benign entry within the threshold, if any: its presence suppresses
    /// every positive match.
    pub suppressed_by: Option<BankMatch>,
}

/// Banks loaded for matching.
#[derive(Debug)]
pub struct Matcher {
    positive: Vec<LoadedBank>,
    negative: Vec<LoadedBank>,
}

impl Matcher {
    /// Load banks: the named ones (each must exist and be enabled), or every enabled positive
    /// bank when `names` is empty; every enabled negative bank is always loaded.
    pub fn load(banks: &Banks, names: &[String]) -> Result<Self> {
        let all = banks.list()?;
        let mut positive = Vec::new();
        let mut negative = Vec::new();
        for n in names {
            let meta = banks.meta(n)?;
            if !meta.enabled {
                return Err(MediaError::Format {
                    path: n.into(),
                    reason: format!(
                        "bank {n:?} is disabled (enable it with `marsad bank enable {n}`)"
                    ),
                });
            }
        }
        for s in all {
            if !s.meta.enabled {
                continue;
            }
            let wanted = s.meta.negative || names.is_empty() || names.contains(&s.meta.name);
            if !wanted {
                continue;
            }
            let b = banks.load(&s.meta.name)?;
            if b.meta.negative {
                negative.push(b);
            } else {
                positive.push(b);
            }
        }
        Ok(Matcher { positive, negative })
    }

    /// Build from loaded banks (tests, the pipeline).
    pub fn from_banks(banks: Vec<LoadedBank>) -> Self {
        let (negative, positive) = banks.into_iter().partition(|b| b.meta.negative);
        Matcher { positive, negative }
    }

    /// Number of positive banks.
    pub fn positive_banks(&self) -> usize {
        self.positive.len()
    }

    /// Match one hash: every positive entry within `max_distance` (best first, at most
    /// `limit`), unless a negative-bank entry is within `max_distance` too.
    /// Fails only when a bank's entry cannot be read back from its file.
    pub fn match_hash(&self, h: &Hash256, max_distance: u32, limit: usize) -> Result<MatchOutcome> {
        let collect = |banks: &[LoadedBank]| -> Result<Vec<BankMatch>> {
            let mut v = Vec::new();
            for b in banks {
                for hit in b.index.search(h, max_distance) {
                    let e = b.entry(hit.id)?;
                    v.push(BankMatch {
                        bank: b.meta.name.clone(),
                        hash: e.hash,
                        distance: hit.distance,
                        label: e.label,
                        group: e.group,
                        content_type: e.content_type,
                        source: e.source,
                    });
                }
            }
            v.sort_by(|a, b| (a.distance, &a.bank, &a.label).cmp(&(b.distance, &b.bank, &b.label)));
            Ok(v)
        };
        let neg = collect(&self.negative)?;
        if let Some(first) = neg.into_iter().next() {
            return Ok(MatchOutcome {
                matches: Vec::new(),
                suppressed_by: Some(first),
            });
        }
        let mut matches = collect(&self.positive)?;
        matches.truncate(limit);
        Ok(MatchOutcome {
            matches,
            suppressed_by: None,
        })
    }
}
