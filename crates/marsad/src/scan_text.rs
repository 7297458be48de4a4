//! `marsad scan-text`: JSON lines (or plain text lines) in, one JSON line of findings out.
//! The output shape is a public contract, documented in README.md and docs/text.md.

use std::borrow::Cow;
use std::io::{BufRead, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use marsad_text::{Engine, LexiconSources, ScanOptions};
use serde::Serialize;

#[derive(Debug, Args)]
pub struct ScanTextArgs {
    /// A lexicon CSV to use as well (term,category[,weight][,stance][,note][,neg_context]
    /// [,req_context]); repeatable.
    #[arg(long = "lexicon", value_name = "FILE.csv")]
    lexicons: Vec<PathBuf>,
    /// Do not load the lexicons shipped with Marsad.
    #[arg(long)]
    no_default_lexicon: bool,
    /// Add the normalized keys (plain, joined, skeleton, arabizi) to each output line.
    #[arg(long)]
    keys: bool,
}

/// Longest input line accepted (bytes); longer lines are reported, not scanned.
const MAX_LINE: usize = 64 << 20;

/// A record's id as given (any JSON value, written back verbatim) or its line number.
#[derive(Serialize)]
#[serde(untagged)]
enum Id<'a> {
    Given(&'a serde_json::value::RawValue),
    Line(u64),
}

/// The fields of an input record that scan-text reads; the others are ignored.
#[derive(serde::Deserialize)]
struct In<'a> {
    #[serde(default, borrow)]
    id: Option<&'a serde_json::value::RawValue>,
    #[serde(default, borrow)]
    text: Option<&'a serde_json::value::RawValue>,
}

#[derive(Serialize)]
struct ErrOut<'a> {
    /// The record's own `id` when it had one, else null (the line number is in `line`).
    id: Option<Id<'a>>,
    line: u64,
    error: String,
}

pub fn engine(lexicons: &[PathBuf], no_default: bool) -> Result<Engine> {
    let lex = LexiconSources {
        defaults: !no_default,
        files: lexicons.to_vec(),
    }
    .load()
    .context("loading the lexicons")?;
    if lex.is_empty() {
        anyhow::bail!("no lexicon entries: drop --no-default-lexicon or pass --lexicon FILE.csv");
    }
    tracing::info!("{} lexicon entries", lex.len());
    Engine::new(lex).context("compiling the lexicons")
}

/// Parse one input line: a JSON object with a string `text` (and any `id`), or plain text.
/// A line that starts with `{` but is not a JSON object is an error, not text: a truncated
/// record must not be scanned as if it were a post. Errors carry the record's id when known.
fn parse_line(
    line: &str,
    n: u64,
) -> std::result::Result<(Id<'_>, Cow<'_, str>), (Option<Id<'_>>, String)> {
    let trimmed = line.trim_start();
    if !trimmed.starts_with('{') {
        return Ok((Id::Line(n), Cow::Borrowed(line)));
    }
    let record: In<'_> = serde_json::from_str(line).map_err(|e| {
        (
            None,
            format!("not a JSON object ({e}); plain-text lines must not start with `{{`"),
        )
    })?;
    let id = record.id.filter(|r| r.get() != "null").map(Id::Given);
    let Some(raw) = record.text.map(|r| r.get()).filter(|r| *r != "null") else {
        return Err((
            id,
            "field `text`: missing (a JSON line needs a string `text`)".into(),
        ));
    };
    if raw.starts_with('"') {
        let text: Cow<'_, str> =
            serde_json::from_str(raw).map_err(|e| (None, format!("field `text`: {e}")))?;
        return Ok((id.unwrap_or(Id::Line(n)), text));
    }
    let found = match raw.as_bytes().first() {
        Some(b't' | b'f') => "a boolean",
        Some(b'[') => "an array",
        Some(b'{') => "an object",
        _ => "a number",
    };
    Err((
        id,
        format!("field `text`: expected a string, found {found}"),
    ))
}

pub fn run(args: ScanTextArgs) -> Result<ExitCode> {
    let engine = engine(&args.lexicons, args.no_default_lexicon)?;
    let opts = ScanOptions { keys: args.keys };
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut result_buf: Vec<u8> = Vec::with_capacity(4096);
    let mut n: u64 = 0;
    let mut bad: u64 = 0;
    loop {
        buf.clear();
        let read = (&mut input)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)
            .context("reading standard input")?;
        if read == 0 {
            break;
        }
        n += 1;
        let complete = buf.ends_with(b"\n") || read <= MAX_LINE;
        if !complete {
            // Skip the rest of the overlong line.
            let mut sink = Vec::new();
            loop {
                sink.clear();
                let more = (&mut input)
                    .take(1 << 20)
                    .read_until(b'\n', &mut sink)
                    .context("reading standard input")?;
                if more == 0 || sink.ends_with(b"\n") {
                    break;
                }
            }
            bad += 1;
            eprintln!("line {n}: longer than {MAX_LINE} bytes; not scanned");
            write_json(
                &mut out,
                &ErrOut {
                    id: None,
                    line: n,
                    error: format!("line longer than {MAX_LINE} bytes"),
                },
            )?;
            continue;
        }
        while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            buf.pop();
        }
        let line = String::from_utf8_lossy(&buf);
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(&line, n) {
            Ok((id, text)) => {
                let result = engine.scan(&text, opts);
                // `{"id": ..., <the result's fields>}`: the result is an object, so its
                // serialisation is spliced in after the id (cheaper than a flattened map).
                result_buf.clear();
                serde_json::to_writer(&mut result_buf, &result).context("serialising a result")?;
                out.write_all(b"{\"id\":")
                    .context("writing standard output")?;
                serde_json::to_writer(&mut out, &id).context("writing standard output")?;
                match result_buf.get(1..) {
                    Some(rest) if rest.len() > 1 => {
                        out.write_all(b",").context("writing standard output")?;
                        out.write_all(rest).context("writing standard output")?;
                    }
                    _ => out.write_all(b"}").context("writing standard output")?,
                }
                out.write_all(b"\n").context("writing standard output")?;
            }
            Err((id, reason)) => {
                bad += 1;
                eprintln!("line {n}: {reason}");
                write_json(
                    &mut out,
                    &ErrOut {
                        id,
                        line: n,
                        error: reason,
                    },
                )?;
            }
        }
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        r => r.context("writing standard output")?,
    }
    if bad > 0 {
        eprintln!("{bad} of {n} line(s) not scanned (see above)");
        return Ok(ExitCode::from(crate::EXIT_REJECTS));
    }
    Ok(ExitCode::SUCCESS)
}

fn write_json<W: Write, T: Serialize>(out: &mut W, v: &T) -> Result<()> {
    serde_json::to_writer(&mut *out, v).context("writing standard output")?;
    out.write_all(b"\n").context("writing standard output")
}
