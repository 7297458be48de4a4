//! `new_account_burst`: many accounts created within a short window that post matching
//! content — the "hundreds of recently created accounts" pattern.
//!
//! Accounts of one platform with a known creation time and item findings in the configured
//! categories are sorted by creation time; every maximal run whose first and last creation
//! are within `window_minutes` and that holds at least `min_accounts` such accounts is one
//! finding (subject `platform:burst@<first creation, RFC 3339>`), listing the accounts and
//! example items.

use std::collections::BTreeMap;

use crate::detector::{AccountInput, AccountRow, Detector, Scope};
use crate::finding::{Bilingual, Evidence, Finding, Severity, Subject};

#[derive(Debug)]
pub struct NewAccountBurst {
    pub config_fingerprint: String,
}

impl Detector for NewAccountBurst {
    fn id(&self) -> &'static str {
        "new_account_burst"
    }
    fn version(&self) -> String {
        format!("1+cfg.{}", self.config_fingerprint)
    }
    fn scope(&self) -> Scope {
        Scope::Accounts
    }
    fn detect_accounts(&self, input: &AccountInput<'_>) -> Vec<Finding> {
        let cfg = &input.env.config.burst;
        let window = chrono::Duration::minutes(cfg.window_minutes.max(1));
        let mut by_platform: BTreeMap<&str, Vec<(&AccountRow, chrono::DateTime<chrono::Utc>)>> =
            BTreeMap::new();
        for a in input.accounts {
            let Some(created) = a.created_at else {
                continue;
            };
            let Some(act) = input.activity.get(&a.key) else {
                continue;
            };
            if !act.categories.keys().any(|c| cfg.categories.contains(c)) {
                continue;
            }
            by_platform
                .entry(a.platform.as_str())
                .or_default()
                .push((a, created));
        }
        let mut out = Vec::new();
        for (platform, mut accs) in by_platform {
            accs.sort_by(|x, y| x.1.cmp(&y.1).then_with(|| x.0.key.cmp(&y.0.key)));
            let mut i = 0;
            while i < accs.len() {
                // The longest run starting at i within the window.
                let mut j = i;
                while j + 1 < accs.len() && accs[j + 1].1 - accs[i].1 <= window {
                    j += 1;
                }
                let n = j - i + 1;
                if n >= cfg.min_accounts.max(2) {
                    out.push(self.finding(platform, &accs[i..=j], input));
                    i = j + 1;
                } else {
                    i += 1;
                }
            }
        }
        out
    }
}

impl NewAccountBurst {
    fn finding(
        &self,
        platform: &str,
        run: &[(&AccountRow, chrono::DateTime<chrono::Utc>)],
        input: &AccountInput<'_>,
    ) -> Finding {
        let first = run[0].1;
        let last = run[run.len() - 1].1;
        let mut ev = Evidence::default();
        let mut cats: BTreeMap<String, u32> = BTreeMap::new();
        let mut items: Vec<String> = Vec::new();
        let mut score = 0f32;
        for (a, _) in run {
            if let Some(act) = input.activity.get(&a.key) {
                for (c, k) in &act.categories {
                    *cats.entry(c.clone()).or_default() += k;
                }
                score = score.max(act.max_score);
                if items.len() < 20 {
                    items.extend(act.items.iter().take(1).cloned());
                }
            }
        }
        let accounts: Vec<String> = run
            .iter()
            .map(|(a, _)| {
                a.handle
                    .clone()
                    .map(|h| format!("@{h}"))
                    .unwrap_or_else(|| a.key.clone())
            })
            .collect();
        let keys: Vec<String> = run.iter().map(|(a, _)| a.key.clone()).collect();
        let minutes = (last - first).num_minutes();
        ev.feature("accounts", keys, None);
        ev.feature("account_count", run.len(), None);
        ev.feature("created_from", first.to_rfc3339(), None);
        ev.feature("created_to", last.to_rfc3339(), None);
        ev.feature("window_minutes", minutes, None);
        ev.feature(
            "categories",
            serde_json::to_value(&cats).unwrap_or_default(),
            None,
        );
        ev.feature("example_items", items, None);
        // More accounts in a tighter window is more anomalous.
        let size = (run.len() as f32 / 40.0).min(1.0);
        let score = (0.5 + 0.3 * size + 0.2 * score).min(1.0);
        let shown: Vec<&str> = accounts.iter().take(8).map(String::as_str).collect();
        let more = if accounts.len() > 8 {
            format!(" … (+{})", accounts.len() - 8)
        } else {
            String::new()
        };
        let cat_list: Vec<&str> = cats.keys().map(String::as_str).collect();
        Finding {
            detector: self.id().into(),
            version: self.version(),
            category: "account_burst".into(),
            score,
            severity: if run.len() >= 20 { Severity::High } else { Severity::Medium },
            subject: Subject::Account {
                account: format!("{platform}:burst@{}", first.format("%Y-%m-%dT%H:%MZ")),
            },
            at: Some(first.timestamp_micros()),
            evidence: ev,
            explanation: Bilingual::new(
                format!(
                    "{} {platform} accounts created within {minutes} minutes ({} – {} UTC) all posted flagged content ({}): {}{more}.",
                    run.len(),
                    first.format("%Y-%m-%d %H:%M"),
                    last.format("%H:%M"),
                    cat_list.join(", "),
                    shown.join(", ")
                ),
                format!(
                    "{} حساباً على {platform} أُنشئت خلال {minutes} دقيقة ({} – {} بتوقيت UTC) ونشرت كلها محتوى مُعلَّماً ({}): {}{more}.",
                    run.len(),
                    first.format("%Y-%m-%d %H:%M"),
                    last.format("%H:%M"),
                    cat_list.join("، "),
                    shown.join("، ")
                ),
            ),
            advice: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Env;
    use crate::detector::AccountActivity;
    use chrono::TimeZone;

    fn acc(i: i64, minute: i64) -> AccountRow {
        AccountRow {
            key: format!("x:{i}"),
            platform: marsad_model::Platform::X,
            handle: Some(format!("u{i}")),
            created_at: chrono::Utc
                .timestamp_opt(1_791_000_000 + minute * 60, 0)
                .single(),
        }
    }

    #[test]
    fn burst_of_flagged_new_accounts() {
        let env = Env::basic().unwrap();
        let mut accounts: Vec<AccountRow> = (0..12).map(|i| acc(i, i * 10)).collect();
        // Far away in time, and one without flagged content.
        accounts.push(acc(100, 10_000));
        accounts.push(acc(101, 5));
        let mut activity = BTreeMap::new();
        for i in (0..12).chain([100]) {
            let mut a = AccountActivity::default();
            a.categories.insert("slogan".into(), 2);
            a.items.push(format!("x:{i}00"));
            a.max_score = 0.9;
            activity.insert(format!("x:{i}"), a);
        }
        let d = NewAccountBurst {
            config_fingerprint: "t".into(),
        };
        let f = d.detect_accounts(&AccountInput {
            accounts: &accounts,
            activity: &activity,
            env: &env,
        });
        assert_eq!(f.len(), 1, "{f:?}");
        let n = f[0]
            .evidence
            .features
            .iter()
            .find(|f| f.name == "account_count")
            .unwrap();
        assert_eq!(n.value, serde_json::json!(12));
        assert!(f[0].explanation.en.starts_with("12 x accounts"));
        // Below min_accounts: nothing.
        let f = d.detect_accounts(&AccountInput {
            accounts: &accounts[..5],
            activity: &activity,
            env: &env,
        });
        assert!(f.is_empty());
    }
}
