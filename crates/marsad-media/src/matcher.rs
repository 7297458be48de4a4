//! Matching hashes against the enabled banks, with negative-bank suppression: PDQ hashes by
//! Hamming distance through each bank's index, file digests (MD5 / SHA-256) by equality.

use std::collections::HashMap;

use serde::Serialize;

use crate::bank::{Banks, LoadedBank};
use crate::error::{MediaError, Result};
use crate::exact::{DigestKind, ExactEntry};
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

/// One file-digest entry matched (equal MD5 or SHA-256).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExactMatch {
    pub bank: String,
    pub algorithm: DigestKind,
    pub digest: String,
    pub label: String,
    pub group: String,
    pub content_type: String,
    pub source: String,
}

/// The result of matching a file's digests.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, Default)]
pub struct ExactOutcome {
    /// Matches in positive banks; empty when suppressed.
    pub matches: Vec<ExactMatch>,
    /// A known-benign file (negative bank) with the same digest: suppresses every match of
    /// the file, exact or perceptual.
    pub suppressed_by: Option<ExactMatch>,
}

/// Digest → the banks' entries with it.
type DigestMap = HashMap<(DigestKind, String), Vec<ExactMatch>>;

fn digest_map(banks: &[(String, Vec<ExactEntry>)]) -> DigestMap {
    let mut m: DigestMap = HashMap::new();
    for (bank, entries) in banks {
        for e in entries {
            m.entry((e.algorithm, e.digest.clone()))
                .or_default()
                .push(ExactMatch {
                    bank: bank.clone(),
                    algorithm: e.algorithm,
                    digest: e.digest.clone(),
                    label: e.label.clone(),
                    group: e.group.clone(),
                    content_type: e.content_type.clone(),
                    source: e.source.clone(),
                });
        }
    }
    m
}

/// Banks loaded for matching.
#[derive(Debug)]
pub struct Matcher {
    positive: Vec<LoadedBank>,
    negative: Vec<LoadedBank>,
    exact_positive: DigestMap,
    exact_negative: DigestMap,
}

impl Matcher {
    /// Load banks: the named ones (each must exist and be enabled), or every enabled positive
    /// bank when `names` is empty; every enabled negative bank is always loaded.
    pub fn load(banks: &Banks, names: &[String]) -> Result<Self> {
        let all = banks.list()?;
        let mut positive = Vec::new();
        let mut negative = Vec::new();
        let (mut exact_pos, mut exact_neg) = (Vec::new(), Vec::new());
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
            let exact = banks.exact_entries(&s.meta.name)?;
            if !exact.is_empty() {
                if s.meta.negative {
                    exact_neg.push((s.meta.name.clone(), exact));
                } else {
                    exact_pos.push((s.meta.name.clone(), exact));
                }
            }
            let b = banks.load(&s.meta.name)?;
            if b.meta.negative {
                negative.push(b);
            } else {
                positive.push(b);
            }
        }
        Ok(Matcher {
            positive,
            negative,
            exact_positive: digest_map(&exact_pos),
            exact_negative: digest_map(&exact_neg),
        })
    }

    /// Build from loaded banks (tests): PDQ indexes only, no file digests.
    pub fn from_banks(banks: Vec<LoadedBank>) -> Self {
        let (negative, positive) = banks.into_iter().partition(|b| b.meta.negative);
        Matcher {
            positive,
            negative,
            exact_positive: HashMap::new(),
            exact_negative: HashMap::new(),
        }
    }

    /// Number of file digests loaded (positive and negative banks).
    pub fn exact_digests(&self) -> usize {
        self.exact_positive.len() + self.exact_negative.len()
    }

    /// Match a file by its digests: every positive entry with an equal MD5 or SHA-256 (bank
    /// order), unless a negative bank holds one of them.
    pub fn match_digests(&self, md5: Option<&str>, sha256: Option<&str>) -> ExactOutcome {
        let keys: Vec<(DigestKind, String)> =
            [(DigestKind::Md5, md5), (DigestKind::Sha256, sha256)]
                .into_iter()
                .filter_map(|(k, d)| d.map(|d| (k, d.trim().to_ascii_lowercase())))
                .collect();
        let find = |m: &DigestMap| -> Vec<ExactMatch> {
            let mut v: Vec<ExactMatch> = keys
                .iter()
                .filter_map(|k| m.get(k))
                .flatten()
                .cloned()
                .collect();
            v.sort_by(|a, b| (&a.bank, &a.label).cmp(&(&b.bank, &b.label)));
            v.dedup();
            v
        };
        if let Some(first) = find(&self.exact_negative).into_iter().next() {
            return ExactOutcome {
                matches: Vec::new(),
                suppressed_by: Some(first),
            };
        }
        ExactOutcome {
            matches: find(&self.exact_positive),
            suppressed_by: None,
        }
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
