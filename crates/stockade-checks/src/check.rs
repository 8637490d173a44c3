use stockade_model::Severity;

use stockade_model::Object;

use crate::context::{Context, DockerfileContext, Emit, ImageContext, SetContext, SetEmit};

/// A check's family, used to select or ignore groups of checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Container and pod securityContext, capabilities, seccomp, AppArmor, SELinux.
    SecurityContext,
    /// Host namespaces, ports and filesystem.
    HostAccess,
    /// Image references and pull policy.
    Images,
    /// CPU and memory requests and limits.
    Resources,
    /// Probes and availability.
    Reliability,
    /// Secrets and service account credentials.
    Secrets,
    /// Services and exposure.
    Networking,
    /// Namespaces and object placement.
    Namespaces,
    /// The Pod Security Standards levels, as the API server's Pod Security Admission enforces them.
    PodSecurity,
    /// Required and recommended labels and annotations.
    Metadata,
    /// References between objects: selectors, names of Secrets, ConfigMaps, ServiceAccounts.
    Correctness,
    /// Deprecated and removed API versions.
    Deprecations,
    /// Roles, bindings and who can do what.
    Rbac,
    /// Service mesh and GitOps objects (Istio, Argo CD, Flux).
    Gitops,
    /// Admission webhook configurations.
    Admission,
    /// Dockerfiles and Containerfiles: base images, users, package installs, build hygiene.
    Dockerfile,
    /// Built container images: user, tools left in, setuid files, secrets in layers, age.
    Image,
    /// Findings about the scan itself, such as unused suppressions.
    Meta,
}

impl Category {
    /// All categories.
    pub const ALL: &[Category] = &[
        Self::SecurityContext,
        Self::HostAccess,
        Self::Images,
        Self::Resources,
        Self::Reliability,
        Self::Secrets,
        Self::Networking,
        Self::Namespaces,
        Self::PodSecurity,
        Self::Metadata,
        Self::Correctness,
        Self::Deprecations,
        Self::Rbac,
        Self::Gitops,
        Self::Admission,
        Self::Dockerfile,
        Self::Image,
        Self::Meta,
    ];

    /// The kebab-case name used in configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SecurityContext => "security-context",
            Self::HostAccess => "host-access",
            Self::Images => "images",
            Self::Resources => "resources",
            Self::Reliability => "reliability",
            Self::Secrets => "secrets",
            Self::Networking => "networking",
            Self::Namespaces => "namespaces",
            Self::PodSecurity => "pod-security",
            Self::Metadata => "metadata",
            Self::Correctness => "correctness",
            Self::Deprecations => "deprecations",
            Self::Rbac => "rbac",
            Self::Gitops => "gitops",
            Self::Admission => "admission",
            Self::Dockerfile => "dockerfile",
            Self::Image => "image",
            Self::Meta => "meta",
        }
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A check's metadata and logic.
pub struct Check {
    /// Stable ID, never reused (`STK1001`).
    pub id: &'static str,
    /// kebab-case name saying what is flagged (`privileged-container`); also the file name.
    pub name: &'static str,
    /// Family.
    pub category: Category,
    /// Default severity.
    pub severity: Severity,
    /// Whether it runs without being selected.
    pub default_on: bool,
    /// One line: what is flagged.
    pub summary: &'static str,
    /// One line: how to fix it.
    pub remediation: &'static str,
    /// CIS, Pod Security Standards, NSA/CISA, CVE references.
    pub references: &'static [&'static str],
    /// Equivalent IDs in other tools, as `tool:ID`.
    pub aliases: &'static [&'static str],
    /// The logic.
    pub run: Run,
}

/// How a check runs.
#[derive(Clone, Copy)]
pub enum Run {
    /// Looks at one object at a time (runs while files stream through the engine).
    Object(fn(&Context, &mut Emit)),
    /// Looks across the whole input set (a directory is one set). The engine keeps only the
    /// objects `wants` accepts, then calls `run` once with all of them.
    Set {
        /// Which objects the check needs to see, given each object's pod specs (found once
        /// per object by the engine).
        wants: fn(&Object, &[stockade_model::PodSpec<'_>]) -> bool,
        /// The logic.
        run: fn(&SetContext, &mut SetEmit),
        /// The objects it wants of which it reads only `apiVersion`, `kind` and `metadata`
        /// (a custom resource whose labels may be its operator's pods'): when every check
        /// that wants an object says so, the engine keeps only those fields of it.
        metadata_only: Option<fn(&Object, &[stockade_model::PodSpec<'_>]) -> bool>,
    },
    /// Looks at one parsed Dockerfile (files named `Dockerfile`, `*.Dockerfile`,
    /// `Containerfile`...), never at Kubernetes objects.
    Dockerfile(fn(&DockerfileContext, &mut Emit)),
    /// Looks at one built image (`stockade image lint`), never at Kubernetes objects.
    Image(fn(&ImageContext, &mut Emit)),
    /// Findings the engine emits itself (suppression bookkeeping).
    Engine,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check")
            .field("id", &self.id)
            .field("name", &self.name)
            .finish()
    }
}
