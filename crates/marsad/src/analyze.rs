//! `marsad analyze`: run the detectors over stored items (incrementally: a detector runs on an
//! item only when its version changed or the item was updated), then the account-level
//! detectors, then the alert rules. Items are read in pages, scanned by a pool of worker
//! threads (one text scan per item shared by every detector) and written back in one
//! transaction per batch.

use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use chrono::{DateTime, Utc};
use clap::Args;
use marsad_detect::detectors::opsec_leak::profile_personnel_terms;
use marsad_detect::detectors::{self, Fingerprints};
use marsad_detect::rules::{Evaluation, RuleInput, RuleSet};
use marsad_detect::{
    AccountActivity, AccountRow, Analyzer, AuthorFacts, Conduct, DetectConfig, Env, Finding,
    Geofence, ItemView, ListKind, MediaFacts, MediaMatchFact, Scope, TextModel, WatchEntry,
    Watchlists,
};
use marsad_model::{ItemKind, Mention, Platform};
use marsad_store::{
    AnalyzeItemRow, ItemAnalysis, ItemMediaRow, NewAlert, NewFinding, SqliteStore, Workspace,
};
use marsad_text::Engine;
use serde::Serialize;

#[derive(Debug, Args, Clone, Default)]
pub struct AnalyzeArgs {
    /// Only items created at or after this time (2024-05-01 or an RFC 3339 time).
    #[arg(long, value_parser = crate::search::parse_since)]
    pub since: Option<DateTime<Utc>>,
    /// Only these detectors (comma-separated or repeated): keyword_match, text_classifier,
    /// image_hash_match, opsec_leak, threat_to_person, invite_link, new_account_burst, and the
    /// network findings coordination, brigade, ban_evasion.
    #[arg(long = "detector", value_delimiter = ',')]
    pub detectors: Vec<String>,
    /// Alert rules (TOML); default: the built-in rules/default.toml.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Detector settings (TOML: night hours, UTC offset, models, code of conduct, burst).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// A text-classifier model file (repeatable); none: text_classifier is skipped.
    #[arg(long = "model")]
    pub models: Vec<PathBuf>,
    /// Extra lexicon CSV files on top of the default lexicons.
    #[arg(long = "lexicon")]
    pub lexicons: Vec<PathBuf>,
    /// Scanning threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    pub workers: usize,
    /// Do not hash new media files first.
    #[arg(long)]
    pub no_media: bool,
    /// Skip the network findings (coordination, brigade, ban_evasion), which load the whole
    /// interaction graph.
    #[arg(long)]
    pub no_network: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// What a run did.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub items_seen: u64,
    pub items_analysed: u64,
    pub items_unchanged: u64,
    pub new_findings: u64,
    /// New findings by category.
    pub by_category: BTreeMap<String, u64>,
    pub account_findings_new: u64,
    pub alerts_new: u64,
    pub alerts_updated: u64,
    /// Rule id → (account, item) pairs matched (shadow rules included).
    pub rules_matched: BTreeMap<String, u64>,
    pub shadow_alerts: u64,
    pub seconds: f64,
    pub items_per_second: f64,
    pub skipped_detectors: Vec<String>,
}

/// Everything a run needs besides the store.
pub struct Setup {
    pub analyzer: Arc<Analyzer>,
    pub rules: RuleSet,
    pub skipped: Vec<String>,
    /// The network findings to compute (subset of `NETWORK_NAMES`).
    pub network: Vec<&'static str>,
}

impl std::fmt::Debug for Setup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Setup").finish_non_exhaustive()
    }
}

/// Load settings, code of conduct, watchlists, geofences, models, lexicons and rules.
pub async fn setup(ws: &Workspace, store: &SqliteStore, args: &AnalyzeArgs) -> Result<Setup> {
    let mut config = match &args.config {
        Some(p) => DetectConfig::load(p)?,
        None => DetectConfig::default(),
    };
    config.models.extend(args.models.iter().cloned());
    let conduct = match &config.code_of_conduct {
        Some(p) => Conduct::load(p)?,
        None => Conduct::builtin()?,
    };
    let watch = store.watchlist().await.context("reading watchlists")?;
    let entries = watch
        .into_iter()
        .map(|w| {
            Ok(WatchEntry {
                list: ListKind::from_str(&w.list).map_err(anyhow::Error::msg)?,
                platform: (!w.platform.is_empty()).then_some(w.platform),
                handle: w.handle,
                names: w.names,
                note: w.note,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let geofences = store
        .geofences()
        .await
        .context("reading geofences")?
        .into_iter()
        .map(|g| Geofence {
            name: g.name,
            lat: g.lat,
            lon: g.lon,
            radius_m: g.radius_m,
        })
        .collect();
    let mut models: Vec<Arc<dyn TextModel>> = Vec::new();
    for p in &config.models {
        let m = marsad_detect::detectors::text_classifier::load_text_model(p)
            .with_context(|| "loading a text-classifier model")?;
        models.push(m);
    }
    let mut skipped = Vec::new();
    if models.is_empty() {
        skipped.push(
            "text_classifier (no model configured: --model FILE or `models` in --config)"
                .to_string(),
        );
    }
    let lexicon = detectors::analysis_lexicon(&args.lexicons).context("loading lexicons")?;
    let lex_fp = detectors::lexicon_fingerprint(&lexicon.entries);
    let engine = Arc::new(Engine::new(lexicon).context("compiling lexicons")?);
    let banks = marsad_media::Banks::new(&ws.root)
        .list()
        .map(|l| serde_json::to_string(&l).unwrap_or_default())
        .unwrap_or_default();
    let fp = Fingerprints {
        lexicon: lex_fp,
        banks: format!("{:08x}", xxhash32(&banks)),
        media_max_distance: marsad_media::DEFAULT_MAX_DISTANCE,
    };
    let env = Env {
        config,
        conduct,
        watch: Arc::new(Watchlists::new(entries)?),
        geofences,
        models,
    };
    let mut list = detectors::registry(&env, &fp);
    let mut network: Vec<&'static str> = if args.no_network {
        Vec::new()
    } else {
        detectors::NETWORK_NAMES.to_vec()
    };
    if !args.detectors.is_empty() {
        for d in &args.detectors {
            if !detectors::NAMES.contains(&d.as_str())
                && !detectors::NETWORK_NAMES.contains(&d.as_str())
            {
                bail!(
                    "--detector {d}: unknown detector (known: {}, {})",
                    detectors::NAMES.join(", "),
                    detectors::NETWORK_NAMES.join(", ")
                );
            }
        }
        list.retain(|d| args.detectors.iter().any(|n| n == d.id()));
        network.retain(|d| args.detectors.iter().any(|n| n == d));
    }
    let rules = match &args.rules {
        Some(p) => RuleSet::load(p)?,
        None => RuleSet::builtin()?,
    };
    Ok(Setup {
        analyzer: Arc::new(Analyzer {
            detectors: list,
            engine,
            env,
        }),
        rules,
        skipped,
        network,
    })
}

fn xxhash32(s: &str) -> u32 {
    // A short stable fingerprint (the detect crate's helpers use the same hash).
    let mut h: u32 = 0x811c_9dc5;
    for b in s.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

pub async fn run(ws: &Workspace, args: AnalyzeArgs) -> Result<ExitCode> {
    let store = crate::open(ws).await?;
    if !args.no_media {
        crate::media::scan_pending(ws, &store, args.json).await?;
    }
    let setup = setup(ws, &store, &args).await?;
    if !args.json {
        for s in &setup.skipped {
            eprintln!("notice: skipped {s}");
        }
    }
    let summary = analyze(&store, &setup, &args, true).await?;
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        print!("{}", render_summary(&summary));
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

pub fn render_summary(s: &Summary) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "analysed {} of {} items ({} unchanged) in {:.1} s ({:.0} items/s): {} new findings",
        s.items_analysed,
        s.items_seen,
        s.items_unchanged,
        s.seconds,
        s.items_per_second,
        s.new_findings
    );
    for (c, n) in &s.by_category {
        let _ = writeln!(out, "  {c:<16} {n:>8}");
    }
    if s.account_findings_new > 0 {
        let _ = writeln!(
            out,
            "account-level findings: {} new",
            s.account_findings_new
        );
    }
    let _ = writeln!(
        out,
        "alerts: {} new, {} updated; shadow rules would have raised {}",
        s.alerts_new, s.alerts_updated, s.shadow_alerts
    );
    for (r, n) in &s.rules_matched {
        let _ = writeln!(out, "  rule {r:<28} matched {n}");
    }
    out
}

/// A unit of work for the scanning pool.
struct Job {
    view: ItemView,
    author: Option<Arc<AuthorFacts>>,
    which: Vec<usize>,
    previous: Option<BTreeMap<String, String>>,
    item_updated: i64,
}

/// Run the detectors and rules over the store.
pub async fn analyze(
    store: &SqliteStore,
    setup: &Setup,
    args: &AnalyzeArgs,
    progress: bool,
) -> Result<Summary> {
    let started = Instant::now();
    let analyzer = setup.analyzer.clone();
    let versions = analyzer.versions();
    let item_detectors: Vec<usize> = analyzer
        .detectors
        .iter()
        .enumerate()
        .filter(|(_, d)| d.scope() == Scope::Item)
        .map(|(i, _)| i)
        .collect();
    let since = args.since.map(|t| t.timestamp_micros());
    let total = store.count_items_since(since).await?;
    let bar = if progress && std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(total.max(0) as u64);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "analyze {bar:40} {pos}/{len} items ({per_sec}, eta {eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    } else {
        indicatif::ProgressBar::hidden()
    };

    // Scanning pool.
    let workers = if args.workers > 0 {
        args.workers
    } else {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    };
    let (job_tx, job_rx) = std::sync::mpsc::sync_channel::<Vec<Job>>(workers * 2);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (res_tx, mut res_rx) = tokio::sync::mpsc::channel::<Vec<ItemAnalysis>>(workers * 2);
    let mut handles = Vec::new();
    for _ in 0..workers {
        let rx = job_rx.clone();
        let tx = res_tx.clone();
        let analyzer = analyzer.clone();
        let versions = versions.clone();
        handles.push(std::thread::spawn(move || loop {
            let jobs = match rx.lock() {
                Ok(g) => g.recv(),
                Err(_) => return,
            };
            let Ok(jobs) = jobs else { return };
            let out: Vec<ItemAnalysis> = jobs
                .into_iter()
                .map(|j| run_job(&analyzer, &versions, j))
                .collect();
            if tx.blocking_send(out).is_err() {
                return;
            }
        }));
    }
    drop(res_tx);

    // Writer: one transaction per received batch.
    let writer = {
        let store = store.clone();
        let bar = bar.clone();
        tokio::spawn(async move {
            let mut by_category: BTreeMap<String, u64> = BTreeMap::new();
            let mut new_findings = 0u64;
            let mut analysed = 0u64;
            let mut pending: Vec<ItemAnalysis> = Vec::new();
            while let Some(batch) = res_rx.recv().await {
                analysed += batch.len() as u64;
                bar.inc(batch.len() as u64);
                for a in &batch {
                    for f in &a.findings {
                        *by_category.entry(f.category.clone()).or_default() += 1;
                    }
                }
                pending.extend(batch);
                if pending.len() >= 2_000 {
                    new_findings += store.put_item_analyses(&pending).await?;
                    pending.clear();
                }
            }
            new_findings += store.put_item_analyses(&pending).await?;
            anyhow::Ok((analysed, new_findings, by_category))
        })
    };

    // Reader.
    let mut authors: HashMap<String, Option<Arc<AuthorFacts>>> = HashMap::new();
    let mut sets: HashMap<i64, Option<BTreeMap<String, String>>> = HashMap::new();
    let mut after = 0i64;
    let (mut seen, mut unchanged) = (0u64, 0u64);
    let read_result: Result<()> = async {
        loop {
            let page = store.items_for_analysis(after, since, 4_000).await?;
            let (Some(first), Some(last)) = (page.first(), page.last()) else {
                break;
            };
            let (lo, hi) = (first.id, last.id);
            after = hi;
            seen += page.len() as u64;
            let media = store.item_media_for_analysis(lo, hi).await?;
            let media = group_media(media);
            load_authors(store, &analyzer, &page, &mut authors).await?;
            for (set, _) in page.iter().filter_map(|r| r.analysed) {
                if let std::collections::hash_map::Entry::Vacant(e) = sets.entry(set) {
                    let json = store.analysis_set(set).await?;
                    e.insert(json.and_then(|j| serde_json::from_str(&j).ok()));
                }
            }
            let mut jobs = Vec::with_capacity(page.len());
            for row in page {
                let previous: Option<&BTreeMap<String, String>> = row
                    .analysed
                    .and_then(|(set, _)| sets.get(&set))
                    .and_then(Option::as_ref);
                let updated = row
                    .analysed
                    .as_ref()
                    .is_none_or(|(_, u)| row.updated_at > *u);
                let which: Vec<usize> = item_detectors
                    .iter()
                    .copied()
                    .filter(|&i| {
                        updated
                            || previous
                                .and_then(|p| p.get(versions[i].0))
                                .is_none_or(|v| *v != versions[i].1)
                    })
                    .collect();
                if which.is_empty() {
                    unchanged += 1;
                    bar.inc(1);
                    continue;
                }
                let author = row.author.as_ref().and_then(|a| {
                    authors
                        .get(&format!("{}:{a}", row.platform))
                        .cloned()
                        .flatten()
                });
                let item_updated = row.updated_at;
                let view = item_view(row, &media)?;
                jobs.push(Job {
                    view,
                    author,
                    which,
                    previous: previous.cloned(),
                    item_updated,
                });
                if jobs.len() >= 256 {
                    let chunk = std::mem::take(&mut jobs);
                    send_jobs(&job_tx, chunk).await?;
                }
            }
            if !jobs.is_empty() {
                send_jobs(&job_tx, jobs).await?;
            }
            if authors.len() > 500_000 {
                authors.clear();
            }
        }
        Ok(())
    }
    .await;
    drop(job_tx);
    for h in handles {
        let _ = tokio::task::spawn_blocking(move || h.join()).await;
    }
    let (analysed, new_findings, by_category) = writer.await.context("writer task")??;
    read_result?;
    bar.finish_and_clear();
    let scan_secs = started.elapsed().as_secs_f64();

    // Account-level detectors.
    let mut account_new = 0u64;
    if analyzer
        .detectors
        .iter()
        .any(|d| d.scope() == Scope::Accounts)
    {
        let accounts: Vec<AccountRow> = store
            .accounts_with_creation()
            .await?
            .into_iter()
            .filter_map(|a| {
                let platform = Platform::from_str(&a.platform).ok()?;
                Some(AccountRow {
                    key: format!("{}:{}", a.platform, a.platform_id),
                    platform,
                    handle: a.handle,
                    created_at: a.created_at.and_then(DateTime::from_timestamp_micros),
                })
            })
            .collect();
        let mut activity: BTreeMap<String, AccountActivity> = BTreeMap::new();
        for r in store.account_activity().await? {
            let a = activity.entry(r.account).or_default();
            *a.categories.entry(r.category).or_default() += r.count.max(0) as u32;
            a.first_at = match (a.first_at, r.first_at) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            };
            a.max_score = a.max_score.max(r.max_score as f32);
            if a.items.len() < 3 && !a.items.contains(&r.example_item) {
                a.items.push(r.example_item);
            }
        }
        let found = analyzer.analyze_accounts(&accounts, &activity);
        for d in analyzer
            .detectors
            .iter()
            .filter(|d| d.scope() == Scope::Accounts)
        {
            let rows: Vec<NewFinding> = found
                .iter()
                .filter(|f| f.detector == d.id())
                .map(new_finding)
                .collect::<Result<_>>()?;
            let (new, _) = store.put_account_findings(d.id(), &rows).await?;
            account_new += new;
        }
    }

    // Network findings (coordination, brigades, re-created accounts) over the whole graph.
    if !setup.network.is_empty() {
        let net_started = Instant::now();
        let (ds, _) = marsad_graph::load::load_store(store.pool())
            .await
            .context("loading the interaction graph for the network findings")?;
        let names = setup.network.clone();
        let found = tokio::task::spawn_blocking(move || crate::network::findings(&ds, &names))
            .await
            .context("network analysis task")??;
        for d in &setup.network {
            let rows: Vec<NewFinding> = found
                .iter()
                .filter(|f| f.detector == *d)
                .map(new_finding)
                .collect::<Result<_>>()?;
            let (new, _) = store.put_account_findings(d, &rows).await?;
            account_new += new;
        }
        tracing::info!(
            findings = found.len(),
            seconds = net_started.elapsed().as_secs_f64(),
            "network findings"
        );
    }

    // Rules.
    let eval = evaluate_rules(store, &setup.rules, since).await?;
    let alerts: Vec<NewAlert> = eval
        .alerts
        .iter()
        .map(|a| NewAlert {
            account: a.account.clone(),
            item: a.item.clone(),
            priority: a.priority.as_str().to_string(),
            priority_rank: a.priority as i64,
            queue: a.queue.clone(),
            title: a.title.clone(),
            rules: a.rules.clone(),
            at: a.at,
            findings: a.findings.clone(),
        })
        .collect();
    let counts = store.upsert_alerts(&alerts).await?;
    let secs = started.elapsed().as_secs_f64();
    Ok(Summary {
        items_seen: seen,
        items_analysed: analysed,
        items_unchanged: unchanged,
        new_findings,
        by_category,
        account_findings_new: account_new,
        alerts_new: counts.new,
        alerts_updated: counts.updated,
        rules_matched: eval.matched,
        shadow_alerts: eval.shadow.len() as u64,
        seconds: secs,
        items_per_second: if scan_secs > 0.0 {
            seen as f64 / scan_secs
        } else {
            0.0
        },
        skipped_detectors: setup.skipped.clone(),
    })
}

async fn send_jobs(tx: &std::sync::mpsc::SyncSender<Vec<Job>>, jobs: Vec<Job>) -> Result<()> {
    let tx = tx.clone();
    tokio::task::spawn_blocking(move || tx.send(jobs))
        .await
        .context("scan pool")?
        .map_err(|_| anyhow::anyhow!("the scanning workers stopped"))
}

fn run_job(analyzer: &Analyzer, versions: &[(&'static str, String)], j: Job) -> ItemAnalysis {
    let findings = analyzer.analyze_item(&j.view, j.author.as_deref(), &j.which);
    let mut merged = j.previous.clone().unwrap_or_default();
    for &i in &j.which {
        if let Some((id, v)) = versions.get(i) {
            merged.insert((*id).to_string(), v.clone());
        }
    }
    let rerun = if j.previous.is_some() {
        j.which
            .iter()
            .filter_map(|&i| versions.get(i).map(|(id, _)| (*id).to_string()))
            .collect()
    } else {
        Vec::new()
    };
    let findings = findings
        .iter()
        .filter_map(|f| new_finding(f).ok())
        .map(|mut f| {
            f.item_id = Some(j.view.row_id);
            f
        })
        .collect();
    ItemAnalysis {
        item_id: j.view.row_id,
        item_updated: j.item_updated,
        detectors: serde_json::to_string(&merged).unwrap_or_else(|_| "{}".into()),
        rerun,
        findings,
    }
}

/// The stored form of a finding.
pub fn new_finding(f: &Finding) -> Result<NewFinding> {
    let subject = f
        .subject
        .item()
        .or_else(|| f.subject.account())
        .unwrap_or_default()
        .to_string();
    let platform = subject
        .split_once(':')
        .map(|(p, _)| p)
        .unwrap_or("")
        .to_string();
    Ok(NewFinding {
        item_id: None,
        subject,
        account: f.subject.account().map(str::to_string),
        platform,
        detector: f.detector.clone(),
        version: f.version.clone(),
        category: f.category.clone(),
        score: f64::from(f.score),
        severity: f.severity.as_str().to_string(),
        at: f.at,
        body: serde_json::to_string(f)?,
    })
}

fn group_media(rows: Vec<ItemMediaRow>) -> HashMap<i64, Vec<MediaFacts>> {
    let mut out: HashMap<i64, Vec<MediaFacts>> = HashMap::new();
    for r in rows {
        let list = out.entry(r.item_id).or_default();
        let pos = match list.iter().position(|m| m.sha256 == r.sha256) {
            Some(p) => p,
            None => {
                let gps = r.metadata.as_deref().and_then(|m| {
                    let v: serde_json::Value = serde_json::from_str(m).ok()?;
                    Some((
                        v.get("gps_latitude")?.as_f64()?,
                        v.get("gps_longitude")?.as_f64()?,
                    ))
                });
                list.push(MediaFacts {
                    sha256: r.sha256.clone(),
                    pdq: r.pdq.clone(),
                    gps,
                    matches: Vec::new(),
                });
                list.len() - 1
            }
        };
        if let (Some(bank), Some(bank_hash), Some(distance)) = (r.bank, r.bank_hash, r.distance) {
            list[pos].matches.push(MediaMatchFact {
                bank,
                bank_hash,
                label: r.label.unwrap_or_default(),
                group: r.group.unwrap_or_default(),
                content_type: r.content_type.unwrap_or_default(),
                distance: distance.clamp(0, 256) as u32,
                frame_fraction: r.frame_fraction,
            });
        }
    }
    out
}

fn item_view(row: AnalyzeItemRow, media: &HashMap<i64, Vec<MediaFacts>>) -> Result<ItemView> {
    let platform = Platform::from_str(&row.platform)
        .map_err(|e| anyhow::anyhow!("item {}:{}: {e}", row.platform, row.platform_id))?;
    let kind = ItemKind::from_str(&row.kind).unwrap_or(ItemKind::Post);
    let links: Vec<String> = row
        .links
        .as_deref()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_default();
    let mentions: Vec<Mention> = row
        .mentions
        .as_deref()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_default();
    Ok(ItemView {
        row_id: row.id,
        platform,
        id: row.platform_id,
        kind,
        author: row.author,
        created_at: row.created_at.and_then(DateTime::from_timestamp_micros),
        text: row.text,
        is_live: row.is_live,
        geo: row.lat.zip(row.lon),
        place: row.place,
        links,
        mentions: mentions.into_iter().map(|m| m.handle).collect(),
        reply_to_author: row.parent_author,
        media: media.get(&row.id).cloned().unwrap_or_default(),
    })
}

/// Fill the author cache for a page: profile facts, watchlists, uniform/unit vocabulary.
async fn load_authors(
    store: &SqliteStore,
    analyzer: &Analyzer,
    page: &[AnalyzeItemRow],
    cache: &mut HashMap<String, Option<Arc<AuthorFacts>>>,
) -> Result<()> {
    let mut want: Vec<(String, String)> = Vec::new();
    for r in page {
        if let Some(a) = &r.author {
            let k = format!("{}:{a}", r.platform);
            if let std::collections::hash_map::Entry::Vacant(e) = cache.entry(k) {
                e.insert(None);
                want.push((r.platform.clone(), a.clone()));
            }
        }
    }
    if want.is_empty() {
        return Ok(());
    }
    let watch = &analyzer.env.watch;
    let found = store.account_facts(&want).await?;
    let mut seen: std::collections::HashSet<String> = Default::default();
    for a in found {
        let key = format!("{}:{}", a.platform, a.platform_id);
        let mut handles: Vec<&str> = vec![a.platform_id.as_str()];
        if let Some(h) = &a.handle {
            handles.push(h);
        }
        let watchlists = watch.lists_of(&a.platform, &handles);
        let profile = format!(
            "{}\n{}",
            a.display_name.as_deref().unwrap_or(""),
            a.bio.as_deref().unwrap_or("")
        );
        let personnel_terms = profile_personnel_terms(&analyzer.engine, &profile);
        seen.insert(key.clone());
        cache.insert(
            key,
            Some(Arc::new(AuthorFacts {
                handle: a.handle.clone(),
                display_name: a.display_name.clone(),
                created_at: a.created_at.and_then(DateTime::from_timestamp_micros),
                watchlists,
                personnel_terms,
            })),
        );
    }
    // Authors without an account record can still be on a watchlist by their id/handle.
    for (platform, id) in want {
        let key = format!("{platform}:{id}");
        if seen.contains(&key) {
            continue;
        }
        let watchlists = watch.lists_of(&platform, &[id.as_str()]);
        if !watchlists.is_empty() {
            cache.insert(
                key,
                Some(Arc::new(AuthorFacts {
                    watchlists,
                    ..Default::default()
                })),
            );
        }
    }
    Ok(())
}

/// Evaluate rules over the current findings since `since` (µs).
pub async fn evaluate_rules(
    store: &SqliteStore,
    rules: &RuleSet,
    since: Option<i64>,
) -> Result<Evaluation> {
    // Rules read the indexed columns only (no evidence), so memory stays small.
    let stored = store.rule_findings(since).await?;
    let mut findings: Vec<(i64, String, Finding)> = Vec::with_capacity(stored.len());
    for s in stored {
        let severity = marsad_detect::Severity::from_str(&s.severity)
            .map_err(|e| anyhow::anyhow!("finding {}: {e}", s.id))?;
        let subject = if s.item_id.is_some() {
            marsad_detect::Subject::Item {
                item: s.subject,
                account: s.account,
            }
        } else {
            marsad_detect::Subject::Account {
                account: s.account.unwrap_or(s.subject),
            }
        };
        let f = Finding {
            detector: s.detector,
            version: String::new(),
            category: s.category,
            score: s.score as f32,
            severity,
            subject,
            at: s.at,
            evidence: Default::default(),
            explanation: Default::default(),
            advice: None,
        };
        findings.push((s.id, s.platform, f));
    }
    // Account facts for the rules' account conditions.
    let mut keys: Vec<(String, String)> = findings
        .iter()
        .filter_map(|(_, _, f)| f.subject.account())
        .filter_map(|a| a.split_once(':'))
        .map(|(p, i)| (p.to_string(), i.to_string()))
        .collect();
    keys.sort();
    keys.dedup();
    let mut created: HashMap<String, Option<DateTime<Utc>>> = HashMap::new();
    let mut handles: HashMap<String, Option<String>> = HashMap::new();
    for chunk in keys.chunks(5_000) {
        for a in store.account_facts(chunk).await? {
            let k = format!("{}:{}", a.platform, a.platform_id);
            created.insert(
                k.clone(),
                a.created_at.and_then(DateTime::from_timestamp_micros),
            );
            handles.insert(k, a.handle);
        }
    }
    let watch = Watchlists::new(
        store
            .watchlist()
            .await?
            .into_iter()
            .filter_map(|w| {
                Some(WatchEntry {
                    list: ListKind::from_str(&w.list).ok()?,
                    platform: (!w.platform.is_empty()).then_some(w.platform),
                    handle: w.handle,
                    names: Vec::new(),
                    note: w.note,
                })
            })
            .collect(),
    )?;
    let lists: Vec<Vec<String>> = findings
        .iter()
        .map(|(_, platform, f)| {
            let Some(acc) = f.subject.account() else {
                return Vec::new();
            };
            let id = acc.split_once(':').map(|(_, i)| i).unwrap_or(acc);
            let mut hs: Vec<&str> = vec![id];
            if let Some(Some(h)) = handles.get(acc) {
                hs.push(h);
            }
            watch.lists_of(platform, &hs)
        })
        .collect();
    let inputs: Vec<RuleInput> = findings
        .iter()
        .zip(&lists)
        .map(|((id, platform, f), wl)| RuleInput {
            id: *id,
            finding: f,
            platform,
            account_created: f
                .subject
                .account()
                .and_then(|a| created.get(a).copied().flatten()),
            watchlists: wl,
        })
        .collect();
    Ok(rules.evaluate(&inputs))
}
