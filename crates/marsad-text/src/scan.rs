//! The engine behind `marsad scan-text`: keys, lexicon matches, entities, language, stance.

use serde::Serialize;

use crate::entities::{self, Entities, Entity};
use crate::lexicon::{Lexicon, Stance};
use crate::matcher::{EngineError, Match, Matcher};
use crate::normalize::{keys, KeyOptions};

/// Options for [`Engine::scan`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanOptions {
    /// Include the normalized keys in the result (debugging).
    pub keys: bool,
}

/// The normalized keys, as shown by `--keys`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KeysOut {
    pub plain: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub joined: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skeleton: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arabizi: Option<String>,
}

/// Everything the engine says about one text (the `scan-text` output line, without `id`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScanResult {
    pub lang: &'static str,
    pub arabizi: bool,
    /// The text's overall stance from its matches: `supporter` (the group's own vocabulary),
    /// `opponent` (pejorative names, counter-speech), `news` (reporting), or `neutral`.
    pub stance: Stance,
    pub matches: Vec<Match>,
    /// Propaganda-category matches inside a reporting or counter-speech frame (a `news` or
    /// `counter_speech` match within [`FRAME_BYTES`] of them: arrest news quoting a recruitment
    /// slogan, "the so-called caliphate"): kept for explanation, not counted as propaganda.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub quoted: Vec<Quoted>,
    pub entities: Entities,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys: Option<KeysOut>,
}

impl ScanResult {
    /// Matches of one category.
    pub fn category<'a>(&'a self, category: &'a str) -> impl Iterator<Item = &'a Match> + 'a {
        self.matches.iter().filter(move |m| m.category == category)
    }
}

/// Categories that are propaganda when used, and reporting when quoted.
pub const PROPAGANDA: &[&str] = &[
    "incitement",
    "recruitment",
    "weapons_sale",
    "glorification",
    "slogan",
];

/// How close (bytes of the original text, either side) a reporting frame must be to a
/// propaganda match to mark it as quoted.
pub const FRAME_BYTES: usize = 160;

/// A match reported as quoted, with the frame that quotes it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Quoted {
    #[serde(flatten)]
    pub quoted: Match,
    /// The `news` / `counter_speech` term that frames it.
    pub frame: String,
    pub frame_start: usize,
    pub frame_end: usize,
}

/// Split propaganda-category matches that sit inside a reporting frame off into `quoted`.
fn split_quoted(matches: Vec<Match>) -> (Vec<Match>, Vec<Quoted>) {
    let frames: Vec<(usize, usize, String)> = matches
        .iter()
        .filter(|m| matches!(m.category.as_str(), "news" | "counter_speech"))
        .map(|m| (m.start, m.end, m.term.clone()))
        .collect();
    if frames.is_empty() {
        return (matches, Vec::new());
    }
    let mut kept = Vec::with_capacity(matches.len());
    let mut quoted = Vec::new();
    for m in matches {
        let frame = PROPAGANDA
            .contains(&m.category.as_str())
            .then(|| {
                frames
                    .iter()
                    .find(|(s, e, _)| *e + FRAME_BYTES >= m.start && *s <= m.end + FRAME_BYTES)
            })
            .flatten();
        match frame {
            Some((s, e, t)) => quoted.push(Quoted {
                quoted: m,
                frame: t.clone(),
                frame_start: *s,
                frame_end: *e,
            }),
            None => kept.push(m),
        }
    }
    (kept, quoted)
}

/// The text engine: compiled lexicons plus the extractors.
#[derive(Debug)]
pub struct Engine {
    matcher: Matcher,
}

impl Engine {
    /// An engine over the default lexicons.
    pub fn with_defaults() -> Result<Engine, EngineError> {
        Engine::new(Lexicon::defaults()?)
    }

    pub fn new(lexicon: Lexicon) -> Result<Engine, EngineError> {
        Ok(Engine {
            matcher: Matcher::new(lexicon)?,
        })
    }

    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Scan one text.
    pub fn scan(&self, text: &str, opts: ScanOptions) -> ScanResult {
        let k = keys(text, KeyOptions { all: false });
        let arabizi = k.arabizi_words > 0 && k.latin_words > 0 && {
            // The text-level flag: Arabizi words are a real share of the Latin words.
            k.arabizi_words * 5 >= k.latin_words || k.arabizi_words >= 2
        };
        let all = self.matcher.find(text, &k);
        let (places, matches): (Vec<Match>, Vec<Match>) =
            all.into_iter().partition(|m| m.category == "place");
        let (matches, quoted) = split_quoted(matches);
        let mut ents = entities::extract(text);
        ents.places = places
            .into_iter()
            .map(|m| Entity {
                value: m.term,
                kind: "place",
                start: m.start,
                end: m.end,
                matched: m.matched,
                lat: None,
                lon: None,
                night: false,
            })
            .collect();
        let lang = crate::lang::decide(k.signals.script, text, arabizi);
        let stance = overall_stance(&matches);
        let keys = opts.keys.then(|| KeysOut {
            plain: k.plain.text.clone(),
            joined: k.joined.as_ref().map(|x| x.text.clone()),
            skeleton: k.skeleton.as_ref().map(|x| x.text.clone()),
            arabizi: k.arabizi.as_ref().map(|x| x.text.clone()),
        });
        ScanResult {
            lang,
            arabizi,
            stance,
            matches,
            quoted,
            entities: ents,
            keys,
        }
    }
}

/// Weigh stance-bearing matches: supporter vocabulary against opponent vocabulary and
/// counter-speech, and reporting markers. Ties between supporter and the others go to the
/// others: precision over recall.
fn overall_stance(matches: &[Match]) -> Stance {
    let (mut sup, mut opp, mut news) = (0f32, 0f32, 0f32);
    for m in matches {
        match (m.stance, m.category.as_str()) {
            (_, "counter_speech") => opp += m.weight,
            (_, "news") => news += m.weight,
            (Stance::Supporter, _) => sup += m.weight,
            (Stance::Opponent, _) => opp += m.weight,
            (Stance::News, _) => news += m.weight,
            (Stance::Neutral, _) => {}
        }
    }
    if sup == 0.0 && opp == 0.0 && news == 0.0 {
        Stance::Neutral
    } else if sup > opp + news {
        Stance::Supporter
    } else if news >= opp {
        Stance::News
    } else {
        Stance::Opponent
    }
}

/// Where an engine's lexicons come from, so it can be rebuilt from the same sources.
#[derive(Debug, Clone, Default)]
pub struct LexiconSources {
    /// Include the lexicons compiled in from the repository's `lexicons/`.
    pub defaults: bool,
    /// User lexicon files, read on every (re)load.
    pub files: Vec<std::path::PathBuf>,
}

impl LexiconSources {
    /// Read every source into one lexicon.
    pub fn load(&self) -> Result<Lexicon, crate::lexicon::LexiconError> {
        let mut lex = if self.defaults {
            Lexicon::defaults()?
        } else {
            Lexicon::default()
        };
        for f in &self.files {
            lex.extend(Lexicon::load(f)?);
        }
        Ok(lex)
    }
}

/// An engine a long-running process shares between threads and reloads when analysts edit a
/// lexicon: `reload` builds a new engine from the same sources and swaps it in atomically;
/// scans in flight keep the engine they started with, and a lexicon with errors leaves the
/// current engine in place (the error says which file, line and field).
#[derive(Debug)]
pub struct SharedEngine {
    sources: LexiconSources,
    current: std::sync::RwLock<std::sync::Arc<Engine>>,
}

impl SharedEngine {
    pub fn new(sources: LexiconSources) -> Result<SharedEngine, EngineError> {
        let engine = Engine::new(sources.load()?)?;
        Ok(SharedEngine {
            sources,
            current: std::sync::RwLock::new(std::sync::Arc::new(engine)),
        })
    }

    /// The engine to scan with now.
    pub fn current(&self) -> std::sync::Arc<Engine> {
        match self.current.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Re-read the lexicon sources and swap the new engine in. Returns the number of entries.
    pub fn reload(&self) -> Result<usize, EngineError> {
        let engine = Engine::new(self.sources.load()?)?;
        let n = engine.matcher().entries().len();
        let new = std::sync::Arc::new(engine);
        match self.current.write() {
            Ok(mut g) => *g = new,
            Err(poisoned) => *poisoned.into_inner() = new,
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reload_swaps_and_keeps_the_old_engine_on_errors() {
        let dir = std::env::temp_dir().join(format!("marsad-lex-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("mine.csv");
        std::fs::write(&f, "term,category\nقناة النصر,outlet\n").unwrap();
        let shared = SharedEngine::new(LexiconSources {
            defaults: false,
            files: vec![f.clone()],
        })
        .unwrap();
        let before = shared.current();
        assert_eq!(
            before
                .scan("قناة النصر", ScanOptions::default())
                .matches
                .len(),
            1
        );
        std::fs::write(&f, "term,category\nقناة النصر,outlet\nوكالة البرق,outlet\n").unwrap();
        assert_eq!(shared.reload().unwrap(), 2);
        assert_eq!(
            shared
                .current()
                .scan("وكالة البرق", ScanOptions::default())
                .matches
                .len(),
            1
        );
        // The engine taken before the reload still works as it was.
        assert!(before
            .scan("وكالة البرق", ScanOptions::default())
            .matches
            .is_empty());
        std::fs::write(&f, "term,category\nx,Bad Category\n").unwrap();
        assert!(shared.reload().is_err());
        assert_eq!(
            shared
                .current()
                .scan("وكالة البرق", ScanOptions::default())
                .matches
                .len(),
            1,
            "a bad lexicon leaves the current engine in place"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
