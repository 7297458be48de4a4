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
        dir_bits in prop_oneof![20 => 1u32..=20, 1 => Just(24u32)],
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

/// `k` distinct random bits of pair `pair` (bits `32 * pair..`), all among the pair's first
/// `within` bits when `within < 32`: in the directory prefix, or prefix plus fingerprint.
fn pair_bits(
    rng: &mut rand_chacha::ChaCha8Rng,
    pair: usize,
    k: usize,
    within: usize,
) -> Vec<usize> {
    let span = within.clamp(k.max(1), 32);
    let mut picked: Vec<usize> = Vec::new();
    while picked.len() < k {
        let b = rng.gen_range(0..span);
        if !picked.contains(&b) {
            picked.push(b);
        }
    }
    // Bit `i` of pair `p`, counted from the most significant, is bit `63 - (32 (p % 2) + i)`
    // of word `p / 2`.
    picked
        .into_iter()
        .map(|i| 64 * (pair / 2) + 63 - (32 * (pair % 2) + i))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    /// The worst cases of the pigeonhole: a hash at distance up to `t` whose *only* pair
    /// within `s = t / 8` (the critical pair) has its `s` differing bits placed in the
    /// directory prefix, in the fingerprint, or anywhere, while the other pairs carry as many
    /// bits as the budget allows (`s + 1` each where possible). It must be found, in the
    /// tables or in the tail.
    #[test]
    fn worst_case_near_duplicates_are_found(
        seed in any::<u64>(),
        t in 0u32..=31,
        dir_bits in prop_oneof![20 => 1u32..=20, 1 => Just(24u32)],
        n in 0usize..400,
        placement in 0usize..3,
        in_tail in any::<bool>(),
    ) {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let q = Hash256([rng.gen(), rng.gen(), rng.gen(), rng.gen()]);
        let s = (t / 8) as usize;
        let mut hay: Vec<Hash256> = (0..n).map(|_| Hash256([rng.gen(), rng.gen(), rng.gen(), rng.gen()])).collect();
        let mut planted = Vec::new();
        for critical in 0..8 {
            let within = match placement {
                0 => dir_bits as usize,
                1 => dir_bits as usize + 8,
                _ => 32,
            };
            let mut bits = pair_bits(&mut rng, critical, s, within);
            let mut budget = t as usize - s;
            for p in (0..8).filter(|&p| p != critical) {
                let k = if budget > s { s + 1 } else { s.min(budget) };
                bits.extend(pair_bits(&mut rng, p, k, 32));
                budget -= k;
            }
            planted.push(flip_bits(q, &bits));
        }
        for h in &planted {
            prop_assert!(marsad_media::hash::hamming(&h.0, &q.0) <= t);
        }
        let mut ix = if in_tail {
            let (mut ix, _) = HashIndex::build_with_dir_bits(hay, dir_bits).unwrap();
            for h in &planted {
                ix.add(*h).unwrap();
            }
            ix
        } else {
            hay.extend(planted.iter().copied());
            HashIndex::build_with_dir_bits(hay, dir_bits).unwrap().0
        };
        let check = |ix: &HashIndex| -> Result<(), TestCaseError> {
            let hits = ix.search(&q, t);
            for h in &planted {
                prop_assert!(hits.iter().any(|x| ix.get(x.id) == Some(*h)), "missed a planted hash at t = {}", t);
            }
            prop_assert_eq!(hits, ix.brute_force(&q, t));
            Ok(())
        };
        check(&ix)?;
        ix.compact().unwrap();
        check(&ix)?;
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
