//! Vulnerability database and matching.
//!
//! - [`version`]: each ecosystem's version order (dpkg, apk, rpm, SemVer, PEP 440, Maven, Go,
//!   RubyGems), one module each.
//! - [`purl`]: package URLs and the [`Package`] query type.
//! - [`db`]: the SQLite store built from OSV records, the Debian security tracker JSON and the
//!   Alpine secdb ([`Db::import`]); [`update`] downloads the OSV exports (resumable, verified,
//!   switched atomically).
//! - [`osv`]: OSV ranges evaluated exactly.
//! - [`matcher`]: packages against the store, distro packages only against their distro's
//!   advisories by source package.
//! - [`filter`]: severities, ignore files with expiry, OpenVEX.
//! - [`sbom`]: packages from a CycloneDX JSON SBOM; [`render`]: text and JSON.

pub mod cvss;
pub mod db;
pub mod filter;
pub mod matcher;
pub mod osv;
pub mod purl;
pub mod render;
pub mod sbom;
pub mod update;
pub mod version;

pub use db::{Db, ImportReport, Info};
pub use matcher::{Match, match_packages};
pub use purl::{Ecosystem, Package, Purl};

use std::path::PathBuf;

/// Everything that can go wrong, by step.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A purl could not be read.
    #[error("bad purl `{purl}`: {problem}")]
    Purl {
        /// The purl.
        purl: String,
        /// What is wrong.
        problem: String,
    },
    /// The database file could not be opened, created or queried.
    #[error("vulnerability database {}: {source}", path.display())]
    Db {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// No database where one was expected.
    #[error(
        "no vulnerability database in {} (run `stockade db update`, or `stockade db import FILE`)",
        .0.display()
    )]
    NoDb(PathBuf),
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A file's content is not what it should be.
    #[error("{file}: {problem}")]
    Input {
        /// The file (and entry, for zips).
        file: String,
        /// What is wrong, with line and column when known.
        problem: String,
    },
    /// A download failed.
    #[error("download {url}: {problem}")]
    Download {
        /// The URL.
        url: String,
        /// What went wrong.
        problem: String,
    },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// Severity of a vulnerability, vendor rating first, else from the CVSS v3 base score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// No rating known.
    #[default]
    Unknown,
    /// Rated negligible / unimportant by the vendor, or CVSS 0.0.
    Negligible,
    /// Low.
    Low,
    /// Medium (GitHub's "moderate").
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Every level, lowest first.
    pub const ALL: [Severity; 6] = [
        Severity::Unknown,
        Severity::Negligible,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::Negligible => "negligible",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Reads a vendor rating: Debian urgencies (`unimportant`, `low**`, `not yet assigned`),
    /// GitHub's (`MODERATE`), and the plain names. `None` for anything else.
    pub fn from_vendor(s: &str) -> Option<Severity> {
        let s = s.trim().trim_end_matches('*').trim().to_ascii_lowercase();
        Some(match s.as_str() {
            "unimportant" | "negligible" | "none" => Severity::Negligible,
            "low" => Severity::Low,
            "medium" | "moderate" => Severity::Medium,
            "high" | "important" => Severity::High,
            "critical" => Severity::Critical,
            _ => return None,
        })
    }

    /// The CVSS v3 qualitative rating of a base score.
    pub fn from_score(score: f64) -> Severity {
        match score {
            s if s >= 9.0 => Severity::Critical,
            s if s >= 7.0 => Severity::High,
            s if s >= 4.0 => Severity::Medium,
            s if s > 0.0 => Severity::Low,
            _ => Severity::Negligible,
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
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!(
                    "unknown severity `{s}` (expected unknown, negligible, low, medium, high or critical)"
                )
            })
    }
}
