//! `keyword_match`: lexicon matches from the text engine, one finding per category, with the
//! text's stance and the lexicons' negative contexts already applied by the engine.
//!
//! Precision rules: propaganda terms quoted inside a reporting or counter-speech frame are
//! not findings (the engine reports them as `quoted`); in a text whose overall stance is
//! `news` or `opponent`, naming an outlet or the group is reporting, not propaganda, so no
//! finding either. `place`, `military`, `threat`, `news` and `counter_speech` matches are
//! evidence for other detectors (`opsec_leak`, `threat_to_person`), not findings here.

use std::collections::BTreeMap;

use marsad_text::{Match, Stance};

use crate::detector::{Detector, ItemContext};
use crate::finding::{noisy_or, Bilingual, Evidence, Finding, Severity, Span, Subject};

/// Categories that are never keyword findings.
const EVIDENCE_ONLY: &[&str] = &["place", "military", "threat", "news", "counter_speech"];

/// Arabic names of the categories, for explanations.
fn category_ar(c: &str) -> &str {
    match c {
        "outlet" => "منفذ إعلامي متطرف",
        "slogan" => "شعار",
        "group_name" => "اسم التنظيم",
        "incitement" => "تحريض",
        "glorification" => "تمجيد",
        "recruitment" => "تجنيد",
        "weapons_sale" => "بيع أسلحة",
        "hate" => "خطاب كراهية",
        _ => c,
    }
}

#[derive(Debug)]
pub struct KeywordMatch {
    lexicon_fingerprint: String,
}

impl KeywordMatch {
    /// `lexicon_fingerprint` identifies the lexicons the engine was built from (part of the
    /// version: a lexicon change re-analyses).
    pub fn new(lexicon_fingerprint: String) -> KeywordMatch {
        KeywordMatch {
            lexicon_fingerprint,
        }
    }
}

impl Detector for KeywordMatch {
    fn id(&self) -> &'static str {
        "keyword_match"
    }
    fn version(&self) -> String {
        format!("1+lex.{}", self.lexicon_fingerprint)
    }
    fn detect_item(&self, ctx: &ItemContext<'_>) -> Vec<Finding> {
        let scan = ctx.scan;
        let reporting = matches!(scan.stance, Stance::News | Stance::Opponent);
        let mut by_cat: BTreeMap<&str, Vec<&Match>> = BTreeMap::new();
        for m in &scan.matches {
            if EVIDENCE_ONLY.contains(&m.category.as_str()) {
                continue;
            }
            if reporting && matches!(m.category.as_str(), "outlet" | "group_name" | "hate") {
                continue;
            }
            by_cat.entry(m.category.as_str()).or_default().push(m);
        }
        let item = ctx.item;
        by_cat
            .into_iter()
            .map(|(cat, ms)| {
                let score = noisy_or(ms.iter().map(|m| m.weight));
                let mut ev = Evidence::default();
                let mut terms: Vec<&str> = Vec::new();
                for m in &ms {
                    ev.spans.push(Span {
                        start: m.start,
                        end: m.end,
                        matched: m.matched.clone(),
                        term: m.term.clone(),
                        kind: m.category.clone(),
                        note: m.note.clone(),
                    });
                    if !ev.rules.contains(&m.rule) {
                        ev.rules.push(m.rule.clone());
                    }
                    if !terms.contains(&m.term.as_str()) {
                        terms.push(&m.term);
                    }
                }
                ev.feature("stance", scan.stance.as_str(), None);
                ev.feature("lang", scan.lang, None);
                if !scan.quoted.is_empty() {
                    ev.feature(
                        "quoted_matches",
                        scan.quoted.len(),
                        Some("propaganda terms inside a reporting frame, not counted".into()),
                    );
                }
                let list = terms.join("، ");
                let explanation = Bilingual::new(
                    format!(
                        "{} lexicon term(s) of category '{cat}': {}; text stance: {} (score {score:.2}).",
                        ms.len(),
                        terms.join(", "),
                        scan.stance.as_str()
                    ),
                    format!(
                        "{} مطابقة من فئة «{}»: {list}؛ موقف النص: {} (الدرجة {score:.2}).",
                        ms.len(),
                        category_ar(cat),
                        scan.stance.as_str()
                    ),
                );
                Finding {
                    detector: self.id().into(),
                    version: self.version(),
                    category: cat.to_string(),
                    score,
                    severity: Severity::from_score(score),
                    subject: Subject::Item {
                        item: item.key(),
                        account: item.author_key(),
                    },
                    at: item.at_micros(),
                    evidence: ev,
                    explanation,
                    advice: None,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testing::run_item;

    #[test]
    fn slogan_is_found_with_exact_span() {
        let text = "باقية وتتمدد 🏴 #الدولة_الإسلامية";
        let f = run_item(&KeywordMatch::new("t".into()), text);
        let slogan = f.iter().find(|f| f.category == "slogan").expect("slogan");
        let s = &slogan.evidence.spans[0];
        assert_eq!(&text[s.start..s.end], s.matched);
        assert!(slogan.score >= 0.9);
        assert!(slogan.explanation.ar.contains("شعار"));
    }

    #[test]
    fn news_report_naming_the_outlet_is_not_a_finding() {
        let text = "القوات الأمنية تعتقل عنصرين من داعش بحوزتهم مواد منسوبة لوكالة أعماق";
        let f = run_item(&KeywordMatch::new("t".into()), text);
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn everyday_text_is_not_a_finding() {
        let f = run_item(
            &KeywordMatch::new("t".into()),
            "الجو حار اليوم ببغداد والكهرباء طافية",
        );
        assert!(f.is_empty(), "{f:?}");
    }
}
