//! Image sources: OCI image layout directories and `docker save` archives (legacy, and with
//! an OCI layout inside). Layers are streamed one entry at a time; nothing is extracted.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::files::{Collector, Meta, wants_content};
use crate::view::{Entry, Kept, LayerChanges, View, Want, classify, keep};
use crate::{
    BlobSource, Error, HistoryEntry, ImageConfig, Inventory, Layer, LayerRef, Options, Problem,
};
use stockade_model::image::EntryKind;

/// Largest index, manifest or config read.
const MAX_JSON: u64 = 16 << 20;

/// Where blobs and files of an image come from.
trait Store {
    /// A reader over the file at `path` (relative to the layout root), and its display name.
    fn open(&self, path: &str) -> Result<Box<dyn Read + '_>, String>;
    fn exists(&self, path: &str) -> bool;

    fn read_json(&self, path: &str) -> Result<Value, Error> {
        let mut buf = Vec::new();
        self.open(path)
            .and_then(|r| {
                r.take(MAX_JSON)
                    .read_to_end(&mut buf)
                    .map_err(|e| e.to_string())
            })
            .map_err(|message| Error::Image {
                path: path.to_string(),
                message,
            })?;
        serde_json::from_slice(&buf).map_err(|e| Error::Image {
            path: path.to_string(),
            message: format!("invalid JSON at line {}: {e}", e.line()),
        })
    }
}

struct DirStore(PathBuf);

impl Store for DirStore {
    fn open(&self, path: &str) -> Result<Box<dyn Read + '_>, String> {
        File::open(self.0.join(path))
            .map(|f| Box::new(BufReader::with_capacity(256 << 10, f)) as Box<dyn Read>)
            .map_err(|e| e.to_string())
    }
    fn exists(&self, path: &str) -> bool {
        self.0.join(path).is_file()
    }
}

/// A tar archive on disk, indexed once: each member is then read by seeking to it.
struct TarStore {
    path: PathBuf,
    members: BTreeMap<String, (u64, u64)>,
}

impl TarStore {
    fn index(path: &Path) -> Result<TarStore, Error> {
        let err = |message: String| Error::Image {
            path: path.display().to_string(),
            message,
        };
        let f = File::open(path).map_err(|source| Error::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let mut ar = tar::Archive::new(BufReader::new(f));
        let mut members = BTreeMap::new();
        let entries = ar
            .entries()
            .map_err(|e| err(format!("not a tar archive: {e}")))?;
        for entry in entries {
            let entry = entry.map_err(|e| err(format!("not a readable tar archive: {e}")))?;
            let name = normalize(&entry.path_bytes());
            members.insert(name, (entry.raw_file_position(), entry.size()));
        }
        if members.is_empty() {
            return Err(err("empty archive, or not a tar archive".into()));
        }
        Ok(TarStore {
            path: path.to_path_buf(),
            members,
        })
    }
}

impl Store for TarStore {
    fn open(&self, path: &str) -> Result<Box<dyn Read + '_>, String> {
        let (offset, size) = self
            .members
            .get(path)
            .ok_or_else(|| format!("no {path} in the archive"))?;
        let mut f = File::open(&self.path).map_err(|e| e.to_string())?;
        f.seek(SeekFrom::Start(*offset))
            .map_err(|e| e.to_string())?;
        Ok(Box::new(BufReader::with_capacity(256 << 10, f.take(*size))))
    }
    fn exists(&self, path: &str) -> bool {
        self.members.contains_key(path)
    }
}

/// Blobs from a [`BlobSource`]: paths are digests, and `CONFIG` is the configuration.
struct SourceStore<'a> {
    source: &'a dyn BlobSource,
    config: &'a [u8],
    sizes: BTreeMap<&'a str, Option<u64>>,
}

const CONFIG: &str = "<config>";

impl Store for SourceStore<'_> {
    fn open(&self, path: &str) -> Result<Box<dyn Read + '_>, String> {
        if path == CONFIG {
            return Ok(Box::new(self.config));
        }
        let size = self.sizes.get(path).copied().flatten();
        self.source.open_blob(path, size)
    }
    fn exists(&self, path: &str) -> bool {
        path == CONFIG || self.sizes.contains_key(path)
    }
}

pub(crate) fn read_from_source(
    target: &str,
    config: &[u8],
    layers: &[LayerRef],
    source: &dyn BlobSource,
    inv: &mut Inventory,
) -> Result<View, Error> {
    let store = SourceStore {
        source,
        config,
        sizes: layers.iter().map(|l| (l.digest.as_str(), l.size)).collect(),
    };
    let plan = Plan {
        config_path: CONFIG.into(),
        layers: layers
            .iter()
            .map(|l| (l.digest.clone(), l.digest.clone()))
            .collect(),
    };
    read_image(&store, plan, inv).map_err(|e| match e {
        Error::Image { path, message } if path == CONFIG => Error::Image {
            path: format!("{target}: image configuration"),
            message,
        },
        e => e,
    })
}

/// Tar member names without `./` or a leading `/`.
fn normalize(raw: &[u8]) -> String {
    let s = String::from_utf8_lossy(raw);
    let mut s = s.as_ref();
    loop {
        if let Some(r) = s.strip_prefix("./") {
            s = r;
        } else if let Some(r) = s.strip_prefix('/') {
            s = r;
        } else {
            break;
        }
    }
    s.trim_end_matches('/').to_string()
}

fn blob_path(digest: &str) -> String {
    match digest.split_once(':') {
        Some((alg, hex)) => format!("blobs/{alg}/{hex}"),
        None => format!("blobs/sha256/{digest}"),
    }
}

/// The layers to read, with the digest that names each.
struct Plan {
    config_path: String,
    layers: Vec<(String, String)>, // (path in the store, digest)
}

pub(crate) fn read_oci_dir(
    dir: &Path,
    options: &Options,
    inv: &mut Inventory,
) -> Result<View, Error> {
    let store = DirStore(dir.to_path_buf());
    let plan = oci_plan(&store, options)?;
    read_image(&store, plan, inv)
}

pub(crate) fn read_archive(
    file: &Path,
    options: &Options,
    inv: &mut Inventory,
) -> Result<View, Error> {
    let store = TarStore::index(file)?;
    let plan = if store.exists("manifest.json") {
        docker_plan(&store)?
    } else if store.exists("index.json") {
        oci_plan(&store, options)?
    } else {
        return Err(Error::Image {
            path: file.display().to_string(),
            message: "neither manifest.json (docker save) nor index.json (OCI layout) found".into(),
        });
    };
    read_image(&store, plan, inv)
}

fn docker_plan(store: &TarStore) -> Result<Plan, Error> {
    let manifest = store.read_json("manifest.json")?;
    let bad = |message: &str| Error::Image {
        path: "manifest.json".into(),
        message: message.into(),
    };
    let first = manifest
        .as_array()
        .and_then(|a| a.first())
        .ok_or_else(|| bad("expected a non-empty array"))?;
    let config_path = first
        .get("Config")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("no Config"))?
        .to_string();
    let layer_paths: Vec<String> = first
        .get("Layers")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("no Layers"))?
        .iter()
        .filter_map(Value::as_str)
        .map(|s| normalize(s.as_bytes()))
        .collect();
    // Legacy archives name layers `<id>/layer.tar`; the config's diff_ids name them then.
    let diff_ids: Vec<String> = store
        .read_json(&config_path)
        .ok()
        .and_then(|c| {
            c.pointer("/rootfs/diff_ids")?.as_array().map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
        })
        .unwrap_or_default();
    let layers = layer_paths
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let digest = match p.strip_prefix("blobs/").and_then(|r| r.split_once('/')) {
                Some((alg, hex)) => format!("{alg}:{hex}"),
                None => diff_ids.get(i).cloned().unwrap_or_else(|| p.clone()),
            };
            (p, digest)
        })
        .collect();
    Ok(Plan {
        config_path,
        layers,
    })
}

fn is_index(media_type: &str) -> bool {
    media_type.ends_with("image.index.v1+json") || media_type.ends_with("manifest.list.v2+json")
}

/// Resolves index.json (and nested indexes) to the manifest for the platform asked for.
fn oci_plan(store: &dyn Store, options: &Options) -> Result<Plan, Error> {
    let mut want = options.platform.split('/');
    let (want_os, want_arch, want_variant) = (want.next(), want.next(), want.next());
    let mut candidates: Vec<(Value, Option<String>)> = Vec::new();
    let mut queue = vec![("index.json".to_string(), store.read_json("index.json")?)];
    let mut depth = 0;
    while let Some((path, index)) = queue.pop() {
        depth += 1;
        if depth > 16 {
            break;
        }
        for d in index
            .get("manifests")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let media = d.get("mediaType").and_then(Value::as_str).unwrap_or("");
            let Some(digest) = d.get("digest").and_then(Value::as_str) else {
                continue;
            };
            if is_index(media) {
                let p = blob_path(digest);
                let v = store.read_json(&p)?;
                queue.push((p, v));
                continue;
            }
            let platform = d.get("platform").map(|p| {
                let f = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("");
                let mut s = format!("{}/{}", f("os"), f("architecture"));
                if !f("variant").is_empty() {
                    s = format!("{s}/{}", f("variant"));
                }
                s
            });
            let _ = &path;
            candidates.push((d.clone(), platform));
        }
    }
    let matches = |p: &str| {
        let mut f = p.split('/');
        let (os, arch, variant) = (f.next(), f.next(), f.next());
        os == want_os && arch == want_arch && (want_variant.is_none() || variant == want_variant)
    };
    let chosen = if candidates.len() == 1 && candidates[0].1.is_none() {
        candidates[0].0.clone()
    } else {
        match candidates
            .iter()
            .find(|(_, p)| p.as_deref().is_some_and(matches))
        {
            Some((d, _)) => d.clone(),
            None => {
                // Without platform fields, the configs tell.
                let mut found = None;
                for (d, p) in &candidates {
                    if p.is_some() {
                        continue;
                    }
                    let Some(digest) = d.get("digest").and_then(Value::as_str) else {
                        continue;
                    };
                    let m = store.read_json(&blob_path(digest))?;
                    let Some(cfg) = m.pointer("/config/digest").and_then(Value::as_str) else {
                        continue;
                    };
                    let c = store.read_json(&blob_path(cfg))?;
                    let f = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                    if matches(&format!(
                        "{}/{}/{}",
                        f("os"),
                        f("architecture"),
                        f("variant")
                    )) {
                        found = Some(d.clone());
                        break;
                    }
                }
                found.ok_or_else(|| Error::Platform {
                    path: "index.json".into(),
                    platform: options.platform.clone(),
                    available: candidates
                        .iter()
                        .map(|(_, p)| p.clone().unwrap_or_else(|| "unknown".into()))
                        .collect::<Vec<_>>()
                        .join(", "),
                })?
            }
        }
    };
    let digest = chosen
        .get("digest")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mpath = blob_path(digest);
    let manifest = store.read_json(&mpath)?;
    let config_digest = manifest
        .pointer("/config/digest")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::Image {
            path: mpath.clone(),
            message: "manifest has no config digest".into(),
        })?;
    let layers = manifest
        .get("layers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|l| l.get("digest").and_then(Value::as_str))
        .map(|d| (blob_path(d), d.to_string()))
        .collect();
    Ok(Plan {
        config_path: blob_path(config_digest),
        layers,
    })
}

fn strings(v: Option<&Value>) -> Option<Vec<String>> {
    v?.as_array().map(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    })
}

pub(crate) fn parse_config(c: &Value) -> ImageConfig {
    let s = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let cfg = c.get("config");
    let get = |k: &str| cfg.and_then(|x| x.get(k));
    ImageConfig {
        os: s(c.get("os")),
        architecture: s(c.get("architecture")),
        variant: s(c.get("variant")),
        created: s(c.get("created")),
        user: s(get("User")).filter(|u| !u.is_empty()),
        env: strings(get("Env")).unwrap_or_default(),
        entrypoint: strings(get("Entrypoint")),
        cmd: strings(get("Cmd")),
        working_dir: s(get("WorkingDir")).filter(|w| !w.is_empty()),
        exposed_ports: get("ExposedPorts")
            .and_then(Value::as_object)
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default(),
        volumes: get("Volumes")
            .and_then(Value::as_object)
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default(),
        labels: get("Labels")
            .and_then(Value::as_object)
            .map(|o| {
                o.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default(),
        history: c
            .get("history")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|h| HistoryEntry {
                created: s(h.get("created")),
                created_by: s(h.get("created_by")),
                empty_layer: h.get("empty_layer").and_then(Value::as_bool) == Some(true),
                comment: s(h.get("comment")),
            })
            .collect(),
        diff_ids: strings(c.pointer("/rootfs/diff_ids")).unwrap_or_default(),
        healthcheck: strings(get("Healthcheck").and_then(|h| h.get("Test"))),
    }
}

fn read_image(store: &dyn Store, plan: Plan, inv: &mut Inventory) -> Result<View, Error> {
    let config = parse_config(&store.read_json(&plan.config_path)?);
    let mut view = View::default();
    let mut files = Collector::default();
    for (i, (path, digest)) in plan.layers.iter().enumerate() {
        inv.layers.push(Layer {
            digest: digest.clone(),
            diff_id: config.diff_ids.get(i).cloned(),
        });
        view.layers.push(digest.clone());
        let label = format!("layer {} ({digest})", i + 1);
        let changes = match store.open(path) {
            Ok(r) => read_layer(r, i, &label, &view, &mut files),
            Err(e) => {
                view.problems.push(Problem {
                    location: label,
                    message: format!("{path}: {e}"),
                });
                continue;
            }
        };
        view.problems.extend(changes.1);
        view.apply(i, changes.0);
        files.end_layer();
    }
    view.files_seen = files;
    inv.config = Some(config);
    Ok(view)
}

/// Decompresses by magic number: gzip, zstd, or a plain tar.
fn decompress<'a>(r: Box<dyn Read + 'a>) -> Result<Box<dyn Read + 'a>, String> {
    let mut r = BufReader::with_capacity(256 << 10, r);
    let head = r.fill_buf().map_err(|e| e.to_string())?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(r)))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        let d = ruzstd::decoding::StreamingDecoder::new(r).map_err(|e| format!("zstd: {e}"))?;
        Ok(Box::new(d))
    } else {
        Ok(Box::new(r))
    }
}

/// Streams one layer and returns the changes it makes, plus the problems met. A broken
/// entry ends the layer (a tar stream cannot be resynchronised) but keeps what was read.
/// The raw stream is then read to its end, so a source that verifies digests at the end
/// (a registry blob) reports a mismatch, and then none of the layer is used.
fn read_layer(
    r: Box<dyn Read + '_>,
    idx: usize,
    label: &str,
    lower: &View,
    files: &mut Collector,
) -> (LayerChanges, Vec<Problem>) {
    let mut raw = r;
    let (changes, mut problems) = read_layer_entries(Box::new(&mut raw), idx, label, lower, files);
    if let Err(e) = std::io::copy(&mut raw, &mut std::io::sink()) {
        let tampered = e.kind() == std::io::ErrorKind::InvalidData;
        problems.push(Problem {
            location: label.to_string(),
            message: if tampered {
                format!("{e}; nothing of this layer is used")
            } else {
                e.to_string()
            },
        });
        if tampered {
            // Content that fails its digest is not the image's: none of it is used.
            return (LayerChanges::default(), problems);
        }
    }
    (changes, problems)
}

fn read_layer_entries(
    r: Box<dyn Read + '_>,
    idx: usize,
    label: &str,
    lower: &View,
    files: &mut Collector,
) -> (LayerChanges, Vec<Problem>) {
    let mut changes = LayerChanges::default();
    let mut problems = Vec::new();
    let fail = |problems: &mut Vec<Problem>, msg: String| {
        problems.push(Problem {
            location: label.to_string(),
            message: msg,
        })
    };
    let r = match decompress(r) {
        Ok(r) => r,
        Err(e) => {
            fail(&mut problems, e);
            return (changes, problems);
        }
    };
    let mut ar = tar::Archive::new(r);
    let entries = match ar.entries() {
        Ok(e) => e,
        Err(e) => {
            fail(&mut problems, format!("not a tar stream: {e}"));
            return (changes, problems);
        }
    };
    let mut count = 0usize;
    let mut last = String::new();
    for entry in entries {
        count += 1;
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                fail(
                    &mut problems,
                    format!(
                        "entry {count} (after {last:?}): {e}; the rest of this layer is not read"
                    ),
                );
                break;
            }
        };
        let path = normalize(&entry.path_bytes());
        last.clone_from(&path);
        let (dir, base) = match path.rsplit_once('/') {
            Some((d, b)) => (d, b),
            None => ("", path.as_str()),
        };
        if base == ".wh..wh..opq" {
            files.opaque(dir);
            changes.opaque.push(dir.to_string());
            continue;
        }
        if let Some(hidden) = base.strip_prefix(".wh.") {
            let hidden = if dir.is_empty() {
                hidden.to_string()
            } else {
                format!("{dir}/{hidden}")
            };
            files.whiteout(&hidden);
            changes.whiteouts.push(hidden);
            continue;
        }
        let kind = entry.header().entry_type();
        let (e_mode, e_uid, e_gid, e_size) = {
            let h = entry.header();
            (
                h.mode().unwrap_or(0),
                h.uid().unwrap_or(0),
                h.gid().unwrap_or(0),
                entry.size(),
            )
        };
        let meta = |kind: EntryKind| Meta {
            kind,
            mode: e_mode,
            uid: e_uid,
            gid: e_gid,
            size: e_size,
        };
        let mut content = None;
        if kind.is_file() && wants_content(&path, entry.size()) {
            let mut data = Vec::new();
            if let Err(e) = entry.read_to_end(&mut data) {
                fail(
                    &mut problems,
                    format!("{path}: {e}; the rest of this layer is not read"),
                );
                break;
            }
            content = Some(data);
        }
        if kind.is_file() || kind.is_hard_link() {
            files.entry(Some(idx), &path, meta(EntryKind::File), content.as_deref());
        } else if kind.is_dir() {
            files.entry(Some(idx), &path, meta(EntryKind::Dir), None);
        } else if kind.is_symlink() {
            files.entry(Some(idx), &path, meta(EntryKind::Symlink), None);
        }
        let replaces = |changes: &mut LayerChanges, path: &str| {
            changes.added.remove(path);
            if lower.files.contains_key(path) {
                changes.replaced.push(path.to_string());
            }
        };
        if kind.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .map(|l| normalize(&l))
                .unwrap_or_default();
            let source = changes
                .added
                .get(&target)
                .or_else(|| lower.files.get(&target))
                .map(|e| e.kept.clone());
            match source {
                Some(kept)
                    if classify(&path, false, 0).is_some() || matches!(kept, Kept::Found(..)) =>
                {
                    changes.added.insert(
                        path,
                        Entry {
                            layer: Some(idx),
                            kept,
                        },
                    );
                }
                _ => replaces(&mut changes, &path),
            }
            continue;
        }
        if !kind.is_file() {
            replaces(&mut changes, &path);
            continue;
        }
        let mode = entry.header().mode().unwrap_or(0);
        let size = entry.size();
        let Some(want) = classify(&path, mode & 0o111 != 0, size) else {
            replaces(&mut changes, &path);
            continue;
        };
        let mut data = Vec::new();
        let read = if let Some(bytes) = content {
            data = bytes;
            Ok(())
        } else if want == Want::Binary {
            // Most executables are not Go or Rust: look at the magic number first.
            let mut magic = [0u8; 4];
            match entry.read_exact(&mut magic) {
                Ok(()) if &magic == b"\x7fELF" => {
                    data.extend_from_slice(&magic);
                    entry.read_to_end(&mut data).map(|_| ())
                }
                Ok(()) => {
                    replaces(&mut changes, &path);
                    continue;
                }
                Err(e) => Err(e),
            }
        } else {
            entry.read_to_end(&mut data).map(|_| ())
        };
        if let Err(e) = read {
            fail(
                &mut problems,
                format!("{path}: {e}; the rest of this layer is not read"),
            );
            break;
        }
        match keep(&path, want, data) {
            Some(kept) => {
                changes.added.insert(
                    path,
                    Entry {
                        layer: Some(idx),
                        kept,
                    },
                );
            }
            None => replaces(&mut changes, &path),
        }
    }
    (changes, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalized() {
        assert_eq!(normalize(b"./var/lib/dpkg/status"), "var/lib/dpkg/status");
        assert_eq!(normalize(b"/etc/"), "etc");
        assert_eq!(blob_path("sha256:abc"), "blobs/sha256/abc");
    }
}
