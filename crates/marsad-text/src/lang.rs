//! Language identification: Arabic, English, Persian, Kurdish or other, plus the Arabizi flag.
//!
//! Script decides first (it is exact and cheap): Kurdish (Sorani) and Persian have letters
//! Arabic does not use; Arabic-script text with Persian letters but no Kurdish ones is given to
//! `lingua` restricted to Arabic, Persian and Urdu. Latin-script text is Arabizi when the
//! Arabizi detector says so, otherwise `lingua` (restricted to English and the Latin-script
//! languages most often confused with it) decides whether it is English; Kurmanji Kurdish is
//! recognised by its letters.

use std::sync::OnceLock;

use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};

/// Language codes this module returns.
pub const LANGS: &[&str] = &["ar", "en", "fa", "ku", "other"];

fn latin_detector() -> &'static LanguageDetector {
    static D: OnceLock<LanguageDetector> = OnceLock::new();
    D.get_or_init(|| {
        LanguageDetectorBuilder::from_languages(&[
            Language::English,
            Language::French,
            Language::German,
            Language::Spanish,
            Language::Turkish,
        ])
        .with_low_accuracy_mode()
        .build()
    })
}

fn arabic_script_detector() -> &'static LanguageDetector {
    static D: OnceLock<LanguageDetector> = OnceLock::new();
    D.get_or_init(|| {
        LanguageDetectorBuilder::from_languages(&[
            Language::Arabic,
            Language::Persian,
            Language::Urdu,
        ])
        .with_low_accuracy_mode()
        .build()
    })
}

/// Letters Sorani Kurdish uses and Arabic and Persian do not.
fn is_kurdish_letter(c: char) -> bool {
    matches!(c, 'ڕ' | 'ڵ' | 'ۆ' | 'ێ' | 'ە' | 'ڤ' | 'ۊ')
}

/// Letters Persian (and Urdu, Kurdish) use and Arabic does not. Not گ and چ: Iraqi and Gulf
/// Arabic write them for g and ch, while Persian text is never without ی.
fn is_persian_letter(c: char) -> bool {
    matches!(c, 'پ' | 'ژ' | 'ی' | 'ک')
}

/// At most this many bytes of a text are given to `lingua` (its cost grows with the text; the
/// start of a post decides its language as well as the whole).
const LINGUA_BYTES: usize = 1024;

fn head(text: &str) -> &str {
    if text.len() <= LINGUA_BYTES {
        return text;
    }
    let mut end = LINGUA_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Persian words Arabic does not use (function words and the most frequent verbs).
const PERSIAN_WORDS: &[&str] = &[
    "است",
    "این",
    "که",
    "را",
    "از",
    "در",
    "برای",
    "یک",
    "می",
    "های",
    "آن",
    "نیست",
    "هست",
    "شد",
    "کرد",
    "بود",
    "شده",
    "کند",
    "میشود",
    "ایران",
    "اینکه",
    "چه",
    "هیچ",
    "خود",
];

/// Arabic function words Persian does not use (also as typed on Persian keyboards).
const ARABIC_WORDS: &[&str] = &[
    "في",
    "فی",
    "على",
    "علی",
    "الى",
    "إلى",
    "الی",
    "إلی",
    "عن",
    "هذا",
    "هذه",
    "التي",
    "الذي",
    "الله",
    "كان",
    "قد",
    "لم",
    "لن",
    "انا",
    "أنا",
    "انت",
    "أنت",
    "هو",
    "هي",
    "هی",
    "لا",
    "مع",
    "اللي",
    "الي",
    "ليش",
    "شنو",
    "هاي",
    "هواي",
    "والله",
    "يا",
];

/// Letters Urdu uses and Arabic and Persian do not.
fn is_urdu_letter(c: char) -> bool {
    matches!(c, 'ٹ' | 'ڈ' | 'ڑ' | 'ں' | 'ے' | 'ھ')
}

/// Is the word at `start` a handle or a link (not language)?
fn is_handle_or_link(text: &str, start: usize, word: &str) -> bool {
    let before = text.get(..start).and_then(|t| t.chars().next_back());
    matches!(
        before,
        Some('@' | '#' | '/' | '.' | ':' | '=' | '?' | '&' | '_')
    ) || word.eq_ignore_ascii_case("http")
        || word.eq_ignore_ascii_case("https")
        || word.eq_ignore_ascii_case("www")
}

/// Words of `text` (runs of letters) with their byte offsets, at most `max` of them.
fn words(text: &str, max: usize) -> impl Iterator<Item = (usize, &str)> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
        .take(max)
}

/// Letter counts per script, the input of the language decision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScriptCounts {
    /// Arabic-script letters (Arabic block and presentation forms).
    pub arabic: u32,
    /// Latin letters outside handles, links and hashtags.
    pub latin: u32,
    /// Sorani Kurdish letters ([`is_kurdish_letter`]).
    pub kurdish: u32,
    /// Persian letters (پ ژ ی ک).
    pub persian: u32,
    /// Urdu letters.
    pub urdu: u32,
    /// Kurmanji Kurdish letters (ê î û).
    pub kurmanji: u32,
}

/// Counts [`ScriptCounts`] one character at a time, so the normalizer can count in its own
/// pass over the text. Tokens are runs of non-white-space; the Latin letters of a token that
/// is a handle (`@`), a hashtag (`#`) or a link (`www.`, `://`) are not language and are not
/// counted.
#[derive(Debug, Clone, Default)]
pub struct ScriptCounter {
    counts: ScriptCounts,
    in_token: bool,
    link: bool,
    token_latin: u32,
}

impl ScriptCounter {
    /// Count `c`, the character at byte `at` of `text`.
    #[inline]
    pub fn push(&mut self, c: char, text: &str, at: usize) {
        if c.is_ascii() {
            if c.is_ascii_alphabetic() {
                self.token_start(c, text, at);
                self.latin();
            } else if c.is_ascii_whitespace() {
                self.in_token = false;
            } else {
                self.token_start(c, text, at);
                if c == ':' && !self.link && text.as_bytes().get(at..at + 3) == Some(b"://") {
                    self.link = true;
                    self.counts.latin -= self.token_latin;
                }
            }
            return;
        }
        if ('\u{0620}'..='\u{064A}').contains(&c) {
            // The common Arabic letters (the hot path): none is Kurdish, Persian or Urdu only.
            self.token_start(c, text, at);
            self.counts.arabic += 1;
            return;
        }
        if c.is_whitespace() {
            self.in_token = false;
            return;
        }
        self.token_start(c, text, at);
        if ('\u{0600}'..='\u{06FF}').contains(&c) || ('\u{FB50}'..='\u{FEFF}').contains(&c) {
            if crate::chars::is_arabic_letter(c) || (c >= '\u{FB50}' && c.is_alphabetic()) {
                self.counts.arabic += 1;
                if is_kurdish_letter(c) {
                    self.counts.kurdish += 1;
                } else if is_persian_letter(c) {
                    self.counts.persian += 1;
                } else if is_urdu_letter(c) {
                    self.counts.urdu += 1;
                }
            }
        } else if matches!(c, 'ê' | 'î' | 'û' | 'Ê' | 'Î' | 'Û') {
            self.counts.kurmanji += 1;
            self.latin();
        } else if crate::chars::is_latin_letter(c) {
            self.latin();
        }
    }

    #[inline]
    fn token_start(&mut self, c: char, text: &str, at: usize) {
        if !self.in_token {
            self.in_token = true;
            self.token_latin = 0;
            self.link = c == '@'
                || c == '#'
                || text
                    .as_bytes()
                    .get(at..at + 4)
                    .is_some_and(|p| p.eq_ignore_ascii_case(b"www."));
        }
    }

    #[inline]
    fn latin(&mut self) {
        if !self.link {
            self.counts.latin += 1;
            self.token_latin += 1;
        }
    }

    pub fn counts(&self) -> ScriptCounts {
        self.counts
    }
}

impl ScriptCounts {
    /// Count the letters of `text`.
    pub fn of(text: &str) -> ScriptCounts {
        let mut counter = ScriptCounter::default();
        for (i, c) in text.char_indices() {
            counter.push(c, text, i);
        }
        counter.counts()
    }
}

/// Identify the language of `text`. `arabizi` is the Arabizi detector's verdict on it.
pub fn identify(text: &str, arabizi: bool) -> &'static str {
    decide(ScriptCounts::of(text), text, arabizi)
}

/// The language of `text` from its letter counts (see [`ScriptCounts::of`]).
pub fn decide(counts: ScriptCounts, text: &str, arabizi: bool) -> &'static str {
    let ScriptCounts {
        arabic,
        latin,
        kurdish,
        persian,
        urdu,
        kurmanji,
    } = counts;
    if arabic == 0 && latin == 0 {
        return "other";
    }
    if arabic >= latin {
        // Sorani writes ە for every e, so Kurdish letters are frequent in Kurdish text; one ە in
        // an Arabic post is the Persian-letter evasion, not Kurdish.
        if kurdish >= 2 && kurdish * 15 >= arabic {
            return "ku";
        }
        // A stray ک or ی (some keyboards type them in Arabic) does not make a text Persian.
        if persian < 2 || persian * 40 < arabic {
            return "ar";
        }
        // Function words decide most posts; lingua only sees the undecided ones.
        let (mut fa, mut ar) = (0u32, 0u32);
        for (_, w) in words(text, 80) {
            fa += u32::from(PERSIAN_WORDS.contains(&w));
            ar += u32::from(ARABIC_WORDS.contains(&w));
        }
        if urdu < 2 {
            if fa >= 2 && fa >= ar * 3 {
                return "fa";
            }
            if ar >= 2 && fa == 0 {
                return "ar";
            }
        }
        return match arabic_script_detector().detect_language_of(head(text)) {
            Some(Language::Persian) => "fa",
            Some(Language::Urdu) => "other",
            _ => "ar",
        };
    }
    if arabizi {
        return "ar";
    }
    if latin < 3 {
        return "other";
    }
    // Cheap first: English function words decide most English posts without lingua, and a
    // post with fewer than three Latin words (handles and links not counted) is too short for
    // any detector to tell.
    let (mut n, mut function) = (0u32, 0u32);
    for (start, w) in words(text, 200) {
        if !w.chars().all(crate::chars::is_latin_letter) || is_handle_or_link(text, start, w) {
            continue;
        }
        n += 1;
        if crate::arabizi::is_english_function_word(&w.to_ascii_lowercase()) {
            function += 1;
        }
    }
    if n < 3 {
        return "other";
    }
    if function >= 2 && function * 5 >= n && kurmanji == 0 {
        return "en";
    }
    match latin_detector().detect_language_of(head(text)) {
        Some(Language::English) => "en",
        Some(Language::Turkish) | Some(Language::French) if kurmanji < 3 => "other",
        _ if kurmanji >= 2 => "ku",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_languages() {
        assert_eq!(identify("الدولة الإسلامية في العراق", false), "ar");
        assert_eq!(
            identify(
                "The police arrested three suspects in Mosul yesterday",
                false
            ),
            "en"
        );
        assert_eq!(
            identify("این یک متن فارسی است که درباره گروه داعش نوشته شده", false),
            "fa"
        );
        assert_eq!(
            identify("ئەم دەقە بە زمانی کوردی نووسراوە لە هەولێر", false),
            "ku"
        );
        assert_eq!(identify("wallah el dawla baqiya", true), "ar");
        assert_eq!(
            identify(
                "Der Anschlag wurde gestern verübt und die Polizei ermittelt",
                false
            ),
            "other"
        );
        assert_eq!(identify("12345 !!!", false), "other");
        // Handles and links are not language: an Arabic post full of them stays Arabic.
        assert_eq!(
            identify("@USER @USER @USER هلا والله https://t.co/AbCdEf", false),
            "ar"
        );
        assert_eq!(identify("@someone @other_account @third", false), "other");
        // Persian and Arabic decided by function words without lingua, also with Persian
        // letters typed in Arabic.
        assert_eq!(
            identify("من در تهران زندگی می کنم و این شهر را دوست دارم", false),
            "fa"
        );
        assert_eq!(
            identify("والله ما دری شنو صار فی بغداد هذا الیوم", false),
            "ar"
        );
        // Iraqi Arabic writes گ and چ: still Arabic.
        assert_eq!(identify("شگد حلو هذا الچاي ويا الگيمر", false), "ar");
    }
}
