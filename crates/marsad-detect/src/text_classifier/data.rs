//! Labelled examples: the [`LabelledSource`] hook and its readers (JSON lines, CSV/TSV).
//!
//! Delimited files are read **one record per line**: the fields before the text column are
//! taken from the left, the fields after it from the right, and the text is everything in
//! between. This is what makes `osact2022/train.csv` readable: row 7395 opens a quote it
//! never closes and the ~330 rows after it are tab-separated, which a standard CSV reader
//! merges into one field (8,557 records instead of 8,887). Here a comma file also accepts a
//! tab as separator on such lines, and each is counted in [`ReadStats::mixed_separators`].

use std::io::BufRead;
use std::path::{Path, PathBuf};

use super::ClassifierError;

/// One labelled text. An empty `labels` is a negative example for every label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub text: String,
    pub labels: Vec<String>,
}

/// A record that could not be read (the rest of the input is kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub source: String,
    pub line: u64,
    pub field: String,
    pub reason: String,
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: field {}: {}",
            self.source, self.line, self.field, self.reason
        )
    }
}

/// Where training examples come from: files today, the review queue's analyst decisions
/// later. Readers yield examples in a fixed order; a bad record is a [`Rejected`] item and
/// reading goes on; an I/O error ends the source.
pub trait LabelledSource {
    /// A name for messages and the training fingerprint (file path, "reviews").
    fn name(&self) -> String;
    /// The next example, a rejected record, or `None` at the end.
    fn next_example(&mut self) -> Option<Result<Example, ReadError>>;
}

/// Why an item could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// One record is bad; the next one may be fine.
    Record(Rejected),
    /// The source cannot go on.
    Fatal(ClassifierError),
}

/// Counters kept by the readers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadStats {
    pub read: u64,
    pub rejected: u64,
    /// Lines of a comma file that used tabs as separators (the OSACT 2022 trap).
    pub mixed_separators: u64,
}

/// How a delimited file's columns map to a text and labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Text column: a header name, or a 1-based number.
    pub text_col: String,
    pub labels: Vec<LabelCol>,
    /// The file has no header row (columns are then given by number).
    pub no_header: bool,
}

/// `--label-col [LABEL:]COLUMN=VALUE`: the label is present when the column's value matches.
/// VALUE is `|`-separated alternatives; `X*` matches a prefix; a leading `!` negates the
/// whole test (`Hate=!NOT_HS`: any hate type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelCol {
    pub label: String,
    pub column: String,
    pub values: Vec<String>,
    pub negate: bool,
}

impl std::str::FromStr for LabelCol {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (lhs, value) = s
            .split_once('=')
            .ok_or_else(|| format!("{s:?}: expected [LABEL:]COLUMN=VALUE"))?;
        let (label, column) = match lhs.split_once(':') {
            Some((l, c)) => (l.trim().to_string(), c.trim().to_string()),
            None => (lhs.trim().to_lowercase(), lhs.trim().to_string()),
        };
        if label.is_empty() || column.is_empty() {
            return Err(format!("{s:?}: empty label or column name"));
        }
        let (negate, value) = match value.strip_prefix('!') {
            Some(v) => (true, v),
            None => (false, value),
        };
        let values: Vec<String> = value.split('|').map(|v| v.trim().to_string()).collect();
        if values.iter().any(String::is_empty) {
            return Err(format!("{s:?}: empty value"));
        }
        Ok(LabelCol {
            label,
            column,
            values,
            negate,
        })
    }
}

impl LabelCol {
    pub fn matches(&self, v: &str) -> bool {
        let v = v.trim();
        let hit = self.values.iter().any(|want| match want.strip_suffix('*') {
            Some(prefix) => v.starts_with(prefix),
            None => v == want,
        });
        hit != self.negate
    }
}

/// The input format of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Jsonl,
    Csv,
    Tsv,
}

impl FileKind {
    /// From the extension: `.jsonl`/`.json`/`.ndjson`, `.csv`, `.tsv`/`.tab`.
    pub fn from_path(p: &Path) -> Option<FileKind> {
        let ext = p.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" | "json" | "ndjson" => Some(FileKind::Jsonl),
            "csv" => Some(FileKind::Csv),
            "tsv" | "tab" => Some(FileKind::Tsv),
            _ => None,
        }
    }
}

/// Open a file as a labelled source.
pub fn open(
    path: &Path,
    kind: Option<FileKind>,
    columns: Option<&ColumnSpec>,
) -> Result<Box<dyn LabelledSource>, ClassifierError> {
    let kind = kind.or_else(|| FileKind::from_path(path)).ok_or_else(|| {
        ClassifierError::Input(format!(
            "{}: cannot tell the format from the extension (use .jsonl, .csv or .tsv)",
            path.display()
        ))
    })?;
    let file = std::fs::File::open(path).map_err(|e| ClassifierError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let reader = std::io::BufReader::with_capacity(1 << 16, file);
    match kind {
        FileKind::Jsonl => Ok(Box::new(JsonlSource::new(path.to_path_buf(), reader))),
        FileKind::Csv | FileKind::Tsv => {
            let spec = columns.ok_or_else(|| {
                ClassifierError::Input(format!(
                    "{}: a CSV/TSV file needs --text-col and --label-col",
                    path.display()
                ))
            })?;
            let delim = if kind == FileKind::Csv { b',' } else { b'\t' };
            Ok(Box::new(DelimitedSource::new(
                path.to_path_buf(),
                reader,
                delim,
                spec.clone(),
            )?))
        }
    }
}

/// JSON lines `{"text": "...", "labels": ["a", "b"]}`.
#[derive(Debug)]
pub struct JsonlSource<R> {
    path: PathBuf,
    reader: R,
    line: u64,
    buf: String,
}

impl<R: BufRead> JsonlSource<R> {
    pub fn new(path: PathBuf, reader: R) -> Self {
        JsonlSource {
            path,
            reader,
            line: 0,
            buf: String::new(),
        }
    }

    fn reject(&self, field: &str, reason: impl Into<String>) -> ReadError {
        ReadError::Record(Rejected {
            source: self.path.display().to_string(),
            line: self.line,
            field: field.to_string(),
            reason: reason.into(),
        })
    }
}

#[derive(serde::Deserialize)]
struct JsonExample {
    text: Option<serde_json::Value>,
    labels: Option<serde_json::Value>,
}

impl<R: BufRead> LabelledSource for JsonlSource<R> {
    fn name(&self) -> String {
        self.path.display().to_string()
    }

    fn next_example(&mut self) -> Option<Result<Example, ReadError>> {
        loop {
            self.buf.clear();
            match self.reader.read_line(&mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(e) => {
                    return Some(Err(ReadError::Fatal(ClassifierError::Io {
                        path: self.path.clone(),
                        source: e,
                    })))
                }
            }
            self.line += 1;
            let l = self.buf.trim().trim_start_matches('\u{feff}');
            if l.is_empty() {
                continue;
            }
            let v: JsonExample = match serde_json::from_str(l) {
                Ok(v) => v,
                Err(e) => return Some(Err(self.reject("(line)", format!("not JSON: {e}")))),
            };
            let text = match v.text {
                Some(serde_json::Value::String(s)) => s,
                Some(_) => return Some(Err(self.reject("text", "not a string"))),
                None => return Some(Err(self.reject("text", "missing"))),
            };
            let labels = match v.labels {
                Some(serde_json::Value::Array(a)) => {
                    let mut out = Vec::with_capacity(a.len());
                    for x in a {
                        match x {
                            serde_json::Value::String(s) if !s.trim().is_empty() => {
                                out.push(s.trim().to_string())
                            }
                            _ => {
                                return Some(Err(
                                    self.reject("labels", "every label must be a non-empty string")
                                ))
                            }
                        }
                    }
                    out.sort();
                    out.dedup();
                    out
                }
                Some(_) => return Some(Err(self.reject("labels", "not a list"))),
                None => {
                    return Some(Err(
                        self.reject("labels", "missing (use [] for a negative example)")
                    ))
                }
            };
            return Some(Ok(Example { text, labels }));
        }
    }
}

/// CSV/TSV, one record per line (see the module documentation).
#[derive(Debug)]
pub struct DelimitedSource<R> {
    path: PathBuf,
    reader: R,
    delim: u8,
    line: u64,
    buf: String,
    /// Number of columns (from the header or the first line).
    ncols: usize,
    text_col: usize,
    /// (label, column index, test)
    label_cols: Vec<(usize, LabelCol)>,
    /// The first data line when there is no header (read to count the columns).
    pending: Option<String>,
    pub stats: ReadStats,
}

fn split_fields(line: &str, delim: u8) -> Vec<String> {
    // Simple quote-aware split of one line (header or first line).
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '"' {
            if quoted && chars.peek() == Some(&'"') {
                cur.push('"');
                chars.next();
            } else {
                quoted = !quoted;
            }
        } else if c as u32 == delim as u32 && !quoted {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

fn unquote(s: &str) -> String {
    let t = s.trim_matches(|c| c == '\r' || c == '\n');
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        t[1..t.len() - 1].replace("\"\"", "\"")
    } else if let Some(rest) = t.strip_prefix('"') {
        // An unbalanced opening quote (OSACT 2022 row 7395): drop it.
        rest.to_string()
    } else {
        t.to_string()
    }
}

impl<R: BufRead> DelimitedSource<R> {
    pub fn new(
        path: PathBuf,
        mut reader: R,
        delim: u8,
        spec: ColumnSpec,
    ) -> Result<Self, ClassifierError> {
        let mut first = String::new();
        let n = reader
            .read_line(&mut first)
            .map_err(|e| ClassifierError::Io {
                path: path.clone(),
                source: e,
            })?;
        if n == 0 {
            return Err(ClassifierError::Input(format!(
                "{}: empty file",
                path.display()
            )));
        }
        let first_trim = first.trim_end_matches(['\r', '\n']).to_string();
        let header = split_fields(&first_trim, delim);
        let ncols = header.len();
        let resolve = |name: &str, what: &str| -> Result<usize, ClassifierError> {
            if let Ok(i) = name.parse::<usize>() {
                if i >= 1 && i <= ncols {
                    return Ok(i - 1);
                }
                return Err(ClassifierError::Input(format!(
                    "{}: {what} column {i} does not exist ({ncols} columns)",
                    path.display()
                )));
            }
            if spec.no_header {
                return Err(ClassifierError::Input(format!(
                    "{}: {what} column {name:?}: without a header, give columns by number (1-based)",
                    path.display()
                )));
            }
            header
                .iter()
                .position(|h| h.trim().trim_start_matches('\u{feff}') == name)
                .ok_or_else(|| {
                    ClassifierError::Input(format!(
                        "{}: no {what} column {name:?} in the header (columns: {})",
                        path.display(),
                        header.join(", ")
                    ))
                })
        };
        let text_col = resolve(&spec.text_col, "text")?;
        let mut label_cols = Vec::new();
        for lc in &spec.labels {
            let i = resolve(&lc.column, "label")?;
            if i == text_col {
                return Err(ClassifierError::Input(format!(
                    "{}: label column {:?} is the text column",
                    path.display(),
                    lc.column
                )));
            }
            label_cols.push((i, lc.clone()));
        }
        Ok(DelimitedSource {
            path,
            reader,
            delim,
            line: 1,
            buf: String::new(),
            ncols,
            text_col,
            label_cols,
            pending: spec.no_header.then_some(first),
            stats: ReadStats::default(),
        })
    }

    fn reject(&self, field: &str, reason: impl Into<String>) -> ReadError {
        ReadError::Record(Rejected {
            source: self.path.display().to_string(),
            line: self.line,
            field: field.to_string(),
            reason: reason.into(),
        })
    }

    /// Split one data line: the fields left of the text from the left, the fields right of it
    /// from the right, the text in between. Returns `None` when there are too few fields.
    fn parse(&mut self, line: &str) -> Option<Vec<String>> {
        let is_sep = |c: char, mixed: bool| c as u32 == self.delim as u32 || (mixed && c == '\t');
        let mixed_allowed = self.delim == b',';
        let try_split = |mixed: bool| -> Option<Vec<String>> {
            let mut fields = vec![String::new(); self.ncols];
            let mut rest = line;
            for f in fields.iter_mut().take(self.text_col) {
                let i = rest.find(|c| is_sep(c, mixed))?;
                *f = unquote(&rest[..i]);
                rest = &rest[i + 1..];
            }
            for k in (self.text_col + 1..self.ncols).rev() {
                let i = rest.rfind(|c| is_sep(c, mixed))?;
                fields[k] = unquote(&rest[i + 1..]);
                rest = &rest[..i];
            }
            fields[self.text_col] = unquote(rest);
            Some(fields)
        };
        // A line whose other fields are all found with the file's separator is normal;
        // otherwise (a comma file) try tabs as separators too.
        if let Some(f) = try_split(false) {
            let text_col = self.text_col;
            let clean = f
                .iter()
                .enumerate()
                .all(|(i, v)| i == text_col || !v.contains('\t'));
            if clean || !mixed_allowed {
                return Some(f);
            }
        }
        if mixed_allowed {
            let f = try_split(true)?;
            self.stats.mixed_separators += 1;
            return Some(f);
        }
        None
    }
}

impl<R: BufRead> LabelledSource for DelimitedSource<R> {
    fn name(&self) -> String {
        self.path.display().to_string()
    }

    fn next_example(&mut self) -> Option<Result<Example, ReadError>> {
        loop {
            let line = if let Some(p) = self.pending.take() {
                p
            } else {
                self.buf.clear();
                match self.reader.read_line(&mut self.buf) {
                    Ok(0) => return None,
                    Ok(_) => {}
                    Err(e) => {
                        return Some(Err(ReadError::Fatal(ClassifierError::Io {
                            path: self.path.clone(),
                            source: e,
                        })))
                    }
                }
                self.line += 1;
                std::mem::take(&mut self.buf)
            };
            let l = line.trim_end_matches(['\r', '\n']);
            if l.trim().is_empty() {
                continue;
            }
            self.stats.read += 1;
            let Some(fields) = self.parse(l) else {
                self.stats.rejected += 1;
                return Some(Err(
                    self.reject("(line)", format!("fewer than {} fields", self.ncols))
                ));
            };
            let text = fields[self.text_col].replace("<LF>", "\n");
            if text.trim().is_empty() {
                self.stats.rejected += 1;
                return Some(Err(
                    self.reject(&format!("column {}", self.text_col + 1), "empty text")
                ));
            }
            let mut labels: Vec<String> = self
                .label_cols
                .iter()
                .filter(|(i, lc)| lc.matches(&fields[*i]))
                .map(|(_, lc)| lc.label.clone())
                .collect();
            labels.sort();
            labels.dedup();
            return Some(Ok(Example { text, labels }));
        }
    }
}

/// Read every example of a source; rejected records are passed to `on_reject`.
pub fn read_all(
    src: &mut dyn LabelledSource,
    on_reject: &mut dyn FnMut(&Rejected),
) -> Result<Vec<Example>, ClassifierError> {
    let mut out = Vec::new();
    while let Some(r) = src.next_example() {
        match r {
            Ok(e) => out.push(e),
            Err(ReadError::Record(rej)) => on_reject(&rej),
            Err(ReadError::Fatal(e)) => return Err(e),
        }
    }
    Ok(out)
}

/// Deterministic split by text: `true` when the example belongs to the held-out part of
/// fraction `frac` under `seed`. The same match key always lands on the same side, so
/// duplicate tweets (retweets, copies) never sit on both sides of a split.
pub fn in_fraction(text: &str, seed: u64, salt: u64, frac: f64) -> bool {
    if frac <= 0.0 {
        return false;
    }
    let key = marsad_text::match_key(text);
    let h = super::features::hash_str(seed ^ salt.rotate_left(17) ^ 0x5851_F42D_4C95_7F2D, &key);
    (h >> 11) as f64 / (1u64 << 53) as f64 <= frac
}

/// Salt of the evaluation hold-out split (`--holdout`).
pub const SALT_HOLDOUT: u64 = 1;
/// Salt of the validation split inside the training data (`--valid-frac`).
pub const SALT_VALID: u64 = 2;

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str, delim: u8, spec: ColumnSpec) -> Vec<Result<Example, String>> {
        let mut s = DelimitedSource::new(
            PathBuf::from("t.csv"),
            std::io::Cursor::new(text.as_bytes().to_vec()),
            delim,
            spec,
        )
        .unwrap();
        let mut out = Vec::new();
        while let Some(r) = s.next_example() {
            out.push(r.map_err(|e| match e {
                ReadError::Record(r) => r.to_string(),
                ReadError::Fatal(e) => e.to_string(),
            }));
        }
        out
    }

    fn osact_spec() -> ColumnSpec {
        ColumnSpec {
            text_col: "Tweet".into(),
            labels: vec![
                "Offensive=OFF".parse().unwrap(),
                "hate:Hate=!NOT_HS".parse().unwrap(),
            ],
            no_header: false,
        }
    }

    #[test]
    fn osact_2022_trap() {
        let text = "Id,Tweet,Offensive,Hate,Vulgar,Violence\n\
            1,hello, world,OFF,NOT_HS,NOT_VLG,NOT_VIO\n\
            2,\" broken quote\tNOT_OFF\tHS3\tNOT_VLG\tNOT_VIO\n\
            3\tinside\ttabs\tOFF\tNOT_HS\tNOT_VLG\tNOT_VIO\n\
            4,\"quoted, \"\"x\"\"\",NOT_OFF,NOT_HS,NOT_VLG,NOT_VIO\n\
            5,too,few\n";
        let r = src(text, b',', osact_spec());
        assert_eq!(r.len(), 5);
        let ex = |i: usize| r[i].as_ref().unwrap();
        assert_eq!(ex(0).text, "hello, world");
        assert_eq!(ex(0).labels, ["offensive"]);
        assert_eq!(ex(1).text, " broken quote");
        assert_eq!(ex(1).labels, ["hate"]);
        assert_eq!(ex(2).text, "inside\ttabs");
        assert_eq!(ex(2).labels, ["offensive"]);
        assert_eq!(ex(3).text, "quoted, \"x\"");
        assert!(ex(3).labels.is_empty());
        let e = r[4].as_ref().unwrap_err();
        assert!(e.contains("t.csv:6") && e.contains("fewer than 6"), "{e}");
    }

    #[test]
    fn headerless_tsv_by_number() {
        let text = "a b<LF>c\tOFF\tHS\nd\tNOT_OFF\tNOT_HS\n";
        let spec = ColumnSpec {
            text_col: "1".into(),
            labels: vec![
                "offensive:2=OFF".parse().unwrap(),
                "hate:3=HS".parse().unwrap(),
            ],
            no_header: true,
        };
        let r = src(text, b'\t', spec);
        assert_eq!(r.len(), 2);
        let a = r[0].as_ref().unwrap();
        assert_eq!(a.text, "a b\nc");
        assert_eq!(a.labels, ["hate", "offensive"]);
        assert!(r[1].as_ref().unwrap().labels.is_empty());
    }

    #[test]
    fn unknown_column_is_named() {
        let e = DelimitedSource::new(
            PathBuf::from("x.csv"),
            std::io::Cursor::new(b"Id,Tweet\n".to_vec()),
            b',',
            ColumnSpec {
                text_col: "Text".into(),
                labels: vec![],
                no_header: false,
            },
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("x.csv") && e.contains("\"Text\"") && e.contains("Id, Tweet"),
            "{e}"
        );
    }

    #[test]
    fn label_col_syntax() {
        let l: LabelCol = "Hate=HS*".parse().unwrap();
        assert_eq!(l.label, "hate");
        assert!(l.matches("HS3") && !l.matches("NOT_HS"));
        let l: LabelCol = "x:Hate=!NOT_HS".parse().unwrap();
        assert!(l.matches("HS1") && !l.matches("NOT_HS"));
        let l: LabelCol = "v:2=A|B".parse().unwrap();
        assert!(l.matches("B") && !l.matches("C"));
        assert!("nope".parse::<LabelCol>().is_err());
    }

    #[test]
    fn jsonl_records_and_rejects() {
        let text = "\u{feff}{\"text\":\"a\",\"labels\":[\"x\",\"x\"]}\n\n{\"text\":1,\"labels\":[]}\n{\"text\":\"b\"}\nnot json\n{\"text\":\"c\",\"labels\":[]}\n";
        let mut s = JsonlSource::new(
            PathBuf::from("d.jsonl"),
            std::io::Cursor::new(text.as_bytes().to_vec()),
        );
        let mut rejects = Vec::new();
        let ex = read_all(&mut s, &mut |r| rejects.push(r.to_string())).unwrap();
        assert_eq!(ex.len(), 2);
        assert_eq!(ex[0].labels, ["x"]);
        assert!(ex[1].labels.is_empty());
        assert_eq!(rejects.len(), 3);
        assert!(
            rejects[0].starts_with("d.jsonl:3: field text"),
            "{rejects:?}"
        );
        assert!(rejects[1].contains("field labels"), "{rejects:?}");
    }

    #[test]
    fn split_is_deterministic_and_by_text() {
        let n = (0..2000)
            .filter(|i| in_fraction(&format!("tweet {i}"), 7, SALT_HOLDOUT, 0.2))
            .count();
        assert!((300..500).contains(&n), "{n}");
        // Same key, same side: tatweel does not move a text across the split.
        for i in 0..50 {
            let a = format!("مرحبا {i}");
            let b = format!("مرحـــبا {i}");
            assert_eq!(
                in_fraction(&a, 7, SALT_HOLDOUT, 0.3),
                in_fraction(&b, 7, SALT_HOLDOUT, 0.3)
            );
        }
    }
}
