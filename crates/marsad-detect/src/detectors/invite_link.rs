//! `invite_link`: a post that advertises invite links to other platforms (Telegram,
//! WhatsApp, Discord, Rocket.Chat and other chat servers) together with extremist content —
//! the migration signal. An invite link alone is everyday life (family groups, football
//! fans) and is not a finding.

use marsad_text::Stance;

use crate::detector::{Detector, ItemContext};
use crate::finding::{noisy_or, Bilingual, Evidence, Finding, Severity, Span, Subject};

/// Lexicon categories that count as extremist content next to an invite.
const EXTREMIST: &[&str] = &[
    "outlet",
    "slogan",
    "group_name",
    "glorification",
    "incitement",
    "recruitment",
    "weapons_sale",
];

/// The invite class of a URL: the text engine's classes, plus `chat_invite` for an
/// `/invite/` path on any other host (self-hosted Rocket.Chat, Mattermost…).
pub fn invite_class(url: &str) -> Option<String> {
    let (_, class) = marsad_text::entities::url::normalize_and_classify(url);
    if class.ends_with("_invite") {
        return Some(class.to_string());
    }
    let lower = url.to_ascii_lowercase();
    let path = lower
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(&lower)
        .split_once('/')
        .map(|(_, p)| p)
        .unwrap_or("");
    if path.starts_with("invite/") || path.contains("/invite/") || path.starts_with("join/") {
        return Some("chat_invite".into());
    }
    None
}

#[derive(Debug)]
pub struct InviteLink {
    pub lexicon_fingerprint: String,
}

impl Detector for InviteLink {
    fn id(&self) -> &'static str {
        "invite_link"
    }
    fn version(&self) -> String {
        format!("1+lex.{}", self.lexicon_fingerprint)
    }
    fn detect_item(&self, ctx: &ItemContext<'_>) -> Vec<Finding> {
        let (item, scan) = (ctx.item, ctx.scan);
        let mut ev = Evidence::default();
        let mut invites: Vec<(String, String)> = Vec::new();
        for u in &scan.entities.urls {
            if let Some(class) = invite_class(&u.value) {
                ev.spans.push(Span {
                    start: u.start,
                    end: u.end,
                    matched: u.matched.clone(),
                    term: u.value.clone(),
                    kind: class.clone(),
                    note: String::new(),
                });
                if !invites.iter().any(|(v, _)| *v == u.value) {
                    invites.push((u.value.clone(), class));
                }
            }
        }
        for l in &item.links {
            if let Some(class) = invite_class(l) {
                let (norm, _) = marsad_text::entities::url::normalize_and_classify(l);
                if !invites.iter().any(|(v, _)| *v == norm) {
                    invites.push((norm, class));
                }
            }
        }
        if invites.is_empty() || matches!(scan.stance, Stance::News | Stance::Opponent) {
            return Vec::new();
        }
        let extremist: Vec<_> = scan
            .matches
            .iter()
            .filter(|m| EXTREMIST.contains(&m.category.as_str()))
            .collect();
        let known = ctx
            .author
            .is_some_and(|a| a.watchlists.iter().any(|l| l == "known_extremist"));
        if extremist.is_empty() && !known {
            return Vec::new();
        }
        let mut terms: Vec<&str> = Vec::new();
        for m in &extremist {
            ev.spans.push(Span {
                start: m.start,
                end: m.end,
                matched: m.matched.clone(),
                term: m.term.clone(),
                kind: m.category.clone(),
                note: m.note.clone(),
            });
            if !terms.contains(&m.term.as_str()) {
                terms.push(&m.term);
            }
        }
        if known {
            ev.rules.push("watchlist:known_extremist".into());
        }
        let classes: Vec<&str> = invites.iter().map(|(_, c)| c.as_str()).collect();
        let platforms = invites.len();
        ev.feature(
            "invites",
            invites.iter().map(|(v, _)| v.clone()).collect::<Vec<_>>(),
            None,
        );
        ev.feature("classes", classes.clone(), None);
        let content = noisy_or(extremist.iter().map(|m| m.weight));
        let score = noisy_or([
            content * 0.9,
            if known { 0.6 } else { 0.0 },
            0.2 * platforms.min(3) as f32,
        ]);
        let links: Vec<&str> = invites.iter().map(|(v, _)| v.as_str()).collect();
        let with_en = if terms.is_empty() {
            "posted by a known extremist account".to_string()
        } else {
            format!("next to extremist content ({})", terms.join(", "))
        };
        let with_ar = if terms.is_empty() {
            "من حساب متطرف معروف".to_string()
        } else {
            format!("مع محتوى متطرف ({})", terms.join("، "))
        };
        vec![Finding {
            detector: self.id().into(),
            version: self.version(),
            category: "migration".into(),
            score,
            severity: Severity::from_score(score).max(Severity::Medium),
            subject: Subject::Item {
                item: item.key(),
                account: item.author_key(),
            },
            at: item.at_micros(),
            evidence: ev,
            explanation: Bilingual::new(
                format!(
                    "Advertises {} invite link(s) ({}) {with_en}: a migration signal.",
                    invites.len(),
                    links.join(", ")
                ),
                format!(
                    "يروّج {} رابط دعوة ({}) {with_ar}: مؤشر على الانتقال إلى منصة أخرى.",
                    invites.len(),
                    links.join("، ")
                ),
            ),
            advice: None,
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detectors::testing::run_item;

    fn det() -> InviteLink {
        InviteLink {
            lexicon_fingerprint: "t".into(),
        }
    }

    #[test]
    fn classes() {
        assert_eq!(
            invite_class("https://t.me/+Qm9XcL2vTzE4NjU0").as_deref(),
            Some("telegram_invite")
        );
        // Self-hosted chat servers: the text engine's class when it knows the pattern, ours otherwise.
        let rc = invite_class("https://rc.example.org/invite/k7Hq2N").unwrap();
        assert!(rc == "rocketchat_invite" || rc == "chat_invite", "{rc}");
        assert_eq!(
            invite_class("https://chat.example.net/join/AbCd").as_deref(),
            Some("chat_invite")
        );
        assert_eq!(
            invite_class("https://chat.whatsapp.com/AbC").as_deref(),
            Some("whatsapp_invite")
        );
        assert_eq!(invite_class("https://example.com/news/1"), None);
    }

    #[test]
    fn invite_with_outlet_content_is_migration() {
        let text = "باقية وتتمدد — انضموا لقناتنا الجديدة https://t.me/+Qm9XcL2vTzE4NjU0 و https://rc.example.org/invite/k7Hq2N";
        let f = run_item(&det(), text);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].category, "migration");
        assert!(f[0].explanation.en.contains("t.me"));
        for s in &f[0].evidence.spans {
            assert_eq!(&text[s.start..s.end], s.matched);
        }
    }

    #[test]
    fn family_group_invite_is_nothing() {
        assert!(run_item(&det(), "كروب العائلة https://chat.whatsapp.com/AbC123").is_empty());
    }
}
