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
        let lang = crate::lang::identify(text, arabizi);
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
