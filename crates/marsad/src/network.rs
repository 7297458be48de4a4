//! Network findings for `marsad analyze`: the coordination clusters, brigades and re-created
//! accounts that `marsad-graph` finds, as findings (detectors `coordination`, `brigade`,
//! `ban_evasion`) the alert rules read like any other.
//!
//! Which coordination clusters become findings: [`coord::reportable`] (repeated co-posting,
//! or one event of at least `coord::BURST_ACCOUNTS` accounts; chance collisions are not
//! coordination). The same clusters mark brigade sources as coordinated.
//!
//! Subjects: a coordination cluster is one account-group finding
//! (`platform:coordination@<cluster id>`, one alert per cluster rather than one per member);
//! a brigade is a finding about its *target* (the account to protect: the alert says
//! "possible brigade against @X", never "act against @X"); a re-created account is a finding
//! about the successor, with its predecessor and the similarity features. The findings are
//! deterministic for the same data (no clock in them), so re-running `analyze` on unchanged
//! data keeps them and their alerts as they are.

use anyhow::{Context, Result};
use marsad_detect::{Bilingual, Evidence, Finding, Severity, Subject};
use marsad_graph::community::LeidenOptions;
use marsad_graph::dataset::Dataset;
use marsad_graph::{brigade, coord, successors, Feature};

/// Version of the network findings' logic (bump when their meaning changes).
const VERSION: &str = "2";

fn micros(iso: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(iso)
        .ok()
        .map(|t| t.timestamp_micros())
}

fn features(ev: &mut Evidence, fs: &[Feature]) {
    for f in fs {
        ev.feature(
            f.name,
            f.value.clone(),
            (!f.note.is_empty()).then(|| f.note.to_string()),
        );
    }
}

fn platform_of(key: &str) -> &str {
    key.split_once(':').map(|(p, _)| p).unwrap_or("")
}

/// Computes the enabled network findings (`enabled` ⊆ `marsad_detect::detectors::NETWORK_NAMES`)
/// over a dataset.
pub fn findings(ds: &Dataset, enabled: &[&str]) -> Result<Vec<Finding>> {
    let on = |d: &str| enabled.contains(&d);
    let mut out = Vec::new();
    let need_coord = on("coordination") || on("brigade");
    let coordinated = if need_coord {
        Some(coord::reportable(ds, &coord::CoordOptions::default()).context("coordination")?)
    } else {
        None
    };
    if let (true, Some((report, why))) = (on("coordination"), &coordinated) {
        for (c, w) in report.clusters.iter().zip(why) {
            out.push(coordination_finding(c, w));
        }
    }
    if let (true, Some((report, _))) = (on("brigade"), &coordinated) {
        let history = brigade::History::compute(ds, report, &LeidenOptions::default())
            .context("brigade history (communities and tiers)")?;
        let found = brigade::detect(ds, &history, &brigade::BrigadeOptions::default())
            .context("brigades")?;
        out.extend(found.iter().map(brigade_finding));
    }
    if on("ban_evasion") {
        let found = successors::detect(ds, &successors::SuccessorOptions::default())
            .context("re-created accounts")?;
        out.extend(found.iter().filter_map(successor_finding));
    }
    Ok(out)
}

/// `why`: `repeated` (links seen at least twice) or `burst` (one large event).
fn coordination_finding(c: &coord::Cluster, why: &str) -> Finding {
    let mut ev = Evidence::default();
    ev.feature(
        "reported_because",
        why,
        Some(match why {
            "repeated" => "the accounts co-posted with each other at least twice".to_string(),
            _ => format!(
                "one event gathered at least {} accounts",
                coord::BURST_ACCOUNTS
            ),
        }),
    );
    features(&mut ev, &c.features);
    let members: Vec<&str> = c.accounts.iter().map(|a| a.node.as_str()).collect();
    ev.feature("members", members.clone(), None);
    for item in c.shared_items.iter().take(10) {
        ev.feature(
            "shared_item",
            serde_json::json!({
                "kind": item.kind,
                "value": item.value,
                "accounts": item.accounts,
                "start": item.start,
                "end": item.end,
                "posts": item.posts.iter().take(10).collect::<Vec<_>>(),
            }),
            None,
        );
    }
    ev.rules.push(format!("graph:{}", c.id));
    let platform = members.first().map(|k| platform_of(k)).unwrap_or("");
    let names: Vec<&str> = c
        .accounts
        .iter()
        .take(5)
        .map(|a| a.label.as_str())
        .collect();
    Finding {
        detector: "coordination".into(),
        version: VERSION.into(),
        category: "coordination".into(),
        score: c.score as f32,
        severity: if c.accounts.len() >= 10 {
            Severity::High
        } else {
            Severity::Medium
        },
        subject: Subject::Account {
            account: format!("{platform}:coordination@{}", c.id),
        },
        at: micros(&c.start),
        evidence: ev,
        explanation: Bilingual::new(
            format!("{}. Accounts: {}.", c.explanation, names.join(", ")),
            format!(
                "سلوك منسَّق: {} حسابًا نشرت المحتوى نفسه في غضون ثوانٍ من بعضها (عدد المرات: {}). الحسابات: {}.",
                c.accounts.len(),
                c.events,
                names.join("، ")
            ),
        ),
        advice: None,
    }
}

fn brigade_finding(b: &brigade::Brigade) -> Finding {
    let mut ev = Evidence::default();
    features(&mut ev, &b.features);
    ev.feature(
        "sources",
        b.sources
            .iter()
            .take(50)
            .map(|s| s.node.as_str())
            .collect::<Vec<_>>(),
        None,
    );
    ev.feature("edge_kinds", serde_json::json!(b.kinds), None);
    if let Some(t) = b.sample_texts.first() {
        ev.feature("most_common_text", t.as_str(), None);
    }
    ev.feature("protect_target", true, None);
    ev.rules.push(format!("graph:{}", b.id));
    Finding {
        detector: "brigade".into(),
        version: VERSION.into(),
        category: "brigade".into(),
        score: b.score as f32,
        severity: Severity::High,
        subject: Subject::Account {
            account: b.target.clone(),
        },
        at: micros(&b.start),
        evidence: ev,
        explanation: Bilingual::new(
            format!("{}: {}", b.alert, b.explanation),
            format!(
                "حملة بلاغات أو إشارات منسَّقة محتملة ضد {}: {} حسابًا وجّهت {} إشارة/ردًّا/بلاغًا خلال {} ثانية. الحساب المستهدف هو الضحية المحتملة: لا تُغلقه بناءً على هذه البلاغات.",
                b.target_label,
                b.sources.len(),
                b.edges,
                b.span_secs
            ),
        ),
        advice: None,
    }
}

fn successor_finding(f: &successors::SuccessorFinding) -> Option<Finding> {
    let successor = f.likely_successor.as_ref()?;
    let best = f.candidates.iter().find(|c| &c.node == successor)?;
    let mut ev = Evidence::default();
    ev.feature("predecessor", f.predecessor.as_str(), None);
    ev.feature("predecessor_status", f.status.as_str(), None);
    ev.feature("gone_at", f.gone_at.as_str(), None);
    if let Some(h) = best.hours_after_suspension {
        ev.feature("hours_after_suspension", h, None);
    }
    features(&mut ev, &best.features);
    let others: Vec<serde_json::Value> = f
        .candidates
        .iter()
        .filter(|c| &c.node != successor)
        .map(|c| serde_json::json!({"account": c.node, "score": c.score}))
        .collect();
    if !others.is_empty() {
        ev.feature("other_candidates", others, None);
    }
    ev.rules.push(format!("graph:{}", f.id));
    Some(Finding {
        detector: "ban_evasion".into(),
        version: VERSION.into(),
        category: "ban_evasion".into(),
        score: best.score as f32,
        severity: Severity::High,
        subject: Subject::Account {
            account: successor.clone(),
        },
        at: best.created_at.as_deref().and_then(micros),
        evidence: ev,
        explanation: Bilingual::new(
            f.explanation.clone(),
            format!(
                "الحساب {} ({}) أُعيد إنشاؤه على الأرجح باسم {} (درجة التشابه {:.2}): تحايل على الحظر.",
                f.predecessor_label, f.status, best.label, best.score
            ),
        ),
        advice: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_graph_times() {
        assert_eq!(micros("1970-01-01T00:00:01Z"), Some(1_000_000));
        assert_eq!(micros("not a time"), None);
        assert_eq!(platform_of("twitter:123"), "twitter");
    }
}
