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
        let (mut ix, ids) = HashIndex::build(base.clone()).unwrap();
        // The id map is a bijection onto 0..n that finds each input hash.
        let mut seen = vec![false; n];
        for (i, &id) in ids.iter().enumerate() {
            prop_assert!(!seen[id as usize]);
            seen[id as usize] = true;
            prop_assert_eq!(ix.get(id), Some(base[i]));
        }
        // Incremental adds: near-duplicates of queries, in the brute-forced tail.
        let mut queries = Vec::new();
        for (i, (_, bits)) in planted.iter().enumerate() {
            let q = base[i % n];
            queries.push(q);
            ix.add(flip_bits(q, bits)).unwrap();
        }
        for _ in 0..extra {
            ix.add(Hash256([rng.gen(), rng.gen(), rng.gen(), rng.gen()])).unwrap();
        }
        for q in &queries {
            prop_assert_eq!(ix.search(q, t), ix.brute_force(q, t));
        }
        let before: Vec<Hash256> = (0..ix.len() as u32).map(|id| ix.get(id).unwrap()).collect();
        let remap = ix.compact().unwrap();
        prop_assert_eq!(ix.tail_len(), 0);
        for (old, &new) in remap.iter().enumerate() {
            prop_assert_eq!(ix.get(new), Some(before[old]));
        }
        for q in &queries {
            prop_assert_eq!(ix.search(q, t), ix.brute_force(q, t));
        }
    }

    /// The layout's edge cases: skewed buckets (hashes clustered around a few centres, so a
    /// few prefixes hold most entries), exact duplicates, the all-zero and all-one hashes,
    /// every directory width 1..=24, every threshold 0..=31 and some above (brute force),
    /// a tail, compaction, and a save/load round trip.
    #[test]
    fn skewed_duplicated_and_degenerate_sets_equal_brute_force(
        seed in any::<u64>(),
        centres in 1usize..5,
        n in 1usize..1500,
        max_flips in 0usize..48,
        dup_every in 1usize..20,
        dir_bits in 1u32..=24,
        tail in 0usize..100,
    ) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut cs: Vec<Hash256> = vec![Hash256([0; 4]), Hash256([u64::MAX; 4])];
        cs.extend((0..centres).map(|_| Hash256([rng.gen(), rng.gen(), rng.gen(), rng.gen()])));
        let near = |rng: &mut rand_chacha::ChaCha8Rng| {
            let c = cs[rng.gen_range(0..cs.len())];
            let k = rng.gen_range(0..=max_flips);
            let bits: Vec<usize> = (0..k).map(|_| rng.gen_range(0..256)).collect();
            flip_bits(c, &bits)
        };
        let mut hay = Vec::with_capacity(n);
        for i in 0..n {
            if i % dup_every == 0 && i > 0 {
                let j = rng.gen_range(0..hay.len());
                hay.push(hay[j]);
            } else {
                hay.push(near(&mut rng));
            }
        }
        hay.push(Hash256([0; 4]));
        hay.push(Hash256([0; 4]));
        let (mut ix, _) = HashIndex::build_with_dir_bits(hay, dir_bits).unwrap();
        prop_assert_eq!(ix.dir_bits(), dir_bits);
        let queries: Vec<Hash256> = (0..6).map(|_| near(&mut rng)).chain([Hash256([0; 4])]).collect();
        let ts: Vec<u32> = (0..=31).chain([32, 40, 64, 256]).collect();
        let check = |ix: &HashIndex| -> Result<(), TestCaseError> {
            for q in &queries {
                for &t in &ts {
                    prop_assert_eq!(ix.search(q, t), ix.brute_force(q, t), "t = {}", t);
                }
            }
            Ok(())
        };
        check(&ix)?;
        for _ in 0..tail {
            let h = near(&mut rng);
            ix.add(h).unwrap();
        }
        check(&ix)?;
        ix.compact().unwrap();
        check(&ix)?;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ix.mih");
        ix.save(&p).unwrap();
        let back = HashIndex::load(&p).unwrap();
        prop_assert_eq!(back.len(), ix.len());
        check(&back)?;
    }
}

#[test]
fn empty_and_single_hash_indexes() {
    let (ix, ids) = HashIndex::build(Vec::new()).unwrap();
    assert!(ix.is_empty() && ids.is_empty());
    assert!(ix.search(&Hash256([0; 4]), 31).is_empty());
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("e.mih");
    ix.save(&p).unwrap();
    assert!(HashIndex::load(&p).unwrap().is_empty());
    let (ix, ids) = HashIndex::build(vec![Hash256([0; 4])]).unwrap();
    assert_eq!(ids, [0]);
    assert_eq!(ix.search(&Hash256([0, 0, 0, 0b111]), 31).len(), 1);
    assert_eq!(ix.search(&Hash256([0, 0, 0, 0b111]), 2).len(), 0);
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
    let (ix, _) = HashIndex::build(hay).unwrap();
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
