//! The final file view of a target: only the files the cataloguers read, each with the layer
//! that last wrote it. Images build it layer by layer (whiteouts and opaque directories
//! applied); directories build it in one walk.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

use crate::{Package, Problem};
use stockade_model::image::EntryKind;

/// Largest metadata file kept in memory.
pub(crate) const MAX_TEXT: u64 = 64 << 20;
/// Largest binary or archive read.
pub(crate) const MAX_BINARY: u64 = 1 << 30;

/// What a cataloguer needs from a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// Its bytes (package databases, metadata, lockfiles, os-release).
    Text,
    /// An executable that may carry Go build info or a cargo-auditable section.
    Binary,
    /// A Java archive.
    Archive,
}

/// What is kept of a file.
#[derive(Debug, Clone)]
pub(crate) enum Kept {
    Bytes(Vec<u8>),
    /// Packages read while streaming (binaries, archives), with the problems met.
    Found(Vec<Package>, Vec<Problem>),
}

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub layer: Option<usize>,
    pub kept: Kept,
}

/// The files kept, keyed by path relative to the root without a leading slash.
#[derive(Debug, Default)]
pub(crate) struct View {
    pub files: BTreeMap<String, Entry>,
    /// Layer digests by index.
    pub layers: Vec<String>,
    /// For package databases: per layer that wrote the file, the package keys it held.
    pub history: BTreeMap<String, Vec<(usize, BTreeSet<String>)>>,
    pub problems: Vec<Problem>,
    /// The files the image checks look at (see [`crate::files`]).
    pub files_seen: crate::files::Collector,
}

/// Changes made by one layer, applied to the lower layers' view when the layer ends.
#[derive(Debug, Default)]
pub(crate) struct LayerChanges {
    pub added: BTreeMap<String, Entry>,
    pub whiteouts: Vec<String>,
    pub opaque: Vec<String>,
    /// Paths replaced by something that is not a kept file (directory, symlink, other file).
    pub replaced: Vec<String>,
}

impl View {
    /// Applies one layer: its whiteouts and opaque directories hide lower files, then its
    /// files replace or add to the view.
    pub fn apply(&mut self, layer: usize, changes: LayerChanges) {
        for dir in &changes.opaque {
            self.remove_under(dir);
        }
        for path in &changes.whiteouts {
            self.files.remove(path);
            self.remove_under(path);
        }
        for path in &changes.replaced {
            self.files.remove(path);
        }
        for (path, entry) in changes.added {
            if let (Some(keys), Kept::Bytes(bytes)) = (db_keys(&path), &entry.kept) {
                let set = keys(bytes);
                self.history
                    .entry(path.clone())
                    .or_default()
                    .push((layer, set));
            }
            self.files.insert(path, entry);
        }
    }

    fn remove_under(&mut self, dir: &str) {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let doomed: Vec<String> = self
            .files
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            self.files.remove(&k);
        }
    }

    /// The earliest layer from which `key` was in every version of the database at `path` up
    /// to the final one; falls back to the layer of the final file.
    pub fn introduced(&self, path: &str, key: &str, fallback: Option<usize>) -> Option<usize> {
        let Some(hist) = self.history.get(path) else {
            return fallback;
        };
        let mut first = fallback;
        for (layer, keys) in hist.iter().rev() {
            if keys.contains(key) {
                first = Some(*layer);
            } else {
                break;
            }
        }
        first
    }

    pub fn layer_digest(&self, layer: Option<usize>) -> Option<String> {
        layer.and_then(|l| self.layers.get(l).cloned())
    }
}

/// The key function for package databases whose history is tracked per layer.
type KeysFn = fn(&[u8]) -> BTreeSet<String>;

fn db_keys(path: &str) -> Option<KeysFn> {
    match path {
        "var/lib/dpkg/status" => Some(crate::catalog::dpkg::keys),
        "lib/apk/db/installed" => Some(crate::catalog::apk::keys),
        _ => None,
    }
}

/// What to keep of a file at `path` (relative, no leading slash).
pub(crate) fn classify(path: &str, executable: bool, size: u64) -> Option<Want> {
    let base = path.rsplit('/').next().unwrap_or(path);
    let text = match path {
        "var/lib/dpkg/status"
        | "lib/apk/db/installed"
        | "etc/os-release"
        | "usr/lib/os-release" => true,
        "var/lib/rpm/rpmdb.sqlite"
        | "usr/lib/sysimage/rpm/rpmdb.sqlite"
        | "var/lib/rpm/Packages.db"
        | "usr/lib/sysimage/rpm/Packages.db"
        | "var/lib/rpm/Packages"
        | "usr/lib/sysimage/rpm/Packages" => {
            return (size <= MAX_BINARY).then_some(Want::Text);
        }
        _ => {
            (path.starts_with("var/lib/dpkg/status.d/")
                && !base.ends_with(".md5sums")
                && !path["var/lib/dpkg/status.d/".len()..].contains('/'))
                || path.ends_with(".dist-info/METADATA")
                || path.ends_with(".egg-info/PKG-INFO")
                || (base.ends_with(".egg-info") && !executable)
                || is_node_package_json(path)
                || (is_lockfile(base) && !path.contains("node_modules/"))
        }
    };
    if text {
        return (size <= MAX_TEXT).then_some(Want::Text);
    }
    let lower = base.to_ascii_lowercase();
    if lower.ends_with(".jar") || lower.ends_with(".war") || lower.ends_with(".ear") {
        return (size <= MAX_BINARY).then_some(Want::Archive);
    }
    if executable && (1024..=MAX_BINARY).contains(&size) {
        return Some(Want::Binary);
    }
    None
}

/// `…/node_modules/<name>/package.json` or `…/node_modules/@scope/<name>/package.json`.
fn is_node_package_json(path: &str) -> bool {
    let Some(rest) = path.strip_suffix("/package.json") else {
        return false;
    };
    let Some(i) = rest.rfind("node_modules/") else {
        return false;
    };
    if i > 0 && !rest[..i].ends_with('/') {
        return false;
    }
    let pkg = &rest[i + "node_modules/".len()..];
    match pkg.split_once('/') {
        None => !pkg.is_empty(),
        Some((scope, name)) => scope.starts_with('@') && !name.is_empty() && !name.contains('/'),
    }
}

pub(crate) fn is_lockfile(base: &str) -> bool {
    matches!(
        base,
        "Cargo.lock"
            | "package-lock.json"
            | "yarn.lock"
            | "pnpm-lock.yaml"
            | "poetry.lock"
            | "requirements.txt"
            | "go.mod"
            | "go.sum"
            | "Gemfile.lock"
    )
}

/// Reads what a cataloguer needs of one file already in memory (or being streamed).
pub(crate) fn keep(path: &str, want: Want, data: Vec<u8>) -> Option<Kept> {
    match want {
        Want::Text => Some(Kept::Bytes(data)),
        Want::Binary => {
            let pkgs = crate::elf::packages(path, &mut std::io::Cursor::new(&data[..]))?;
            Some(Kept::Found(pkgs, Vec::new()))
        }
        Want::Archive => {
            let (pkgs, problems) = crate::catalog::java::packages(path, data);
            Some(Kept::Found(pkgs, problems))
        }
    }
}

/// Whether a directory is a root filesystem: it has a package database or an os-release.
pub(crate) fn is_rootfs(root: &Path) -> bool {
    [
        "var/lib/dpkg",
        "lib/apk/db",
        "var/lib/rpm",
        "usr/lib/sysimage/rpm",
        "etc/os-release",
        "usr/lib/os-release",
    ]
    .iter()
    .any(|p| root.join(p).exists())
}

/// Builds the view of a directory: one walk, then the kept files read in parallel.
pub(crate) fn read_dir(root: &Path, rootfs: bool) -> View {
    use std::os::unix::fs::PermissionsExt;
    let mut view = View::default();
    let mut wanted: Vec<(String, Want, std::path::PathBuf)> = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            if e.depth() == 1 && rootfs && matches!(name.as_ref(), "proc" | "sys" | "dev") {
                return false;
            }
            !(e.file_type().is_dir() && name == ".git")
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                view.problems.push(Problem {
                    location: e
                        .path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default(),
                    message: e.to_string(),
                });
                continue;
            }
        };
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        let ft = entry.file_type();
        if !ft.is_file() {
            if !rel.is_empty() && (ft.is_dir() || ft.is_symlink()) {
                let kind = if ft.is_dir() {
                    EntryKind::Dir
                } else {
                    EntryKind::Symlink
                };
                if let Ok(m) = entry.metadata() {
                    view.files_seen.entry(None, &rel, fs_meta(kind, &m), None);
                }
            }
            continue;
        }
        // Names are enough to reject most files without a stat call.
        let meta = match entry.metadata() {
            Ok(m) => m,
            Err(_) => continue,
        };
        let content = if crate::files::wants_content(&rel, meta.len()) {
            std::fs::read(entry.path()).ok()
        } else {
            None
        };
        view.files_seen.entry(
            None,
            &rel,
            fs_meta(EntryKind::File, &meta),
            content.as_deref(),
        );
        let exec = meta.permissions().mode() & 0o111 != 0;
        if let Some(want) = classify(&rel, exec, meta.len()) {
            wanted.push((rel, want, entry.into_path()));
        }
    }
    let read: Vec<(String, Result<Option<Kept>, Problem>)> = wanted
        .into_par_iter()
        .map(|(rel, want, abs)| {
            let kept = read_file(&rel, want, &abs);
            (rel, kept)
        })
        .collect();
    for (rel, kept) in read {
        match kept {
            Ok(Some(kept)) => {
                view.files.insert(rel, Entry { layer: None, kept });
            }
            Ok(None) => {}
            Err(p) => view.problems.push(p),
        }
    }
    view
}

fn fs_meta(kind: EntryKind, m: &std::fs::Metadata) -> crate::files::Meta {
    use std::os::unix::fs::MetadataExt;
    crate::files::Meta {
        kind,
        mode: m.mode() & 0o7777,
        uid: u64::from(m.uid()),
        gid: u64::from(m.gid()),
        size: m.len(),
    }
}

fn read_file(rel: &str, want: Want, abs: &Path) -> Result<Option<Kept>, Problem> {
    let err = |e: std::io::Error| Problem {
        location: rel.to_string(),
        message: e.to_string(),
    };
    match want {
        Want::Binary => {
            // Only the ELF header, section table and the two sections of interest are read.
            let mut f = std::fs::File::open(abs).map_err(err)?;
            Ok(crate::elf::packages(rel, &mut f).map(|p| Kept::Found(p, Vec::new())))
        }
        _ => {
            let mut data = Vec::new();
            std::fs::File::open(abs)
                .and_then(|f| f.take(MAX_BINARY).read_to_end(&mut data))
                .map_err(err)?;
            Ok(keep(rel, want, data))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_package_json_only_at_package_roots() {
        assert!(is_node_package_json(
            "app/node_modules/left-pad/package.json"
        ));
        assert!(is_node_package_json(
            "node_modules/@types/node/package.json"
        ));
        assert!(is_node_package_json(
            "a/node_modules/x/node_modules/y/package.json"
        ));
        assert!(!is_node_package_json("app/node_modules/x/lib/package.json"));
        assert!(!is_node_package_json("app/package.json"));
        assert!(!is_node_package_json("app/my_node_modules/x/package.json"));
    }

    #[test]
    fn classify_picks_databases_metadata_lockfiles_and_binaries() {
        assert_eq!(classify("var/lib/dpkg/status", false, 10), Some(Want::Text));
        assert_eq!(
            classify("var/lib/dpkg/status.d/base", false, 10),
            Some(Want::Text)
        );
        assert_eq!(
            classify("var/lib/dpkg/status.d/base.md5sums", false, 10),
            None
        );
        assert_eq!(classify("app/Cargo.lock", false, 10), Some(Want::Text));
        assert_eq!(
            classify("app/node_modules/x/package-lock.json", false, 10),
            None
        );
        assert_eq!(classify("usr/bin/ls", true, 5000), Some(Want::Binary));
        assert_eq!(classify("usr/bin/tiny", true, 10), None);
        assert_eq!(classify("opt/app.JAR", false, 10), Some(Want::Archive));
        assert_eq!(classify("etc/passwd", false, 10), None);
    }
}
