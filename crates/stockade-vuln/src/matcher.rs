//! Packages against the store. Language packages are looked up by ecosystem and name;
//! distribution packages only in their own distribution's advisories (ecosystem and release
//! from [`Package::distro`]), by source package name and version. No CPE guessing: a package
//! without a known distribution release is not matched against distro advisories.

use serde::Serialize;

use crate::db::{Db, debian_codename};
use crate::osv::{Affected, Verdict};
use crate::purl::{Ecosystem, Package};
use crate::{Error, Severity, cvss};

/// One vulnerable package.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Match {
    /// Advisory ID (CVE-..., GHSA-..., DSA-...).
    pub id: String,
    /// Other IDs of the same vulnerability.
    pub aliases: Vec<String>,
    /// Package name as installed.
    pub package: String,
    /// The package's purl.
    pub purl: String,
    /// Installed version.
    pub installed: String,
    /// First fixed version, when a fix exists.
    pub fixed: Option<String>,
    /// Severity: the vendor's rating, else from the CVSS v3 base score.
    pub severity: Severity,
    /// Where the severity came from: `vendor`, `cvss` or `none`.
    pub severity_source: &'static str,
    /// CVSS v3 base score, when a vector is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss_score: Option<f64>,
    /// One-line summary.
    pub summary: String,
    /// Digest of the image layer that introduced the package, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
}

/// Matches and notes (things that could not be evaluated).
#[derive(Debug, Default)]
pub struct Matches {
    /// Matches, sorted by severity (highest first), then package and ID.
    pub matches: Vec<Match>,
    /// Packages not looked up, with why (an OS package without a distribution release).
    pub notes: Vec<String>,
}

/// The (ecosystem, release) a distro package's advisories are stored under, if known.
pub fn distro_key(p: &Package) -> Option<(&'static str, String)> {
    let (id, version) = p.distro.as_ref()?;
    let id = id.to_ascii_lowercase();
    let major = version.split('.').next().unwrap_or("").to_string();
    match p.ecosystem {
        Ecosystem::Debian => Some(("Debian", debian_codename(version)?.to_string())),
        Ecosystem::Ubuntu => Some(("Ubuntu", version.clone())),
        Ecosystem::Alpine => {
            if version == "edge" {
                return Some(("Alpine", "edge".into()));
            }
            let mut parts = version.trim_start_matches('v').split('.');
            let (maj, min) = (parts.next()?, parts.next()?);
            Some(("Alpine", format!("v{maj}.{min}")))
        }
        Ecosystem::Rpm => {
            let eco = match id.as_str() {
                "rocky" => "Rocky Linux",
                "almalinux" | "alma" => "AlmaLinux",
                "redhat" | "rhel" => "Red Hat",
                "opensuse" | "opensuse-leap" | "opensuse-tumbleweed" => "openSUSE",
                "sles" | "suse" => "SUSE",
                "mariner" => "Mariner",
                "azurelinux" => "Azure Linux",
                _ => return None,
            };
            Some((eco, major))
        }
        _ => None,
    }
}

fn severity_of(
    db: &Db,
    id: &str,
    aliases: &[String],
    vendor: Option<&str>,
    cvss_vec: Option<&str>,
) -> Result<(Severity, &'static str, Option<f64>), Error> {
    let mut vector = cvss_vec.map(str::to_string);
    if vector.is_none() {
        vector = db.cvss_for(id)?;
        for a in aliases {
            if vector.is_some() {
                break;
            }
            vector = db.cvss_for(a)?;
        }
    }
    let score = vector.as_deref().and_then(cvss::base_score);
    if let Some(s) = vendor.and_then(Severity::from_vendor) {
        return Ok((s, "vendor", score));
    }
    Ok(match score {
        Some(sc) => (Severity::from_score(sc), "cvss", Some(sc)),
        None => (Severity::Unknown, "none", None),
    })
}

/// Looks every package up.
pub fn match_packages(db: &Db, packages: &[Package]) -> Result<Matches, Error> {
    let mut out = Matches::default();
    for p in packages {
        let (eco, release, name, version) = if p.ecosystem.is_distro() {
            match distro_key(p) {
                Some((eco, release)) => (
                    eco,
                    release,
                    p.advisory_name().to_ascii_lowercase(),
                    p.advisory_version(),
                ),
                None => {
                    out.notes.push(format!(
                        "{}: no distribution release known (distro qualifier), not matched",
                        p.purl
                    ));
                    continue;
                }
            }
        } else {
            (
                p.ecosystem.osv_name(),
                String::new(),
                p.name.clone(),
                p.version.as_str(),
            )
        };
        let scheme = p.ecosystem.scheme();
        let mut seen = std::collections::HashSet::new();
        for row in db.rows(eco, &release, &name)? {
            let Ok(affected) = serde_json::from_str::<Affected>(&row.ranges) else {
                continue;
            };
            let Verdict::Affected(fixed) = affected.evaluate(version, scheme) else {
                continue;
            };
            if !seen.insert(row.id.clone()) {
                continue;
            }
            let aliases: Vec<String> = row.aliases.split_whitespace().map(str::to_string).collect();
            let (severity, severity_source, cvss_score) = severity_of(
                db,
                &row.id,
                &aliases,
                row.severity.as_deref(),
                row.cvss.as_deref(),
            )?;
            out.matches.push(Match {
                id: row.id,
                aliases,
                package: p.name.clone(),
                purl: p.purl.clone(),
                installed: p.version.clone(),
                fixed,
                severity,
                severity_source,
                cvss_score,
                summary: row.summary,
                layer: p.layer.clone(),
            });
        }
    }
    out.matches.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.package.cmp(&b.package))
            .then_with(|| a.id.cmp(&b.id))
    });
    Ok(out)
}
