//! `marsad bank ...`: named hash banks in the workspace (`<data>/banks/NAME/`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use marsad_media::{BankFormat, Banks, EntryDefaults};

#[derive(Debug, Subcommand)]
pub enum BankCmd {
    /// Create an empty bank.
    Create {
        name: String,
        /// A bank of known benign images: a match against it suppresses other banks' matches.
        #[arg(long)]
        negative: bool,
        #[arg(long, default_value = "")]
        description: String,
    },
    /// Import hashes into a bank (idempotent; bad rows are reported and skipped).
    Import(ImportArgs),
    /// Write a bank's hashes (default: standard output).
    Export {
        name: String,
        /// csv (Marsad, with header), pdq (hash,quality,label), te (signal_type,signal_value,...).
        #[arg(long, short, default_value = "csv")]
        format: BankFormat,
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// List banks with their hash counts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Disable a bank: it is no longer matched against.
    Disable { name: String },
    /// Enable a disabled bank.
    Enable { name: String },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    name: String,
    /// csv (`hash,label,group,content_type,source,added_at,quality` with a header, any order),
    /// pdq (Meta's `hash,quality,path`), te (ThreatExchange / HMA CSV: signal_type,signal_value).
    #[arg(long, short, default_value = "csv")]
    format: BankFormat,
    /// Label for rows without one.
    #[arg(long)]
    label: Option<String>,
    /// Group for rows without one.
    #[arg(long)]
    group: Option<String>,
    /// Content type for rows without one.
    #[arg(long)]
    content_type: Option<String>,
    /// Source for rows without one (default: the file's path).
    #[arg(long)]
    source: Option<String>,
    #[arg(long)]
    json: bool,
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

pub fn run(data: &Path, cmd: BankCmd) -> Result<ExitCode> {
    let banks = Banks::new(data);
    match cmd {
        BankCmd::Create {
            name,
            negative,
            description,
        } => {
            banks.create(&name, &description, negative)?;
            println!(
                "bank {name} created{}",
                if negative {
                    " (negative: suppresses matches)"
                } else {
                    ""
                }
            );
        }
        BankCmd::Import(a) => {
            let defaults = EntryDefaults {
                label: a.label,
                group: a.group,
                content_type: a.content_type,
                source: a.source,
            };
            let mut rejected = 0;
            for f in &a.files {
                let r = banks
                    .import(&a.name, f, a.format, &defaults)
                    .with_context(|| format!("importing {} into bank {}", f.display(), a.name))?;
                for rej in &r.rejects {
                    eprintln!(
                        "rejected: {}, line {}, field {}: {}",
                        f.display(),
                        rej.line,
                        rej.field,
                        rej.reason
                    );
                }
                rejected += r.rejected;
                if a.json {
                    println!("{}", serde_json::to_string(&r)?);
                } else {
                    println!(
                        "{}: read {}, imported {} ({} file digests), duplicates {}, skipped (other signal types) {}, rejected {}",
                        f.display(),
                        r.read,
                        r.imported,
                        r.exact,
                        r.duplicates,
                        r.skipped,
                        r.rejected
                    );
                }
            }
            if rejected > 0 {
                return Ok(ExitCode::from(crate::EXIT_REJECTS));
            }
        }
        BankCmd::Export { name, format, out } => {
            let n = match &out {
                Some(p) => {
                    let mut f = std::io::BufWriter::new(
                        std::fs::File::create(p)
                            .with_context(|| format!("creating {}", p.display()))?,
                    );
                    let n = banks.export(&name, format, &mut f)?;
                    f.flush()?;
                    n
                }
                None => {
                    let stdout = std::io::stdout();
                    let mut lock = stdout.lock();
                    banks.export(&name, format, &mut lock)?
                }
            };
            tracing::info!("exported {n} rows from bank {name}");
        }
        BankCmd::List { json } => {
            let list = banks.list()?;
            if json {
                for b in &list {
                    println!("{}", serde_json::to_string(b)?);
                }
            } else if list.is_empty() {
                println!("no banks (create one with `marsad bank create NAME`)");
            } else {
                for b in &list {
                    println!(
                        "{:<24} {:>10} hashes {:>8} digests  {:<8} {}{}",
                        b.meta.name,
                        b.hashes,
                        b.exact,
                        if b.meta.enabled {
                            "enabled"
                        } else {
                            "disabled"
                        },
                        if b.meta.negative { "negative " } else { "" },
                        b.meta.description
                    );
                }
            }
        }
        BankCmd::Disable { name } => {
            banks.set_enabled(&name, false)?;
            println!("bank {name} disabled");
        }
        BankCmd::Enable { name } => {
            banks.set_enabled(&name, true)?;
            println!("bank {name} enabled");
        }
    }
    Ok(ExitCode::SUCCESS)
}
