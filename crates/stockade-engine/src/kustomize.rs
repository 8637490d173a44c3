//! Kustomize patches among the inputs. A patch names only the fields it changes: scanned as a
//! whole object it looks like a workload missing everything (no probes, no securityContext),
//! and like a second copy of the object it patches. The files a kustomization among the inputs
//! names as patches (`Patches`), and the patches written inside a kustomization
//! (`inline_patch_objects`), are therefore checked only for the values they set
//! (`value_is_set`); a JSON patch's `add` and `replace` values as an object of the kind its
//! target names (`partial_object`). No patch is an object of the set, and the analyses of what a
//! cluster holds leave them out (`load_inputs`). What the patches build is checked with
//! `kustomize build DIR | stockade scan -`.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use stockade_model::{Entry, Level, LoadError, Loaded, Node, Object, PodSpec, Pos, Value};

use crate::Input;

/// The start of the warning on a file a kustomization names as a patch.
pub const KUSTOMIZE_PATCH: &str = "Kustomize patch named by";

/// The files kustomizations among the inputs name as patches.
#[derive(Debug, Default)]
pub(crate) struct Patches {
    /// By the patch file's absolute path, dots taken out.
    files: HashMap<PathBuf, Patch>,
    /// Where relative paths start (a kustomization may name a patch by an absolute path while
    /// the scan was given relative ones, or the other way round).
    cwd: PathBuf,
}

/// A file a kustomization names as a patch.
#[derive(Debug, Clone)]
pub(crate) struct Patch {
    /// The kustomization, as the scan shows its path.
    pub kustomization: String,
    /// What it patches, when the kustomization says (`target:`): a JSON patch names no object
    /// of its own.
    pub target: Option<Target>,
}

/// A patch's `target:` in a kustomization.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Target {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
}

impl Patches {
    /// Reads every `kustomization.yaml` (`.yml`, `Kustomization`) among `inputs`. One that
    /// cannot be read or is not UTF-8 names no patches here; the scan reports it when it reads
    /// it.
    pub(crate) fn of(inputs: &[Input], max_file_size: u64) -> Self {
        // Read in parallel (a repository of many overlays has many), taken in input order:
        // where two name one file, the first names it.
        let named: Vec<(PathBuf, Patch)> = inputs
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
                    .map(|(file, target)| {
                        let patch = Patch {
                            kustomization: shown.clone(),
                            target,
                        };
                        (dir.join(file), patch)
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut patches = Self {
            files: HashMap::new(),
            cwd: std::env::current_dir().unwrap_or_default(),
        };
        for (file, k) in named {
            let key = patches.key(&file);
            patches.files.entry(key).or_insert(k);
        }
        patches
    }

    /// The patch `path` is, if a kustomization names it.
    pub(crate) fn of_file(&self, path: &Path) -> Option<&Patch> {
        if self.files.is_empty() {
            return None;
        }
        self.files.get(&self.key(path))
    }

    fn key(&self, path: &Path) -> PathBuf {
        normal(&self.cwd.join(path))
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

/// Checks the JSON patches (RFC 6902, lists of operations) in the patch file `name` like
/// strategic-merge patches: the values their `add` and `replace` operations set make a partial
/// object of the kind the kustomization's `target:` names, added to `loaded`. The loader's
/// "not a Kubernetes object" warning on such a document goes, or says which operations are
/// left unchecked; without a target kind it stays for [`name_json_patches`].
pub(crate) fn json_patch_objects(name: &str, bytes: &[u8], patch: &Patch, loaded: &mut Loaded) {
    let Some(target) = patch.target.as_ref().filter(|t| !t.kind.is_empty()) else {
        return;
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let file: std::sync::Arc<str> = name.into();
    // What to say on each JSON patch document's line, instead of the loader's warning.
    let mut said: HashMap<u32, Option<String>> = HashMap::new();
    for root in stockade_model::documents(text) {
        let Value::Seq(ops) = &root.value else {
            continue;
        };
        let (object, unchecked) = partial_object(&file, ops, target);
        let note = (!unchecked.is_empty()).then(|| {
            format!(
                "{KUSTOMIZE_PATCH} {}: {}; to check what it builds, run `{} | stockade scan -`",
                patch.kustomization,
                unchecked_phrase(&unchecked),
                build_command(&patch.kustomization)
            )
        });
        said.insert(root.pos.line, note);
        loaded.objects.extend(object);
    }
    if said.is_empty() {
        return;
    }
    loaded.errors.retain_mut(|e| {
        if e.level != Level::Warning || !e.message.starts_with(stockade_model::NOT_AN_OBJECT) {
            return true;
        }
        match said.get(&e.line) {
            Some(Some(note)) => {
                e.message.clone_from(note);
                true
            }
            Some(None) => false,
            None => true,
        }
    });
}

/// What a JSON patch's unchecked operations are, in words.
fn unchecked_phrase(unchecked: &[String]) -> String {
    format!(
        "some of its operations are not checked here ({}; only the values add and replace set \
         are)",
        unchecked.join("; ")
    )
}

/// The object of the kind `target` names holding the values `ops` add or replace, if they set
/// any; and the operations not applied (`remove`, `move`, `copy`, `test`).
fn partial_object(
    file: &std::sync::Arc<str>,
    ops: &[Node],
    target: &Target,
) -> (Option<Object>, Vec<String>) {
    // What the patch does not write (the target's identity, the fields made on a pointer's
    // way) is at no position: `value_is_set` never takes it for a value the patch sets.
    let at = MADE;
    let text = |t: &str| Node {
        value: Value::Scalar {
            text: t.into(),
            plain: false,
        },
        pos: at,
    };
    let entry = |key: &str, value: Node| Entry {
        key: key.into(),
        value,
    };
    let api_version = api_version_of(target);
    // A target without a name (every Deployment) gives the object none: a finding about a
    // missing name would be about the target, not the patch.
    let mut metadata = Vec::new();
    if !target.name.is_empty() {
        metadata.push(entry("name", text(&target.name)));
    }
    if let Some(ns) = &target.namespace {
        metadata.push(entry("namespace", text(ns)));
    }
    let mut root = Node {
        value: Value::Map(vec![
            entry("apiVersion", text(&api_version)),
            entry("kind", text(&target.kind)),
            entry(
                "metadata",
                Node {
                    value: Value::Map(metadata),
                    pos: at,
                },
            ),
        ]),
        pos: at,
    };
    let mut unchecked: Vec<String> = Vec::new();
    let mut set = false;
    // Fields the operations may make on their way, all together: as the loader bounds what
    // aliases expand to, a patch of many far-apart list indexes does not make millions.
    let mut budget = MAX_MADE_NODES;
    let mut name = |what: String| {
        if !unchecked.contains(&what) && unchecked.len() < 10 {
            unchecked.push(what);
        }
    };
    for (i, op) in ops.iter().enumerate() {
        if i == MAX_OPS {
            name(format!(
                "the {} after the first {MAX_OPS}",
                ops.len() - MAX_OPS
            ));
            break;
        }
        match op.str_at("op").unwrap_or_default() {
            kind @ ("add" | "replace") => {
                let path = op.str_at("path").unwrap_or_default();
                let applied = match op.get("value") {
                    Some(value) => put(&mut root, path, value.clone(), &mut budget),
                    None => false,
                };
                if applied {
                    set = true;
                } else {
                    name(format!("{kind} at `{path}`, which could not be applied"));
                }
            }
            other => name(if other.is_empty() {
                "an operation without `op`".to_string()
            } else {
                other.to_string()
            }),
        }
    }
    let object = set.then(|| Object {
        file: file.clone(),
        source: None,
        root,
        api_version,
        kind: target.kind.clone(),
        name: target.name.clone(),
        namespace: target.namespace.clone(),
    });
    (object, unchecked)
}

/// The patches written inside the kustomization file `name` (`patches[].patch`,
/// `patchesJson6902[].patch`, the inline entries of `patchesStrategicMerge`) as objects, at the
/// lines they are written on in the kustomization, to be checked only for the values they set;
/// and the problems with them.
pub(crate) fn inline_patch_objects(name: &str, bytes: &[u8]) -> (Vec<Object>, Vec<LoadError>) {
    let mut objects = Vec::new();
    let mut errors = Vec::new();
    let Ok(text) = std::str::from_utf8(bytes) else {
        return (objects, errors);
    };
    let lines: Vec<&str> = text.lines().collect();
    let file: std::sync::Arc<str> = name.into();
    for root in stockade_model::documents(text) {
        for (node, target) in inline_patches(&root) {
            let Some(body) = node.as_str() else {
                continue;
            };
            let to_file = placement(&lines, node.pos, body);
            // Loaded under no name (the kustomization's would make the loader's warnings about
            // it), then given the kustomization's.
            let mut loaded = stockade_model::load("", body.as_bytes());
            let json: Vec<Node> = stockade_model::documents(body)
                .into_iter()
                .filter(Node::is_seq)
                .collect();
            // The loader's word on a list of operations is replaced by what is said below.
            let json_lines: std::collections::HashSet<u32> =
                json.iter().map(|d| d.pos.line).collect();
            loaded.errors.retain(|e| {
                !(e.level == Level::Warning
                    && e.message.starts_with(stockade_model::NOT_AN_OBJECT)
                    && json_lines.contains(&e.line))
            });
            for mut e in loaded.errors {
                let at = to_file(Pos {
                    line: e.line.max(1),
                    col: e.column.max(1),
                });
                (e.file, e.line, e.column) = (file.clone(), at.line, at.col);
                e.message = format!("in an inline patch: {}", e.message);
                errors.push(e);
            }
            for mut o in loaded.objects {
                place(&mut o.root, &to_file);
                o.file = file.clone();
                objects.push(o);
            }
            for mut doc in json {
                place(&mut doc, &to_file);
                let note = |message: String| LoadError {
                    file: file.clone(),
                    line: doc.pos.line,
                    column: doc.pos.col,
                    level: Level::Warning,
                    message,
                    check: None,
                };
                let Some(t) = target.as_ref().filter(|t| !t.kind.is_empty()) else {
                    errors.push(note(
                        "inline JSON patch without a target kind: its operations are not checked \
                         here; to check what it builds, run `kustomize build` on its directory"
                            .into(),
                    ));
                    continue;
                };
                let (object, unchecked) = partial_object(&file, doc.items(), t);
                if !unchecked.is_empty() {
                    errors.push(note(format!(
                        "inline JSON patch: {}; to check what it builds, run `kustomize build` \
                         on its directory",
                        unchecked_phrase(&unchecked)
                    )));
                }
                objects.extend(object);
            }
        }
    }
    (objects, errors)
}

/// The kustomizations of a kustomization file written without `apiVersion` and `kind` (as
/// Kustomize allows) that rewrite images: objects of kind `Kustomization`, so that the image
/// checks read their `images:` as they read a kustomization that names its kind (the loader
/// reports the document itself as Kustomize configuration).
pub(crate) fn implicit_kustomizations(name: &str, bytes: &[u8]) -> Vec<Object> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Vec::new();
    };
    let file: std::sync::Arc<str> = name.into();
    stockade_model::documents(text)
        .into_iter()
        .filter(|root| {
            root.is_map()
                && root.get("apiVersion").is_none()
                && root.get("kind").is_none()
                && root.get("images").is_some_and(|i| !i.items().is_empty())
        })
        .map(|root| {
            let metadata = root.get("metadata");
            let name = metadata.and_then(|m| m.str_at("name")).unwrap_or_default();
            let namespace = metadata.and_then(|m| m.str_at("namespace"));
            Object {
                file: file.clone(),
                source: None,
                api_version: "kustomize.config.k8s.io/v1beta1".into(),
                kind: "Kustomization".into(),
                name: name.into(),
                namespace: namespace.map(Into::into),
                root,
            }
        })
        .collect()
}

/// Whether a `patchesStrategicMerge` entry is a patch written in place rather than a file name:
/// several lines, or JSON (`{"apiVersion": ...}`).
fn inline(entry: &str) -> bool {
    entry.contains('\n') || entry.trim_start().starts_with(['{', '['])
}

/// The inline patches of a kustomization, each with its target.
fn inline_patches(root: &Node) -> Vec<(&Node, Option<Target>)> {
    patch_entries(root)
        .into_iter()
        .filter_map(|(entry, target)| match entry {
            Listed::Inline(patch) => Some((patch, target)),
            Listed::File(_) => None,
        })
        .collect()
}

/// Maps a position in the text of a patch written at `at` in the kustomization to the
/// kustomization's. A literal block (`patch: |-`, `- |`) is found where its lines are written,
/// from `at`'s line on, and keeps its lines and columns there; a patch whose lines are not
/// written as they read (a folded `>` block, a quoted string) is placed at `at` as a whole.
fn placement(lines: &[&str], at: Pos, body: &str) -> impl Fn(Pos) -> Pos {
    let body_lines: Vec<&str> = body.lines().collect();
    let leading = body_lines
        .iter()
        .take_while(|l| l.trim().is_empty())
        .count();
    let start = body_lines.get(leading).and_then(|first| {
        let own = first.len() - first.trim_start_matches(' ').len();
        // The first written line at or just after `at` (past the blank lines the body opens
        // with), and every other line of the body as written below it.
        (at.line..=at.line + 1 + leading as u32).find_map(|n| {
            let first_at = (n as usize).checked_sub(1)?;
            let written = lines.get(first_at)?;
            let indent = written.len() - written.trim_start_matches(' ').len();
            if written.trim() != first.trim() || indent < own {
                return None;
            }
            let shift = indent - own;
            let all = body_lines[leading..].iter().enumerate().all(|(k, l)| {
                lines.get(first_at + k).is_some_and(|w| {
                    w.trim().is_empty() && l.trim().is_empty()
                        || w.get(shift..).is_some_and(|w| w.trim_end() == l.trim_end())
                })
            });
            all.then(|| (n.checked_sub(leading as u32), shift as u32))
                .and_then(|(line, shift)| Some((line?, shift)))
        })
    });
    move |p: Pos| match start {
        Some((line, indent)) => Pos {
            line: line + p.line.saturating_sub(1),
            col: indent + p.col,
        },
        None => at,
    }
}

/// Moves every position in `node` with `to`.
fn place(node: &mut Node, to: &impl Fn(Pos) -> Pos) {
    node.pos = to(node.pos);
    match &mut node.value {
        Value::Map(entries) => entries.iter_mut().for_each(|e| place(&mut e.value, to)),
        Value::Seq(items) => items.iter_mut().for_each(|n| place(n, to)),
        Value::Scalar { .. } => {}
    }
}

/// A patch entry's `target:`.
fn target_of(p: &Node) -> Option<Target> {
    p.get("target").filter(|t| t.is_map()).map(|t| {
        let field = |k: &str| t.str_at(k).unwrap_or_default().to_string();
        Target {
            group: field("group"),
            version: field("version"),
            kind: field("kind"),
            name: field("name"),
            namespace: t.str_at("namespace").map(str::to_string),
        }
    })
}

/// `target`'s apiVersion; a built-in kind's group when the target names none.
fn api_version_of(t: &Target) -> String {
    let version = if t.version.is_empty() {
        "v1"
    } else {
        &t.version
    };
    let group = if t.group.is_empty() {
        match t.kind.as_str() {
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => "apps",
            "Job" | "CronJob" => "batch",
            "Ingress" | "NetworkPolicy" => "networking.k8s.io",
            "Role" | "RoleBinding" | "ClusterRole" | "ClusterRoleBinding" => {
                "rbac.authorization.k8s.io"
            }
            _ => "",
        }
    } else {
        &t.group
    };
    if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    }
}

/// The most fields a JSON pointer may name on its way.
const MAX_POINTER_DEPTH: usize = 64;

/// The most operations of one JSON patch applied (each looks its fields up one by one).
const MAX_OPS: usize = 5_000;

/// The position of what a JSON patch's object holds but the patch does not write.
const MADE: Pos = Pos { line: 0, col: 0 };

/// The most fields and list items the operations of one JSON patch may make.
const MAX_MADE_NODES: usize = 100_000;

/// Sets `value` at the JSON pointer `pointer` in `root`, making the mappings and lists on the
/// way (at no position: [`MADE`]); a list index past the end is padded with empty mappings,
/// at most a thousand. False when the pointer cannot be followed (through a scalar, a bad
/// index, `-` before the last field), or would make more than `budget` fields and items.
fn put(root: &mut Node, pointer: &str, value: Node, budget: &mut usize) -> bool {
    let pos = MADE;
    let Some(rest) = pointer.strip_prefix('/') else {
        return false;
    };
    let tokens: Vec<String> = rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    // Deeper than any object: refused, as the loader refuses deep documents.
    if tokens.len() > MAX_POINTER_DEPTH {
        return false;
    }
    let is_index = |t: &str| t == "-" || (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()));
    let empty = |seq: bool| Node {
        value: if seq {
            Value::Seq(Vec::new())
        } else {
            Value::Map(Vec::new())
        },
        pos,
    };
    let mut node = root;
    for (i, tok) in tokens.iter().enumerate() {
        let last = i + 1 == tokens.len();
        let next_seq = !last && is_index(&tokens[i + 1]);
        if node.is_null() {
            *node = empty(is_index(tok));
        }
        node = match &mut node.value {
            Value::Map(entries) => {
                let at = match entries.iter().position(|e| &*e.key == tok.as_str()) {
                    Some(at) => at,
                    None => {
                        *budget = match budget.checked_sub(1) {
                            Some(b) => b,
                            None => return false,
                        };
                        entries.push(Entry {
                            key: tok.as_str().into(),
                            value: empty(next_seq),
                        });
                        entries.len() - 1
                    }
                };
                if last {
                    entries[at].value = value;
                    return true;
                }
                &mut entries[at].value
            }
            Value::Seq(items) => {
                let at = if tok == "-" && last {
                    items.len()
                } else {
                    match tok.parse::<usize>() {
                        Ok(at) if at <= 1_000 => at,
                        _ => return false,
                    }
                };
                if at >= items.len() {
                    *budget = match budget.checked_sub(at + 1 - items.len()) {
                        Some(b) => b,
                        None => return false,
                    };
                    items.resize(at, empty(false));
                    items.push(empty(next_seq));
                }
                if last {
                    items[at] = value;
                    return true;
                }
                &mut items[at]
            }
            Value::Scalar { .. } => return false,
        };
    }
    false
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
            if let Some(k) = path
                .and_then(|p| patches.of_file(p))
                .map(|p| &p.kustomization)
            {
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
                        check: None,
                    });
                    loaded.objects.clear();
                }
            }
            Ok(loaded)
        })
        .collect()
}

pub(crate) fn is_kustomization(path: &Path) -> bool {
    matches!(
        path.file_name().and_then(|n| n.to_str()),
        Some("kustomization.yaml" | "kustomization.yml" | "Kustomization")
    )
}

/// The patch files a kustomization names, with their targets.
fn named_patches(root: &Node) -> Vec<(&str, Option<Target>)> {
    patch_entries(root)
        .into_iter()
        .filter_map(|(entry, target)| match entry {
            Listed::File(file) => Some((file, target)),
            Listed::Inline(_) => None,
        })
        .collect()
}

/// A patch a kustomization lists: a file it names, or a patch written in place.
enum Listed<'a> {
    File(&'a str),
    Inline(&'a Node),
}

/// Every patch a kustomization lists, with its target: `patches[]` and `patchesJson6902[]` by
/// `path` or written as `patch`, and `patchesStrategicMerge[]`, file names or patches written
/// in place ([`inline`]).
fn patch_entries(root: &Node) -> Vec<(Listed<'_>, Option<Target>)> {
    let mut found = Vec::new();
    for key in ["patches", "patchesJson6902"] {
        for p in root.get(key).map(Node::items).unwrap_or_default() {
            if let Some(file) = p.str_at("path") {
                found.push((Listed::File(file), target_of(p)));
            }
            if let Some(patch) = p.get("patch").filter(|n| n.as_str().is_some()) {
                found.push((Listed::Inline(patch), target_of(p)));
            }
        }
    }
    for p in root
        .get("patchesStrategicMerge")
        .map(Node::items)
        .unwrap_or_default()
    {
        match p.as_str() {
            Some(text) if inline(text) => found.push((Listed::Inline(p), None)),
            Some(file) => found.push((Listed::File(file.trim()), None)),
            None => {}
        }
    }
    found
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

/// The pod specs of a patch: those of an object, or where its kind keeps one when the patch
/// sets pod fields but names no container (`hostNetwork: true` alone).
pub(crate) fn patch_pod_specs(obj: &Object) -> Vec<PodSpec<'_>> {
    let found = stockade_model::pod_specs(obj);
    if !found.is_empty() {
        return found;
    }
    let template = match obj.kind.as_str() {
        "Pod" => "",
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => "spec.template",
        "CronJob" => "spec.jobTemplate.spec.template",
        "PodTemplate" => "template",
        _ => return found,
    };
    let join = |field: &str| {
        if template.is_empty() {
            field.to_string()
        } else {
            format!("{template}.{field}")
        }
    };
    let (path, metadata_path) = (join("spec"), join("metadata"));
    match obj.root.at_path(&path) {
        Some(spec) if spec.is_map() => vec![PodSpec {
            spec,
            metadata: obj.root.at_path(&metadata_path),
            path,
            metadata_path,
            containers: Vec::new(),
        }],
        _ => found,
    }
}

/// Whether a finding at `path` is about a value the patch `root` sets. A patch is merged into
/// its base: a mapping it writes keeps the base's other fields, so a finding about a field
/// missing from the object, its metadata or spec, a pod template, pod spec or container, or a
/// mapping that is merged field by field ([`MERGED`]: labels, securityContext, resources,
/// probes...) is about the base. What the patch sets is a scalar it writes, a list, a list item
/// (a volume, a sysctl, an environment variable), or a mapping under another field (a volume's
/// `hostPath`, an `envFrom` item's `secretRef`, a misspelt field). Not a value either: what
/// names the object (`apiVersion`, `kind`, `metadata.name`, `metadata.namespace`; the base has
/// the same), a strategic-merge directive (`$patch`), and what a JSON patch's object holds that
/// the patch does not write ([`MADE`]).
pub(crate) fn value_is_set(root: &Node, pods: &[PodSpec], path: &str) -> bool {
    if matches!(
        path,
        "apiVersion" | "kind" | "metadata.name" | "metadata.namespace"
    ) || path.starts_with('$')
        || path.contains(".$")
        || path.contains("[\"$")
    {
        return false;
    }
    let Some(node) = root.at_path(path) else {
        return false;
    };
    if node.pos == MADE {
        return false;
    }
    match &node.value {
        Value::Scalar { .. } => !node.is_null(),
        Value::Seq(_) => true,
        Value::Map(_) => {
            let is = |other: Option<&Node>| other.is_some_and(|o| std::ptr::eq(o, node));
            let structural = std::ptr::eq(root, node)
                || is(root.get("metadata"))
                || is(root.get("spec"))
                || pods.iter().any(|p| {
                    std::ptr::eq(p.spec, node)
                        || is(p.metadata)
                        || is(p.path.strip_suffix(".spec").and_then(|t| root.at_path(t)))
                        || p.containers.iter().any(|c| std::ptr::eq(c.node, node))
                });
            let key = if path.ends_with(']') {
                ""
            } else {
                path.rsplit('.').next().unwrap_or(path)
            };
            !structural && !MERGED.contains(&key)
        }
    }
}

/// Fields whose mappings a strategic merge patch merges field by field, and that findings about
/// fields missing inside them point at.
const MERGED: &[&str] = &[
    "labels",
    "annotations",
    "selector",
    "securityContext",
    "capabilities",
    "seccompProfile",
    "appArmorProfile",
    "seLinuxOptions",
    "windowsOptions",
    "resources",
    "limits",
    "requests",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
    "strategy",
    "rollingUpdate",
    "dnsConfig",
    "affinity",
    "nodeAffinity",
    "podAffinity",
    "podAntiAffinity",
];

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
            "spec.template.spec.volumes[0]".into(),
            "spec.template.spec.volumes[0].hostPath".into(),
            "spec.template.spec.volumes[0].hostPath.path".into(),
            "spec.template.metadata.labels.a".into(),
        ] {
            assert!(set(&path), "{path}");
        }
        for path in [
            // Where findings about missing fields point: mappings the base may fill.
            "",
            "metadata",
            "spec",
            "spec.template",
            "spec.template.metadata.labels",
            &format!("{c}.securityContext"),
            // What names the object.
            "kind",
            "metadata.name",
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
    fn json_pointers_make_the_fields_on_their_way() {
        let doc = |t: &str| stockade_model::documents(t).remove(0);
        let mut root = doc("metadata:\n  annotations:\n    a: b\nspec:\n  replicas: 1\n");
        let v = |t: &str| doc(t);
        let mut budget = usize::MAX;
        // `~1` is `/`, `~0` is `~`.
        assert!(put(
            &mut root,
            "/metadata/annotations/x.io~1a~0b",
            v("y"),
            &mut budget
        ));
        assert_eq!(
            root.at_path("metadata.annotations[\"x.io/a~b\"]")
                .and_then(Node::as_str),
            Some("y")
        );
        // Lists: made, padded with empty mappings, appended to with `-`.
        assert!(put(
            &mut root,
            "/spec/template/spec/containers/1/image",
            v("nginx"),
            &mut budget
        ));
        assert!(put(
            &mut root,
            "/spec/template/spec/containers/-",
            v("{name: c}"),
            &mut budget
        ));
        let containers = root
            .at_path("spec.template.spec.containers")
            .unwrap()
            .items();
        assert_eq!(containers.len(), 3);
        assert!(containers[0].entries().is_empty() && containers[0].pos == MADE);
        assert_eq!(containers[1].str_at("image"), Some("nginx"));
        assert_eq!(containers[2].str_at("name"), Some("c"));
        // A replaced value keeps the patch's own position.
        let mut four = v("4");
        four.pos = Pos { line: 3, col: 3 };
        assert!(put(&mut root, "/spec/replicas", four, &mut budget));
        assert_eq!(
            root.at_path("spec.replicas").unwrap().pos,
            Pos { line: 3, col: 3 }
        );
        // Through a scalar, an index far past the end, no leading slash: nothing set.
        let deep = "/a".repeat(100_000);
        for bad in [
            "/spec/replicas/x",
            "/spec/template/spec/containers/5000",
            "spec/x",
            "",
            &deep,
        ] {
            assert!(
                !put(&mut root, bad, v("1"), &mut budget),
                "{}",
                &bad[..bad.len().min(20)]
            );
        }
        // Far-apart list indexes stop at the budget instead of making millions of items.
        let mut budget = 2_500;
        let made: usize = (0..100)
            .filter(|i| {
                let path = format!("/spec/x{i}/999");
                put(&mut root, &path, v("1"), &mut budget)
            })
            .count();
        assert_eq!(made, 2);
    }

    #[test]
    fn an_inline_patch_keeps_its_lines_only_where_they_are_written_as_they_read() {
        let file = "patches:\n  - patch: |-\n\n      kind: A\n      spec:\n        x: 1\n  - patch: >\n      kind: B\n      spec: {x: 1}\n";
        let lines: Vec<&str> = file.lines().collect();
        let roots = stockade_model::documents(file);
        let patches = roots[0].get("patches").unwrap().items();
        let at = |i: usize| patches[i].get("patch").unwrap();
        // A literal block opening with a blank line: `x` is on line 6, column 9.
        let to = placement(&lines, at(0).pos, at(0).as_str().unwrap());
        assert_eq!(to(Pos { line: 4, col: 3 }), Pos { line: 6, col: 9 });
        // A folded block reads as other lines than it is written on: placed at its key.
        let to = placement(&lines, at(1).pos, at(1).as_str().unwrap());
        assert_eq!(to(Pos { line: 1, col: 1 }), at(1).pos);
    }

    #[test]
    fn a_target_without_a_group_gets_its_kinds() {
        let t = |kind: &str, group: &str, version: &str| Target {
            kind: kind.into(),
            group: group.into(),
            version: version.into(),
            ..Target::default()
        };
        assert_eq!(api_version_of(&t("Deployment", "", "")), "apps/v1");
        assert_eq!(api_version_of(&t("CronJob", "", "")), "batch/v1");
        assert_eq!(api_version_of(&t("Pod", "", "")), "v1");
        assert_eq!(
            api_version_of(&t("Rollout", "argoproj.io", "v1alpha1")),
            "argoproj.io/v1alpha1"
        );
    }

    #[test]
    fn a_kustomization_names_its_patch_files() {
        let text = "patches:\n  - path: a.yaml\n  - patch: |-\n      - op: remove\n        path: /x\n    target: {kind: Deployment}\npatchesStrategicMerge:\n  - b.yaml\n  - |-\n    apiVersion: v1\n    kind: Service\npatchesJson6902:\n  - path: c.yaml\n    target: {kind: Deployment, name: web}\n";
        // A byte order mark is not part of the first key.
        let root = stockade_model::documents(&format!("\u{feff}{text}")).remove(0);
        let named = named_patches(&root);
        let files: Vec<_> = named.iter().map(|(f, _)| *f).collect();
        assert_eq!(files, ["a.yaml", "c.yaml", "b.yaml"]);
        assert_eq!(named[0].1, None);
        assert_eq!(
            named[1].1,
            Some(Target {
                kind: "Deployment".into(),
                name: "web".into(),
                ..Target::default()
            })
        );
    }
}
