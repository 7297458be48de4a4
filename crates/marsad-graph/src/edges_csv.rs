//! Edge lists from researchers: `source,target[,weight][,time][,type]`.
//!
//! - With a header row (first field `source`), columns are found by name (`source`,
//!   `target`, `weight`, `time`, `type`; any order; other names are an error). Without one,
//!   the columns are positional in that order.
//! - `weight`: a finite number > 0 (default 1); `time`: RFC 3339 (`2026-10-05T20:00:00Z`), a
//!   date (`2026-10-05`, midnight UTC) or integer Unix seconds; `type`: an edge type name
//!   (`repost`, `mention`, … ; unknown names become `other`).
//! - A bad row is reported with its line and field and skipped; the good rows are kept.
//!   Self-loops are skipped and counted.
//! - The file is streamed row by row; the graph itself is what is kept in memory.

use crate::dataset::{Dataset, Edge, EdgeKind, NodeInfo, NodeKind};
use crate::{GraphError, Micros};
use serde::Serialize;
use std::io::Read;

/// A rejected row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowError {
    pub path: String,
    pub line: u64,
    pub field: String,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: line {}: field `{}`: {}",
            self.path, self.line, self.field, self.reason
        )
    }
}

/// What reading an edge list did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CsvReport {
    pub rows: u64,
    pub edges: u64,
    pub self_loops: u64,
    pub rejected: Vec<RowError>,
}

#[derive(Debug, Clone, Copy)]
struct Columns {
    source: usize,
    target: usize,
    weight: Option<usize>,
    time: Option<usize>,
    kind: Option<usize>,
}

const POSITIONAL: Columns = Columns {
    source: 0,
    target: 1,
    weight: Some(2),
    time: Some(3),
    kind: Some(4),
};

/// Parses a time field.
pub fn parse_time(s: &str) -> Option<Micros> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<i64>() {
        return secs.checked_mul(1_000_000);
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_micros());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp_micros());
    }
    None
}

/// Reads an edge list into `ds` (nodes named by the ids in the file).
pub fn read_edges(input: impl Read, path: &str, ds: &mut Dataset) -> Result<CsvReport, GraphError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(input);
    let mut rep = CsvReport::default();
    let mut cols: Option<Columns> = None;
    let mut record = csv::StringRecord::new();
    loop {
        let line = rdr.position().line();
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                // A broken row (bad UTF-8, unbalanced quotes): report and go on when possible.
                let reject = RowError {
                    path: path.to_string(),
                    line: e.position().map_or(line, |p| p.line()),
                    field: "row".into(),
                    reason: e.to_string(),
                };
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Err(GraphError::Io {
                        path: path.to_string(),
                        message: e.to_string(),
                    });
                }
                rep.rows += 1;
                rep.rejected.push(reject);
                continue;
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        if cols.is_none() {
            if record
                .get(0)
                .is_some_and(|f| f.eq_ignore_ascii_case("source"))
            {
                cols = Some(header(&record, path, line)?);
                continue;
            }
            cols = Some(POSITIONAL);
        }
        let c = cols.unwrap_or(POSITIONAL);
        rep.rows += 1;
        match parse_row(&record, &c) {
            Ok((s, t, w, at, kind)) => {
                if s == t {
                    rep.self_loops += 1;
                    continue;
                }
                let source = csv_node(ds, s);
                let target = csv_node(ds, t);
                ds.edges.push(Edge {
                    source,
                    target,
                    kind,
                    at,
                    weight: w,
                    post: None,
                });
                rep.edges += 1;
            }
            Err((field, reason)) => rep.rejected.push(RowError {
                path: path.to_string(),
                line,
                field: field.to_string(),
                reason,
            }),
        }
    }
    Ok(rep)
}

fn csv_node(ds: &mut Dataset, id: &str) -> crate::NodeId {
    if let Some(n) = ds.find(id) {
        return n;
    }
    ds.upsert_node(NodeInfo {
        key: id.to_string(),
        kind: Some(NodeKind::Account),
        ..NodeInfo::default()
    })
}

fn header(r: &csv::StringRecord, path: &str, line: u64) -> Result<Columns, GraphError> {
    let mut c = Columns {
        source: usize::MAX,
        target: usize::MAX,
        weight: None,
        time: None,
        kind: None,
    };
    for (i, name) in r.iter().enumerate() {
        match name.to_ascii_lowercase().as_str() {
            "source" => c.source = i,
            "target" => c.target = i,
            "weight" => c.weight = Some(i),
            "time" | "at" | "timestamp" => c.time = Some(i),
            "type" | "kind" => c.kind = Some(i),
            other => {
                return Err(GraphError::BadRow {
                    path: path.to_string(),
                    line,
                    field: other.to_string(),
                    message: "unknown column (expected source, target, weight, time, type)".into(),
                })
            }
        }
    }
    if c.target == usize::MAX {
        return Err(GraphError::BadRow {
            path: path.to_string(),
            line,
            field: "target".into(),
            message: "the header has no `target` column".into(),
        });
    }
    Ok(c)
}

type Row<'a> = (&'a str, &'a str, f32, Option<Micros>, EdgeKind);

fn parse_row<'a>(r: &'a csv::StringRecord, c: &Columns) -> Result<Row<'a>, (&'static str, String)> {
    let get = |i: Option<usize>| i.and_then(|i| r.get(i)).filter(|s| !s.is_empty());
    let source = get(Some(c.source)).ok_or(("source", "missing".to_string()))?;
    let target = get(Some(c.target)).ok_or(("target", "missing".to_string()))?;
    let max = [Some(c.source), Some(c.target), c.weight, c.time, c.kind]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(1);
    if r.len() > max + 1 {
        return Err((
            "row",
            format!("{} fields; at most {} expected", r.len(), max + 1),
        ));
    }
    let weight = match get(c.weight) {
        None => 1.0,
        Some(s) => match s.parse::<f32>() {
            Ok(w) if w.is_finite() && w > 0.0 => w,
            _ => return Err(("weight", format!("{s:?} is not a positive number"))),
        },
    };
    let at = match get(c.time) {
        None => None,
        Some(s) => Some(parse_time(s).ok_or((
            "time",
            format!("{s:?} is not RFC 3339, a date or Unix seconds"),
        ))?),
    };
    let kind = get(c.kind)
        .map(|s| EdgeKind::parse(s).unwrap_or(EdgeKind::Other))
        .unwrap_or(EdgeKind::Other);
    Ok((source, target, weight, at, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_positional_and_bad_rows() {
        let text = "source,target,weight,time,type\n\
                    a,b,2,2026-10-05T20:00:00Z,repost\n\
                    a,c,,,\n\
                    b,c,-1,,mention\n\
                    c,,1\n\
                    c,a,1,yesterday,reply\n\
                    c,c\n\
                    d,a,1,1760000000,retweet\n";
        let mut ds = Dataset::new();
        let rep = read_edges(text.as_bytes(), "e.csv", &mut ds).unwrap();
        assert_eq!(rep.edges, 3);
        assert_eq!(rep.self_loops, 1);
        let fields: Vec<_> = rep
            .rejected
            .iter()
            .map(|r| (r.line, r.field.as_str()))
            .collect();
        assert_eq!(fields, vec![(4, "weight"), (5, "target"), (6, "time")]);
        assert!(rep.rejected[0]
            .to_string()
            .starts_with("e.csv: line 4: field `weight`"));
        assert_eq!(ds.edges[0].kind, EdgeKind::Repost);
        assert_eq!(ds.edges[0].weight, 2.0);
        assert_eq!(ds.edges[2].at, Some(1_760_000_000_000_000));
        assert_eq!(ds.edges[2].kind, EdgeKind::Repost);

        let mut ds = Dataset::new();
        let rep = read_edges("x,y\ny,z,3\n".as_bytes(), "p.csv", &mut ds).unwrap();
        assert_eq!(rep.edges, 2);
        assert_eq!(ds.edges[1].weight, 3.0);
    }

    #[test]
    fn unknown_header_column_is_an_error() {
        let mut ds = Dataset::new();
        let err = read_edges("source,target,colour\n".as_bytes(), "h.csv", &mut ds).unwrap_err();
        assert!(err.to_string().contains("colour"), "{err}");
    }
}
