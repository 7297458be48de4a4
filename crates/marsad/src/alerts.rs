//! `marsad findings list`, `marsad alerts list|show`: reading what `marsad analyze` stored.
//! Untrusted text (items, handles, evidence) is made terminal-safe before printing.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::DateTime;
use clap::{Args, Subcommand};
use marsad_detect::{Finding, Span};
use marsad_store::{SqliteStore, StoredFinding, Workspace};

use crate::search::terminal_safe;

#[derive(Debug, Subcommand)]
pub enum FindingsCmd {
    /// Current findings, newest first.
    List(FindingsListArgs),
}

#[derive(Debug, Args)]
pub struct FindingsListArgs {
    /// Only this category (slogan, outlet, opsec_leak, threat, migration, account_burst…).
    #[arg(long)]
    category: Option<String>,
    /// Only findings at or after this time (2024-05-01 or RFC 3339).
    #[arg(long, value_parser = crate::search::parse_since)]
    since: Option<DateTime<chrono::Utc>>,
    #[arg(long, default_value_t = 50)]
    limit: i64,
    /// One JSON object per line (the stored finding with its id).
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
pub enum AlertsCmd {
    /// Alerts, highest priority first.
    List(AlertsListArgs),
    /// One alert with all its evidence (highlighted spans).
    Show {
        id: i64,
        /// Print the alert and its findings as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct AlertsListArgs {
    /// Only this routing queue (propaganda, opsec, threats, networks…).
    #[arg(long)]
    queue: Option<String>,
    #[arg(long, default_value_t = 100)]
    limit: i64,
    /// One JSON object per line.
    #[arg(long)]
    json: bool,
}

fn when(us: Option<i64>) -> String {
    us.and_then(DateTime::from_timestamp_micros)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".into())
}

fn parse(s: &StoredFinding) -> Result<Finding> {
    serde_json::from_str(&s.body).with_context(|| format!("finding {}: stored body", s.id))
}

pub async fn findings(ws: &Workspace, cmd: FindingsCmd) -> Result<ExitCode> {
    let store = crate::open(ws).await?;
    let FindingsCmd::List(a) = cmd;
    let rows = store
        .current_findings(
            a.since.map(|t| t.timestamp_micros()),
            a.category.as_deref(),
            a.limit.max(0),
        )
        .await?;
    for s in &rows {
        let f = parse(s)?;
        if a.json {
            let mut v = serde_json::to_value(&f)?;
            if let Some(o) = v.as_object_mut() {
                o.insert("id".into(), s.id.into());
            }
            println!("{v}");
        } else {
            println!(
                "#{:<6} {:<16} {:<8} {:.2} {:<17} {}  {}\n        {}",
                s.id,
                f.category,
                f.severity.as_str(),
                f.score,
                f.detector,
                when(f.at),
                terminal_safe(f.subject.item().or(f.subject.account()).unwrap_or("-")),
                terminal_safe(&f.explanation.en)
            );
        }
    }
    if !a.json {
        let counts = store.finding_counts().await?;
        let total: i64 = counts.iter().map(|c| c.count).sum();
        println!("{} shown; {total} current findings", rows.len());
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

pub async fn alerts(ws: &Workspace, cmd: AlertsCmd) -> Result<ExitCode> {
    let store = crate::open(ws).await?;
    let code = match cmd {
        AlertsCmd::List(a) => {
            let rows = store.alerts(a.queue.as_deref(), a.limit.max(0)).await?;
            for r in &rows {
                if a.json {
                    println!("{}", serde_json::to_string(r)?);
                } else {
                    println!(
                        "#{:<5} {:<8} {:<11} {}  {}  {}\n       {} (rules: {}; {} finding(s))",
                        r.id,
                        r.priority,
                        r.queue,
                        when(r.at),
                        terminal_safe(&r.account),
                        terminal_safe(if r.item.is_empty() { "-" } else { &r.item }),
                        r.title,
                        r.rules.join(", "),
                        r.findings.len()
                    );
                }
            }
            if !a.json {
                println!("{} alert(s)", rows.len());
            }
            ExitCode::SUCCESS
        }
        AlertsCmd::Show { id, json } => show(&store, id, json).await?,
    };
    store.close().await;
    Ok(code)
}

async fn show(store: &SqliteStore, id: i64, json: bool) -> Result<ExitCode> {
    let Some(a) = store.alert(id).await? else {
        eprintln!("error: no alert #{id}");
        return Ok(ExitCode::FAILURE);
    };
    let stored = store.findings_by_id(&a.findings).await?;
    let findings: Vec<(i64, bool, Finding)> = stored
        .iter()
        .map(|s| Ok((s.id, s.current, parse(s)?)))
        .collect::<Result<_>>()?;
    if json {
        let v = serde_json::json!({
            "alert": a,
            "findings": findings.iter().map(|(id, current, f)| {
                serde_json::json!({"id": id, "current": current, "finding": f})
            }).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    let tty = std::io::stdout().is_terminal();
    println!(
        "alert #{}  [{}]  queue {}  status {}",
        a.id, a.priority, a.queue, a.status
    );
    println!("  {}", a.title);
    println!("  rules:   {}", a.rules.join(", "));
    println!("  account: {}", terminal_safe(&a.account));
    if !a.item.is_empty() {
        println!("  item:    {}", terminal_safe(&a.item));
    }
    println!("  when:    {} UTC", when(a.at));
    for (fid, current, f) in &findings {
        println!(
            "\nfinding #{fid}{}  {} {}  category {}  score {:.2}  severity {}",
            if *current { "" } else { " (superseded)" },
            f.detector,
            f.version,
            f.category,
            f.score,
            f.severity
        );
        println!("  EN: {}", terminal_safe(&f.explanation.en));
        println!("  AR: {}", terminal_safe(&f.explanation.ar));
        if let Some(adv) = &f.advice {
            println!("  advice (EN): {}", terminal_safe(&adv.en));
            println!("  advice (AR): {}", terminal_safe(&adv.ar));
        }
        if let Some(item) = f.subject.item() {
            if let Some((platform, pid)) = item.split_once(':') {
                if let Some((text, _, url)) = store.item_text(platform, pid).await? {
                    if let Some(u) = url {
                        println!("  url: {}", terminal_safe(&u));
                    }
                    println!("  text: {}", highlight(&text, &f.evidence.spans, tty));
                }
            }
        }
        for s in &f.evidence.spans {
            println!(
                "  span {}..{} {:<16} «{}» → {}{}",
                s.start,
                s.end,
                s.kind,
                terminal_safe(&s.matched),
                terminal_safe(&s.term),
                if s.note.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", terminal_safe(&s.note))
                }
            );
        }
        for x in &f.evidence.features {
            println!(
                "  feature {} = {}{}",
                x.name,
                terminal_safe(&x.value.to_string()),
                x.note
                    .as_deref()
                    .map(|n| format!(" ({})", terminal_safe(n)))
                    .unwrap_or_default()
            );
        }
        for h in &f.evidence.hashes {
            println!(
                "  hash {} matched bank {} entry {} ({}) at distance {}",
                h.sha256,
                terminal_safe(&h.bank),
                h.bank_hash,
                terminal_safe(&h.label),
                h.distance
            );
        }
        if !f.evidence.rules.is_empty() {
            println!("  sources: {}", terminal_safe(&f.evidence.rules.join(", ")));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The text with the evidence spans marked (bold yellow on a terminal, `[…]` otherwise),
/// every piece made terminal-safe. Overlapping spans are merged; spans that are not on
/// character boundaries of this text are ignored.
pub fn highlight(text: &str, spans: &[Span], tty: bool) -> String {
    let (open, close) = if tty {
        ("\x1b[1;33m", "\x1b[0m")
    } else {
        ("[", "]")
    };
    let mut ranges: Vec<(usize, usize)> = spans
        .iter()
        .filter(|s| {
            s.start < s.end
                && s.end <= text.len()
                && text.is_char_boundary(s.start)
                && text.is_char_boundary(s.end)
        })
        .map(|s| (s.start, s.end))
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (a, b) in ranges {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    let mut out = String::new();
    let mut pos = 0;
    for (a, b) in merged {
        out.push_str(&terminal_safe(&text[pos..a]));
        out.push_str(open);
        out.push_str(&terminal_safe(&text[a..b]));
        out.push_str(close);
        pos = b;
    }
    out.push_str(&terminal_safe(&text[pos..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize, end: usize) -> Span {
        Span {
            start,
            end,
            matched: String::new(),
            term: String::new(),
            kind: "x".into(),
            note: String::new(),
        }
    }

    #[test]
    fn highlight_merges_and_escapes() {
        let t = "ab\u{202E}cd efg";
        let out = highlight(t, &[span(0, 2), span(1, 3), span(100, 200)], false);
        assert_eq!(out, "[ab]\\u{202e}cd efg");
        // Not on a char boundary: ignored.
        let ar = "باقية";
        assert_eq!(highlight(ar, &[span(1, 3)], false), ar);
        assert_eq!(
            highlight(ar, &[span(0, ar.len())], false),
            format!("[{ar}]")
        );
    }
}
