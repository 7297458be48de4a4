//! Output plumbing: streaming files, the JSON layouts the platforms write, and a small bitset.

use crate::DemoError;
use serde::Serialize;
use serde_json::ser::Formatter;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// A file being written: buffered, streaming, counting bytes, errors naming the file.
pub(crate) struct OutFile {
    rel: String,
    path: PathBuf,
    w: Counting,
}

struct Counting {
    inner: BufWriter<File>,
    bytes: u64,
}

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A finished file: where it is and how big it became.
#[derive(Debug, Clone)]
pub(crate) struct Written {
    pub rel: String,
    pub path: PathBuf,
    pub bytes: u64,
}

/// Creates `root/rel`'s parent directories.
pub(crate) fn create_parent(root: &Path, rel: &str) -> Result<PathBuf, DemoError> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| DemoError::CreateDir {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    Ok(path)
}

/// Writes a small whole file (a PNG) at `root/rel`.
pub(crate) fn write_small(root: &Path, rel: &str, bytes: &[u8]) -> Result<(), DemoError> {
    let path = create_parent(root, rel)?;
    std::fs::write(&path, bytes).map_err(|source| DemoError::Write { path, source })
}

impl OutFile {
    pub fn create(root: &Path, rel: &str) -> Result<OutFile, DemoError> {
        let path = create_parent(root, rel)?;
        let file = File::create(&path).map_err(|source| DemoError::Write {
            path: path.clone(),
            source,
        })?;
        Ok(OutFile {
            rel: rel.to_string(),
            path,
            w: Counting {
                inner: BufWriter::with_capacity(256 * 1024, file),
                bytes: 0,
            },
        })
    }

    fn err(&self, source: io::Error) -> DemoError {
        DemoError::Write {
            path: self.path.clone(),
            source,
        }
    }

    pub fn bytes(&mut self, b: &[u8]) -> Result<(), DemoError> {
        match self.w.write_all(b) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.err(e)),
        }
    }

    pub fn str(&mut self, s: &str) -> Result<(), DemoError> {
        self.bytes(s.as_bytes())
    }

    /// Serializes `value` with the given layout.
    pub fn json<T: Serialize + ?Sized, F: Formatter>(
        &mut self,
        value: &T,
        formatter: F,
    ) -> Result<(), DemoError> {
        let mut ser = serde_json::Serializer::with_formatter(&mut self.w, formatter);
        match value.serialize(&mut ser) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.err(io::Error::from(e))),
        }
    }

    /// The underlying writer, for the `csv` crate.
    pub fn writer(&mut self) -> &mut impl Write {
        &mut self.w
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn finish(mut self) -> Result<Written, DemoError> {
        if let Err(e) = self.w.flush() {
            return Err(self.err(e));
        }
        Ok(Written {
            rel: self.rel,
            path: self.path,
            bytes: self.w.bytes,
        })
    }
}

/// Pretty JSON with a configurable indent unit and a starting nesting level, so that an
/// element can be written in place inside a document whose outer levels were written by hand
/// (Telegram Desktop's streaming writer, API responses pretty-printed by their collectors).
pub(crate) struct Indent {
    unit: &'static [u8],
    level: usize,
    has_value: bool,
}

impl Indent {
    pub fn new(unit: &'static [u8], level: usize) -> Indent {
        Indent {
            unit,
            level,
            has_value: false,
        }
    }
    fn newline<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        w.write_all(b"\n")?;
        for _ in 0..self.level {
            w.write_all(self.unit)?;
        }
        Ok(())
    }
}

/// One space per level, as Telegram Desktop's `export_output_json.cpp` writes.
pub(crate) fn tdesktop(level: usize) -> Indent {
    Indent::new(b" ", level)
}

impl Formatter for Indent {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b"[")
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.newline(w)?;
        }
        w.write_all(b"]")
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.newline(w)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b"{")
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.newline(w)?;
        }
        w.write_all(b"}")
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.newline(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Python's `json.dumps` defaults, as twarc writes each response: `", "` and `": "`
/// separators and `ensure_ascii` (every non-ASCII character as `\uXXXX`, astral characters
/// as surrogate pairs, lower-case hex).
pub(crate) struct Python;

impl Formatter for Python {
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if c.is_ascii() {
                continue;
            }
            w.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                write!(w, "\\u{:04x}", u)?;
            }
            start = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
}

/// A growable bitset counting distinct small integers (account slots) without hashing.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    bits: Vec<u64>,
    count: u64,
}

impl Seen {
    /// Marks `i`; true when it was new.
    pub fn insert(&mut self, i: u64) -> bool {
        let word = (i / 64) as usize;
        if word >= self.bits.len() {
            self.bits.resize(word + 1, 0);
        }
        let mask = 1u64 << (i % 64);
        if self.bits[word] & mask != 0 {
            return false;
        }
        self.bits[word] |= mask;
        self.count += 1;
        true
    }
    pub fn count(&self) -> u64 {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn py(v: &serde_json::Value) -> String {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, Python);
        v.serialize(&mut ser).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn python_layout_escapes_like_json_dumps() {
        let v = serde_json::json!({"a": ["بغداد…", 1], "b": "😀\n\"x\""});
        assert_eq!(
            py(&v),
            r#"{"a": ["\u0628\u063a\u062f\u0627\u062f\u2026", 1], "b": "\ud83d\ude00\n\"x\""}"#
        );
        let back: serde_json::Value = serde_json::from_str(&py(&v)).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn indent_starts_at_a_level() {
        let v = serde_json::json!({"id": 1, "e": [], "t": ["x"]});
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, tdesktop(2));
        v.serialize(&mut ser).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\n   \"e\": [],\n   \"id\": 1,\n   \"t\": [\n    \"x\"\n   ]\n  }"
        );
    }

    #[test]
    fn seen_counts_distinct() {
        let mut s = Seen::default();
        assert!(s.insert(5));
        assert!(!s.insert(5));
        assert!(s.insert(700));
        assert_eq!(s.count(), 2);
    }
}
