//! `marsad graph ...`: network analysis over the workspace (or an edge list CSV).

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use marsad_graph::community::{leiden, LeidenOptions, Partition, UGraph};
use marsad_graph::dataset::{Dataset, EdgeKind};
use marsad_graph::hubs::Measures;
use marsad_graph::tiers::{Tier, TierOptions};
use marsad_graph::{brigade, coord, edges_csv, export, hubs, load, migration, successors, tiers};
use marsad_graph::{EdgeFilter, Graph};
use marsad_model::Platform;
use marsad_store::Workspace;
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Analyse this edge list (CSV: source,target[,weight][,time][,type]) instead of the workspace.
    #[arg(long, global = true, value_name = "FILE.csv")]
    edges: Option<PathBuf>,
    /// Only edges and posts at or after this time (RFC 3339, a date, or Unix seconds).
    #[arg(long, global = true)]
    since: Option<String>,
    /// Only edges and posts before this time.
    #[arg(long, global = true)]
    until: Option<String>,
    /// Only these platforms (comma-separated: x,telegram,...).
    #[arg(long = "platform", global = true, value_delimiter = ',')]
    platforms: Vec<String>,
    /// Only these edge types (comma-separated: repost,forward,quote,reply,mention,member_of,...).
    /// The derived types co_channel, shared_link and shared_media are built from the posts
    /// when named here.
    #[arg(long = "type", global = true, value_delimiter = ',')]
    kinds: Vec<String>,
    /// Derived edges: skip a channel, link or media file posted by more accounts than this.
    #[arg(long, global = true, default_value_t = 200)]
    max_group: usize,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Rows to show per list.
    #[arg(long, global = true, default_value_t = 20)]
    top: usize,
    /// Seed of the community detection (same seed, same communities).
    #[arg(long, global = true, default_value_t = 42)]
    seed: u64,
    /// Resolution of the community detection (1 = modularity).
    #[arg(long, global = true, default_value_t = 1.0)]
    resolution: f64,
    #[command(subcommand)]
    what: GraphWhat,
}

#[derive(Debug, Subcommand)]
enum GraphWhat {
    /// Central accounts: PageRank, in-degree, amplification, top accounts per community, and the followers of the top hubs.
    Hubs,
    /// Leiden communities with modularity.
    Communities,
    /// Official / supporting / sympathiser tiers in communities with an outlet signal.
    Tiers,
    /// Accounts posting the same text, media, URL or hashtag sequence within a window.
    Coordination(CoordArgs),
    /// Mention / reply / report swarms against one target (protects the target).
    Brigades(BrigadeArgs),
    /// Successor candidates of suspended or deleted accounts; stores and shows lineage.
    Successors(SuccessorArgs),
    /// Cross-platform identities, invite links followed, where content appears first.
    Migration,
    /// Export the graph with communities and tiers.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
struct CoordArgs {
    /// Co-post window in seconds.
    #[arg(long, default_value_t = 60)]
    window: i64,
    /// Distinct accounts needed for a co-post event.
    #[arg(long, default_value_t = 3)]
    min_accounts: usize,
    /// Shared events needed to link two accounts (repetition threshold).
    #[arg(long, default_value_t = 1)]
    min_repetitions: u32,
}

#[derive(Debug, Args)]
struct BrigadeArgs {
    /// Gap (minutes) that still chains two attention edges into one episode.
    #[arg(long, default_value_t = 15)]
    window_mins: i64,
    /// Distinct sources needed for an episode.
    #[arg(long, default_value_t = 10)]
    min_sources: usize,
}

#[derive(Debug, Args)]
struct SuccessorArgs {
    /// Minimum score of a likely successor (0–1).
    #[arg(long, default_value_t = 0.5)]
    min_score: f64,
    /// Do not store the lineage links in the workspace.
    #[arg(long)]
    no_store: bool,
    /// Avatar images below this PDQ quality are not compared (`marsad import-avatars`).
    #[arg(long, default_value_t = successors::SuccessorOptions::default().avatar_min_quality)]
    avatar_min_quality: u8,
    /// An avatar within 31 bits of images used by more than this many accounts is a shared
    /// default avatar and is not compared.
    #[arg(long, default_value_t = successors::SuccessorOptions::default().avatar_max_accounts)]
    avatar_max_accounts: usize,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    Gexf,
    Graphml,
    Csv,
}

#[derive(Debug, Args)]
struct ExportArgs {
    #[arg(long, value_enum)]
    format: ExportFormat,
    /// Output file (GEXF, GraphML) or folder (CSV: nodes.csv and edges.csv).
    out: PathBuf,
}

fn time_arg(name: &str, s: &Option<String>) -> Result<Option<i64>> {
    s.as_ref()
        .map(|s| {
            edges_csv::parse_time(s).with_context(|| {
                format!("--{name} {s:?}: expected RFC 3339, a date (YYYY-MM-DD) or Unix seconds")
            })
        })
        .transpose()
}

fn filter(args: &GraphArgs) -> Result<EdgeFilter> {
    let platforms = args
        .platforms
        .iter()
        .map(|p| p.parse::<Platform>().map_err(anyhow::Error::msg))
        .collect::<Result<Vec<_>>>()
        .context("--platform")?;
    let kinds = args
        .kinds
        .iter()
        .map(|k| {
            EdgeKind::parse(k).with_context(|| {
                let names: Vec<_> = EdgeKind::ALL.iter().map(|k| k.as_str()).collect();
                format!(
                    "--type {k:?}: unknown edge type (expected one of: {})",
                    names.join(", ")
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(EdgeFilter {
        since: time_arg("since", &args.since)?,
        until: time_arg("until", &args.until)?,
        platforms,
        kinds,
    })
}

/// Loaded input: the dataset, the pool when it came from the store, and whether rows were
/// rejected (edge list).
struct Input {
    ds: Dataset,
    pool: Option<marsad_store::SqliteStore>,
    rejected: usize,
}

async fn input(ws: &Workspace, args: &GraphArgs) -> Result<Input> {
    let f = filter(args)?;
    let mut out = if let Some(path) = &args.edges {
        let file = std::fs::File::open(path)
            .with_context(|| format!("opening edge list {}", path.display()))?;
        let mut ds = Dataset::new();
        let name = path.display().to_string();
        let rep = edges_csv::read_edges(std::io::BufReader::new(file), &name, &mut ds)
            .with_context(|| format!("reading {name}"))?;
        for r in &rep.rejected {
            eprintln!("rejected: {r}");
        }
        tracing::info!(
            edges = rep.edges,
            rejected = rep.rejected.len(),
            "edge list read"
        );
        Input {
            ds,
            pool: None,
            rejected: rep.rejected.len(),
        }
    } else {
        let store = ws
            .open()
            .await
            .with_context(|| format!("opening workspace {}", ws.root.display()))?;
        // Hubs, communities, tiers and exports read only who posted what kind of post when,
        // and the edges: post bodies are not loaded for them (unless derived edges are
        // asked for, which are built from links, channels and media).
        let edges_only = matches!(
            args.what,
            GraphWhat::Hubs | GraphWhat::Communities | GraphWhat::Tiers | GraphWhat::Export(_)
        ) && !f.kinds.iter().any(|k| EdgeKind::DERIVED.contains(k));
        let (ds, _) = load::load_store_with(
            store.pool(),
            load::LoadOptions {
                post_bodies: !edges_only,
            },
        )
        .await
        .context("loading the graph from the workspace")?;
        Input {
            ds,
            pool: Some(store),
            rejected: 0,
        }
    };
    let derived: Vec<EdgeKind> = f
        .kinds
        .iter()
        .copied()
        .filter(|k| EdgeKind::DERIVED.contains(k))
        .collect();
    if !derived.is_empty() {
        let rep = marsad_graph::derived::add_shared_edges(
            &mut out.ds,
            &derived,
            &marsad_graph::derived::SharedOptions {
                max_group: args.max_group,
            },
        );
        for (kind, n) in &rep.skipped_groups {
            if *n > 0 {
                eprintln!(
                    "{kind}: {n} group(s) with more than {} accounts skipped (--max-group)",
                    args.max_group
                );
            }
        }
    }
    marsad_graph::graph::restrict(&mut out.ds, &f);
    Ok(out)
}

struct Analysis {
    g: Graph,
    m: Measures,
    part: Partition,
}

fn analyse(ds: &Dataset, args: &GraphArgs) -> Result<Analysis> {
    let g = Graph::from_dataset(ds, &EdgeFilter::default()).context("building the graph")?;
    let m = Measures::compute(ds, &g);
    let part = leiden(
        &UGraph::from_directed(&g),
        &LeidenOptions {
            resolution: args.resolution,
            seed: args.seed,
            ..LeidenOptions::default()
        },
    )
    .context("community detection")?;
    Ok(Analysis { g, m, part })
}

fn print_json(v: &serde_json::Value) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

pub async fn run(ws: &Workspace, args: GraphArgs) -> Result<ExitCode> {
    let inp = input(ws, &args).await?;
    let ds = &inp.ds;
    let top = args.top;
    match &args.what {
        GraphWhat::Hubs => {
            let a = analyse(ds, &args)?;
            let rows = hubs::top_hubs(ds, &a.m, Some(&a.part.membership), top);
            let per = hubs::top_per_community(ds, &a.m, &a.part.membership, 5, 3);
            let followers: Vec<_> = rows
                .iter()
                .take(5)
                .filter_map(|r| {
                    ds.find(&r.node)
                        .map(|v| (r, hubs::hub_followers(ds, &a.g, v)))
                })
                .collect();
            if args.json {
                print_json(&json!({
                    "nodes": a.g.node_count(),
                    "edges": a.g.edge_count(),
                    "hubs": rows,
                    "top_per_community": per.iter().take(top).collect::<std::collections::BTreeMap<_, _>>(),
                    "hub_followers": followers.iter().map(|(r, f)| json!({"hub": r.node, "label": r.label, "followers": f})).collect::<Vec<_>>(),
                }))?;
            } else {
                println!("{} nodes, {} edges", a.g.node_count(), a.g.edge_count());
                println!(
                    "{:<40} {:<10} {:>5} {:>9} {:>7} {:>8} {:>9}",
                    "account", "platform", "comm", "pagerank", "in-deg", "amplif.", "per post"
                );
                for r in &rows {
                    println!(
                        "{:<40} {:<10} {:>5} {:>9.5} {:>7} {:>8} {:>9}",
                        r.label,
                        r.platform.as_deref().unwrap_or("-"),
                        r.community.map(|c| c.to_string()).unwrap_or_default(),
                        r.pagerank,
                        r.in_degree,
                        r.amplifiers,
                        r.amplification_per_post
                            .map(|x| format!("{x:.1}"))
                            .unwrap_or_else(|| "-".into())
                    );
                }
                for (r, f) in &followers {
                    if f.is_empty() {
                        continue;
                    }
                    let names: Vec<String> = f
                        .iter()
                        .take(10)
                        .map(|x| format!("{} ({})", x.label, x.count))
                        .collect();
                    println!(
                        "{} ← amplified by {}: {}",
                        r.label,
                        f.len(),
                        names.join(", ")
                    );
                }
            }
        }
        GraphWhat::Communities => {
            let a = analyse(ds, &args)?;
            let per = hubs::top_per_community(ds, &a.m, &a.part.membership, 5, 2);
            let mut sizes = vec![0usize; a.part.count];
            for &c in &a.part.membership {
                sizes[c as usize] += 1;
            }
            let list: Vec<_> = per
                .iter()
                .take(top)
                .map(|(c, rows)| json!({"community": c, "size": sizes[*c as usize], "top": rows}))
                .collect();
            if args.json {
                print_json(&json!({
                    "algorithm": "leiden",
                    "seed": args.seed,
                    "resolution": args.resolution,
                    "communities": a.part.count,
                    "modularity": a.part.modularity,
                    "largest": list,
                }))?;
            } else {
                println!(
                    "{} communities, modularity {:.4} (Leiden, seed {}, resolution {})",
                    a.part.count, a.part.modularity, args.seed, args.resolution
                );
                for (c, rows) in per.iter().take(top) {
                    let names: Vec<_> = rows.iter().map(|r| r.label.clone()).collect();
                    println!(
                        "  #{c:<4} {:>6} members: {}",
                        sizes[*c as usize],
                        names.join(", ")
                    );
                }
            }
        }
        GraphWhat::Tiers => {
            let a = analyse(ds, &args)?;
            let (_, report) =
                tiers::classify(ds, &a.g, &a.m, &a.part.membership, &TierOptions::default());
            if args.json {
                print_json(&json!({"communities": report}))?;
            } else {
                for c in &report {
                    println!(
                        "community #{} ({} members; outlet signal: {}): {:?}",
                        c.community,
                        c.size,
                        c.outlet_signal.join(", "),
                        c.counts
                    );
                    for r in c.accounts.iter().take(top) {
                        println!("  {:<12} {:<40} {}", r.tier.as_str(), r.label, r.rule);
                    }
                }
            }
        }
        GraphWhat::Coordination(c) => {
            let opts = coord::CoordOptions {
                window_secs: c.window,
                min_accounts: c.min_accounts,
                min_repetitions: c.min_repetitions,
                ..coord::CoordOptions::default()
            };
            let r = coord::detect(ds, &opts)?;
            if args.json {
                print_json(&serde_json::to_value(&r)?)?;
            } else {
                println!(
                    "{} co-post events, {} clusters (window {} s)",
                    r.events,
                    r.clusters.len(),
                    r.window_secs
                );
                for c in r.clusters.iter().take(top) {
                    println!("[coordination] score {:.2}: {}", c.score, c.explanation);
                    let names: Vec<_> = c.accounts.iter().map(|a| a.label.clone()).collect();
                    println!("  accounts: {}", names.join(", "));
                    for i in c.shared_items.iter().take(3) {
                        println!(
                            "  {:?} {:?}: {} accounts, {} – {}",
                            i.kind, i.value, i.accounts, i.start, i.end
                        );
                    }
                }
            }
        }
        GraphWhat::Brigades(b) => {
            let (coordinated, _) = coord::reportable(ds, &coord::CoordOptions::default())?;
            let history = brigade::History::compute(
                ds,
                &coordinated,
                &LeidenOptions {
                    resolution: args.resolution,
                    seed: args.seed,
                    ..LeidenOptions::default()
                },
            )?;
            let found = brigade::detect(
                ds,
                &history,
                &brigade::BrigadeOptions {
                    window_secs: b.window_mins * 60,
                    min_sources: b.min_sources,
                    ..brigade::BrigadeOptions::default()
                },
            )?;
            if args.json {
                print_json(&json!({"brigades": found}))?;
            } else {
                println!("{} possible brigade(s)", found.len());
                for f in found.iter().take(top) {
                    println!("[brigade] {} (score {:.2})", f.alert, f.score);
                    println!("  {}", f.explanation);
                    if let Some(t) = f.sample_texts.first() {
                        println!("  most common text: {t:?}");
                    }
                }
            }
        }
        GraphWhat::Successors(s) => {
            let (found, avatars) = successors::detect_with_report(
                ds,
                &successors::SuccessorOptions {
                    min_score: s.min_score,
                    avatar_min_quality: s.avatar_min_quality,
                    avatar_max_accounts: s.avatar_max_accounts,
                    ..successors::SuccessorOptions::default()
                },
            )?;
            let links = successors::links(&found, chrono::Utc::now().timestamp_micros());
            let mut all_links = links.clone();
            if let Some(store) = &inp.pool {
                if !s.no_store {
                    load::store_lineage(store.pool(), &links)
                        .await
                        .context("storing lineage")?;
                }
                all_links = load::load_lineage(store.pool())
                    .await
                    .context("reading lineage")?;
                for l in &links {
                    if !all_links
                        .iter()
                        .any(|x| x.predecessor == l.predecessor && x.successor == l.successor)
                    {
                        all_links.push(l.clone());
                    }
                }
            }
            let chains = successors::chains(&all_links);
            if args.json {
                print_json(&json!({"findings": found, "lineage": chains, "avatars": avatars}))?;
            } else {
                for f in &found {
                    let tag = if f.likely_successor.is_some() {
                        "[ban_evasion]"
                    } else {
                        "[candidates]"
                    };
                    println!("{tag} {}", f.explanation);
                    for c in &f.candidates {
                        let avatar = c
                            .features
                            .iter()
                            .find(|x| x.name == "avatar_pdq")
                            .map(|x| format!("  avatar_pdq {} ({})", x.value, x.note))
                            .unwrap_or_default();
                        println!("    {:<40} score {:.2}{avatar}", c.label, c.score);
                    }
                }
                if avatars.accounts > 0 || avatars.low_quality > 0 {
                    println!(
                        "avatar images: {} account(s) compared by PDQ; {} image(s) below quality {}, {} shared default image(s) ignored",
                        avatars.accounts,
                        avatars.low_quality,
                        s.avatar_min_quality,
                        avatars.shared_defaults
                    );
                }
                println!("lineage:");
                for c in &chains {
                    let labels: Vec<String> = c
                        .iter()
                        .map(|k| {
                            ds.find(k)
                                .map(|v| ds.info(v).label())
                                .unwrap_or_else(|| k.clone())
                        })
                        .collect();
                    println!("  {}", labels.join(" → "));
                }
            }
        }
        GraphWhat::Migration => {
            let r = migration::analyse(
                ds,
                &migration::MigrationOptions {
                    top,
                    ..migration::MigrationOptions::default()
                },
            );
            if args.json {
                print_json(&serde_json::to_value(&r)?)?;
            } else {
                println!("identities on several platforms:");
                for i in r.identities.iter().take(top) {
                    let firsts: Vec<String> = i
                        .platforms
                        .iter()
                        .map(|p| {
                            format!(
                                "{} {} ({} posts)",
                                p.platform,
                                p.first_seen.as_deref().unwrap_or("?"),
                                p.posts
                            )
                        })
                        .collect();
                    println!("  {:<24} {}", i.identity, firsts.join(" → "));
                }
                println!("invite links:");
                for l in &r.invite_links {
                    let apps: Vec<String> = l
                        .appearances
                        .iter()
                        .map(|a| format!("{} ×{}", a.platform, a.posts))
                        .collect();
                    println!(
                        "  {} first on {} at {} by {}; on {}",
                        l.url,
                        l.first_platform,
                        l.first_seen,
                        l.first_author.as_deref().unwrap_or("?"),
                        apps.join(", ")
                    );
                    for j in &l.joins {
                        println!(
                            "    → {} joins to {} ({}) from {}; followed from other platforms: {}",
                            j.joins,
                            j.label,
                            j.platform,
                            j.first_join,
                            j.followed_from_other_platforms.join(", ")
                        );
                    }
                }
                println!(
                    "content first seen on (platform → later platform: count): {:?}",
                    r.platform_precedence
                );
            }
        }
        GraphWhat::Export(e) => {
            let a = analyse(ds, &args)?;
            let (tiers_v, _) =
                tiers::classify(ds, &a.g, &a.m, &a.part.membership, &TierOptions::default());
            let attrs = export::NodeAttrs {
                community: a.part.membership.iter().map(|&c| Some(c)).collect(),
                tier: tiers_v
                    .iter()
                    .map(|t| (!matches!(t, Tier::Unclassified)).then_some(t.as_str()))
                    .collect(),
                pagerank: a.m.pagerank.clone(),
                in_degree: a.m.in_degree.clone(),
            };
            let name = e.out.display().to_string();
            match e.format {
                ExportFormat::Gexf | ExportFormat::Graphml => {
                    let f = std::fs::File::create(&e.out)
                        .with_context(|| format!("creating {name}"))?;
                    let w = std::io::BufWriter::new(f);
                    if matches!(e.format, ExportFormat::Gexf) {
                        export::write_gexf(ds, &a.g, &attrs, w, &name)?;
                    } else {
                        export::write_graphml(ds, &a.g, &attrs, w, &name)?;
                    }
                }
                ExportFormat::Csv => {
                    if e.out.is_file() {
                        bail!("{name}: is a file; CSV export writes nodes.csv and edges.csv into a folder");
                    }
                    std::fs::create_dir_all(&e.out).with_context(|| format!("creating {name}"))?;
                    let open = |f: &str| -> Result<std::io::BufWriter<std::fs::File>> {
                        let p = e.out.join(f);
                        Ok(std::io::BufWriter::new(
                            std::fs::File::create(&p)
                                .with_context(|| format!("creating {}", p.display()))?,
                        ))
                    };
                    export::write_csv(
                        ds,
                        &a.g,
                        &attrs,
                        open("nodes.csv")?,
                        open("edges.csv")?,
                        &name,
                    )?;
                }
            }
            eprintln!(
                "exported {} nodes, {} edges to {name}",
                a.g.node_count(),
                a.g.edge_count()
            );
        }
    }
    if let Some(store) = &inp.pool {
        store.close().await;
    }
    Ok(if inp.rejected > 0 {
        ExitCode::from(crate::EXIT_REJECTS)
    } else {
        ExitCode::SUCCESS
    })
}
