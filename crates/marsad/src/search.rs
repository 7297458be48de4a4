//! `marsad search`: full-text search over stored items, and keeping the index current.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;
use marsad_search::{Hit, SearchIndex, SearchQuery};
use marsad_store::{SqliteStore, Workspace};

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words (normalized and stemmed like the texts), "a phrase", AND / OR / -word.
    query: String,
    /// Only items of this platform (x, telegram, tiktok, facebook, instagram, rocketchat,
    /// youtube, web).
    #[arg(long)]
    platform: Option<String>,
    /// Only items created at or after this time (2024-05-01 or an RFC 3339 time).
    #[arg(long, value_parser = parse_since)]
    since: Option<DateTime<Utc>>,
    /// At most this many results.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    /// One JSON line per hit: {score, item_id, platform, platform_id, author, created_at,
    /// text, highlights: [[start, end], ...]} (byte offsets into text).
    #[arg(long)]
    json: bool,
}

pub(crate) fn parse_since(s: &str) -> std::result::Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| format!("`{s}` is not a date (2024-05-01) or an RFC 3339 time"))
}

/// Bring the workspace's search index up to date with the store.
pub async fn update_index(ws: &Workspace, store: &SqliteStore) -> Result<u64> {
    let dir = ws.index_dir();
    let index = SearchIndex::open(&dir)
        .with_context(|| format!("opening the search index {}", dir.display()))?;
    let stats = index
        .update(store.pool())
        .await
        .context("updating the search index")?;
    Ok(stats.indexed)
}

/// Untrusted text made safe for a terminal: control characters, bidi overrides and other
/// invisible formatting characters are shown as `\u{...}` escapes, line breaks as `⏎`.
pub fn terminal_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push('⏎'),
            '\t' => out.push(' '),
            c if c.is_control()
                || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}') =>
            {
                out.push_str(&format!("\\u{{{:04x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

fn render(hit: &Hit, tty: bool) -> String {
    let (open, close) = if tty {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("[", "]")
    };
    let mut text = String::new();
    let mut pos = 0;
    for &(a, b) in &hit.highlights {
        if a < pos || b > hit.text.len() {
            continue;
        }
        text.push_str(&terminal_safe(&hit.text[pos..a]));
        text.push_str(open);
        text.push_str(&terminal_safe(&hit.text[a..b]));
        text.push_str(close);
        pos = b;
    }
    text.push_str(&terminal_safe(&hit.text[pos..]));
    let when = hit
        .created_at
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".into());
    format!(
        "{:6.2}  {}:{}  {}  {}\n        {}\n",
        hit.score,
        hit.platform,
        terminal_safe(&hit.platform_id),
        when,
        hit.author.as_deref().map(terminal_safe).unwrap_or_default(),
        text
    )
}

pub async fn run(ws: &Workspace, store: &SqliteStore, args: SearchArgs) -> Result<ExitCode> {
    let dir = ws.index_dir();
    let index = SearchIndex::open(&dir)
        .with_context(|| format!("opening the search index {}", dir.display()))?;
    index
        .update(store.pool())
        .await
        .context("updating the search index")?;
    let hits = index.search(&SearchQuery {
        text: args.query.clone(),
        platform: args.platform.clone(),
        since: args.since,
        limit: args.limit,
    })?;
    let stdout = std::io::stdout();
    let tty = stdout.is_terminal();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let result = (|| -> std::io::Result<()> {
        for h in &hits {
            if args.json {
                serde_json::to_writer(&mut out, h)?;
                out.write_all(b"\n")?;
            } else {
                out.write_all(render(h, tty).as_bytes())?;
            }
        }
        if !args.json {
            writeln!(
                out,
                "{} hit(s) of {} indexed item(s)",
                hits.len(),
                index.len()
            )?;
        }
        out.flush()
    })();
    match result {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        r => r.context("writing standard output")?,
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes() {
        assert_eq!(terminal_safe("a\x1b[31mb"), "a\\u{001b}[31mb");
        assert_eq!(terminal_safe("x\u{202E}y\nz"), "x\\u{202e}y⏎z");
        assert_eq!(terminal_safe("داعش"), "داعش");
    }

    #[test]
    fn since_parses_dates() {
        assert!(parse_since("2024-05-01").is_ok());
        assert!(parse_since("2024-05-01T10:00:00Z").is_ok());
        assert!(parse_since("May 1").is_err());
    }
}
