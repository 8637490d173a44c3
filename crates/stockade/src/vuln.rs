//! `stockade db` (import, update, info) and `stockade vuln SBOM.json`: thin glue over
//! stockade-vuln (see docs/vulnerabilities.md).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use stockade_vuln::filter::{Filters, check_ignore_entries, load_ignore_file, load_vex, today};
use stockade_vuln::update::{UpdateOptions, update};
use stockade_vuln::{Db, Severity, db, render, sbom};

use crate::print_out;

/// Where the database is: `--db DIR`, else STOCKADE_DB, else the user cache directory.
#[derive(Debug, Args, Clone)]
pub struct DbLocation {
    /// Database directory (default: $STOCKADE_DB, else $XDG_CACHE_HOME/stockade/db, else
    /// ~/.cache/stockade/db).
    #[arg(long, value_name = "DIR")]
    pub db: Option<PathBuf>,
}

impl DbLocation {
    pub(crate) fn dir(&self) -> PathBuf {
        self.db.clone().unwrap_or_else(db::default_dir)
    }
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Load advisories: OSV records (JSON files, directories, `all.zip` exports), the Debian
    /// security tracker JSON, Alpine secdb files. Bad files are reported, the rest imported.
    ///
    /// Exit codes: 0 all imported, 2 some files could not be read (the rest was imported).
    Import {
        /// Files, directories or zips.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        location: DbLocation,
    },
    /// Download the OSV exports per ecosystem (resumable, verified), build a new database and
    /// switch to it atomically. Uses HTTPS_PROXY / NO_PROXY.
    Update {
        /// Base URL serving `<Ecosystem>/all.zip` (an internal mirror for air-gapped sites).
        #[arg(long, value_name = "URL", default_value = stockade_vuln::update::DEFAULT_MIRROR)]
        mirror: String,
        /// Ecosystems to download, comma-separated (default: Alpine, AlmaLinux, Debian, Go,
        /// Maven, npm, PyPI, Rocky Linux, RubyGems, Ubuntu, crates.io).
        #[arg(long, value_delimiter = ',')]
        ecosystem: Vec<String>,
        #[command(flatten)]
        location: DbLocation,
    },
    /// Show the database's location, age and record counts per source.
    Info {
        /// text or json.
        #[arg(long, default_value = "text")]
        format: String,
        /// Warn when the database is older than this (e.g. 7d, 36h).
        #[arg(long, value_name = "AGE", default_value = "7d")]
        max_age: humantime::Duration,
        #[command(flatten)]
        location: DbLocation,
    },
}

#[derive(Debug, Args)]
pub struct VulnArgs {
    /// A CycloneDX JSON SBOM whose components carry purls (as written by Syft or Trivy), or
    /// anything `stockade sbom` reads: an OCI image layout directory, a `docker save`
    /// archive, a root filesystem, a project directory with lockfiles, or an image in a
    /// registry (anything that is not an existing path), whose layers are streamed.
    #[arg(value_name = "TARGET")]
    pub sbom: PathBuf,
    /// Platform to pick from a multi-platform image: os/arch[/variant].
    #[arg(long, default_value = "linux/amd64")]
    pub platform: String,
    /// Output format: text, json or sarif (SARIF 2.1.0: one result per vulnerability,
    /// check STK213, the image and package as location).
    #[arg(short, long, default_value = "text")]
    pub format: String,
    /// Report only these severities, comma-separated (unknown, negligible, low, medium, high,
    /// critical).
    #[arg(long, value_delimiter = ',')]
    pub severity: Vec<String>,
    /// Leave out vulnerabilities that have no fixed version yet.
    #[arg(long)]
    pub ignore_unfixed: bool,
    /// Ignore file (YAML: `ignore:` entries with id, optional package, reason, optional
    /// expires date).
    #[arg(long, value_name = "FILE")]
    pub ignore_file: Option<PathBuf>,
    /// Configuration file whose `vulnerabilities.ignore` entries apply (default:
    /// `.stockade.yaml` found upward from the current directory).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Do not look for a configuration file.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// OpenVEX documents: `not_affected` statements suppress findings (repeatable).
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,
    /// Lowest severity that makes the command exit with 1.
    #[arg(long, value_name = "SEVERITY", default_value = "high")]
    pub fail_on: String,
    /// Warn when the database is older than this (e.g. 7d, 36h).
    #[arg(long, value_name = "AGE", default_value = "7d")]
    pub max_db_age: humantime::Duration,
    #[command(flatten)]
    pub location: DbLocation,
    #[command(flatten)]
    pub registry: crate::image::RegistryArgs,
}

pub(crate) fn warn_if_stale(db: &Db, max: Duration) -> anyhow::Result<()> {
    let age = db.age()?;
    if age > max {
        eprintln!(
            "stockade: warning: the vulnerability database is {} old (more than {}); run `stockade db update`",
            humantime::format_duration(Duration::from_secs(age.as_secs() / 3600 * 3600)),
            humantime::format_duration(max)
        );
    }
    Ok(())
}

pub fn run_db(cmd: DbCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        DbCommand::Import { paths, location } => {
            let dir = location.dir();
            let mut db = Db::create(&dir)?;
            let started = std::time::Instant::now();
            let report = db.import(&paths)?;
            for e in &report.errors {
                eprintln!("stockade: error: {e}");
            }
            let mut sources: Vec<_> = report.sources.iter().collect();
            sources.sort();
            for (s, n) in sources {
                eprintln!("{s}: {n} records");
            }
            if report.git_only > 0 {
                eprintln!(
                    "note: {} affected entries have only GIT ranges (commit ranges are not evaluated) and were skipped",
                    report.git_only
                );
            }
            eprintln!(
                "imported {} records into {} in {:.2}s",
                report.records(),
                db.path().display(),
                started.elapsed().as_secs_f64()
            );
            Ok(if report.errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            })
        }
        DbCommand::Update {
            mirror,
            ecosystem,
            location,
        } => {
            let dir = location.dir();
            let mut opts = UpdateOptions {
                mirror,
                ..UpdateOptions::default()
            };
            if !ecosystem.is_empty() {
                opts.ecosystems = ecosystem;
            }
            let report = update(&dir, &opts, &mut |line| eprintln!("{line}"))?;
            for e in &report.import.errors {
                eprintln!("stockade: error: {e}");
            }
            Ok(ExitCode::SUCCESS)
        }
        DbCommand::Info {
            format,
            max_age,
            location,
        } => {
            let db = Db::open(&location.dir())?;
            warn_if_stale(&db, max_age.into())?;
            let info = db.info()?;
            match format.as_str() {
                "json" => print_out(&format!("{}\n", serde_json::to_string_pretty(&info)?)),
                "text" => print_out(&info_text(&info, db.age()?)),
                f => bail!("unknown format `{f}` (expected text or json)"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn info_text(info: &stockade_vuln::Info, age: Duration) -> String {
    let mut s = format!(
        "database: {}\nbuilt: {} ago\nsize: {} bytes\nvulnerabilities: {}\naffected packages: {}\n",
        info.path.display(),
        humantime::format_duration(Duration::from_secs(age.as_secs())),
        info.size,
        info.vulnerabilities,
        info.affected
    );
    for (name, n, _) in &info.sources {
        s.push_str(&format!("  {name}: {n}\n"));
    }
    s
}

fn load_filters(args: &VulnArgs) -> anyhow::Result<Filters> {
    let mut severities = args
        .severity
        .iter()
        .map(|s| s.parse::<Severity>().map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut vex_from_config = Vec::new();
    let mut ignore_unfixed = args.ignore_unfixed;
    let mut ignore = match &args.ignore_file {
        Some(p) => load_ignore_file(p)?,
        None => Vec::new(),
    };
    let config_path = match (&args.config, args.no_config) {
        (Some(p), _) => Some(p.clone()),
        (None, true) => None,
        (None, false) => stockade_engine::find_config(std::path::Path::new(".")),
    };
    if let Some(path) = config_path {
        let config = stockade_engine::load_config(&path)?;
        let from_config = config_filters(&config.vulnerabilities, Some(&path))?;
        if severities.is_empty() {
            severities = from_config.severities;
        }
        ignore_unfixed |= from_config.ignore_unfixed;
        ignore.extend(from_config.ignore);
        vex_from_config = from_config.vex;
    }
    let mut vex = vex_from_config;
    for p in &args.vex {
        vex.extend(load_vex(p)?);
    }
    Ok(Filters {
        severities,
        ignore_unfixed,
        ignore,
        vex,
        today: today(),
        image: Some(args.sbom.to_string_lossy().into_owned()),
    })
}

/// The filters the `vulnerabilities:` section of the configuration `file` sets: ignore
/// entries, `ignore-unfixed`, `min-severity`, `vex` documents (no target: set `image` per
/// scanned image).
pub(crate) fn config_filters(
    v: &stockade_vuln::filter::VulnerabilityConfig,
    file: Option<&std::path::Path>,
) -> anyhow::Result<Filters> {
    let name = file.map_or_else(|| "configuration".to_string(), |p| p.display().to_string());
    check_ignore_entries(&name, &v.ignore)?;
    let base = file
        .and_then(|p| p.parent())
        .unwrap_or(std::path::Path::new(""));
    let mut vex = Vec::new();
    for p in &v.vex {
        vex.extend(load_vex(&base.join(p))?);
    }
    Ok(Filters {
        severities: v.severities(&name)?,
        ignore_unfixed: v.ignore_unfixed,
        ignore: v.ignore.clone(),
        vex,
        today: today(),
        image: None,
    })
}

/// The catalog check vulnerabilities are reported as, in every report format.
pub(crate) const VULN_CHECK: &str = "STK213";

/// A vulnerability's severity on the catalog's scale: no rating counts as medium (unknown
/// is not harmless), negligible as info.
pub(crate) fn finding_severity(s: Severity) -> stockade_model::Severity {
    match s {
        Severity::Critical => stockade_model::Severity::Critical,
        Severity::High => stockade_model::Severity::High,
        Severity::Medium | Severity::Unknown => stockade_model::Severity::Medium,
        Severity::Low => stockade_model::Severity::Low,
        Severity::Negligible => stockade_model::Severity::Info,
    }
}

/// One line about a match: ID and aliases, package, installed and fixed version, layer,
/// summary.
pub(crate) fn finding_message(m: &stockade_vuln::Match) -> String {
    let mut s = m.id.clone();
    if !m.aliases.is_empty() {
        s.push_str(&format!(" ({})", m.aliases.join(", ")));
    }
    s.push_str(&format!(" in {} {}", m.package, m.installed));
    match &m.fixed {
        Some(f) => s.push_str(&format!(", fixed in {f}")),
        None => s.push_str(", no fix yet"),
    }
    if let Some(layer) = &m.layer {
        let short = layer.strip_prefix("sha256:").unwrap_or(layer);
        s.push_str(&format!(" (layer {})", &short[..short.len().min(12)]));
    }
    if !m.summary.is_empty() {
        s.push_str(&format!(": {}", m.summary));
    }
    s
}

/// `stockade vuln --format sarif`: each match a finding of STK213 on the target (an object of
/// kind `Image` named by it), the package purl and advisory ID as its path, written by the
/// report crate's SARIF writer; unreadable parts of the target are tool notifications.
fn write_sarif(target: &str, matches: &[stockade_vuln::Match], errors: &[String]) {
    let check = stockade_checks::find(VULN_CHECK).expect("STK213 is in the catalog");
    let file: std::sync::Arc<str> = target.into();
    let object = std::sync::Arc::new(stockade_model::ObjectRef {
        api_version: String::new(),
        kind: stockade_engine::IMAGE_KIND.into(),
        namespace: None,
        name: target.to_string(),
    });
    let findings: Vec<stockade_model::Finding> = matches
        .iter()
        .map(|m| stockade_model::Finding {
            check: check.id.into(),
            name: check.name.into(),
            severity: finding_severity(m.severity),
            message: finding_message(m),
            file: file.clone(),
            template: None,
            line: 0,
            column: 0,
            object: object.clone(),
            container: None,
            path: format!("{}#{}", m.purl, m.id),
            remediation: check.remediation.into(),
            aliases: check.aliases,
        })
        .collect();
    let errors: Vec<stockade_model::LoadError> = errors
        .iter()
        .map(|e| stockade_model::LoadError::whole_file(file.clone(), e.clone()))
        .collect();
    let mut summary = stockade_model::Summary {
        files: 1,
        objects: 1,
        findings: findings.len(),
        errors: errors.len(),
        ..Default::default()
    };
    for f in &findings {
        *summary.by_severity.entry(f.severity).or_default() += 1;
    }
    let findings = findings.into();
    let report = stockade_report::Report {
        findings: &findings,
        errors: &errors,
        summary: &summary,
        version: env!("CARGO_PKG_VERSION"),
    };
    let mut out = Vec::new();
    // Writing to memory cannot fail.
    let _ = stockade_report::Format::Sarif.write(&report, &mut out, false);
    print_out(&String::from_utf8_lossy(&out));
}

pub fn run_vuln(args: VulnArgs) -> anyhow::Result<ExitCode> {
    if !matches!(args.format.as_str(), "text" | "json" | "sarif") {
        bail!(
            "unknown format `{}` (expected text, json or sarif)",
            args.format
        );
    }
    let fail_on: Severity = args.fail_on.parse().map_err(anyhow::Error::msg)?;
    let filters = load_filters(&args)?;
    let dir = args.location.dir();
    let db = Db::open(&dir)?;
    warn_if_stale(&db, args.max_db_age.into())?;
    let read = packages_of(&args)?;
    for e in &read.errors {
        eprintln!("stockade: error: {e}");
    }
    let result = stockade_vuln::match_packages(&db, &read.packages)
        .with_context(|| format!("matching {}", args.sbom.display()))?;
    for n in &result.notes {
        eprintln!("note: {n}");
    }
    let filtered = filters.apply(result.matches);
    for w in &filtered.warnings {
        eprintln!("stockade: warning: {w}");
    }
    match args.format.as_str() {
        "sarif" => write_sarif(&args.sbom.to_string_lossy(), &filtered.kept, &read.errors),
        "json" => print_out(&render::json(&render::JsonReport {
            database_built_at: built_secs(&db)?,
            packages: read.packages.len(),
            matches: &filtered.kept,
            suppressed: &filtered.suppressed,
        })),
        _ => print_out(&render::text(
            &filtered.kept,
            filtered.suppressed.len(),
            read.packages.len(),
        )),
    }
    Ok(exit_code(
        filtered.kept.iter().any(|m| m.severity >= fail_on),
        !read.errors.is_empty(),
    ))
}

/// What `stockade vuln` matches: the packages of the target, and what could not be read.
pub(crate) struct Packages {
    pub(crate) packages: Vec<stockade_vuln::Package>,
    pub(crate) errors: Vec<String>,
}

/// A JSON file is read as a CycloneDX SBOM; anything else is inventoried as `stockade sbom`
/// does (image layout, `docker save` archive, root filesystem, project directory), each
/// package keeping the source package name distro advisories use.
fn packages_of(args: &VulnArgs) -> anyhow::Result<Packages> {
    let target = args.sbom.as_path();
    if crate::pull::is_reference(target) {
        let client = args.registry.client()?;
        let inv = crate::pull::inventory(&client, &target.to_string_lossy(), &args.platform)?;
        return Ok(packages_of_inventory(&inv));
    }
    let looks_json = target.is_file() && {
        use std::io::Read as _;
        let mut head = [0u8; 512];
        let n = std::fs::File::open(target)
            .and_then(|mut f| f.read(&mut head))
            .unwrap_or(0);
        head[..n]
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|&b| b == b'{')
    };
    if looks_json {
        let read = sbom::read(target)?;
        return Ok(Packages {
            packages: read.packages,
            errors: read.errors.iter().map(ToString::to_string).collect(),
        });
    }
    let options = stockade_sbom::Options {
        platform: args.platform.clone(),
    };
    let inv = stockade_sbom::inventory_with(target, &options)
        .with_context(|| format!("reading {}", target.display()))?;
    Ok(packages_of_inventory(&inv))
}

/// The packages of an inventory as the matcher takes them, each with the source package
/// distro advisories use and the layer that introduced it.
pub(crate) fn packages_of_inventory(inv: &stockade_sbom::Inventory) -> Packages {
    let mut out = Packages {
        packages: Vec::with_capacity(inv.packages.len()),
        errors: inv.errors.iter().map(ToString::to_string).collect(),
    };
    let mut unsupported = std::collections::BTreeMap::<String, usize>::new();
    for p in &inv.packages {
        match stockade_vuln::Package::from_purl(&p.purl) {
            Ok(mut v) => {
                if p.source_name.is_some() {
                    v.source_name.clone_from(&p.source_name);
                }
                if p.source_version.is_some() {
                    v.source_version.clone_from(&p.source_version);
                }
                v.layer.clone_from(&p.layer);
                out.packages.push(v);
            }
            Err(_) => {
                let kind = p.purl.split('/').next().unwrap_or("?").to_string();
                *unsupported.entry(kind).or_default() += 1;
            }
        }
    }
    for (kind, n) in unsupported {
        eprintln!(
            "note: {n} package(s) of type {kind} have no advisory source and are not matched"
        );
    }
    out
}

fn built_secs(db: &Db) -> anyhow::Result<u64> {
    Ok(db
        .built_at()?
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()))
}

fn exit_code(failing: bool, input_errors: bool) -> ExitCode {
    if input_errors {
        ExitCode::from(2)
    } else if failing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
