//! Benchmark of the graph pipeline on generated inputs (see bench/graph.sh and
//! docs/PERFORMANCE.md).
//!
//! `graph_bench graph --nodes N --edges M [--seed S] [--write FILE]`: generates a directed
//! graph with planted communities (community sizes 20–2,000, 80 % of edges inside), writes
//! it as an edge list CSV (and, with `--write`, as raw little-endian u32 pairs for the Python
//! peer), then times: reading the CSV into the dataset, the CSR build, weighted PageRank,
//! symmetrisation + Leiden; prints modularity and peak RSS of each phase as JSON.
//!
//! `graph_bench coord --posts P [--accounts A]`: generates P posts (text from a vocabulary,
//! some links, media and hashtags, with planted coordinated groups) and runs key extraction,
//! co-post events and clustering; prints time, events, clusters and peak RSS.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use marsad_graph::community::{leiden, LeidenOptions, UGraph};
use marsad_graph::coord::{self, CoordOptions, Occurrence};
use marsad_graph::dataset::{Dataset, EdgeKind};
use marsad_graph::hubs::{pagerank, PageRankOptions};
use marsad_graph::{edges_csv, EdgeFilter, Graph};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::{BufWriter, Write};
use std::time::Instant;

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.windows(2)
        .find(|w| w[0] == name)
        .map(|w| w[1].replace('_', "").parse().expect("number"))
        .unwrap_or(default)
}

fn peak_rss_mb() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU time (user + system) of this process in seconds, from /proc/self/stat (clock ticks of
/// 1/100 s): the machine is shared, so wall time alone overstates the cost.
fn cpu_s() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = s.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 (utime, stime) are at 11 and 12 after the command name.
    (ticks(11) + ticks(12)) / 100.0
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("graph") => graph(&args),
        Some("coord") => coordination(&args),
        _ => {
            // `cargo bench` runs the target with `--bench`: a small smoke run of both.
            graph(&[
                "".into(),
                "graph".into(),
                "--nodes".into(),
                "20000".into(),
                "--edges".into(),
                "200000".into(),
            ]);
            coordination(&["".into(), "coord".into(), "--posts".into(), "200000".into()]);
        }
    }
}

fn graph(args: &[String]) {
    let n = arg(args, "--nodes", 1_000_000) as usize;
    let m = arg(args, "--edges", 10_000_000) as usize;
    let seed = arg(args, "--seed", 7);
    let write = args
        .windows(2)
        .find(|w| w[0] == "--write")
        .map(|w| w[1].clone());
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // Planted communities: consecutive id ranges of random size.
    let mut bounds = vec![0usize];
    while *bounds.last().unwrap() < n {
        let size = rng.gen_range(20..2000);
        bounds.push((bounds.last().unwrap() + size).min(n));
    }
    let comm_of = |v: usize, b: &[usize]| b.partition_point(|&x| x <= v) - 1;
    let dir = tempfile::tempdir().unwrap();
    let csv_path = dir.path().join("edges.csv");
    let t = Instant::now();
    {
        let mut w = BufWriter::new(std::fs::File::create(&csv_path).unwrap());
        let mut raw = write
            .as_ref()
            .map(|p| BufWriter::new(std::fs::File::create(p).unwrap()));
        writeln!(w, "source,target").unwrap();
        let mut k = 0;
        while k < m {
            let s = rng.gen_range(0..n);
            let t = if rng.gen_bool(0.8) {
                let c = comm_of(s, &bounds);
                rng.gen_range(bounds[c]..bounds[c + 1])
            } else {
                rng.gen_range(0..n)
            };
            if s == t {
                continue;
            }
            writeln!(w, "{s},{t}").unwrap();
            if let Some(r) = raw.as_mut() {
                r.write_all(&(s as u32).to_le_bytes()).unwrap();
                r.write_all(&(t as u32).to_le_bytes()).unwrap();
            }
            k += 1;
        }
    }
    let gen_s = t.elapsed().as_secs_f64();

    reset_peak();
    let c0 = cpu_s();
    let t = Instant::now();
    let mut ds = Dataset::new();
    let rep = edges_csv::read_edges(
        std::io::BufReader::new(std::fs::File::open(&csv_path).unwrap()),
        "edges.csv",
        &mut ds,
    )
    .unwrap();
    let read_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let g = Graph::from_dataset(&ds, &EdgeFilter::default()).unwrap();
    let csr_s = t.elapsed().as_secs_f64();
    let build_rss = peak_rss_mb();
    let build_cpu = cpu_s() - c0;
    drop(ds);

    let c0 = cpu_s();
    let t = Instant::now();
    let (_, iters) = pagerank(&g, &PageRankOptions::default());
    let pr_s = t.elapsed().as_secs_f64();
    let pr_cpu = cpu_s() - c0;

    let t = Instant::now();
    let u = UGraph::from_directed(&g);
    let sym_s = t.elapsed().as_secs_f64();
    let c0 = cpu_s();
    let t = Instant::now();
    let p = leiden(&u, &LeidenOptions::default()).unwrap();
    let leiden_s = t.elapsed().as_secs_f64();
    let leiden_cpu = cpu_s() - c0;
    println!(
        "{}",
        serde_json::json!({
            "bench": "graph",
            "nodes": g.node_count(),
            "edges": g.edge_count(),
            "rejected": rep.rejected.len(),
            "generate_s": gen_s,
            "read_csv_s": read_s,
            "csr_build_s": csr_s,
            "build_total_s": read_s + csr_s,
            "build_cpu_s": build_cpu,
            "pagerank_cpu_s": pr_cpu,
            "leiden_cpu_s": leiden_cpu,
            "build_peak_rss_mb": build_rss,
            "pagerank_s": pr_s,
            "pagerank_iterations": iters,
            "symmetrise_s": sym_s,
            "leiden_s": leiden_s,
            "communities": p.count,
            "modularity": p.modularity,
            "peak_rss_mb": peak_rss_mb(),
        })
    );
    let _ = EdgeKind::Other;
}

const WORDS: &[&str] = &[
    "بغداد",
    "البصرة",
    "الموصل",
    "الكهرباء",
    "الماء",
    "الطقس",
    "حار",
    "اليوم",
    "باجر",
    "شلونكم",
    "اكو",
    "ماكو",
    "هواية",
    "الدولار",
    "الذهب",
    "سعر",
    "السوق",
    "المباراة",
    "الزوراء",
    "الشرطة",
    "الجوية",
    "الطلاب",
    "الامتحانات",
    "الوزارة",
    "الطريق",
    "زحمة",
    "عرس",
    "اكلة",
    "دولمة",
    "كباب",
    "weather",
    "today",
    "match",
    "price",
    "market",
    "news",
    "city",
    "power",
    "cut",
    "traffic",
    "shlonak",
    "7abibi",
    "inshallah",
    "yalla",
    "3ala",
    "rasi",
    "wallah",
    "hala",
    "zain",
    "kulish",
];

fn coordination(args: &[String]) {
    let posts = arg(args, "--posts", 10_000_000) as usize;
    let accounts = arg(args, "--accounts", 1_000_000) as u32;
    let seed = arg(args, "--seed", 11);
    let opts = CoordOptions::default();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let span: i64 = 30 * 86_400 * 1_000_000; // 30 days
    reset_peak();
    let c0 = cpu_s();
    let t = Instant::now();
    let mut occ: Vec<Occurrence> = Vec::with_capacity(posts * 3 / 2);
    let mut planted = 0usize;
    let mut i = 0usize;
    let mut text = String::new();
    while i < posts {
        // Every 10,000th post starts a planted group: 8 accounts, same text, 40 s.
        if i % 10_000 == 0 && i + 8 <= posts {
            let base = rng.gen_range(0..span);
            let first = rng.gen_range(0..accounts - 8);
            let msg = format!("planted message number {i} spread now");
            for k in 0..8u32 {
                for (kind, key) in coord::post_keys(&msg, &[], &[], &[], opts.min_words) {
                    occ.push(Occurrence {
                        key,
                        kind,
                        at: base + k as i64 * 5_000_000,
                        account: first + k,
                        post: (i + k as usize) as u32,
                    });
                }
            }
            planted += 1;
            i += 8;
            continue;
        }
        text.clear();
        let words = rng.gen_range(3..12);
        for w in 0..words {
            if w > 0 {
                text.push(' ');
            }
            text.push_str(WORDS[rng.gen_range(0..WORDS.len())]);
        }
        let links = if rng.gen_bool(0.2) {
            vec![format!(
                "https://news{}.example/a/{}",
                rng.gen_range(0..50),
                rng.gen_range(0..200_000)
            )]
        } else {
            Vec::new()
        };
        let media = if rng.gen_bool(0.05) {
            vec![format!("{:064x}", rng.gen_range(0..1_000_000u64))]
        } else {
            Vec::new()
        };
        let tags: Vec<String> = if rng.gen_bool(0.1) {
            (0..rng.gen_range(2..4))
                .map(|_| WORDS[rng.gen_range(0..WORDS.len())].to_string())
                .collect()
        } else {
            Vec::new()
        };
        let account = rng.gen_range(0..accounts);
        let at = rng.gen_range(0..span);
        for (kind, key) in coord::post_keys(&text, &media, &links, &tags, opts.min_words) {
            occ.push(Occurrence {
                key,
                kind,
                at,
                account,
                post: i as u32,
            });
        }
        i += 1;
    }
    let keys_s = t.elapsed().as_secs_f64();
    let n_occ = occ.len();
    let t = Instant::now();
    let (events, viral) = coord::events(&mut occ, &opts);
    let events_s = t.elapsed().as_secs_f64();
    drop(occ);
    let t = Instant::now();
    let clusters = coord::cluster_events(&events, &opts);
    let cluster_s = t.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({
            "bench": "coordination",
            "posts": posts,
            "accounts": accounts,
            "occurrences": n_occ,
            "keys_s": keys_s,
            "events_s": events_s,
            "cluster_s": cluster_s,
            "total_s": keys_s + events_s + cluster_s,
            "total_cpu_s": cpu_s() - c0,
            "events": events.len(),
            "viral_skipped": viral,
            "clusters": clusters.len(),
            "planted_groups": planted,
            "peak_rss_mb": peak_rss_mb(),
        })
    );
}
