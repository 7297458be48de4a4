//! Marsad's demo and benchmark data generator.
//!
//! [`generate`] writes a realistic multi-platform dataset into a folder, in the formats the
//! platforms themselves produce (Telegram Desktop exports, twarc2 JSON lines, TikTok Research
//! API, Rocket.Chat REST, CrowdTangle CSV, YouTube Data API v3, and a web forum in Marsad's
//! generic JSON-lines schema), with planted scenarios for
//! the detectors and a ground-truth `manifest.json` naming every planted record by its
//! natural key. See `docs/demo.md` for the layout and the scenarios.
//!
//! Guarantees:
//! - **Deterministic**: the same [`DemoConfig`] gives byte-identical files. Nothing reads the
//!   clock or iterates a hash map; every object draws from its own seeded random stream, so a
//!   format's files do not depend on which other formats are generated.
//! - **Streaming**: files are written object by object through buffered writers; memory does
//!   not grow with [`DemoConfig::scale`].
//! - **Linear scale**: background volume grows linearly with the scale (scale 1 is a few
//!   thousand items, scale 1000 millions); the planted scenarios stay the same size.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod avatars;
mod cast;
mod corpus;
mod crowdtangle;
mod forum;
mod gen;
mod out;
mod png;
mod rocketchat;
mod telegram;
mod tiktok;
mod truth;
mod twitter;
mod youtube;

pub use truth::{TruthGroup, TruthKey};

use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    /// Volume multiplier, at least 1. Scale 1 is a few thousand items; item counts grow
    /// linearly (the Telegram account export and the twarc search file are each about
    /// `scale` MB).
    pub scale: u32,
    /// Seed of every random choice.
    pub seed: u64,
    /// The formats to write; empty means all of them.
    pub formats: Vec<DemoFormat>,
}

impl Default for DemoConfig {
    fn default() -> Self {
        DemoConfig {
            scale: 1,
            seed: 20_261_001,
            formats: Vec::new(),
        }
    }
}

/// The platform export / API formats the generator writes, named by their importer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DemoFormat {
    Telegram,
    Twitter,
    Tiktok,
    Rocketchat,
    Crowdtangle,
    Youtube,
    /// A web forum (`web/forum_posts.jsonl`) in the generic JSON-lines schema.
    Forum,
}

impl DemoFormat {
    /// Every format, in the order files are written and listed.
    pub const ALL: [DemoFormat; 7] = [
        DemoFormat::Telegram,
        DemoFormat::Twitter,
        DemoFormat::Tiktok,
        DemoFormat::Rocketchat,
        DemoFormat::Crowdtangle,
        DemoFormat::Youtube,
        DemoFormat::Forum,
    ];

    /// The importer's format name (`marsad import --format NAME`).
    pub fn as_str(self) -> &'static str {
        match self {
            DemoFormat::Telegram => "telegram-desktop",
            DemoFormat::Twitter => "twitter-v2",
            DemoFormat::Tiktok => "tiktok-research",
            DemoFormat::Rocketchat => "rocketchat",
            DemoFormat::Crowdtangle => "crowdtangle",
            DemoFormat::Youtube => "youtube",
            DemoFormat::Forum => "jsonl",
        }
    }

    /// The folder its files go into.
    pub fn dir(self) -> &'static str {
        match self {
            DemoFormat::Telegram => "telegram",
            DemoFormat::Twitter => "twitter",
            DemoFormat::Tiktok => "tiktok",
            DemoFormat::Rocketchat => "rocketchat",
            DemoFormat::Crowdtangle => "crowdtangle",
            DemoFormat::Youtube => "youtube",
            DemoFormat::Forum => "web",
        }
    }
}

impl fmt::Display for DemoFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DemoFormat {
    type Err = DemoError;
    /// Accepts the importer name or the folder name (`telegram`, `twitter`/`x`, `web`/`forum`/
    /// `jsonl`, ...).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let l = s.trim().to_ascii_lowercase();
        let alias = match l.as_str() {
            "x" | "twarc" => Some(DemoFormat::Twitter),
            "rocket.chat" => Some(DemoFormat::Rocketchat),
            "forum" => Some(DemoFormat::Forum),
            _ => None,
        };
        alias
            .or_else(|| {
                DemoFormat::ALL
                    .into_iter()
                    .find(|f| f.as_str() == l || f.dir() == l)
            })
            .ok_or_else(|| {
                DemoError::Config(format!(
                    "unknown demo format {s:?} (expected one of: {})",
                    DemoFormat::ALL.map(|f| f.dir()).join(", ")
                ))
            })
    }
}

/// One file written, to be imported with `format`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DemoFile {
    /// Full path (the generation folder joined with `relative`).
    #[serde(skip)]
    pub path: PathBuf,
    /// Path relative to the generation folder, `/`-separated.
    #[serde(rename = "path")]
    pub relative: String,
    /// The importer to read it with.
    #[serde(serialize_with = "ser_format")]
    pub format: DemoFormat,
    /// Content objects in the file: Telegram messages (service messages included), tweets
    /// in `data` (referenced tweets in `includes` not counted), TikTok videos and comments,
    /// Rocket.Chat messages (system messages included), CSV rows, YouTube videos and
    /// comments (replies included), forum posts (the forum's board and member records are
    /// not counted).
    pub items: u64,
    /// Distinct accounts appearing in the file (authors, users, pages, suspended accounts
    /// named by errors, forum members).
    pub accounts: u64,
    pub bytes: u64,
}

fn ser_format<S: serde::Serializer>(f: &DemoFormat, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(f.as_str())
}

/// A planted scenario (or benign group) as summarised for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoScenario {
    pub id: &'static str,
    pub title: &'static str,
    /// `alert` or `no_alert`.
    pub expect: &'static str,
    pub platforms: Vec<marsad_model::Platform>,
    /// Number of accounts, channels and items listed for it in the manifest.
    pub keys: usize,
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub dir: PathBuf,
    /// Every importable file, in the order to import them.
    pub files: Vec<DemoFile>,
    /// The planted scenarios, then the benign groups (`expect == "no_alert"`).
    pub scenarios: Vec<DemoScenario>,
    /// The ground truth (`dir/manifest.json`).
    pub manifest: PathBuf,
    /// PNG files written next to the Telegram exports.
    pub media_files: u64,
    /// Media paths referenced by an export whose file was deliberately not written.
    pub missing_media: u64,
    /// Analyst configuration for the scenarios: watchlists and geofences (CSV).
    pub watchlists: PathBuf,
    pub geofences: PathBuf,
    /// Avatar images of X accounts (`avatars/x/<handle>.*`, for `marsad import-avatars`),
    /// when the X files were generated.
    pub avatars: Option<PathBuf>,
}

impl DemoSummary {
    pub fn total_items(&self) -> u64 {
        self.files.iter().map(|f| f.items).sum()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("invalid demo configuration: {0}")]
    Config(String),
    #[error("cannot create directory {}: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Shared state of one generation run.
pub(crate) struct Ctx<'a> {
    pub root: &'a Path,
    pub seed: u64,
    pub scale: u64,
    pub truth: truth::Truth,
    pub files: Vec<DemoFile>,
    pub media_files: u64,
    pub missing_media: u64,
    pub avatars: Option<PathBuf>,
    pub avatar_files: u64,
}

impl Ctx<'_> {
    /// Background count for a per-scale-unit `base`.
    pub fn n(&self, base: u64) -> u64 {
        base * self.scale
    }

    pub fn push(&mut self, w: out::Written, format: DemoFormat, items: u64, accounts: u64) {
        self.files.push(DemoFile {
            path: w.path,
            relative: w.rel,
            format,
            items,
            accounts,
            bytes: w.bytes,
        });
    }
}

#[derive(Serialize)]
struct Manifest<'a> {
    generator: &'static str,
    manifest_version: u32,
    seed: u64,
    scale: u32,
    base_time: &'static str,
    window_end: &'static str,
    time_note: &'static str,
    files: &'a [DemoFile],
    media_files: u64,
    missing_media: u64,
    /// Folder of avatar images (`marsad import-avatars avatars`), when written.
    #[serde(skip_serializing_if = "Option::is_none")]
    avatars: Option<&'static str>,
    #[serde(skip_serializing_if = "is_zero")]
    avatar_files: u64,
    scenarios: Vec<TruthGroup>,
    benign: Vec<TruthGroup>,
}

/// Writes the dataset into `dir` (created if missing; files of a previous run are
/// overwritten, nothing else is touched) and returns what was written.
pub fn generate(dir: &Path, cfg: &DemoConfig) -> Result<DemoSummary, DemoError> {
    if cfg.scale == 0 {
        return Err(DemoError::Config("scale must be at least 1".into()));
    }
    std::fs::create_dir_all(dir).map_err(|source| DemoError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut ctx = Ctx {
        root: dir,
        seed: cfg.seed,
        scale: u64::from(cfg.scale),
        truth: truth::Truth::default(),
        files: Vec::new(),
        media_files: 0,
        missing_media: 0,
        avatars: None,
        avatar_files: 0,
    };
    for f in DemoFormat::ALL {
        if !(cfg.formats.is_empty() || cfg.formats.contains(&f)) {
            continue;
        }
        match f {
            DemoFormat::Telegram => telegram::generate(&mut ctx)?,
            DemoFormat::Twitter => twitter::generate(&mut ctx)?,
            DemoFormat::Tiktok => tiktok::generate(&mut ctx)?,
            DemoFormat::Rocketchat => rocketchat::generate(&mut ctx)?,
            DemoFormat::Crowdtangle => crowdtangle::generate(&mut ctx)?,
            DemoFormat::Youtube => youtube::generate(&mut ctx)?,
            DemoFormat::Forum => forum::generate(&mut ctx)?,
        }
    }

    let (watchlists, geofences) = write_analyst_files(dir)?;
    let groups = ctx.truth.groups();
    let (scenarios, benign): (Vec<_>, Vec<_>) =
        groups.into_iter().partition(|g| g.expect == "alert");
    let summarise = |g: &TruthGroup| DemoScenario {
        id: g.id,
        title: g.title,
        expect: g.expect,
        platforms: g.platforms.clone(),
        keys: g.accounts.len() + g.channels.len() + g.items.len(),
    };
    let summary_scenarios = scenarios
        .iter()
        .chain(benign.iter())
        .map(summarise)
        .collect();
    let manifest = Manifest {
        generator: concat!("marsad-demo ", env!("CARGO_PKG_VERSION")),
        manifest_version: 1,
        seed: cfg.seed,
        scale: cfg.scale,
        base_time: "2026-10-01T00:00:00Z",
        window_end: "2026-10-15T00:00:00Z",
        time_note: "All times are UTC. Baghdad is UTC+3: 23:00 UTC is 02:00 in Baghdad. \
                    Telegram Desktop's `date` field is the exporting machine's local time \
                    (Baghdad); `date_unixtime` is exact.",
        files: &ctx.files,
        media_files: ctx.media_files,
        missing_media: ctx.missing_media,
        avatars: ctx.avatars.as_ref().map(|_| avatars::DIR),
        avatar_files: ctx.avatar_files,
        scenarios,
        benign,
    };
    let mut m = out::OutFile::create(dir, "manifest.json")?;
    m.json(&manifest, out::Indent::new(b"  ", 0))?;
    m.str("\n")?;
    let manifest_path = m.finish()?.path;

    Ok(DemoSummary {
        dir: dir.to_path_buf(),
        files: ctx.files,
        scenarios: summary_scenarios,
        manifest: manifest_path,
        media_files: ctx.media_files,
        missing_media: ctx.missing_media,
        watchlists,
        geofences,
        avatars: ctx.avatars,
    })
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The analyst's side of the planted scenarios (not importable data): the watchlists
/// (`analyst/watchlists.csv`: the protected blogger, the soldier's accounts as security
/// personnel, the outlet as a known extremist account) and the sensitive site near the
/// soldier's checkpoint (`analyst/geofences.csv`), in the CSV formats `marsad watch import`
/// and `marsad geofence import` read.
fn write_analyst_files(dir: &Path) -> Result<(PathBuf, PathBuf), DemoError> {
    let blogger_name = cast::BLOGGER_NAME
        .split('|')
        .next()
        .unwrap_or(cast::BLOGGER_NAME)
        .trim();
    let mut w = out::OutFile::create(dir, "analyst/watchlists.csv")?;
    w.str("list,platform,handle,names,note\n")?;
    w.str(&format!(
        "protected,,{},{blogger_name}|Rusul Kadhim,independent blogger from Basra (X)\n",
        cast::BLOGGER_X
    ))?;
    w.str(&format!(
        "protected,tiktok,{},{blogger_name},the same blogger on TikTok\n",
        cast::BLOGGER_TT
    ))?;
    w.str(&format!(
        "personnel,telegram,user{},,soldier (Telegram)\n",
        cast::SOLDIER_TG_ID
    ))?;
    w.str(&format!(
        "personnel,tiktok,@{},,soldier (TikTok)\n",
        cast::SOLDIER_TT
    ))?;
    w.str(&format!(
        "personnel,facebook,{},,soldier's page (Facebook)\n",
        cast::SOLDIER_FB_PAGE
    ))?;
    w.str("known_extremist,x,a3maq_news,,outlet-branded account\n")?;
    w.str(&format!(
        "known_extremist,telegram,channel{},,the outlet's public channel\n",
        telegram::OUTLET_ID
    ))?;
    let watch = w.finish()?.path;
    let mut g = out::OutFile::create(dir, "analyst/geofences.csv")?;
    g.str("name,lat,lon,radius_m\n")?;
    g.str(&format!(
        "Baiji checkpoints (Salah al-Din),{},{},5000\n",
        corpus::BAIJI.lat,
        corpus::BAIJI.lon
    ))?;
    let fences = g.finish()?.path;
    Ok((watch, fences))
}

#[cfg(test)]
mod tests;
