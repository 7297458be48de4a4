//! `image_hash_match`: an item's media matched a hash bank (PDQ/vPDQ, from
//! `marsad_media::pipeline::match_analysis`, stored by the media scan that `marsad analyze`
//! runs first). The finding carries the file's hash, the bank entry and the Hamming distance.

use crate::detector::{Detector, ItemContext};
use crate::finding::{Bilingual, Evidence, Finding, HashEvidence, Severity, Subject};

#[derive(Debug)]
pub struct ImageHashMatch {
    /// PDQ distance at which the score falls to 0.5 (the media crate's default threshold).
    pub max_distance: u32,
    /// Fingerprint of the banks (a bank change re-analyses).
    pub banks_fingerprint: String,
}

impl Detector for ImageHashMatch {
    fn id(&self) -> &'static str {
        "image_hash_match"
    }
    fn version(&self) -> String {
        format!("1+banks.{}", self.banks_fingerprint)
    }
    fn detect_item(&self, ctx: &ItemContext<'_>) -> Vec<Finding> {
        let item = ctx.item;
        let mut ev = Evidence::default();
        let mut best = 0f32;
        let mut labels: Vec<String> = Vec::new();
        for m in &item.media {
            for x in &m.matches {
                // Distance 0 scores 1.0, the threshold 0.5.
                let d = x.distance.min(self.max_distance.max(1) * 2) as f32;
                let score = (1.0 - d / (2.0 * self.max_distance.max(1) as f32)).clamp(0.0, 1.0);
                best = best.max(score);
                if !labels.contains(&x.label) {
                    labels.push(x.label.clone());
                }
                ev.hashes.push(HashEvidence {
                    sha256: m.sha256.clone(),
                    pdq: m.pdq.clone(),
                    bank: x.bank.clone(),
                    bank_hash: x.bank_hash.clone(),
                    label: x.label.clone(),
                    distance: x.distance,
                    frame_fraction: x.frame_fraction,
                });
                ev.rules.push(format!("bank:{}", x.bank));
                if !x.group.is_empty() {
                    ev.feature("group", x.group.as_str(), None);
                }
                if !x.content_type.is_empty() {
                    ev.feature("content_type", x.content_type.as_str(), None);
                }
            }
        }
        if ev.hashes.is_empty() {
            return Vec::new();
        }
        let closest = ev.hashes.iter().map(|h| h.distance).min().unwrap_or(0);
        vec![Finding {
            detector: self.id().into(),
            version: self.version(),
            category: "media_match".into(),
            score: best,
            severity: Severity::from_score(best).max(Severity::Medium),
            subject: Subject::Item {
                item: item.key(),
                account: item.author_key(),
            },
            at: item.at_micros(),
            explanation: Bilingual::new(
                format!(
                    "{} media hash match(es) against the banks ({}), closest Hamming distance {closest}.",
                    ev.hashes.len(),
                    labels.join(", ")
                ),
                format!(
                    "تطابق {} بصمة وسائط مع بنوك البصمات ({})، أقرب مسافة هامنغ {closest}.",
                    ev.hashes.len(),
                    labels.join("، ")
                ),
            ),
            evidence: ev,
            advice: None,
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detector::{MediaFacts, MediaMatchFact};
    use crate::detectors::testing::run_view;

    #[test]
    fn bank_match_carries_hash_entry_and_distance() {
        let mut item = crate::detector::ItemView::text(marsad_model::Platform::Telegram, "c/1", "");
        item.media.push(MediaFacts {
            sha256: "ab".repeat(32),
            pdq: Some("f".repeat(64)),
            gps: None,
            matches: vec![MediaMatchFact {
                bank: "tcap".into(),
                bank_hash: "e".repeat(64),
                label: "amaq-logo".into(),
                group: "isis".into(),
                content_type: "logo".into(),
                distance: 8,
                frame_fraction: None,
            }],
        });
        let d = ImageHashMatch {
            max_distance: 31,
            banks_fingerprint: "x".into(),
        };
        let f = run_view(&d, &item);
        assert_eq!(f.len(), 1);
        let h = &f[0].evidence.hashes[0];
        assert_eq!(
            (h.distance, h.label.as_str(), h.bank.as_str()),
            (8, "amaq-logo", "tcap")
        );
        assert!(f[0].score > 0.8);
        item.media[0].matches.clear();
        assert!(run_view(&d, &item).is_empty());
    }
}
