//! Featurisation: hashed character n-grams of the match key (within and across word
//! boundaries), word unigrams and bigrams, and optional cheap signals from the text engine
//! (lexicon categories, the Arabizi flag, the language).
//!
//! Hashing is a fixed arithmetic function of the characters (no `HashMap`, no random state),
//! so the same text gives the same feature indices on every machine and every run.

use marsad_text::normalize::{plain_key, Key};
use serde::{Deserialize, Serialize};

/// What the featuriser extracts. Stored in the model header: a model is always applied with
/// the configuration it was trained with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureConfig {
    /// log2 of the hashed feature space (16..=24).
    pub bits: u32,
    /// Shortest character n-gram (in characters, word-boundary spaces included).
    pub char_min: u32,
    /// Longest character n-gram.
    pub char_max: u32,
    /// Character n-grams may span a space (across word boundaries); otherwise each word is
    /// padded with spaces and n-grams stay inside it (scikit-learn's `char_wb`).
    pub cross_word: bool,
    /// Longest word n-gram (0: no word features, 1: unigrams, 2: uni- and bigrams).
    pub word_max: u32,
    /// Add the text engine's signals: lexicon categories, the Arabizi flag and the language.
    pub signals: bool,
    /// Symbols of the original text the match key drops (emoji, punctuation), as unigrams
    /// and bigrams of runs (invisible characters, marks and skin tones are skipped).
    #[serde(default)]
    pub symbols: bool,
    /// Letters written apart (`ك ل ب`, `د.ا.ع.ش`): runs of 3+ one-letter words are also read
    /// as the word they spell (its character n-grams and unigram), as the text engine's
    /// joined key does for lexicons.
    #[serde(default)]
    pub join_letters: bool,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            bits: 20,
            char_min: 2,
            char_max: 5,
            cross_word: false,
            word_max: 2,
            signals: false,
            symbols: true,
            join_letters: true,
        }
    }
}

impl FeatureConfig {
    pub fn validate(&self) -> Result<(), String> {
        if !(16..=24).contains(&self.bits) {
            return Err(format!("bits must be in 16..=24, got {}", self.bits));
        }
        if self.char_min == 0 || self.char_min > self.char_max || self.char_max > 8 {
            return Err(format!(
                "character n-gram range must satisfy 1 <= min <= max <= 8, got {}..={}",
                self.char_min, self.char_max
            ));
        }
        if self.word_max > 3 {
            return Err(format!("word n-grams go up to 3, got {}", self.word_max));
        }
        Ok(())
    }

    pub fn dim(&self) -> usize {
        1usize << self.bits
    }
}

/// Where a feature came from in the match key (byte ranges of [`Key::text`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A character n-gram over key bytes `[a, b)` (padding spaces excluded).
    Char { a: usize, b: usize, n: u32 },
    /// A word n-gram over key bytes `[a, b)`.
    Word { a: usize, b: usize, n: u32 },
    /// A symbol unigram or bigram over original text bytes `[a, b)`.
    Symbol { a: usize, b: usize, n: u32 },
    /// A text-engine signal; `span` is in the original text when there is one.
    Signal {
        name: u64,
        span: Option<(usize, usize)>,
    },
}

const SEED_CHAR: u64 = 0x243F_6A88_85A3_08D3;
const SEED_WORD: u64 = 0x1319_8A2E_0370_7344;
const SEED_SIGNAL: u64 = 0xA409_3822_299F_31D0;
const SEED_SYMBOL: u64 = 0x082E_FA98_EC4E_6C89;
const K: u64 = 0x9E37_79B9_7F4A_7C15;

#[inline]
fn mix(h: u64, x: u64) -> u64 {
    (h ^ x).wrapping_mul(K).rotate_left(29)
}

/// MurmurHash3's 64-bit finaliser.
#[inline]
fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    h
}

/// The hash of a string under a seed (signals, tests).
pub fn hash_str(seed: u64, s: &str) -> u64 {
    let mut h = seed;
    for c in s.chars() {
        h = mix(h, c as u64);
    }
    finish(mix(h, s.len() as u64))
}

/// Reusable buffers for featurising many texts without allocating per text.
#[derive(Debug, Default)]
pub struct Scratch {
    chars: Vec<(char, u32)>,
    words: Vec<(usize, usize, u64)>,
    letters: Vec<(usize, usize, Option<char>)>,
}

/// The match key and every feature index of `text` (with repeats), each with its origin.
pub fn featurize<F: FnMut(u32, Origin)>(
    cfg: &FeatureConfig,
    text: &str,
    engine: Option<&marsad_text::Engine>,
    scratch: &mut Scratch,
    mut emit: F,
) -> Key {
    let key = plain_key(text);
    let shift = 64 - cfg.bits;
    let idx = |h: u64| (finish(h) >> shift) as u32;
    let s = key.text.as_str();
    let len = s.len() as u32;

    // Characters with their key byte offsets, padded with a boundary space at both ends.
    let chars = &mut scratch.chars;
    chars.clear();
    chars.push((' ', u32::MAX));
    chars.extend(s.char_indices().map(|(i, c)| (c, i as u32)));
    chars.push((' ', u32::MAX));
    let (nmin, nmax) = (cfg.char_min as usize, cfg.char_max as usize);
    if cfg.cross_word {
        for i in 0..chars.len() {
            let mut h = SEED_CHAR;
            for n in 1..=nmax {
                let Some(&(c, _)) = chars.get(i + n - 1) else {
                    break;
                };
                h = mix(h, c as u64);
                if n >= nmin {
                    let (a, b) = span_of(chars, i, i + n, len);
                    emit(idx(mix(h, n as u64)), Origin::Char { a, b, n: n as u32 });
                }
            }
        }
    } else {
        // Per word, padded: " word ".
        let mut start = 1;
        while start < chars.len() - 1 {
            let mut stop = start;
            while stop < chars.len() - 1 && chars[stop].0 != ' ' {
                stop += 1;
            }
            if stop > start {
                let from = start - 1;
                let to = stop + 1; // exclusive, includes the boundary
                for i in from..to {
                    let mut h = SEED_CHAR;
                    for n in 1..=nmax {
                        if i + n > to {
                            break;
                        }
                        let c = if i + n - 1 == from || i + n - 1 == stop {
                            ' '
                        } else {
                            chars[i + n - 1].0
                        };
                        h = mix(h, c as u64);
                        if n >= nmin {
                            let (a, b) = span_of(chars, i, i + n, len);
                            emit(idx(mix(h, n as u64)), Origin::Char { a, b, n: n as u32 });
                        }
                    }
                }
            }
            start = stop + 1;
        }
    }

    if cfg.word_max > 0 {
        let words = &mut scratch.words;
        words.clear();
        let mut at = 0;
        for w in s.split(' ') {
            if !w.is_empty() {
                words.push((at, at + w.len(), hash_str(SEED_WORD, w)));
            }
            at += w.len() + 1;
        }
        for i in 0..words.len() {
            let mut h = SEED_WORD;
            for n in 1..=cfg.word_max as usize {
                let Some(&(_, b, wh)) = words.get(i + n - 1) else {
                    break;
                };
                h = mix(h, wh);
                emit(
                    idx(mix(h, 0x100 + n as u64)),
                    Origin::Word {
                        a: words[i].0,
                        b,
                        n: n as u32,
                    },
                );
            }
        }
    }

    if cfg.join_letters {
        let letters = &mut scratch.letters;
        letters.clear();
        let mut at = 0;
        for w in s.split(' ') {
            if !w.is_empty() {
                let mut it = w.chars();
                let single = match (it.next(), it.next()) {
                    (Some(c), None) if c.is_alphabetic() => Some(c),
                    _ => None,
                };
                letters.push((at, at + w.len(), single));
            }
            at += w.len() + 1;
        }
        let mut i = 0;
        while i < letters.len() {
            let mut j = i;
            while j < letters.len() && letters[j].2.is_some() {
                j += 1;
            }
            if j - i >= 3 {
                emit_joined(cfg, &letters[i..j], &mut emit);
            }
            i = j.max(i + 1);
        }
    }

    if cfg.symbols {
        // Runs of one symbol count once: "!!!" is "!", "😂😂😂" is "😂".
        let mut prev: Option<(char, usize, usize)> = None;
        for (i, c) in text.char_indices() {
            if !is_symbol(c) {
                if !c.is_whitespace() && !is_invisible(c) {
                    prev = None;
                }
                continue;
            }
            let end = i + c.len_utf8();
            match prev {
                Some((p, a, _)) if p == c => prev = Some((p, a, end)),
                _ => {
                    let h1 = mix(SEED_SYMBOL, c as u64);
                    emit(idx(h1), Origin::Symbol { a: i, b: end, n: 1 });
                    if let Some((p, a, _)) = prev {
                        let h2 = mix(mix(SEED_SYMBOL ^ 2, p as u64), c as u64);
                        emit(idx(h2), Origin::Symbol { a, b: end, n: 2 });
                    }
                    prev = Some((c, i, end));
                }
            }
        }
    }

    if cfg.signals {
        if let Some(engine) = engine {
            let r = engine.scan(text, marsad_text::ScanOptions::default());
            for m in &r.matches {
                let name = hash_str(SEED_SIGNAL, &format!("lex:{}", m.category));
                emit(
                    idx(name),
                    Origin::Signal {
                        name,
                        span: Some((m.start, m.end)),
                    },
                );
            }
            if r.arabizi {
                let name = hash_str(SEED_SIGNAL, "flag:arabizi");
                emit(idx(name), Origin::Signal { name, span: None });
            }
            let name = hash_str(SEED_SIGNAL, &format!("lang:{}", r.lang));
            emit(idx(name), Origin::Signal { name, span: None });
        }
    }
    key
}

/// Features of a run of one-letter words read as one word: the same hashes the word would
/// get written normally (padded character n-grams, unigram).
fn emit_joined<F: FnMut(u32, Origin)>(
    cfg: &FeatureConfig,
    run: &[(usize, usize, Option<char>)],
    emit: &mut F,
) {
    let shift = 64 - cfg.bits;
    let idx = |h: u64| (finish(h) >> shift) as u32;
    let len = run.len();
    // Padded positions 0..=len+1; position k in 1..=len is run[k - 1].
    let ch = |k: usize| -> char {
        if k == 0 || k > len {
            ' '
        } else {
            run[k - 1].2.unwrap_or(' ')
        }
    };
    let span = |i: usize, j: usize| -> (usize, usize) {
        // Real letters among padded positions [i, j).
        let first = i.max(1);
        let last = j.min(len + 1);
        if first >= last {
            return (0, 0);
        }
        (run[first - 1].0, run[last - 2].1)
    };
    let (nmin, nmax) = (cfg.char_min as usize, cfg.char_max as usize);
    for i in 0..len + 2 {
        let mut h = SEED_CHAR;
        for n in 1..=nmax {
            if i + n > len + 2 {
                break;
            }
            h = mix(h, ch(i + n - 1) as u64);
            if n >= nmin {
                let (a, b) = span(i, i + n);
                emit(idx(mix(h, n as u64)), Origin::Char { a, b, n: n as u32 });
            }
        }
    }
    if cfg.word_max > 0 {
        let word: String = run.iter().filter_map(|x| x.2).collect();
        let h = mix(SEED_WORD, hash_str(SEED_WORD, &word));
        emit(
            idx(mix(h, 0x101)),
            Origin::Word {
                a: run[0].0,
                b: run[len - 1].1,
                n: 1,
            },
        );
    }
}

/// Marks, invisible format characters, variation selectors and skin-tone modifiers: evasion
/// noise, never a feature.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06ED}'
        | '\u{00AD}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}'
        | '\u{1F3FB}'..='\u{1F3FF}'
        | '\u{E0000}'..='\u{E007F}')
}

/// A visible symbol the match key does not keep: emoji, pictographs, punctuation.
fn is_symbol(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation() && !matches!(c, '@' | '#' | '_');
    }
    if ('\u{0600}'..='\u{06FF}').contains(&c) {
        // Arabic punctuation only (، ؛ ؟ ٪ ۔ ٭); letters, digits and marks are not symbols.
        return matches!(
            c,
            '\u{060C}' | '\u{061B}' | '\u{061F}' | '\u{066A}' | '\u{066D}' | '\u{06D4}'
        );
    }
    !c.is_alphanumeric()
        && !c.is_whitespace()
        && !c.is_control()
        && !is_invisible(c)
        && !matches!(c, '@' | '#' | '_' | '\u{0640}')
}

/// Key byte range of chars `[i, j)`, leaving out padding and spaces at either end.
fn span_of(chars: &[(char, u32)], i: usize, j: usize, len: u32) -> (usize, usize) {
    let mut a = i;
    while a < j && (chars[a].1 == u32::MAX || chars[a].0 == ' ') {
        a += 1;
    }
    let mut b = j;
    while b > a && (chars[b - 1].1 == u32::MAX || chars[b - 1].0 == ' ') {
        b -= 1;
    }
    if a >= b {
        return (0, 0);
    }
    // End byte of the last char: where the next one starts (padding has none).
    let end = match chars.get(b) {
        Some(&(_, off)) if off != u32::MAX => off,
        _ => len,
    };
    (chars[a].1 as usize, end as usize)
}

/// Signal names the featuriser can produce, for explanations.
pub fn signal_names() -> Vec<(u64, String)> {
    let mut out = Vec::new();
    for c in marsad_text::lexicon::CATEGORIES {
        let n = format!("lex:{c}");
        out.push((hash_str(SEED_SIGNAL, &n), n));
    }
    out.push((
        hash_str(SEED_SIGNAL, "flag:arabizi"),
        "flag:arabizi".to_string(),
    ));
    for l in ["ar", "en", "fa", "ku", "other"] {
        let n = format!("lang:{l}");
        out.push((hash_str(SEED_SIGNAL, &n), n));
    }
    out
}

/// Term counts of one text: sorted unique feature indices with their counts.
pub fn counts(
    cfg: &FeatureConfig,
    text: &str,
    engine: Option<&marsad_text::Engine>,
    scratch: &mut Scratch,
    raw: &mut Vec<u32>,
    out: &mut Vec<(u32, u32)>,
) {
    raw.clear();
    featurize(cfg, text, engine, scratch, |i, _| raw.push(i));
    raw.sort_unstable();
    out.clear();
    for &i in raw.iter() {
        match out.last_mut() {
            Some((j, n)) if *j == i => *n += 1,
            _ => out.push((i, 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(cfg: &FeatureConfig, text: &str) -> Vec<(u32, Origin)> {
        let mut v = Vec::new();
        featurize(cfg, text, None, &mut Scratch::default(), |i, o| {
            v.push((i, o))
        });
        v
    }

    #[test]
    fn hashes_are_fixed() {
        // A changed hash silently invalidates every saved model: pin it.
        assert_eq!(hash_str(SEED_WORD, "كلب"), hash_str(SEED_WORD, "كلب"));
        assert_eq!(
            hash_str(0, "ab"),
            0xd753_0092_dedd_99db,
            "{:#x}",
            hash_str(0, "ab")
        );
    }

    #[test]
    fn same_text_same_features() {
        let cfg = FeatureConfig::default();
        assert_eq!(all(&cfg, "يا كلب انت"), all(&cfg, "يا كلب انت"));
        // Normalization first: tatweel and diacritics do not change the features.
        let a: Vec<u32> = all(&cfg, "يا كلب").iter().map(|x| x.0).collect();
        let b: Vec<u32> = all(&cfg, "يـا كَلْـب").iter().map(|x| x.0).collect();
        assert_eq!(a, b);
    }

    #[test]
    fn char_ngram_boundaries() {
        let cfg = FeatureConfig {
            word_max: 0,
            char_min: 2,
            char_max: 3,
            cross_word: true,
            symbols: false,
            ..FeatureConfig::default()
        };
        let key = plain_key("ab cd").text;
        assert_eq!(key, "ab cd");
        let grams: Vec<String> = all(&cfg, "ab cd")
            .iter()
            .map(|(_, o)| match *o {
                Origin::Char { a, b, .. } => key[a..b].to_string(),
                _ => unreachable!(),
            })
            .collect();
        // " ab cd " : 2-grams " a","ab","b "," c","cd","d " ; 3-grams " ab","ab ","b c"," cd","cd "
        assert_eq!(grams.len(), 6 + 5);
        assert!(grams.contains(&"b c".to_string()), "{grams:?}");
        // Padding is not part of a span: " a" covers only "a".
        assert_eq!(grams[0], "a");

        let wb = FeatureConfig {
            cross_word: false,
            ..cfg
        };
        let grams: Vec<String> = all(&wb, "ab cd")
            .iter()
            .map(|(_, o)| match *o {
                Origin::Char { a, b, .. } => key[a..b].to_string(),
                _ => unreachable!(),
            })
            .collect();
        // per word " ab ": " a","ab","b "," ab","ab " = 5, twice.
        assert_eq!(grams.len(), 10, "{grams:?}");
        assert!(!grams.iter().any(|g| g.contains(' ')), "{grams:?}");
    }

    #[test]
    fn word_ngrams() {
        let cfg = FeatureConfig {
            char_min: 8,
            char_max: 8,
            word_max: 2,
            ..FeatureConfig::default()
        };
        let key = plain_key("one two three").text;
        let words: Vec<&str> = all(&cfg, "one two three")
            .iter()
            .filter_map(|(_, o)| match *o {
                Origin::Word { a, b, .. } => Some(&key[a..b]),
                _ => None,
            })
            .collect();
        assert_eq!(words, ["one", "one two", "two", "two three", "three"]);
    }

    #[test]
    fn letters_written_apart_are_read_as_their_word() {
        // Unigrams only: the bigram "يا كلب" is not rebuilt.
        let cfg = FeatureConfig {
            word_max: 1,
            ..FeatureConfig::default()
        };
        let ids = |t: &str| -> std::collections::BTreeSet<u32> {
            all(&cfg, t).iter().map(|x| x.0).collect()
        };
        let word = ids("يا كلب");
        for spaced in ["يا ك ل ب", "يا ك.ل.ب"] {
            let got = ids(spaced);
            assert!(
                word.is_subset(&got),
                "{spaced}: {:?}",
                word.difference(&got)
            );
        }
        // Two letters apart are not a word.
        let two = ids("يا ك ل");
        assert!(!ids("كل").is_subset(&two));
        // The joined features point at the letters as written.
        let text = "يا ك.ل.ب";
        let key = plain_key(text);
        let w = all(&cfg, text)
            .into_iter()
            .find_map(|(_, o)| match o {
                Origin::Word { a, b, .. } if key.text[a..b].contains(' ') => Some((a, b)),
                _ => None,
            })
            .unwrap();
        let (a, b) = key.original_span(w.0, w.1).unwrap();
        assert_eq!(&text[a..b], "ك.ل.ب");
    }

    #[test]
    fn counts_are_sorted_and_unique() {
        let cfg = FeatureConfig::default();
        let (mut raw, mut out) = (Vec::new(), Vec::new());
        counts(
            &cfg,
            "ها ها ها",
            None,
            &mut Scratch::default(),
            &mut raw,
            &mut out,
        );
        assert!(out.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(out.iter().map(|x| x.1 as usize).sum::<usize>(), raw.len());
        assert!(out.iter().any(|x| x.1 >= 3));
    }
}
