#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Match-index benchmark: N random hashes (default 10,000,000; `MARSAD_BENCH_N`) plus planted
//! near-duplicates at distances 0..=31, threshold 31. Reports build time, single-core
//! queries/s, recall of the planted hashes, agreement with brute force on a sample, memory per
//! hash (from the index's allocated array lengths), and save/load times. Run:
//! `cargo bench -p marsad-media --bench match_index` (`MARSAD_BENCH_DIR_BITS` overrides the
//! directory bits, for tuning).

use std::time::Instant;

use marsad_media::{Hash256, HashIndex};
use rand::{Rng, SeedableRng};

fn main() {
    let n: usize = std::env::var("MARSAD_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let queries_n = 2_000;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    let t0 = Instant::now();
    let mut hashes: Vec<Hash256> = (0..n)
        .map(|_| Hash256([rng.gen(), rng.gen(), rng.gen(), rng.gen()]))
        .collect();
    // Queries are random; for each, a near-duplicate at a random distance 0..=31 is planted.
    let mut queries = Vec::with_capacity(queries_n);
    let mut planted = Vec::with_capacity(queries_n);
    for _ in 0..queries_n {
        let q = Hash256([rng.gen(), rng.gen(), rng.gen(), rng.gen()]);
        let d = rng.gen_range(0..=31u32);
        let mut w = q.0;
        let mut flipped = std::collections::HashSet::new();
        while flipped.len() < d as usize {
            flipped.insert(rng.gen_range(0..256usize));
        }
        for b in flipped {
            w[b / 64] ^= 1 << (b % 64);
        }
        planted.push(hashes.len() as u32);
        hashes.push(Hash256(w));
        queries.push(q);
    }
    let gen_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let (ix, ids) = match std::env::var("MARSAD_BENCH_DIR_BITS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        Some(b) => HashIndex::build_with_dir_bits(hashes, b).unwrap(),
        None => HashIndex::build(hashes).unwrap(),
    };
    let build_s = t1.elapsed().as_secs_f64();
    // Planted hashes by their index ids.
    let planted: Vec<u32> = planted.iter().map(|&p| ids[p as usize]).collect();
    drop(ids);
    let total = ix.len();

    // Throughput, one thread.
    let mut hits = Vec::new();
    let mut found = 0usize;
    let cpu0 = on_cpu();
    let t2 = Instant::now();
    for (q, want) in queries.iter().zip(&planted) {
        ix.search_into(q, 31, &mut hits);
        if hits.iter().any(|h| h.id == *want) {
            found += 1;
        }
    }
    let q_s = t2.elapsed().as_secs_f64();
    let qps = queries_n as f64 / q_s;
    // The machine may be shared: also report the time this thread actually ran.
    let cpu = on_cpu()
        .zip(cpu0)
        .map(|((r1, w1), (r0, w0))| (r1 - r0, w1 - w0));

    // Exactness on a sample: index == brute force (timed separately).
    let sample = 20;
    let mut brute_s = 0.0;
    for q in queries.iter().take(sample) {
        let t3 = Instant::now();
        let want = ix.brute_force(q, 31);
        brute_s += t3.elapsed().as_secs_f64();
        assert_eq!(ix.search(q, 31), want);
    }
    let brute_qps = sample as f64 / brute_s;

    let dir =
        tempfile::tempdir_in(std::env::var("MARSAD_BENCH_DIR").unwrap_or("/tmp".into())).unwrap();
    let path = dir.path().join("bench.mih");
    let t4 = Instant::now();
    ix.save(&path).unwrap();
    let (ram, dir_bits) = (ix.ram_bytes(), ix.dir_bits());
    let save_s = t4.elapsed().as_secs_f64();
    let file_bytes = std::fs::metadata(&path).unwrap().len();
    let bph = ix.bytes_per_hash();
    drop(ix);
    let t5 = Instant::now();
    let back = HashIndex::load(&path).unwrap();
    let load_s = t5.elapsed().as_secs_f64();
    assert_eq!(back.len(), total);
    let mut found_after = 0;
    for (q, want) in queries.iter().zip(&planted).take(200) {
        if back.search(q, 31).iter().any(|h| h.id == *want) {
            found_after += 1;
        }
    }
    assert_eq!(found_after, 200.min(queries_n));

    println!("match_index: {total} hashes ({n} random + {queries_n} planted), threshold 31");
    println!("  generate        {gen_s:.2} s");
    println!("  build           {build_s:.2} s (directory bits {dir_bits})");
    println!("  queries/s/core  {qps:.0} ({queries_n} queries in {q_s:.2} s)");
    if let Some((run, wait)) = cpu {
        println!(
            "                  on-CPU {:.0} queries/s ({run:.2} s running, {wait:.2} s waiting for a CPU)",
            queries_n as f64 / run
        );
    }
    println!("  recall          {found}/{queries_n} planted near-duplicates found");
    println!("  exact           {sample} sampled queries identical to brute force (brute force ~{brute_qps:.1} queries/s)");
    println!(
        "  memory          {bph:.2} bytes/hash in RAM ({ram} bytes); file {file_bytes} bytes ({:.2} bytes/hash)",
        file_bytes as f64 / total as f64
    );
    println!("  save            {save_s:.2} s");
    println!("  load            {load_s:.2} s");
    assert_eq!(found, queries_n, "recall must be 100%");
}

/// This thread's time on a CPU and waiting to run, in seconds (`/proc/thread-self/schedstat`,
/// Linux only).
fn on_cpu() -> Option<(f64, f64)> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let mut f = s.split_whitespace().map(|x| x.parse::<u64>().ok());
    let (run, wait) = (f.next()??, f.next()??);
    Some((run as f64 / 1e9, wait as f64 / 1e9))
}
