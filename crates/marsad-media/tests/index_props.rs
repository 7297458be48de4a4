#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The match index returns exactly what brute force returns.

use marsad_media::{Hash256, HashIndex};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};

fn flip_bits(h: Hash256, bits: &[usize]) -> Hash256 {
    let mut w = h.0;
    for &b in bits {
        w[b / 64] ^= 1 << (b % 64);
    }
    Hash256(w)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn index_equals_brute_force(
        seed in any::<u64>(),
        n in 1usize..3000,
        planted in proptest::collection::vec((0usize..256, proptest::collection::vec(0usize..256, 0..60)), 1..40),
        t in 0u32..64,
        extra in 0usize..200,
    ) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let base: Vec<Hash256> = (0..n).map(|_| Hash256([rng.gen(), rng.gen(), rng.gen(), rng.gen()])).collect();
        let mut ix = HashIndex::from_hashes(base.clone());
        // Incremental adds: near-duplicates of queries (some land in the tail, some trigger rebuilds).
        let mut queries = Vec::new();
        for (i, (_, bits)) in planted.iter().enumerate() {
            let q = base[i % n];
            queries.push(q);
            ix.add(flip_bits(q, bits));
        }
        for _ in 0..extra {
            ix.add(Hash256([rng.gen(), rng.gen(), rng.gen(), rng.gen()]));
        }
        for q in &queries {
            prop_assert_eq!(ix.search(q, t), ix.brute_force(q, t));
        }
        ix.compact();
        for q in &queries {
            prop_assert_eq!(ix.search(q, t), ix.brute_force(q, t));
        }
    }
}

/// The regression set: needles against the haystack, index == brute force at t = 31.
#[test]
fn needles_in_haystack_equal_brute_force() {
    let Some(data) = common::shared_data() else {
        return;
    };
    let dir = data.join("pdq/images/reg-test-input");
    let read = |name: &str| -> Vec<Hash256> {
        std::fs::read_to_string(dir.join(name))
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split(',').next().unwrap().parse().unwrap())
            .collect()
    };
    let hay = read("haystack.txt");
    let needles = read("needles.txt");
    assert_eq!((hay.len(), needles.len()), (1350, 100));
    let ix = HashIndex::from_hashes(hay);
    let mut total = 0;
    for n in &needles {
        let hits = ix.search(n, 31);
        assert_eq!(hits, ix.brute_force(n, 31));
        total += hits.len();
    }
    eprintln!("needles/haystack: {total} matches at distance <= 31 for 100 needles");
    assert!(total > 0);
}

mod common;
