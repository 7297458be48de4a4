//! Exact file digests in hash banks: MD5 and SHA-256 of known files, as hash-sharing
//! programmes distribute them next to PDQ (ThreatExchange `HASH_MD5`, `video_md5`,
//! `photo_md5`; GIFCT's video MD5s). A media file matches an entry when its digest is equal:
//! distance 0, any kind of file (image, video, document).
//!
//! Stored per bank in `exact.csv`: `algorithm,digest,label,group,content_type,source,added_at`
//! (lower-case hex; created by the first import that brings digests).

use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{MediaError, Result};

/// The digest algorithms banks hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DigestKind {
    Md5,
    Sha256,
}

impl DigestKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            DigestKind::Md5 => "md5",
            DigestKind::Sha256 => "sha256",
        }
    }

    /// Hex digits of a digest.
    pub fn hex_len(&self) -> usize {
        match self {
            DigestKind::Md5 => 32,
            DigestKind::Sha256 => 64,
        }
    }

    /// The algorithm named by a signal-type / algorithm column (ThreatExchange, HMA, CSV),
    /// lower-cased: `md5`, `hash_md5`, `video_md5`, `photo_md5`, `sha256`, `sha-256`,
    /// `hash_sha256`, ….
    pub fn from_type_name(t: &str) -> Option<DigestKind> {
        let t = t.trim().to_ascii_lowercase().replace('-', "");
        match t.as_str() {
            "md5" | "hash_md5" | "video_md5" | "photo_md5" | "file_md5" | "md5_hash"
            | "md5signal" | "videomd5" => Some(DigestKind::Md5),
            "sha256" | "hash_sha256" | "video_sha256" | "photo_sha256" | "file_sha256"
            | "sha256_hash" | "sha256signal" => Some(DigestKind::Sha256),
            _ => None,
        }
    }

    /// A digest in canonical form (lower-case hex of the right length), or why not.
    pub fn canonical(&self, digest: &str) -> std::result::Result<String, String> {
        let d = digest.trim().to_ascii_lowercase();
        if d.len() != self.hex_len() || !d.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!(
                "an {} digest has {} hex digits, found {:?}",
                self.as_str(),
                self.hex_len(),
                digest.trim()
            ));
        }
        Ok(d)
    }
}

/// One known file digest with its labels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExactEntry {
    pub algorithm: DigestKind,
    /// Lower-case hex.
    pub digest: String,
    pub label: String,
    pub group: String,
    pub content_type: String,
    pub source: String,
    pub added_at: Option<DateTime<Utc>>,
}

pub(crate) const EXACT_FILE: &str = "exact.csv";
const EXACT_HEADER: &str = "algorithm,digest,label,group,content_type,source,added_at";

/// Every entry of a bank folder's `exact.csv` (none when the file does not exist).
pub(crate) fn read_entries(dir: &Path) -> Result<Vec<ExactEntry>> {
    let p = dir.join(EXACT_FILE);
    let f = match File::open(&p) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(MediaError::io(&p, e)),
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(BufReader::new(f));
    let mut out = Vec::new();
    for (i, row) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let bad = |reason: String| MediaError::Record {
            path: p.clone(),
            line,
            reason,
        };
        let row = row.map_err(|e| bad(e.to_string()))?;
        let get = |k: usize| row.get(k).unwrap_or("").to_string();
        let algorithm = DigestKind::from_type_name(&get(0))
            .ok_or_else(|| bad(format!("algorithm: unknown {:?}", get(0))))?;
        let digest = algorithm.canonical(&get(1)).map_err(bad)?;
        out.push(ExactEntry {
            algorithm,
            digest,
            label: get(2),
            group: get(3),
            content_type: get(4),
            source: get(5),
            added_at: DateTime::parse_from_rfc3339(&get(6))
                .ok()
                .map(|t| t.with_timezone(&Utc)),
        });
    }
    Ok(out)
}

/// Appends entries to a bank folder's `exact.csv` (creating it with its header).
pub(crate) struct ExactWriter {
    path: std::path::PathBuf,
    w: Option<csv::Writer<BufWriter<File>>>,
}

impl ExactWriter {
    pub(crate) fn new(dir: &Path) -> Self {
        ExactWriter {
            path: dir.join(EXACT_FILE),
            w: None,
        }
    }

    pub(crate) fn append(&mut self, e: &ExactEntry, now: DateTime<Utc>) -> Result<()> {
        if self.w.is_none() {
            let new = !self.path.exists();
            let f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .map_err(|err| MediaError::io(&self.path, err))?;
            let mut bw = BufWriter::new(f);
            if new {
                writeln!(bw, "{EXACT_HEADER}").map_err(|err| MediaError::io(&self.path, err))?;
            }
            self.w = Some(csv::WriterBuilder::new().has_headers(false).from_writer(bw));
        }
        let path = self.path.clone();
        let w = self.w.as_mut().ok_or_else(|| MediaError::Format {
            path: path.clone(),
            reason: "writer not open".into(),
        })?;
        w.write_record([
            e.algorithm.as_str(),
            e.digest.as_str(),
            e.label.as_str(),
            e.group.as_str(),
            e.content_type.as_str(),
            e.source.as_str(),
            e.added_at.unwrap_or(now).to_rfc3339().as_str(),
        ])
        .map_err(|err| MediaError::Format {
            path,
            reason: err.to_string(),
        })
    }

    pub(crate) fn flush(&mut self) -> Result<()> {
        if let Some(w) = self.w.as_mut() {
            w.flush().map_err(|e| MediaError::io(&self.path, e))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_and_canonical_digests() {
        assert_eq!(
            DigestKind::from_type_name("HASH_MD5"),
            Some(DigestKind::Md5)
        );
        assert_eq!(
            DigestKind::from_type_name("video_md5"),
            Some(DigestKind::Md5)
        );
        assert_eq!(
            DigestKind::from_type_name("SHA-256"),
            Some(DigestKind::Sha256)
        );
        assert_eq!(DigestKind::from_type_name("pdq"), None);
        assert_eq!(
            DigestKind::Md5
                .canonical(" D41D8CD98F00B204E9800998ECF8427E ")
                .unwrap(),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
        assert!(DigestKind::Md5.canonical("d41d8cd9").is_err());
        assert!(DigestKind::Sha256
            .canonical("d41d8cd98f00b204e9800998ecf8427e")
            .is_err());
    }
}
