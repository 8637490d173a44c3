//! What is reported: severity selection, `--ignore-unfixed`, ignore entries with a reason and
//! an expiry date, and OpenVEX `not_affected` statements.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::matcher::Match;
use crate::purl::Purl;
use crate::{Error, Severity};

/// One ignore entry.
///
/// ```yaml
/// ignore:
///   - id: CVE-2023-0464          # advisory ID or any alias
///     package: openssl           # optional: package name glob or purl (without version: any)
///     image: registry.example.com/app:*   # optional: image (target) glob
///     reason: not reachable, we never verify certificate policies
///     expires: 2026-06-30        # optional: the entry stops applying after this day
/// ```
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntry {
    /// Advisory ID or alias (CVE-…, GHSA-…).
    pub id: String,
    /// Package name (`*` and `?` wildcards allowed) or purl (without a version: every
    /// version); absent: every package.
    #[serde(default)]
    pub package: Option<String>,
    /// Image the entry applies to: a glob (`*`, `?`) over the scanned target as given on the
    /// command line (`registry.example.com/app:*`); absent: every target.
    #[serde(default)]
    pub image: Option<String>,
    /// Why it is ignored (required: an ignore without a reason is an error).
    pub reason: String,
    /// Last day the entry applies, `YYYY-MM-DD` (UTC).
    #[serde(default)]
    pub expires: Option<String>,
}

/// The `vulnerabilities:` section of `.stockade.yaml` (and the shape of an ignore file).
///
/// ```yaml
/// vulnerabilities:
///   ignore:
///     - id: CVE-2023-0464
///       package: openssl
///       reason: certificate policy checking is not enabled in our builds
///       expires: 2026-06-30
/// ```
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct VulnerabilityConfig {
    /// Findings not reported: each entry with a reason and an optional expiry date.
    pub ignore: Vec<IgnoreEntry>,
    /// Leave out vulnerabilities that have no fixed version yet (as `--ignore-unfixed`).
    #[serde(rename = "ignore-unfixed")]
    pub ignore_unfixed: bool,
    /// Report only vulnerabilities at or above this severity: unknown, negligible, low,
    /// medium, high or critical (`--severity` on the command line takes precedence).
    #[serde(rename = "min-severity", skip_serializing_if = "Option::is_none")]
    pub min_severity: Option<String>,
    /// OpenVEX documents (paths relative to the configuration file) whose `not_affected` and
    /// `fixed` statements remove findings, as `--vex` does.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vex: Vec<std::path::PathBuf>,
}

impl VulnerabilityConfig {
    /// The severities `min-severity` keeps (empty: every one), or an error naming `file`.
    pub fn severities(&self, file: &str) -> Result<Vec<Severity>, Error> {
        let Some(min) = &self.min_severity else {
            return Ok(Vec::new());
        };
        let min: Severity = min.parse().map_err(|e: String| Error::Input {
            file: file.to_string(),
            problem: format!("vulnerabilities.min-severity: {e}"),
        })?;
        Ok(Severity::ALL.into_iter().filter(|s| *s >= min).collect())
    }
}

/// Checks ignore entries read from `file`: a reason is required and `expires` must be a
/// `YYYY-MM-DD` date.
pub fn check_ignore_entries(file: &str, entries: &[IgnoreEntry]) -> Result<(), Error> {
    for (i, e) in entries.iter().enumerate() {
        if e.reason.trim().is_empty() {
            return Err(Error::Input {
                file: file.to_string(),
                problem: format!("ignore entry {} ({}): empty reason", i + 1, e.id),
            });
        }
        if let Some(d) = &e.expires
            && parse_date(d).is_none()
        {
            return Err(Error::Input {
                file: file.to_string(),
                problem: format!(
                    "ignore entry {} ({}): expires `{d}` is not a YYYY-MM-DD date",
                    i + 1,
                    e.id
                ),
            });
        }
    }
    Ok(())
}

/// Reads an ignore file; errors name the file and the problem.
pub fn load_ignore_file(path: &Path) -> Result<Vec<IgnoreEntry>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let file: VulnerabilityConfig = serde_saphyr::from_str(&text).map_err(|e| Error::Input {
        file: path.display().to_string(),
        problem: e.to_string(),
    })?;
    check_ignore_entries(&path.display().to_string(), &file.ignore)?;
    Ok(file.ignore)
}

/// Glob match with `*` (any run of characters, `/` included) and `?` (one character),
/// ASCII case-insensitive.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi].eq_ignore_ascii_case(&t[ti])) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Option<i64> {
    let mut it = s.trim().splitn(3, '-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let d: i64 = it.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Today, in days since the epoch (UTC).
pub fn today() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| (d.as_secs() / 86_400) as i64)
}

/// An OpenVEX statement reduced to what suppresses findings.
#[derive(Debug, Clone)]
pub struct VexStatement {
    /// Vulnerability name and its aliases.
    pub ids: Vec<String>,
    /// Product purls.
    pub products: Vec<Purl>,
    /// `not_affected`, `affected`, `fixed`, `under_investigation`.
    pub status: String,
    /// The justification or impact statement, shown as the reason.
    pub justification: String,
}

fn str_or_id(v: &serde_json::Value) -> Option<&str> {
    v.as_str().or_else(|| v.get("@id").and_then(|x| x.as_str()))
}

/// Reads an OpenVEX document (v0.2.0; v0.0.x string forms accepted).
pub fn load_vex(path: &Path) -> Result<Vec<VexStatement>, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let bad = |problem: String| Error::Input {
        file: path.display().to_string(),
        problem,
    };
    let doc: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| bad(format!("line {}, column {}: {e}", e.line(), e.column())))?;
    let statements = doc
        .get("statements")
        .and_then(|s| s.as_array())
        .ok_or_else(|| bad("no `statements` array: not an OpenVEX document".into()))?;
    let mut out = Vec::new();
    for (i, s) in statements.iter().enumerate() {
        let vuln = s.get("vulnerability");
        let mut ids: Vec<String> = Vec::new();
        if let Some(v) = vuln {
            if let Some(n) = v
                .as_str()
                .or_else(|| v.get("name").and_then(|n| n.as_str()))
            {
                ids.push(n.to_string());
            }
            if let Some(a) = v.get("aliases").and_then(|a| a.as_array()) {
                ids.extend(a.iter().filter_map(|x| x.as_str()).map(str::to_string));
            }
        }
        if ids.is_empty() {
            return Err(bad(format!("statement {}: no vulnerability name", i + 1)));
        }
        let mut products = Vec::new();
        for p in s
            .get("products")
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
        {
            let purl = str_or_id(p)
                .filter(|s| s.starts_with("pkg:"))
                .or_else(|| p.pointer("/identifiers/purl").and_then(|x| x.as_str()));
            if let Some(purl) = purl {
                products
                    .push(Purl::parse(purl).map_err(|e| bad(format!("statement {}: {e}", i + 1)))?);
            }
        }
        let text = |k: &str| s.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let mut justification = text("justification");
        if justification.is_empty() {
            justification = text("impact_statement");
        }
        out.push(VexStatement {
            ids,
            products,
            status: text("status"),
            justification,
        });
    }
    Ok(out)
}

/// True when `product` (from a VEX statement) names the package `purl`: same type,
/// namespace and name, the same version when the product has one, and the product's
/// qualifiers all present with the same values.
pub fn purl_covers(product: &Purl, purl: &str) -> bool {
    let Ok(p) = Purl::parse(purl) else {
        return false;
    };
    product.ty == p.ty
        && product.namespace.eq_ignore_ascii_case(&p.namespace)
        && product.name.eq_ignore_ascii_case(&p.name)
        && product
            .version
            .as_ref()
            .is_none_or(|v| Some(v) == p.version.as_ref())
        && product
            .qualifiers
            .iter()
            .all(|(k, v)| p.qualifier(k) == Some(v.as_str()))
}

/// The filters a scan applies.
#[derive(Debug, Default, Clone)]
pub struct Filters {
    /// Report only these severities (empty: all).
    pub severities: Vec<Severity>,
    /// Drop matches without a fixed version.
    pub ignore_unfixed: bool,
    /// Ignore entries.
    pub ignore: Vec<IgnoreEntry>,
    /// VEX statements.
    pub vex: Vec<VexStatement>,
    /// Today in days since the epoch (for expiry).
    pub today: i64,
    /// The scanned target as given (an image reference or a path), for entries with `image`.
    pub image: Option<String>,
}

/// A match left out, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Suppressed {
    /// The match.
    #[serde(flatten)]
    pub finding: Match,
    /// `ignore` or `vex`.
    pub by: &'static str,
    /// The ignore reason or VEX justification.
    pub reason: String,
}

/// The result of [`Filters::apply`].
#[derive(Debug, Default)]
pub struct Filtered {
    /// Reported.
    pub kept: Vec<Match>,
    /// Left out by an ignore entry or a VEX statement (severity and unfixed filters are not
    /// listed: they are a view, not a decision).
    pub suppressed: Vec<Suppressed>,
    /// Warnings: expired ignore entries that matched.
    pub warnings: Vec<String>,
}

fn names(m: &Match) -> impl Iterator<Item = &str> {
    std::iter::once(m.id.as_str()).chain(m.aliases.iter().map(String::as_str))
}

impl Filters {
    /// Applies every filter.
    pub fn apply(&self, matches: Vec<Match>) -> Filtered {
        let mut out = Filtered::default();
        let mut warned = std::collections::HashSet::new();
        'next: for m in matches {
            if !self.severities.is_empty() && !self.severities.contains(&m.severity) {
                continue;
            }
            if self.ignore_unfixed && m.fixed.is_none() {
                continue;
            }
            for e in &self.ignore {
                if !names(&m).any(|n| n.eq_ignore_ascii_case(&e.id)) {
                    continue;
                }
                if let Some(pkg) = &e.package {
                    let hit = if pkg.starts_with("pkg:") {
                        Purl::parse(pkg).is_ok_and(|p| purl_covers(&p, &m.purl))
                    } else {
                        glob_match(pkg, &m.package)
                    };
                    if !hit {
                        continue;
                    }
                }
                if let Some(img) = &e.image
                    && !self.image.as_deref().is_some_and(|t| glob_match(img, t))
                {
                    continue;
                }
                if let Some(exp) = e.expires.as_deref().and_then(parse_date)
                    && exp < self.today
                {
                    if warned.insert(e.id.clone()) {
                        out.warnings.push(format!(
                            "ignore entry for {} expired on {}: reported again",
                            e.id,
                            e.expires.as_deref().unwrap_or("")
                        ));
                    }
                    continue;
                }
                out.suppressed.push(Suppressed {
                    finding: m,
                    by: "ignore",
                    reason: e.reason.clone(),
                });
                continue 'next;
            }
            for s in &self.vex {
                if s.status != "not_affected" {
                    continue;
                }
                if !names(&m).any(|n| s.ids.iter().any(|i| i.eq_ignore_ascii_case(n))) {
                    continue;
                }
                if s.products.iter().any(|p| purl_covers(p, &m.purl)) {
                    out.suppressed.push(Suppressed {
                        finding: m,
                        by: "vex",
                        reason: format!("not_affected: {}", s.justification),
                    });
                    continue 'next;
                }
            }
            out.kept.push(m);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2000-03-01"), Some(11_017));
        assert_eq!(parse_date("2024-02-29"), Some(19_782));
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("tomorrow"), None);
    }

    #[test]
    fn globs() {
        assert!(glob_match(
            "registry.example.com/app:*",
            "registry.example.com/app:1.2"
        ));
        assert!(glob_match("*/app:*", "registry.example.com/team/app:1.2"));
        assert!(!glob_match(
            "registry.example.com/app:*",
            "registry.example.com/api:1.2"
        ));
        assert!(glob_match("libssl?", "libssl3"));
        assert!(glob_match("LibSSL*", "libssl3"));
        assert!(!glob_match("libssl?", "libssl"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
    }

    fn finding(id: &str, package: &str) -> Match {
        Match {
            id: id.into(),
            aliases: vec!["CVE-2024-0001".into()],
            package: package.into(),
            purl: format!("pkg:pypi/{package}@1.0"),
            installed: "1.0".into(),
            fixed: Some("1.1".into()),
            severity: Severity::High,
            severity_source: "vendor",
            cvss_score: None,
            summary: String::new(),
            layer: None,
        }
    }

    #[test]
    fn ignore_entries_by_image_and_package_glob() {
        let entry = |package: Option<&str>, image: Option<&str>| IgnoreEntry {
            id: "CVE-2024-0001".into(),
            package: package.map(Into::into),
            image: image.map(Into::into),
            reason: "test".into(),
            expires: None,
        };
        let run = |entries: Vec<IgnoreEntry>, image: Option<&str>| {
            let f = Filters {
                ignore: entries,
                image: image.map(Into::into),
                ..Filters::default()
            };
            let out = f.apply(vec![
                finding("GHSA-1", "urllib3"),
                finding("GHSA-1", "idna"),
            ]);
            let kept: Vec<String> = out.kept.iter().map(|m| m.package.clone()).collect();
            kept
        };
        let app = Some("registry.example.com/app:1.2");
        assert_eq!(run(vec![entry(Some("url*"), None)], app), ["idna"]);
        assert_eq!(
            run(vec![entry(None, Some("registry.example.com/app:*"))], app),
            Vec::<String>::new()
        );
        assert_eq!(
            run(vec![entry(None, Some("registry.example.com/api:*"))], app),
            ["urllib3", "idna"]
        );
        // An entry for an image does not apply when the target is not known.
        assert_eq!(run(vec![entry(None, Some("*"))], None), ["urllib3", "idna"]);
    }

    #[test]
    fn vex_product_purls() {
        let p = Purl::parse("pkg:pypi/requests@2.25.0").unwrap();
        assert!(purl_covers(&p, "pkg:pypi/requests@2.25.0"));
        assert!(!purl_covers(&p, "pkg:pypi/requests@2.26.0"));
        let any = Purl::parse("pkg:deb/debian/libssl3?arch=amd64").unwrap();
        assert!(purl_covers(
            &any,
            "pkg:deb/debian/libssl3@3.0.11-1?arch=amd64&distro=debian-12"
        ));
        assert!(!purl_covers(
            &any,
            "pkg:deb/debian/libssl3@3.0.11-1?arch=arm64"
        ));
        assert!(!purl_covers(
            &any,
            "pkg:deb/debian/openssl@3.0.11-1?arch=amd64"
        ));
    }
}
