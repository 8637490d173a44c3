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
}
