//! Profiling aid: run the engine (or one stage of it) over the `text` of JSON-line posts, so a
//! profiler (callgrind, perf) sees the per-post work without the CLI's JSON and start-up.
//!
//!   cargo run --release -p marsad-text --example profile_scan -- POSTS.jsonl [scan|keys|entities|lang] [PASSES]

use marsad_text::{entities, keys, lang, Engine, KeyOptions, ScanOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: profile_scan POSTS.jsonl [scan|keys|entities|lang]");
        std::process::exit(1);
    };
    let stage = args.next().unwrap_or_else(|| "scan".to_string());
    let data = match std::fs::read_to_string(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let texts: Vec<String> = data
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_string))
        .collect();
    let engine = match Engine::with_defaults() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("engine: {e}");
            std::process::exit(1);
        }
    };
    // Passes over the posts: profile 1 and 2 passes and subtract to see the steady-state work
    // of one pass (lazily built tables and lingua's models load during the first).
    let passes: usize = args.next().and_then(|p| p.parse().ok()).unwrap_or(1);
    let mut n = 0usize;
    for t in texts.iter().cycle().take(texts.len() * passes) {
        n += match stage.as_str() {
            "keys" => keys(t, KeyOptions { all: false }).plain.text.len(),
            "entities" => entities::extract(t).urls.len(),
            "lang" => lang::identify(t, false).len(),
            _ => engine.scan(t, ScanOptions::default()).matches.len(),
        };
    }
    println!("{} posts, {n}", texts.len());
}
