//! Package inventory (SBOM) of container images and directories.
//!
//! [`inventory`] reads a target — an OCI image layout directory, a `docker save` archive, a
//! root filesystem or a project directory — and lists the packages in it: OS packages (dpkg,
//! apk, rpm), installed language packages (Python, npm, Java, Go and Rust binaries) and the
//! packages pinned by lockfiles. Image layers are streamed in order with whiteouts and opaque
//! directories applied; only the few files the cataloguers read are kept in memory.
//! [`format`] writes the result as CycloneDX 1.5, SPDX 2.3 or this crate's own JSON.
//!
//! Problems in the input (a truncated layer, a broken dpkg stanza) do not stop the run: they
//! are collected in [`Inventory::errors`] with the file and entry they concern, and everything
//! else is still catalogued.

mod catalog;
mod elf;
mod files;
pub mod format;
mod image;
mod purl;
mod view;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use purl::purl;

/// Where the blobs of an image read by [`inventory_of_image`] come from (a registry client).
pub trait BlobSource {
    /// A reader over the blob `digest` (`size` bytes when the manifest gives it). The reader
    /// should fail when the content does not match the digest; layers are read once, in
    /// order, each to its end.
    fn open_blob(
        &self,
        digest: &str,
        size: Option<u64>,
    ) -> Result<Box<dyn std::io::Read + '_>, String>;
}

/// One layer of an image manifest: its digest and size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerRef {
    /// `sha256:…`.
    pub digest: String,
    /// Size in bytes, from the manifest.
    pub size: Option<u64>,
}

/// Lists the packages of an image given by its configuration blob and layer list (an image
/// manifest already resolved to one platform), streaming each layer from `source` through
/// the same layer walker as OCI layouts: memory is bounded by the largest kept entry, not
/// the image. `target` names the image in the inventory.
pub fn inventory_of_image(
    target: &str,
    config: &[u8],
    layers: &[LayerRef],
    source: &dyn BlobSource,
) -> Result<Inventory, Error> {
    let mut inv = Inventory {
        target: target.to_string(),
        kind: TargetKind::Registry,
        ..Inventory::default()
    };
    let mut view = image::read_from_source(target, config, layers, source, &mut inv)?;
    inv.take_files(std::mem::take(&mut view.files_seen));
    catalog::run(view, &mut inv);
    Ok(inv)
}

/// Everything found in one target.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Inventory {
    /// What was read, as given.
    pub target: String,
    /// What kind of target it was.
    pub kind: TargetKind,
    /// The packages, sorted by type, name, version and path.
    pub packages: Vec<Package>,
    /// The operating system from `/etc/os-release` (or `/usr/lib/os-release`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<OsRelease>,
    /// The image configuration, for images.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<ImageConfig>,
    /// The layers of an image, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<Layer>,
    /// Problems met while reading; what could be read is still listed.
    pub errors: Vec<Problem>,
    /// The files the image checks look at: tools on the PATH, setuid and setgid files,
    /// world-writable directories, private keys and credential files (from any layer).
    /// Not part of the SBOM documents.
    #[serde(skip)]
    pub files: Vec<stockade_model::ImageFile>,
    /// True when more such files were met than [`Inventory::files`] keeps.
    #[serde(skip)]
    pub files_truncated: bool,
    /// The account databases of the final image (`/etc/passwd`, `/etc/shadow`,
    /// `/etc/group`) by absolute path, for the image checks. Not part of the SBOM documents.
    #[serde(skip)]
    pub account_files: std::collections::BTreeMap<String, String>,
    /// Directories and files the image does not need (`.git`, `.cache`, `Dockerfile`...),
    /// for the image checks. Not part of the SBOM documents.
    #[serde(skip)]
    pub unnecessary: Vec<stockade_model::ImageFile>,
}

impl Inventory {
    /// Moves what the file collector kept into the inventory.
    pub(crate) fn take_files(&mut self, files: files::Collector) {
        let f = files.finish();
        self.files = f.files;
        self.files_truncated = f.truncated;
        self.account_files = f.accounts;
        self.unnecessary = f.unnecessary;
    }

    /// What the image checks see of this target.
    pub fn image_facts(&self) -> stockade_model::ImageFacts {
        let mut facts = stockade_model::ImageFacts {
            has_config: self.config.is_some(),
            os_id: self.os.as_ref().map(|o| o.id.clone()),
            os_version: self.os.as_ref().and_then(|o| o.version_id.clone()),
            packages: self
                .packages
                .iter()
                .map(|p| stockade_model::ImagePackage {
                    kind: p.kind.as_str().to_string(),
                    name: p.name.clone(),
                    version: p.version.clone(),
                })
                .collect(),
            files: self.files.clone(),
            files_truncated: self.files_truncated,
            account_files: self.account_files.clone(),
            unnecessary: self.unnecessary.clone(),
            layers: self.layers.len(),
            ..Default::default()
        };
        if let Some(c) = &self.config {
            facts.user = c.user.clone();
            facts.env = c.env.clone();
            facts.labels = c.labels.clone();
            facts.history = c
                .history
                .iter()
                .map(|h| h.created_by.clone().unwrap_or_default())
                .collect();
            facts.created = c.created.clone();
            facts.healthcheck = c.healthcheck.clone();
            facts.volumes = c.volumes.clone();
        }
        facts
    }
}

/// The kind of target read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// An OCI image layout directory (`oci-layout`, `index.json`, `blobs/`).
    OciLayout,
    /// A `docker save` archive (legacy or with an OCI layout inside).
    DockerArchive,
    /// An image read through [`inventory_of_image`] (from a registry).
    Registry,
    /// A root filesystem directory (has a package database or `etc/os-release`).
    Rootfs,
    /// Any other directory: lockfiles and installed language packages.
    #[default]
    Directory,
}

/// One image layer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Layer {
    /// The digest by which the image refers to the layer (`sha256:…`).
    pub digest: String,
    /// The digest of the uncompressed layer (`rootfs.diff_ids`), when the config gives it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff_id: Option<String>,
}

/// One package.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Package {
    /// The package type, which is also its purl type.
    #[serde(rename = "type")]
    pub kind: PackageType,
    /// Name as its ecosystem spells it (Maven: `group:artifact`, npm: `@scope/name`).
    pub name: String,
    /// Version as recorded (dpkg and rpm: with epoch `1:2.3-4` when there is one).
    pub version: String,
    /// The package URL.
    pub purl: String,
    /// Path of the file the package was found in, relative to the target root (inside an
    /// archive: `outer.jar!/inner.jar`).
    pub path: String,
    /// Digest of the layer that introduced the package (images only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer: Option<String>,
    /// The source package that distro advisories name (dpkg `Source:`, apk origin, rpm
    /// source rpm).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_name: Option<String>,
    /// The source package's version (differs from `version` after a binNMU).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_version: Option<String>,
    /// CPU architecture for OS packages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// Declared licenses, as written by the package.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<String>,
}

/// Package types, named after their purl types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageType {
    /// Debian packages (dpkg).
    Deb,
    /// Alpine packages.
    Apk,
    /// RPM packages.
    Rpm,
    /// Python distributions.
    Pypi,
    /// npm packages.
    Npm,
    /// Java archives.
    Maven,
    /// Go modules.
    Golang,
    /// Rust crates.
    Cargo,
    /// Ruby gems.
    Gem,
}

impl PackageType {
    /// The purl type and ecosystem name.
    pub fn as_str(self) -> &'static str {
        match self {
            PackageType::Deb => "deb",
            PackageType::Apk => "apk",
            PackageType::Rpm => "rpm",
            PackageType::Pypi => "pypi",
            PackageType::Npm => "npm",
            PackageType::Maven => "maven",
            PackageType::Golang => "golang",
            PackageType::Cargo => "cargo",
            PackageType::Gem => "gem",
        }
    }

    /// Whether this is an operating-system package type.
    pub fn is_os(self) -> bool {
        matches!(self, PackageType::Deb | PackageType::Apk | PackageType::Rpm)
    }
}

/// The fields of `os-release` that identify a distribution.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OsRelease {
    /// `ID` (debian, ubuntu, alpine, rhel …).
    pub id: String,
    /// `VERSION_ID` (12, 22.04, 3.19.1 …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// `VERSION_CODENAME` (bookworm …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codename: Option<String>,
    /// `PRETTY_NAME`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
}

/// The parts of an image configuration that lint and reports use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImageConfig {
    /// `os` of the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// `architecture` of the image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub architecture: Option<String>,
    /// `variant` (v8 …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// `created` timestamp as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// `config.User`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `config.Env`.
    pub env: Vec<String>,
    /// `config.Entrypoint`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    /// `config.Cmd`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    /// `config.WorkingDir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// `config.ExposedPorts` keys (`80/tcp`).
    pub exposed_ports: Vec<String>,
    /// `config.Labels`.
    pub labels: std::collections::BTreeMap<String, String>,
    /// `history`.
    pub history: Vec<HistoryEntry>,
    /// `rootfs.diff_ids`.
    pub diff_ids: Vec<String>,
    /// `config.Healthcheck.Test`, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Vec<String>>,
    /// `config.Volumes` keys (the `VOLUME` paths).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<String>,
}

/// One `history` entry of an image configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    /// When the step ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The Dockerfile instruction (or command) of the step.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Whether the step produced no layer.
    pub empty_layer: bool,
    /// Free-form comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A problem in the input: where, and what.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Problem {
    /// The file (and layer or line) concerned.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Why a target could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The target does not exist or cannot be opened.
    #[error("{path}: {source}")]
    Open {
        /// The target.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The image's index, manifest or configuration is missing or invalid.
    #[error("{path}: {message}")]
    Image {
        /// The file (or archive entry) concerned.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// No manifest in the image matches the platform asked for.
    #[error("{path}: no image for platform {platform} (available: {available})")]
    Platform {
        /// The index.
        path: String,
        /// The platform asked for.
        platform: String,
        /// The platforms in the index.
        available: String,
    },
}

/// Options for [`inventory_with`].
#[derive(Debug, Clone)]
pub struct Options {
    /// The platform to pick from a multi-platform image: `os/arch` or `os/arch/variant`.
    pub platform: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            platform: "linux/amd64".into(),
        }
    }
}

/// Lists the packages of `target` with the default options (platform linux/amd64).
pub fn inventory(target: &Path) -> Result<Inventory, Error> {
    inventory_with(target, &Options::default())
}

/// Lists the packages of `target`: an OCI image layout directory, a `docker save` archive, a
/// root filesystem or any other directory.
pub fn inventory_with(target: &Path, options: &Options) -> Result<Inventory, Error> {
    let meta = std::fs::metadata(target).map_err(|source| Error::Open {
        path: target.to_path_buf(),
        source,
    })?;
    let mut inv = Inventory {
        target: target.display().to_string(),
        ..Inventory::default()
    };
    let mut view = if meta.is_dir() {
        if target.join("oci-layout").is_file() && target.join("index.json").is_file() {
            inv.kind = TargetKind::OciLayout;
            image::read_oci_dir(target, options, &mut inv)?
        } else {
            let rootfs = view::is_rootfs(target);
            inv.kind = if rootfs {
                TargetKind::Rootfs
            } else {
                TargetKind::Directory
            };
            view::read_dir(target, rootfs)
        }
    } else {
        inv.kind = TargetKind::DockerArchive;
        image::read_archive(target, options, &mut inv)?
    };
    inv.take_files(std::mem::take(&mut view.files_seen));
    catalog::run(view, &mut inv);
    Ok(inv)
}
