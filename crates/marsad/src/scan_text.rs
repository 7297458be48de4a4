//! `marsad scan-text`: JSON lines (or plain text lines) in, one JSON line of findings out.
//! The output shape is a public contract, documented in README.md and docs/text.md.

use std::io::{BufRead, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use marsad_text::{Engine, Lexicon, ScanOptions, ScanResult};
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

#[derive(Serialize)]
struct Out<'a> {
    id: serde_json::Value,
    #[serde(flatten)]
    result: &'a ScanResult,
}

#[derive(Serialize)]
struct ErrOut {
    id: serde_json::Value,
    error: String,
}

pub fn engine(lexicons: &[PathBuf], no_default: bool) -> Result<Engine> {
    let mut lex = if no_default {
        Lexicon::default()
    } else {
        Lexicon::defaults().context("loading the default lexicons")?
    };
    for p in lexicons {
        lex.extend(Lexicon::load(p).with_context(|| format!("loading lexicon {}", p.display()))?);
    }
    if lex.is_empty() {
        anyhow::bail!("no lexicon entries: drop --no-default-lexicon or pass --lexicon FILE.csv");
    }
    tracing::info!("{} lexicon entries", lex.len());
    Engine::new(lex).context("compiling the lexicons")
}

/// Parse one input line: a JSON object with a string `text` (and any `id`), or plain text.
fn parse_line(line: &str, n: u64) -> std::result::Result<(serde_json::Value, String), String> {
    let trimmed = line.trim_start();
    if trimmed.starts_with('{') {
        if let Ok(serde_json::Value::Object(mut o)) =
            serde_json::from_str::<serde_json::Value>(line)
        {
            let id = o.remove("id").unwrap_or(serde_json::Value::from(n));
            return match o.remove("text") {
                Some(serde_json::Value::String(t)) => Ok((id, t)),
                Some(serde_json::Value::Null) | None => {
                    Err("field `text`: missing (a JSON line needs a string `text`)".into())
                }
                Some(other) => Err(format!(
                    "field `text`: expected a string, found {}",
                    match other {
                        serde_json::Value::Bool(_) => "a boolean",
                        serde_json::Value::Number(_) => "a number",
                        serde_json::Value::Array(_) => "an array",
                        _ => "an object",
                    }
                )),
            };
        }
    }
    Ok((serde_json::Value::from(n), line.to_string()))
}

pub fn run(args: ScanTextArgs) -> Result<ExitCode> {
    let engine = engine(&args.lexicons, args.no_default_lexicon)?;
    let opts = ScanOptions { keys: args.keys };
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
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
                    id: n.into(),
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
                write_json(
                    &mut out,
                    &Out {
                        id,
                        result: &result,
                    },
                )?;
            }
            Err(reason) => {
                bad += 1;
                eprintln!("line {n}: {reason}");
                write_json(
                    &mut out,
                    &ErrOut {
                        id: n.into(),
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
