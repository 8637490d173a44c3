//! `.stockade.yaml`: which checks run, their severities and options, and exclusions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use stockade_checks::Options;
use stockade_model::Severity;

/// The configuration file. Unknown keys are errors.
#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Checks to run instead of the default set: IDs (`STK001`), names
    /// (`privileged-container`), categories (`host-access`) or `all`.
    pub select: Option<Vec<String>>,
    /// Checks added to the selection (typically opt-in checks).
    pub enable: Vec<String>,
    /// Checks never run: IDs, names or categories; and custom policies whose findings are
    /// dropped, by check ID (a ValidatingAdmissionPolicy's name, a constraint's `Kind/name`).
    pub ignore: Vec<String>,
    /// Severity overrides by check ID or name.
    pub severity: BTreeMap<String, Severity>,
    /// Per-check options.
    pub options: Options,
    /// Objects or files not checked (by all checks, or by the listed ones).
    pub exclude: Vec<Exclusion>,
    /// Lowest severity that makes the scan fail (exit 1). Default: high.
    pub fail_on: Option<Severity>,
    /// Custom policies run with the checks: files or directories holding Gatekeeper
    /// ConstraintTemplates and their constraints (relative to this file's directory).
    pub policies: Vec<PathBuf>,
    /// Vulnerability scanning (`stockade vuln`, `stockade image scan`): ignore entries.
    pub vulnerabilities: stockade_vuln::filter::VulnerabilityConfig,
    /// Image signature policy, used by `stockade scan --verify-images` (see
    /// docs/image-signing.md): per image glob the keys that must have signed it, or a fixed
    /// allow/deny. Key files are relative to this file's directory.
    pub images: Option<stockade_image::policy::ImagePolicyConfig>,
}

/// An exclusion: every given field must match.
#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Exclusion {
    /// Namespace glob.
    pub namespace: Option<String>,
    /// Kind (exact, case-sensitive).
    pub kind: Option<String>,
    /// Object name glob.
    pub name: Option<String>,
    /// File path glob (as given on the command line, `**` allowed).
    pub path: Option<String>,
    /// Checks this exclusion applies to (IDs, names, categories, custom policies' check IDs);
    /// empty means all, custom policies included.
    pub checks: Vec<String>,
    /// Why (kept for the record).
    pub reason: Option<String>,
}

/// A configuration that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read configuration: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid YAML for the schema.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message (with line and column).
        message: String,
    },
    /// A value is well-formed but wrong (unknown check, bad glob).
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// Reads and parses a configuration file.
pub fn load_config(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if text.trim().is_empty() {
        return Ok(Config::default());
    }
    serde_saphyr::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Finds `.stockade.yaml` (or `.stockade.yml`) in `start` or its nearest ancestor.
pub fn find_config(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        for name in [".stockade.yaml", ".stockade.yml"] {
            let p = d.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
        dir = d.parent();
    }
    None
}

/// The JSON schema of the configuration file.
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Config)).unwrap_or_default()
}

impl Config {
    /// `policies`, with relative paths taken from `dir` (the configuration file's directory,
    /// when the configuration came from a file). `stockade scan` and `stockade serve` agree.
    pub fn policy_paths(&self, dir: Option<&std::path::Path>) -> Vec<PathBuf> {
        self.policies
            .iter()
            .map(|p| match dir {
                Some(dir) if p.is_relative() => dir.join(p),
                _ => p.clone(),
            })
            .collect()
    }

    /// `images`, with relative key paths taken from `dir` (as [`Self::policy_paths`]).
    pub fn image_policy(
        &self,
        dir: Option<&std::path::Path>,
    ) -> Option<stockade_image::policy::ImagePolicyConfig> {
        let images = self.images.clone()?;
        Some(match dir {
            Some(dir) => images.with_base_dir(dir),
            None => images,
        })
    }

    /// The JSON schema, pretty-printed (committed as `stockade.schema.json`).
    pub fn schema_json() -> String {
        serde_json::to_string_pretty(&schema()).unwrap_or_default() + "\n"
    }
}
