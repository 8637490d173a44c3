//! `stockade image`: container image supply chain (see docs/image-signing.md). Sign and verify
//! cosign signatures in an OCI registry; the logic is in `stockade-image`.
//!
//! Every subcommand that talks to registries flattens [`RegistryArgs`].

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand, ValueEnum};
use stockade_image::auth::AuthStore;
use stockade_image::cosign::{self, Require};
use stockade_image::keyless::{Identity, Trust};
use stockade_image::sigstore::TrustedRoot;
use stockade_image::{Client, ClientConfig, PrivateKey, PublicKey, Reference};

#[derive(Debug, Subcommand)]
pub enum ImageCommand {
    /// Sign an image as `cosign sign --key` does (classic signature in the
    /// `sha256-<digest>.sig` tag, no transparency log), keeping signatures already there.
    ///
    /// The key is PEM (PKCS#8 or SEC1) or cosign's encrypted format, whose password is read
    /// from COSIGN_PASSWORD. Exit codes: 0 signed, 2 error.
    Sign(SignArgs),
    /// Verify an image's cosign signatures (classic `.sig` and Sigstore bundles) against
    /// public keys or keyless identities (Fulcio certificate, OIDC issuer, Rekor entry,
    /// checked offline against --trusted-root), and check that the signed payload names the
    /// image's digest.
    ///
    /// Exit codes: 0 every image verified, 1 any not verified, 2 error (registry
    /// unreachable, bad key file, bad reference).
    Verify(VerifyArgs),
    /// Print the digest a tag points to (the index for multi-platform images, or the
    /// manifest for --platform).
    ///
    /// Exit codes: 0 resolved, 2 error.
    Resolve(ResolveArgs),
    /// Write a cosign-compatible key pair: PREFIX.key (ECDSA P-256, cosign's encrypted
    /// format, password from COSIGN_PASSWORD) and PREFIX.pub.
    GenerateKeyPair {
        /// File name prefix.
        #[arg(long, default_value = "cosign")]
        output_key_prefix: PathBuf,
    },
    /// Scan an image for known vulnerabilities: an OCI image layout directory, a `docker
    /// save` archive, a root filesystem, or an image in a registry, whose layers are
    /// streamed (the same as `stockade vuln TARGET`; see docs/vulnerabilities.md).
    ///
    /// Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 input or
    /// usage errors.
    Scan(crate::vuln::VulnArgs),
    /// Lint built images for hardening problems (see docs/image-lint.md): runs as root,
    /// shells, package managers, curl/wget, build tools and SSH left in, setuid files,
    /// world-writable directories, secrets in the configuration, history or any layer, age,
    /// base image. TARGETs are what `stockade sbom` reads: OCI layout directories, `docker
    /// save` archives, root filesystems, images in a registry (streamed; --platform picks
    /// from a multi-platform image). The checks are the `image` category of the catalog:
    /// --select, --ignore, --enable, the configuration file and the report formats work as
    /// for `stockade scan`.
    ///
    /// Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 input or
    /// usage errors.
    Lint(crate::cli::ScanArgs),
}

/// How to reach registries: shared by every command that talks to one.
#[derive(Debug, Args, Clone)]
pub struct RegistryArgs {
    /// PEM file of CA certificates to trust for HTTPS registries (instead of the built-in
    /// Mozilla roots).
    #[arg(long, value_name = "FILE")]
    pub registry_ca: Option<PathBuf>,
    /// Talk plain HTTP to this registry (HOST:PORT); repeatable. Every other registry is
    /// HTTPS only.
    #[arg(long = "insecure-registry", value_name = "HOST:PORT")]
    pub insecure_registry: Vec<String>,
    /// Docker config.json with registry credentials [default: $DOCKER_CONFIG/config.json,
    /// else ~/.docker/config.json].
    #[arg(long, value_name = "FILE")]
    pub docker_config: Option<PathBuf>,
    /// Kubernetes Secret (YAML or JSON) of type kubernetes.io/dockerconfigjson to take
    /// credentials from, as a workload's imagePullSecrets; repeatable, searched first.
    #[arg(long = "pull-secret", value_name = "FILE")]
    pub pull_secret: Vec<PathBuf>,
    /// Deadline for each registry request [default: the configuration's `images.timeout`
    /// where an `images:` policy is used (scan --verify-images, serve, review), else 10s].
    /// Given, it overrides `images.timeout`.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub registry_timeout: Option<Duration>,
}

impl RegistryArgs {
    /// The registry client these options describe.
    pub fn client(&self) -> anyhow::Result<Client> {
        Ok(Client::new(self.client_config()?)?)
    }

    /// The registry client configuration these options describe.
    pub fn client_config(&self) -> anyhow::Result<ClientConfig> {
        let mut auth = AuthStore::new();
        for secret in &self.pull_secret {
            auth.add_pull_secret_file(secret)?;
        }
        match &self.docker_config {
            Some(path) => auth.add_docker_config_file(path)?,
            None => {
                let default = AuthStore::from_default_docker_config()?;
                if auth.is_empty() {
                    auth = default;
                } else if let Some(path) = default_docker_config_path()
                    && path.exists()
                {
                    auth.add_docker_config_file(&path)?;
                }
            }
        }
        Ok(ClientConfig {
            auth,
            insecure: self.insecure_registry.clone(),
            ca_file: self.registry_ca.clone(),
            timeout: self.registry_timeout.unwrap_or(Duration::from_secs(10)),
            timeout_is_explicit: self.registry_timeout.is_some(),
            ..ClientConfig::default()
        })
    }
}

fn default_docker_config_path() -> Option<PathBuf> {
    match std::env::var_os("DOCKER_CONFIG") {
        Some(dir) => Some(PathBuf::from(dir).join("config.json")),
        None => std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker/config.json")),
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The image (a tag is resolved to its digest first).
    pub image: String,
    /// Private key file (PKCS#8 or SEC1 PEM, or cosign's encrypted key).
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// Annotation KEY=VALUE added to the payload's `optional` section; repeatable.
    #[arg(short = 'a', long = "annotation", value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value = "text")]
    pub output: OutputFormat,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Images to verify.
    #[arg(required = true)]
    pub images: Vec<String>,
    /// Public key file (PEM SubjectPublicKeyInfo: ECDSA P-256, P-384 or Ed25519);
    /// repeatable.
    #[arg(long = "key", value_name = "FILE", required_unless_present_any = ["certificate_identity", "certificate_identity_regexp"])]
    pub keys: Vec<PathBuf>,
    /// Keyless: the signing certificate's identity (email or URI subject alternative name),
    /// exactly.
    #[arg(long, value_name = "IDENTITY", conflicts_with = "certificate_identity_regexp", requires_all = ["certificate_oidc_issuer", "trusted_root"])]
    pub certificate_identity: Option<String>,
    /// Keyless: a regular expression the whole certificate identity must match.
    #[arg(long, value_name = "REGEXP", requires_all = ["certificate_oidc_issuer", "trusted_root"])]
    pub certificate_identity_regexp: Option<String>,
    /// Keyless: the OIDC issuer the certificate was issued for, exactly
    /// (https://token.actions.githubusercontent.com, https://accounts.google.com...).
    #[arg(long, value_name = "URL")]
    pub certificate_oidc_issuer: Option<String>,
    /// Sigstore trusted root: `trusted_root.json`, or PEM with the Fulcio CA certificates and
    /// the Rekor public keys. Needed for keyless; with --key, Rekor entries that signatures
    /// carry are verified against it.
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,
    /// any: one of the keys (or the keyless identity) must have signed; all: every one.
    #[arg(long, value_enum, default_value = "any")]
    pub require: RequireArg,
    /// Output format.
    #[arg(short, long, value_enum, default_value = "text")]
    pub output: OutputFormat,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RequireArg {
    Any,
    All,
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    /// Images to resolve.
    #[arg(required = true)]
    pub images: Vec<String>,
    /// Follow a multi-platform index to this platform's manifest (os/arch[/variant]).
    #[arg(long)]
    pub platform: Option<String>,
    #[command(flatten)]
    pub registry: RegistryArgs,
}

pub fn run(cmd: ImageCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ImageCommand::Sign(args) => sign(args),
        ImageCommand::Verify(args) => verify(args),
        ImageCommand::Resolve(args) => resolve(args),
        ImageCommand::GenerateKeyPair { output_key_prefix } => generate(&output_key_prefix),
        ImageCommand::Scan(args) => crate::vuln::run_vuln(args),
        ImageCommand::Lint(args) => crate::scan::run_with(args, crate::scan::Inputs::Images),
    }
}

fn password() -> Option<Vec<u8>> {
    std::env::var_os("COSIGN_PASSWORD").map(|p| p.into_encoded_bytes())
}

fn sign(args: SignArgs) -> anyhow::Result<ExitCode> {
    let image = Reference::parse(&args.image)?;
    let key = PrivateKey::from_file(&args.key, password().as_deref())?;
    let mut annotations = BTreeMap::new();
    for a in &args.annotations {
        let Some((k, v)) = a.split_once('=') else {
            bail!("--annotation {a:?}: expected KEY=VALUE");
        };
        annotations.insert(k.to_string(), v.to_string());
    }
    let client = args.registry.client()?;
    let out = cosign::sign(
        &client,
        &image,
        &key,
        (!annotations.is_empty()).then_some(&annotations),
    )
    .with_context(|| format!("signing {image}"))?;
    match args.output {
        OutputFormat::Json => {
            crate::print_out(&format!("{}\n", serde_json::to_string_pretty(&out)?))
        }
        OutputFormat::Text => crate::print_out(&format!(
            "{} {}: {} ({} signature(s))\n",
            if out.already_present {
                "already signed"
            } else {
                "signed"
            },
            out.image,
            out.signature_ref,
            out.signatures
        )),
    }
    Ok(ExitCode::SUCCESS)
}

fn verify(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let keys = args
        .keys
        .iter()
        .map(|p| PublicKey::from_file(p))
        .collect::<Result<Vec<_>, _>>()?;
    let images = args
        .images
        .iter()
        .map(|i| Reference::parse(i))
        .collect::<Result<Vec<_>, _>>()?;
    let client = args.registry.client()?;
    let require = match args.require {
        RequireArg::Any => Require::Any,
        RequireArg::All => Require::All,
    };
    let root = match &args.trusted_root {
        Some(p) => Some(Arc::new(TrustedRoot::from_file(p)?)),
        None => None,
    };
    let mut identities = Vec::new();
    if let Some(issuer) = &args.certificate_oidc_issuer {
        match (
            &args.certificate_identity,
            &args.certificate_identity_regexp,
        ) {
            (Some(id), _) => identities.push(Identity::exact(id, issuer)),
            (None, Some(re)) => identities.push(
                Identity::regex(re, issuer)
                    .map_err(|e| anyhow::anyhow!("--certificate-identity-regexp: {e}"))?,
            ),
            (None, None) => bail!(
                "--certificate-oidc-issuer needs --certificate-identity or --certificate-identity-regexp"
            ),
        }
    }
    let trust = Trust {
        keys,
        identities,
        root,
        require,
    };
    let mut verdicts = Vec::new();
    let mut errors = 0;
    for image in &images {
        match cosign::verify_with(&client, image, &trust) {
            Ok(v) => verdicts.push(v),
            Err(e) => {
                errors += 1;
                eprintln!("stockade: error: verifying {image}: {e}");
            }
        }
    }
    let mut out = std::io::stdout().lock();
    match args.output {
        OutputFormat::Json => {
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(&verdicts)?);
        }
        OutputFormat::Text => {
            for v in &verdicts {
                let head = if v.verified {
                    "VERIFIED".to_string()
                } else {
                    format!(
                        "NOT VERIFIED [{}]",
                        v.reason.map_or("unknown", |r| r.code())
                    )
                };
                let _ = writeln!(
                    out,
                    "{head} {}@{}: {}",
                    strip_digest(&v.image),
                    v.digest,
                    v.message
                );
                for s in &v.signatures {
                    let _ = writeln!(
                        out,
                        "  {} {}: {}",
                        if s.ok { "ok  " } else { "fail" },
                        s.source,
                        s.detail
                    );
                }
            }
        }
    }
    Ok(ExitCode::from(if errors > 0 {
        2
    } else if verdicts.iter().all(|v| v.verified) {
        0
    } else {
        1
    }))
}

fn strip_digest(image: &str) -> &str {
    image.split('@').next().unwrap_or(image)
}

fn resolve(args: ResolveArgs) -> anyhow::Result<ExitCode> {
    let platform = match &args.platform {
        Some(p) => Some(
            stockade_image::manifest::Platform::parse(p)
                .with_context(|| format!("--platform {p:?}: expected os/arch[/variant]"))?,
        ),
        None => None,
    };
    let client = args.registry.client()?;
    let mut code = ExitCode::SUCCESS;
    for i in &args.images {
        let image = Reference::parse(i)?;
        let digest = match &platform {
            Some(p) => client.get_platform_manifest(&image, p).map(|m| m.digest),
            None => client.resolve(&image),
        };
        match digest {
            Ok(d) => crate::print_out(&format!("{}@{d}\n", strip_digest(&image.to_string()))),
            Err(e) => {
                eprintln!("stockade: error: {e}");
                code = ExitCode::from(2);
            }
        }
    }
    Ok(code)
}

fn generate(prefix: &Path) -> anyhow::Result<ExitCode> {
    let Some(password) = password() else {
        bail!("set COSIGN_PASSWORD to the password for the private key (it may be empty)");
    };
    let key_path = prefix.with_extension("key");
    let pub_path = prefix.with_extension("pub");
    for p in [&key_path, &pub_path] {
        if p.exists() {
            bail!("{} exists; not overwriting it", p.display());
        }
    }
    let key = PrivateKey::generate_p256()?;
    let pem = key.to_encrypted_pem(&password, Default::default())?;
    write_private(&key_path, pem.as_bytes())?;
    std::fs::write(&pub_path, key.public_key().to_pem())
        .with_context(|| format!("writing {}", pub_path.display()))?;
    crate::print_out(&format!(
        "Private key written to {}\nPublic key written to {}\n",
        key_path.display(),
        pub_path.display()
    ));
    Ok(ExitCode::SUCCESS)
}

fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::fs::OpenOptions;
    let mut opts = OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Reads each image target and runs the image checks on it. A target that cannot be read is
/// an error naming it; problems inside a readable image (a truncated layer) are errors too,
/// since the checks then saw only part of it, and the rest is still checked.
pub fn lint_targets(
    engine: &stockade_engine::Engine,
    targets: &[PathBuf],
    registry: &RegistryArgs,
    platform: &str,
) -> stockade_engine::ScanResult {
    use stockade_model::{Level, LoadError};
    let mut images = Vec::new();
    let mut errors = Vec::new();
    let error = |file: &str, message: String| LoadError::whole_file(file, message);
    // Made on the first registry reference: local targets never need one.
    let mut client: Option<Result<Client, String>> = None;
    let options = stockade_sbom::Options {
        platform: platform.to_string(),
    };
    for target in targets {
        let name = target.display().to_string();
        let inventory = if crate::pull::is_reference(target) {
            match client.get_or_insert_with(|| registry.client().map_err(|e| format!("{e:#}"))) {
                Ok(c) => crate::pull::inventory(c, &name, platform).map_err(|e| format!("{e:#}")),
                Err(e) => Err(e.clone()),
            }
        } else {
            stockade_sbom::inventory_with(target, &options).map_err(|e| e.to_string())
        };
        match inventory {
            Ok(inv) => {
                for p in &inv.errors {
                    errors.push(error(&name, p.to_string()));
                }
                if inv.files_truncated {
                    errors.push(LoadError {
                        level: Level::Warning,
                        ..error(&name, "more matching files than are kept: some file findings are not reported".into())
                    });
                }
                images.push((name, inv.image_facts()));
            }
            Err(e) => errors.push(error(&name, e)),
        }
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let mut result = engine.lint_images(&images, now);
    result.errors = errors;
    result.count_errors();
    result
}
