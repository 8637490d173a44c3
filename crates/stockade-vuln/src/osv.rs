//! OSV records (ossf.github.io/osv-schema) and exact range evaluation.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::version::Scheme;

/// One range event, as OSV writes it (`{"introduced": "1.0"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Versions from here on are affected (`0`: from the first version).
    Introduced(String),
    /// Versions from here on are not affected.
    Fixed(String),
    /// Versions after this one are not affected.
    LastAffected(String),
    /// Versions from here on are outside the range (`*`: no limit).
    Limit(String),
}

/// A range as stored: `semver` for OSV `SEMVER` ranges (always compared with SemVer), else
/// `ECOSYSTEM` (compared with the ecosystem's order). GIT ranges are not stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// SEMVER rather than ECOSYSTEM.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub semver: bool,
    /// Events in input order.
    pub events: Vec<Event>,
}

/// What one advisory says about one package: ranges and explicit versions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Affected {
    /// Ranges (ECOSYSTEM or SEMVER).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    /// Affected versions listed one by one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
}

/// The verdict for one version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Not affected.
    NotAffected,
    /// Affected; the first fixed version above it, if any.
    Affected(Option<String>),
}

fn event_version(e: &Event) -> &str {
    match e {
        Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
    }
}

impl Range {
    /// Evaluates the range for `version` as the OSV specification's pseudo-code does: events
    /// sorted by version (`introduced: 0` first), affected after an `introduced` at or below
    /// the version until a `fixed` at or below it or a `last_affected` below it; `limit`
    /// events bound the whole range.
    pub fn evaluate(&self, version: &str, scheme: Scheme) -> Verdict {
        let scheme = if self.semver { Scheme::Semver } else { scheme };
        fn key(e: &Event) -> Option<&str> {
            match e {
                Event::Introduced(v) if v == "0" => None,
                e => Some(event_version(e)),
            }
        }
        let mut events: Vec<&Event> = self.events.iter().collect();
        events.sort_by(|a, b| match (key(a), key(b)) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => scheme.compare(x, y),
        });
        let mut affected = false;
        let mut fixed: Option<&str> = None;
        for e in &events {
            match e {
                Event::Introduced(v) => {
                    if v == "0" || scheme.compare(version, v) != Ordering::Less {
                        affected = true;
                        fixed = None;
                    }
                }
                Event::Fixed(v) => {
                    if scheme.compare(version, v) != Ordering::Less {
                        affected = false;
                    } else if affected && fixed.is_none() {
                        fixed = Some(v);
                    }
                }
                Event::LastAffected(v) => {
                    if scheme.compare(version, v) == Ordering::Greater {
                        affected = false;
                    }
                }
                Event::Limit(_) => {}
            }
        }
        let limits: Vec<&str> = events
            .iter()
            .filter_map(|e| match e {
                Event::Limit(v) => Some(v.as_str()),
                _ => None,
            })
            .collect();
        if !limits.is_empty()
            && !limits
                .iter()
                .any(|l| *l == "*" || scheme.compare(version, l) == Ordering::Less)
        {
            affected = false;
        }
        if affected {
            Verdict::Affected(fixed.map(str::to_string))
        } else {
            Verdict::NotAffected
        }
    }
}

impl Affected {
    /// Affected when any range says so or the version is listed.
    pub fn evaluate(&self, version: &str, scheme: Scheme) -> Verdict {
        let mut listed = false;
        for v in &self.versions {
            if v == version || scheme.compare(v, version) == Ordering::Equal {
                listed = true;
                break;
            }
        }
        for r in &self.ranges {
            if let Verdict::Affected(fixed) = r.evaluate(version, scheme) {
                return Verdict::Affected(fixed);
            }
        }
        if listed {
            // Listed explicitly; a fixed event above it in any range is still the fix.
            let fixed = self
                .ranges
                .iter()
                .flat_map(|r| r.events.iter())
                .filter_map(|e| match e {
                    Event::Fixed(f) if scheme.compare(f, version) == Ordering::Greater => {
                        Some(f.as_str())
                    }
                    _ => None,
                })
                .min_by(|a, b| scheme.compare(a, b));
            return Verdict::Affected(fixed.map(str::to_string));
        }
        Verdict::NotAffected
    }
}

/// An OSV record, the fields this crate reads.
#[derive(Debug, Deserialize)]
pub struct Record {
    /// ID (GHSA-..., PYSEC-..., DSA-...).
    pub id: String,
    /// Other IDs for the same vulnerability.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// One-line summary.
    #[serde(default)]
    pub summary: Option<String>,
    /// Longer description (first line used when there is no summary).
    #[serde(default)]
    pub details: Option<String>,
    /// CVSS vectors.
    #[serde(default)]
    pub severity: Vec<SeverityEntry>,
    /// Affected packages.
    #[serde(default)]
    pub affected: Vec<RecordAffected>,
    /// Withdrawn records are not imported.
    #[serde(default)]
    pub withdrawn: Option<String>,
    /// Database-specific fields (`severity` for GitHub advisories).
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

/// A `severity` entry.
#[derive(Debug, Deserialize)]
pub struct SeverityEntry {
    /// `CVSS_V3`, `CVSS_V4` ...
    #[serde(rename = "type")]
    pub ty: String,
    /// The vector.
    pub score: String,
}

/// An `affected` entry.
#[derive(Debug, Deserialize)]
pub struct RecordAffected {
    /// The package.
    #[serde(default)]
    pub package: Option<RecordPackage>,
    /// Ranges of any type.
    #[serde(default)]
    pub ranges: Vec<RecordRange>,
    /// Listed versions.
    #[serde(default)]
    pub versions: Vec<String>,
    /// Per-package CVSS vectors.
    #[serde(default)]
    pub severity: Vec<SeverityEntry>,
    /// Ecosystem-specific fields (`severity` for some distributions).
    #[serde(default)]
    pub ecosystem_specific: Option<serde_json::Value>,
    /// Database-specific fields.
    #[serde(default)]
    pub database_specific: Option<serde_json::Value>,
}

/// A package in an `affected` entry.
#[derive(Debug, Deserialize)]
pub struct RecordPackage {
    /// `PyPI`, `Debian:12`, `Alpine:v3.19` ...
    pub ecosystem: String,
    /// Name in that ecosystem.
    pub name: String,
}

/// A range in a record.
#[derive(Debug, Deserialize)]
pub struct RecordRange {
    /// `ECOSYSTEM`, `SEMVER` or `GIT`.
    #[serde(rename = "type")]
    pub ty: String,
    /// Events.
    #[serde(default)]
    pub events: Vec<Event>,
}

/// The `severity` string of a `database_specific` / `ecosystem_specific` object.
pub fn vendor_severity(v: Option<&serde_json::Value>) -> Option<crate::Severity> {
    v?.get("severity")?
        .as_str()
        .and_then(crate::Severity::from_vendor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Event::*;

    fn range(events: Vec<Event>) -> Affected {
        Affected {
            ranges: vec![Range {
                semver: false,
                events,
            }],
            versions: vec![],
        }
    }

    fn s(v: &str) -> String {
        v.to_string()
    }

    #[test]
    fn introduced_fixed_boundaries() {
        let a = range(vec![Introduced(s("1.0")), Fixed(s("1.2"))]);
        let sc = Scheme::Semver;
        assert_eq!(a.evaluate("0.9", sc), Verdict::NotAffected);
        assert_eq!(a.evaluate("1.0", sc), Verdict::Affected(Some(s("1.2"))));
        assert_eq!(a.evaluate("1.1.9", sc), Verdict::Affected(Some(s("1.2"))));
        assert_eq!(a.evaluate("1.2", sc), Verdict::NotAffected);
        assert_eq!(
            a.evaluate("1.2.0-rc.1", sc),
            Verdict::Affected(Some(s("1.2")))
        );
    }

    #[test]
    fn several_intervals_unsorted_events() {
        let a = range(vec![
            Fixed(s("2.1.0")),
            Introduced(s("2.0.0")),
            Fixed(s("1.5.2")),
            Introduced(s("0")),
        ]);
        let sc = Scheme::Semver;
        assert_eq!(a.evaluate("0.0.1", sc), Verdict::Affected(Some(s("1.5.2"))));
        assert_eq!(a.evaluate("1.5.2", sc), Verdict::NotAffected);
        assert_eq!(a.evaluate("1.9.9", sc), Verdict::NotAffected);
        assert_eq!(a.evaluate("2.0.0", sc), Verdict::Affected(Some(s("2.1.0"))));
        assert_eq!(a.evaluate("2.1.0", sc), Verdict::NotAffected);
    }

    #[test]
    fn last_affected_and_limit() {
        let a = range(vec![Introduced(s("0")), LastAffected(s("3.4.1"))]);
        assert_eq!(a.evaluate("3.4.1", Scheme::Pep440), Verdict::Affected(None));
        assert_eq!(
            a.evaluate("3.4.1.post1", Scheme::Pep440),
            Verdict::NotAffected
        );
        let b = range(vec![Introduced(s("1.0")), Limit(s("2.0"))]);
        assert_eq!(b.evaluate("1.5", Scheme::Semver), Verdict::Affected(None));
        assert_eq!(b.evaluate("2.0", Scheme::Semver), Verdict::NotAffected);
        let c = range(vec![Introduced(s("1.0")), Limit(s("*"))]);
        assert_eq!(c.evaluate("99.0", Scheme::Semver), Verdict::Affected(None));
    }

    #[test]
    fn versions_list_and_semver_range_type() {
        let a = Affected {
            ranges: vec![Range {
                semver: true,
                events: vec![Introduced(s("0")), Fixed(s("1.10.0"))],
            }],
            versions: vec![s("2.0.0")],
        };
        // A SEMVER range compares with SemVer even in an ecosystem with another order.
        assert_eq!(
            a.evaluate("1.9.0", Scheme::RubyGems),
            Verdict::Affected(Some(s("1.10.0")))
        );
        assert_eq!(a.evaluate("1.10.0", Scheme::RubyGems), Verdict::NotAffected);
        assert_eq!(
            a.evaluate("2.0.0", Scheme::RubyGems),
            Verdict::Affected(None)
        );
        assert_eq!(a.evaluate("2.0.1", Scheme::RubyGems), Verdict::NotAffected);
    }

    #[test]
    fn ecosystem_orders_decide_boundaries() {
        let deb = range(vec![Introduced(s("0")), Fixed(s("3.0.11-1~deb12u2"))]);
        assert_eq!(
            deb.evaluate("3.0.11-1~deb12u1", Scheme::Dpkg),
            Verdict::Affected(Some(s("3.0.11-1~deb12u2")))
        );
        assert_eq!(
            deb.evaluate("3.0.11-1~deb12u2", Scheme::Dpkg),
            Verdict::NotAffected
        );
        assert_eq!(deb.evaluate("3.0.11-1", Scheme::Dpkg), Verdict::NotAffected);
        let apk = range(vec![Introduced(s("0")), Fixed(s("1.36.1-r10"))]);
        assert_eq!(
            apk.evaluate("1.36.1-r9", Scheme::Apk),
            Verdict::Affected(Some(s("1.36.1-r10")))
        );
        assert_eq!(
            apk.evaluate("1.36.1-r10", Scheme::Apk),
            Verdict::NotAffected
        );
        let rpm = range(vec![Introduced(s("0")), Fixed(s("1:3.0.7-25.el9"))]);
        assert_eq!(
            rpm.evaluate("1:3.0.7-24.el9", Scheme::Rpm),
            Verdict::Affected(Some(s("1:3.0.7-25.el9")))
        );
        assert_eq!(
            rpm.evaluate("1:3.0.7-25.el9", Scheme::Rpm),
            Verdict::NotAffected
        );
        let py = range(vec![Introduced(s("0")), Fixed(s("2.0.0rc1"))]);
        assert_eq!(
            py.evaluate("2.0.0b3", Scheme::Pep440),
            Verdict::Affected(Some(s("2.0.0rc1")))
        );
        assert_eq!(py.evaluate("2.0.0", Scheme::Pep440), Verdict::NotAffected);
        let mvn = range(vec![Introduced(s("2.0-beta9")), Fixed(s("2.15.0"))]);
        assert_eq!(
            mvn.evaluate("2.14.1", Scheme::Maven),
            Verdict::Affected(Some(s("2.15.0")))
        );
        assert_eq!(
            mvn.evaluate("2.0-alpha1", Scheme::Maven),
            Verdict::NotAffected
        );
        assert_eq!(mvn.evaluate("2.15.0", Scheme::Maven), Verdict::NotAffected);
        let go = range(vec![Introduced(s("0")), Fixed(s("0.17.0"))]);
        assert_eq!(
            go.evaluate("v0.0.0-20230101000000-abcdefabcdef", Scheme::Go),
            Verdict::Affected(Some(s("0.17.0")))
        );
        assert_eq!(go.evaluate("v0.17.0", Scheme::Go), Verdict::NotAffected);
    }
}
