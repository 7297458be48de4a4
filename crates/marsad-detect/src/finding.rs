//! Findings: what a detector says about an item or an account, with its evidence and an
//! explanation in Arabic and English.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How serious a finding (or an alert) is. Ordered: `Info < Low < Medium < High < Critical`.
///
/// `threat_to_person` maps Tech Against Terrorism's threat-to-life tiers onto these:
/// low → `Low`, medium → `Medium`, high-unspecific → `High`, high-specific → `Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
    /// The severity for a score in 0–1 (used when a detector has no finer rule).
    pub fn from_score(score: f32) -> Severity {
        if score >= 0.9 {
            Severity::High
        } else if score >= 0.7 {
            Severity::Medium
        } else if score >= 0.4 {
            Severity::Low
        } else {
            Severity::Info
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let l = s.trim().to_ascii_lowercase();
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str() == l)
            .ok_or_else(|| {
                format!("unknown severity {s:?} (expected info, low, medium, high, critical)")
            })
    }
}

/// A text in both languages of the project.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bilingual {
    pub en: String,
    pub ar: String,
}

impl Bilingual {
    pub fn new(en: impl Into<String>, ar: impl Into<String>) -> Bilingual {
        Bilingual {
            en: en.into(),
            ar: ar.into(),
        }
    }
}

/// What a finding is about: one item (and its author) or one account (or a group of accounts
/// summarised under one subject key).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Subject {
    /// An item, by its natural key `platform:id`, with its author's key when known.
    Item {
        item: String,
        #[serde(skip_serializing_if = "Option::is_none", default)]
        account: Option<String>,
    },
    /// An account (`platform:id`) or an account group (`platform:burst@…`).
    Account { account: String },
}

impl Subject {
    pub fn account(&self) -> Option<&str> {
        match self {
            Subject::Item { account, .. } => account.as_deref(),
            Subject::Account { account } => Some(account),
        }
    }
    pub fn item(&self) -> Option<&str> {
        match self {
            Subject::Item { item, .. } => Some(item),
            Subject::Account { .. } => None,
        }
    }
}

/// A matched span of the item's text (UTF-8 byte offsets; `matched` is exactly
/// `text[start..end]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub matched: String,
    /// The lexicon term, entity value or name that matched.
    pub term: String,
    /// What the span is (a lexicon category, `place`, `time`, `coordinates`, `url`,
    /// `protected_person`…).
    pub kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A named feature value that contributed to the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    pub name: String,
    pub value: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A media hash that matched a bank entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HashEvidence {
    pub sha256: String,
    /// The file's own PDQ hash, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdq: Option<String>,
    pub bank: String,
    pub bank_hash: String,
    pub label: String,
    pub distance: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame_fraction: Option<f64>,
}

/// Everything that supports a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub spans: Vec<Span>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<Feature>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<HashEvidence>,
    /// Lexicon rule ids, model ids or watchlist entries behind the finding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
}

impl Evidence {
    pub fn feature(
        &mut self,
        name: &str,
        value: impl Into<serde_json::Value>,
        note: Option<String>,
    ) {
        self.features.push(Feature {
            name: name.to_string(),
            value: value.into(),
            note,
        });
    }
}

/// One detector's verdict on one subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub detector: String,
    /// The detector's version string (code version plus lexicon / model fingerprint).
    pub version: String,
    pub category: String,
    /// 0–1.
    pub score: f32,
    pub severity: Severity,
    pub subject: Subject,
    /// When the evidence happened (the item's time, or the start of an account burst), in
    /// microseconds since the Unix epoch, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<i64>,
    pub evidence: Evidence,
    pub explanation: Bilingual,
    /// Advice to the account holder (OPSEC findings), from the code of conduct.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advice: Option<Bilingual>,
}

/// Combine independent evidence weights into one score: `1 - Π(1 - w)`, clamped to 0–1.
pub fn noisy_or(weights: impl IntoIterator<Item = f32>) -> f32 {
    let mut keep = 1.0f32;
    for w in weights {
        keep *= 1.0 - w.clamp(0.0, 1.0);
    }
    (1.0 - keep).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_order_and_parse() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::Low > Severity::Info);
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("urgent".parse::<Severity>().is_err());
        assert_eq!(Severity::from_score(0.95), Severity::High);
        assert_eq!(Severity::from_score(0.1), Severity::Info);
    }

    #[test]
    fn noisy_or_combines() {
        assert_eq!(noisy_or([]), 0.0);
        assert!((noisy_or([0.5, 0.5]) - 0.75).abs() < 1e-6);
        assert_eq!(noisy_or([1.0, 0.2]), 1.0);
        assert_eq!(noisy_or([2.0]), 1.0);
    }

    #[test]
    fn subject_serde() {
        let s = Subject::Item {
            item: "x:1".into(),
            account: Some("x:9".into()),
        };
        let j = serde_json::to_string(&s).unwrap();
        assert_eq!(j, r#"{"type":"item","item":"x:1","account":"x:9"}"#);
        assert_eq!(serde_json::from_str::<Subject>(&j).unwrap(), s);
        assert_eq!(s.account(), Some("x:9"));
    }
}
