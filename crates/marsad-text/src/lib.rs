//! Marsad's text engine.
//!
//! - [`normalize`]: evasion-proof normalization keys (plain, joined, skeleton, Arabizi), each
//!   with an offset map back to the original text;
//! - [`lexicon`]: lexicons as CSV data;
//! - [`matcher`]: Aho-Corasick matching over every key with Arabic clitic-aware boundaries;
//! - [`entities`]: URLs (classified), mentions, hashtags, phones, e-mails, coordinates, times;
//! - [`lang`]: language identification and the Arabizi flag;
//! - [`stem`]: an Arabic light stemmer and stop words for search;
//! - [`Engine`]: all of it behind one `scan` call, the `marsad scan-text` contract.

pub mod arabizi;
pub mod chars;
pub mod entities;
pub mod lang;
pub mod lexicon;
pub mod matcher;
pub mod normalize;
mod scan;
pub mod stem;

pub use lexicon::{Entry, Lexicon, LexiconError, Stance};
pub use matcher::{EngineError, Match, Matcher};
pub use normalize::{joined_key, keys, match_key, skeleton_key, Key, KeyKind, KeyOptions, Keys};
pub use scan::{Engine, LexiconSources, Quoted, ScanOptions, ScanResult, SharedEngine};
