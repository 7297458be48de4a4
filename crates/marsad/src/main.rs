//! `marsad`: the command-line entry point. One binary, an embedded store by default.

mod alerts;
mod analyze;
mod avatars;
mod bank;
mod classifier;
mod demo;
mod graph;
mod import;
mod media;
mod network;
mod rules;
mod scan_text;
mod search;
mod watch;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use marsad_model::Record;
use marsad_sources::Format;
use marsad_store::{SqliteStore, Store, Workspace};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// mimalloc: the import path allocates and frees many short-lived buffers (records, SQL,
/// arguments); glibc's allocator spent much of its time in the kernel on them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code when some records were rejected (the rest was imported).
pub const EXIT_REJECTS: u8 = 2;
/// Exit code when interrupted (what was committed is kept).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Marsad (مرصد): watch social media for terrorist and extremist activity.
#[derive(Debug, Parser)]
#[command(
    name = "marsad",
    version,
    about = "Marsad (مرصد): watch social media for terrorist and extremist activity",
    long_about = None
)]
struct Cli {
    /// The workspace folder (database, media blobs, reject files).
    #[arg(
        long,
        global = true,
        env = "MARSAD_DATA",
        default_value = "marsad-data"
    )]
    data: PathBuf,
    /// More log output (-v: info, -vv: debug). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the workspace (folder, database, blob store); safe to run again.
    Init,
    /// Import exports / API dumps into the workspace (streamed, idempotent).
    Import(ImportArgs),
    /// Attach avatar images (a folder or a CSV manifest) to stored accounts, then hash them.
    ImportAvatars(avatars::ImportAvatarsArgs),
    /// Counts of items, accounts, channels, media and interactions by platform and kind.
    Stats {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Export stored records.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Generate the demo dataset (and, without --generate, import it into the workspace).
    Demo(DemoArgs),
    /// Network analysis: hubs, communities, tiers, coordination, brigades, successors, migration, export.
    Graph(graph::GraphArgs),
    /// Scan texts from standard input (JSON lines {"id","text"} or plain lines): lexicon
    /// matches with exact spans, entities, language. One JSON line out per line in.
    ScanText(scan_text::ScanTextArgs),
    /// Full-text search over stored items (normalized, stemmed; the index is kept current).
    Search(search::SearchArgs),
    /// PDQ hashes of image files (Meta's `hash,quality,path` lines by default).
    Hash(media::HashArgs),
    /// Match image files against the hash banks (JSON lines: best matches and distances).
    Match(media::MatchArgs),
    /// Hash banks: create, import, export, list, disable, enable.
    Bank {
        #[command(subcommand)]
        cmd: bank::BankCmd,
    },
    /// Media metadata (EXIF/GPS).
    Media {
        #[command(subcommand)]
        cmd: media::MediaCmd,
    },
    /// Train the text classifier on labelled texts (JSON lines or CSV/TSV).
    Train(classifier::TrainArgs),
    /// Evaluate a classifier model: precision, recall, F1, macro-F1, PR-AUC per label.
    Eval(classifier::EvalArgs),
    /// Classify JSON lines {"id","text"} from stdin: scores, labels, explanations.
    Classify(classifier::ClassifyArgs),
    /// Run the detectors over stored items (incremental), then the alert rules.
    Analyze(analyze::AnalyzeArgs),
    /// Findings stored by `marsad analyze`.
    Findings {
        #[command(subcommand)]
        cmd: alerts::FindingsCmd,
    },
    /// Alerts raised by the rules: list, show (all evidence).
    Alerts {
        #[command(subcommand)]
        cmd: alerts::AlertsCmd,
    },
    /// Alert rules: backtest a rule file over stored findings, or check it.
    Rules {
        #[command(subcommand)]
        cmd: rules::RulesCmd,
    },
    /// Watchlists: security personnel, protected people, known extremists.
    Watch {
        #[command(subcommand)]
        cmd: watch::WatchCmd,
    },
    /// Geofences: sensitive sites for OPSEC-leak detection.
    Geofence {
        #[command(subcommand)]
        cmd: watch::GeofenceCmd,
    },
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The input format: telegram-desktop, twitter-v2, tiktok-research, rocketchat,
    /// crowdtangle, youtube, jsonl.
    #[arg(long, short)]
    format: Format,
    /// Print the summary as JSON: {"read","imported","updated","duplicates","rejected"}.
    #[arg(long)]
    json: bool,
    /// Where to write rejected records (JSON lines); default: <data>/rejects/<time>-<format>.jsonl.
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// Parse and validate only; store nothing (rejects are still reported).
    #[arg(long)]
    dry_run: bool,
    /// Records per transaction.
    #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    batch: u32,
    /// Do not hash and match the media files this import stored (by default they are
    /// PDQ-hashed once and matched against the enabled hash banks, as `marsad media scan`).
    #[arg(long)]
    no_media_scan: bool,
    /// Files to import.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum ExportWhat {
    /// Items in the generic JSON-lines schema (re-importable with --format jsonl).
    Items {
        #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
        /// Output file (default: standard output).
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    Jsonl,
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// Only write the dataset into DIR (no workspace, no import).
    #[arg(long, value_name = "DIR")]
    generate: Option<PathBuf>,
    /// Size multiplier: 1 is a few thousand items; 1000 is millions.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    scale: u32,
    /// Random seed (same seed, same bytes); default: the generator's own.
    #[arg(long)]
    seed: Option<u64>,
    /// Only these formats (comma-separated importer names), e.g. twitter-v2,telegram-desktop.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
}

fn init_logging(cli: &Cli) {
    let default = if cli.quiet {
        "error"
    } else {
        match cli.verbose {
            0 => "warn",
            1 => "info",
            _ => "debug",
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<ExitCode> {
    let ws = Workspace::new(&cli.data);
    match cli.command {
        Command::ScanText(args) => tokio::task::spawn_blocking(move || scan_text::run(args))
            .await
            .context("scan-text worker")?,
        Command::Init => {
            let store = ws
                .init()
                .await
                .with_context(|| format!("initialising workspace {}", ws.root.display()))?;
            println!(
                "Marsad workspace ready at {} (schema version {})",
                ws.root.display(),
                SqliteStore::schema_version()
            );
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(args) => {
            let store = open(&ws).await?;
            let dry_run = args.dry_run;
            let code = cmd_import(&ws, store.clone(), args).await?;
            if !dry_run {
                // Keep search current; a failure here does not undo the import.
                match search::update_index(&ws, &store).await {
                    Ok(n) => tracing::info!("search index: {n} item(s) indexed"),
                    Err(e) => eprintln!("warning: {e:#} (run `marsad search` to retry)"),
                }
            }
            store.close().await;
            Ok(code)
        }
        Command::Search(args) => {
            let store = open(&ws).await?;
            let code = search::run(&ws, &store, args).await;
            store.close().await;
            code
        }
        Command::Stats { json } => {
            let store = open(&ws).await?;
            let stats = store.stats().await.context("reading counts")?;
            if json {
                println!("{}", serde_json::to_string_pretty(&stats)?);
            } else {
                print!("{}", render_stats(&stats));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            what: ExportWhat::Items { format: _, out },
        } => {
            let store = open(&ws).await?;
            match export_items(&store, out.as_ref()).await {
                Ok(n) => tracing::info!("exported {n} items"),
                // The reader went away (`| head`): not an error.
                Err(e) if is_broken_pipe(&e) => {}
                Err(e) => return Err(e),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(args) => {
            demo::run(&ws, args.generate, args.scale, args.seed, &args.only).await
        }
        Command::Graph(args) => graph::run(&ws, args).await,
        Command::ImportAvatars(args) => avatars::run(&ws, args).await,
        Command::Hash(args) => media::hash(args),
        Command::Match(args) => media::match_files(&ws.root, args),
        Command::Bank { cmd } => bank::run(&ws.root, cmd),
        Command::Media { cmd } => media::media(&ws, cmd).await,
        Command::Train(a) => tokio::task::spawn_blocking(move || classifier::train_cmd(a)).await?,
        Command::Eval(a) => tokio::task::spawn_blocking(move || classifier::eval_cmd(a)).await?,
        Command::Classify(a) => {
            tokio::task::spawn_blocking(move || classifier::classify_cmd(a)).await?
        }
        Command::Analyze(args) => analyze::run(&ws, args).await,
        Command::Findings { cmd } => alerts::findings(&ws, cmd).await,
        Command::Alerts { cmd } => alerts::alerts(&ws, cmd).await,
        Command::Rules { cmd } => rules::run(&ws, cmd).await,
        Command::Watch { cmd } => watch::watch(&ws, cmd).await,
        Command::Geofence { cmd } => watch::geofence(&ws, cmd).await,
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

async fn open(ws: &Workspace) -> Result<SqliteStore> {
    ws.open()
        .await
        .with_context(|| format!("opening workspace {}", ws.root.display()))
}

async fn cmd_import(ws: &Workspace, store: SqliteStore, args: ImportArgs) -> Result<ExitCode> {
    for p in &args.paths {
        if p.is_dir() {
            bail!(
                "{}: is a folder; pass the files in it (e.g. {}/*.json)",
                p.display(),
                p.display()
            );
        }
        if !p.is_file() {
            bail!("{}: no such file", p.display());
        }
    }
    let rejects_path = args.rejects.clone().unwrap_or_else(|| {
        ws.rejects_dir().join(format!(
            "{}-{}.jsonl",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
            args.format
        ))
    });
    let opts = import::Options {
        format: args.format,
        batch_size: args.batch as usize,
        rejects_path,
        progress: !args.json,
        dry_run: args.dry_run,
    };
    let report = import_with_ctrl_c(ws, Arc::new(store), &args.paths, &opts).await?;
    print_report(&report, args.json)?;
    if report.media_stored > 0 && !args.dry_run && !args.no_media_scan && !report.interrupted {
        let store = open(ws).await?;
        media::scan_pending(ws, &store, args.json)
            .await
            .context("hashing and matching the imported media (retry with `marsad media scan`)")?;
    }
    Ok(exit_code(&report))
}

/// Runs an import; the first Ctrl-C stops reading and commits what was read.
pub(crate) async fn import_with_ctrl_c(
    ws: &Workspace,
    store: Arc<dyn Store>,
    paths: &[PathBuf],
    opts: &import::Options,
) -> Result<import::Report> {
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let stop = stop.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("interrupted: finishing the current batch...");
                stop.store(true, Ordering::Relaxed);
            }
        })
    };
    let report = import::import(store, ws.blobs(), paths, opts, stop).await;
    watcher.abort();
    report
}

pub(crate) fn exit_code(report: &import::Report) -> ExitCode {
    if report.interrupted {
        ExitCode::from(EXIT_INTERRUPTED)
    } else if report.total.rejected > 0 {
        ExitCode::from(EXIT_REJECTS)
    } else {
        ExitCode::SUCCESS
    }
}

pub(crate) fn print_report(report: &import::Report, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(&report.total)?);
    } else {
        for (path, s, failure) in &report.files {
            println!(
                "{}: read {}, imported {}, updated {}, duplicates {}, rejected {}{}",
                path.display(),
                s.read,
                s.imported,
                s.updated,
                s.duplicates,
                s.rejected,
                failure
                    .as_ref()
                    .map(|f| format!(" — stopped: {f}"))
                    .unwrap_or_default()
            );
        }
        let t = &report.total;
        if report.files.len() > 1 {
            println!(
                "total: read {}, imported {}, updated {}, duplicates {}, rejected {}",
                t.read, t.imported, t.updated, t.duplicates, t.rejected
            );
        }
        if report.media_stored > 0 || report.missing_media > 0 {
            println!(
                "media files: {} stored, {} referenced but not found",
                report.media_stored, report.missing_media
            );
        }
    }
    if report.notices > 0 {
        eprintln!("{} notice(s) logged above (nothing lost)", report.notices);
    }
    if let Some(f) = &report.rejects_file {
        eprintln!(
            "{} record(s) rejected: see {}",
            report.total.rejected,
            f.display()
        );
    }
    if report.interrupted {
        eprintln!("interrupted: everything committed is kept; run the same import again to finish");
    }
    Ok(())
}

pub(crate) fn render_stats(s: &marsad_store::Stats) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let mut section = |title: &str, rows: Vec<(String, String, u64)>, total: u64| {
        let _ = writeln!(out, "{title}: {total}");
        for (p, k, n) in rows {
            let _ = writeln!(out, "  {p:<12} {k:<14} {n:>10}");
        }
    };
    let nested =
        |m: &std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>>| {
            m.iter()
                .flat_map(|(p, ks)| ks.iter().map(move |(k, n)| (p.clone(), k.clone(), *n)))
                .collect::<Vec<_>>()
        };
    section("items", nested(&s.items), s.total_items());
    section(
        "accounts",
        s.accounts
            .iter()
            .map(|(p, n)| (p.clone(), String::new(), *n))
            .collect(),
        s.total_accounts(),
    );
    section("channels", nested(&s.channels), s.total_channels());
    section(
        "interactions",
        nested(&s.interactions),
        s.total_interactions(),
    );
    let _ = writeln!(
        out,
        "media: {} files ({} bytes) for {} references",
        s.media_files, s.media_bytes, s.media_refs
    );
    out
}

async fn export_items(store: &dyn Store, out: Option<&PathBuf>) -> Result<u64> {
    let mut w: Box<dyn Write> = match out {
        Some(p) => Box::new(BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let mut after = None;
    let mut n = 0u64;
    loop {
        let page = store
            .items_page(after, 1000)
            .await
            .context("reading items")?;
        let Some(last) = page.last() else { break };
        after = Some(last.0);
        for (_, item) in page {
            let line = marsad_sources::jsonl::to_line(&Record::Item(item))?;
            w.write_all(line.as_bytes()).context("writing the export")?;
            w.write_all(b"\n").context("writing the export")?;
            n += 1;
        }
    }
    w.flush().context("writing the export")?;
    Ok(n)
}
