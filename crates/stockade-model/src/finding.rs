//! Findings and severities, shared by every engine and report.

use std::borrow::Cow;
use std::sync::Arc;

use serde::Serialize;

/// How serious a finding is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Hardening.
    Low,
    /// Should be fixed.
    Medium,
    /// Exploitable weakness or outage risk.
    High,
    /// Direct path to node or cluster compromise.
    Critical,
}

impl Severity {
    /// All severities, lowest first.
    pub const ALL: [Severity; 5] = [
        Self::Info,
        Self::Low,
        Self::Medium,
        Self::High,
        Self::Critical,
    ];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown severity `{s}` (expected info, low, medium, high or critical)")
            })
    }
}

/// The object a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectRef {
    /// `apiVersion`.
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.namespace`, if set.
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
}

/// One problem found in one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The check's stable ID.
    pub check: Cow<'static, str>,
    /// The check's kebab-case name.
    pub name: Cow<'static, str>,
    /// Severity after configuration.
    pub severity: Severity,
    /// What is wrong, naming the container and value.
    pub message: String,
    /// The file.
    pub file: Arc<str>,
    /// The Helm template the object came from, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<Arc<str>>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// The object (shared by every finding on it).
    pub object: Arc<ObjectRef>,
    /// The container concerned, if any.
    pub container: Option<String>,
    /// The field path inside the object, e.g. `spec.template.spec.containers[0].securityContext.privileged`.
    pub path: String,
    /// How to fix it.
    pub remediation: Cow<'static, str>,
    /// Equivalent check IDs in other tools, as `tool:ID`.
    pub aliases: &'static [&'static str],
}

/// Findings in output order, kept in the runs they were produced in (a file's, an object's).
/// A large scan's findings are then never moved into one buffer, which would hold them all
/// twice for a moment and touch that much fresh memory.
#[derive(Debug, Default, Clone)]
pub struct Findings {
    runs: Vec<Vec<Finding>>,
    len: usize,
}

impl Findings {
    /// No findings.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many findings.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The findings in order.
    pub fn iter(&self) -> std::iter::Flatten<std::slice::Iter<'_, Vec<Finding>>> {
        self.runs.iter().flatten()
    }

    /// Appends a run of findings (already in order after the ones held).
    pub fn push_run(&mut self, run: Vec<Finding>) {
        if !run.is_empty() {
            self.len += run.len();
            self.runs.push(run);
        }
    }

    /// Appends one finding.
    pub fn push(&mut self, finding: Finding) {
        match self.runs.last_mut() {
            Some(last) => last.push(finding),
            None => self.runs.push(vec![finding]),
        }
        self.len += 1;
    }

    /// Makes room for `n` more runs.
    pub fn reserve_runs(&mut self, n: usize) {
        self.runs.reserve_exact(n);
    }

    /// All findings in one vector.
    pub fn into_vec(self) -> Vec<Finding> {
        if self.runs.len() == 1 {
            return self.runs.into_iter().next().unwrap_or_default();
        }
        let mut all = Vec::with_capacity(self.len);
        for run in self.runs {
            all.extend(run);
        }
        all
    }
}

/// Equal when the findings are, however they are split into runs.
impl PartialEq for Findings {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl Eq for Findings {}

impl From<Vec<Finding>> for Findings {
    fn from(run: Vec<Finding>) -> Self {
        let mut f = Self::new();
        f.push_run(run);
        f
    }
}

impl FromIterator<Finding> for Findings {
    fn from_iter<I: IntoIterator<Item = Finding>>(iter: I) -> Self {
        iter.into_iter().collect::<Vec<_>>().into()
    }
}

impl<'a> IntoIterator for &'a Findings {
    type Item = &'a Finding;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<Finding>>>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Orders check IDs by their number, not as text: `STK201` before `STK1001` (as strings,
/// `"STK1001" < "STK201"`). IDs are a letter prefix and digits; anything else compares as
/// text after the number, so the order is total and consistent with equality.
pub fn check_id_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    // The usual case, asked for every pair of findings on one line: the same prefix and as
    // many digits, up to the end, in both. Then the text's order is the numbers' order.
    let digits_from = |id: &str| id.bytes().position(|c| c.is_ascii_digit());
    if a.len() == b.len()
        && let Some(at) = digits_from(a)
        && a.as_bytes()[..at] == b.as_bytes()[..at]
        && a.bytes()
            .skip(at)
            .chain(b.bytes().skip(at))
            .all(|c| c.is_ascii_digit())
    {
        return a.cmp(b);
    }
    slow_check_id_cmp(a, b)
}

fn slow_check_id_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn split(id: &str) -> (&str, Option<u64>, &str) {
        let start = id.find(|c: char| c.is_ascii_digit()).unwrap_or(id.len());
        let end = id[start..]
            .find(|c: char| !c.is_ascii_digit())
            .map_or(id.len(), |e| start + e);
        (&id[..start], id[start..end].parse().ok(), id)
    }
    split(a).cmp(&split(b))
}

/// Counts for the summary line and the JSON `summary`.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    /// Files read.
    pub files: usize,
    /// Kubernetes objects checked.
    pub objects: usize,
    /// Findings reported.
    pub findings: usize,
    /// Findings per severity.
    pub by_severity: std::collections::BTreeMap<Severity, usize>,
    /// Findings silenced by annotations.
    pub suppressed: usize,
    /// Input errors (exit code 2).
    pub errors: usize,
    /// Input warnings (not Kubernetes).
    pub warnings: usize,
}

#[cfg(test)]
mod id_order_tests {
    use super::check_id_cmp;

    #[test]
    fn check_ids_sort_by_number() {
        let mut ids = vec!["STK1001", "STK201", "STK050", "STK1000", "STK9", "STK201"];
        ids.sort_by(|a, b| check_id_cmp(a, b));
        assert_eq!(
            ids,
            ["STK9", "STK050", "STK201", "STK201", "STK1000", "STK1001"]
        );
    }

    #[test]
    fn ids_without_digits_or_with_suffixes_still_order_totally() {
        assert_eq!(check_id_cmp("STK201", "STK201"), std::cmp::Ordering::Equal);
        assert_eq!(check_id_cmp("ABC", "STK1"), std::cmp::Ordering::Less);
        assert_eq!(check_id_cmp("STK1a", "STK1b"), std::cmp::Ordering::Less);
        assert_eq!(check_id_cmp("STK01", "STK1"), std::cmp::Ordering::Less);
    }

    /// The shortcut for IDs of one shape agrees with the full comparison on every pair.
    #[test]
    fn the_shortcut_orders_as_the_full_comparison() {
        let ids = [
            "STK001", "STK010", "STK100", "STK999", "STK0001", "STK1", "STK12", "ABC123", "ABC12x",
            "STK12a", "STK", "", "1", "12", "STK1000", "STJ100", "STL100", "K8S01", "K8S10",
            "STK-1", "STK 10", "STKé1",
        ];
        for a in ids {
            for b in ids {
                assert_eq!(
                    check_id_cmp(a, b),
                    super::slow_check_id_cmp(a, b),
                    "{a:?} against {b:?}"
                );
            }
        }
    }
}

#[cfg(test)]
mod findings_tests {
    use super::{Finding, Findings, ObjectRef, Severity};
    use std::sync::Arc;

    fn at(line: u32) -> Finding {
        Finding {
            check: "STK001".into(),
            name: "x".into(),
            severity: Severity::Low,
            message: format!("line {line}"),
            file: Arc::from("f.yaml"),
            template: None,
            line,
            column: 1,
            object: Arc::new(ObjectRef {
                api_version: "v1".into(),
                kind: "Pod".into(),
                namespace: None,
                name: "p".into(),
            }),
            container: None,
            path: String::new(),
            remediation: "".into(),
            aliases: &[],
        }
    }

    #[test]
    fn runs_read_as_one_sequence() {
        let mut f = Findings::new();
        assert!(f.is_empty());
        f.push(at(1));
        f.push_run(vec![at(2), at(3)]);
        f.push_run(Vec::new());
        f.push(at(4));
        f.push_run(vec![at(5)]);
        assert_eq!(f.len(), 5);
        let lines: Vec<u32> = f.iter().map(|x| x.line).collect();
        assert_eq!(lines, [1, 2, 3, 4, 5]);
        assert_eq!((&f).into_iter().count(), 5);
        let all = f.clone().into_vec();
        assert_eq!(all.iter().map(|x| x.line).collect::<Vec<_>>(), lines);
        assert_eq!(Findings::from(all), f);
        assert_ne!(Findings::from(vec![at(1)]), f);
    }
}
