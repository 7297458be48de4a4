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

/// Letters Persian (and Urdu, Kurdish) use and Arabic does not.
fn is_persian_letter(c: char) -> bool {
    matches!(c, 'پ' | 'چ' | 'ژ' | 'گ' | 'ی' | 'ک')
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

/// Identify the language of `text`. `arabizi` is the Arabizi detector's verdict on it.
pub fn identify(text: &str, arabizi: bool) -> &'static str {
    let (mut arabic, mut latin, mut kurdish, mut persian, mut kurmanji) =
        (0u32, 0u32, 0u32, 0u32, 0u32);
    for c in text.chars() {
        if c.is_ascii_alphabetic() {
            latin += 1;
        } else if ('\u{0600}'..='\u{06FF}').contains(&c) || ('\u{FB50}'..='\u{FEFF}').contains(&c) {
            if crate::chars::is_arabic_letter(c) || (c >= '\u{FB50}' && c.is_alphabetic()) {
                arabic += 1;
                if is_kurdish_letter(c) {
                    kurdish += 1;
                } else if is_persian_letter(c) {
                    persian += 1;
                }
            }
        } else if matches!(c, 'ê' | 'î' | 'û' | 'Ê' | 'Î' | 'Û') {
            latin += 1;
            kurmanji += 1;
        } else if crate::chars::is_latin_letter(c) {
            latin += 1;
        }
    }
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
    // post with fewer than three Latin words is too short for any detector to tell.
    let (mut words, mut function) = (0u32, 0u32);
    for w in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty() && w.chars().all(crate::chars::is_latin_letter))
    {
        words += 1;
        if crate::arabizi::is_english_function_word(&w.to_ascii_lowercase()) {
            function += 1;
        }
    }
    if words < 3 {
        return "other";
    }
    if function >= 2 && function * 5 >= words && kurmanji == 0 {
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
    }
}
