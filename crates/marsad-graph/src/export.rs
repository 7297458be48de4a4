//! Exports: GEXF 1.3 (dynamic, for Gephi's timeline), GraphML, CSV node and edge lists.
//!
//! Every name comes from untrusted input and is escaped (`& < > " '`; characters XML 1.0
//! does not allow are dropped). Parallel edges of one type are merged into one edge with
//! the summed weight; in GEXF each occurrence is a spell `[t, t]` of that edge, and each
//! node has a spell from its first to its last edge. Isolated nodes are left out of GEXF
//! and GraphML. The CSV edge list (`edges.csv`: source,target,weight,time,type, one row per
//! edge) reads back with `--edges`.

use crate::dataset::{Dataset, EdgeKind, NodeId};
use crate::graph::{Graph, NO_TIME};
use crate::{iso, GraphError, Micros};
use std::collections::BTreeMap;
use std::io::Write;

/// Per-node attributes computed by the analyses.
#[derive(Debug, Clone, Default)]
pub struct NodeAttrs {
    pub community: Vec<Option<u32>>,
    pub tier: Vec<Option<&'static str>>,
    pub pagerank: Vec<f64>,
    pub in_degree: Vec<usize>,
}

/// Escapes text for XML attribute values and content.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn io(path: &str) -> impl Fn(std::io::Error) -> GraphError + '_ {
    move |e| GraphError::Io {
        path: path.to_string(),
        message: e.to_string(),
    }
}

struct Merged {
    source: NodeId,
    target: NodeId,
    kind: EdgeKind,
    weight: f64,
    times: Vec<Micros>,
}

fn merged(g: &Graph) -> Vec<Merged> {
    let mut m: BTreeMap<(NodeId, NodeId, EdgeKind), Merged> = BTreeMap::new();
    for s in 0..g.node_count() as NodeId {
        for p in g.out_range(s) {
            let t = g.out_target[p];
            let k = g.out_kind[p];
            let e = m.entry((s, t, k)).or_insert(Merged {
                source: s,
                target: t,
                kind: k,
                weight: 0.0,
                times: Vec::new(),
            });
            e.weight += g.out_weight[p] as f64;
            if g.out_at[p] != NO_TIME {
                e.times.push(g.out_at[p]);
            }
        }
    }
    let mut v: Vec<Merged> = m.into_values().collect();
    for e in &mut v {
        e.times.sort_unstable();
        e.times.dedup();
    }
    v
}

fn active(g: &Graph) -> (Vec<bool>, Vec<Option<(Micros, Micros)>>) {
    let n = g.node_count();
    let mut used = vec![false; n];
    let mut span: Vec<Option<(Micros, Micros)>> = vec![None; n];
    for s in 0..n as NodeId {
        for p in g.out_range(s) {
            let t = g.out_target[p];
            used[s as usize] = true;
            used[t as usize] = true;
            let at = g.out_at[p];
            if at != NO_TIME {
                for v in [s as usize, t as usize] {
                    span[v] = Some(span[v].map_or((at, at), |(a, b)| (a.min(at), b.max(at))));
                }
            }
        }
    }
    (used, span)
}

/// Writes GEXF 1.3.
pub fn write_gexf(
    ds: &Dataset,
    g: &Graph,
    attrs: &NodeAttrs,
    mut w: impl Write,
    path: &str,
) -> Result<(), GraphError> {
    let err = io(path);
    let (used, span) = active(g);
    let mut s = String::new();
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str("<gexf xmlns=\"http://gexf.net/1.3\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd\" version=\"1.3\">\n");
    s.push_str("  <meta>\n    <creator>Marsad (marsad-graph)</creator>\n    <description>Accounts and channels; edges are typed interactions</description>\n  </meta>\n");
    s.push_str("  <graph mode=\"dynamic\" defaultedgetype=\"directed\" timeformat=\"datetime\" timerepresentation=\"interval\">\n");
    s.push_str("    <attributes class=\"node\" mode=\"static\">\n");
    for (id, ty) in [
        ("key", "string"),
        ("platform", "string"),
        ("node_kind", "string"),
        ("handle", "string"),
        ("community", "integer"),
        ("tier", "string"),
        ("pagerank", "double"),
        ("in_degree", "integer"),
    ] {
        s.push_str(&format!(
            "      <attribute id=\"{id}\" title=\"{id}\" type=\"{ty}\"/>\n"
        ));
    }
    s.push_str("    </attributes>\n    <attributes class=\"edge\" mode=\"static\">\n      <attribute id=\"type\" title=\"type\" type=\"string\"/>\n      <attribute id=\"count\" title=\"count\" type=\"integer\"/>\n    </attributes>\n    <nodes>\n");
    w.write_all(s.as_bytes()).map_err(&err)?;
    for v in 0..g.node_count() {
        if !used[v] {
            continue;
        }
        let info = ds.info(v as NodeId);
        let mut s = format!(
            "      <node id=\"n{v}\" label=\"{}\">\n        <attvalues>\n",
            xml_escape(&info.label())
        );
        let mut att = |k: &str, val: String| {
            s.push_str(&format!(
                "          <attvalue for=\"{k}\" value=\"{}\"/>\n",
                xml_escape(&val)
            ))
        };
        att("key", info.key.clone());
        att(
            "platform",
            info.platform.map(|p| p.to_string()).unwrap_or_default(),
        );
        att(
            "node_kind",
            match info.kind {
                Some(crate::NodeKind::Account) => "account",
                Some(crate::NodeKind::Channel) => "channel",
                _ => "unresolved",
            }
            .into(),
        );
        att("handle", info.handle.clone().unwrap_or_default());
        if let Some(Some(c)) = attrs.community.get(v) {
            att("community", c.to_string());
        }
        if let Some(Some(t)) = attrs.tier.get(v) {
            att("tier", t.to_string());
        }
        if let Some(p) = attrs.pagerank.get(v) {
            att("pagerank", format!("{p:.9}"));
        }
        if let Some(d) = attrs.in_degree.get(v) {
            att("in_degree", d.to_string());
        }
        s.push_str("        </attvalues>\n");
        if let Some((a, b)) = span[v] {
            s.push_str(&format!(
                "        <spells>\n          <spell start=\"{}\" end=\"{}\"/>\n        </spells>\n",
                iso(a),
                iso(b)
            ));
        }
        s.push_str("      </node>\n");
        w.write_all(s.as_bytes()).map_err(&err)?;
    }
    w.write_all(b"    </nodes>\n    <edges>\n").map_err(&err)?;
    for (i, e) in merged(g).iter().enumerate() {
        let mut s = format!(
            "      <edge id=\"e{i}\" source=\"n{}\" target=\"n{}\" weight=\"{}\" kind=\"{}\">\n        <attvalues>\n          <attvalue for=\"type\" value=\"{}\"/>\n          <attvalue for=\"count\" value=\"{}\"/>\n        </attvalues>\n",
            e.source,
            e.target,
            e.weight,
            e.kind.as_str(),
            e.kind.as_str(),
            e.times.len().max(1)
        );
        if !e.times.is_empty() {
            s.push_str("        <spells>\n");
            for &t in &e.times {
                s.push_str(&format!(
                    "          <spell start=\"{}\" end=\"{}\"/>\n",
                    iso(t),
                    iso(t)
                ));
            }
            s.push_str("        </spells>\n");
        }
        s.push_str("      </edge>\n");
        w.write_all(s.as_bytes()).map_err(&err)?;
    }
    w.write_all(b"    </edges>\n  </graph>\n</gexf>\n")
        .map_err(&err)?;
    w.flush().map_err(&err)
}

/// Writes GraphML.
pub fn write_graphml(
    ds: &Dataset,
    g: &Graph,
    attrs: &NodeAttrs,
    mut w: impl Write,
    path: &str,
) -> Result<(), GraphError> {
    let err = io(path);
    let (used, span) = active(g);
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n");
    for (id, ty) in [
        ("label", "string"),
        ("key", "string"),
        ("platform", "string"),
        ("community", "int"),
        ("tier", "string"),
        ("pagerank", "double"),
        ("in_degree", "int"),
        ("first_seen", "string"),
        ("last_seen", "string"),
    ] {
        s.push_str(&format!(
            "  <key id=\"{id}\" for=\"node\" attr.name=\"{id}\" attr.type=\"{ty}\"/>\n"
        ));
    }
    for (id, ty) in [
        ("type", "string"),
        ("weight", "double"),
        ("first", "string"),
        ("last", "string"),
    ] {
        s.push_str(&format!(
            "  <key id=\"e_{id}\" for=\"edge\" attr.name=\"{id}\" attr.type=\"{ty}\"/>\n"
        ));
    }
    s.push_str("  <graph id=\"marsad\" edgedefault=\"directed\">\n");
    w.write_all(s.as_bytes()).map_err(&err)?;
    for v in 0..g.node_count() {
        if !used[v] {
            continue;
        }
        let info = ds.info(v as NodeId);
        let mut s = format!("    <node id=\"n{v}\">\n");
        let mut data = |k: &str, val: String| {
            s.push_str(&format!(
                "      <data key=\"{k}\">{}</data>\n",
                xml_escape(&val)
            ))
        };
        data("label", info.label());
        data("key", info.key.clone());
        if let Some(p) = info.platform {
            data("platform", p.to_string());
        }
        if let Some(Some(c)) = attrs.community.get(v) {
            data("community", c.to_string());
        }
        if let Some(Some(t)) = attrs.tier.get(v) {
            data("tier", t.to_string());
        }
        if let Some(p) = attrs.pagerank.get(v) {
            data("pagerank", format!("{p:.9}"));
        }
        if let Some(d) = attrs.in_degree.get(v) {
            data("in_degree", d.to_string());
        }
        if let Some((a, b)) = span[v] {
            data("first_seen", iso(a));
            data("last_seen", iso(b));
        }
        s.push_str("    </node>\n");
        w.write_all(s.as_bytes()).map_err(&err)?;
    }
    for (i, e) in merged(g).iter().enumerate() {
        let mut s = format!(
            "    <edge id=\"e{i}\" source=\"n{}\" target=\"n{}\">\n      <data key=\"e_type\">{}</data>\n      <data key=\"e_weight\">{}</data>\n",
            e.source,
            e.target,
            e.kind.as_str(),
            e.weight
        );
        if let (Some(a), Some(b)) = (e.times.first(), e.times.last()) {
            s.push_str(&format!(
                "      <data key=\"e_first\">{}</data>\n      <data key=\"e_last\">{}</data>\n",
                iso(*a),
                iso(*b)
            ));
        }
        s.push_str("    </edge>\n");
        w.write_all(s.as_bytes()).map_err(&err)?;
    }
    w.write_all(b"  </graph>\n</graphml>\n").map_err(&err)?;
    w.flush().map_err(&err)
}

/// Writes `nodes.csv` and `edges.csv`.
pub fn write_csv(
    ds: &Dataset,
    g: &Graph,
    attrs: &NodeAttrs,
    nodes: impl Write,
    edges: impl Write,
    path: &str,
) -> Result<(), GraphError> {
    let cerr = |e: csv::Error| GraphError::Io {
        path: path.to_string(),
        message: e.to_string(),
    };
    let mut n = csv::Writer::from_writer(nodes);
    n.write_record([
        "id",
        "label",
        "platform",
        "kind",
        "handle",
        "community",
        "tier",
        "pagerank",
        "in_degree",
    ])
    .map_err(cerr)?;
    for v in 0..g.node_count() {
        let info = ds.info(v as NodeId);
        n.write_record([
            info.key.clone(),
            info.label(),
            info.platform.map(|p| p.to_string()).unwrap_or_default(),
            match info.kind {
                Some(crate::NodeKind::Account) => "account",
                Some(crate::NodeKind::Channel) => "channel",
                _ => "unresolved",
            }
            .to_string(),
            info.handle.clone().unwrap_or_default(),
            attrs
                .community
                .get(v)
                .copied()
                .flatten()
                .map(|c| c.to_string())
                .unwrap_or_default(),
            attrs
                .tier
                .get(v)
                .copied()
                .flatten()
                .unwrap_or("")
                .to_string(),
            attrs
                .pagerank
                .get(v)
                .map(|p| format!("{p:.9}"))
                .unwrap_or_default(),
            attrs
                .in_degree
                .get(v)
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ])
        .map_err(cerr)?;
    }
    n.flush().map_err(io(path))?;
    let mut e = csv::Writer::from_writer(edges);
    e.write_record(["source", "target", "weight", "time", "type"])
        .map_err(cerr)?;
    for s in 0..g.node_count() as NodeId {
        for p in g.out_range(s) {
            let at = g.out_at[p];
            e.write_record([
                ds.info(s).key.clone(),
                ds.info(g.out_target[p]).key.clone(),
                g.out_weight[p].to_string(),
                if at == NO_TIME {
                    String::new()
                } else {
                    iso(at)
                },
                g.out_kind[p].as_str().to_string(),
            ])
            .map_err(cerr)?;
        }
    }
    e.flush().map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_untrusted_text() {
        assert_eq!(xml_escape("<&\"'>\u{1}ok"), "&lt;&amp;&quot;&apos;&gt;ok");
    }
}
