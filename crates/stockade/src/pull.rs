//! Image references as targets of `stockade sbom`, `stockade vuln` and `stockade image scan`:
//! the reference is resolved (an index to `--platform`), the configuration fetched, and the
//! layers streamed from the registry into stockade-sbom's layer walker, so memory is bounded
//! by the largest kept file, not by the image.

use std::io::Read;
use std::path::Path;

use anyhow::{Context as _, bail};
use stockade_image::manifest::{Manifest, Platform};
use stockade_image::{Client, Reference};
use stockade_sbom::{BlobSource, Inventory, LayerRef};

/// Whether a command-line target names an image in a registry rather than a file: anything
/// that is not an existing path and is not spelled as one (`/…`, `./…`, `../…`, `~…`), so a
/// mistyped path is reported as a missing file.
pub fn is_reference(target: &Path) -> bool {
    let s = target.to_string_lossy();
    !target.exists() && !s.starts_with(['/', '.', '~'])
}

/// The inventory of the image `reference` for `platform` (`os/arch[/variant]`).
pub fn inventory(client: &Client, reference: &str, platform: &str) -> anyhow::Result<Inventory> {
    let resolved = resolve(client, reference, platform)?;
    inventory_of(client, &resolved, reference)
}

/// An image reference resolved to the manifest of one platform.
pub struct Resolved {
    r: Reference,
    /// The digest of the platform manifest: two references with the same one are the same
    /// image.
    pub digest: String,
    manifest: Box<stockade_image::manifest::ImageManifest>,
}

/// Resolves `reference` (a multi-platform index to `platform`) and reads its manifest.
pub fn resolve(client: &Client, reference: &str, platform: &str) -> anyhow::Result<Resolved> {
    let r = Reference::parse(reference)
        .with_context(|| format!("{reference:?} is neither an existing path nor an image"))?;
    let Some(want) = Platform::parse(platform) else {
        bail!("invalid --platform {platform:?} (expected os/arch[/variant])");
    };
    let fetched = client
        .get_platform_manifest(&r, &want)
        .with_context(|| format!("fetching the manifest of {r}"))?;
    let Manifest::Image(manifest) = fetched.parse()? else {
        bail!("{r}: the platform manifest is an index");
    };
    Ok(Resolved {
        r,
        digest: fetched.digest,
        manifest,
    })
}

/// The inventory of a resolved image, named `reference`: the configuration is fetched and
/// the layers streamed.
pub fn inventory_of(
    client: &Client,
    resolved: &Resolved,
    reference: &str,
) -> anyhow::Result<Inventory> {
    let Resolved {
        r,
        digest,
        manifest,
    } = resolved;
    let config = client
        .get_blob(r, &manifest.config.digest)
        .with_context(|| format!("fetching the configuration of {r}"))?;
    let layers: Vec<LayerRef> = manifest
        .layers
        .iter()
        .map(|l| LayerRef {
            digest: l.digest.clone(),
            size: Some(l.size),
        })
        .collect();
    let source = Registry { client, r };
    let mut inv = stockade_sbom::inventory_of_image(reference, &config, &layers, &source)?;
    // A tag is recorded with the digest of the platform manifest read.
    if r.digest.is_none() {
        inv.target = format!("{reference}@{digest}");
    }
    Ok(inv)
}

struct Registry<'a> {
    client: &'a Client,
    r: &'a Reference,
}

impl BlobSource for Registry<'_> {
    fn open_blob(&self, digest: &str, size: Option<u64>) -> Result<Box<dyn Read + '_>, String> {
        self.client
            .open_blob(self.r, digest, size)
            .map(|b| Box::new(b) as Box<dyn Read>)
            .map_err(|e| e.to_string())
    }
}
