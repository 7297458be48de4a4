//! Text keys for matching. Post texts are compared by [`text_key`], the text engine's match
//! key (crate `marsad-text`); handles, names and bios by [`fold`] (NFKC, lower case, combining
//! marks, tatweel and invisible characters removed, whitespace collapsed) and [`skeleton`].

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{0640}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
    )
}

/// NFKC + lower case + no diacritics / tatweel / invisibles + collapsed whitespace.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // NFKD to split accents off, drop marks, then NFKC to recompose what is left.
    let stripped: String = s
        .nfkd()
        .filter(|c| !is_combining_mark(*c) && !is_invisible(*c))
        .collect();
    let mut space = true;
    for c in stripped.nfkc().flat_map(char::to_lowercase) {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
                space = true;
            }
        } else {
            out.push(c);
            space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The match key of a post's text: the text engine's match key
/// ([`marsad_text::match_key`]: compatibility folding, Arabic letter folding, diacritics and
/// tatweel removed, lower case, letter runs collapsed, separators collapsed) of the text
/// without its URLs, `@mentions` and `#hashtags` (compared separately). Empty when nothing
/// is left.
pub fn text_key(s: &str) -> String {
    let kept: Vec<&str> = s
        .split_whitespace()
        .filter(|w| {
            let l = w.to_ascii_lowercase();
            !(l.starts_with("http://")
                || l.starts_with("https://")
                || w.starts_with('@')
                || w.starts_with('#'))
        })
        .collect();
    let key = marsad_text::match_key(&kept.join(" "));
    key.split(' ')
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The skeleton of a handle or name: folded, only letters (digits and separators removed).
/// `khilafa_news3` and `Khilafa.News4` share the skeleton `khilafanews`.
pub fn skeleton(s: &str) -> String {
    fold(s).chars().filter(|c| c.is_alphabetic()).collect()
}

/// Normalised Levenshtein similarity in [0, 1] over characters.
pub fn similarity(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let n = a.len().max(b.len());
    if n == 0 {
        return 0.0;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    1.0 - prev[b.len()] as f64 / n as f64
}

/// Jaccard similarity of the word sets of two folded texts.
pub fn word_jaccard(a: &str, b: &str) -> f64 {
    let wa: std::collections::BTreeSet<String> = text_key(a)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let wb: std::collections::BTreeSet<String> = text_key(b)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    jaccard(&wa, &wb)
}

/// Jaccard similarity of two sets (0 when both are empty).
pub fn jaccard<T: Ord>(
    a: &std::collections::BTreeSet<T>,
    b: &std::collections::BTreeSet<T>,
) -> f64 {
    let inter = a.intersection(b).count();
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_arabic_and_latin() {
        // Harakat and tatweel go; NFKC folds presentation forms and full-width letters.
        assert_eq!(fold("دَوْلَـــة  الخِلافة"), "دولة الخلافة");
        assert_eq!(fold("Ｃafé\u{200B}  NEWS"), "cafe news");
        assert_eq!(fold("\u{FEFB}"), "لا");
    }

    #[test]
    fn text_key_drops_links_mentions_punctuation() {
        assert_eq!(
            text_key("@rusul_writes ستدفعين الثمن!! https://t.co/x #tag"),
            text_key("ستدفعيـــن  الثَّمن")
        );
        assert_eq!(
            text_key("@rusul_writes ستدفعين الثمن!!").split(' ').count(),
            2
        );
        assert_eq!(text_key("  ...  "), "");
    }

    #[test]
    fn skeleton_and_similarity() {
        assert_eq!(skeleton("khilafa_news3"), skeleton("Khilafa.News4"));
        assert!(similarity("khilafa_news3", "khilafa_news4") > 0.9);
        assert!(similarity("abc", "xyz") < 0.01);
        assert_eq!(similarity("", ""), 0.0);
        assert!((word_jaccard("a b c", "a b d") - 0.5).abs() < 1e-9);
    }
}
