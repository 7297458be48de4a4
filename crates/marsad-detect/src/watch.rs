//! Watchlists (security personnel, protected people, known extremists) and geofences
//! (sensitive sites). Names are matched through the text engine's normalizer, so Arabic
//! spelling variants, diacritics and letter stretching do not hide them.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use marsad_text::{keys, Entry, KeyOptions, Lexicon, Matcher, Stance};

use crate::DetectError;

/// The watchlists Marsad knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    /// Security personnel whose posts are checked for OPSEC leaks.
    Personnel,
    /// Journalists, bloggers and activists whose threats are escalated.
    Protected,
    /// Accounts known to belong to extremist outlets or supporters.
    KnownExtremist,
}

impl ListKind {
    pub const ALL: [ListKind; 3] = [
        ListKind::Personnel,
        ListKind::Protected,
        ListKind::KnownExtremist,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Personnel => "personnel",
            ListKind::Protected => "protected",
            ListKind::KnownExtremist => "known_extremist",
        }
    }
}

impl fmt::Display for ListKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ListKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let l = s.trim().to_ascii_lowercase().replace('-', "_");
        ListKind::ALL
            .into_iter()
            .find(|k| k.as_str() == l)
            .ok_or_else(|| {
                format!("unknown watchlist {s:?} (expected personnel, protected, known-extremist)")
            })
    }
}

/// One watchlist entry. `platform` `None` means any platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchEntry {
    pub list: ListKind,
    pub platform: Option<String>,
    /// Handle without `@` (or a platform id).
    pub handle: String,
    /// Names (Arabic and Latin script) to find in text, `|`-separated in CSV.
    #[serde(default)]
    pub names: Vec<String>,
    #[serde(default)]
    pub note: String,
}

/// Normalise a handle for lookups: without `@`, lower case.
pub fn handle_key(h: &str) -> String {
    h.trim().trim_start_matches('@').to_lowercase()
}

/// All watchlists, indexed for lookups.
#[derive(Debug)]
pub struct Watchlists {
    pub entries: Vec<WatchEntry>,
    by_handle: HashMap<String, Vec<usize>>,
    /// Names and handles of protected people as a lexicon (category `protected_person`; the
    /// note holds the entry index).
    protected: Option<Matcher>,
}

/// A protected person found in a text.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonHit {
    pub entry: usize,
    pub start: usize,
    pub end: usize,
    pub matched: String,
    pub term: String,
}

impl Watchlists {
    pub fn new(entries: Vec<WatchEntry>) -> Result<Watchlists, DetectError> {
        let mut by_handle: HashMap<String, Vec<usize>> = HashMap::new();
        let mut lex = Lexicon::default();
        for (i, e) in entries.iter().enumerate() {
            by_handle.entry(handle_key(&e.handle)).or_default().push(i);
            if e.list == ListKind::Protected {
                let mut terms: Vec<String> = e.names.clone();
                terms.push(e.handle.trim_start_matches('@').to_string());
                for t in terms.into_iter().filter(|t| t.chars().count() >= 3) {
                    lex.entries.push(Entry {
                        term: t,
                        category: "protected_person".into(),
                        weight: 1.0,
                        stance: Stance::Neutral,
                        note: i.to_string(),
                        neg_context: Vec::new(),
                        req_context: Vec::new(),
                        source: format!("watchlist:{}", e.handle),
                    });
                }
            }
        }
        let protected = if lex.entries.is_empty() {
            None
        } else {
            Some(Matcher::new(lex).map_err(|e| DetectError::Watchlist(e.to_string()))?)
        };
        Ok(Watchlists {
            entries,
            by_handle,
            protected,
        })
    }

    /// The lists an account is on, by platform and handle (or platform id).
    pub fn lists_of(&self, platform: &str, handles: &[&str]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for h in handles {
            for &i in self.by_handle.get(&handle_key(h)).into_iter().flatten() {
                let e = &self.entries[i];
                let platform_ok = e
                    .platform
                    .as_deref()
                    .is_none_or(|p| p.eq_ignore_ascii_case(platform));
                if platform_ok && !out.iter().any(|x| x == e.list.as_str()) {
                    out.push(e.list.as_str().to_string());
                }
            }
        }
        out.sort();
        out
    }

    /// Protected people named in a text (names through the normalizer, handles as `@handle`
    /// or as words) plus those in `mentions`.
    pub fn protected_in(&self, text: &str, mentions: &[String]) -> Vec<PersonHit> {
        let mut out = Vec::new();
        if let Some(m) = &self.protected {
            let k = keys(text, KeyOptions { all: false });
            for hit in m.find(text, &k) {
                if let Ok(entry) = hit.note.parse::<usize>() {
                    // A name and a handle with the same key match the same words once.
                    if out.iter().any(|h: &PersonHit| {
                        h.entry == entry && h.start < hit.end && hit.start < h.end
                    }) {
                        continue;
                    }
                    out.push(PersonHit {
                        entry,
                        start: hit.start,
                        end: hit.end,
                        matched: hit.matched,
                        term: hit.term,
                    });
                }
            }
        }
        for mention in mentions {
            for &i in self
                .by_handle
                .get(&handle_key(mention))
                .into_iter()
                .flatten()
            {
                if self.entries[i].list == ListKind::Protected && !out.iter().any(|h| h.entry == i)
                {
                    out.push(PersonHit {
                        entry: i,
                        start: 0,
                        end: 0,
                        matched: String::new(),
                        term: format!("@{}", self.entries[i].handle),
                    });
                }
            }
        }
        out
    }

    /// Protected-list entries for an account of a platform, by its handles or id.
    pub fn protected_accounts(&self, platform: &str, handles: &[&str]) -> Vec<usize> {
        let mut out = Vec::new();
        for h in handles {
            for &i in self.by_handle.get(&handle_key(h)).into_iter().flatten() {
                let e = &self.entries[i];
                if e.list == ListKind::Protected
                    && e.platform
                        .as_deref()
                        .is_none_or(|p| p.eq_ignore_ascii_case(platform))
                    && !out.contains(&i)
                {
                    out.push(i);
                }
            }
        }
        out
    }

    /// A fingerprint of the lists (part of detector versions).
    pub fn fingerprint(&self) -> String {
        let s = serde_json::to_string(&self.entries).unwrap_or_default();
        format!("{:08x}", xxhash_rust::xxh3::xxh3_64(s.as_bytes()) as u32)
    }
}

/// A sensitive site: a circle around a point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Geofence {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub radius_m: f64,
}

impl Geofence {
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("name is empty".into());
        }
        if !(-90.0..=90.0).contains(&self.lat) {
            return Err(format!("latitude {} is outside -90..90", self.lat));
        }
        if !(-180.0..=180.0).contains(&self.lon) {
            return Err(format!("longitude {} is outside -180..180", self.lon));
        }
        if !(self.radius_m > 0.0 && self.radius_m <= 1_000_000.0) {
            return Err(format!("radius {} m is not in (0, 1000 km]", self.radius_m));
        }
        Ok(())
    }
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        haversine_m(self.lat, self.lon, lat, lon) <= self.radius_m
    }
}

/// Great-circle distance in metres.
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let r = 6_371_008.8;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * r * a.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blogger() -> WatchEntry {
        WatchEntry {
            list: ListKind::Protected,
            platform: None,
            handle: "rusul_writes".into(),
            names: vec!["رسل الكاتبة".into(), "Rusul Writes".into()],
            note: String::new(),
        }
    }

    #[test]
    fn protected_names_through_the_normalizer() {
        let w = Watchlists::new(vec![blogger()]).unwrap();
        // Diacritics and tatweel do not hide the name.
        let t = "ستدفعين الثمن يا رُسُل الكـــاتبة";
        let hits = w.protected_in(t, &[]);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(&t[hits[0].start..hits[0].end], hits[0].matched);
        // The handle as written and as a mention.
        assert_eq!(w.protected_in("@Rusul_Writes you will pay", &[]).len(), 1);
        assert_eq!(w.protected_in("hello", &["RUSUL_WRITES".into()]).len(), 1);
        assert!(w.protected_in("a post about electricity", &[]).is_empty());
    }

    #[test]
    fn lists_by_platform_and_handle() {
        let mut soldier = blogger();
        soldier.list = ListKind::Personnel;
        soldier.platform = Some("tiktok".into());
        soldier.handle = "abu_haidar.14".into();
        let w = Watchlists::new(vec![blogger(), soldier]).unwrap();
        assert_eq!(w.lists_of("tiktok", &["@abu_haidar.14"]), vec!["personnel"]);
        assert!(w.lists_of("x", &["abu_haidar.14"]).is_empty());
        assert_eq!(w.lists_of("x", &["rusul_writes"]), vec!["protected"]);
        assert_eq!(
            "known-extremist".parse::<ListKind>(),
            Ok(ListKind::KnownExtremist)
        );
    }

    #[test]
    fn geofence_distance() {
        let g = Geofence {
            name: "Baiji refinery".into(),
            lat: 34.93,
            lon: 43.49,
            radius_m: 5_000.0,
        };
        assert!(g.validate().is_ok());
        assert!(g.contains(34.95, 43.50));
        assert!(!g.contains(33.34, 44.40));
        // One degree of latitude is about 111 km.
        assert!((haversine_m(0.0, 0.0, 1.0, 0.0) - 111_195.0).abs() < 100.0);
        let bad = Geofence { radius_m: 0.0, ..g };
        assert!(bad.validate().is_err());
    }
}
