#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Leiden against reference implementations on standard graphs.
//!
//! Reference values measured on this machine with python-igraph 1.0.0
//! (`Graph.community_leiden(objective_function="modularity", n_iterations=-1)`, best of 20
//! seeds) and networkx 3.6.1 (`louvain_communities`, best of 20 seeds); both gave the same
//! best values. Edge lists were written from networkx's bundled graphs (karate club and
//! Davis southern women unweighted, Les Misérables weighted, Florentine families).

use marsad_graph::community::{leiden, modularity, LeidenOptions, UGraph};
use marsad_graph::{edges_csv, Dataset, EdgeFilter, Graph};

/// (fixture, reference best modularity, reference mean over seeds).
const REFERENCE: [(&str, f64, f64); 4] = [
    ("karate", 0.419790, 0.419790),
    ("lesmis", 0.566688, 0.566601),
    ("florentine", 0.398750, 0.398562),
    ("davis", 0.336006, 0.331678),
];

fn load(name: &str) -> UGraph {
    let path = format!("{}/tests/fixtures/{name}.csv", env!("CARGO_MANIFEST_DIR"));
    let mut ds = Dataset::new();
    let rep = edges_csv::read_edges(std::fs::File::open(&path).unwrap(), &path, &mut ds).unwrap();
    assert!(rep.rejected.is_empty(), "{:?}", rep.rejected);
    let g = Graph::from_dataset(&ds, &EdgeFilter::default()).unwrap();
    UGraph::from_directed(&g)
}

#[test]
fn modularity_matches_references() {
    for (name, best, mean) in REFERENCE {
        let g = load(name);
        let mut qs = Vec::new();
        for seed in 0..10 {
            let p = leiden(
                &g,
                &LeidenOptions {
                    seed,
                    ..LeidenOptions::default()
                },
            )
            .unwrap();
            assert!((p.modularity - modularity(&g, &p.membership, 1.0)).abs() < 1e-12);
            qs.push(p.modularity);
        }
        let our_best = qs.iter().cloned().fold(f64::MIN, f64::max);
        let our_mean = qs.iter().sum::<f64>() / qs.len() as f64;
        println!(
            "{name}: ours best {our_best:.6} mean {our_mean:.6}; reference best {best} mean {mean}"
        );
        assert!(our_best >= best - 1e-6, "{name}: best {our_best} < {best}");
        assert!(
            our_mean >= mean - 0.01,
            "{name}: mean {our_mean} < {mean} - 0.01"
        );
    }
}

#[test]
fn refined_communities_are_connected() {
    // Leiden's guarantee: every community induces a connected subgraph.
    for (name, ..) in REFERENCE {
        let g = load(name);
        let path = format!("{}/tests/fixtures/{name}.csv", env!("CARGO_MANIFEST_DIR"));
        let mut ds = Dataset::new();
        edges_csv::read_edges(std::fs::File::open(&path).unwrap(), &path, &mut ds).unwrap();
        let p = leiden(&g, &LeidenOptions::default()).unwrap();
        for c in 0..p.count as u32 {
            let members: Vec<u32> = (0..p.membership.len() as u32)
                .filter(|&v| p.membership[v as usize] == c)
                .collect();
            let mut seen = vec![members[0]];
            let mut stack = vec![members[0]];
            while let Some(v) = stack.pop() {
                for e in ds.edges.iter() {
                    let other = if e.source == v {
                        e.target
                    } else if e.target == v {
                        e.source
                    } else {
                        continue;
                    };
                    if p.membership[other as usize] == c && !seen.contains(&other) {
                        seen.push(other);
                        stack.push(other);
                    }
                }
            }
            assert_eq!(
                seen.len(),
                members.len(),
                "{name}: community {c} not connected"
            );
        }
    }
}
