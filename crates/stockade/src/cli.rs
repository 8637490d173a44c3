use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Stockade: Kubernetes security in one binary.
#[derive(Debug, Parser)]
#[command(name = "stockade", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Kubernetes manifests for security and reliability problems.
    ///
    /// Exit codes: 0 no findings at or above --fail-on, 1 findings at or above it,
    /// 2 input or usage errors.
    Scan(ScanArgs),
    /// Evaluate pods and pod templates against the Pod Security Standards, as the API server's
    /// Pod Security Admission would (see docs/pss.md).
    ///
    /// Exit codes: 0 all admitted, 1 any rejected, 2 input or usage errors.
    Pss(crate::pss::PssArgs),
    /// Run the admission webhook: HTTPS /validate and /mutate, admin /livez, /readyz,
    /// /metrics (see docs/serve.md).
    Serve(Box<crate::serve::ServeArgs>),
    /// Evaluate a saved AdmissionReview offline and print the exact response the webhook
    /// would send.
    ///
    /// Exit codes: 0 allowed, 1 denied, 2 input or usage errors.
    Review(crate::serve::ReviewArgs),
    /// Print the manifests that run the webhook in a cluster (certificates, Deployment, PDB,
    /// Service, NetworkPolicy, webhook configurations): `stockade install | kubectl apply -f -`.
    Install(crate::serve::InstallArgs),
    /// Query the webhook's decisions log (deny, warn and audit decisions kept by
    /// `stockade serve --events FILE`).
    Events(crate::serve::EventsArgs),
    /// List the check catalog.
    Checks(ChecksArgs),
    /// Print a check's documentation.
    Explain {
        /// Check ID (STK001) or name (privileged-container).
        check: String,
    },
    /// RBAC analysis: who-can, can, risks, paths.
    Rbac(crate::rbac::RbacArgs),
    /// Analyse NetworkPolicies: allowed connections, diffs, exposure.
    #[command(subcommand)]
    Netpol(crate::netpol::NetpolCommand),
    /// Detect attacks in Kubernetes audit logs with Falco-compatible rules (see docs/audit.md).
    #[command(subcommand)]
    Audit(crate::audit::AuditCommand),
    /// Lint Dockerfiles and Containerfiles with the Dockerfile checks (see docs/dockerfile.md).
    #[command(subcommand)]
    Dockerfile(crate::dockerfile::DockerfileCommand),
    /// Custom policies: run Gatekeeper and ValidatingAdmissionPolicy test suites (see docs/policy.md).
    #[command(subcommand)]
    Policy(crate::policy::PolicyCommand),
    /// The vulnerability database: import advisories, update from OSV, show its age
    /// (see docs/vulnerabilities.md).
    #[command(subcommand)]
    Db(crate::vuln::DbCommand),
    /// Match the packages of a CycloneDX JSON SBOM (Syft, Trivy) against the vulnerability
    /// database (see docs/vulnerabilities.md).
    ///
    /// Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 input or
    /// usage errors.
    Vuln(crate::vuln::VulnArgs),
    /// Container images: sign and verify cosign signatures, resolve tags (see
    /// docs/image-signing.md).
    #[command(subcommand)]
    Image(crate::image::ImageCommand),
    /// List the packages of a container image or directory as an SBOM: CycloneDX 1.5, SPDX 2.3
    /// or JSON (see docs/sbom.md).
    ///
    /// Exit codes: 0 complete, 2 input problems (the document is still written) or usage errors.
    Sbom(crate::sbom::SbomArgs),
    /// Export built-in checks for other enforcement points: `export vap` writes
    /// ValidatingAdmissionPolicies the API server runs with no webhook (see docs/export.md).
    #[command(subcommand)]
    Export(crate::export::ExportCommand),
    /// Print the JSON schema of `.stockade.yaml`.
    Schema,
    /// Print shell completions.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and directories to scan (directories recursively: .yaml, .yml, .json, and
    /// Dockerfiles/Containerfiles); `-` reads standard input. Default: the current directory.
    pub paths: Vec<PathBuf>,
    /// Output formats, comma-separated: text, json, sarif, junit, github.
    #[arg(short, long, value_delimiter = ',', default_value = "text")]
    pub format: Vec<String>,
    /// Write each format to a file in this directory (stockade.json, stockade.sarif ...)
    /// instead of standard output.
    #[arg(long)]
    pub output_dir: Option<PathBuf>,
    /// Lowest severity that makes the scan fail with exit code 1 (info, low, medium, high,
    /// critical). Default: the configuration's `fail-on`, else high.
    #[arg(long)]
    pub fail_on: Option<String>,
    /// Custom policies to run with the checks: Gatekeeper ConstraintTemplates and their
    /// constraints, files or directories (repeatable; added to the configuration's `policies`).
    #[arg(long = "policy", value_name = "PATH")]
    pub policies: Vec<PathBuf>,
    /// Configuration file (default: `.stockade.yaml` found upward from the first path).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Do not look for a configuration file.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Ignore suppression annotations in manifests.
    #[arg(long)]
    pub strict: bool,
    /// Run only these checks (IDs, names, categories or `all`), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Also run these checks (e.g. opt-in ones), comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub enable: Vec<String>,
    /// Skip these checks, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Target Kubernetes version for the API deprecation checks (e.g. 1.29).
    #[arg(long)]
    pub kube_version: Option<String>,
    /// Largest file (or standard input) read, in MB.
    #[arg(long, default_value_t = 64)]
    pub max_file_size: u64,
    /// Colour in text output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorChoice,
    /// Never show the progress indicator.
    #[arg(long)]
    pub no_progress: bool,
    #[command(flatten, next_help_heading = "Image signatures")]
    pub images: VerifyImagesArgs,
    #[command(flatten, next_help_heading = "Images")]
    pub pull: crate::scan_images::PullArgs,
}

/// `stockade scan --verify-images`: the configuration's `images:` policy applied to every
/// image the manifests reference (see docs/image-signing.md).
#[derive(Debug, Args)]
pub struct VerifyImagesArgs {
    /// Verify every distinct image the pod specs reference against the configuration's
    /// `images:` policy (cosign signatures, allow/deny rules); refused images are reported as
    /// STK212 findings. Without it no registry is ever contacted.
    #[arg(long)]
    pub verify_images: bool,
    #[command(flatten)]
    pub registry: crate::image::RegistryArgs,
}

#[derive(Debug, Args)]
pub struct ChecksArgs {
    /// text, json or markdown.
    #[arg(long, default_value = "text")]
    pub format: String,
}
