//! `jsonl`: Marsad's generic schema, one JSON [`Record`] per line.
//!
//! The escape hatch for any source without an importer of its own (forums, web pages,
//! live-stream logs) and the format of `marsad export items`, so exports round-trip.
//!
//! Each line is an object tagged by `"type"`: `item` (the default when `type` is absent),
//! `account`, `channel` or `interaction`; the fields are those of the model structs (see
//! `docs/jsonl-schema.md`). `raw` is optional: when absent, the line itself is kept as the
//! raw record; when present (as in exports) the original evidence is carried through.
//! Blank lines are skipped. Unknown fields are rejected so that typos do not lose data.

use crate::util::{field_of, read_line_capped, reject, Line, MAX_LINE};
use crate::{Format, Input, Position, Sink, Source, SourceError};
use marsad_model::{Key, Node, Platform, Raw, Record};
use serde_json::Value;

const NAME: &str = "jsonl";

/// Importer for the generic JSON-lines schema.
#[derive(Debug, Clone, Copy, Default)]
pub struct Jsonl;

impl Source for Jsonl {
    fn format(&self) -> Format {
        Format::Jsonl
    }

    fn read(&self, mut input: Input<'_>, sink: &mut dyn Sink) -> Result<(), SourceError> {
        let file = input.path.to_path_buf();
        let mut buf = Vec::with_capacity(4096);
        let mut line_no = 0u64;
        loop {
            let line = read_line_capped(&mut input.reader, &mut buf, MAX_LINE).map_err(|e| {
                SourceError::Io {
                    file: file.clone(),
                    source: e,
                }
            })?;
            if line == Line::Eof {
                return Ok(());
            }
            line_no += 1;
            if let Line::TooLong(n) = line {
                sink.reject(reject(
                    NAME,
                    Position {
                        record: Some(line_no),
                        ..Position::line(&file, line_no)
                    },
                    None,
                    format!("line of {n} bytes is longer than the {MAX_LINE}-byte limit"),
                    "",
                ))?;
                continue;
            }
            let pos = || Position {
                record: Some(line_no),
                ..Position::line(&file, line_no)
            };
            let line = match std::str::from_utf8(&buf) {
                Ok(s) => s
                    .trim_end_matches(['\n', '\r'])
                    .trim_start_matches('\u{feff}'),
                Err(e) => {
                    let text = String::from_utf8_lossy(&buf);
                    sink.reject(reject(NAME, pos(), None, format!("not UTF-8: {e}"), &text))?;
                    continue;
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            match parse_line(line) {
                Ok(record) => sink.record(record)?,
                Err((field, reason)) => {
                    sink.reject(reject(NAME, pos(), field.as_deref(), reason, line))?
                }
            }
        }
    }
}

/// Parses one line of the generic schema.
pub fn parse_line(line: &str) -> Result<Record, (Option<String>, String)> {
    // Fast path: a complete record (as written by `marsad export`).
    let record = match serde_json::from_str::<Record>(line) {
        Ok(r) => r,
        Err(_) => {
            let mut v: Value = serde_json::from_str(line).map_err(|e| {
                (
                    None,
                    format!("invalid JSON: {}", strip_position(&e.to_string())),
                )
            })?;
            let obj = v
                .as_object_mut()
                .ok_or_else(|| (None, "expected a JSON object".to_string()))?;
            obj.entry("type").or_insert_with(|| Value::from("item"));
            if !obj.contains_key("raw") {
                let raw = Raw::new(NAME, line);
                let raw = serde_json::to_value(raw).map_err(|e| (None, e.to_string()))?;
                obj.insert("raw".into(), raw);
            }
            serde_json::from_value::<Record>(v).map_err(|e| {
                let msg = strip_position(&e.to_string());
                (field_of(&msg), msg)
            })?
        }
    };
    validate(&record)?;
    Ok(record)
}

fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn check_key(field: &str, key: &Key) -> Result<(), (Option<String>, String)> {
    if key.id.trim().is_empty() {
        return Err((Some(format!("{field}.id")), "empty id".to_string()));
    }
    Ok(())
}

/// A key that must be on the record's own platform (stores keep only its id).
fn check_same_platform(
    field: &str,
    key: &Key,
    platform: Platform,
) -> Result<(), (Option<String>, String)> {
    check_key(field, key)?;
    if key.platform != platform {
        return Err((
            Some(format!("{field}.platform")),
            format!(
                "must be the record's own platform ({platform}), not {}; a link to another \
                 platform goes in `links` (or `forwarded_from` for forwards)",
                key.platform
            ),
        ));
    }
    Ok(())
}

fn validate(record: &Record) -> Result<(), (Option<String>, String)> {
    match record {
        Record::Item(i) => {
            check_key("key", &i.key)?;
            for (name, k) in [
                ("author", &i.author),
                ("channel", &i.channel),
                ("reply_to", &i.reply_to),
                ("repost_of", &i.repost_of),
                ("quote_of", &i.quote_of),
            ] {
                if let Some(k) = k {
                    check_same_platform(name, k, i.key.platform)?;
                }
            }
            if let Some(k) = &i.forwarded_from {
                check_key("forwarded_from", k)?;
            }
            Ok(())
        }
        Record::Account(a) => check_key("key", &a.key),
        Record::Channel(c) => {
            check_key("key", &c.key)?;
            match &c.owner {
                Some(owner) => check_same_platform("owner", owner, c.key.platform),
                None => Ok(()),
            }
        }
        Record::Interaction(e) => {
            let key = |n: &Node| n.key().clone();
            check_key("source", &key(&e.source))?;
            check_key("target", &key(&e.target))
        }
    }
}

/// Writes a record as one line of the schema (no trailing newline).
pub fn to_line(record: &Record) -> Result<String, serde_json::Error> {
    serde_json::to_string(record)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{read_bytes, Format};
    use marsad_model::{ItemKind, Platform};

    #[test]
    fn minimal_item_line_gets_type_and_raw() {
        let line =
            r#"{"key":{"platform":"web","id":"forum/1"},"kind":"forum_post","text":"hello"}"#;
        let Record::Item(item) = parse_line(line).unwrap() else {
            panic!("not an item")
        };
        assert_eq!(item.key, Key::new(Platform::Web, "forum/1"));
        assert_eq!(item.kind, ItemKind::ForumPost);
        assert_eq!(item.raw.data, line);
        assert_eq!(item.raw.source, "jsonl");
    }

    #[test]
    fn bad_lines_are_rejected_with_line_and_field() {
        let input = concat!(
            r#"{"type":"account","key":{"platform":"x","id":"1"},"handle":"a"}"#,
            "\n\n",
            r#"{"type":"account","key":{"platform":"x","id":"2"},"handel":"b"}"#,
            "\n",
            r#"{"key":{"platform":"myspace","id":"3"},"kind":"post"}"#,
            "\n",
            "not json\n",
            r#"{"key":{"platform":"x","id":""},"kind":"post"}"#,
            "\n",
            r#"{"type":"interaction","kind":"follows","source":{"account":{"platform":"x","id":"1"}},"target":{"account":{"platform":"x","id":"2"}}}"#,
            "\n",
        );
        let (sink, res) = read_bytes(Format::Jsonl, "in.jsonl", input.as_bytes());
        res.unwrap();
        assert_eq!(sink.records.len(), 2);
        assert_eq!(sink.rejects.len(), 4);
        let r = &sink.rejects[0];
        assert_eq!(r.position.line, Some(3));
        assert_eq!(r.field.as_deref(), Some("handel"));
        assert!(
            sink.rejects[1].reason.contains("myspace"),
            "{:?}",
            sink.rejects[1]
        );
        assert_eq!(sink.rejects[2].position.line, Some(5));
        assert!(sink.rejects[2].reason.starts_with("invalid JSON"));
        assert_eq!(sink.rejects[3].field.as_deref(), Some("key.id"));
        assert!(sink.rejects[0].to_string().starts_with("in.jsonl:3"));
    }

    #[test]
    fn keys_on_another_platform_are_rejected() {
        let line = r#"{"key":{"platform":"web","id":"f/1"},"kind":"post","author":{"platform":"telegram","id":"chan9"}}"#;
        let (field, reason) = parse_line(line).unwrap_err();
        assert_eq!(field.as_deref(), Some("author.platform"));
        assert!(reason.contains("links"), "{reason}");
        let fwd = r#"{"key":{"platform":"web","id":"f/2"},"kind":"post","forwarded_from":{"platform":"telegram","id":"channel9"}}"#;
        assert!(
            parse_line(fwd).is_ok(),
            "forwards may come from another platform"
        );
    }

    #[test]
    fn records_round_trip() {
        let line = r#"{"key":{"platform":"telegram","id":"1/2"},"kind":"message","text":"x","is_live":true,"hashtags":["a"]}"#;
        let rec = parse_line(line).unwrap();
        let out = to_line(&rec).unwrap();
        assert_eq!(parse_line(&out).unwrap(), rec);
    }

    #[test]
    fn invalid_utf8_is_rejected_not_fatal() {
        let mut input = b"\xff\xfe\n".to_vec();
        input.extend_from_slice(br#"{"key":{"platform":"web","id":"1"},"kind":"post"}"#);
        let (sink, res) = read_bytes(Format::Jsonl, "in.jsonl", &input);
        res.unwrap();
        assert_eq!(sink.records.len(), 1);
        assert_eq!(sink.rejects.len(), 1);
        assert!(sink.rejects[0].reason.contains("UTF-8"));
    }
}
