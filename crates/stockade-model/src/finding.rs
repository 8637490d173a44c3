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

/// Orders check IDs by their number, not as text: `STK201` before `STK1001` (as strings,
/// `"STK1001" < "STK201"`). IDs are a letter prefix and digits; anything else compares as
/// text after the number, so the order is total and consistent with equality.
pub fn check_id_cmp(a: &str, b: &str) -> std::cmp::Ordering {
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
}
