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
    /// Registries images must not come from (same entry forms as `allowed-registries`).
    pub denied_registries: Vec<String>,
    /// Registries to treat as public (anonymous pulls) beyond the built-in list, for the
    /// `image-pull-secret-missing` check.
    pub public_registries: Vec<String>,
    /// Label keys every object must carry; empty (the default) requires none.
    pub required_labels: Vec<String>,
    /// Annotation keys every object must carry; empty (the default) requires none.
    pub required_annotations: Vec<String>,
    /// Kubernetes version the manifests are deployed to (`1.29`, `v1.29`, `1.29.3`), for the
    /// deprecation checks; unset means the newest version Stockade knows.
    pub kube_version: Option<String>,
    /// Label selectors (`app=postgres`, `tier=db,team=payments`) of workloads that hold
    /// data, for `exposed-path-to-data-store`; a workload matching any of them is a data
    /// store. Empty (the default) turns that check off.
    pub data_store: Vec<String>,
    /// PriorityClass names pods may use, for `priority-class-not-allowed`; empty (the
    /// default) turns that check off.
    pub allowed_priority_classes: Vec<String>,
    /// Age in days above which `image-too-old` flags an image (by its `created` time);
    /// default 90.
    pub image_max_age_days: Option<u32>,
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
        if let Some(v) = &self.kube_version {
            parse_kube_version(v).ok_or_else(|| OptionError {
                option: "kube-version",
                message: stockade_model::format_exact!(
                    "`{v}` is not a Kubernetes version such as 1.29"
                ),
            })?;
        }
        for s in &self.data_store {
            stockade_netpol::report::parse_selector(s).map_err(|message| OptionError {
                option: "data-store",
                message,
            })?;
        }
        Ok(())
    }

    /// The target Kubernetes minor version (`29` for 1.29), if `kube-version` is set and valid.
    pub fn kube_minor(&self) -> Option<u32> {
        self.kube_version.as_deref().and_then(parse_kube_version)
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

/// Reads `1.29`, `v1.29` or `1.29.3` as the minor version (29). Only Kubernetes 1.x exists.
fn parse_kube_version(v: &str) -> Option<u32> {
    let v = v.trim();
    let v = v.strip_prefix('v').unwrap_or(v);
    let mut parts = v.split('.');
    if parts.next()? != "1" {
        return None;
    }
    let minor = parts.next()?;
    if minor.is_empty() || !minor.bytes().all(|b| b.is_ascii_digit()) || minor.len() > 3 {
        return None;
    }
    match parts.next() {
        None => {}
        Some(patch) if !patch.is_empty() && patch.bytes().all(|b| b.is_ascii_digit()) => {}
        Some(_) => return None,
    }
    if parts.next().is_some() {
        return None;
    }
    minor.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kube_versions() {
        assert_eq!(parse_kube_version("1.29"), Some(29));
        assert_eq!(parse_kube_version("v1.32"), Some(32));
        assert_eq!(parse_kube_version("1.25.4"), Some(25));
        assert_eq!(parse_kube_version("2.1"), None);
        assert_eq!(parse_kube_version("1."), None);
        assert_eq!(parse_kube_version("1.x"), None);
        assert_eq!(parse_kube_version("1.29.1.1"), None);
        let bad = Options {
            kube_version: Some("latest".into()),
            ..Options::default()
        };
        assert_eq!(bad.validate().unwrap_err().option, "kube-version");
    }
}
