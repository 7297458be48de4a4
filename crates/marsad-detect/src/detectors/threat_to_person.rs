//! `threat_to_person`: threats (the `threat` lexicon, and the classifier's `threat` label when
//! a model is configured) that name or mention a protected person (the `protected`
//! watchlist: handles and names in Arabic and Latin script, matched through the normalizer).
//!
//! Severity follows Tech Against Terrorism's threat-to-life tiers:
//! - **low** (`Low`): threat language without a protected person;
//! - **medium** (`Medium`): a protected person with threat language of weight < 0.8
//!   ("you will pay the price");
//! - **high-unspecific** (`High`): a protected person with explicit threat language
//!   (weight ≥ 0.8: "we will kill you") or a classifier threat;
//! - **high-specific** (`Critical`): as high, plus specifics of when or where (a time, a
//!   place, coordinates, "we know your address").

use std::sync::Arc;

use crate::detector::{Detector, ItemContext};
use crate::detectors::text_classifier::TextModel;
use crate::finding::{noisy_or, Bilingual, Evidence, Finding, Severity, Span, Subject};

#[derive(Debug)]
pub struct ThreatToPerson {
    pub watch_fingerprint: String,
    pub models: Vec<Arc<dyn TextModel>>,
}

/// Threat terms that are themselves specific (knowing the address or whereabouts).
const SPECIFIC_TERMS: &[&str] = &[
    "نعرف عنوانك",
    "نعرف بيتك",
    "نعرف مكانك",
    "we know where you live",
];

impl Detector for ThreatToPerson {
    fn id(&self) -> &'static str {
        "threat_to_person"
    }
    fn version(&self) -> String {
        let models: Vec<String> = self.models.iter().map(|m| m.id()).collect();
        format!(
            "1+watch.{}+models.{}",
            self.watch_fingerprint,
            models.join("+")
        )
    }
    fn detect_item(&self, ctx: &ItemContext<'_>) -> Vec<Finding> {
        let (item, scan, env) = (ctx.item, ctx.scan, ctx.env);
        let threats: Vec<_> = scan.category("threat").collect();
        let mut classifier: Option<(String, f32)> = None;
        for m in &self.models {
            for (label, p, over) in m.score(&item.text) {
                if over && label.contains("threat") {
                    classifier = Some((m.id(), p));
                }
            }
        }
        if threats.is_empty() && classifier.is_none() {
            return Vec::new();
        }
        let mut ev = Evidence::default();
        let mut terms: Vec<String> = Vec::new();
        for t in &threats {
            ev.spans.push(Span {
                start: t.start,
                end: t.end,
                matched: t.matched.clone(),
                term: t.term.clone(),
                kind: "threat".into(),
                note: t.note.clone(),
            });
            ev.rules.push(t.rule.clone());
            if !terms.contains(&t.term) {
                terms.push(t.term.clone());
            }
        }
        let lexicon_weight = noisy_or(threats.iter().map(|t| t.weight));
        if let Some((id, p)) = &classifier {
            ev.rules.push(id.clone());
            ev.feature("classifier_threat", f64::from(*p), Some(id.clone()));
        }
        let persons = env.watch.protected_in(&item.text, &item.mentions);
        let mut names: Vec<String> = Vec::new();
        // A reply to a protected person's post targets them even without naming them.
        if let Some(parent) = &item.reply_to_author {
            for i in env
                .watch
                .protected_accounts(item.platform.as_str(), &[parent.as_str()])
            {
                if let Some(e) = env.watch.entries.get(i) {
                    let n = format!("@{}", e.handle.trim_start_matches('@'));
                    if !names.contains(&n) {
                        names.push(n);
                        ev.feature(
                            "reply_to_protected",
                            e.handle.clone(),
                            Some("replies to a post of this protected person".into()),
                        );
                    }
                }
            }
        }
        for p in &persons {
            if p.end > p.start {
                ev.spans.push(Span {
                    start: p.start,
                    end: p.end,
                    matched: p.matched.clone(),
                    term: p.term.clone(),
                    kind: "protected_person".into(),
                    note: String::new(),
                });
            }
            if let Some(e) = env.watch.entries.get(p.entry) {
                let n = format!("@{}", e.handle.trim_start_matches('@'));
                if !names.contains(&n) {
                    names.push(n);
                }
            }
        }
        let specifics = !scan.entities.times.is_empty()
            || !scan.entities.places.is_empty()
            || !scan.entities.coordinates.is_empty()
            || threats
                .iter()
                .any(|t| SPECIFIC_TERMS.contains(&t.term.as_str()));
        let explicit = threats.iter().any(|t| t.weight >= 0.8)
            || classifier.as_ref().is_some_and(|(_, p)| *p >= 0.8);
        let (tier, severity) = match (names.is_empty(), explicit, specifics) {
            (true, _, _) => ("low", Severity::Low),
            (false, false, _) => ("medium", Severity::Medium),
            (false, true, false) => ("high-unspecific", Severity::High),
            (false, true, true) => ("high-specific", Severity::Critical),
        };
        if names.is_empty() && lexicon_weight < 0.5 && classifier.is_none() {
            // Weak threat words with nobody named: emoji and "watch your back" are noise.
            return Vec::new();
        }
        ev.feature(
            "tier",
            tier,
            Some("Tech Against Terrorism threat-to-life tier".into()),
        );
        if !names.is_empty() {
            ev.feature("protected", names.clone(), None);
            ev.rules.push("watchlist:protected".into());
        }
        ev.feature("specifics", specifics, None);
        let person_boost = if names.is_empty() { 0.0 } else { 0.5 };
        let score = noisy_or([
            lexicon_weight,
            classifier.as_ref().map(|(_, p)| *p).unwrap_or(0.0),
            person_boost,
        ]);
        let (who_en, who_ar) = if names.is_empty() {
            (
                "no protected person named".to_string(),
                "دون ذكر شخص محمي".to_string(),
            )
        } else {
            (
                format!("against protected person {}", names.join(", ")),
                format!("موجّه إلى شخص محمي {}", names.join("، ")),
            )
        };
        vec![Finding {
            detector: self.id().into(),
            version: self.version(),
            category: "threat".into(),
            score,
            severity,
            subject: Subject::Item {
                item: item.key(),
                account: item.author_key(),
            },
            at: item.at_micros(),
            evidence: ev,
            explanation: Bilingual::new(
                format!(
                    "Threat ({}) {who_en}; tier {tier}{}.",
                    if terms.is_empty() {
                        "classifier".to_string()
                    } else {
                        terms.join(", ")
                    },
                    if specifics {
                        ", with specifics of time or place"
                    } else {
                        ""
                    }
                ),
                format!(
                    "تهديد ({}) {who_ar}؛ المستوى {tier}{}.",
                    if terms.is_empty() {
                        "المصنّف".to_string()
                    } else {
                        terms.join("، ")
                    },
                    if specifics {
                        "، مع تفاصيل زمان أو مكان"
                    } else {
                        ""
                    }
                ),
            ),
            advice: None,
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detector::ItemView;
    use crate::detectors::testing::run_with_watch;
    use crate::watch::{ListKind, WatchEntry};

    fn det() -> ThreatToPerson {
        ThreatToPerson {
            watch_fingerprint: "t".into(),
            models: Vec::new(),
        }
    }

    fn watch() -> Vec<WatchEntry> {
        vec![WatchEntry {
            list: ListKind::Protected,
            platform: None,
            handle: "rusul_writes".into(),
            names: vec!["رسل الكاتبة".into()],
            note: String::new(),
        }]
    }

    fn run(text: &str, mentions: &[&str]) -> Vec<Finding> {
        let mut item = ItemView::text(marsad_model::Platform::X, "1", text);
        item.mentions = mentions.iter().map(|s| s.to_string()).collect();
        run_with_watch(&det(), &item, watch())
    }

    #[test]
    fn tiers() {
        let f = run("ستدفع الثمن يا @rusul_writes", &["rusul_writes"]);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].severity, Severity::Medium);
        let f = run("سنقتلكم يا رسل الكاتبة", &[]);
        assert_eq!(f[0].severity, Severity::High, "{:?}", f[0].explanation);
        let f = run("نعرف عنوانك يا @rusul_writes", &[]);
        assert_eq!(f[0].severity, Severity::Critical);
        assert!(f[0].explanation.en.contains("high-specific"));
        let f = run("سنقتلكم", &[]);
        assert_eq!(f[0].severity, Severity::Low);
    }

    #[test]
    fn reply_to_a_protected_persons_post() {
        let mut item = ItemView::text(marsad_model::Platform::Tiktok, "c1", "ستدفع الثمن 😡");
        item.reply_to_author = Some("@rusul_writes".into());
        let f = run_with_watch(&det(), &item, watch());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].severity, Severity::Medium);
        assert!(f[0].explanation.en.contains("@rusul_writes"));
    }

    #[test]
    fn no_threat_no_finding() {
        assert!(run("مقال رائع يا @rusul_writes", &["rusul_writes"]).is_empty());
        assert!(run("watch your back on the ice", &[]).is_empty());
    }
}
