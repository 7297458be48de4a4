#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Exports are well-formed XML with untrusted names escaped, and CSV reads back.

use marsad_graph::dataset::{Edge, EdgeKind, NodeInfo, NodeKind};
use marsad_graph::export::{write_csv, write_gexf, write_graphml, NodeAttrs};
use marsad_graph::{edges_csv, Dataset, EdgeFilter, Graph};
use quick_xml::events::Event;

const EVIL: &str = "<&\"evil'> \u{7}@x";

fn dataset() -> Dataset {
    let mut ds = Dataset::new();
    let a = ds.upsert_node(NodeInfo {
        key: "x:1".into(),
        kind: Some(NodeKind::Account),
        display_name: Some(EVIL.into()),
        ..NodeInfo::default()
    });
    let b = ds.upsert_node(NodeInfo {
        key: "x:<2&>".into(),
        kind: Some(NodeKind::Account),
        handle: Some("b\"q".into()),
        ..NodeInfo::default()
    });
    for (i, kind) in [EdgeKind::Repost, EdgeKind::Repost, EdgeKind::Mention]
        .into_iter()
        .enumerate()
    {
        ds.edges.push(Edge {
            source: a,
            target: b,
            kind,
            at: Some(1_760_000_000_000_000 + i as i64 * 60_000_000),
            weight: 1.0,
            post: None,
        });
    }
    ds
}

/// Parses the whole document; returns every attribute value and text node, unescaped.
fn parse(xml: &[u8]) -> (Vec<String>, Vec<String>) {
    let mut r = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let (mut attrs, mut texts) = (Vec::new(), Vec::new());
    let mut depth = 0i32;
    loop {
        match r.read_event_into(&mut buf).expect("well-formed XML") {
            Event::Eof => break,
            Event::Start(e) => {
                depth += 1;
                for a in e.attributes() {
                    attrs.push(a.unwrap().unescape_value().unwrap().into_owned());
                }
            }
            Event::Empty(e) => {
                for a in e.attributes() {
                    attrs.push(a.unwrap().unescape_value().unwrap().into_owned());
                }
            }
            Event::End(_) => depth -= 1,
            Event::Text(t) => texts.push(t.unescape().unwrap().into_owned()),
            _ => {}
        }
        buf.clear();
    }
    assert_eq!(depth, 0, "balanced elements");
    (attrs, texts)
}

#[test]
fn gexf_is_well_formed_dynamic_and_escaped() {
    let ds = dataset();
    let g = Graph::from_dataset(&ds, &EdgeFilter::default()).unwrap();
    let attrs = NodeAttrs {
        community: vec![Some(0), Some(0)],
        tier: vec![Some("official"), None],
        pagerank: vec![0.3, 0.7],
        in_degree: vec![0, 1],
    };
    let mut out = Vec::new();
    write_gexf(&ds, &g, &attrs, &mut out, "t.gexf").unwrap();
    let text = String::from_utf8(out.clone()).unwrap();
    assert!(text.contains("version=\"1.3\""));
    assert!(text.contains("mode=\"dynamic\""));
    let (attrs_v, _) = parse(&out);
    // The control character is dropped, the rest survives escaping.
    assert!(
        attrs_v.contains(&"<&\"evil'> @x".to_string()),
        "{attrs_v:?}"
    );
    assert!(attrs_v.contains(&"x:<2&>".to_string()));
    assert!(attrs_v.contains(&"official".to_string()));
    // Two reposts merged into one edge with two spells, plus the mention.
    assert_eq!(text.matches("<edge ").count(), 2);
    assert_eq!(text.matches("<spell ").count(), 2 + 3);
    assert!(text.contains("weight=\"2\""));
}

#[test]
fn graphml_is_well_formed_and_escaped() {
    let ds = dataset();
    let g = Graph::from_dataset(&ds, &EdgeFilter::default()).unwrap();
    let mut out = Vec::new();
    write_graphml(&ds, &g, &NodeAttrs::default(), &mut out, "t.graphml").unwrap();
    let (_, texts) = parse(&out);
    assert!(texts.contains(&"<&\"evil'> @x".to_string()), "{texts:?}");
    assert!(texts.contains(&"@b\"q".to_string()));
}

#[test]
fn csv_edges_read_back() {
    let ds = dataset();
    let g = Graph::from_dataset(&ds, &EdgeFilter::default()).unwrap();
    let (mut nodes, mut edges) = (Vec::new(), Vec::new());
    write_csv(
        &ds,
        &g,
        &NodeAttrs::default(),
        &mut nodes,
        &mut edges,
        "out",
    )
    .unwrap();
    let mut back = Dataset::new();
    let rep = edges_csv::read_edges(edges.as_slice(), "edges.csv", &mut back).unwrap();
    assert!(rep.rejected.is_empty(), "{:?}", rep.rejected);
    assert_eq!(rep.edges, 3);
    assert_eq!(back.nodes[1].key, "x:<2&>");
    assert_eq!(
        back.edges
            .iter()
            .map(|e| (e.kind, e.at))
            .collect::<Vec<_>>(),
        ds.edges.iter().map(|e| (e.kind, e.at)).collect::<Vec<_>>()
    );
    assert_eq!(String::from_utf8(nodes).unwrap().lines().count(), 3);
}
