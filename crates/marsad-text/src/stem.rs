//! An Arabic light stemmer and stop-word list for search, working on match keys (so alef
//! forms, ة/ه and ى/ي are already folded).
//!
//! The stemmer follows Larkey et al.'s *light10*: strip one of the prefixes
//! وال بال كال فال لل ال و (keeping at least two letters), then each of the suffixes
//! ها ان ات ون ين يه ه ي in turn (keeping at least two letters). It is deliberately light:
//! search should find داعشيين for داعش and الدولة for دولة without conflating roots.

const PREFIXES: &[&str] = &["وال", "بال", "كال", "فال", "لل", "ال", "و"];
const SUFFIXES: &[&str] = &["ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي"];

/// Arabic stop words, in match-key form.
pub const STOP_WORDS: &[&str] = &[
    "في",
    "من",
    "الي",
    "علي",
    "عن",
    "ان",
    "انه",
    "انها",
    "هذا",
    "هذه",
    "ذلك",
    "تلك",
    "التي",
    "الذي",
    "الذين",
    "او",
    "ثم",
    "قد",
    "لقد",
    "كان",
    "كانت",
    "يكون",
    "تكون",
    "لا",
    "ما",
    "لم",
    "لن",
    "هو",
    "هي",
    "هم",
    "هن",
    "انا",
    "نحن",
    "انت",
    "انتم",
    "مع",
    "عند",
    "كل",
    "بعد",
    "قبل",
    "حتي",
    "اذا",
    "اذ",
    "اي",
    "ايضا",
    "بين",
    "غير",
    "منذ",
    "حيث",
    "كما",
    "لكن",
    "بل",
    "هناك",
    "هنا",
    "وهو",
    "وهي",
    "وقد",
    "وان",
    "او",
    "الا",
    "به",
    "بها",
    "له",
    "لها",
    "لهم",
    "فيه",
    "فيها",
    "منه",
    "منها",
    "عليه",
    "عليها",
    "ذات",
    "ضمن",
    "خلال",
    "عبر",
    "الى",
    "على",
    "حتى",
    "يا",
    "اما",
    "وفي",
    "ومن",
    "وما",
    "ولا",
    "فقد",
    "كذلك",
    "لدي",
    "لدى",
    "دون",
    "تم",
    "وكان",
    "مثل",
    "بعض",
    "اكثر",
    "اقل",
    "جدا",
];

/// Is `word` (a match-key word) an Arabic stop word?
pub fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

/// English stop words (search only).
pub const ENGLISH_STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// One search term of a text: its stemmed match-key form and the original byte span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerm {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// The terms search indexes for `text`: words of the plain key, stop words removed, Arabic words
/// light-stemmed, each with its exact original span (for highlighting).
pub fn search_terms(text: &str) -> Vec<SearchTerm> {
    let key = crate::normalize::plain_key(text);
    let mut out = Vec::new();
    let mut pos = 0;
    for word in key.text.split(' ') {
        let (a, b) = (pos, pos + word.len());
        pos = b + 1;
        if word.is_empty() || is_stop_word(word) || ENGLISH_STOP_WORDS.contains(&word) {
            continue;
        }
        let Some((start, end)) = key.original_span(a, b) else {
            continue;
        };
        out.push(SearchTerm {
            text: light_stem(word).to_string(),
            start,
            end,
        });
    }
    out
}

/// Light-stem an Arabic match-key word. Non-Arabic words are returned unchanged.
pub fn light_stem(word: &str) -> &str {
    if !word
        .chars()
        .next()
        .is_some_and(crate::chars::is_arabic_letter)
    {
        return word;
    }
    let len = |s: &str| s.chars().count();
    let mut w = word;
    for p in PREFIXES {
        if let Some(rest) = w.strip_prefix(p) {
            if len(rest) >= 2 && !(*p == "و" && len(rest) < 3) {
                w = rest;
                break;
            }
        }
    }
    for s in SUFFIXES {
        if let Some(rest) = w.strip_suffix(s) {
            if len(rest) >= 2 {
                w = rest;
            }
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::match_key;

    fn stem(w: &str) -> String {
        light_stem(&match_key(w)).to_string()
    }

    #[test]
    fn light10() {
        assert_eq!(stem("والدولة"), stem("دولة"));
        assert_eq!(stem("الإرهابيين"), stem("إرهابي"));
        assert_eq!(stem("بالعراق"), "عراق");
        assert_eq!(stem("ولد"), "ولد");
        assert_eq!(stem("isis"), "isis");
        assert!(is_stop_word(&match_key("على")));
    }

    #[test]
    fn terms_keep_original_spans() {
        let text = "هاجم الدواعشُ قرية في الموصل";
        let terms = search_terms(text);
        let words: Vec<_> = terms.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(words, ["هاجم", "دواعش", "قر", "موصل"]);
        assert_eq!(&text[terms[1].start..terms[1].end], "الدواعشُ");
    }
}
