//! `stockade scan --images`: every distinct image the manifests reference is pulled once
//! (streamed, a few at a time), the image checks run on it and, when a vulnerability
//! database is there, its packages are matched; each finding is reported at every container
//! that uses the image, at its `image:` line, so suppression annotations, exclusions and
//! severity overrides apply as to any manifest finding. Also the registry side of
//! `stockade image lint`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Args;
use stockade_engine::{Config, Engine, ImageHit, ImageUse, Input, ScanResult};
use stockade_image::Client;
use stockade_sbom::Inventory;

use crate::image::RegistryArgs;
use crate::vuln::{DbLocation, VULN_CHECK, config_filters, finding_message, finding_severity};

/// `stockade scan --images` (and `--platform` for `stockade image lint`).
#[derive(Debug, Args)]
pub struct PullArgs {
    /// Pull every distinct image the pod specs reference (once each) and run the image
    /// checks on it (STK1101-STK1113) and, with a vulnerability database, report its
    /// vulnerabilities (STK213); findings are reported at each container's `image:` line.
    /// Without it no registry is ever contacted. The registry options of "Image signatures"
    /// apply.
    #[arg(long)]
    pub images: bool,
    /// Platform to pick from multi-platform images: os/arch[/variant].
    #[arg(long, default_value = "linux/amd64")]
    pub platform: String,
    #[command(flatten)]
    pub location: DbLocation,
}

/// Images pulled at the same time.
const PARALLEL_PULLS: usize = 4;

/// Runs `job` on every item with at most [`PARALLEL_PULLS`] threads; results in item order.
fn parallel<T: Sync, R: Send>(items: &[T], job: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let threads = items.len().min(PARALLEL_PULLS);
    let mut out: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else {
                            return done;
                        };
                        done.push((i, job(item)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a pull thread panicked"))
            .collect()
    });
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

/// Pulls each distinct reference once: all are resolved to their platform manifest first,
/// so references to the same manifest (a tag and its digest) share one pull. Returns the
/// inventory (or the error) per reference, shared by references to the same image.
fn pull_all(
    client: &Client,
    references: &[&str],
    platform: &str,
) -> BTreeMap<String, std::sync::Arc<Result<Inventory, String>>> {
    let resolved = parallel(references, |r| crate::pull::resolve(client, r, platform));
    let mut by_digest: BTreeMap<&str, (&str, &crate::pull::Resolved)> = BTreeMap::new();
    for (r, res) in references.iter().zip(&resolved) {
        if let Ok(res) = res {
            by_digest.entry(res.digest.as_str()).or_insert((r, res));
        }
    }
    let jobs: Vec<(&str, (&str, &crate::pull::Resolved))> = by_digest.into_iter().collect();
    let pulled = parallel(&jobs, |(_, (r, res))| {
        crate::pull::inventory_of(client, res, r).map_err(|e| format!("{e:#}"))
    });
    let pulled: BTreeMap<&str, std::sync::Arc<Result<Inventory, String>>> = jobs
        .iter()
        .map(|(d, _)| *d)
        .zip(pulled.into_iter().map(std::sync::Arc::new))
        .collect();
    references
        .iter()
        .zip(&resolved)
        .map(|(r, res)| {
            let out = match res {
                Ok(res) => pulled[res.digest.as_str()].clone(),
                Err(e) => std::sync::Arc::new(Err(format!("{e:#}"))),
            };
            (r.to_string(), out)
        })
        .collect()
}

/// The vulnerability database and the filters the configuration sets.
struct Vulns {
    db: stockade_vuln::Db,
    filters: stockade_vuln::filter::Filters,
}

fn open_db(
    location: &DbLocation,
    config: &Config,
    config_path: Option<&Path>,
) -> anyhow::Result<Option<Vulns>> {
    let dir = location.dir();
    let db = match stockade_vuln::Db::open(&dir) {
        Ok(db) => db,
        Err(stockade_vuln::Error::NoDb(_)) => {
            eprintln!(
                "note: no vulnerability database in {} (`stockade db update` makes one): images are checked, their vulnerabilities are not",
                dir.display()
            );
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    crate::vuln::warn_if_stale(&db, std::time::Duration::from_secs(7 * 24 * 3600))?;
    let filters = config_filters(&config.vulnerabilities, config_path)?;
    Ok(Some(Vulns { db, filters }))
}

/// `stockade scan --images`: adds the image findings and pull errors to `result`.
pub fn scan_images(
    engine: &Engine,
    inputs: &[Input],
    args: &PullArgs,
    registry: &RegistryArgs,
    (config, config_path): (&Config, Option<&Path>),
    result: &mut ScanResult,
) -> anyhow::Result<()> {
    let image_checks: Vec<&str> = engine
        .checks()
        .iter()
        .filter(|(c, _)| matches!(c.run, stockade_checks::Run::Image(_)))
        .map(|(c, _)| c.id)
        .collect();
    let vulns = if engine.checks().iter().any(|(c, _)| c.id == VULN_CHECK) {
        open_db(&args.location, config, config_path)?
    } else {
        None
    };
    let mut wanted = image_checks.clone();
    if vulns.is_some() {
        wanted.push(VULN_CHECK);
    }
    let uses: Vec<ImageUse> = engine
        .image_uses(inputs)
        .into_iter()
        .filter(|u| wanted.iter().any(|id| engine.reports_on(u, id)))
        .collect();
    if uses.is_empty() {
        return Ok(());
    }
    let references: Vec<&str> = uses
        .iter()
        .map(|u| u.image.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let client = registry.client()?;
    let pulled = pull_all(&client, &references, &args.platform);

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    // The hits of each image, found once.
    let mut hits: BTreeMap<&str, Vec<ImageHit>> = BTreeMap::new();
    for (reference, inv) in &pulled {
        let Ok(inv) = &**inv else { continue };
        let mut h = engine.image_check_hits(&inv.image_facts(), now);
        if let Some(v) = &vulns {
            let packages = crate::vuln::packages_of_inventory(inv);
            let matched = stockade_vuln::match_packages(&v.db, &packages.packages)
                .map_err(|e| anyhow::anyhow!("matching the packages of {reference}: {e}"))?;
            let filters = stockade_vuln::filter::Filters {
                image: Some(reference.clone()),
                ..v.filters.clone()
            };
            let filtered = filters.apply(matched.matches);
            for w in &filtered.warnings {
                eprintln!("stockade: warning: {w}");
            }
            h.extend(filtered.kept.iter().map(|m| ImageHit {
                check: VULN_CHECK,
                message: finding_message(m),
                severity: Some(finding_severity(m.severity)),
            }));
        }
        hits.insert(reference.as_str(), h);
    }
    let mut errors = Vec::new();
    for u in &uses {
        match &*pulled[&u.image] {
            Err(e) => errors.push(u.error(format!("image {}: cannot be pulled: {e}", u.image))),
            Ok(inv) => {
                for p in &inv.errors {
                    errors.push(u.error(format!("image {}: {p}", u.image)));
                }
                let prefix = format!("image {}: ", u.image);
                engine.report_at_image(u, &prefix, &hits[u.image.as_str()], result);
            }
        }
    }
    // Uses come file by file, but init containers after containers: errors in line order.
    let mut files: Vec<&str> = Vec::new();
    for e in &errors {
        if !files.contains(&&*e.file) {
            files.push(&e.file);
        }
    }
    let mut keyed: Vec<_> = errors
        .iter()
        .map(|e| (files.iter().position(|f| *f == &*e.file), e.line, e.column))
        .zip(errors.iter().cloned())
        .collect();
    keyed.sort_by_key(|(k, _)| *k);
    result.errors.extend(keyed.into_iter().map(|(_, e)| e));
    result.sort_by_inputs(inputs);
    result.count_errors();
    Ok(())
}
