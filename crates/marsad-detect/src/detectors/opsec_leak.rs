//! `opsec_leak`: security personnel revealing where, when and with whom they serve.
//!
//! Who: an account on the `personnel` watchlist, an account whose profile carries
//! uniform/unit vocabulary (the lexicon's `military` category), or an item whose own content
//! does (military vocabulary weighing at least 0.6, outside a news or counter-speech frame).
//!
//! What leaked (each a weight, combined by noisy-or into the risk score): a post or live
//! stream at night (00:00–05:00 local by default), a live stream, named places (gazetteer),
//! units and movements, clock times, coordinates in the text, the item's geotag, EXIF GPS in
//! its photos, and any position inside a configured geofence (sensitive site). The finding
//! lists what leaked and carries advice from the code of conduct for each kind.

use marsad_model::ItemKind;
use marsad_text::{Engine, ScanOptions, Stance};

use crate::detector::{Detector, ItemContext};
use crate::finding::{noisy_or, Bilingual, Evidence, Finding, Severity, Span, Subject};

/// Military terms that describe movements rather than units.
const MOVEMENT_TERMS: &[&str] = &["رتل", "دورية", "تبديل الواجب", "ساعة الصفر"];

/// Words that mark a live stream in a text (compared on the match key).
const LIVE_WORDS: &[&str] = &["بث مباشر", "مباشر من", "لايف", "live"];

/// Uniform/unit vocabulary in a profile text (bio, display name): the `military` terms.
pub fn profile_personnel_terms(engine: &Engine, profile: &str) -> Vec<String> {
    if profile.trim().is_empty() {
        return Vec::new();
    }
    let scan = engine.scan(profile, ScanOptions::default());
    if matches!(scan.stance, Stance::News) {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for m in scan.category("military") {
        if !out.contains(&m.term) {
            out.push(m.term.clone());
        }
    }
    out
}

/// A place name from the item's `place` field: plain text, or the `full_name`/`name` of a
/// JSON place object (a bare country code is not a place).
fn place_name(p: &str) -> Option<String> {
    let p = p.trim();
    if p.starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(p).ok()?;
        ["full_name", "name"]
            .iter()
            .find_map(|k| v.get(*k).and_then(|x| x.as_str()))
            .map(str::to_string)
    } else {
        (!p.is_empty()).then(|| p.to_string())
    }
}

#[derive(Debug)]
pub struct OpsecLeak {
    /// Fingerprint of settings, code of conduct, watchlists and geofences.
    pub env_fingerprint: String,
}

struct Leak {
    kind: &'static str,
    weight: f32,
    en: String,
    ar: String,
}

impl Detector for OpsecLeak {
    fn id(&self) -> &'static str {
        "opsec_leak"
    }
    fn version(&self) -> String {
        format!("1+env.{}", self.env_fingerprint)
    }
    fn detect_item(&self, ctx: &ItemContext<'_>) -> Vec<Finding> {
        let (item, scan, env) = (ctx.item, ctx.scan, ctx.env);
        let mut ev = Evidence::default();
        let military: Vec<_> = scan.category("military").collect();
        let reporting = matches!(scan.stance, Stance::News | Stance::Opponent)
            || scan
                .matches
                .iter()
                .any(|m| m.category == "news" || m.category == "counter_speech");

        // Who.
        let mut why_personnel: Vec<(String, String)> = Vec::new();
        if let Some(a) = ctx.author {
            if a.watchlists.iter().any(|l| l == "personnel") {
                why_personnel.push((
                    "the account is on the personnel watchlist".into(),
                    "الحساب مدرج في قائمة منتسبي الأجهزة الأمنية".into(),
                ));
                ev.rules.push("watchlist:personnel".into());
            }
            if !a.personnel_terms.is_empty() {
                why_personnel.push((
                    format!(
                        "its profile names a unit ({})",
                        a.personnel_terms.join(", ")
                    ),
                    format!(
                        "ملفه الشخصي يذكر وحدة عسكرية ({})",
                        a.personnel_terms.join("، ")
                    ),
                ));
                ev.feature("profile_terms", a.personnel_terms.clone(), None);
            }
        }
        let content_weight = noisy_or(military.iter().map(|m| m.weight));
        if why_personnel.is_empty() && !reporting && content_weight >= 0.6 {
            why_personnel.push((
                "the post itself uses uniform/unit vocabulary".into(),
                "المنشور نفسه يستخدم مفردات عسكرية".into(),
            ));
        }
        if why_personnel.is_empty() {
            return Vec::new();
        }

        // What leaked.
        let mut leaks: Vec<Leak> = Vec::new();
        let live = item.is_live || item.kind == ItemKind::LiveStream || {
            let key = marsad_text::match_key(&item.text);
            LIVE_WORDS.iter().any(|w| key.contains(w))
        };
        let night_at = item.created_at.filter(|t| env.is_night(*t));
        if let Some(t) = night_at {
            let clock = env.local_clock(t);
            leaks.push(Leak {
                kind: "night",
                weight: 0.35,
                en: format!("posted at night ({clock} local time)"),
                ar: format!("نُشر ليلاً (الساعة {clock} بالتوقيت المحلي)"),
            });
        }
        if live {
            leaks.push(Leak {
                kind: "live",
                weight: if night_at.is_some() { 0.45 } else { 0.3 },
                en: "a live stream".into(),
                ar: "بث مباشر".into(),
            });
        }
        let mut span = |start: usize, end: usize, matched: &str, term: &str, kind: &str| {
            ev.spans.push(Span {
                start,
                end,
                matched: matched.to_string(),
                term: term.to_string(),
                kind: kind.to_string(),
                note: String::new(),
            });
        };
        let mut places: Vec<String> = Vec::new();
        for p in &scan.entities.places {
            span(p.start, p.end, &p.matched, &p.value, "place");
            if !places.contains(&p.value) {
                places.push(p.value.clone());
            }
        }
        if let Some(p) = item.place.as_deref().and_then(place_name) {
            if !places.contains(&p) {
                places.push(p);
            }
        }
        if !places.is_empty() {
            leaks.push(Leak {
                kind: "place",
                weight: 0.3,
                en: format!("names the place ({})", places.join(", ")),
                ar: format!("يذكر المكان ({})", places.join("، ")),
            });
        }
        let (mut units, mut moves): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        for m in &military {
            span(m.start, m.end, &m.matched, &m.term, "military");
            let list = if MOVEMENT_TERMS.contains(&m.term.as_str()) {
                &mut moves
            } else {
                &mut units
            };
            if !list.contains(&m.term) {
                list.push(m.term.clone());
            }
        }
        if !units.is_empty() {
            leaks.push(Leak {
                kind: "unit",
                weight: 0.25,
                en: format!("names units or posts ({})", units.join(", ")),
                ar: format!("يذكر وحدات أو نقاطاً ({})", units.join("، ")),
            });
        }
        if !moves.is_empty() {
            leaks.push(Leak {
                kind: "movement",
                weight: 0.4,
                en: format!("mentions movements or shifts ({})", moves.join(", ")),
                ar: format!("يذكر تحركات أو مناوبات ({})", moves.join("، ")),
            });
        }
        let mut clocks: Vec<String> = Vec::new();
        for t in &scan.entities.times {
            span(t.start, t.end, &t.matched, &t.value, "time");
            if !clocks.contains(&t.value) {
                clocks.push(t.value.clone());
            }
        }
        if !clocks.is_empty() {
            let night_ref = scan.entities.times.iter().any(|t| t.night);
            leaks.push(Leak {
                kind: "clock_time",
                weight: if night_ref { 0.35 } else { 0.25 },
                en: format!("gives times ({})", clocks.join(", ")),
                ar: format!("يذكر أوقاتاً ({})", clocks.join("، ")),
            });
        }
        let mut positions: Vec<(f64, f64, &'static str)> = Vec::new();
        for c in &scan.entities.coordinates {
            span(c.start, c.end, &c.matched, &c.value, "coordinates");
            if let (Some(lat), Some(lon)) = (c.lat, c.lon) {
                positions.push((lat, lon, "text"));
            }
        }
        if !scan.entities.coordinates.is_empty() {
            leaks.push(Leak {
                kind: "coordinates",
                weight: 0.5,
                en: "writes coordinates".into(),
                ar: "يكتب إحداثيات".into(),
            });
        }
        if let Some((lat, lon)) = item.geo {
            positions.push((lat, lon, "geotag"));
            leaks.push(Leak {
                kind: "geotag",
                weight: 0.45,
                en: format!("shares a location ({lat:.4}, {lon:.4})"),
                ar: format!("يشارك موقعاً ({lat:.4}، {lon:.4})"),
            });
        }
        let gps: Vec<(f64, f64)> = item.media.iter().filter_map(|m| m.gps).collect();
        if let Some(&(lat, lon)) = gps.first() {
            for &(la, lo) in &gps {
                positions.push((la, lo, "exif"));
            }
            leaks.push(Leak {
                kind: "exif_gps",
                weight: 0.5,
                en: format!("a photo carries EXIF GPS ({lat:.4}, {lon:.4})"),
                ar: format!("صورة تحمل موقع GPS في بياناتها ({lat:.4}، {lon:.4})"),
            });
        }
        if !item.media.is_empty() {
            leaks.push(Leak {
                kind: "photo",
                weight: 0.2,
                en: format!("shares {} photo(s) or video(s)", item.media.len()),
                ar: format!("ينشر {} صورة أو مقطعاً", item.media.len()),
            });
        }
        let mut fences: Vec<String> = Vec::new();
        for g in &env.geofences {
            if positions.iter().any(|(la, lo, _)| g.contains(*la, *lo)) && !fences.contains(&g.name)
            {
                fences.push(g.name.clone());
            }
        }
        if !fences.is_empty() {
            leaks.push(Leak {
                kind: "geofence",
                weight: 0.7,
                en: format!("inside the sensitive site(s) {}", fences.join(", ")),
                ar: format!("داخل موقع حساس: {}", fences.join("، ")),
            });
            ev.feature("geofences", fences.clone(), None);
        }
        // Vocabulary or a picture alone is not a leak of place or time.
        if leaks.iter().all(|l| matches!(l.kind, "unit" | "photo")) {
            return Vec::new();
        }
        let score = noisy_or(leaks.iter().map(|l| l.weight));
        if score < env.config.opsec_min_score {
            return Vec::new();
        }
        let kinds: Vec<&str> = leaks.iter().map(|l| l.kind).collect();
        for l in &leaks {
            ev.feature(
                &format!("leak.{}", l.kind),
                f64::from(l.weight),
                Some(l.en.clone()),
            );
        }
        let mut severity = Severity::from_score(score);
        if !fences.is_empty() || (live && night_at.is_some() && !places.is_empty()) {
            severity = severity.max(Severity::High);
        }
        let who_en: Vec<&str> = why_personnel.iter().map(|(e, _)| e.as_str()).collect();
        let who_ar: Vec<&str> = why_personnel.iter().map(|(_, a)| a.as_str()).collect();
        let what_en: Vec<&str> = leaks.iter().map(|l| l.en.as_str()).collect();
        let what_ar: Vec<&str> = leaks.iter().map(|l| l.ar.as_str()).collect();
        vec![Finding {
            detector: self.id().into(),
            version: self.version(),
            category: "opsec_leak".into(),
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
                    "Possible OPSEC leak by security personnel ({}): {} (risk {score:.2}).",
                    who_en.join("; "),
                    what_en.join("; ")
                ),
                format!(
                    "تسريب أمني محتمل من منتسب ({}): {} (درجة الخطورة {score:.2}).",
                    who_ar.join("؛ "),
                    what_ar.join("؛ ")
                ),
            ),
            advice: Some(env.conduct.advice_for(&kinds)),
        }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detector::{AuthorFacts, ItemView, MediaFacts};
    use crate::detectors::testing::{run_full, ENGINE};
    use crate::watch::Geofence;
    use chrono::TimeZone;

    fn det() -> OpsecLeak {
        OpsecLeak {
            env_fingerprint: "t".into(),
        }
    }

    fn soldier() -> AuthorFacts {
        AuthorFacts {
            watchlists: vec!["personnel".into()],
            ..Default::default()
        }
    }

    fn at(h: u32, m: u32) -> Option<chrono::DateTime<chrono::Utc>> {
        chrono::Utc.with_ymd_and_hms(2026, 10, 4, h, m, 0).single()
    }

    #[test]
    fn night_live_stream_near_a_named_place() {
        let mut item = ItemView::text(
            marsad_model::Platform::Tiktok,
            "1",
            "بث مباشر من السيطرة قرب بيجي",
        );
        item.created_at = at(23, 4); // 02:04 Baghdad
        let f = run_full(&det(), &item, Some(&soldier()), None);
        assert_eq!(f.len(), 1, "{f:?}");
        let f = &f[0];
        assert!(f.score >= 0.7, "{}", f.score);
        assert!(f.severity >= Severity::High);
        assert!(f.explanation.en.contains("02:04"), "{}", f.explanation.en);
        assert!(f.explanation.en.contains("Baiji") || f.explanation.en.contains("بيجي"));
        let advice = f.advice.as_ref().unwrap();
        assert!(advice.ar.contains("البث") || advice.ar.contains("تبث"));
        for s in &f.evidence.spans {
            assert_eq!(&item.text[s.start..s.end], s.matched);
        }
    }

    #[test]
    fn same_post_by_a_civilian_in_the_afternoon_is_nothing() {
        let mut item = ItemView::text(
            marsad_model::Platform::Tiktok,
            "1",
            "بث مباشر من السيطرة قرب بيجي",
        );
        item.created_at = at(12, 0);
        assert!(run_full(&det(), &item, None, None).is_empty());
        // Personnel, but daytime and no place: below the threshold.
        let mut day = ItemView::text(marsad_model::Platform::Tiktok, "2", "صباح الخير");
        day.created_at = at(9, 0);
        assert!(run_full(&det(), &day, Some(&soldier()), None).is_empty());
    }

    #[test]
    fn exif_gps_inside_a_geofence() {
        let mut item = ItemView::text(marsad_model::Platform::Telegram, "c/5", "صورة");
        item.created_at = at(10, 0);
        item.media.push(MediaFacts {
            sha256: "a".repeat(64),
            gps: Some((34.93, 43.49)),
            ..Default::default()
        });
        let fence = Geofence {
            name: "Baiji refinery".into(),
            lat: 34.931,
            lon: 43.488,
            radius_m: 3_000.0,
        };
        let f = run_full(&det(), &item, Some(&soldier()), Some(vec![fence]));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].severity >= Severity::High);
        assert!(f[0].explanation.en.contains("Baiji refinery"));
        assert!(f[0].advice.as_ref().unwrap().en.contains("sensitive site"));
    }

    #[test]
    fn night_photo_from_a_checkpoint() {
        let mut item = ItemView::text(
            marsad_model::Platform::Telegram,
            "c/9",
            "هاي السيطرة مالتنا الليلة 🌙",
        );
        item.created_at = at(23, 21);
        item.place = Some(r#"{"country_code":"IQ"}"#.into());
        item.media.push(MediaFacts {
            sha256: "b".repeat(64),
            ..Default::default()
        });
        let f = run_full(&det(), &item, Some(&soldier()), None);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].score >= 0.6, "{}", f[0].score);
        assert!(!f[0].explanation.en.contains("country_code"));
        assert_eq!(
            place_name(r#"{"full_name":"Baiji, Iraq"}"#).as_deref(),
            Some("Baiji, Iraq")
        );
    }

    #[test]
    fn profile_vocabulary_marks_personnel() {
        let terms = profile_personnel_terms(&ENGINE, "جندي بالجيش العراقي، الفرقة 14 - آمر السرية");
        assert!(!terms.is_empty());
        assert!(profile_personnel_terms(&ENGINE, "مصور ومدون من بغداد").is_empty());
    }
}
