//! The webhook's configuration file (`--config`), and the compiled [`Policy`] every review reads.
//!
//! ```yaml
//! checks:                 # the scan engine's configuration, same keys as .stockade.yaml
//!   enable: [STK202]
//! modes:
//!   default: warn         # checks not otherwise placed
//!   enforce-at: critical  # findings at or above this severity deny
//!   enforce: [STK001, host-access]   # IDs, names or categories
//!   warn: []
//!   audit: [reliability]
//!   off: [STK701]
//! pod-security:
//!   defaults: {enforce: baseline, warn: restricted, audit: restricted}
//! exemptions:
//!   namespaces: [kube-system]
//!   groups: [system:nodes]
//! namespaces:             # static namespace labels (a live informer comes later)
//!   apps: {pod-security.kubernetes.io/enforce: restricted}
//! mutate:
//!   seccomp-runtime-default: true
//! images:                 # image signature policy (docs/image-signing.md)
//!   on-error: deny
//!   rewrite-to-digest: true
//!   rules:
//!     - image: "registry.example.com/team/**"
//!       keys: [keys/team.pub]
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use stockade_checks::Category;
use stockade_engine::Engine;
use stockade_image::ClientConfig;
use stockade_image::policy::ImagePolicy;
use stockade_model::Severity;
use stockade_pss::namespace;

use crate::quantity;

/// What a finding of a check does to the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Deny the request.
    Enforce,
    /// Admit it and return a warning (kubectl prints it).
    Warn,
    /// Admit it and record the finding in the audit annotations.
    Audit,
    /// Not evaluated.
    Off,
}

impl Mode {
    /// The lowercase name, used as a metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Enforce => "enforce",
            Mode::Warn => "warn",
            Mode::Audit => "audit",
            Mode::Off => "off",
        }
    }
}

/// The configuration file. Unknown keys are errors.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct ServeConfig {
    /// The scan engine's configuration (`.stockade.yaml` keys): which checks run, severities,
    /// options, exclusions.
    pub checks: stockade_engine::Config,
    /// Honour `ignore.stockade.dev/*` suppression annotations. Off by default: at admission,
    /// whoever writes the object would otherwise be able to exempt it from enforcement.
    pub honour_suppressions: bool,
    /// The mode of each check.
    pub modes: Modes,
    /// Pod Security Standards by namespace labels.
    pub pod_security: PodSecurity,
    /// Requests admitted without evaluation (validation and mutation).
    pub exemptions: Exemptions,
    /// Static namespace labels by namespace name.
    pub namespaces: BTreeMap<String, BTreeMap<String, String>>,
    /// A file of Namespace objects (`kubectl get ns -o yaml`) whose labels are used; entries in
    /// `namespaces` take precedence. Relative to the configuration file.
    pub namespace_labels_file: Option<PathBuf>,
    /// Subresources evaluated (for example `ephemeralcontainers`); all others are admitted.
    pub subresources: Vec<String>,
    /// Secure defaults applied by `/mutate`.
    pub mutate: Mutate,
    /// Request limits.
    pub limits: Limits,
    /// Image signature policy (the `images:` section of `.stockade.yaml`, see
    /// docs/image-signing.md); key files are relative to the configuration file.
    pub images: Option<stockade_image::policy::ImagePolicyConfig>,
}

/// Per-check modes. Precedence: a check's ID or name in a list, then its category in a list,
/// then `enforce-at`, then `default`. A custom policy (`checks.policies`) is listed by its
/// check ID (a ValidatingAdmissionPolicy's name, a constraint's `Kind/name`); listed, it
/// overrides its validationActions or enforcementAction, else its severity (from those)
/// meets `enforce-at` and `default`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Modes {
    /// Mode of checks not placed otherwise. Default: warn.
    pub default: Mode,
    /// Checks whose (effective) severity is at or above this enforce, unless listed.
    pub enforce_at: Option<Severity>,
    /// Checks that deny.
    pub enforce: Vec<String>,
    /// Checks that warn.
    pub warn: Vec<String>,
    /// Checks that are only recorded.
    pub audit: Vec<String>,
    /// Checks not evaluated at admission (they still run in `stockade scan`).
    pub off: Vec<String>,
}

impl Default for Modes {
    fn default() -> Self {
        Modes {
            default: Mode::Warn,
            enforce_at: None,
            enforce: Vec::new(),
            warn: Vec::new(),
            audit: Vec::new(),
            off: Vec::new(),
        }
    }
}

/// Pod Security Standards settings.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct PodSecurity {
    /// Evaluate the Pod Security Standards. Default: true.
    pub enabled: bool,
    /// Also deny workload resources (Deployments, Jobs ...) whose pod template the namespace's
    /// enforce level forbids, instead of letting their Pods fail later. Default: true.
    pub enforce_workloads: bool,
    /// Policy for namespaces without labels, as label suffixes: `enforce`, `enforce-version`,
    /// `audit`, `audit-version`, `warn`, `warn-version`. Default: privileged:latest everywhere.
    pub defaults: BTreeMap<String, String>,
    /// Runtime classes whose pods are not evaluated against the standards.
    pub exempt_runtime_classes: Vec<String>,
}

impl Default for PodSecurity {
    fn default() -> Self {
        PodSecurity {
            enabled: true,
            enforce_workloads: true,
            defaults: BTreeMap::new(),
            exempt_runtime_classes: Vec::new(),
        }
    }
}

/// Requests that are admitted without evaluation.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Exemptions {
    /// Namespaces (exact names).
    pub namespaces: Vec<String>,
    /// Users (`request.userInfo.username`).
    pub usernames: Vec<String>,
    /// Groups (`request.userInfo.groups`).
    pub groups: Vec<String>,
    /// Object labels: an object carrying any of these label values is exempt. Whoever can
    /// write the object can set them; prefer namespaces or namespace labels.
    pub labels: BTreeMap<String, String>,
    /// Namespace labels: objects in a namespace carrying any of these label values are exempt.
    pub namespace_labels: BTreeMap<String, String>,
}

/// Secure defaults set by `/mutate` where the object leaves the field unset. All off by
/// default. Built-in workload kinds only (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
/// ReplicationController, Job, CronJob, PodTemplate).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Mutate {
    /// Pod `securityContext.seccompProfile: {type: RuntimeDefault}`.
    pub seccomp_runtime_default: bool,
    /// Container `securityContext.allowPrivilegeEscalation: false` (not on privileged or
    /// CAP_SYS_ADMIN containers, which the API server would reject).
    pub disallow_privilege_escalation: bool,
    /// Container `securityContext.capabilities.drop: [ALL]` where `drop` is unset.
    pub drop_all_capabilities: bool,
    /// Pod `securityContext.runAsNonRoot: true` (not when any `runAsUser` is 0). The image
    /// must then run as a non-root user, or its containers will not start.
    pub run_as_non_root: bool,
    /// Container `securityContext.readOnlyRootFilesystem: true`. Breaks images that write to
    /// their filesystem; opt in per cluster.
    pub read_only_root_filesystem: bool,
    /// Pod `automountServiceAccountToken: false`.
    pub disable_service_account_token: bool,
    /// Default container resources, e.g. `{requests: {cpu: 100m, memory: 128Mi}, limits:
    /// {memory: 256Mi}}`; a request is added where neither request nor limit is set, a limit
    /// where no limit is set and the request does not exceed it.
    pub default_resources: Option<DefaultResources>,
}

/// Default container resources.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DefaultResources {
    /// Requests by resource name.
    pub requests: BTreeMap<String, String>,
    /// Limits by resource name.
    pub limits: BTreeMap<String, String>,
}

impl Mutate {
    /// True when any default is turned on.
    pub fn any(&self) -> bool {
        self.seccomp_runtime_default
            || self.disallow_privilege_escalation
            || self.drop_all_capabilities
            || self.run_as_non_root
            || self.read_only_root_filesystem
            || self.disable_service_account_token
            || self
                .default_resources
                .as_ref()
                .is_some_and(|r| !r.requests.is_empty() || !r.limits.is_empty())
    }
}

/// Per-request limits.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Limits {
    /// Internal deadline per request, in milliseconds; keep it well under the webhook's
    /// `timeoutSeconds`. Default 2000.
    pub deadline_ms: u64,
    /// Largest request body accepted, in bytes (HTTP 413 beyond). Default 7 MiB: an
    /// AdmissionReview holds the object and the old object, each up to the API server's 3 MiB.
    pub max_body_bytes: usize,
    /// Requests evaluated at once; others wait (within their deadline). Read at startup only.
    /// Default 64.
    pub max_concurrency: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            deadline_ms: 2000,
            max_body_bytes: 7 * 1024 * 1024,
            max_concurrency: 64,
        }
    }
}

impl Limits {
    /// The deadline.
    pub fn deadline(&self) -> Duration {
        Duration::from_millis(self.deadline_ms)
    }
}

/// A configuration that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file does not parse against the schema.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A value is well-formed but wrong.
    #[error("{0}")]
    Invalid(String),
    /// The scan engine refused the `checks` section.
    #[error("checks: {0}")]
    Engine(#[from] stockade_engine::EngineError),
}

/// The compiled configuration one review reads; immutable, swapped whole on reload.
pub struct Policy {
    pub(crate) engine: Engine,
    pub(crate) modes: HashMap<&'static str, Mode>,
    /// Custom policies placed in a mode list, by check ID.
    pub(crate) policy_modes: HashMap<String, Mode>,
    pub(crate) pss: Option<namespace::Config>,
    pub(crate) enforce_workloads: bool,
    pub(crate) exemptions: Exemptions,
    pub(crate) namespaces: HashMap<String, Vec<(String, String)>>,
    pub(crate) subresources: Vec<String>,
    pub(crate) mutate: Mutate,
    /// Selected cross-object checks, which one request cannot answer.
    pub(crate) not_evaluated: Vec<&'static stockade_checks::Check>,
    /// Request limits.
    pub limits: Limits,
    /// `modes.enforce-at` and `modes.default`, for custom policies' findings.
    pub(crate) enforce_at: Option<Severity>,
    pub(crate) default_mode: Mode,
    /// The image signature policy with its verdict cache.
    pub(crate) images: Option<Arc<ImagePolicy>>,
    /// `images.rewrite-to-digest`.
    pub(crate) rewrite_to_digest: bool,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy")
            .field("checks", &self.engine.checks().len())
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// Reads and parses a configuration file (empty file: the defaults).
pub fn load_config(path: &Path) -> Result<ServeConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut config = parse_config(&text).map_err(|message| ConfigError::Parse {
        path: path.to_path_buf(),
        message,
    })?;
    if let Some(f) = &config.namespace_labels_file
        && f.is_relative()
        && let Some(dir) = path.parent()
    {
        config.namespace_labels_file = Some(dir.join(f));
    }
    config.checks.policies = config.checks.policy_paths(path.parent());
    if let Some(dir) = path.parent() {
        config.images = config.images.map(|i| i.with_base_dir(dir));
    }
    Ok(config)
}

/// Parses configuration text.
pub fn parse_config(text: &str) -> Result<ServeConfig, String> {
    if text.trim().is_empty() {
        return Ok(ServeConfig::default());
    }
    serde_saphyr::from_str(text).map_err(|e| e.to_string())
}

/// Reads and compiles a configuration file; `None` gives the defaults.
pub fn load_policy(path: Option<&Path>) -> Result<Policy, ConfigError> {
    load_policy_with(path, &ClientConfig::default())
}

/// As [`load_policy`], reaching registries (for the `images:` policy) as `registry` says.
pub fn load_policy_with(
    path: Option<&Path>,
    registry: &ClientConfig,
) -> Result<Policy, ConfigError> {
    let config = match path {
        Some(p) => load_config(p)?,
        None => ServeConfig::default(),
    };
    Policy::with_registry(&config, registry)
}

/// The catalog checks `keys` name (with whether by ID or name rather than category or
/// `all`), and the custom policies they name by check ID (`is_policy` says which IDs the
/// loaded policies have).
type Keys = (Vec<(&'static str, bool)>, Vec<String>);

fn check_keys(keys: &[String], is_policy: &dyn Fn(&str) -> bool) -> Result<Keys, ConfigError> {
    let mut out = Vec::new();
    let mut policies = Vec::new();
    for k in keys {
        if k == "all" {
            out.extend(stockade_checks::all().iter().map(|c| (c.id, false)));
        } else if let Some(cat) = Category::ALL.iter().find(|c| c.as_str() == k) {
            out.extend(
                stockade_checks::all()
                    .iter()
                    .filter(|c| c.category == *cat)
                    .map(|c| (c.id, false)),
            );
        } else if let Some(c) = stockade_checks::find(k) {
            out.push((c.id, true));
        } else if is_policy(k) {
            policies.push(k.clone());
        } else {
            return Err(ConfigError::Invalid(format!(
                "modes: unknown check, category or policy `{k}` (see `stockade checks`; a policy is named by its check ID: a ValidatingAdmissionPolicy's name, a constraint's Kind/name)"
            )));
        }
    }
    Ok((out, policies))
}

impl Policy {
    /// Compiles a configuration (registries, for the `images:` policy, reached with the
    /// default client settings).
    pub fn new(config: &ServeConfig) -> Result<Policy, ConfigError> {
        Policy::with_registry(config, &ClientConfig::default())
    }

    /// Compiles a configuration whose `images:` policy reaches registries as `registry` says
    /// (CA, insecure registries, credentials; the per-request timeout is `images.timeout`
    /// unless `registry.timeout_is_explicit`).
    pub fn with_registry(
        config: &ServeConfig,
        registry: &ClientConfig,
    ) -> Result<Policy, ConfigError> {
        if config.checks.images.is_some() {
            return Err(ConfigError::Invalid(
                "checks.images: the image policy is the top-level `images:` section here".into(),
            ));
        }
        let images = match &config.images {
            Some(i) => Some(Arc::new(
                ImagePolicy::new(i.clone(), "images", Path::new(""), registry.clone())
                    .map_err(|e| ConfigError::Invalid(e.to_string()))?,
            )),
            None => None,
        };
        let rewrite_to_digest = config.images.as_ref().is_some_and(|i| i.rewrite_to_digest);
        // Custom policies (`checks.policies`: Gatekeeper templates and constraints,
        // ValidatingAdmissionPolicies and bindings) run per object like in `stockade scan`.
        // Any policy that does not load rejects the configuration (a reload keeps the old one).
        // They load first: `checks.ignore`, `checks.exclude` and `modes` may name them.
        let mut policies: Option<Arc<stockade_policy::PolicySet>> = None;
        if !config.checks.policies.is_empty() {
            let (set, errors) = stockade_policy::PolicySet::load(&config.checks.policies);
            if !errors.is_empty() {
                return Err(ConfigError::Invalid(format!(
                    "policies: {}",
                    errors
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; ")
                )));
            }
            if !set.is_empty() {
                policies = Some(Arc::new(set));
            }
        }
        let engine = Engine::with_policies(
            &config.checks,
            !config.honour_suppressions,
            policies
                .clone()
                .map(|p| p as Arc<dyn stockade_engine::ExtraChecks>),
        )?;
        let is_policy = |k: &str| policies.as_ref().is_some_and(|p| p.knows(k));
        let m = &config.modes;
        // (specific, mode) per check: an ID or name beats a category or `all`.
        let mut placed: HashMap<&'static str, (bool, Mode)> = HashMap::new();
        let mut policy_modes: HashMap<String, Mode> = HashMap::new();
        for (list, mode) in [
            (&m.enforce, Mode::Enforce),
            (&m.warn, Mode::Warn),
            (&m.audit, Mode::Audit),
            (&m.off, Mode::Off),
        ] {
            let (checks, named_policies) = check_keys(list, &is_policy)?;
            for id in named_policies {
                match policy_modes.get(&id) {
                    Some(&other) if other != mode => {
                        return Err(ConfigError::Invalid(format!(
                            "modes: {id} is placed in both `{}` and `{}`",
                            other.as_str(),
                            mode.as_str()
                        )));
                    }
                    _ => {
                        policy_modes.insert(id, mode);
                    }
                }
            }
            for (id, specific) in checks {
                match placed.get(id) {
                    Some(&(s, other)) if s == specific && other != mode => {
                        return Err(ConfigError::Invalid(format!(
                            "modes: {id} is placed in both `{}` and `{}`",
                            other.as_str(),
                            mode.as_str()
                        )));
                    }
                    Some(&(true, _)) if !specific => {}
                    _ => {
                        placed.insert(id, (specific, mode));
                    }
                }
            }
        }
        let mut modes = HashMap::new();
        for &(check, severity) in engine.checks() {
            let mode = match placed.get(check.id) {
                Some(&(_, mode)) => mode,
                None if m.enforce_at.is_some_and(|t| severity >= t) => Mode::Enforce,
                None => m.default,
            };
            modes.insert(check.id, mode);
        }

        let ps = &config.pod_security;
        let pss = if ps.enabled {
            let mut labels = Vec::new();
            for (k, v) in &ps.defaults {
                if !matches!(
                    k.as_str(),
                    "enforce"
                        | "enforce-version"
                        | "audit"
                        | "audit-version"
                        | "warn"
                        | "warn-version"
                ) {
                    return Err(ConfigError::Invalid(format!(
                        "pod-security.defaults: unknown key `{k}` (expected enforce, enforce-version, audit, audit-version, warn, warn-version)"
                    )));
                }
                labels.push((format!("pod-security.kubernetes.io/{k}"), v.clone()));
            }
            let (defaults, errors) = namespace::policy_from_labels(
                labels.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                namespace::Policy::default(),
            );
            if let Some(e) = errors.first() {
                return Err(ConfigError::Invalid(format!(
                    "pod-security.defaults: {}: {}",
                    e.label.trim_start_matches("pod-security.kubernetes.io/"),
                    e.error
                )));
            }
            Some(namespace::Config {
                defaults,
                exemptions: namespace::Exemptions {
                    runtime_classes: ps.exempt_runtime_classes.clone(),
                    ..Default::default()
                },
            })
        } else {
            None
        };

        let mut namespaces: HashMap<String, Vec<(String, String)>> = HashMap::new();
        if let Some(file) = &config.namespace_labels_file {
            let bytes = std::fs::read(file).map_err(|source| ConfigError::Read {
                path: file.clone(),
                source,
            })?;
            let loaded = stockade_model::load(&file.display().to_string(), &bytes);
            if let Some(e) = loaded.errors.first() {
                return Err(ConfigError::Invalid(format!("namespace-labels-file: {e}")));
            }
            for obj in loaded.objects.iter().filter(|o| o.kind == "Namespace") {
                namespaces.insert(
                    obj.name.clone(),
                    namespace::labels(obj)
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                );
            }
        }
        for (ns, labels) in &config.namespaces {
            namespaces.insert(
                ns.clone(),
                labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            );
        }

        if let Some(r) = &config.mutate.default_resources {
            for (name, q) in r.requests.iter().chain(&r.limits) {
                if quantity::parse(q).is_none() {
                    return Err(ConfigError::Invalid(format!(
                        "mutate.default-resources: `{name}: {q}` is not a Kubernetes quantity"
                    )));
                }
            }
            for (name, req) in &r.requests {
                if let Some(lim) = r.limits.get(name)
                    && quantity::parse(req) > quantity::parse(lim)
                {
                    return Err(ConfigError::Invalid(format!(
                        "mutate.default-resources: the {name} request {req} exceeds its limit {lim}"
                    )));
                }
            }
        }
        let l = config.limits;
        if l.deadline_ms == 0 || l.max_body_bytes == 0 || l.max_concurrency == 0 {
            return Err(ConfigError::Invalid(
                "limits: deadline-ms, max-body-bytes and max-concurrency must be positive".into(),
            ));
        }

        let not_evaluated = engine
            .set_checks()
            .filter(|c| modes.get(c.id).is_some_and(|m| *m != Mode::Off))
            .collect();
        Ok(Policy {
            engine,
            modes,
            policy_modes,
            not_evaluated,
            pss,
            enforce_workloads: ps.enforce_workloads,
            exemptions: config.exemptions.clone(),
            namespaces,
            subresources: config.subresources.clone(),
            mutate: config.mutate.clone(),
            limits: l,
            enforce_at: config.modes.enforce_at,
            default_mode: config.modes.default,
            images,
            rewrite_to_digest,
        })
    }

    /// The defaults: every default check in warn mode, Pod Security Standards by namespace
    /// labels, no mutation.
    pub fn default_policy() -> Policy {
        Policy::new(&ServeConfig::default()).expect("the default configuration compiles")
    }

    /// The mode of an error of `check` that could not evaluate an object: the check's own
    /// mode (a catalog check's; a custom policy's placed in a mode list, or else its findings'
    /// by the severity its enforcement action gives them); for an error no check is named
    /// by, `Enforce` when anything can deny (the verdict that could not be reached may have
    /// been a denial: the webhook fails closed, as `failurePolicy: Fail` does when it is
    /// down), else `Warn`. An error is never dropped: a check `Off` that failed warns.
    pub fn error_mode(&self, check: Option<&str>) -> Mode {
        let mode = check.and_then(|c| {
            self.modes
                .get(c)
                .or_else(|| self.policy_modes.get(c))
                .copied()
                .or_else(|| {
                    let severity = self.engine.extra_severity(c)?;
                    Some(self.finding_mode(c, severity))
                })
        });
        match mode {
            Some(Mode::Off) => Mode::Warn,
            Some(m) => m,
            None if self.enforces() => Mode::Enforce,
            None => Mode::Warn,
        }
    }

    /// Whether any check or custom policy can deny.
    pub fn enforces(&self) -> bool {
        self.enforce_at.is_some()
            || self.default_mode == Mode::Enforce
            || self.modes.values().any(|m| *m == Mode::Enforce)
            || self.policy_modes.values().any(|m| *m == Mode::Enforce)
    }

    /// The mode of a check (by ID); `Off` for checks that do not run.
    pub fn mode(&self, check: &str) -> Mode {
        self.modes.get(check).copied().unwrap_or(Mode::Off)
    }

    /// The mode of a finding: its catalog check's; for a custom policy's finding (named
    /// after the policy), the mode list that names the policy, else `enforce-at` and
    /// `default` applied to its severity (a VAP's Deny is high, Warn medium, Audit low; a
    /// Gatekeeper constraint's `deny` is high).
    pub fn finding_mode(&self, check: &str, severity: stockade_model::Severity) -> Mode {
        if let Some(&m) = self
            .modes
            .get(check)
            .or_else(|| self.policy_modes.get(check))
        {
            m
        } else if stockade_checks::find(check).is_some() {
            Mode::Off
        } else if self.enforce_at.is_some_and(|t| severity >= t) {
            Mode::Enforce
        } else {
            self.default_mode
        }
    }

    /// The selected checks that look across objects and so are not evaluated at admission
    /// (one request is not a set); `stockade scan` runs them over the manifests.
    pub fn not_evaluated(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.not_evaluated.iter().map(|c| c.id)
    }

    /// Those of [`Self::not_evaluated`] that would have looked at `obj`, comma-separated.
    pub(crate) fn not_evaluated_for(
        &self,
        obj: &stockade_model::Object,
        pods: &[stockade_model::PodSpec<'_>],
    ) -> String {
        let mut ids = String::new();
        for c in &self.not_evaluated {
            if let stockade_checks::Run::Set { wants, .. } = c.run
                && wants(obj, pods)
            {
                if !ids.is_empty() {
                    ids.push(',');
                }
                ids.push_str(c.id);
            }
        }
        ids
    }

    /// The image signature policy, if the configuration has an `images:` section.
    pub fn images(&self) -> Option<&Arc<ImagePolicy>> {
        self.images.as_ref()
    }

    /// How long a review may wait for registry verification of its images: three quarters
    /// of `limits.deadline-ms`, leaving the rest for the evaluation and the answer. When it
    /// expires, `images.on-error` decides.
    pub fn image_deadline(&self) -> Duration {
        self.limits.deadline() * 3 / 4
    }

    /// The Pod Security policy applied to namespaces without labels, if the standards are on.
    pub fn pss_defaults(&self) -> Option<namespace::Policy> {
        self.pss.as_ref().map(|c| c.defaults)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(yaml: &str) -> Result<Policy, String> {
        Policy::new(&parse_config(yaml)?).map_err(|e| e.to_string())
    }

    #[test]
    fn modes_resolve_by_precedence() {
        let p = policy(
            "modes:\n  default: audit\n  enforce-at: critical\n  enforce: [host-access]\n  warn: [STK105, privileged-container]\n  off: [STK701]\n",
        )
        .unwrap();
        assert_eq!(p.mode("STK101"), Mode::Enforce); // category
        assert_eq!(p.mode("STK105"), Mode::Warn); // ID beats category
        assert_eq!(p.mode("STK001"), Mode::Warn); // name beats enforce-at
        assert_eq!(p.mode("STK017"), Mode::Enforce); // critical
        assert_eq!(p.mode("STK004"), Mode::Audit); // default
        assert_eq!(p.mode("STK701"), Mode::Off);
        assert_eq!(p.mode("STK202"), Mode::Off); // opt-in check not enabled
        let d = Policy::default_policy();
        assert_eq!(d.mode("STK001"), Mode::Warn);
    }

    #[test]
    fn bad_configs_are_rejected_with_a_plain_message() {
        assert_eq!(
            policy("modes:\n  enforce: [STK001]\n  warn: [STK001]\n").unwrap_err(),
            "modes: STK001 is placed in both `enforce` and `warn`"
        );
        assert_eq!(
            policy("modes:\n  enforce: [nope]\n").unwrap_err(),
            "modes: unknown check, category or policy `nope` (see `stockade checks`; a policy is named by its check ID: a ValidatingAdmissionPolicy's name, a constraint's Kind/name)"
        );
        assert_eq!(
            policy("pod-security:\n  defaults: {enforce: strict}\n").unwrap_err(),
            "pod-security.defaults: enforce: invalid Pod Security level \"strict\": must be one of privileged, baseline, restricted"
        );
        assert_eq!(
            policy(
                "mutate:\n  default-resources: {requests: {memory: 1Gi}, limits: {memory: 512Mi}}\n"
            )
            .unwrap_err(),
            "mutate.default-resources: the memory request 1Gi exceeds its limit 512Mi"
        );
        assert_eq!(
            policy("mutate:\n  default-resources: {requests: {cpu: lots}}\n").unwrap_err(),
            "mutate.default-resources: `cpu: lots` is not a Kubernetes quantity"
        );
        assert!(policy("bogus: 1\n").unwrap_err().contains("bogus"));
        assert_eq!(
            policy("checks:\n  enable: [STK999]\n").unwrap_err(),
            "checks: unknown check or category `STK999` (see `stockade checks`)"
        );
    }
}
