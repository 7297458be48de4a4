//! Streaming importers: what did this export / API dump say, as Marsad records?
//!
//! One module per format, all behind the [`Source`] trait. A source reads one input file as a
//! stream and pushes [`Record`]s, [`Reject`]s and [`Notice`]s into a [`Sink`]; it never
//! touches the store. Invariants:
//! - memory stays flat whatever the input size: arrays are streamed element by element;
//!   the only state kept across records is small (e.g. the set of authors already emitted);
//! - a bad record becomes a [`Reject`] naming file, position and field, and reading goes on;
//!   a fatal problem (unreadable file, broken JSON) is a [`SourceError`] with a position,
//!   returned after everything good before it has been pushed;
//! - every record carries its verbatim raw source text.

pub mod crowdtangle;
pub mod jsonl;
pub mod rocketchat;
pub mod telegram_desktop;
pub mod tiktok_research;
pub mod twitter_v2;
pub mod util;
pub mod youtube;

use marsad_model::Record;
use serde::Serialize;
use std::fmt;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The input formats Marsad imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    TelegramDesktop,
    TwitterV2,
    TiktokResearch,
    Rocketchat,
    Crowdtangle,
    Youtube,
    Jsonl,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::TelegramDesktop,
        Format::TwitterV2,
        Format::TiktokResearch,
        Format::Rocketchat,
        Format::Crowdtangle,
        Format::Youtube,
        Format::Jsonl,
    ];

    /// The CLI name (`--format NAME`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::TelegramDesktop => "telegram-desktop",
            Format::TwitterV2 => "twitter-v2",
            Format::TiktokResearch => "tiktok-research",
            Format::Rocketchat => "rocketchat",
            Format::Crowdtangle => "crowdtangle",
            Format::Youtube => "youtube",
            Format::Jsonl => "jsonl",
        }
    }

    /// The importer for this format.
    pub fn source(self) -> Box<dyn Source> {
        match self {
            Format::TelegramDesktop => Box::new(telegram_desktop::TelegramDesktop),
            Format::TwitterV2 => Box::new(twitter_v2::TwitterV2),
            Format::TiktokResearch => Box::new(tiktok_research::TiktokResearch),
            Format::Rocketchat => Box::new(rocketchat::RocketChat),
            Format::Crowdtangle => Box::new(crowdtangle::CrowdTangle),
            Format::Youtube => Box::new(youtube::YouTube),
            Format::Jsonl => Box::new(jsonl::Jsonl),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let l = s.trim().to_ascii_lowercase().replace('_', "-");
        let alias = match l.as_str() {
            "telegram" => Some(Format::TelegramDesktop),
            "twitter" | "x" | "twarc" => Some(Format::TwitterV2),
            "tiktok" => Some(Format::TiktokResearch),
            "rocket.chat" => Some(Format::Rocketchat),
            _ => None,
        };
        alias
            .or_else(|| Format::ALL.into_iter().find(|f| f.as_str() == l))
            .ok_or_else(|| {
                format!(
                    "unknown format {s:?} (expected one of: {})",
                    Format::ALL.map(|f| f.as_str()).join(", ")
                )
            })
    }
}

/// One input to read: its path (for messages and for files it references, e.g. Telegram
/// photos next to `result.json`) and a buffered reader over its bytes.
pub struct Input<'a> {
    pub path: &'a Path,
    pub reader: Box<dyn BufRead + Send + 'a>,
}

impl fmt::Debug for Input<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Input").field("path", &self.path).finish()
    }
}

impl<'a> Input<'a> {
    pub fn new(path: &'a Path, reader: impl BufRead + Send + 'a) -> Self {
        Input {
            path,
            reader: Box::new(reader),
        }
    }

    /// Opens a file with a large read buffer.
    pub fn open(path: &'a Path) -> Result<Self, SourceError> {
        let f = std::fs::File::open(path).map_err(|e| SourceError::Io {
            file: path.to_path_buf(),
            source: e,
        })?;
        Ok(Input::new(
            path,
            std::io::BufReader::with_capacity(1 << 20, f),
        ))
    }

    /// The folder relative paths inside this input are resolved against.
    pub fn base_dir(&self) -> PathBuf {
        self.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }
}

/// Where in an input something is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Position {
    pub file: PathBuf,
    /// 1-based line (JSON lines, CSV, or the line a JSON syntax error is on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// 1-based record number within the file, counting records of the streamed array(s).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
    /// Where in the document: `messages[17]`, `data.videos[3]`, `chats.list[2].messages[9]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
}

impl Position {
    pub fn file(file: &Path) -> Self {
        Position {
            file: file.to_path_buf(),
            ..Default::default()
        }
    }
    pub fn line(file: &Path, line: u64) -> Self {
        Position {
            line: Some(line),
            ..Position::file(file)
        }
    }
    pub fn record(file: &Path, record: u64, pointer: impl Into<String>) -> Self {
        Position {
            record: Some(record),
            pointer: Some(pointer.into()),
            ..Position::file(file)
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        if let Some(r) = self.record {
            write!(f, ", record {r}")?;
        }
        if let Some(p) = &self.pointer {
            write!(f, " ({p})")?;
        }
        Ok(())
    }
}

/// A record the source could not turn into model records; it goes to the reject file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reject {
    /// The format name.
    pub source: &'static str,
    pub position: Position,
    /// The offending field, when one is to blame (`date`, `data[3].id`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub reason: String,
    /// The start of the raw record (at most [`util::EXCERPT_CHARS`] characters).
    pub raw_excerpt: String,
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.position)?;
        if let Some(field) = &self.field {
            write!(f, "field `{field}`: ")?;
        }
        f.write_str(&self.reason)
    }
}

/// What kind of thing a [`Notice`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// A record deliberately skipped (e.g. an API error line in a stream).
    Skipped,
    /// A referenced media file is not in the export.
    MissingMedia,
    /// The input was not quite valid and was read anyway (trailing commas, duplicate ids).
    Repaired,
}

/// Something the user should know that loses no data: logged and counted, not rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub kind: NoticeKind,
    pub position: Position,
    pub message: String,
}

/// The consumer asked the source to stop (interrupted, or the store failed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the import was stopped")]
pub struct Stop;

/// Where a source pushes what it reads.
pub trait Sink {
    fn record(&mut self, record: Record) -> Result<(), Stop>;
    fn reject(&mut self, reject: Reject) -> Result<(), Stop>;
    fn notice(&mut self, notice: Notice);
}

/// A fatal problem with an input. Everything pushed before it is kept.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{}: cannot read: {source}", file.display())]
    Io {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{position}: {message}")]
    Syntax { position: Position, message: String },
    #[error(transparent)]
    Stopped(#[from] Stop),
}

impl SourceError {
    pub fn position(&self) -> Option<&Position> {
        match self {
            SourceError::Syntax { position, .. } => Some(position),
            _ => None,
        }
    }
}

/// A source of Marsad records: one per input format.
pub trait Source: Send + Sync {
    fn format(&self) -> Format;
    /// Reads one input to its end, pushing into `sink`.
    fn read(&self, input: Input<'_>, sink: &mut dyn Sink) -> Result<(), SourceError>;
}

/// A [`Sink`] that keeps everything in memory: for tests and small tools.
#[derive(Debug, Default)]
pub struct VecSink {
    pub records: Vec<Record>,
    pub rejects: Vec<Reject>,
    pub notices: Vec<Notice>,
}

impl VecSink {
    /// Records of one type (`item`, `account`, `channel`, `interaction`).
    pub fn count(&self, type_str: &str) -> usize {
        self.records
            .iter()
            .filter(|r| r.type_str() == type_str)
            .count()
    }
    pub fn items(&self) -> impl Iterator<Item = &marsad_model::Item> {
        self.records.iter().filter_map(|r| match r {
            Record::Item(i) => Some(i),
            _ => None,
        })
    }
    pub fn accounts(&self) -> impl Iterator<Item = &marsad_model::Account> {
        self.records.iter().filter_map(|r| match r {
            Record::Account(a) => Some(a),
            _ => None,
        })
    }
    pub fn channels(&self) -> impl Iterator<Item = &marsad_model::Channel> {
        self.records.iter().filter_map(|r| match r {
            Record::Channel(c) => Some(c),
            _ => None,
        })
    }
    pub fn interactions(&self) -> impl Iterator<Item = &marsad_model::Interaction> {
        self.records.iter().filter_map(|r| match r {
            Record::Interaction(e) => Some(e),
            _ => None,
        })
    }
}

impl Sink for VecSink {
    fn record(&mut self, record: Record) -> Result<(), Stop> {
        self.records.push(record);
        Ok(())
    }
    fn reject(&mut self, reject: Reject) -> Result<(), Stop> {
        self.rejects.push(reject);
        Ok(())
    }
    fn notice(&mut self, notice: Notice) {
        self.notices.push(notice);
    }
}

/// Reads a file with a format into a [`VecSink`] (tests and small inputs).
pub fn read_file(format: Format, path: &Path) -> (VecSink, Result<(), SourceError>) {
    let mut sink = VecSink::default();
    let res = Input::open(path).and_then(|input| format.source().read(input, &mut sink));
    (sink, res)
}

/// Reads bytes with a format into a [`VecSink`], as if they were the file `name`.
pub fn read_bytes(format: Format, name: &str, bytes: &[u8]) -> (VecSink, Result<(), SourceError>) {
    let mut sink = VecSink::default();
    let path = Path::new(name);
    let res = format.source().read(Input::new(path, bytes), &mut sink);
    (sink, res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>(), Ok(f));
            assert_eq!(f.source().format(), f);
        }
        assert_eq!("twarc".parse::<Format>(), Ok(Format::TwitterV2));
        assert!("myspace"
            .parse::<Format>()
            .unwrap_err()
            .contains("telegram-desktop"));
    }

    #[test]
    fn position_display() {
        let p = Position {
            line: Some(3),
            column: Some(7),
            ..Position::record(Path::new("a.json"), 5, "messages[4]")
        };
        assert_eq!(p.to_string(), "a.json:3:7, record 5 (messages[4])");
    }
}
