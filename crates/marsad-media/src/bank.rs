//! Hash banks: named collections of PDQ hashes with labels, kept as files in the workspace.
//!
//! Layout (`<data>/banks/<name>/`):
//! - `bank.json`: name, description, `negative` (a bank of known benign images whose matches
//!   suppress other banks' matches), `enabled`, `created_at`;
//! - `hashes.csv`: one entry per line, `hash,quality,label,group,content_type,source,added_at`
//!   (appended by imports; the same hash with the same label is stored once);
//! - `exact.csv`: MD5 / SHA-256 digests of known files (see [`crate::exact`]), when any were
//!   imported;
//! - `index.mih` and `entries.off`: the match index over `hashes.csv` and each row's byte
//!   offset in the index's id order (the index numbers hashes in its own sorted order),
//!   rebuilt when older than the CSV or unreadable (e.g. written by an older format).
//!
//! Files rather than SQLite tables: banks are shared as files (CSV exports from hash-sharing
//! programmes), a bank folder can be copied between workspaces as is, and the index is a flat
//! file anyway. See `docs/media.md`.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{MediaError, Result};
use crate::exact::{DigestKind, ExactEntry, ExactWriter};
use crate::hash::Hash256;
use crate::index::HashIndex;

/// Bank metadata (`bank.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BankMeta {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Known benign content: a match against a negative bank suppresses matches elsewhere.
    #[serde(default)]
    pub negative: bool,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
}

/// One labelled hash.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BankEntry {
    pub hash: Hash256,
    /// PDQ quality 0-100 when known.
    pub quality: Option<u8>,
    pub label: String,
    /// Group / organisation the content is attributed to (e.g. an outlet name).
    pub group: String,
    /// Content type (e.g. `logo`, `flag`, `leader-photo`, `video-frame`).
    pub content_type: String,
    /// Where the hash came from (a hash list, a case, a file path).
    pub source: String,
    pub added_at: Option<DateTime<Utc>>,
}

/// Import/export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BankFormat {
    /// Marsad CSV with a header; `hash` required, the other columns
    /// (`label,group,content_type,source,added_at,quality`) optional, in any order.
    Csv,
    /// Meta's `pdq-photo-hasher` output: `hash,quality,path` (no header); label = path.
    Pdq,
    /// ThreatExchange / HMA exports: a header with `signal_type,signal_value` (python-
    /// threatexchange, HMA bank exports) or `indicator_type,indicator` / `type,indicator`
    /// (ThreatExchange descriptor CSVs); PDQ rows and MD5 / SHA-256 file digests are taken,
    /// other signal types are counted as skipped.
    ThreatExchange,
}

impl std::str::FromStr for BankFormat {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "csv" => Ok(BankFormat::Csv),
            "pdq" => Ok(BankFormat::Pdq),
            "te" | "threatexchange" | "hma" => Ok(BankFormat::ThreatExchange),
            _ => Err(format!("unknown bank format {s:?} (csv, pdq, te)")),
        }
    }
}

/// A rejected line of an import.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImportReject {
    pub line: u64,
    pub field: String,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct ImportReport {
    pub read: u64,
    pub imported: u64,
    pub duplicates: u64,
    /// Of `imported`: MD5 / SHA-256 file digests (kept in `exact.csv`).
    pub exact: u64,
    /// Rows of another signal type (e.g. URLs or video hashes in a ThreatExchange export).
    pub skipped: u64,
    pub rejected: u64,
    #[serde(skip)]
    pub rejects: Vec<ImportReject>,
}

/// Defaults for columns an import file lacks.
#[derive(Debug, Clone, Default)]
pub struct EntryDefaults {
    pub label: Option<String>,
    pub group: Option<String>,
    pub content_type: Option<String>,
    pub source: Option<String>,
}

/// The banks folder of a workspace.
#[derive(Debug, Clone)]
pub struct Banks {
    root: PathBuf,
}

/// A bank loaded for matching.
#[derive(Debug)]
pub struct LoadedBank {
    pub meta: BankMeta,
    pub index: HashIndex,
    offsets: Vec<u64>,
    csv_path: PathBuf,
}

/// Summary for `bank list`.
#[derive(Debug, Clone, Serialize)]
pub struct BankSummary {
    #[serde(flatten)]
    pub meta: BankMeta,
    pub hashes: u64,
    /// MD5 / SHA-256 file digests.
    pub exact: u64,
}

const CSV_HEADER: &str = "hash,quality,label,group,content_type,source,added_at";

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl Banks {
    /// Banks under `<workspace>/banks`.
    pub fn new(workspace_root: &Path) -> Self {
        Banks {
            root: workspace_root.join("banks"),
        }
    }

    fn dir(&self, name: &str) -> Result<PathBuf> {
        if !valid_name(name) {
            return Err(MediaError::BankName(name.to_string()));
        }
        Ok(self.root.join(name))
    }

    fn existing(&self, name: &str) -> Result<PathBuf> {
        let d = self.dir(name)?;
        if d.join("bank.json").is_file() {
            Ok(d)
        } else {
            Err(MediaError::NoSuchBank(name.to_string()))
        }
    }

    /// Create an empty bank.
    pub fn create(&self, name: &str, description: &str, negative: bool) -> Result<BankMeta> {
        let d = self.dir(name)?;
        if d.join("bank.json").exists() {
            return Err(MediaError::BankExists(name.to_string()));
        }
        fs::create_dir_all(&d).map_err(|e| MediaError::io(&d, e))?;
        let meta = BankMeta {
            name: name.to_string(),
            description: description.to_string(),
            negative,
            enabled: true,
            created_at: Utc::now(),
        };
        self.write_meta(&d, &meta)?;
        let csv = d.join("hashes.csv");
        fs::write(&csv, format!("{CSV_HEADER}\n")).map_err(|e| MediaError::io(&csv, e))?;
        tracing::info!(bank = name, negative, "bank created");
        Ok(meta)
    }

    fn write_meta(&self, d: &Path, meta: &BankMeta) -> Result<()> {
        let p = d.join("bank.json");
        let json = serde_json::to_string_pretty(meta).map_err(|e| MediaError::Format {
            path: p.clone(),
            reason: e.to_string(),
        })?;
        let tmp = d.join(".bank.json.tmp");
        fs::write(&tmp, json + "\n").map_err(|e| MediaError::io(&tmp, e))?;
        fs::rename(&tmp, &p).map_err(|e| MediaError::io(&p, e))
    }

    /// Read a bank's metadata.
    pub fn meta(&self, name: &str) -> Result<BankMeta> {
        let p = self.existing(name)?.join("bank.json");
        let s = fs::read_to_string(&p).map_err(|e| MediaError::io(&p, e))?;
        serde_json::from_str(&s).map_err(|e| MediaError::Format {
            path: p,
            reason: format!("bad bank.json: {e}"),
        })
    }

    /// Enable or disable a bank (a disabled bank is not matched against).
    pub fn set_enabled(&self, name: &str, enabled: bool) -> Result<BankMeta> {
        let mut meta = self.meta(name)?;
        meta.enabled = enabled;
        self.write_meta(&self.existing(name)?, &meta)?;
        Ok(meta)
    }

    /// All banks, sorted by name.
    pub fn list(&self) -> Result<Vec<BankSummary>> {
        let mut out = Vec::new();
        let rd = match fs::read_dir(&self.root) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(MediaError::io(&self.root, e)),
        };
        for e in rd {
            let e = e.map_err(|e| MediaError::io(&self.root, e))?;
            let name = e.file_name().to_string_lossy().to_string();
            if !valid_name(&name) || !e.path().join("bank.json").is_file() {
                continue;
            }
            let meta = self.meta(&name)?;
            let hashes = self.count(&name)?;
            let exact = count_csv_rows(&e.path().join(crate::exact::EXACT_FILE), true)?;
            out.push(BankSummary {
                meta,
                hashes,
                exact,
            });
        }
        out.sort_by(|a, b| a.meta.name.cmp(&b.meta.name));
        Ok(out)
    }

    /// Every entry of a bank, in file order.
    pub fn entries(&self, name: &str) -> Result<Vec<BankEntry>> {
        let p = self.existing(name)?.join("hashes.csv");
        let f = File::open(&p).map_err(|e| MediaError::io(&p, e))?;
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(BufReader::new(f));
        let mut out = Vec::new();
        for (i, row) in rdr.records().enumerate() {
            let line = i as u64 + 2;
            let row = row.map_err(|e| MediaError::Record {
                path: p.clone(),
                line,
                reason: e.to_string(),
            })?;
            out.push(row_to_entry(&row, &p, line)?);
        }
        Ok(out)
    }

    /// The bank's MD5 / SHA-256 file digests.
    pub fn exact_entries(&self, name: &str) -> Result<Vec<ExactEntry>> {
        crate::exact::read_entries(&self.existing(name)?)
    }

    /// Number of entries (rows are counted, not parsed).
    pub fn count(&self, name: &str) -> Result<u64> {
        count_csv_rows(&self.existing(name)?.join("hashes.csv"), false)
    }

    /// Import hashes from a file in `format`. Bad rows are rejected (line, field, reason);
    /// good rows are kept. A hash already in the bank with the same label is a duplicate.
    pub fn import(
        &self,
        name: &str,
        input: &Path,
        format: BankFormat,
        defaults: &EntryDefaults,
    ) -> Result<ImportReport> {
        let d = self.existing(name)?;
        let mut seen: HashSet<(Hash256, String)> = self
            .entries(name)?
            .into_iter()
            .map(|e| (e.hash, e.label))
            .collect();
        let mut seen_exact: HashSet<(DigestKind, String, String)> = crate::exact::read_entries(&d)?
            .into_iter()
            .map(|e| (e.algorithm, e.digest, e.label))
            .collect();
        let mut exact_out = ExactWriter::new(&d);
        let f = File::open(input).map_err(|e| MediaError::io(input, e))?;
        let mut report = ImportReport::default();
        let csv_path = d.join("hashes.csv");
        let out = OpenOptions::new()
            .append(true)
            .open(&csv_path)
            .map_err(|e| MediaError::io(&csv_path, e))?;
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(BufWriter::new(out));
        let now = Utc::now();
        let source_default = defaults
            .source
            .clone()
            .unwrap_or_else(|| input.display().to_string());
        let mut emit = |entry: std::result::Result<Option<Parsed>, ImportReject>,
                        report: &mut ImportReport|
         -> Result<()> {
            report.read += 1;
            match entry {
                Ok(None) => report.skipped += 1,
                Ok(Some(Parsed::Exact(mut e))) => {
                    if e.source.is_empty() {
                        e.source = source_default.clone();
                    }
                    for (v, d) in [
                        (&mut e.label, &defaults.label),
                        (&mut e.group, &defaults.group),
                        (&mut e.content_type, &defaults.content_type),
                    ] {
                        if v.is_empty() {
                            if let Some(d) = d {
                                *v = d.clone();
                            }
                        }
                    }
                    if !seen_exact.insert((e.algorithm, e.digest.clone(), e.label.clone())) {
                        report.duplicates += 1;
                        return Ok(());
                    }
                    exact_out.append(&e, now)?;
                    report.imported += 1;
                    report.exact += 1;
                }
                Ok(Some(Parsed::Pdq(mut e))) => {
                    if e.source.is_empty() {
                        e.source = source_default.clone();
                    }
                    let fill = |v: &mut String, d: &Option<String>| {
                        if v.is_empty() {
                            if let Some(d) = d {
                                *v = d.clone();
                            }
                        }
                    };
                    fill(&mut e.label, &defaults.label);
                    fill(&mut e.group, &defaults.group);
                    fill(&mut e.content_type, &defaults.content_type);
                    if !seen.insert((e.hash, e.label.clone())) {
                        report.duplicates += 1;
                        return Ok(());
                    }
                    let added = e.added_at.unwrap_or(now).to_rfc3339();
                    w.write_record([
                        e.hash.to_string(),
                        e.quality.map(|q| q.to_string()).unwrap_or_default(),
                        e.label,
                        e.group,
                        e.content_type,
                        e.source,
                        added,
                    ])
                    .map_err(|err| MediaError::Format {
                        path: csv_path.clone(),
                        reason: err.to_string(),
                    })?;
                    report.imported += 1;
                }
                Err(rej) => {
                    tracing::warn!(file = %input.display(), line = rej.line, field = %rej.field, "{}", rej.reason);
                    report.rejected += 1;
                    report.rejects.push(rej);
                }
            }
            Ok(())
        };
        match format {
            BankFormat::Pdq => {
                for (i, line) in BufReader::new(f).lines().enumerate() {
                    let line_no = i as u64 + 1;
                    let line = line.map_err(|e| MediaError::io(input, e))?;
                    if line.trim().is_empty() || line.starts_with('#') {
                        continue;
                    }
                    emit(
                        parse_pdq_line(&line, line_no).map(|e| e.map(Parsed::Pdq)),
                        &mut report,
                    )?;
                }
            }
            BankFormat::Csv | BankFormat::ThreatExchange => {
                let mut rdr = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .trim(csv::Trim::All)
                    .from_reader(BufReader::new(f));
                let mut records = rdr.records();
                let first = match records.next() {
                    None => None,
                    Some(r) => Some(r.map_err(|e| MediaError::Format {
                        path: input.to_path_buf(),
                        reason: format!("cannot read the header: {e}"),
                    })?),
                };
                let Some(first) = first else {
                    return Ok(report);
                };
                // A first field that is a hash (64 hex digits) or an MD5 (32) is data, not a
                // header.
                let headerless = format == BankFormat::ThreatExchange
                    && first.get(0).is_some_and(|c| {
                        let c = c.trim();
                        matches!(c.len(), 32 | 64) && c.bytes().all(|b| b.is_ascii_hexdigit())
                    });
                let cols = if headerless {
                    // python-threatexchange's local cache (`simple.<TYPE>.te`): no header.
                    Columns::te_cache(input, first.len())
                } else {
                    let headers: Vec<String> = first
                        .iter()
                        .map(|h| h.trim().to_ascii_lowercase())
                        .collect();
                    Columns::new(&headers, format).map_err(|reason| MediaError::Format {
                        path: input.to_path_buf(),
                        reason,
                    })?
                };
                if headerless {
                    emit(cols.entry(&first, 1), &mut report)?;
                }
                // Line 1 is the header or the first (already emitted) row.
                for (i, row) in records.enumerate() {
                    let line_no = i as u64 + 2;
                    let entry = match row {
                        Ok(row) => cols.entry(&row, line_no),
                        Err(e) => Err(ImportReject {
                            line: line_no,
                            field: String::new(),
                            reason: e.to_string(),
                        }),
                    };
                    emit(entry, &mut report)?;
                }
            }
        }
        w.flush().map_err(|e| MediaError::io(&csv_path, e))?;
        exact_out.flush()?;
        tracing::info!(
            bank = name,
            imported = report.imported,
            rejected = report.rejected,
            "bank import"
        );
        Ok(report)
    }

    /// Write a bank in `format` (CSV with header, or `hash,quality,label` pdq lines, or the
    /// ThreatExchange `signal_type,signal_value,...` CSV). CSV and ThreatExchange also carry
    /// the MD5 / SHA-256 digests (an `algorithm` column, or their signal type); the pdq format
    /// cannot, and leaves them out. Returns the number of rows written.
    pub fn export(&self, name: &str, format: BankFormat, out: &mut dyn Write) -> Result<u64> {
        let entries = self.entries(name)?;
        let exact = match format {
            BankFormat::Pdq => Vec::new(),
            _ => self.exact_entries(name)?,
        };
        let io = |e: csv::Error| MediaError::Format {
            path: PathBuf::from("<output>"),
            reason: e.to_string(),
        };
        let mut w = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(out);
        match format {
            BankFormat::Csv => w
                .write_record([
                    "hash",
                    "quality",
                    "label",
                    "group",
                    "content_type",
                    "source",
                    "added_at",
                    "algorithm",
                ])
                .map_err(io)?,
            BankFormat::ThreatExchange => w
                .write_record([
                    "signal_type",
                    "signal_value",
                    "quality",
                    "label",
                    "group",
                    "content_type",
                    "source",
                    "added_at",
                ])
                .map_err(io)?,
            BankFormat::Pdq => {}
        }
        // One row shape for both kinds: (signal, value, quality, label, group, content type,
        // source, added at).
        let rows = entries
            .iter()
            .map(|e| {
                (
                    "pdq",
                    e.hash.to_string(),
                    e.quality.map(|q| q.to_string()).unwrap_or_default(),
                    &e.label,
                    &e.group,
                    &e.content_type,
                    &e.source,
                    e.added_at,
                )
            })
            .chain(exact.iter().map(|e| {
                (
                    e.algorithm.as_str(),
                    e.digest.clone(),
                    String::new(),
                    &e.label,
                    &e.group,
                    &e.content_type,
                    &e.source,
                    e.added_at,
                )
            }));
        for (signal, value, q, label, group, content_type, source, added_at) in rows {
            let at = added_at.map(|t| t.to_rfc3339()).unwrap_or_default();
            match format {
                BankFormat::Csv => w
                    .write_record([
                        value.as_str(),
                        &q,
                        label,
                        group,
                        content_type,
                        source,
                        &at,
                        signal,
                    ])
                    .map_err(io)?,
                BankFormat::Pdq => w.write_record([value.as_str(), &q, label]).map_err(io)?,
                BankFormat::ThreatExchange => w
                    .write_record([
                        signal,
                        value.as_str(),
                        &q,
                        label,
                        group,
                        content_type,
                        source,
                        &at,
                    ])
                    .map_err(io)?,
            }
        }
        w.flush().map_err(|e| MediaError::io("<output>", e))?;
        Ok((entries.len() + exact.len()) as u64)
    }

    /// Load a bank for matching: its match index and the byte offset of each entry's row in
    /// `hashes.csv`, indexed by the index's ids (both cached next to it and rebuilt when older
    /// than the CSV or unreadable). Entries are read from the CSV only for hits, so loading
    /// does not grow with the labels.
    pub fn load(&self, name: &str) -> Result<LoadedBank> {
        let d = self.existing(name)?;
        let meta = self.meta(name)?;
        let csv_path = d.join("hashes.csv");
        let ix_path = d.join("index.mih");
        let off_path = d.join("entries.off");
        // `hashes.csv` is only ever appended to, so its length identifies its content: the
        // cached offsets record the length they were built from.
        let csv_len = fs::metadata(&csv_path)
            .map_err(|e| MediaError::io(&csv_path, e))?
            .len();
        if ix_path.is_file() && off_path.is_file() {
            match (read_offsets(&off_path), HashIndex::load(&ix_path)) {
                (Ok((built_from, offsets)), Ok(index))
                    if built_from == csv_len && index.len() == offsets.len() =>
                {
                    return Ok(LoadedBank {
                        meta,
                        index,
                        offsets,
                        csv_path,
                    });
                }
                (Err(e), _) | (_, Err(e)) => {
                    tracing::warn!(bank = name, "rebuilding the index: {e}")
                }
                _ => tracing::info!(bank = name, "index out of date; rebuilding"),
            }
        }
        let (hashes, rows) = scan_rows(&csv_path)?;
        let (index, id_of_row) = HashIndex::build(hashes)?;
        // Row offsets in id order, so that a hit's id finds its row.
        let mut offsets = vec![0u64; rows.len()];
        for (&off, &id) in rows.iter().zip(&id_of_row) {
            offsets[id as usize] = off;
        }
        if let Err(e) = index
            .save(&ix_path)
            .and_then(|()| write_offsets(&off_path, csv_len, &offsets))
        {
            tracing::warn!(bank = name, "cannot save the index: {e}");
        }
        Ok(LoadedBank {
            meta,
            index,
            offsets,
            csv_path,
        })
    }
}

impl LoadedBank {
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// The entry with this id (its row in `hashes.csv`, read at its byte offset).
    pub fn entry(&self, id: u32) -> Result<BankEntry> {
        let offset = *self
            .offsets
            .get(id as usize)
            .ok_or_else(|| MediaError::Format {
                path: self.csv_path.clone(),
                reason: format!("no entry {id}"),
            })?;
        let mut f = File::open(&self.csv_path).map_err(|e| MediaError::io(&self.csv_path, e))?;
        f.seek(SeekFrom::Start(offset))
            .map_err(|e| MediaError::io(&self.csv_path, e))?;
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(BufReader::new(f));
        let mut row = csv::StringRecord::new();
        let bad = |reason: String| MediaError::Format {
            path: self.csv_path.clone(),
            reason: format!("entry {id} at byte {offset}: {reason}"),
        };
        if !rdr.read_record(&mut row).map_err(|e| bad(e.to_string()))? {
            return Err(bad("missing (file changed while loaded?)".into()));
        }
        // Rows are numbered by the index, not by line: name the byte offset instead.
        row_to_entry(&row, &self.csv_path, 0).map_err(|e| match e {
            MediaError::Record { reason, .. } => bad(reason),
            e => e,
        })
    }
}

/// Data rows of a CSV file with a header, counted without parsing them; a missing file counts
/// 0 rows when `optional`, else is an error.
pub(crate) fn count_csv_rows(p: &Path, optional: bool) -> Result<u64> {
    let f = match File::open(p) {
        Ok(f) => f,
        Err(e) if optional && e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(MediaError::io(p, e)),
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(BufReader::new(f));
    let mut rec = csv::ByteRecord::new();
    let mut n = 0;
    while rdr
        .read_byte_record(&mut rec)
        .map_err(|e| MediaError::Record {
            path: p.to_path_buf(),
            line: n + 2,
            reason: e.to_string(),
        })?
    {
        n += 1;
    }
    Ok(n)
}

fn row_to_entry(row: &csv::StringRecord, p: &Path, line: u64) -> Result<BankEntry> {
    let get = |k: usize| row.get(k).unwrap_or("").to_string();
    let hash = get(0)
        .parse()
        .map_err(|e: crate::hash::ParseHashError| MediaError::Record {
            path: p.to_path_buf(),
            line,
            reason: format!("hash: {e}"),
        })?;
    Ok(BankEntry {
        hash,
        quality: get(1).parse().ok(),
        label: get(2),
        group: get(3),
        content_type: get(4),
        source: get(5),
        added_at: DateTime::parse_from_rfc3339(&get(6))
            .ok()
            .map(|t| t.with_timezone(&Utc)),
    })
}

/// Every row's hash and byte offset, parsing only the hash column.
fn scan_rows(p: &Path) -> Result<(Vec<Hash256>, Vec<u64>)> {
    let f = File::open(p).map_err(|e| MediaError::io(p, e))?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(BufReader::with_capacity(1 << 20, f));
    let mut rec = csv::ByteRecord::new();
    let (mut hashes, mut offsets) = (Vec::new(), Vec::new());
    loop {
        let line = offsets.len() as u64 + 2;
        let more = rdr
            .read_byte_record(&mut rec)
            .map_err(|e| MediaError::Record {
                path: p.to_path_buf(),
                line,
                reason: e.to_string(),
            })?;
        if !more {
            break;
        }
        let h = std::str::from_utf8(rec.get(0).unwrap_or(b""))
            .ok()
            .and_then(|s| s.parse::<Hash256>().ok())
            .ok_or_else(|| MediaError::Record {
                path: p.to_path_buf(),
                line,
                reason: "hash: not 64 hex digits".into(),
            })?;
        let pos = rec
            .position()
            .map(|p| p.byte())
            .ok_or_else(|| MediaError::Record {
                path: p.to_path_buf(),
                line,
                reason: "no position".into(),
            })?;
        hashes.push(h);
        offsets.push(pos);
    }
    Ok((hashes, offsets))
}

/// Version 2: offsets in the match index's id order (version 1 was in row order).
const OFF_MAGIC: &[u8; 8] = b"MRSDOFF2";

fn write_offsets(p: &Path, csv_len: u64, offsets: &[u64]) -> Result<()> {
    let mut buf = Vec::with_capacity(24 + offsets.len() * 8);
    buf.extend_from_slice(OFF_MAGIC);
    buf.extend_from_slice(&csv_len.to_le_bytes());
    buf.extend_from_slice(&(offsets.len() as u64).to_le_bytes());
    for o in offsets {
        buf.extend_from_slice(&o.to_le_bytes());
    }
    let tmp = p.with_extension("off.tmp");
    fs::write(&tmp, &buf).map_err(|e| MediaError::io(&tmp, e))?;
    fs::rename(&tmp, p).map_err(|e| MediaError::io(p, e))
}

/// The CSV length the offsets were built from, and the offsets.
fn read_offsets(p: &Path) -> Result<(u64, Vec<u64>)> {
    let bytes = fs::read(p).map_err(|e| MediaError::io(p, e))?;
    let bad = || MediaError::Format {
        path: p.to_path_buf(),
        reason: "not a Marsad entry-offset file".into(),
    };
    if bytes.len() < 24 || &bytes[..8] != OFF_MAGIC {
        return Err(bad());
    }
    let word = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&bytes[i..i + 8]);
        u64::from_le_bytes(b)
    };
    let (csv_len, n) = (word(8), word(16) as usize);
    if bytes.len() != 24 + n.saturating_mul(8) {
        return Err(bad());
    }
    Ok((csv_len, (0..n).map(|k| word(24 + 8 * k)).collect()))
}

fn parse_pdq_line(
    line: &str,
    line_no: u64,
) -> std::result::Result<Option<BankEntry>, ImportReject> {
    let mut f = line.splitn(3, ',');
    let h = f.next().unwrap_or("").trim();
    let hash: Hash256 = h.parse().map_err(|e| ImportReject {
        line: line_no,
        field: "hash".into(),
        reason: format!("{e}: {h:?}"),
    })?;
    let q = f.next().unwrap_or("").trim();
    let quality = if q.is_empty() {
        None
    } else {
        Some(parse_quality(q).ok_or_else(|| ImportReject {
            line: line_no,
            field: "quality".into(),
            reason: format!("quality must be 0-100, found {q:?}"),
        })?)
    };
    let path = f.next().unwrap_or("").trim().to_string();
    Ok(Some(BankEntry {
        hash,
        quality,
        label: path.clone(),
        group: String::new(),
        content_type: String::new(),
        source: path,
        added_at: None,
    }))
}

fn parse_quality(q: &str) -> Option<u8> {
    q.parse::<u8>().ok().filter(|&v| v <= 100)
}

/// A parsed import row: a PDQ entry or a file digest.
enum Parsed {
    Pdq(BankEntry),
    Exact(ExactEntry),
}

/// What a row's signal type says it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signal {
    Pdq,
    Exact(DigestKind),
    /// Another signal type (URLs, video hashes, text): skipped.
    Other,
}

fn signal_of(type_name: &str) -> Signal {
    let t = type_name.trim().to_ascii_lowercase();
    if t.is_empty() || is_pdq_type(&t) {
        Signal::Pdq
    } else if let Some(k) = DigestKind::from_type_name(&t) {
        Signal::Exact(k)
    } else {
        Signal::Other
    }
}

/// Column positions of a CSV import.
#[derive(Debug)]
struct Columns {
    hash: usize,
    /// The signal-type column (ThreatExchange formats; `algorithm` in Marsad CSV).
    kind: Option<usize>,
    /// Headerless ThreatExchange cache files: the signal type from the file name
    /// (`simple.HASH_PDQ.te`, `simple.HASH_MD5.te`).
    file_signal: Option<Signal>,
    quality: Option<usize>,
    label: Option<usize>,
    group: Option<usize>,
    content_type: Option<usize>,
    source: Option<usize>,
    added_at: Option<usize>,
}

/// Signal-type names of PDQ in ThreatExchange / HMA files (lower-cased).
fn is_pdq_type(t: &str) -> bool {
    matches!(
        t,
        "pdq" | "hash_pdq" | "photo_pdq" | "pdqsignal" | "pdq_signal"
    )
}

impl Columns {
    fn new(h: &[String], format: BankFormat) -> std::result::Result<Self, String> {
        let find = |names: &[&str]| h.iter().position(|c| names.contains(&c.as_str()));
        let (hash, kind) = match format {
            BankFormat::Csv => (
                find(&["hash", "pdq", "pdq_hash", "digest"])
                    .ok_or("no `hash` column in the header")?,
                find(&["algorithm", "signal_type", "hash_type"]),
            ),
            _ => {
                let value = find(&["signal_value", "signal_str", "indicator", "hash", "signal"])
                    .ok_or("no `signal_value` or `indicator` column in the header")?;
                let kind = find(&["signal_type", "indicator_type", "type"]);
                (value, kind)
            }
        };
        Ok(Columns {
            hash,
            kind,
            file_signal: None,
            quality: find(&["quality"]),
            label: find(&["label", "tags", "description", "labels"]),
            group: find(&[
                "group",
                "owner",
                "owner_id",
                "privacy_group",
                "collab",
                "bank",
                "organisation",
                "organization",
            ]),
            content_type: find(&["content_type", "content type", "category"]),
            source: find(&["source", "path", "id", "content_id", "url"]),
            added_at: find(&[
                "added_at",
                "added_on",
                "created_at",
                "creation_time",
                "updated_at",
            ]),
        })
    }

    /// Columns of python-threatexchange's headerless cache rows: `indicator,
    /// first_descriptor_id, added_on, labels` (CLI, 4 fields) or `indicator, indicator_id,
    /// first_descriptor_id, added_on, labels` (HMA, 5 fields); the signal type is in the file
    /// name `simple.<TYPE>.te` (any other name: taken as PDQ, since the values parse as such).
    fn te_cache(path: &Path, fields: usize) -> Self {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let file_signal = name
            .strip_prefix("simple.")
            .and_then(|rest| rest.strip_suffix(".te"))
            .map(signal_of);
        let hma = fields >= 5;
        Columns {
            hash: 0,
            kind: None,
            file_signal,
            quality: None,
            label: Some(if hma { 4 } else { 3 }),
            group: None,
            content_type: None,
            source: Some(1),
            added_at: Some(if hma { 3 } else { 2 }),
        }
    }

    fn entry(
        &self,
        row: &csv::StringRecord,
        line: u64,
    ) -> std::result::Result<Option<Parsed>, ImportReject> {
        let get = |i: Option<usize>| i.and_then(|i| row.get(i)).unwrap_or("").trim().to_string();
        let signal = match (self.file_signal, self.kind) {
            (Some(s), _) => s,
            (None, Some(k)) => signal_of(&get(Some(k))),
            (None, None) => Signal::Pdq,
        };
        let digest = match signal {
            Signal::Other => return Ok(None),
            Signal::Exact(k) => Some(k),
            Signal::Pdq => None,
        };
        let h = get(Some(self.hash));
        if let Some(k) = digest {
            let digest = k.canonical(&h).map_err(|reason| ImportReject {
                line,
                field: "hash".into(),
                reason,
            })?;
            return Ok(Some(Parsed::Exact(ExactEntry {
                algorithm: k,
                digest,
                label: get(self.label),
                group: get(self.group),
                content_type: get(self.content_type),
                source: get(self.source),
                added_at: self.added_at(row, line)?,
            })));
        }
        let hash: Hash256 = h.parse().map_err(|e| ImportReject {
            line,
            field: "hash".into(),
            reason: format!("{e}: {h:?}"),
        })?;
        let q = get(self.quality);
        let quality = if q.is_empty() {
            None
        } else {
            Some(parse_quality(&q).ok_or_else(|| ImportReject {
                line,
                field: "quality".into(),
                reason: format!("quality must be 0-100, found {q:?}"),
            })?)
        };
        let added_at = self.added_at(row, line)?;
        Ok(Some(Parsed::Pdq(BankEntry {
            hash,
            quality,
            label: get(self.label),
            group: get(self.group),
            content_type: get(self.content_type),
            source: get(self.source),
            added_at,
        })))
    }

    /// The row's `added_at`: RFC 3339, Unix seconds or ThreatExchange's `+0000` form.
    fn added_at(
        &self,
        row: &csv::StringRecord,
        line: u64,
    ) -> std::result::Result<Option<DateTime<Utc>>, ImportReject> {
        let at = self
            .added_at
            .and_then(|i| row.get(i))
            .unwrap_or("")
            .trim()
            .to_string();
        Ok(if at.is_empty() {
            None
        } else if let Ok(t) = DateTime::parse_from_rfc3339(&at) {
            Some(t.with_timezone(&Utc))
        } else if let Ok(secs) = at.parse::<i64>() {
            DateTime::from_timestamp(secs, 0)
        } else if let Ok(t) = DateTime::parse_from_str(&at, "%Y-%m-%dT%H:%M:%S%z") {
            // ThreatExchange's `added_on`: `2020-07-01T18:04:07+0000`.
            Some(t.with_timezone(&Utc))
        } else {
            return Err(ImportReject {
                line,
                field: "added_at".into(),
                reason: format!("not an RFC 3339 time or Unix seconds: {at:?}"),
            });
        })
    }
}
