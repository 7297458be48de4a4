//! Lexicons as data: CSV files `term,category[,weight][,stance][,note][,neg_context][,req_context]`.
//!
//! The default lexicons in the repository's `lexicons/` folder are compiled into the binary
//! (so it works anywhere) and user lexicons are read from paths at start-up. A header row naming
//! the columns is optional; without one the columns are positional in the order above.
//! `neg_context` and `req_context` hold `|`-separated phrases (see `docs/lexicons.md`).

use std::fmt;
use std::path::Path;

use crate::normalize::match_key;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/default_lexicons.rs"));
}

/// The categories Marsad's detectors know. User lexicons may add others (lower-case names).
pub const CATEGORIES: &[&str] = &[
    "outlet",
    "slogan",
    "group_name",
    "incitement",
    "glorification",
    "recruitment",
    "weapons_sale",
    "hate",
    "threat",
    "military",
    "place",
    "counter_speech",
    "news",
];

/// Who uses a term: the group's own vocabulary, its opponents', neutral reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    Supporter,
    Opponent,
    News,
    Neutral,
}

impl Stance {
    pub fn parse(s: &str) -> Option<Stance> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "supporter" | "support" | "pro" => Stance::Supporter,
            "opponent" | "against" | "anti" => Stance::Opponent,
            "news" | "reporting" => Stance::News,
            "" | "neutral" => Stance::Neutral,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Supporter => "supporter",
            Stance::Opponent => "opponent",
            Stance::News => "news",
            Stance::Neutral => "neutral",
        }
    }
}

/// One lexicon row.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub term: String,
    pub category: String,
    pub weight: f32,
    pub stance: Stance,
    pub note: String,
    /// Phrases (as match keys) that suppress a match when they appear near it.
    pub neg_context: Vec<String>,
    /// Phrases (as match keys) one of which must appear near a match for it to count.
    pub req_context: Vec<String>,
    /// `file:line` the row came from.
    pub source: String,
}

/// A lexicon row that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub source: String,
    pub line: u64,
    pub field: &'static str,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: field `{}`: {}",
            self.source, self.line, self.field, self.reason
        )
    }
}

/// Why a lexicon could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("cannot read lexicon {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{source_name}: {message}")]
    Csv {
        source_name: String,
        message: String,
    },
    #[error("{} bad row(s) in lexicon; first: {}", .0.len(), .0.first().map(|e| e.to_string()).unwrap_or_default())]
    Rows(Vec<RowError>),
}

/// A set of lexicon entries.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    pub entries: Vec<Entry>,
}

const COLUMNS: [&str; 7] = [
    "term",
    "category",
    "weight",
    "stance",
    "note",
    "neg_context",
    "req_context",
];

fn split_phrases(s: &str) -> Vec<String> {
    s.split('|')
        .map(match_key)
        .filter(|k| !k.is_empty())
        .collect()
}

fn valid_category(c: &str) -> bool {
    !c.is_empty()
        && c.len() <= 40
        && c.starts_with(|ch: char| ch.is_ascii_lowercase())
        && c.chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
}

impl Lexicon {
    /// The lexicons shipped in the repository's `lexicons/` folder (compiled in).
    pub fn defaults() -> Result<Lexicon, LexiconError> {
        let mut lex = Lexicon::default();
        for (name, text) in embedded::DEFAULT_LEXICONS {
            lex.extend(Lexicon::parse(
                text.as_bytes(),
                &format!("lexicons/{name}"),
            )?);
        }
        Ok(lex)
    }

    /// Names of the compiled-in lexicon files.
    pub fn default_files() -> Vec<&'static str> {
        embedded::DEFAULT_LEXICONS.iter().map(|(n, _)| *n).collect()
    }

    /// Read a lexicon file.
    pub fn load(path: &Path) -> Result<Lexicon, LexiconError> {
        let bytes = std::fs::read(path).map_err(|source| LexiconError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Lexicon::parse(&bytes, &path.display().to_string())
    }

    /// Parse lexicon CSV. Every bad row is reported (with its line and field); none is dropped
    /// silently.
    pub fn parse(bytes: &[u8], source_name: &str) -> Result<Lexicon, LexiconError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let mut columns: Vec<usize> = (0..COLUMNS.len()).collect();
        let mut entries = Vec::new();
        let mut errors = Vec::new();
        let mut first = true;
        for row in rdr.records() {
            let row = row.map_err(|e| LexiconError::Csv {
                source_name: source_name.to_string(),
                message: e.to_string(),
            })?;
            let line = row.position().map(|p| p.line()).unwrap_or(0);
            if row.iter().all(|f| f.is_empty()) {
                continue;
            }
            if first {
                first = false;
                if row.get(0).is_some_and(|f| f.eq_ignore_ascii_case("term")) {
                    columns = vec![usize::MAX; COLUMNS.len()];
                    for (i, name) in row.iter().enumerate() {
                        let name = name.to_ascii_lowercase();
                        match COLUMNS.iter().position(|c| *c == name) {
                            Some(p) => columns[p] = i,
                            None => errors.push(RowError {
                                source: source_name.to_string(),
                                line,
                                field: "header",
                                reason: format!(
                                    "unknown column `{name}` (known: {})",
                                    COLUMNS.join(", ")
                                ),
                            }),
                        }
                    }
                    if columns[1] == usize::MAX {
                        errors.push(RowError {
                            source: source_name.to_string(),
                            line,
                            field: "header",
                            reason: "the header has no `category` column".into(),
                        });
                    }
                    continue;
                }
            }
            let get =
                |col: usize| -> &str { columns.get(col).and_then(|&i| row.get(i)).unwrap_or("") };
            let err = |field: &'static str, reason: String| RowError {
                source: source_name.to_string(),
                line,
                field,
                reason,
            };
            let term = get(0);
            if match_key(term).is_empty() {
                errors.push(err("term", format!("`{term}` is empty once normalized")));
                continue;
            }
            let category = get(1).to_ascii_lowercase();
            if !valid_category(&category) {
                errors.push(err(
                    "category",
                    format!("`{category}` is not a category name (lower-case letters, digits, _)"),
                ));
                continue;
            }
            let weight = match get(2) {
                "" => 1.0,
                w => match w.parse::<f32>() {
                    Ok(v) if (0.0..=1.0).contains(&v) => v,
                    _ => {
                        errors.push(err("weight", format!("`{w}` is not a number in 0..1")));
                        continue;
                    }
                },
            };
            let Some(stance) = Stance::parse(get(3)) else {
                errors.push(err(
                    "stance",
                    format!(
                        "`{}` is not one of supporter, opponent, news, neutral",
                        get(3)
                    ),
                ));
                continue;
            };
            entries.push(Entry {
                term: term.to_string(),
                category,
                weight,
                stance,
                note: get(4).to_string(),
                neg_context: split_phrases(get(5)),
                req_context: split_phrases(get(6)),
                source: format!("{source_name}:{line}"),
            });
        }
        if !errors.is_empty() {
            return Err(LexiconError::Rows(errors));
        }
        Ok(Lexicon { entries })
    }

    pub fn extend(&mut self, other: Lexicon) {
        self.entries.extend(other.entries);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_header_and_positional() {
        let csv = "term,category,weight,stance,note,neg_context,req_context\n\
                   داعش,group_name,0.9,opponent,ISIS (pejorative),,\n\
                   الحياة,outlet,0.6,supporter,al-Hayat,,مركز|مؤسسة\n";
        let lex = Lexicon::parse(csv.as_bytes(), "t.csv").unwrap();
        assert_eq!(lex.len(), 2);
        assert_eq!(lex.entries[0].stance, Stance::Opponent);
        assert_eq!(lex.entries[1].req_context, vec!["مركز", "موسه"]);
        assert_eq!(lex.entries[1].source, "t.csv:3");

        let lex = Lexicon::parse("isis,group_name\nbaqiya,slogan,0.5\n".as_bytes(), "p").unwrap();
        assert_eq!(lex.entries[1].weight, 0.5);
        assert_eq!(lex.entries[0].stance, Stance::Neutral);
    }

    #[test]
    fn reports_every_bad_row() {
        let csv = "x,Bad Category\ny,hate,2\nz,hate,0.5,maybe\n ,hate\n";
        let Err(LexiconError::Rows(errs)) = Lexicon::parse(csv.as_bytes(), "u.csv") else {
            panic!("expected row errors")
        };
        let fields: Vec<_> = errs.iter().map(|e| (e.line, e.field)).collect();
        assert_eq!(
            fields,
            vec![(1, "category"), (2, "weight"), (3, "stance"), (4, "term")]
        );
    }

    #[test]
    fn defaults_load() {
        let lex = Lexicon::defaults().unwrap();
        for e in &lex.entries {
            assert!(!match_key(&e.term).is_empty(), "{}", e.source);
        }
    }
}
