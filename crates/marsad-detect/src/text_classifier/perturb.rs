//! Evasion perturbations for robustness evaluation (`marsad eval --perturb`): the tactics of
//! the text engine's evasion suite, applied to words of a text, deterministic given a seed.

use serde::Serialize;

/// One evasion tactic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tactic {
    /// Tatweel (ـ) inside Arabic words: كـلـب.
    Tatweel,
    /// Harakat on letters: كَلْب.
    Diacritics,
    /// Letters separated by spaces or dots: ك ل ب, د.ا.ع.ش.
    Separators,
    /// One letter repeated: كلللب.
    Repetition,
    /// Persian look-alikes: ک for ك, ی for ي.
    Persian,
    /// Zero-width characters inside words (ZWSP, ZWNJ, ZWJ, word joiner).
    ZeroWidth,
    /// Cyrillic/Greek homoglyphs in Latin words, and Arabic presentation forms / dotless
    /// shapes where the engine folds them (ٮ for ب, ں for ن at the end, ى for final ي).
    Homoglyphs,
}

pub const ALL: &[Tactic] = &[
    Tactic::Tatweel,
    Tactic::Diacritics,
    Tactic::Separators,
    Tactic::Repetition,
    Tactic::Persian,
    Tactic::ZeroWidth,
    Tactic::Homoglyphs,
];

impl Tactic {
    pub fn name(self) -> &'static str {
        match self {
            Tactic::Tatweel => "tatweel",
            Tactic::Diacritics => "diacritics",
            Tactic::Separators => "separators",
            Tactic::Repetition => "repetition",
            Tactic::Persian => "persian",
            Tactic::ZeroWidth => "zero_width",
            Tactic::Homoglyphs => "homoglyphs",
        }
    }
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

fn is_arabic_letter(c: char) -> bool {
    ('\u{0621}'..='\u{064A}').contains(&c) && c != '\u{0640}'
}

const HARAKAT: &[char] = &[
    '\u{064E}', '\u{064F}', '\u{0650}', '\u{0652}', '\u{0651}', '\u{064B}',
];
const ZERO_WIDTH: &[char] = &['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}'];

fn latin_homoglyph(c: char) -> Option<char> {
    Some(match c {
        'a' => 'а',
        'e' => 'е',
        'o' => 'о',
        'p' => 'р',
        'c' => 'с',
        'x' => 'х',
        'i' => 'і',
        _ => return None,
    })
}

/// Apply `tactic` to one word (a run of letters). Returns the new word.
fn apply_word(word: &[char], tactic: Tactic, rng: &mut Rng) -> String {
    let n = word.len();
    let mut out = String::new();
    let arabic = word.iter().any(|c| is_arabic_letter(*c));
    match tactic {
        Tactic::Tatweel => {
            for (i, c) in word.iter().enumerate() {
                out.push(*c);
                // Tatweel only after letters that join to the left.
                if arabic && i + 1 < n && !"اأإآدذرزوؤءة".contains(*c) && rng.chance(0.6)
                {
                    for _ in 0..1 + rng.below(3) {
                        out.push('\u{0640}');
                    }
                }
            }
        }
        Tactic::Diacritics => {
            for c in word {
                out.push(*c);
                if is_arabic_letter(*c) && rng.chance(0.7) {
                    out.push(HARAKAT[rng.below(HARAKAT.len())]);
                }
            }
        }
        Tactic::Separators => {
            let sep = if rng.chance(0.5) { ' ' } else { '.' };
            for (i, c) in word.iter().enumerate() {
                if i > 0 {
                    out.push(sep);
                }
                out.push(*c);
            }
        }
        Tactic::Repetition => {
            let at = rng.below(n);
            for (i, c) in word.iter().enumerate() {
                out.push(*c);
                if i == at {
                    for _ in 0..2 + rng.below(3) {
                        out.push(*c);
                    }
                }
            }
        }
        Tactic::Persian => {
            for c in word {
                out.push(match c {
                    'ك' => 'ک',
                    'ي' => 'ی',
                    'ى' => 'ی',
                    _ => *c,
                });
            }
        }
        Tactic::ZeroWidth => {
            for (i, c) in word.iter().enumerate() {
                out.push(*c);
                if i + 1 < n && rng.chance(0.5) {
                    out.push(ZERO_WIDTH[rng.below(ZERO_WIDTH.len())]);
                }
            }
        }
        Tactic::Homoglyphs => {
            for (i, c) in word.iter().enumerate() {
                let last = i + 1 == n;
                let r = match *c {
                    // Dotless and presentation shapes the match key folds back.
                    'ي' if last => 'ى',
                    'ن' if last => 'ں',
                    'ه' if last => 'ة',
                    'ه' => 'ﻫ',
                    'ك' => 'ﻛ',
                    'ل' => 'ﻟ',
                    'a'..='z' => latin_homoglyph(*c)
                        .filter(|_| rng.chance(0.7))
                        .unwrap_or(*c),
                    _ => *c,
                };
                out.push(r);
            }
        }
    }
    out
}

/// Perturb `text`: each word of 3+ letters is changed with probability `rate`, by `tactic`
/// or (when `None`) a tactic drawn at random. Deterministic given `seed`.
pub fn perturb(text: &str, tactic: Option<Tactic>, rate: f64, seed: u64) -> String {
    let mut rng = Rng(seed ^ 0x6A09_E667_F3BC_C909);
    let mut out = String::with_capacity(text.len() * 2);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_alphabetic() {
            let mut j = i;
            while j < chars.len() && chars[j].is_alphabetic() {
                j += 1;
            }
            let word = &chars[i..j];
            if word.len() >= 3 && rng.chance(rate) {
                let t = tactic.unwrap_or_else(|| ALL[rng.below(ALL.len())]);
                out.push_str(&apply_word(word, t, &mut rng));
            } else {
                out.extend(word);
            }
            i = j;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_changes_text() {
        let t = "يا كلب يا حمار انت مجرم";
        for &tac in ALL {
            let a = perturb(t, Some(tac), 1.0, 3);
            assert_eq!(a, perturb(t, Some(tac), 1.0, 3));
            assert_ne!(a, t, "{tac:?}");
        }
        assert_eq!(perturb(t, None, 0.0, 1), t);
    }

    #[test]
    fn folding_tactics_keep_the_match_key() {
        // Tactics the normalizer is built to undo leave the match key as it was.
        let t = "يا كلب يا حمار انت مجرم";
        let key = marsad_text::match_key(t);
        for tac in [
            Tactic::Tatweel,
            Tactic::Diacritics,
            Tactic::Repetition,
            Tactic::Persian,
            Tactic::ZeroWidth,
        ] {
            let p = perturb(t, Some(tac), 1.0, 9);
            assert_eq!(marsad_text::match_key(&p), key, "{tac:?}: {p}");
        }
    }
}
