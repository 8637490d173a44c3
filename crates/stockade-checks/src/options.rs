use stockade_pss::Version;

/// Per-check options, set in `.stockade.yaml` under `options`.
#[derive(Debug, Clone, Default, serde::Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// Registries images may come from (`registry.example.com`, `ghcr.io/org`); empty allows all.
    pub allowed_registries: Vec<String>,
    /// Extra host paths to treat as sensitive, beyond the built-in list.
    pub sensitive_host_paths: Vec<String>,
    /// Environment variable names (case-insensitive substrings) that mark a secret value.
    pub secret_env_names: Vec<String>,
    /// Pod Security Standards version the `pod-security-*` checks evaluate: `latest` (the
    /// default) or `v1.<minor>`, as in a namespace's `pod-security.kubernetes.io/enforce-version`
    /// label.
    pub pss_version: Option<String>,
}

/// An option with a value that is well-formed YAML but not a valid setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("options.{option}: {message}")]
pub struct OptionError {
    /// The option's kebab-case name.
    pub option: &'static str,
    /// What is wrong with its value.
    pub message: String,
}

impl Options {
    /// Checks values serde cannot: call once before scanning so a typo is an error up front
    /// rather than a silently different evaluation.
    pub fn validate(&self) -> Result<(), OptionError> {
        if let Some(v) = &self.pss_version {
            v.parse::<Version>().map_err(|e| OptionError {
                option: "pss-version",
                message: e.to_string(),
            })?;
        }
        Ok(())
    }

    /// The Pod Security Standards version to evaluate; `latest` when unset (or invalid, which
    /// [`Options::validate`] rejects before a scan).
    pub fn pss_version(&self) -> Version {
        self.pss_version
            .as_deref()
            .and_then(|v| v.parse().ok())
            .unwrap_or(Version::Latest)
    }
}
