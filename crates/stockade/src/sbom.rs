//! `stockade sbom TARGET`: the package inventory of an image or directory as CycloneDX, SPDX
//! or JSON (the logic is in `stockade-sbom`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use stockade_sbom::format::{Format, render};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SbomFormat {
    /// CycloneDX 1.5 JSON.
    Cyclonedx,
    /// SPDX 2.3 JSON.
    Spdx,
    /// Stockade's inventory JSON (packages, OS, image config, layers, errors).
    Json,
}

#[derive(Debug, Args)]
pub struct SbomArgs {
    /// An OCI image layout directory, a `docker save` archive, a root filesystem, a project
    /// directory (lockfiles), or an image in a registry (anything that is not an existing
    /// path, e.g. `registry.example.com/app:1.2`), whose layers are streamed.
    pub target: PathBuf,
    /// Output format.
    #[arg(short, long, value_enum, default_value = "cyclonedx")]
    pub format: SbomFormat,
    /// Write the document to this file instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Platform to pick from a multi-platform image: os/arch[/variant].
    #[arg(long, default_value = "linux/amd64")]
    pub platform: String,
    #[command(flatten)]
    pub registry: crate::image::RegistryArgs,
}

pub fn run(args: SbomArgs) -> anyhow::Result<ExitCode> {
    let options = stockade_sbom::Options {
        platform: args.platform.clone(),
    };
    let inv = if crate::pull::is_reference(&args.target) {
        let client = args.registry.client()?;
        crate::pull::inventory(&client, &args.target.to_string_lossy(), &args.platform)?
    } else {
        stockade_sbom::inventory_with(&args.target, &options)?
    };
    for p in &inv.errors {
        eprintln!("stockade: warning: {p}");
    }
    let format = match args.format {
        SbomFormat::Cyclonedx => Format::CycloneDx,
        SbomFormat::Spdx => Format::Spdx,
        SbomFormat::Json => Format::Json,
    };
    // SOURCE_DATE_EPOCH makes documents reproducible byte for byte.
    let created = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s))
        .unwrap_or_else(SystemTime::now);
    let doc = render(&inv, format, created);
    match &args.output {
        Some(path) => {
            std::fs::write(path, doc).with_context(|| format!("writing {}", path.display()))?
        }
        None => crate::print_out(&doc),
    }
    // Input problems make the inventory incomplete: the document is written, exit code 2.
    Ok(if inv.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
