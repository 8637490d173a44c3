//! The Kubernetes Pod Security Standards, evaluated the way the API server's Pod Security
//! Admission evaluates them.
//!
//! Every control of the `baseline` and `restricted` levels is implemented with its upstream
//! check ID, its versioned behaviour (policy versions `v1.0` .. the newest, and `latest`), and the
//! exact `ForbiddenReason` / `ForbiddenDetail` strings upstream produces, so [`message`] reads
//! like the error `kubectl` prints.
//!
//! How a level and version resolve to controls, as upstream does it:
//! - `privileged` runs nothing;
//! - `baseline` runs every baseline control whose first version is at or below the policy version;
//! - `restricted` runs the same baseline controls except those a restricted control replaces at
//!   that version (`restrictedVolumes` replaces `hostPathVolumes`, `capabilities_restricted`
//!   replaces `capabilities_baseline`, `seccompProfile_restricted` replaces
//!   `seccompProfile_baseline`, `procMount_restricted` replaces `procMount`), then the
//!   restricted controls;
//! - a version newer than the newest policy version (and `latest`) evaluates as the newest.
//!
//! Violations come in upstream order: baseline controls by ID, then restricted controls by ID.

#![deny(missing_docs)]

pub mod admission_config;
mod controls;
pub mod namespace;
pub mod report;
pub mod suggest;

use std::fmt;
use std::str::FromStr;

use stockade_model::{PodSpec, Pos};

pub use controls::CONTROLS;

/// The newest policy minor version any control defines; `latest` evaluates as this one.
pub const NEWEST_MINOR: u32 = 37;

/// Errors of this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A level that is not `privileged`, `baseline` or `restricted`.
    #[error("invalid Pod Security level {0:?}: must be one of privileged, baseline, restricted")]
    ParseLevel(String),
    /// A version that is not `latest` or `v1.<minor>`.
    #[error("invalid Pod Security version {0:?}: must be \"latest\" or \"v1.x\"")]
    ParseVersion(String),
    /// A control ID that no control has.
    #[error("unknown Pod Security control {0:?}")]
    UnknownControl(String),
    /// An admission configuration file (PodSecurityConfiguration) that cannot be used.
    #[error("{0}")]
    AdmissionConfig(String),
    /// Neither a level nor namespace labels: nothing says which policy to evaluate.
    #[error(
        "no policy to evaluate: give --level, or Namespace objects with pod-security.kubernetes.io labels (in the input or with --namespace-labels), or --exemptions with defaults"
    )]
    NoPolicy,
}

/// A Pod Security Standards level, from the least to the most strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// No restrictions.
    Privileged,
    /// Prevents known privilege escalations.
    Baseline,
    /// Current pod hardening best practice; includes baseline.
    Restricted,
}

impl Level {
    /// The label value: `privileged`, `baseline` or `restricted`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = Error;

    /// Exact, case-sensitive match, as the API server parses namespace labels.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "privileged" => Ok(Level::Privileged),
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            _ => Err(Error::ParseLevel(s.to_string())),
        }
    }
}

/// A policy version: `latest` or `v1.<minor>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// The newest policy version.
    Latest,
    /// `v1.<minor>`.
    V(u32),
}

impl Version {
    /// The policy minor version the controls are evaluated at: versions newer than
    /// [`NEWEST_MINOR`], and `latest`, evaluate as [`NEWEST_MINOR`].
    pub fn effective_minor(self) -> u32 {
        match self {
            Version::Latest => NEWEST_MINOR,
            Version::V(m) => m.min(NEWEST_MINOR),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Latest => f.write_str("latest"),
            Version::V(m) => write!(f, "v1.{m}"),
        }
    }
}

impl FromStr for Version {
    type Err = Error;

    /// `latest`, or `v1.` followed by a minor without leading zeros (upstream's
    /// `^v1\.([0-9]|[1-9][0-9]*)$`).
    fn from_str(s: &str) -> Result<Self, Error> {
        if s == "latest" {
            return Ok(Version::Latest);
        }
        let bad = || Error::ParseVersion(s.to_string());
        let minor = s.strip_prefix("v1.").ok_or_else(bad)?;
        let well_formed = !minor.is_empty()
            && minor.bytes().all(|b| b.is_ascii_digit())
            && (minor == "0" || !minor.starts_with('0'));
        if !well_formed {
            return Err(bad());
        }
        // Upstream parses into a Go int (64 bits); any such minor is newer than every policy
        // version, so saturating keeps the same meaning.
        minor
            .parse::<i64>()
            .map(|m| Version::V(u32::try_from(m).unwrap_or(u32::MAX)))
            .map_err(|_| bad())
    }
}

/// A control that forbids the pod, with the reason and detail upstream reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The upstream check ID, e.g. `privileged`.
    pub check: &'static str,
    /// Upstream's `ForbiddenReason`, e.g. `privileged`.
    pub reason: String,
    /// Upstream's `ForbiddenDetail`, e.g. `container "app" must not set
    /// securityContext.privileged=true` (may be empty).
    pub detail: String,
    /// Field path of the first offending field in the object, e.g.
    /// `spec.template.spec.containers[0].securityContext.privileged`; for a required field that
    /// is missing, the path where it must be set.
    pub path: String,
    /// Where that field is written; when it is missing, the nearest enclosing field that exists
    /// (the securityContext, the container, or the pod spec).
    pub pos: Pos,
}

/// Metadata of one control.
#[derive(Debug, Clone, Copy)]
pub struct Control {
    /// The upstream check ID, e.g. `capabilities_restricted`.
    pub id: &'static str,
    /// The level the control belongs to.
    pub level: Level,
    /// A short human title, e.g. `Capabilities`.
    pub title: &'static str,
    /// The first policy minor version the control applies to.
    pub since: u32,
    /// Baseline controls this restricted control replaces (at restricted level, from `since`).
    pub overrides: &'static [&'static str],
    eval: fn(&controls::Ctx<'_, '_>, u32) -> Option<Violation>,
}

impl Control {
    /// Evaluates this control alone at `version`. `None` when the pod passes, or when the
    /// control does not exist yet at that version.
    ///
    /// This does not apply restricted-level overrides: it answers "does this control forbid the
    /// pod", which is what a scan check built on one control needs.
    pub fn evaluate(&self, version: Version, pod: &PodSpec<'_>) -> Option<Violation> {
        let minor = version.effective_minor();
        if minor < self.since {
            return None;
        }
        (self.eval)(&controls::Ctx::new(pod), minor)
    }

    /// True when, at restricted level and `version`, a restricted control replaces this one.
    pub fn overridden_at(&self, version: Version) -> bool {
        let minor = version.effective_minor();
        CONTROLS.iter().any(|c| {
            c.level == Level::Restricted && minor >= c.since && c.overrides.contains(&self.id)
        })
    }
}

/// The control with this upstream ID (exact match).
pub fn control(id: &str) -> Option<&'static Control> {
    CONTROLS.iter().find(|c| c.id == id)
}

/// Evaluates `pod` against `level` at `version`, returning every violation in upstream order.
/// An empty result means the API server admits the pod at that level and version.
pub fn evaluate(level: Level, version: Version, pod: &PodSpec<'_>) -> Vec<Violation> {
    if level == Level::Privileged {
        return Vec::new();
    }
    let minor = version.effective_minor();
    let ctx = controls::Ctx::new(pod);
    let mut out = Vec::new();
    for c in CONTROLS {
        if c.level > level || minor < c.since {
            continue;
        }
        if level == Level::Restricted
            && c.level == Level::Baseline
            && c.overridden_at(Version::V(minor))
        {
            continue;
        }
        if let Some(v) = (c.eval)(&ctx, minor) {
            out.push(v);
        }
    }
    out
}

/// Evaluates one control by its upstream ID, as [`Control::evaluate`] does.
pub fn evaluate_control(
    id: &str,
    version: Version,
    pod: &PodSpec<'_>,
) -> Result<Option<Violation>, Error> {
    let c = control(id).ok_or_else(|| Error::UnknownControl(id.to_string()))?;
    Ok(c.evaluate(version, pod))
}

/// The message the API server returns when it rejects a pod, e.g. `violates PodSecurity
/// "restricted:latest": privileged (container "app" must not set
/// securityContext.privileged=true), runAsNonRoot != true (...)`.
pub fn message(level: Level, version: Version, violations: &[Violation]) -> String {
    stockade_model::format_exact!(
        "violates PodSecurity \"{level}:{version}\": {}",
        forbidden_detail(violations)
    )
}

/// Upstream's aggregate forbidden detail: reasons joined by `, `, each followed by its detail in
/// parentheses when it has one.
pub fn forbidden_detail(violations: &[Violation]) -> String {
    let mut s = String::new();
    for (i, v) in violations.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(&v.reason);
        if !v.detail.is_empty() {
            s.push_str(" (");
            s.push_str(&v.detail);
            s.push(')');
        }
    }
    s
}

#[cfg(test)]
mod tests;
