//! Connectivity diff between two versions of a set of manifests.

use std::collections::{BTreeMap, BTreeSet};

use crate::conn::ConnSet;
use crate::eval::{Connection, Endpoint};
use crate::ip::IpSet;

/// How a connection changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DiffKind {
    /// Allowed in both, differently.
    Changed,
    /// Only in the second version.
    Added,
    /// Only in the first version.
    Removed,
    /// The same in both.
    Unchanged,
}

impl DiffKind {
    /// `changed`, `added`, `removed`, `unchanged`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Changed => "changed",
            Self::Added => "added",
            Self::Removed => "removed",
            Self::Unchanged => "unchanged",
        }
    }
}

/// One pair of endpoints and its connections in both versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffEntry {
    /// How it changed.
    pub kind: DiffKind,
    /// Source.
    pub src: Endpoint,
    /// Destination.
    pub dst: Endpoint,
    /// Allowed in the first version.
    pub ref1: Option<ConnSet>,
    /// Allowed in the second version.
    pub ref2: Option<ConnSet>,
    /// For added/removed pairs: the workloads that appear or disappear
    /// (`workload a and b added`), else empty.
    pub info: String,
}

impl DiffEntry {
    /// The first version's connections as printed.
    pub fn ref1_str(&self) -> String {
        self.ref1
            .as_ref()
            .map_or("No Connections".into(), ToString::to_string)
    }

    /// The second version's connections as printed.
    pub fn ref2_str(&self) -> String {
        self.ref2
            .as_ref()
            .map_or("No Connections".into(), ToString::to_string)
    }
}

fn external_blocks(conns: &[Connection]) -> BTreeSet<IpSet> {
    conns
        .iter()
        .flat_map(|c| [&c.src, &c.dst])
        .filter_map(|e| match e {
            Endpoint::External(ip) => Some(ip.clone()),
            _ => None,
        })
        .collect()
}

/// Replaces each external block by the pieces of the common refinement it contains.
fn refine(conns: &[Connection], pieces: &[IpSet]) -> Vec<Connection> {
    let split = |e: &Endpoint| -> Vec<Endpoint> {
        match e {
            Endpoint::External(ip) => pieces
                .iter()
                .filter(|p| p.is_subset(ip))
                .map(|p| Endpoint::External(p.clone()))
                .collect(),
            other => vec![other.clone()],
        }
    };
    let mut out = Vec::new();
    for c in conns {
        for s in split(&c.src) {
            for d in split(&c.dst) {
                out.push(Connection {
                    src: s.clone(),
                    dst: d.clone(),
                    conn: c.conn.clone(),
                });
            }
        }
    }
    out
}

type Pair = (Option<ConnSet>, Option<ConnSet>);

/// Compares two connection lists. `workloads1`/`workloads2` are each version's workload keys,
/// used to say which workloads appeared or disappeared. External blocks are first cut to a
/// common refinement, then touching blocks with the same change are merged back.
pub fn diff(
    conns1: &[Connection],
    conns2: &[Connection],
    workloads1: &BTreeSet<String>,
    workloads2: &BTreeSet<String>,
) -> Vec<DiffEntry> {
    let blocks: Vec<IpSet> = external_blocks(conns1)
        .into_iter()
        .chain(external_blocks(conns2))
        .collect();
    let pieces = refine_blocks(&blocks);
    let mut map: BTreeMap<(Endpoint, Endpoint), Pair> = BTreeMap::new();
    for c in refine(conns1, &pieces) {
        map.entry((c.src, c.dst)).or_default().0 = Some(c.conn);
    }
    for c in refine(conns2, &pieces) {
        map.entry((c.src, c.dst)).or_default().1 = Some(c.conn);
    }

    // Merge external pieces back where the same change applies to touching blocks.
    let mut merged: BTreeMap<(Endpoint, Endpoint), Pair> = BTreeMap::new();
    let mut groups: BTreeMap<(bool, Endpoint, String, String), (IpSet, Pair)> = BTreeMap::new();
    for ((src, dst), pair) in map {
        let a = pair.0.as_ref().map(ToString::to_string).unwrap_or_default();
        let b = pair.1.as_ref().map(ToString::to_string).unwrap_or_default();
        let (key, ip) = match (src, dst) {
            (src, Endpoint::External(ip)) => ((true, src, a, b), ip),
            (Endpoint::External(ip), dst) => ((false, dst, a, b), ip),
            (src, dst) => {
                merged.insert((src, dst), pair);
                continue;
            }
        };
        let e = groups.entry(key).or_insert_with(|| (IpSet::empty(), pair));
        e.0 = e.0.union(&ip);
    }
    for ((is_dst, other, ..), (ips, pair)) in groups {
        for block in ips.split() {
            let ext = Endpoint::External(block);
            let k = if is_dst {
                (other.clone(), ext)
            } else {
                (ext, other.clone())
            };
            merged.insert(k, pair.clone());
        }
    }

    let mut out = Vec::new();
    for ((src, dst), (r1, r2)) in merged {
        let (kind, info) = match (&r1, &r2) {
            (Some(a), Some(b)) if a == b => (DiffKind::Unchanged, String::new()),
            (Some(_), Some(_)) => (DiffKind::Changed, String::new()),
            (Some(_), None) => (
                DiffKind::Removed,
                lost_or_new(&src, &dst, workloads2, "removed"),
            ),
            (None, Some(_)) => (
                DiffKind::Added,
                lost_or_new(&src, &dst, workloads1, "added"),
            ),
            (None, None) => continue,
        };
        out.push(DiffEntry {
            kind,
            src,
            dst,
            ref1: r1,
            ref2: r2,
            info,
        });
    }
    out.sort_by_cached_key(|e| (e.kind, e.src.to_string(), e.dst.to_string()));
    out
}

fn lost_or_new(src: &Endpoint, dst: &Endpoint, other: &BTreeSet<String>, what: &str) -> String {
    let missing = |e: &Endpoint| matches!(e, Endpoint::Workload(k) if !other.contains(k));
    let names: Vec<String> = [src, dst]
        .into_iter()
        .filter(|e| missing(e))
        .map(ToString::to_string)
        .collect();
    if names.is_empty() {
        String::new()
    } else {
        format!("workload {} {what}", names.join(" and "))
    }
}

/// The coarsest blocks that each lie within or outside every given block.
fn refine_blocks(blocks: &[IpSet]) -> Vec<IpSet> {
    let mut cuts: BTreeSet<u64> = BTreeSet::new();
    for b in blocks {
        for (s, e) in b.ranges() {
            cuts.insert(u64::from(s));
            cuts.insert(u64::from(e) + 1);
        }
    }
    let covered = blocks.iter().fold(IpSet::empty(), |a, b| a.union(b));
    let cuts: Vec<u64> = cuts.into_iter().collect();
    cuts.windows(2)
        .map(|w| IpSet::range(w[0] as u32, (w[1] - 1) as u32))
        .filter(|r| r.is_subset(&covered))
        .collect()
}
