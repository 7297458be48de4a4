//! Detector configuration (a TOML file), the code of conduct (advice texts), and the
//! environment detectors share ([`Env`]: configuration, watchlists, geofences, models).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::detectors::text_classifier::TextModel;
use crate::finding::Bilingual;
use crate::watch::{Geofence, Watchlists};
use crate::DetectError;

/// The code of conduct shipped in the repository (`rules/code_of_conduct.toml`).
pub const DEFAULT_CONDUCT: &str = include_str!("../../../rules/code_of_conduct.toml");

/// Detector settings. Every field has a default; a config file overrides what it names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectConfig {
    /// Offset of the local time used for "night" from UTC, in minutes (Asia/Baghdad: +180;
    /// Iraq has kept UTC+3 all year since 2008).
    pub utc_offset_minutes: i32,
    /// Night is `[night_start_hour, night_end_hour)` local time.
    pub night_start_hour: u32,
    pub night_end_hour: u32,
    /// Text-classifier model files (absent: the detector is skipped with a notice).
    pub models: Vec<PathBuf>,
    /// A code-of-conduct TOML file replacing the built-in one.
    pub code_of_conduct: Option<PathBuf>,
    /// Smallest OPSEC risk score reported.
    pub opsec_min_score: f32,
    pub burst: BurstConfig,
}

/// `new_account_burst` settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BurstConfig {
    /// Accounts created within this many minutes of each other form a burst.
    pub window_minutes: i64,
    /// A burst needs at least this many accounts that posted flagged content.
    pub min_accounts: usize,
    /// Finding categories that count as "matching content".
    pub categories: Vec<String>,
}

impl Default for BurstConfig {
    fn default() -> Self {
        BurstConfig {
            window_minutes: 180,
            min_accounts: 10,
            categories: [
                "slogan",
                "outlet",
                "group_name",
                "glorification",
                "incitement",
                "recruitment",
                "weapons_sale",
                "classifier",
                "media_match",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

impl Default for DetectConfig {
    fn default() -> Self {
        DetectConfig {
            utc_offset_minutes: 180,
            night_start_hour: 0,
            night_end_hour: 5,
            models: Vec::new(),
            code_of_conduct: None,
            opsec_min_score: 0.5,
            burst: BurstConfig::default(),
        }
    }
}

impl DetectConfig {
    pub fn load(path: &Path) -> Result<DetectConfig, DetectError> {
        let text = std::fs::read_to_string(path).map_err(|e| DetectError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        toml::from_str(&text).map_err(|e| DetectError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }
    /// A stable fingerprint of the settings (part of detector versions).
    pub fn fingerprint(&self) -> String {
        let s = serde_json::to_string(self).unwrap_or_default();
        format!("{:08x}", xxhash_rust::xxh3::xxh3_64(s.as_bytes()) as u32)
    }
}

/// Advice texts by leak kind (`night`, `live`, `place`, `coordinates`, `exif_gps`, `geotag`,
/// `unit`, `clock_time`, `geofence`, and `general`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Conduct {
    pub title: Bilingual,
    pub advice: BTreeMap<String, Bilingual>,
}

impl Conduct {
    pub fn parse(text: &str, name: &Path) -> Result<Conduct, DetectError> {
        let c: Conduct = toml::from_str(text).map_err(|e| DetectError::Parse {
            path: name.to_path_buf(),
            message: e.to_string(),
        })?;
        if !c.advice.contains_key("general") {
            return Err(DetectError::Parse {
                path: name.to_path_buf(),
                message: "the code of conduct needs an [advice.general] entry".into(),
            });
        }
        Ok(c)
    }
    pub fn builtin() -> Result<Conduct, DetectError> {
        Conduct::parse(DEFAULT_CONDUCT, Path::new("rules/code_of_conduct.toml"))
    }
    pub fn load(path: &Path) -> Result<Conduct, DetectError> {
        let text = std::fs::read_to_string(path).map_err(|e| DetectError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Conduct::parse(&text, path)
    }
    /// The advice for the given leak kinds, `general` first, one paragraph per kind.
    pub fn advice_for(&self, kinds: &[&str]) -> Bilingual {
        let mut en = Vec::new();
        let mut ar = Vec::new();
        for k in std::iter::once("general").chain(kinds.iter().copied()) {
            if let Some(a) = self.advice.get(k) {
                if !en.contains(&a.en) {
                    en.push(a.en.clone());
                    ar.push(a.ar.clone());
                }
            }
        }
        Bilingual::new(en.join(" "), ar.join(" "))
    }
    pub fn fingerprint(&self) -> String {
        let s = serde_json::to_string(self).unwrap_or_default();
        format!("{:08x}", xxhash_rust::xxh3::xxh3_64(s.as_bytes()) as u32)
    }
}

/// What detectors share: settings, code of conduct, watchlists, geofences and models.
#[derive(Debug, Clone)]
pub struct Env {
    pub config: DetectConfig,
    pub conduct: Conduct,
    pub watch: Arc<Watchlists>,
    pub geofences: Vec<Geofence>,
    pub models: Vec<Arc<dyn TextModel>>,
}

impl Env {
    /// Defaults, no watchlists, no geofences, no models (tests).
    pub fn basic() -> Result<Env, DetectError> {
        Ok(Env {
            config: DetectConfig::default(),
            conduct: Conduct::builtin()?,
            watch: Arc::new(Watchlists::new(Vec::new())?),
            geofences: Vec::new(),
            models: Vec::new(),
        })
    }

    /// Whether a UTC time is at night in the configured local time.
    pub fn is_night(&self, t: chrono::DateTime<chrono::Utc>) -> bool {
        use chrono::Timelike;
        let local = t + chrono::Duration::minutes(i64::from(self.config.utc_offset_minutes));
        let h = local.hour();
        let (s, e) = (self.config.night_start_hour, self.config.night_end_hour);
        if s <= e {
            h >= s && h < e
        } else {
            h >= s || h < e
        }
    }

    /// Local `HH:MM` of a UTC time.
    pub fn local_clock(&self, t: chrono::DateTime<chrono::Utc>) -> String {
        let local = t + chrono::Duration::minutes(i64::from(self.config.utc_offset_minutes));
        local.format("%H:%M").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn builtin_conduct_has_every_kind() {
        let c = Conduct::builtin().unwrap();
        for k in [
            "general",
            "night",
            "live",
            "place",
            "coordinates",
            "exif_gps",
            "geotag",
            "unit",
            "clock_time",
            "geofence",
        ] {
            let a = c.advice.get(k).unwrap_or_else(|| panic!("missing {k}"));
            assert!(!a.en.is_empty() && !a.ar.is_empty(), "{k}");
        }
        let a = c.advice_for(&["night", "night"]);
        assert!(a.en.contains(&c.advice["night"].en));
    }

    #[test]
    fn night_window_in_baghdad_time() {
        let env = Env::basic().unwrap();
        // 23:00 UTC is 02:00 in Baghdad.
        assert!(env.is_night(Utc.with_ymd_and_hms(2026, 10, 4, 23, 0, 0).unwrap()));
        // 20:30 UTC is 23:30 in Baghdad: evening, not night.
        assert!(!env.is_night(Utc.with_ymd_and_hms(2026, 10, 4, 20, 30, 0).unwrap()));
        assert_eq!(
            env.local_clock(Utc.with_ymd_and_hms(2026, 10, 4, 23, 4, 0).unwrap()),
            "02:04"
        );
    }

    #[test]
    fn config_file_overrides_and_rejects_unknown() {
        let c: DetectConfig =
            toml::from_str("night_end_hour = 6\n[burst]\nmin_accounts = 3").unwrap();
        assert_eq!(c.night_end_hour, 6);
        assert_eq!(c.burst.min_accounts, 3);
        assert_eq!(c.utc_offset_minutes, 180);
        assert!(toml::from_str::<DetectConfig>("nigth_end_hour = 6").is_err());
    }
}
