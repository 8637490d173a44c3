//! Connection lists and diffs as text, JSON, CSV, Markdown and Graphviz DOT, in
//! netpol-analyzer's shapes.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::diff::{DiffEntry, DiffKind};
use crate::eval::{Connection, Endpoint};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `src => dst : conn` lines.
    Txt,
    /// An array of `{src, dst, conn}`.
    Json,
    /// `src,dst,conn` with a header.
    Csv,
    /// A Markdown table.
    Md,
    /// A Graphviz digraph grouped by namespace.
    Dot,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "txt" | "text" => Ok(Format::Txt),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "md" | "markdown" => Ok(Format::Md),
            "dot" => Ok(Format::Dot),
            _ => Err(format!(
                "unknown format `{s}` (expected txt, json, csv, md or dot)"
            )),
        }
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) || s.starts_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn dot_weight(src: &str, dst: &str) -> &'static str {
    if src > dst { "1" } else { "0.5" }
}

/// Renders a connection list. `workloads` (keys) are the nodes a DOT graph shows even when they
/// have no connection.
pub fn connlist(conns: &[Connection], workloads: &[String], format: Format) -> String {
    let rows: Vec<(String, String, String)> = conns
        .iter()
        .map(|c| (c.src.to_string(), c.dst.to_string(), c.conn.to_string()))
        .collect();
    let mut out = String::new();
    match format {
        Format::Txt => {
            for (s, d, c) in &rows {
                let _ = writeln!(out, "{s} => {d} : {c}");
            }
        }
        Format::Json => {
            let items: Vec<serde_json::Value> = rows
                .iter()
                .map(|(s, d, c)| {
                    let mut m = serde_json::Map::new();
                    m.insert("src".into(), s.clone().into());
                    m.insert("dst".into(), d.clone().into());
                    m.insert("conn".into(), c.clone().into());
                    serde_json::Value::Object(m)
                })
                .collect();
            out = serde_json::to_string_pretty(&items).unwrap_or_default();
            out.push('\n');
        }
        Format::Csv => {
            out.push_str("src,dst,conn\n");
            for (s, d, c) in &rows {
                let _ = writeln!(out, "{},{},{}", csv_field(s), csv_field(d), csv_field(c));
            }
        }
        Format::Md => {
            out.push_str("| src | dst | conn |\n|-----|-----|------|\n");
            for (s, d, c) in &rows {
                let _ = writeln!(out, "| {s} | {d} | {c} |");
            }
        }
        Format::Dot => {
            let edges: Vec<(String, String, String, &'static str, &'static str)> = rows
                .iter()
                .map(|(s, d, c)| (s.clone(), d.clone(), c.clone(), "gold2", "darkgreen"))
                .collect();
            let externals = conns.iter().flat_map(|c| [&c.src, &c.dst]);
            let nodes: Vec<(String, &str)> =
                workloads.iter().map(|w| (w.clone(), "blue")).collect();
            out = dot(&nodes, externals, &edges, None);
        }
    }
    out
}

/// The DOT graph: namespaces as clusters, external blocks red, edges labelled.
fn dot<'a>(
    workloads: &[(String, &str)],
    endpoints: impl Iterator<Item = &'a Endpoint>,
    edges: &[(String, String, String, &str, &str)],
    legend: Option<&str>,
) -> String {
    let mut by_ns: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for (w, color) in workloads {
        let ns = w.split_once('/').map_or("", |(n, _)| n);
        by_ns.entry(ns).or_default().push((w, color));
    }
    let mut out = String::from("digraph {\n");
    for (ns, ws) in &by_ns {
        let _ = writeln!(
            out,
            "\tsubgraph \"cluster_{}[namespace]\" {{",
            ns.replace('-', "_")
        );
        out.push_str("\t\tcolor=\"black\"\n\t\tfontcolor=\"black\"\n");
        let mut ws = ws.clone();
        ws.sort_unstable();
        ws.dedup();
        for (w, color) in ws {
            let label = w.split_once('/').map_or(w, |(_, n)| n);
            let _ = writeln!(
                out,
                "\t\t\"{w}\" [label=\"{label}\" color=\"{color}\" fontcolor=\"{color}\"]"
            );
        }
        let _ = writeln!(out, "\t\tlabel=\"{ns}[namespace]\"\n\t}}");
    }
    let mut others: Vec<(String, &str)> = endpoints
        .filter_map(|e| match e {
            Endpoint::External(_) => Some((e.to_string(), "red2")),
            Endpoint::IngressController => Some((e.to_string(), "blue")),
            Endpoint::Workload(_) => None,
        })
        .collect();
    others.sort();
    others.dedup();
    for (name, color) in others {
        let color = if legend.is_some() { "blue" } else { color };
        let _ = writeln!(
            out,
            "\t\"{name}\" [label=\"{name}\" color=\"{color}\" fontcolor=\"{color}\"]"
        );
    }
    for (s, d, label, color, font) in edges {
        let _ = writeln!(
            out,
            "\t\"{s}\" -> \"{d}\" [label=\"{label}\" color=\"{color}\" fontcolor=\"{font}\" weight={}]",
            dot_weight(s, d)
        );
    }
    if let Some(l) = legend {
        out.push_str(l);
    }
    out.push('}');
    out
}

const DIFF_LEGEND: &str = "\tnodesep=0.5
\tsubgraph cluster_legend {
\t\tlabel=\"Legend\"
\t\tfontsize = 10
\t\tmargin=0
\t\ta [style=invis height=0 width=0]
\t\tb [style=invis height=0 width=0]
\t\tc [style=invis height=0 width=0]
\t\td [style=invis height=0 width=0]
\t\te [style=invis height=0 width=0]
\t\tf [style=invis height=0 width=0]
\t\tg [style=invis height=0 width=0]
\t\th [style=invis height=0 width=0]
\t\t{rank=source a b c d}
\t\t{rank=same e f g h}
\t\ta -> b [label=\"added connection\", color=\"#008000\" fontcolor=\"#008000\" fontsize = 10 arrowsize=0.2]
\t\tc -> d [label=\"removed connection\", color=\"red2\" fontcolor=\"red2\" fontsize = 10 arrowsize=0.2]
\t\te -> f [label=\"changed connection\", color=\"magenta\" fontcolor=\"magenta\" fontsize = 10 arrowsize=0.2]
\t\tg -> h [label=\"unchanged connection\", color=\"grey\" fontcolor=\"grey\" fontsize = 10 arrowsize=0.2]
\t\tnp [label=\"new peer\" color=\"#008000\" fontcolor=\"#008000\" fontsize = 10]
\t\tlp [label=\"lost peer\" color=\"red\" fontcolor=\"red\" fontsize = 10]
\t\tpp [label=\"persistent peer\" color=\"blue\" fontcolor=\"blue\" fontsize = 10]
\t\t{rank=sink np lp pp}
\t\tnp->lp [style=invis]
\t\tlp->pp [style=invis]
\t}
";

/// Renders a diff. Text, CSV and Markdown list changed, added and removed connections; DOT
/// also draws unchanged ones in grey, and workloads that appear or disappear in colour.
pub fn diff(
    entries: &[DiffEntry],
    workloads1: &[String],
    workloads2: &[String],
    format: Format,
) -> String {
    let shown: Vec<&DiffEntry> = [DiffKind::Changed, DiffKind::Added, DiffKind::Removed]
        .iter()
        .flat_map(|k| entries.iter().filter(move |e| e.kind == *k))
        .collect();
    if shown.is_empty() {
        return String::new();
    }
    let field = |e: &DiffEntry| {
        (
            e.kind.as_str(),
            e.src.to_string(),
            e.dst.to_string(),
            e.ref1_str(),
            e.ref2_str(),
            e.info.clone(),
        )
    };
    let mut out = String::new();
    match format {
        Format::Txt | Format::Json => {
            out.push_str("Connectivity diff:\n");
            for e in shown {
                let (k, s, d, r1, r2, info) = field(e);
                let _ = write!(
                    out,
                    "diff-type: {k}, source: {s}, destination: {d}, ref1: {r1}, ref2: {r2}"
                );
                if !info.is_empty() {
                    let _ = write!(out, ", workloads-diff-info: {info}");
                }
                out.push('\n');
            }
        }
        Format::Csv => {
            out.push_str("diff-type,source,destination,ref1,ref2,workloads-diff-info\n");
            for e in shown {
                let (k, s, d, r1, r2, info) = field(e);
                let _ = writeln!(
                    out,
                    "{k},{},{},{},{},{}",
                    csv_field(&s),
                    csv_field(&d),
                    csv_field(&r1),
                    csv_field(&r2),
                    csv_field(&info)
                );
            }
        }
        Format::Md => {
            out.push_str(
                "| diff-type | source | destination | ref1 | ref2 | workloads-diff-info |\n",
            );
            out.push_str(
                "|-----------|--------|-------------|------|------|---------------------|\n",
            );
            for e in shown {
                let (k, s, d, r1, r2, info) = field(e);
                let _ = writeln!(out, "| {k} | {s} | {d} | {r1} | {r2} | {info} |");
            }
        }
        Format::Dot => {
            let mut all: Vec<&DiffEntry> = entries.iter().collect();
            all.sort_by_cached_key(|e| (e.src.to_string(), e.dst.to_string()));
            let edges: Vec<(String, String, String, &str, &str)> = all
                .iter()
                .map(|e| {
                    let (label, color) = match e.kind {
                        DiffKind::Added => (e.ref2_str(), "#008000"),
                        DiffKind::Removed => (e.ref1_str(), "red2"),
                        DiffKind::Changed => (
                            format!("{} (ref1: {})", e.ref2_str(), e.ref1_str()),
                            "magenta",
                        ),
                        DiffKind::Unchanged => (e.ref2_str(), "grey"),
                    };
                    (e.src.to_string(), e.dst.to_string(), label, color, color)
                })
                .collect();
            let endpoints = entries.iter().flat_map(|e| [&e.src, &e.dst]);
            let mut nodes: Vec<(String, &str)> = Vec::new();
            for w in workloads1 {
                let color = if workloads2.contains(w) {
                    "blue"
                } else {
                    "red"
                };
                nodes.push((w.clone(), color));
            }
            for w in workloads2.iter().filter(|w| !workloads1.contains(w)) {
                nodes.push((w.clone(), "#008000"));
            }
            out = dot(&nodes, endpoints, &edges, Some(DIFF_LEGEND));
        }
    }
    out
}
