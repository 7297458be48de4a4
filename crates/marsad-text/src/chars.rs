//! Character tables: what the normalizer deletes, folds, maps to tokens.
//!
//! Every table here is documented in `docs/text.md`; change both together.

/// Characters deleted from every key. They are attached to the character before them, so a
/// highlighted span includes the marks and tatweel written inside (and right after) a term.
///
/// Arabic diacritics (U+064B–065F), superscript alef (U+0670), Quranic annotation marks
/// (U+0610–061A, U+06D6–06ED), tatweel (U+0640), zero-width and bidi controls, variation
/// selectors, emoji modifiers, the combining grapheme joiner, soft hyphen, and every other
/// non-spacing combining mark (general category Mn in the ranges below).
pub fn is_deleted(c: char) -> bool {
    // Fast paths: nothing below U+0300 but the soft hyphen; the Arabic block by its own ranges.
    if c < '\u{0300}' {
        return c == '\u{00AD}';
    }
    if ('\u{0600}'..='\u{06FF}').contains(&c) {
        return matches!(c, '\u{0610}'..='\u{061A}' | '\u{061C}' | '\u{0640}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}');
    }
    matches!(c,
        '\u{0610}'..='\u{061A}'
        | '\u{061C}'            // Arabic letter mark (bidi)
        | '\u{0640}'            // tatweel
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06ED}'
        | '\u{08D3}'..='\u{08FF}' // Arabic extended-A marks
        | '\u{00AD}'            // soft hyphen
        | '\u{034F}'            // combining grapheme joiner
        | '\u{0300}'..='\u{036F}' // Latin combining diacritics
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{FE70}'..='\u{FE7F}' // presentation-form tashkeel (isolated / on tatweel)
        | '\u{3164}' | '\u{115F}' | '\u{1160}' | '\u{FFA0}' // Hangul fillers (blank look)
        | '\u{17B4}' | '\u{17B5}' // Khmer invisible vowels
        | '\u{180B}'..='\u{180F}' // Mongolian selectors / vowel separator
        | '\u{200B}'..='\u{200F}' // ZWSP ZWNJ ZWJ LRM RLM
        | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}' // bidi isolates
        | '\u{206A}'..='\u{206F}'
        | '\u{FE00}'..='\u{FE0F}' // variation selectors
        | '\u{FEFF}'              // BOM / ZWNBSP
        | '\u{E0100}'..='\u{E01EF}'
        | '\u{E0000}'..='\u{E007F}' // tag characters (flag sequences)
        | '\u{1F3FB}'..='\u{1F3FF}' // skin tone modifiers
    )
}

/// Folds one character (after compatibility decomposition) to its key form.
///
/// Arabic: alef forms → ا, ى → ي, ة → ه, Persian/Urdu/Kurdish look-alikes to the Arabic letter
/// (ک ڪ گ → ك, ی ې ێ ے → ي, ہ ە ۀ ھ → ه, ۆ ۇ ۋ → و, پ → ب, چ → ج, ژ → ز, ڤ → ف, ڨ → ق, ڵ → ل,
/// ڕ → ر, ں → ن), Arabic-Indic and Persian digits → ASCII. Latin, Greek, Cyrillic: lower case
/// (done by the caller, which knows the original case). Returns the input when nothing applies.
pub fn fold(c: char) -> char {
    match c {
        'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' | 'ٵ' | 'ٴ' => 'ا',
        'ى' | 'ی' | 'ې' | 'ێ' | 'ے' | 'ۓ' | 'ۍ' | 'ۑ' | 'ئ' | 'ٸ' | 'ؠ' => 'ي',
        'ة' | 'ہ' | 'ە' | 'ۀ' | 'ھ' | 'ۂ' | 'ۃ' => 'ه',
        'ؤ' | 'ۆ' | 'ۇ' | 'ۈ' | 'ۉ' | 'ۋ' | 'ۊ' | 'ۏ' | 'ٶ' | 'ٷ' => 'و',
        'ک' | 'ڪ' | 'گ' | 'ګ' | 'ڬ' | 'ڭ' | 'ڮ' | 'ػ' | 'ؼ' => 'ك',
        'پ' | 'ٻ' | 'ڀ' => 'ب',
        'چ' | 'ڃ' | 'ڄ' | 'ڇ' => 'ج',
        'ژ' | 'ڒ' | 'ڑ' => 'ز',
        'ڕ' | 'ڔ' | 'ړ' => 'ر',
        'ڤ' | 'ڥ' | 'ڦ' => 'ف',
        'ڨ' | 'ڧ' => 'ق',
        'ڵ' | 'ڶ' | 'ڷ' => 'ل',
        'ں' | 'ڻ' | 'ڼ' | 'ڹ' => 'ن',
        'ٹ' | 'ټ' | 'ٺ' => 'ت',
        'ډ' | 'ڈ' | 'ڊ' => 'د',
        'ښ' | 'ڛ' => 'س',
        'ۺ' => 'ش',
        '٠'..='٩' => char::from(b'0' + (c as u32 - 0x0660) as u8),
        '۰'..='۹' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
        'ı' | 'ɪ' => 'i',
        // Small capitals (`ɪꜱɪꜱ`) are Latin letters in disguise.
        'ꜱ' => 's',
        'ʙ' => 'b',
        'ᴄ' => 'c',
        'ᴅ' => 'd',
        'ᴇ' => 'e',
        'ɢ' => 'g',
        'ʜ' => 'h',
        'ᴊ' => 'j',
        'ᴋ' => 'k',
        'ʟ' => 'l',
        'ᴍ' => 'm',
        'ɴ' => 'n',
        'ᴏ' => 'o',
        'ᴘ' => 'p',
        'ʀ' => 'r',
        'ᴛ' => 't',
        'ᴜ' => 'u',
        'ᴠ' => 'v',
        'ᴡ' => 'w',
        'ʏ' => 'y',
        'ᴢ' => 'z',
        // Negative circled and squared letters (🅘, 🅸) have no compatibility decomposition.
        '\u{1F150}'..='\u{1F169}' => char::from(b'a' + (c as u32 - 0x1F150) as u8),
        '\u{1F170}'..='\u{1F189}' => char::from(b'a' + (c as u32 - 0x1F170) as u8),
        'ł' => 'l',
        'đ' => 'd',
        'ø' => 'o',
        'ħ' => 'h',
        _ => c,
    }
}

/// Is `c` a letter of the Arabic script (after folding)?
pub fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0620}'..='\u{064A}' | '\u{066E}'..='\u{066F}' | '\u{0671}'..='\u{06D3}' | '\u{06D5}'
        | '\u{06EE}'..='\u{06EF}' | '\u{06FA}'..='\u{06FC}' | '\u{06FF}' | '\u{0750}'..='\u{077F}'
        | '\u{08A0}'..='\u{08C9}')
}

/// Is `c` a letter? Arabic and ASCII are decided without Unicode table lookups (the hot path).
#[inline]
pub fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || is_arabic_letter(c) || (!c.is_ascii() && c.is_alphabetic())
}

/// Is `c` a Latin letter?
pub fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}') && c.is_alphabetic())
}

/// Cyrillic and Greek letters that look like Latin ones (lower case, as the key holds them),
/// folded only inside words that already contain a Latin letter. Never applied to Arabic.
pub fn latin_homoglyph(c: char) -> Option<char> {
    Some(match c {
        // Cyrillic
        'а' => 'a',
        'в' => 'b',
        'с' => 'c',
        'ԁ' => 'd',
        'е' | 'ё' | 'є' => 'e',
        'һ' | 'н' => 'h',
        'і' | 'ї' | 'ӏ' => 'i',
        'ј' => 'j',
        'к' => 'k',
        'м' => 'm',
        'о' => 'o',
        'р' => 'p',
        'ԛ' => 'q',
        'ѕ' => 's',
        'т' => 't',
        'у' | 'ү' => 'y',
        'х' => 'x',
        'ԝ' => 'w',
        'ѵ' => 'v',
        'з' => '3',
        // Greek
        'α' => 'a',
        'β' => 'b',
        'ε' => 'e',
        'η' => 'h',
        'ι' => 'i',
        'κ' => 'k',
        'μ' => 'm',
        'ν' => 'v',
        'ο' => 'o',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        'ζ' => 'z',
        'ς' | 'σ' => 's',
        _ => return None,
    })
}

/// Is this a Cyrillic or Greek letter (a possible homoglyph)?
pub fn is_cyrillic_or_greek(c: char) -> bool {
    matches!(c, '\u{0370}'..='\u{03FF}' | '\u{0400}'..='\u{052F}')
}

/// Emoji that carry meaning in this domain become word tokens (`{weapon}`), so lexicons can
/// name them and 💣/💥 match each other. Other emoji are separators.
pub fn emoji_token(c: char) -> Option<&'static str> {
    Some(match c {
        '🔫' => "weapon",
        '🗡' | '⚔' | '🔪' => "blade",
        '💣' | '💥' | '🧨' => "explosion",
        '🚀' => "rocket",
        '🏴' | '⚑' => "black_flag",
        '☝' | '👆' => "index_up",
        '🩸' => "blood",
        '💀' | '☠' => "skull",
        '⚰' | '🪦' => "coffin",
        '🎯' => "target",
        '🪖' => "helmet",
        '🔥' => "fire",
        '🕋' => "kaaba",
        '🦁' => "lion",
        '🐎' | '🏇' => "horse",
        '🌹' => "rose",
        '📍' => "pin",
        '🕌' => "mosque",
        '💰' | '💵' | '💲' => "money",
        '🎥' | '📹' | '🔴' => "live",
        _ => return None,
    })
}

/// Every token name [`emoji_token`] produces (so `{weapon}` written as text is the same token,
/// which keeps normalization idempotent).
pub const TOKEN_NAMES: &[&str] = &[
    "weapon",
    "blade",
    "explosion",
    "rocket",
    "black_flag",
    "index_up",
    "blood",
    "skull",
    "coffin",
    "target",
    "helmet",
    "fire",
    "kaaba",
    "lion",
    "horse",
    "rose",
    "pin",
    "mosque",
    "money",
    "live",
];

/// Dotless rasm classes: letters that differ only by dots share one class character, so text
/// written without dots (ٮاٯىه) matches. Applied to the skeleton key only.
pub fn rasm(c: char) -> char {
    match c {
        'ب' | 'ت' | 'ث' | 'ن' | 'ي' | 'ٮ' | 'ى' => 'ٮ',
        'ج' | 'ح' | 'خ' => 'ح',
        'د' | 'ذ' => 'د',
        'ر' | 'ز' => 'ر',
        'س' | 'ش' => 'س',
        'ص' | 'ض' => 'ص',
        'ط' | 'ظ' => 'ط',
        'ع' | 'غ' => 'ع',
        'ف' | 'ق' | 'ڡ' | 'ٯ' => 'ڡ',
        'ه' | 'ة' => 'ه',
        _ => c,
    }
}

/// Latin look-alike digits and letters (leetspeak) folded in the skeleton key, inside words that
/// mix Latin letters with them: 1 l | → i, 0 → o, 3 → e, 4 → a, 5 → s, 7 → t, 8 → b, 9 → g.
pub fn latin_skeleton(c: char) -> char {
    match c {
        'l' | '1' => 'i',
        '0' => 'o',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '8' => 'b',
        '9' => 'g',
        _ => c,
    }
}

/// Letters that only dotless writing uses (or ى in the middle of a word): their presence makes
/// a skeleton-key match trustworthy.
pub fn is_dotless_signal(c: char) -> bool {
    matches!(c, 'ٮ' | 'ٯ' | 'ڡ' | 'ں')
}

/// Letters with dots (after folding): a text of several Arabic letters with none of these was
/// written in dotless style.
pub fn has_dots(c: char) -> bool {
    matches!(
        c,
        'ب' | 'ت'
            | 'ث'
            | 'ج'
            | 'خ'
            | 'ذ'
            | 'ز'
            | 'ش'
            | 'ض'
            | 'ظ'
            | 'غ'
            | 'ف'
            | 'ق'
            | 'ن'
            | 'ي'
            | 'ة'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_arabic_forms_and_digits() {
        assert_eq!(fold('أ'), 'ا');
        assert_eq!(fold('ى'), 'ي');
        assert_eq!(fold('ة'), 'ه');
        assert_eq!(fold('ک'), 'ك');
        assert_eq!(fold('ی'), 'ي');
        assert_eq!(fold('٣'), '3');
        assert_eq!(fold('۷'), '7');
        assert_eq!(fold('x'), 'x');
    }

    #[test]
    fn deleted_set_covers_marks_and_invisibles() {
        for c in [
            '\u{064B}', '\u{0651}', '\u{0670}', '\u{06D6}', '\u{0640}', '\u{200D}', '\u{202E}',
        ] {
            assert!(is_deleted(c), "{:04X}", c as u32);
        }
        assert!(!is_deleted('ا'));
        assert!(!is_deleted(' '));
    }

    #[test]
    fn rasm_classes() {
        assert_eq!(rasm('ب'), rasm('ن'));
        assert_eq!(rasm('ش'), rasm('س'));
        assert_ne!(rasm('ش'), rasm('ص'));
    }
}
