//! Shared machinery for importers: streaming JSON walking, tolerant JSON reading, times,
//! positions and reject helpers.

use crate::{Position, Reject, SourceError, Stop};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::Value;
use std::fmt;
use std::io::{self, BufRead, Read};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// How many characters of a raw record a reject keeps.
pub const EXCERPT_CHARS: usize = 500;

/// The first [`EXCERPT_CHARS`] characters of `s`.
pub fn excerpt(s: &str) -> String {
    match s.char_indices().nth(EXCERPT_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The field a serde error blames (`missing field `id``, `unknown field `x``...), if any.
pub fn field_of(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_string())
}

/// A reject for a record that failed to deserialize or validate.
pub fn reject(
    source: &'static str,
    position: Position,
    field: Option<&str>,
    reason: impl Into<String>,
    raw: &str,
) -> Reject {
    Reject {
        source,
        position,
        field: field.map(str::to_string),
        reason: reason.into(),
        raw_excerpt: excerpt(raw),
    }
}

/// A reject for a serde error, naming the field serde blamed.
pub fn reject_serde(
    source: &'static str,
    position: Position,
    err: &serde_json::Error,
    raw: &str,
) -> Reject {
    let msg = err.to_string();
    // Positions inside a single record are relative to it: keep only the message part.
    let reason = match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.clone(),
    };
    reject(source, position, field_of(&msg).as_deref(), reason, raw)
}

/// The position of a JSON syntax error in a file.
pub fn json_error_position(file: &Path, err: &serde_json::Error) -> Position {
    Position {
        line: (err.line() > 0).then_some(err.line() as u64),
        column: (err.column() > 0).then_some(err.column() as u64),
        ..Position::file(file)
    }
}

// ---------------------------------------------------------------------------------------
// Times

/// Unix seconds to UTC. `0` and out-of-range values are `None` (anonymised exports write
/// `"0000000000"`).
pub fn unix_seconds(secs: i64) -> Option<DateTime<Utc>> {
    if secs == 0 {
        return None;
    }
    Utc.timestamp_opt(secs, 0).single()
}

/// Parses the time spellings found in exports: RFC 3339 (`2016-12-09T12:50:51.555Z`),
/// naive ISO (`2022-03-21T11:11:11`, taken as UTC), `2020-10-29 14:56:05` (UTC), a date,
/// X v1 (`Wed Oct 10 20:19:24 +0000 2018`), or unix seconds / milliseconds as digits.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = s.parse().ok()?;
        return if s.len() >= 13 {
            Utc.timestamp_millis_opt(n).single()
        } else {
            unix_seconds(n)
        };
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t.and_utc());
        }
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%a %b %d %H:%M:%S %z %Y") {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S %z") {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    }
    None
}

/// A JSON value (number or string) as a time: numbers are unix seconds.
pub fn json_time(v: &Value) -> Option<DateTime<Utc>> {
    match v {
        Value::Number(n) => n.as_i64().and_then(unix_seconds),
        Value::String(s) => parse_time(s),
        _ => None,
    }
}

/// A JSON id (number or string) as a string; `None` for null, empty or other types.
pub fn json_id(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A JSON count (number, or a string of digits) as i64.
pub fn json_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A non-empty JSON string.
pub fn json_str(v: &Value) -> Option<String> {
    v.as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

// ---------------------------------------------------------------------------------------
// Lines

/// The longest line a line-based importer reads (64 MiB); a longer one is rejected.
pub const MAX_LINE: usize = 64 << 20;

/// What [`read_line_capped`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// End of input.
    Eof,
    /// A line (with its `\n`, if any) is in the buffer.
    Read,
    /// The line was longer than the cap: it was skipped, the buffer is empty. Holds its size.
    TooLong(u64),
}

/// Reads one line into `buf` (cleared first), holding at most `cap` bytes in memory: a
/// longer line is read to its end and dropped, so memory stays bounded whatever the input.
pub fn read_line_capped<R: BufRead + ?Sized>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    cap: usize,
) -> io::Result<Line> {
    buf.clear();
    let mut total = 0u64;
    let mut too_long = false;
    loop {
        let avail = reader.fill_buf()?;
        if avail.is_empty() {
            break;
        }
        let (take, done) = match memchr::memchr(b'\n', avail) {
            Some(i) => (i + 1, true),
            None => (avail.len(), false),
        };
        total += take as u64;
        if !too_long && buf.len() + take > cap {
            too_long = true;
            buf.clear();
            buf.shrink_to(1 << 16);
        }
        if !too_long {
            buf.extend_from_slice(&avail[..take]);
        }
        reader.consume(take);
        if done {
            break;
        }
    }
    Ok(match (total, too_long) {
        (0, _) => Line::Eof,
        (n, true) => Line::TooLong(n),
        (_, false) => Line::Read,
    })
}

// ---------------------------------------------------------------------------------------
// Tolerant JSON

/// A reader that makes near-JSON readable: drops a leading UTF-8 byte-order mark and
/// trailing commas before `]` or `}` (outside strings), and replaces invalid UTF-8 sequences
/// by U+FFFD, as found in real dumps (so one bad byte does not lose the rest of a file).
/// Everything else passes through unchanged, so line numbers stay right. Every repair is
/// counted in [`TolerantJson::repairs`].
#[derive(Debug)]
pub struct TolerantJson<R> {
    inner: R,
    out: Vec<u8>,
    out_pos: usize,
    pending: Vec<u8>,
    in_string: bool,
    escape: bool,
    started: bool,
    /// The start of a UTF-8 sequence cut by the end of the previous chunk.
    carry: Vec<u8>,
    repairs: Arc<AtomicU64>,
}

impl<R: BufRead> TolerantJson<R> {
    pub fn new(inner: R) -> Self {
        TolerantJson {
            inner,
            out: Vec::with_capacity(1 << 16),
            out_pos: 0,
            pending: Vec::new(),
            in_string: false,
            escape: false,
            started: false,
            carry: Vec::new(),
            repairs: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A counter of the trailing commas dropped so far, readable after the reader is moved.
    pub fn repairs(&self) -> Arc<AtomicU64> {
        self.repairs.clone()
    }

    fn process(&mut self, chunk: &[u8]) {
        let mut i = 0;
        while i < chunk.len() {
            if !self.pending.is_empty() {
                let b = chunk[i];
                if b.is_ascii_whitespace() {
                    self.pending.push(b);
                    i += 1;
                    continue;
                }
                if b == b']' || b == b'}' {
                    self.repairs.fetch_add(1, Ordering::Relaxed);
                    self.out.extend_from_slice(&self.pending[1..]);
                } else {
                    self.out.extend_from_slice(&self.pending);
                }
                self.pending.clear();
            }
            let rest = &chunk[i..];
            if self.in_string {
                if self.escape {
                    self.out.push(rest[0]);
                    self.escape = false;
                    i += 1;
                    continue;
                }
                match memchr::memchr2(b'"', b'\\', rest) {
                    None => {
                        self.out.extend_from_slice(rest);
                        i = chunk.len();
                    }
                    Some(j) => {
                        self.out.extend_from_slice(&rest[..=j]);
                        if rest[j] == b'\\' {
                            self.escape = true;
                        } else {
                            self.in_string = false;
                        }
                        i += j + 1;
                    }
                }
            } else {
                match memchr::memchr2(b'"', b',', rest) {
                    None => {
                        self.out.extend_from_slice(rest);
                        i = chunk.len();
                    }
                    Some(j) => {
                        self.out.extend_from_slice(&rest[..j]);
                        if rest[j] == b'"' {
                            self.out.push(b'"');
                            self.in_string = true;
                        } else {
                            self.pending.push(b',');
                        }
                        i += j + 1;
                    }
                }
            }
        }
    }
}

impl<R: BufRead> TolerantJson<R> {
    /// `data` with invalid UTF-8 sequences replaced by U+FFFD; an incomplete sequence at the
    /// end is kept back for the next chunk.
    fn valid_utf8(&mut self, data: Vec<u8>) -> Vec<u8> {
        if std::str::from_utf8(&data).is_ok() {
            return data;
        }
        let mut out = Vec::with_capacity(data.len() + 8);
        let mut rest = &data[..];
        loop {
            match std::str::from_utf8(rest) {
                Ok(_) => {
                    out.extend_from_slice(rest);
                    break;
                }
                Err(e) => {
                    let good = e.valid_up_to();
                    out.extend_from_slice(&rest[..good]);
                    match e.error_len() {
                        Some(bad) => {
                            out.extend_from_slice("\u{FFFD}".as_bytes());
                            self.repairs.fetch_add(1, Ordering::Relaxed);
                            rest = &rest[good + bad..];
                        }
                        None => {
                            self.carry = rest[good..].to_vec();
                            break;
                        }
                    }
                }
            }
        }
        out
    }
}

impl<R: BufRead> Read for TolerantJson<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_pos < self.out.len() {
                let n = buf.len().min(self.out.len() - self.out_pos);
                buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            self.out.clear();
            self.out_pos = 0;
            let chunk = self.inner.fill_buf()?;
            if chunk.is_empty() {
                if !self.carry.is_empty() {
                    // The input ended inside a UTF-8 sequence.
                    self.carry.clear();
                    self.repairs.fetch_add(1, Ordering::Relaxed);
                    self.process("\u{FFFD}".as_bytes());
                    continue;
                }
                if self.pending.is_empty() {
                    return Ok(0);
                }
                let p = std::mem::take(&mut self.pending);
                self.out.extend_from_slice(&p);
                continue;
            }
            let n = chunk.len();
            let mut data = std::mem::take(&mut self.carry);
            data.extend_from_slice(chunk);
            self.inner.consume(n);
            if !self.started {
                self.started = true;
                if data.starts_with(&[0xEF, 0xBB, 0xBF]) {
                    data.drain(..3);
                }
            }
            let data = self.valid_utf8(data);
            self.process(&data);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Streaming JSON walker

/// A value seen next to a streamed array (e.g. a chat's `name` and `id` before its
/// `messages`), kept so that element handlers can read their context.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextEntry {
    /// Pointer of the object holding the value (`""` for the document root,
    /// `chats.list[2]` for a chat in a full Telegram export).
    pub object: String,
    pub key: String,
    pub value: Value,
}

/// One element of a streamed array.
#[derive(Debug)]
pub struct Element<'a> {
    /// 1-based number of the JSON document in the file (files may hold several).
    pub doc: u64,
    /// 1-based count of elements streamed so far in the file.
    pub record: u64,
    /// Which of the requested paths this element belongs to (index into `paths`).
    pub path_index: usize,
    /// Pointer of the element, e.g. `chats.list[2].messages[9]`.
    pub pointer: String,
    /// Pointer of the object holding the array, e.g. `chats.list[2]`.
    pub object: String,
    /// The element's verbatim JSON text.
    pub raw: Box<RawValue>,
    /// Values seen so far in the enclosing objects (not other streamed arrays).
    pub context: &'a [ContextEntry],
}

impl Element<'_> {
    /// A value of the object holding the array, if it came before the array in the file.
    pub fn sibling(&self, key: &str) -> Option<&Value> {
        self.context
            .iter()
            .rev()
            .find(|e| e.object == self.object && e.key == key)
            .map(|e| &e.value)
    }
    /// A value at the document root, if it came before the array.
    pub fn root(&self, key: &str) -> Option<&Value> {
        self.context
            .iter()
            .find(|e| e.object.is_empty() && e.key == key)
            .map(|e| &e.value)
    }
    /// Position of this element in `file`.
    pub fn position(&self, file: &Path) -> Position {
        let pointer = if self.doc > 1 {
            format!("document {}: {}", self.doc, self.pointer)
        } else {
            self.pointer.clone()
        };
        Position::record(file, self.record, pointer)
    }
}

/// What [`stream_json`] saw besides the streamed arrays, per document.
#[derive(Debug, Default)]
pub struct DocumentEnd {
    pub doc: u64,
    /// Every non-streamed value of the document, keyed by dotted pointer
    /// (`error.code`, `meta.result_count`, `chats.list[0].name`).
    pub values: Vec<ContextEntry>,
    /// Whether any requested path was found in this document.
    pub matched: bool,
}

/// Walks one or more concatenated JSON documents from `reader`, streaming the elements of
/// the arrays at `paths` one at a time into `on_element` and everything else into the
/// [`DocumentEnd`] given to `on_document`. Memory is bounded by the largest single element
/// plus the non-streamed values.
///
/// A path is a list of object keys; `*` steps into every element of an array
/// (`["chats", "list", "*", "messages"]`). When a path ends at an object instead of an
/// array, that object is streamed as one element.
pub fn stream_json<R: Read>(
    reader: R,
    file: &Path,
    paths: &[&[&str]],
    on_element: &mut dyn FnMut(Element<'_>) -> Result<(), Stop>,
    on_document: &mut dyn FnMut(DocumentEnd) -> Result<(), Stop>,
) -> Result<(), SourceError> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut walker = Walker {
        paths,
        on_element,
        doc: 0,
        record: 0,
        context: Vec::new(),
        leftovers: Vec::new(),
        budget: CONTEXT_BUDGET,
        costs: Vec::new(),
        stopped: false,
        matched: false,
    };
    loop {
        match de.end() {
            Ok(()) => return Ok(()),
            Err(e) if e.is_io() => {
                return Err(SourceError::Io {
                    file: file.to_path_buf(),
                    source: io::Error::other(e.to_string()),
                })
            }
            Err(_) => {}
        }
        walker.doc += 1;
        walker.context.clear();
        walker.leftovers.clear();
        walker.budget = CONTEXT_BUDGET;
        walker.costs.clear();
        walker.matched = false;
        let seed = Node {
            w: &mut walker,
            prefix: Vec::new(),
            pointer: String::new(),
        };
        if let Err(e) = seed.deserialize(&mut de) {
            if walker.stopped {
                return Err(SourceError::Stopped(Stop));
            }
            if e.is_io() {
                return Err(SourceError::Io {
                    file: file.to_path_buf(),
                    source: io::Error::other(e.to_string()),
                });
            }
            let mut position = json_error_position(file, &e);
            position.pointer = Some(if walker.record > 0 {
                format!("document {}, after record {}", walker.doc, walker.record)
            } else {
                format!("document {}", walker.doc)
            });
            let msg = e.to_string();
            let message = match msg.rfind(" at line ") {
                Some(i) => msg[..i].to_string(),
                None => msg,
            };
            return Err(SourceError::Syntax {
                position,
                message: format!("invalid JSON: {message}"),
            });
        }
        let mut values = std::mem::take(&mut walker.context);
        values.append(&mut walker.leftovers);
        let end = DocumentEnd {
            doc: walker.doc,
            values,
            matched: walker.matched,
        };
        on_document(end)?;
    }
}

struct Walker<'p, 'f> {
    paths: &'p [&'p [&'p str]],
    on_element: &'f mut dyn FnMut(Element<'_>) -> Result<(), Stop>,
    doc: u64,
    record: u64,
    context: Vec<ContextEntry>,
    /// Values of array elements that streamed nothing (e.g. an empty chat), for the
    /// document's end.
    leftovers: Vec<ContextEntry>,
    /// What is left of the document's [`CONTEXT_BUDGET`].
    budget: usize,
    /// The budget spent on each entry of `context` (same length).
    costs: Vec<usize>,
    stopped: bool,
    matched: bool,
}

impl Walker<'_, '_> {
    /// 0: not on any path; 1: a prefix of a path; 2: the end of path number `i`.
    fn classify(&self, prefix: &[String]) -> (u8, usize) {
        let mut best = (0, 0);
        for (i, p) in self.paths.iter().enumerate() {
            if p.len() >= prefix.len() && p.iter().zip(prefix).all(|(a, b)| *a == b) {
                if p.len() == prefix.len() {
                    return (2, i);
                }
                best = (1, i);
            }
        }
        best
    }

    fn emit<E: de::Error>(
        &mut self,
        path_index: usize,
        pointer: String,
        object: &str,
        raw: Box<RawValue>,
    ) -> Result<(), E> {
        self.record += 1;
        self.matched = true;
        let el = Element {
            doc: self.doc,
            record: self.record,
            path_index,
            pointer,
            object: object.to_string(),
            raw,
            context: &self.context,
        };
        if (self.on_element)(el).is_err() {
            self.stopped = true;
            return Err(E::custom("stopped"));
        }
        Ok(())
    }
}

/// A value at `prefix`, on the way to a streamed path.
struct Node<'w, 'p, 'f> {
    w: &'w mut Walker<'p, 'f>,
    prefix: Vec<String>,
    pointer: String,
}

impl<'de> DeserializeSeed<'de> for Node<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

fn join(pointer: &str, key: &str) -> String {
    if pointer.is_empty() {
        key.to_string()
    } else {
        format!("{pointer}.{key}")
    }
}

impl<'de> Visitor<'de> for Node<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let mut child = self.prefix.clone();
            child.push(key.clone());
            match self.w.classify(&child) {
                (2, i) => map.next_value_seed(Leaf {
                    w: &mut *self.w,
                    path_index: i,
                    pointer: join(&self.pointer, &key),
                    object: self.pointer.clone(),
                })?,
                (1, _) => map.next_value_seed(Node {
                    w: &mut *self.w,
                    prefix: child,
                    pointer: join(&self.pointer, &key),
                })?,
                _ => {
                    // Kept as context while the document's budget lasts; a value beyond it
                    // (e.g. a huge contact list, or an array in a file of the wrong format)
                    // is skipped unread and its cost refunded, so later small values (a chat's
                    // `id`) are still kept.
                    let before = self.w.budget;
                    let value = map.next_value_seed(Budgeted {
                        budget: &mut self.w.budget,
                    })?;
                    match value {
                        Some(value) => {
                            self.w.context.push(ContextEntry {
                                object: self.pointer.clone(),
                                key,
                                value,
                            });
                            self.w.costs.push(before - self.w.budget);
                        }
                        None => self.w.budget = before,
                    }
                }
            }
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut child = self.prefix.clone();
        child.push("*".to_string());
        let (class, path_index) = self.w.classify(&child);
        if class == 2 {
            // The path ends at the elements of this array (e.g. `["*"]`: a root array).
            let mut i = 0usize;
            while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
                let pointer = format!("{}[{i}]", self.pointer);
                self.w.emit(path_index, pointer, &self.pointer, raw)?;
                i += 1;
            }
            return Ok(());
        }
        let on_path = class > 0;
        let mut i = 0usize;
        loop {
            let mark = self.w.context.len();
            let records_before = self.w.record;
            let more = if on_path {
                seq.next_element_seed(Node {
                    w: &mut *self.w,
                    prefix: child.clone(),
                    pointer: format!("{}[{i}]", self.pointer),
                })?
                .is_some()
            } else {
                seq.next_element::<IgnoredAny>()?.is_some()
            };
            // Values of one array element are no context for the next; an element that
            // streamed nothing keeps its values for the document's end.
            if self.w.record == records_before {
                let rest: Vec<ContextEntry> = self.w.context.drain(mark..).collect();
                self.w.leftovers.extend(rest);
                self.w.costs.truncate(mark);
            } else {
                // Their budget is given back: it is per value kept, not per document.
                let refund: usize = self.w.costs.drain(mark..).sum();
                self.w.budget += refund;
                self.w.context.truncate(mark);
            }
            if !more {
                return Ok(());
            }
            i += 1;
        }
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// How much of a document's non-streamed values [`stream_json`] keeps, in units of one JSON
/// node or 64 bytes of string: about 16 MiB of context at most per document.
pub const CONTEXT_BUDGET: usize = 256 * 1024;

/// Deserializes a value while the budget lasts; `None` (the rest skipped unread) after.
struct Budgeted<'b> {
    budget: &'b mut usize,
}

impl Budgeted<'_> {
    fn spend(&mut self, units: usize) -> bool {
        if *self.budget >= units {
            *self.budget -= units;
            true
        } else {
            *self.budget = 0;
            false
        }
    }
}

impl<'de> DeserializeSeed<'de> for Budgeted<'_> {
    type Value = Option<Value>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Budgeted<'_> {
    type Value = Option<Value>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(mut self, v: bool) -> Result<Self::Value, E> {
        Ok(self.spend(1).then_some(Value::Bool(v)))
    }
    fn visit_i64<E: de::Error>(mut self, v: i64) -> Result<Self::Value, E> {
        Ok(self.spend(1).then_some(Value::from(v)))
    }
    fn visit_u64<E: de::Error>(mut self, v: u64) -> Result<Self::Value, E> {
        Ok(self.spend(1).then_some(Value::from(v)))
    }
    fn visit_f64<E: de::Error>(mut self, v: f64) -> Result<Self::Value, E> {
        Ok(self.spend(1).then_some(Value::from(v)))
    }
    fn visit_str<E: de::Error>(mut self, v: &str) -> Result<Self::Value, E> {
        Ok(self.spend(1 + v.len() / 64).then(|| Value::from(v)))
    }
    fn visit_unit<E: de::Error>(mut self) -> Result<Self::Value, E> {
        Ok(self.spend(1).then_some(Value::Null))
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Some(Vec::new());
        if !self.spend(1) {
            out = None;
        }
        loop {
            match out.as_mut() {
                Some(items) => match seq.next_element_seed(Budgeted {
                    budget: &mut *self.budget,
                })? {
                    Some(Some(v)) => items.push(v),
                    Some(None) => out = None,
                    None => break,
                },
                None => {
                    if seq.next_element::<IgnoredAny>()?.is_none() {
                        break;
                    }
                }
            }
        }
        Ok(out.map(Value::Array))
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Some(serde_json::Map::new());
        if !self.spend(1) {
            out = None;
        }
        while let Some(key) = map.next_key::<String>()? {
            match out.as_mut() {
                Some(obj) => match map.next_value_seed(Budgeted {
                    budget: &mut *self.budget,
                })? {
                    Some(v) => {
                        obj.insert(key, v);
                    }
                    None => out = None,
                },
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(out.map(Value::Object))
    }
}

/// The value at the end of a streamed path: an array streamed element by element, or an
/// object streamed as one element.
struct Leaf<'w, 'p, 'f> {
    w: &'w mut Walker<'p, 'f>,
    path_index: usize,
    pointer: String,
    object: String,
}

impl<'de> DeserializeSeed<'de> for Leaf<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Leaf<'_, '_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array or object")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        while let Some(raw) = seq.next_element::<Box<RawValue>>()? {
            self.w.emit(
                self.path_index,
                format!("{}[{i}]", self.pointer),
                &self.object,
                raw,
            )?;
            i += 1;
        }
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let value = Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        let raw = serde_json::value::to_raw_value(&value).map_err(de::Error::custom)?;
        self.w
            .emit(self.path_index, self.pointer, &self.object, raw)
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
}

use serde::Deserialize;

/// Hashtags (`#tag`), without the `#`, in order of appearance, from free text.
/// Used where a source gives only text; Unicode letters, digits and `_` form a tag.
pub fn hashtags_in(text: &str) -> Vec<String> {
    tokens_after(text, '#')
}

/// Mentions (`@handle`), without the `@`, from free text.
pub fn mentions_in(text: &str) -> Vec<String> {
    tokens_after(text, '@')
        .into_iter()
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        })
        .collect()
}

fn tokens_after(text: &str, sigil: char) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut it = text.char_indices().peekable();
    let mut prev: Option<char> = None;
    while let Some((i, c)) = it.next() {
        let boundary = prev.is_none_or(|p| !(p.is_alphanumeric() || p == '_'));
        prev = Some(c);
        if c != sigil || !boundary {
            continue;
        }
        let start = i + c.len_utf8();
        let mut end = start;
        while let Some(&(j, d)) = it.peek() {
            if d.is_alphanumeric() || d == '_' || (sigil == '@' && d == '.') || is_mark(d) {
                end = j + d.len_utf8();
                it.next();
                prev = Some(d);
            } else {
                break;
            }
        }
        let tok = text[start..end].trim_end_matches('.');
        if !tok.is_empty() && !out.iter().any(|t| t == tok) {
            out.push(tok.to_string());
        }
    }
    out
}

/// Arabic combining marks (harakat) that may sit inside a hashtag.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}')
}

/// `http(s)://` links in free text, in order, de-duplicated, trailing punctuation trimmed.
pub fn links_in(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("http") {
        let cand = &rest[i..];
        if cand.starts_with("http://") || cand.starts_with("https://") {
            let end = cand
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '>' | '«' | '»'))
                .unwrap_or(cand.len());
            let link = cand[..end].trim_end_matches(['.', ',', ')', '!', '?', ';', ':', '،']);
            if link.len() > "https://".len() && !out.iter().any(|l| l == link) {
                out.push(link.to_string());
            }
            rest = &cand[end..];
        } else {
            rest = &cand[4..];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tolerant(s: &str) -> String {
        let mut out = String::new();
        TolerantJson::new(s.as_bytes())
            .read_to_string(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn tolerant_json_drops_trailing_commas_only_outside_strings() {
        assert_eq!(
            tolerant(r#"{"a": [1, 2,], "b": ",}",}"#),
            r#"{"a": [1, 2], "b": ",}"}"#
        );
        assert_eq!(tolerant("{\"a\": 1,\n  }"), "{\"a\": 1\n  }");
        assert_eq!(
            tolerant(r#"{"a": "x\",}", "b": 1}"#),
            r#"{"a": "x\",}", "b": 1}"#
        );
        assert_eq!(tolerant("\u{feff}[1]"), "[1]");
        assert_eq!(tolerant("[1,"), "[1,");
    }

    #[test]
    fn tolerant_json_replaces_invalid_utf8_and_keeps_split_sequences() {
        // "مرصد" split across 1-byte buffers must survive; a stray 0xFF becomes U+FFFD.
        let mut bytes = r#"{"a": "مرصد", "b": "x"#.as_bytes().to_vec();
        bytes.push(0xFF);
        bytes.extend_from_slice(br#"y"}"#);
        let r = TolerantJson::new(io::BufReader::with_capacity(1, &bytes[..]));
        let repairs = r.repairs();
        let v: Value = serde_json::from_reader(r).unwrap();
        assert_eq!(v["a"], "مرصد");
        assert_eq!(v["b"], "x\u{FFFD}y");
        assert_eq!(repairs.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn tolerant_json_counts_repairs_across_buffer_edges() {
        let text = r#"{"a": [1,   ], "b": {"c": 2 ,}}"#;
        // A BufReader of capacity 1 splits the input at every byte.
        let r = TolerantJson::new(io::BufReader::with_capacity(1, text.as_bytes()));
        let repairs = r.repairs();
        let v: Value = serde_json::from_reader(r).unwrap();
        assert_eq!(v["b"]["c"], 2);
        assert_eq!(repairs.load(Ordering::Relaxed), 2);
    }

    type Seen = Vec<(String, String, Option<Value>)>;

    fn collect(json: &str, paths: &[&[&str]]) -> (Seen, Vec<DocumentEnd>) {
        let mut els = Vec::new();
        let mut docs = Vec::new();
        stream_json(
            json.as_bytes(),
            Path::new("t.json"),
            paths,
            &mut |e| {
                els.push((
                    e.pointer.clone(),
                    e.raw.get().to_string(),
                    e.sibling("id").cloned(),
                ));
                Ok(())
            },
            &mut |d| {
                docs.push(d);
                Ok(())
            },
        )
        .unwrap();
        (els, docs)
    }

    #[test]
    fn stream_nested_arrays_with_context() {
        let json = r#"{"about":"x","chats":{"list":[
            {"name":"A","id":1,"messages":[{"id":10},{"id":11}]},
            {"name":"B","id":2,"messages":[{"id":20}]}]},"other":[1,2]}"#;
        let (els, docs) = collect(json, &[&["chats", "list", "*", "messages"]]);
        assert_eq!(els.len(), 3);
        assert_eq!(els[0].0, "chats.list[0].messages[0]");
        assert_eq!(els[0].1, r#"{"id":10}"#);
        assert_eq!(els[0].2, Some(Value::from(1)));
        assert_eq!(els[2].0, "chats.list[1].messages[0]");
        assert_eq!(els[2].2, Some(Value::from(2)));
        assert_eq!(docs.len(), 1);
        assert!(docs[0].matched);
        assert!(docs[0].values.iter().any(|e| e.key == "about"));
    }

    #[test]
    fn empty_array_elements_keep_their_values_and_root_arrays_stream() {
        let json = r#"{"chats":{"list":[{"name":"Empty","id":7,"messages":[]},{"name":"A","id":1,"messages":[{"id":1}]}]}}"#;
        let (els, docs) = collect(json, &[&["chats", "list", "*", "messages"]]);
        assert_eq!(els.len(), 1);
        assert!(docs[0]
            .values
            .iter()
            .any(|e| e.object == "chats.list[0]" && e.key == "name" && e.value == "Empty"));
        assert!(!docs[0].values.iter().any(|e| e.object == "chats.list[1]"));
        let (els, _) = collect(r#"[{"id":1},{"id":2}] [{"id":3}]"#, &[&["*"]]);
        assert_eq!(
            els.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
            ["[0]", "[1]", "[0]"]
        );
    }

    #[test]
    fn oversized_context_values_are_skipped_not_kept() {
        let big: Vec<String> = (0..CONTEXT_BUDGET).map(|i| format!("v{i}")).collect();
        let json = format!(
            r#"{{"name":"x","huge":{},"messages":[{{"id":1}}],"after":1}}"#,
            serde_json::to_string(&big).unwrap()
        );
        let mut kept = Vec::new();
        let mut n = 0;
        stream_json(
            json.as_bytes(),
            Path::new("t.json"),
            &[&["messages"]],
            &mut |e| {
                n += 1;
                kept = e.context.iter().map(|c| c.key.clone()).collect();
                Ok(())
            },
            &mut |_| Ok(()),
        )
        .unwrap();
        assert_eq!(n, 1);
        assert_eq!(kept, vec!["name".to_string()], "the huge value is not kept");

        // A huge value before the chats does not starve the chats' own small values.
        let json = format!(
            r#"{{"contacts":{},"chats":{{"list":[{{"id":7,"messages":[{{"id":1}}]}}]}}}}"#,
            serde_json::to_string(&big).unwrap()
        );
        let mut ids = Vec::new();
        stream_json(
            json.as_bytes(),
            Path::new("t.json"),
            &[&["chats", "list", "*", "messages"]],
            &mut |e| {
                ids.push(e.sibling("id").cloned());
                Ok(())
            },
            &mut |_| Ok(()),
        )
        .unwrap();
        assert_eq!(ids, vec![Some(Value::from(7))]);
    }

    #[test]
    fn capped_lines() {
        let text = b"short\nthis line is far too long\nok";
        let mut r = io::BufReader::with_capacity(4, &text[..]);
        let mut buf = Vec::new();
        assert_eq!(read_line_capped(&mut r, &mut buf, 10).unwrap(), Line::Read);
        assert_eq!(buf, b"short\n");
        assert_eq!(
            read_line_capped(&mut r, &mut buf, 10).unwrap(),
            Line::TooLong(26)
        );
        assert!(buf.is_empty());
        assert_eq!(read_line_capped(&mut r, &mut buf, 10).unwrap(), Line::Read);
        assert_eq!(buf, b"ok");
        assert_eq!(read_line_capped(&mut r, &mut buf, 10).unwrap(), Line::Eof);
    }

    #[test]
    fn stream_several_documents_and_object_leaf() {
        let json = "{\"data\":{\"videos\":[{\"v\":1}]},\"error\":{\"code\":\"ok\"}}\n{\"data\":{\"videos\":[{\"v\":2},{\"v\":3}]}}\n";
        let (els, docs) = collect(json, &[&["data", "videos"]]);
        assert_eq!(els.len(), 3);
        assert_eq!(docs.len(), 2);
        let (els, _) = collect(
            r#"{"channel":{"_id":"c1"},"success":true}"#,
            &[&["channel"]],
        );
        assert_eq!(els.len(), 1);
        assert!(els[0].1.contains("c1"));
    }

    #[test]
    fn stream_reports_syntax_error_position_after_good_records() {
        let json = "{\"messages\":[{\"id\":1},\n{\"id\":2},\n{\"id\":";
        let mut n = 0;
        let err = stream_json(
            json.as_bytes(),
            Path::new("t.json"),
            &[&["messages"]],
            &mut |_| {
                n += 1;
                Ok(())
            },
            &mut |_| Ok(()),
        )
        .unwrap_err();
        assert_eq!(n, 2, "good records before the error are delivered");
        let pos = err.position().unwrap();
        assert_eq!(pos.line, Some(3));
        assert!(err.to_string().contains("t.json:3"), "{err}");
    }

    #[test]
    fn stream_stops_when_asked() {
        let err = stream_json(
            r#"{"m":[1,2,3]}"#.as_bytes(),
            Path::new("t.json"),
            &[&["m"]],
            &mut |_| Err(Stop),
            &mut |_| Ok(()),
        )
        .unwrap_err();
        assert!(matches!(err, SourceError::Stopped(_)));
    }

    #[test]
    fn times() {
        let t = parse_time("2016-12-09T12:50:51.555Z").unwrap();
        assert_eq!(t.timestamp_millis(), 1481287851555);
        assert_eq!(
            parse_time("2020-10-29 14:56:05").unwrap().timestamp(),
            1603983365
        );
        assert_eq!(parse_time("1633823999").unwrap().timestamp(), 1633823999);
        assert_eq!(parse_time("0000000000"), None);
        assert_eq!(
            parse_time("Wed Oct 10 20:19:24 +0000 2018")
                .unwrap()
                .timestamp(),
            1539202764
        );
        assert!(parse_time("yesterday").is_none());
        assert_eq!(
            json_time(&Value::from(1633823999)).unwrap().timestamp(),
            1633823999
        );
    }

    #[test]
    fn text_entities() {
        assert_eq!(
            hashtags_in("lol #pov #avengers x#no #pov"),
            vec!["pov", "avengers"]
        );
        assert_eq!(hashtags_in("عاجل #بغداد_الآن."), vec!["بغداد_الآن"]);
        assert_eq!(
            mentions_in("hi @bob. and a@b.c @carol_1"),
            vec!["bob", "carol_1"]
        );
        assert_eq!(
            links_in("see https://t.me/x, and (http://a.b/c?d=1). httpx"),
            vec!["https://t.me/x", "http://a.b/c?d=1"]
        );
    }

    #[test]
    fn excerpt_is_char_safe() {
        let s = "ع".repeat(EXCERPT_CHARS + 10);
        let e = excerpt(&s);
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(field_of("missing field `id` at line 1"), Some("id".into()));
    }
}
