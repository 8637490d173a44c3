//! Kustomize patches among the inputs. A patch names only the fields it changes: scanned as a
//! whole object it looks like a workload missing everything (no probes, no securityContext),
//! and like a second copy of the object it patches. The files a kustomization among the inputs
//! names as patches are therefore checked only for the values they set (`value_is_set`), and
//! are not objects of the set; what the patches build is checked with
//! `kustomize build DIR | stockade scan -`.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use stockade_model::{Level, LoadError, Loaded, Node, PodSpec, Value};

use crate::Input;

/// The start of the warning on a file a kustomization names as a patch.
pub const KUSTOMIZE_PATCH: &str = "Kustomize patch named by";

/// The files kustomizations among the inputs name as patches, each with the kustomization
/// that names it (as the scan shows its path).
#[derive(Debug, Default)]
pub(crate) struct Patches(HashMap<PathBuf, String>);

impl Patches {
    /// Reads every `kustomization.yaml` (`.yml`, `Kustomization`) among `inputs`. One that
    /// cannot be read or is not UTF-8 names no patches here; the scan reports it when it reads
    /// it.
    pub(crate) fn of(inputs: &[Input], max_file_size: u64) -> Self {
        // Read in parallel (a repository of many overlays has many), taken in input order:
        // where two name one file, the first names it.
        let named: Vec<(PathBuf, String)> = inputs
            .par_iter()
            .filter_map(|input| match input {
                Input::File(path) if is_kustomization(path) => Some(path),
                _ => None,
            })
            .flat_map_iter(|path| {
                let bytes = crate::inputs::read_input(path, max_file_size).unwrap_or_default();
                let text = std::str::from_utf8(&bytes).unwrap_or_default();
                let dir = path.parent().unwrap_or(Path::new(""));
                let shown = crate::inputs::path_name(path);
                stockade_model::documents(text)
                    .iter()
                    .flat_map(named_patches)
                    .map(|file| (normal(&dir.join(file)), shown.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut patches = HashMap::new();
        for (file, k) in named {
            patches.entry(file).or_insert(k);
        }
        Self(patches)
    }

    /// The kustomization that names `path` as a patch, if one does.
    pub(crate) fn of_file(&self, path: &Path) -> Option<&str> {
        if self.0.is_empty() {
            return None;
        }
        self.0.get(&normal(path)).map(String::as_str)
    }
}

/// The command that builds what the kustomization at `k` (a path as the scan shows it) makes.
fn build_command(k: &str) -> String {
    let dir = Path::new(k)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or_else(|| ".".to_string(), |d| d.display().to_string());
    format!("kustomize build {dir}")
}

/// Names a JSON patch (RFC 6902: a list of operations, which the loader reports as not an
/// object) as the patch of the kustomization `k`.
pub(crate) fn name_json_patches(errors: &mut [LoadError], k: &str) {
    for e in errors {
        if e.level == Level::Warning && e.message.starts_with(stockade_model::NOT_AN_OBJECT) {
            e.message = format!(
                "{KUSTOMIZE_PATCH} {k}, not a Kubernetes object: its operations are not checked \
                 here; to check what it builds, run `{} | stockade scan -`",
                build_command(k)
            );
        }
    }
}

/// Reads and loads every input, in parallel, in input order: each input's objects and load
/// problems, or why it could not be read. For the analyses of what a cluster would hold
/// (`stockade pss`, `rbac`, `netpol`): the patches a kustomization among the inputs names only
/// name the fields they change, and are left out of the objects with a warning that says so.
pub fn load_inputs(inputs: &[Input], max_file_size: u64) -> Vec<Result<Loaded, LoadError>> {
    let patches = Patches::of(inputs, max_file_size);
    inputs
        .par_iter()
        .map(|input| {
            let (mut loaded, path) = match input {
                Input::Bytes(name, bytes) => (stockade_model::load(name, bytes), None),
                Input::File(path) => {
                    let name = crate::inputs::path_name(path);
                    match crate::inputs::read_input(path, max_file_size) {
                        Ok(bytes) => (stockade_model::load(&name, &bytes), Some(path)),
                        Err(e) => return Err(LoadError::whole_file(name, e.to_string())),
                    }
                }
            };
            if let Some(k) = path.and_then(|p| patches.of_file(p)) {
                name_json_patches(&mut loaded.errors, k);
                if let Some(first) = loaded.objects.first() {
                    loaded.errors.push(LoadError {
                        file: first.file.clone(),
                        line: first.root.pos.line,
                        column: first.root.pos.col,
                        level: Level::Warning,
                        message: format!(
                            "{KUSTOMIZE_PATCH} {k}: left out, as it names only the fields it \
                             changes; to analyse what it builds, run `{}` and read its output \
                             from standard input (`-`)",
                            build_command(k)
                        ),
                    });
                    loaded.objects.clear();
                }
            }
            Ok(loaded)
        })
        .collect()
}

fn is_kustomization(path: &Path) -> bool {
    matches!(
        path.file_name().and_then(|n| n.to_str()),
        Some("kustomization.yaml" | "kustomization.yml" | "Kustomization")
    )
}

/// The patch files a kustomization names: `patches[].path`, `patchesJson6902[].path` and the
/// file entries of `patchesStrategicMerge` (its other entries are inline patches).
fn named_patches(root: &Node) -> Vec<&str> {
    let mut files = Vec::new();
    for key in ["patches", "patchesJson6902"] {
        for p in root.get(key).map(Node::items).unwrap_or_default() {
            if let Some(file) = p.str_at("path") {
                files.push(file);
            }
        }
    }
    for p in root
        .get("patchesStrategicMerge")
        .map(Node::items)
        .unwrap_or_default()
    {
        if let Some(file) = p.as_str().filter(|s| !s.contains('\n')) {
            files.push(file.trim());
        }
    }
    files
}

/// `path` with `.` and `a/..` taken out, without touching the file system: the walk's paths
/// and the kustomization's joined ones then compare equal.
fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            c => out.push(c.as_os_str()),
        }
    }
    out
}

/// Whether a finding at `path` is about a value the patch `root` sets: the field it names is
/// written in the patch, and is not one of the places findings about missing fields point at:
/// the object, its metadata or spec, a pod template, its metadata or pod spec, a container.
/// A field's value, a list, a list item such as a volume, or a mapping such as a volume's
/// `hostPath` is a value the patch sets.
pub(crate) fn value_is_set(root: &Node, pods: &[PodSpec], path: &str) -> bool {
    let Some(node) = root.at_path(path) else {
        return false;
    };
    match &node.value {
        Value::Scalar { .. } => !node.is_null(),
        Value::Seq(_) => true,
        Value::Map(_) => {
            let is = |other: Option<&Node>| other.is_some_and(|o| std::ptr::eq(o, node));
            let anchor = std::ptr::eq(root, node)
                || is(root.get("metadata"))
                || is(root.get("spec"))
                || pods.iter().any(|p| {
                    std::ptr::eq(p.spec, node)
                        || is(p.metadata)
                        || is(p.path.strip_suffix(".spec").and_then(|t| root.at_path(t)))
                        || p.containers.iter().any(|c| std::ptr::eq(c.node, node))
                });
            !anchor
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_compare_after_dots_are_taken_out() {
        assert_eq!(
            normal(Path::new("./overlays/prod/../../base/./a.yaml")),
            PathBuf::from("base/a.yaml")
        );
        assert_eq!(
            normal(Path::new("../x/../y.yaml")),
            PathBuf::from("../y.yaml")
        );
        assert_eq!(normal(Path::new("/a/b/../c")), PathBuf::from("/a/c"));
    }

    #[test]
    fn only_the_values_a_patch_writes_are_set() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n      labels: {a: b}\n    spec:\n      containers:\n        - name: web\n          securityContext: {privileged: true, runAsUser: ~}\n          args: [x]\n      volumes:\n        - name: h\n          hostPath: {path: /}\n";
        let obj = stockade_model::load("p.yaml", text.as_bytes())
            .objects
            .remove(0);
        let pods = stockade_model::pod_specs(&obj);
        let set = |path: &str| value_is_set(&obj.root, &pods, path);
        let c = "spec.template.spec.containers[0]";
        for path in [
            format!("{c}.securityContext.privileged"),
            format!("{c}.args"),
            format!("{c}.securityContext"),
            "spec.template.spec.volumes[0]".into(),
            "spec.template.spec.volumes[0].hostPath".into(),
            "spec.template.metadata.labels".into(),
        ] {
            assert!(set(&path), "{path}");
        }
        for path in [
            // Where findings about missing fields point.
            "",
            "metadata",
            "spec",
            "spec.template",
            "spec.template.metadata",
            "spec.template.spec",
            c,
            // Not written, or written empty.
            "spec.replicas",
            &format!("{c}.securityContext.runAsUser"),
            &format!("{c}.securityContext.allowPrivilegeEscalation"),
        ] {
            assert!(!set(path), "{path}");
        }
    }

    #[test]
    fn a_kustomization_names_its_patch_files() {
        let text = "patches:\n  - path: a.yaml\n  - patch: |-\n      - op: remove\n        path: /x\n    target: {kind: Deployment}\npatchesStrategicMerge:\n  - b.yaml\n  - |-\n    apiVersion: v1\n    kind: Service\npatchesJson6902:\n  - path: c.yaml\n    target: {kind: Deployment, name: web}\n";
        let root = stockade_model::documents(text).remove(0);
        assert_eq!(named_patches(&root), ["a.yaml", "c.yaml", "b.yaml"]);
    }
}
