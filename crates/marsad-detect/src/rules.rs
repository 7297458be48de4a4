//! Alert rules as data: a TOML file of `[[rule]]` tables, each a set of conditions over a
//! finding and its account (all must hold), a priority and a routing queue. A rule in
//! `mode = "shadow"` is evaluated and counted but raises no alert. Evaluation is pure
//! ([`RuleSet::evaluate`]): `marsad analyze` writes its alerts, `marsad rules test` prints them.
//!
//! ```toml
//! [[rule]]
//! id = "propaganda"
//! title = "Extremist propaganda"
//! priority = "high"            # low | medium | high | critical
//! queue = "propaganda"
//! mode = "active"              # or "shadow"
//! detectors = ["keyword_match"]   # any of (optional)
//! categories = ["slogan", "outlet"] # any of (optional)
//! min_score = 0.6
//! min_severity = "low"
//! platforms = ["x", "telegram"]    # any of (optional)
//! max_account_age_days = 30        # author created at most 30 days before the finding
//! watchlists = ["known_extremist"] # author on any of (optional)
//! count = { min = 3, window_hours = 24 }  # ≥ 3 such findings by the account within 24 h
//! ```

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::finding::{Finding, Severity};
use crate::DetectError;

/// The rules shipped in the repository (`rules/default.toml`).
pub const DEFAULT_RULES: &str = include_str!("../../../rules/default.toml");

/// How a rule acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Active,
    Shadow,
}

/// `count = { min, window_hours }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountCondition {
    pub min: u32,
    pub window_hours: f64,
}

/// One rule, as written in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub priority: Severity,
    pub queue: String,
    #[serde(default)]
    pub mode: Mode,
    #[serde(default)]
    pub detectors: Vec<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub min_score: f32,
    #[serde(default)]
    pub min_severity: Option<Severity>,
    #[serde(default)]
    pub platforms: Vec<String>,
    #[serde(default)]
    pub max_account_age_days: Option<f64>,
    #[serde(default)]
    pub watchlists: Vec<String>,
    #[serde(default)]
    pub count: Option<CountCondition>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<Rule>,
}

/// A validated rule file.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    pub source: PathBuf,
    pub rules: Vec<Rule>,
}

/// A finding as rules see it: the finding, its stored id, and its account's facts.
#[derive(Debug, Clone)]
pub struct RuleInput<'a> {
    pub id: i64,
    pub finding: &'a Finding,
    pub platform: &'a str,
    pub account_created: Option<DateTime<Utc>>,
    pub watchlists: &'a [String],
}

/// What the rules would raise for one account and item (the dedupe key).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertDraft {
    pub account: String,
    /// `""` for account-level findings.
    pub item: String,
    pub priority: Severity,
    pub queue: String,
    /// Rule ids that fired, in file order.
    pub rules: Vec<String>,
    /// Stored finding ids, ascending.
    pub findings: Vec<i64>,
    pub title: String,
    /// Time of the earliest finding (µs since the epoch).
    pub at: Option<i64>,
}

/// The outcome of evaluating a rule set.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evaluation {
    pub alerts: Vec<AlertDraft>,
    /// Rule id → number of (account, item) pairs it matched (shadow rules included).
    pub matched: BTreeMap<String, u64>,
    /// Shadow rule id → the alerts it would have raised.
    pub shadow: Vec<AlertDraft>,
}

fn known_detector(d: &str) -> bool {
    crate::detectors::NAMES.contains(&d) || crate::detectors::NETWORK_NAMES.contains(&d)
}

impl RuleSet {
    /// Parse and validate a rule file's text (`source` names it in errors).
    pub fn parse(text: &str, source: &Path) -> Result<RuleSet, DetectError> {
        let f: RuleFile = toml::from_str(text).map_err(|e| DetectError::Parse {
            path: source.to_path_buf(),
            message: e.to_string(),
        })?;
        let err = |rule: &str, message: String| DetectError::Rule {
            path: source.to_path_buf(),
            rule: rule.to_string(),
            message,
        };
        let mut seen: Vec<&str> = Vec::new();
        for r in &f.rule {
            if r.id.trim().is_empty() {
                return Err(err(&r.id, "field `id` is empty".into()));
            }
            if seen.contains(&r.id.as_str()) {
                return Err(err(&r.id, "duplicate rule id".into()));
            }
            seen.push(&r.id);
            if r.queue.trim().is_empty() {
                return Err(err(&r.id, "field `queue` is empty".into()));
            }
            if !(0.0..=1.0).contains(&r.min_score) {
                return Err(err(
                    &r.id,
                    format!("field `min_score`: {} is not in 0..1", r.min_score),
                ));
            }
            if let Some(d) = r.detectors.iter().find(|d| !known_detector(d)) {
                return Err(err(
                    &r.id,
                    format!(
                        "field `detectors`: unknown detector {d:?} (known: {}, {})",
                        crate::detectors::NAMES.join(", "),
                        crate::detectors::NETWORK_NAMES.join(", ")
                    ),
                ));
            }
            if let Some(w) = r
                .watchlists
                .iter()
                .find(|w| w.parse::<crate::watch::ListKind>().is_err())
            {
                return Err(err(
                    &r.id,
                    format!("field `watchlists`: unknown list {w:?}"),
                ));
            }
            if let Some(c) = &r.count {
                if c.min == 0 || c.window_hours.is_nan() || c.window_hours <= 0.0 {
                    return Err(err(
                        &r.id,
                        "field `count`: min must be ≥ 1 and window_hours > 0".into(),
                    ));
                }
            }
            if r.max_account_age_days
                .is_some_and(|d| d.is_nan() || d <= 0.0)
            {
                return Err(err(
                    &r.id,
                    "field `max_account_age_days` must be > 0".into(),
                ));
            }
        }
        Ok(RuleSet {
            source: source.to_path_buf(),
            rules: f.rule,
        })
    }

    pub fn load(path: &Path) -> Result<RuleSet, DetectError> {
        let text = std::fs::read_to_string(path).map_err(|e| DetectError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        RuleSet::parse(&text, path)
    }

    /// The rules shipped with Marsad.
    pub fn builtin() -> Result<RuleSet, DetectError> {
        RuleSet::parse(DEFAULT_RULES, Path::new("rules/default.toml"))
    }

    /// Whether a finding meets a rule's per-finding conditions (everything but `count`).
    fn accepts(r: &Rule, x: &RuleInput<'_>) -> bool {
        let f = x.finding;
        if !r.detectors.is_empty() && !r.detectors.contains(&f.detector) {
            return false;
        }
        if !r.categories.is_empty() && !r.categories.contains(&f.category) {
            return false;
        }
        if f.score < r.min_score {
            return false;
        }
        if r.min_severity.is_some_and(|s| f.severity < s) {
            return false;
        }
        if !r.platforms.is_empty()
            && !r
                .platforms
                .iter()
                .any(|p| p.eq_ignore_ascii_case(x.platform))
        {
            return false;
        }
        if let Some(days) = r.max_account_age_days {
            let (Some(created), Some(at)) = (
                x.account_created,
                f.at.and_then(DateTime::from_timestamp_micros),
            ) else {
                return false;
            };
            let age = (at - created).num_seconds() as f64 / 86_400.0;
            if age > days {
                return false;
            }
        }
        if !r.watchlists.is_empty() {
            let want: Vec<String> = r
                .watchlists
                .iter()
                .filter_map(|w| w.parse::<crate::watch::ListKind>().ok())
                .map(|k| k.as_str().to_string())
                .collect();
            if !x.watchlists.iter().any(|w| want.contains(w)) {
                return false;
            }
        }
        true
    }

    /// Evaluate every rule over findings. Findings are considered in time order; alerts are
    /// deduplicated per (account, item): one alert collects every rule and finding that fired
    /// for it, with the highest priority and that rule's queue.
    pub fn evaluate(&self, inputs: &[RuleInput<'_>]) -> Evaluation {
        let mut order: Vec<usize> = (0..inputs.len()).collect();
        order.sort_by_key(|&i| (inputs[i].finding.at.unwrap_or(i64::MIN), inputs[i].id));
        let mut active: BTreeMap<(String, String), AlertDraft> = BTreeMap::new();
        let mut shadow: BTreeMap<(String, String), AlertDraft> = BTreeMap::new();
        let mut matched: BTreeMap<String, u64> = BTreeMap::new();
        for r in &self.rules {
            matched.insert(r.id.clone(), 0);
            // Per account: times of accepted findings inside the window.
            let mut windows: HashMap<String, VecDeque<(i64, i64)>> = HashMap::new();
            let mut pairs: std::collections::HashSet<(String, String)> = Default::default();
            for &i in &order {
                let x = &inputs[i];
                if !Self::accepts(r, x) {
                    continue;
                }
                let f = x.finding;
                let account = f.subject.account().unwrap_or("").to_string();
                let item = f.subject.item().unwrap_or("").to_string();
                let mut support = vec![x.id];
                if let Some(c) = &r.count {
                    let at = f.at.unwrap_or(0);
                    let win = (c.window_hours * 3_600_000_000.0) as i64;
                    let q = windows.entry(account.clone()).or_default();
                    q.push_back((at, x.id));
                    while q.front().is_some_and(|(t, _)| *t < at - win) {
                        q.pop_front();
                    }
                    if (q.len() as u32) < c.min {
                        continue;
                    }
                    support = q.iter().map(|(_, id)| *id).collect();
                }
                let key = (account.clone(), item.clone());
                if pairs.insert(key.clone()) {
                    *matched.entry(r.id.clone()).or_default() += 1;
                }
                let target = if r.mode == Mode::Shadow {
                    &mut shadow
                } else {
                    &mut active
                };
                let a = target.entry(key).or_insert_with(|| AlertDraft {
                    account,
                    item,
                    priority: r.priority,
                    queue: r.queue.clone(),
                    rules: Vec::new(),
                    findings: Vec::new(),
                    title: r.title.clone(),
                    at: f.at,
                });
                if r.priority > a.priority {
                    a.priority = r.priority;
                    a.queue = r.queue.clone();
                    a.title = r.title.clone();
                }
                if !a.rules.contains(&r.id) {
                    a.rules.push(r.id.clone());
                }
                for id in support {
                    if !a.findings.contains(&id) {
                        a.findings.push(id);
                    }
                }
                a.at = match (a.at, f.at) {
                    (Some(x), Some(y)) => Some(x.min(y)),
                    (x, y) => x.or(y),
                };
            }
        }
        let finish = |m: BTreeMap<(String, String), AlertDraft>| {
            let mut v: Vec<AlertDraft> = m.into_values().collect();
            for a in &mut v {
                a.findings.sort_unstable();
            }
            v.sort_by(|a, b| {
                b.priority
                    .cmp(&a.priority)
                    .then(a.at.cmp(&b.at))
                    .then(a.account.cmp(&b.account))
            });
            v
        };
        Evaluation {
            alerts: finish(active),
            matched,
            shadow: finish(shadow),
        }
    }
}

/// A rule set a long-running process shares and reloads when analysts edit the file; a file
/// with errors leaves the current rules in place (the error names the file and rule).
#[derive(Debug)]
pub struct SharedRules {
    path: PathBuf,
    current: RwLock<Arc<RuleSet>>,
}

impl SharedRules {
    pub fn new(path: &Path) -> Result<SharedRules, DetectError> {
        Ok(SharedRules {
            path: path.to_path_buf(),
            current: RwLock::new(Arc::new(RuleSet::load(path)?)),
        })
    }
    pub fn current(&self) -> Arc<RuleSet> {
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }
    /// Re-read the file; returns the number of rules now in force.
    pub fn reload(&self) -> Result<usize, DetectError> {
        let new = Arc::new(RuleSet::load(&self.path)?);
        let n = new.rules.len();
        match self.current.write() {
            Ok(mut g) => *g = new,
            Err(p) => *p.into_inner() = new,
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Bilingual, Evidence, Subject};

    fn finding(det: &str, cat: &str, score: f32, account: &str, item: &str, at_h: i64) -> Finding {
        Finding {
            detector: det.into(),
            version: "1".into(),
            category: cat.into(),
            score,
            severity: Severity::from_score(score),
            subject: Subject::Item {
                item: item.into(),
                account: Some(account.into()),
            },
            at: Some(1_790_000_000_000_000 + at_h * 3_600_000_000),
            evidence: Evidence::default(),
            explanation: Bilingual::default(),
            advice: None,
        }
    }

    fn input<'a>(id: i64, f: &'a Finding, wl: &'a [String]) -> RuleInput<'a> {
        RuleInput {
            id,
            finding: f,
            platform: "x",
            account_created: DateTime::from_timestamp(1_790_000_000 - 86_400, 0),
            watchlists: wl,
        }
    }

    #[test]
    fn builtin_rules_parse() {
        let r = RuleSet::builtin().unwrap();
        assert!(r.rules.len() >= 5);
        assert!(r.rules.iter().any(|r| r.mode == Mode::Shadow));
    }

    #[test]
    fn conditions_priority_and_dedupe() {
        let rules = RuleSet::parse(
            r#"
[[rule]]
id = "prop"
title = "Propaganda"
priority = "medium"
queue = "propaganda"
categories = ["slogan"]
min_score = 0.6

[[rule]]
id = "prop-new"
title = "Propaganda from a new account"
priority = "high"
queue = "urgent"
categories = ["slogan"]
max_account_age_days = 7

[[rule]]
id = "weak"
title = "Weak"
priority = "low"
queue = "q"
mode = "shadow"
min_score = 0.1
"#,
            Path::new("t.toml"),
        )
        .unwrap();
        let a = finding("keyword_match", "slogan", 0.9, "x:1", "x:10", 0);
        let b = finding("keyword_match", "slogan", 0.3, "x:2", "x:20", 1);
        let wl: Vec<String> = Vec::new();
        let ev = rules.evaluate(&[input(1, &a, &wl), input(2, &b, &wl)]);
        // a: both active rules, one alert, high priority routed to `urgent`.
        let alert = ev.alerts.iter().find(|x| x.item == "x:10").unwrap();
        assert_eq!(alert.rules, vec!["prop", "prop-new"]);
        assert_eq!(
            (alert.priority, alert.queue.as_str()),
            (Severity::High, "urgent")
        );
        // b: score too low for `prop`, but new account → prop-new.
        let alert_b = ev.alerts.iter().find(|x| x.item == "x:20").unwrap();
        assert_eq!(alert_b.rules, vec!["prop-new"]);
        assert_eq!(ev.alerts.len(), 2);
        // Shadow: counted, no alert.
        assert_eq!(ev.matched["weak"], 2);
        assert_eq!(ev.shadow.len(), 2);
        // Evaluating twice gives the same drafts (dedupe is by account+item).
        assert_eq!(rules.evaluate(&[input(1, &a, &wl), input(2, &b, &wl)]), ev);
    }

    #[test]
    fn count_within_window() {
        let rules = RuleSet::parse(
            "[[rule]]\nid = \"repeat\"\ntitle = \"t\"\npriority = \"high\"\nqueue = \"q\"\ncount = { min = 3, window_hours = 2 }\n",
            Path::new("t.toml"),
        )
        .unwrap();
        let fs: Vec<Finding> = [0, 1, 5, 6, 6]
            .iter()
            .enumerate()
            .map(|(i, h)| finding("keyword_match", "slogan", 0.9, "x:1", &format!("x:{i}"), *h))
            .collect();
        let wl: Vec<String> = Vec::new();
        let ins: Vec<RuleInput> = fs
            .iter()
            .enumerate()
            .map(|(i, f)| input(i as i64, f, &wl))
            .collect();
        let ev = rules.evaluate(&ins);
        // Hours 0,1 are two; 5,6,6 are three within two hours: the fifth finding fires.
        assert_eq!(ev.alerts.len(), 1, "{:?}", ev.alerts);
        assert_eq!(ev.alerts[0].findings, vec![2, 3, 4]);
    }

    #[test]
    fn errors_name_file_rule_and_field() {
        let e = RuleSet::parse(
            "[[rule]]\nid = \"a\"\ntitle = \"t\"\npriority = \"high\"\nqueue = \"q\"\ndetectors = [\"nope\"]\n",
            Path::new("r.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("r.toml") && e.contains("\"a\"") && e.contains("detectors"),
            "{e}"
        );
        let e = RuleSet::parse(
            "[[rule]]\nid = \"a\"\ntitle = \"t\"\npriority = \"urgent\"\nqueue = \"q\"\n",
            Path::new("r.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("priority") || e.contains("urgent"), "{e}");
        let e = RuleSet::parse("[[rule]]\nid = \"a\"\ntitle = \"t\"\npriority = \"low\"\nqueue = \"q\"\nmin_scor = 1\n", Path::new("r.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("min_scor"), "{e}");
    }

    #[test]
    fn shared_rules_reload_keeps_good_rules_on_error() {
        let dir = std::env::temp_dir().join(format!("marsad-rules-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("r.toml");
        std::fs::write(
            &p,
            "[[rule]]\nid = \"a\"\ntitle = \"t\"\npriority = \"low\"\nqueue = \"q\"\n",
        )
        .unwrap();
        let s = SharedRules::new(&p).unwrap();
        assert_eq!(s.current().rules.len(), 1);
        std::fs::write(&p, "[[rule]]\nid = \"a\"\ntitle = \"t\"\npriority = \"low\"\nqueue = \"q\"\n[[rule]]\nid = \"b\"\ntitle = \"t\"\npriority = \"low\"\nqueue = \"q\"\n").unwrap();
        assert_eq!(s.reload().unwrap(), 2);
        std::fs::write(&p, "not toml [").unwrap();
        assert!(s.reload().is_err());
        assert_eq!(s.current().rules.len(), 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
