//! Loads Kubernetes objects from YAML and JSON streams, keeping source positions.
//!
//! A file is split into documents at `---` lines before parsing, so a syntax error in one
//! document is reported with its line and the other documents are still loaded.

use std::collections::HashMap;
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScanError, Span};

use crate::node::{Entry, Node, Pos, Text, Value};

/// Deepest nesting accepted. Kubernetes objects stay far below it; deeper input is hostile or
/// broken and would cost stack on drop.
pub const MAX_DEPTH: usize = 200;
/// Nodes that alias expansion may add to one document beyond its own size (billion laughs).
pub const MAX_ALIAS_NODES: usize = 200_000;

/// A Kubernetes object loaded from a file.
#[derive(Debug, Clone)]
pub struct Object {
    /// The file it came from (`-` for stdin).
    pub file: Arc<str>,
    /// The Helm template that produced it, from a `# Source:` comment.
    pub source: Option<Arc<str>>,
    /// The object's tree.
    pub root: Node,
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name` (or `generateName`), empty when absent.
    pub name: String,
    /// `metadata.namespace`, if set.
    pub namespace: Option<String>,
}

impl Object {
    /// Leaves only `apiVersion`, `kind` and `metadata` in the object's tree (what the engine
    /// keeps of an object whose other fields nothing will read).
    pub fn keep_metadata_only(&mut self) {
        if let Value::Map(entries) = &mut self.root.value {
            entries.retain(|e| matches!(&*e.key, "apiVersion" | "kind" | "metadata"));
            entries.shrink_to_fit();
        }
    }

    /// The API group (`apps` for `apps/v1`, empty for core `v1`).
    pub fn group(&self) -> &str {
        // Asked by most checks of every object: for a string this short, a plain loop costs
        // less than the setup of the `str` search `split_once` makes.
        match self.api_version.bytes().position(|b| b == b'/') {
            Some(i) => &self.api_version[..i],
            None => "",
        }
    }

    /// `metadata`, or a null node.
    pub fn metadata(&self) -> &Node {
        self.root.get("metadata").unwrap_or(Node::null())
    }
}

/// How bad a load problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Input that is not Kubernetes at all: reported, but the scan's verdict is unchanged.
    Warning,
    /// Input that could not be read or parsed: exit code 2.
    Error,
}

/// A problem with the input, with its location.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LoadError {
    /// The file.
    pub file: Arc<str>,
    /// 1-based line, 0 when the whole file is concerned.
    pub line: u32,
    /// 1-based column, 0 when unknown.
    pub column: u32,
    /// Error or warning.
    pub level: Level,
    /// A plain message.
    pub message: String,
    /// The check or custom policy that failed, when the error is one of a check that could not
    /// evaluate an object (the webhook applies that check's mode to it); not in the reports.
    #[serde(skip)]
    pub check: Option<Arc<str>>,
}

impl LoadError {
    /// An error about a whole file (it cannot be read, it is too large): no line or column.
    pub fn whole_file(file: impl Into<Arc<str>>, message: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line: 0,
            column: 0,
            level: Level::Error,
            message: message.into(),
            check: None,
        }
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

/// Everything loaded from one file.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The objects, in source order (List items expanded).
    pub objects: Vec<Object>,
    /// Problems, in source order.
    pub errors: Vec<LoadError>,
}

/// Loads every object in `bytes`, which came from `file`.
pub fn load(file: &str, bytes: &[u8]) -> Loaded {
    let file: Arc<str> = file.into();
    let mut out = Loaded::default();
    let err = |line: u32, column: u32, message: String| LoadError {
        file: file.clone(),
        line,
        column,
        level: Level::Error,
        message,
        check: None,
    };
    let probe = &bytes[..bytes.len().min(8192)];
    if probe.contains(&0) {
        out.errors.push(err(
            0,
            0,
            "binary file (contains NUL bytes), not YAML or JSON".into(),
        ));
        return out;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let before = &bytes[..e.valid_up_to()];
            let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
            let col = (before.len()
                - before
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1)) as u32
                + 1;
            out.errors.push(err(
                line,
                col,
                format!(
                    "not valid UTF-8 (invalid byte at offset {})",
                    e.valid_up_to()
                ),
            ));
            return out;
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let sources = helm_sources(text);
    let mut looked_like_k8s = false;
    let mut other_docs = Vec::new();
    let mut builder = Builder::default();
    for (first_line, chunk) in split_documents(text) {
        let mut parsed = parse_document(chunk, first_line, &mut builder);
        for e in parsed.errors.drain(..) {
            out.errors.push(err(e.0.line, e.0.col, e.1));
        }
        for root in parsed.docs {
            let source = sources
                .iter()
                .rev()
                .find(|(line, _)| *line < root.pos.line && *line >= first_line)
                .map(|(_, s)| s.clone());
            match classify(&root) {
                Doc::Empty => {}
                Doc::Object => {
                    looked_like_k8s = true;
                    push_object(&file, source, root, &mut out);
                }
                Doc::Broken(msg) => {
                    looked_like_k8s = true;
                    out.errors.push(err(root.pos.line, root.pos.col, msg));
                }
                Doc::Other(msg) => other_docs.push((root.pos, kustomize_hint(&file, msg))),
            }
        }
    }
    for (pos, msg) in other_docs {
        // A document that is not Kubernetes beside real objects is broken input; a file with
        // no Kubernetes at all (a Helm values file, a config file) is only reported.
        let level = if looked_like_k8s {
            Level::Error
        } else {
            Level::Warning
        };
        out.errors.push(LoadError {
            file: file.clone(),
            line: pos.line,
            column: pos.col,
            level,
            message: msg,
            check: None,
        });
    }
    out.errors.sort_by_key(|e| (e.line, e.column));
    out
}

enum Doc {
    Empty,
    Object,
    Broken(String),
    Other(String),
}

/// The root of every document in `text`, whatever it holds (a Kustomize file, a JSON patch):
/// for reading files that are not objects. Problems are left to [`load`], which reports them.
pub fn documents(text: &str) -> Vec<Node> {
    // As `load` reads it: a byte order mark is not part of the first key.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut builder = Builder::default();
    split_documents(text)
        .into_iter()
        .flat_map(|(first_line, chunk)| parse_document(chunk, first_line, &mut builder).docs)
        .collect()
}

/// One chunk between `---` lines, by the byte-level fast path when it can read it, by saphyr
/// otherwise.
fn parse_document(chunk: &str, first_line: u32, builder: &mut Builder) -> ParsedChunk {
    match crate::fast::parse(chunk, first_line) {
        Some((root, errors)) => ParsedChunk {
            docs: vec![root],
            errors,
        },
        None => parse_chunk(chunk, first_line, builder),
    }
}

/// The start of the warning for a document that is not a Kubernetes object.
pub const NOT_AN_OBJECT: &str = "not a Kubernetes object";

/// A Kustomize file (`kustomization.yaml`) is configuration for `kustomize build`, not an
/// object: the warning says so, and how to check what it builds.
fn kustomize_hint(file: &str, msg: String) -> String {
    let path = std::path::Path::new(file);
    if !matches!(
        path.file_name().and_then(|n| n.to_str()),
        Some("kustomization.yaml" | "kustomization.yml" | "Kustomization")
    ) {
        return msg;
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.display().to_string(),
        _ => ".".to_string(),
    };
    format!(
        "Kustomize configuration, not a Kubernetes object: the manifests beside it are scanned \
         as written, the patches it names only for the values they set and its `images:` for \
         the names, tags and digests they set; to check what it builds, run \
         `kustomize build {dir} | stockade scan -`"
    )
}

fn classify(root: &Node) -> Doc {
    if root.is_null() {
        return Doc::Empty;
    }
    let what = match &root.value {
        Value::Map(_) => None,
        Value::Seq(_) => Some("a sequence"),
        Value::Scalar { .. } => Some("a scalar"),
    };
    if let Some(what) = what {
        return Doc::Other(format!(
            "{NOT_AN_OBJECT}: the document is {what}, not a mapping with apiVersion and kind"
        ));
    }
    let api = root.get("apiVersion");
    let kind = root.get("kind");
    match (api.and_then(Node::as_str), kind.and_then(Node::as_str)) {
        (Some(_), Some(_)) => Doc::Object,
        (None, None) if api.is_none() && kind.is_none() => Doc::Other(format!(
            "{NOT_AN_OBJECT}: the mapping has no apiVersion and no kind"
        )),
        (None, _) => Doc::Broken(
            "Kubernetes object without apiVersion (a non-empty string is required)".into(),
        ),
        (_, None) => {
            Doc::Broken("Kubernetes object without kind (a non-empty string is required)".into())
        }
    }
}

fn push_object(file: &Arc<str>, source: Option<Arc<str>>, root: Node, out: &mut Loaded) {
    let kind = root.str_at("kind").unwrap_or_default().to_string();
    if kind.ends_with("List") && root.get("items").is_some_and(Node::is_seq) {
        // The API server omits kind and apiVersion in the items of a typed list (PodList):
        // they are implied by the list's.
        let item_kind = kind.strip_suffix("List").filter(|k| !k.is_empty());
        let list_api = root.str_at("apiVersion").map(str::to_string);
        let Value::Map(entries) = root.value else {
            return;
        };
        for e in entries {
            if &*e.key != "items" {
                continue;
            }
            let Value::Seq(items) = e.value.value else {
                continue;
            };
            for mut item in items {
                if let (Some(k), Some(api), Value::Map(fields)) =
                    (item_kind, &list_api, &mut item.value)
                    && !fields
                        .iter()
                        .any(|f| &*f.key == "kind" || &*f.key == "apiVersion")
                {
                    let pos = item.pos;
                    let scalar = |text: &str| Node {
                        value: Value::Scalar {
                            text: text.into(),
                            plain: false,
                        },
                        pos,
                    };
                    fields.push(Entry {
                        key: "apiVersion".into(),
                        value: scalar(api),
                    });
                    fields.push(Entry {
                        key: "kind".into(),
                        value: scalar(k),
                    });
                }
                match classify(&item) {
                    Doc::Empty => {}
                    Doc::Object => push_object(file, source.clone(), item, out),
                    Doc::Broken(m) | Doc::Other(m) => out.errors.push(LoadError {
                        file: file.clone(),
                        line: item.pos.line,
                        column: item.pos.col,
                        level: Level::Error,
                        message: format!("{kind} item: {m}"),
                        check: None,
                    }),
                }
            }
        }
        return;
    }
    let meta = root.get("metadata");
    let name = meta
        .and_then(|m| m.str_at("name").or_else(|| m.str_at("generateName")))
        .unwrap_or_default()
        .to_string();
    let namespace = meta.and_then(|m| m.str_at("namespace")).map(str::to_string);
    out.objects.push(Object {
        file: file.clone(),
        source,
        api_version: root.str_at("apiVersion").unwrap_or_default().to_string(),
        kind,
        name,
        namespace,
        root,
    });
}

/// `# Source: chart/templates/x.yaml` comments written by `helm template`, with their lines.
fn helm_sources(text: &str) -> Vec<(u32, Arc<str>)> {
    // memchr's SIMD search: this reads every file once, and most have no such comment.
    if memchr::memmem::find(text.as_bytes(), b"# Source: ").is_none() {
        return Vec::new();
    }
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            l.strip_prefix("# Source: ")
                .map(|s| (i as u32 + 1, Arc::from(s.trim())))
        })
        .collect()
}

/// Splits at lines that start a document (`---` followed by a space or the line end). Returns
/// each chunk with its 1-based first line. YAML forbids such a line inside a document, so this
/// never cuts a valid document in two.
pub(crate) fn split_documents(text: &str) -> Vec<(u32, &str)> {
    let bytes = text.as_bytes();
    let mut chunks = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1u32;
    // Lines are counted lazily, only up to each split, with a vectorised byte count.
    let (mut counted, mut line) = (0usize, 1u32);
    for i in memchr::memmem::find_iter(bytes, b"---") {
        if i == 0 || bytes[i - 1] != b'\n' || !is_doc_start(&text[i..]) {
            continue;
        }
        line += memchr::memchr_iter(b'\n', &bytes[counted..i]).count() as u32;
        counted = i;
        chunks.push((start_line, &text[start..i]));
        start = i;
        start_line = line;
    }
    chunks.push((start_line, &text[start..]));
    chunks
}

/// `rest` starts at the beginning of a line: does that line open a document?
fn is_doc_start(rest: &str) -> bool {
    rest.strip_prefix("---")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\n', '\r']))
}

pub(crate) struct ParsedChunk {
    pub(crate) docs: Vec<Node>,
    pub(crate) errors: Vec<(Pos, String)>,
}

/// An open collection. Its children live in the builder's shared scratch vectors from
/// `start` on, so each finished collection is allocated once, at its exact size, instead of
/// growing its own vector child by child.
struct Frame {
    pos: Pos,
    anchor: usize,
    start: usize,
    kind: FrameKind,
}

enum FrameKind {
    Seq,
    Map { key: Option<(Text, Pos)> },
}

/// Turns parser events into trees.
#[derive(Default)]
pub(crate) struct Builder {
    stack: Vec<Frame>,
    items: Vec<Node>,
    entries: Vec<Entry>,
}

impl Builder {
    fn clear(&mut self) {
        self.stack.clear();
        self.items.clear();
        self.entries.clear();
    }

    fn open(&mut self, pos: Pos, anchor: usize, kind: FrameKind) {
        let start = match kind {
            FrameKind::Seq => self.items.len(),
            FrameKind::Map { .. } => self.entries.len(),
        };
        self.stack.push(Frame {
            pos,
            anchor,
            start,
            kind,
        });
    }

    /// Adds a finished node to the innermost open collection, or returns it as the root.
    fn attach(&mut self, mut node: Node, errors: &mut Vec<(Pos, String)>) -> Option<Node> {
        let Some(frame) = self.stack.last_mut() else {
            return Some(node);
        };
        match &mut frame.kind {
            FrameKind::Seq => self.items.push(node),
            FrameKind::Map { key } => match key.take() {
                None => {
                    let text: Text = match node.value {
                        Value::Scalar { text, .. } => text,
                        _ => {
                            errors.push((
                                node.pos,
                                "a mapping key that is not a scalar is not valid in Kubernetes objects"
                                    .into(),
                            ));
                            "?".into()
                        }
                    };
                    *key = Some((text, node.pos));
                }
                Some((k, kpos)) => {
                    node.pos = kpos;
                    self.entries.push(Entry {
                        key: k,
                        value: node,
                    });
                }
            },
        }
        None
    }
}

pub(crate) fn parse_chunk(chunk: &str, first_line: u32, b: &mut Builder) -> ParsedChunk {
    let mut out = ParsedChunk {
        docs: Vec::new(),
        errors: Vec::new(),
    };
    let at = |span: &Span| Pos {
        line: first_line + span.start.line() as u32 - 1,
        col: span.start.col() as u32 + 1,
    };
    let mut parser = Parser::new_from_str(chunk);
    b.clear();
    let mut anchors: HashMap<usize, (Node, usize)> = HashMap::new();
    let mut alias_budget = MAX_ALIAS_NODES;
    let mut doc_root: Option<Node> = None;
    let mut skip_doc = false;
    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Ok(e)) => e,
            Some(Err(e)) => {
                out.errors.push(scan_error(&e, first_line));
                return out;
            }
        };
        let pos = at(&span);
        let node = match event {
            Event::StreamStart | Event::Nothing => continue,
            Event::StreamEnd => break,
            Event::DocumentStart(_) => {
                anchors.clear();
                alias_budget = MAX_ALIAS_NODES;
                b.clear();
                doc_root = None;
                skip_doc = false;
                continue;
            }
            Event::DocumentEnd => {
                if let Some(root) = doc_root.take()
                    && !skip_doc
                {
                    out.docs.push(root);
                }
                continue;
            }
            _ if skip_doc => continue,
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if b.stack.len() >= MAX_DEPTH {
                    out.errors.push((
                        pos,
                        format!("nesting deeper than {MAX_DEPTH} levels; document skipped"),
                    ));
                    skip_doc = true;
                    b.clear();
                    continue;
                }
                let kind = if matches!(event, Event::SequenceStart(..)) {
                    FrameKind::Seq
                } else {
                    FrameKind::Map { key: None }
                };
                b.open(pos, anchor, kind);
                continue;
            }
            Event::SequenceEnd => {
                let Some(Frame {
                    pos,
                    anchor,
                    start,
                    kind: FrameKind::Seq,
                }) = b.stack.pop()
                else {
                    continue;
                };
                let items: Vec<Node> = b.items.drain(start..).collect();
                let node = Node {
                    value: Value::Seq(items),
                    pos,
                };
                remember(&mut anchors, anchor, &node);
                node
            }
            Event::MappingEnd => {
                let Some(Frame {
                    pos,
                    anchor,
                    start,
                    kind: FrameKind::Map { .. },
                }) = b.stack.pop()
                else {
                    continue;
                };
                let entries = if plain_keys(&b.entries[start..]) {
                    b.entries.drain(start..).collect()
                } else {
                    finish_map(b.entries.drain(start..).collect(), &mut out.errors)
                };
                let node = Node {
                    value: Value::Map(entries),
                    pos,
                };
                remember(&mut anchors, anchor, &node);
                node
            }
            Event::Scalar(text, style, anchor, _) => {
                let plain = matches!(style, saphyr_parser::ScalarStyle::Plain);
                let node = Node {
                    value: Value::Scalar {
                        // An owned string becomes the box in place, without a copy.
                        text: Text::from(text),
                        plain,
                    },
                    pos,
                };
                remember(&mut anchors, anchor, &node);
                node
            }
            Event::Alias(id) => {
                let Some((node, size)) = anchors.get(&id) else {
                    out.errors.push((pos, "alias to an unknown anchor".into()));
                    continue;
                };
                if *size > alias_budget {
                    out.errors.push((
                        pos,
                        format!(
                            "YAML aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?); document skipped"
                        ),
                    ));
                    skip_doc = true;
                    b.clear();
                    continue;
                }
                alias_budget -= size;
                let mut node = node.clone();
                node.pos = pos;
                node
            }
        };
        if let Some(root) = b.attach(node, &mut out.errors) {
            doc_root = Some(root);
        }
    }
    out
}

/// True when a mapping needs no merge-key or duplicate-key handling, which is nearly always:
/// then its entries are kept as they are.
pub(crate) fn plain_keys(entries: &[Entry]) -> bool {
    if entries.iter().any(|e| &*e.key == "<<") {
        return false;
    }
    if entries.len() <= 16 {
        return entries
            .iter()
            .enumerate()
            .all(|(i, e)| entries[..i].iter().all(|o| o.key != e.key));
    }
    let mut keys: Vec<&str> = entries.iter().map(|e| &*e.key).collect();
    keys.sort_unstable();
    keys.windows(2).all(|w| w[0] != w[1])
}

fn scan_error(e: &ScanError, first_line: u32) -> (Pos, String) {
    let m = e.marker();
    (
        Pos {
            line: first_line + m.line() as u32 - 1,
            col: m.col() as u32 + 1,
        },
        format!(
            "invalid YAML: {}; the rest of this document is skipped",
            e.info()
        ),
    )
}

fn count(node: &Node) -> usize {
    1 + match &node.value {
        Value::Scalar { .. } => 0,
        Value::Seq(items) => items.iter().map(count).sum(),
        Value::Map(entries) => entries.iter().map(|e| count(&e.value)).sum(),
    }
}

fn remember(anchors: &mut HashMap<usize, (Node, usize)>, anchor: usize, node: &Node) {
    if anchor > 0 {
        anchors.insert(anchor, (node.clone(), count(node)));
    }
}

/// Applies YAML merge keys (`<<`, which Kubernetes' YAML 1.1 decoder honours) and reports
/// duplicate keys; the last duplicate wins, as in JSON.
pub(crate) fn finish_map(entries: Vec<Entry>, errors: &mut Vec<(Pos, String)>) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::with_capacity(entries.len());
    let mut merges = Vec::new();
    for e in entries {
        if &*e.key == "<<" {
            merges.push(e.value);
            continue;
        }
        if let Some(i) = out.iter().position(|o| o.key == e.key) {
            errors.push((
                e.value.pos,
                format!(
                    "duplicate key `{}` (first at line {}); the last value is used",
                    e.key, out[i].value.pos.line
                ),
            ));
            out.remove(i);
        }
        out.push(e);
    }
    for m in merges {
        let sources: Vec<Node> = match m.value {
            Value::Map(_) => vec![m],
            Value::Seq(items) => items,
            Value::Scalar { .. } => {
                errors.push((
                    m.pos,
                    "merge key `<<` needs a mapping or a list of mappings".into(),
                ));
                continue;
            }
        };
        for src in sources {
            if let Value::Map(src_entries) = src.value {
                for e in src_entries {
                    if !out.iter().any(|o| o.key == e.key) {
                        out.push(e);
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(l: &Loaded) -> Vec<(u32, u32, Level, &str)> {
        l.errors
            .iter()
            .map(|e| (e.line, e.column, e.level, e.message.as_str()))
            .collect()
    }

    fn keys(n: &Node) -> Vec<&str> {
        n.entries().iter().map(|e| &*e.key).collect()
    }

    #[test]
    fn map_values_are_at_their_keys_and_items_at_their_start() {
        let l = load(
            "f.yaml",
            b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: a\n    image: nginx\n",
        );
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        let o = &l.objects[0];
        assert_eq!((o.kind.as_str(), o.name.as_str()), ("Pod", "p"));
        assert_eq!(o.root.pos, Pos { line: 1, col: 1 });
        assert_eq!(o.root.get("spec").unwrap().pos, Pos { line: 5, col: 1 });
        let cs = o.root.at(&["spec", "containers"]).unwrap();
        assert_eq!(cs.pos, Pos { line: 6, col: 3 });
        assert_eq!(cs.items()[0].pos, Pos { line: 7, col: 5 });
        assert_eq!(
            cs.items()[0].get("image").unwrap().pos,
            Pos { line: 8, col: 5 }
        );
    }

    #[test]
    fn scalars_keep_text_and_plainness() {
        let l = load(
            "f.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  a: true\n  b: \"true\"\n  c: 'x'\n  d: 010\n  e: |\n    line\n",
        );
        let d = l.objects[0].root.get("data").unwrap();
        let scalar = |k: &str| match &d.get(k).unwrap().value {
            Value::Scalar { text, plain } => (text.to_string(), *plain),
            v => panic!("{v:?}"),
        };
        assert_eq!(scalar("a"), ("true".into(), true));
        assert_eq!(scalar("b"), ("true".into(), false));
        assert_eq!(scalar("c"), ("x".into(), false));
        assert_eq!(scalar("d"), ("010".into(), true));
        assert_eq!(scalar("e"), ("line\n".into(), false));
        assert_eq!(d.get("d").unwrap().as_i64(), Some(8));
    }

    #[test]
    fn duplicate_keys_are_errors_and_the_last_value_wins() {
        let l = load(
            "f.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {}\n  name: b\n",
        );
        assert_eq!(
            errors(&l),
            [(
                6,
                3,
                Level::Error,
                "duplicate key `name` (first at line 4); the last value is used"
            )]
        );
        assert_eq!(l.objects[0].name, "b");
        // The surviving entry moves to where the duplicate was written.
        assert_eq!(keys(l.objects[0].metadata()), ["labels", "name"]);
    }

    #[test]
    fn a_key_written_three_times_reports_each_earlier_one() {
        let l = load("f.yaml", b"apiVersion: v1\nkind: K\nx: 1\nx: 2\nx: 3\n");
        assert_eq!(
            errors(&l),
            [
                (
                    4,
                    1,
                    Level::Error,
                    "duplicate key `x` (first at line 3); the last value is used"
                ),
                (
                    5,
                    1,
                    Level::Error,
                    "duplicate key `x` (first at line 4); the last value is used"
                ),
            ]
        );
        assert_eq!(l.objects[0].root.str_at("x"), Some("3"));
    }

    #[test]
    fn duplicates_are_found_in_large_mappings() {
        let mut doc = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n");
        for i in 0..200 {
            doc.push_str(&format!("  k{i}: v{i}\n"));
        }
        doc.push_str("  k7: again\n");
        let l = load("f.yaml", doc.as_bytes());
        assert_eq!(
            errors(&l),
            [(
                205,
                3,
                Level::Error,
                "duplicate key `k7` (first at line 12); the last value is used"
            )]
        );
        let data = l.objects[0].root.get("data").unwrap();
        assert_eq!(data.entries().len(), 200);
        assert_eq!(data.entries()[199].key.as_str(), "k7");
        assert_eq!(data.str_at("k7"), Some("again"));
    }

    #[test]
    fn merge_keys_fill_in_missing_keys_only() {
        let l = load(
            "f.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nbase: &b\n  x: 1\n  y: 2\nother: &o\n  z: 3\ndata:\n  <<: [*b, *o]\n  y: own\n",
        );
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        let data = l.objects[0].root.get("data").unwrap();
        assert_eq!(keys(data), ["y", "x", "z"]);
        assert_eq!(data.str_at("y"), Some("own"));
        // Merged values keep the position of the key in the anchored mapping.
        assert_eq!(data.get("x").unwrap().pos, Pos { line: 5, col: 3 });
        let single = load(
            "f.yaml",
            b"apiVersion: v1\nkind: K\nbase: &b {x: 1}\ndata:\n  <<: *b\n",
        );
        assert_eq!(
            single.objects[0].root.at(&["data", "x"]).unwrap().as_i64(),
            Some(1)
        );
    }

    #[test]
    fn a_scalar_merge_is_an_error() {
        let l = load(
            "f.yaml",
            b"apiVersion: v1\nkind: K\ndata:\n  <<: 1\n  a: 2\n",
        );
        assert_eq!(
            errors(&l),
            [(
                4,
                3,
                Level::Error,
                "merge key `<<` needs a mapping or a list of mappings"
            )]
        );
        assert_eq!(keys(l.objects[0].root.get("data").unwrap()), ["a"]);
    }

    #[test]
    fn aliases_copy_the_anchored_node_at_the_alias_position() {
        let l = load(
            "f.yaml",
            b"apiVersion: v1\nkind: K\na: &x [1, 2]\nb: *x\nc: &s text\nd: *s\n",
        );
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        let root = &l.objects[0].root;
        assert_eq!(root.get("b").unwrap().items().len(), 2);
        assert_eq!(root.get("b").unwrap().pos, Pos { line: 4, col: 1 });
        assert_eq!(root.str_at("d"), Some("text"));
    }

    #[test]
    fn alias_bombs_skip_the_document_only() {
        let mut doc =
            String::from("apiVersion: v1\nkind: K\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            doc.push_str(&format!("a{i}: &a{i} [{}]\n", vec![prev; 10].join(", ")));
        }
        doc.push_str("---\napiVersion: v1\nkind: Fine\n");
        let l = load("f.yaml", doc.as_bytes());
        assert_eq!(l.objects.len(), 1);
        assert_eq!(l.objects[0].kind, "Fine");
        assert_eq!(l.errors.len(), 1);
        assert_eq!(l.errors[0].line, 8);
        assert!(
            l.errors[0].message.contains("alias bomb"),
            "{}",
            l.errors[0]
        );
    }

    #[test]
    fn deep_nesting_skips_the_document_only() {
        let deep = format!(
            "apiVersion: v1\nkind: K\nx: {}{}\n---\napiVersion: v1\nkind: Fine\n",
            "[".repeat(230),
            "]".repeat(230)
        );
        let l = load("f.yaml", deep.as_bytes());
        assert_eq!(l.objects.len(), 1);
        assert_eq!(l.objects[0].kind, "Fine");
        assert_eq!(
            errors(&l),
            [(
                3,
                203,
                Level::Error,
                "nesting deeper than 200 levels; document skipped"
            )]
        );
    }

    #[test]
    fn a_syntax_error_costs_only_its_document() {
        let l = load(
            "f.yaml",
            b"apiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\nx: [\n---\napiVersion: v1\nkind: C\n",
        );
        let kinds: Vec<&str> = l.objects.iter().map(|o| o.kind.as_str()).collect();
        assert_eq!(kinds, ["A", "C"]);
        assert_eq!(l.errors.len(), 1);
        assert_eq!(l.errors[0].level, Level::Error);
        assert!(l.errors[0].line >= 6, "{}", l.errors[0]);
        assert!(l.errors[0].message.starts_with("invalid YAML: "));
    }

    #[test]
    fn document_markers_split_only_at_line_starts() {
        let l = load(
            "f.yaml",
            b"---\napiVersion: v1\nkind: A\nnote: a---b\n--- \napiVersion: v1\nkind: B\n---\t\n---\n...\n",
        );
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        let kinds: Vec<&str> = l.objects.iter().map(|o| o.kind.as_str()).collect();
        assert_eq!(kinds, ["A", "B"]);
        assert_eq!(l.objects[1].root.pos, Pos { line: 6, col: 1 });
    }

    #[test]
    fn lists_are_expanded_and_bad_items_reported() {
        let l = load(
            "f.json",
            br#"{"apiVersion": "v1", "kind": "List", "items": [
  {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "n"}},
  {"kind": "Pod"}
]}"#,
        );
        assert_eq!(l.objects.len(), 1);
        assert_eq!(l.objects[0].namespace.as_deref(), Some("n"));
        assert_eq!(
            errors(&l),
            [(
                3,
                3,
                Level::Error,
                "List item: Kubernetes object without apiVersion (a non-empty string is required)"
            )]
        );
    }

    #[test]
    fn non_kubernetes_documents_are_warnings_alone_and_errors_beside_objects() {
        let alone = load("values.yaml", b"replicas: 3\n");
        assert_eq!(
            errors(&alone),
            [(
                1,
                1,
                Level::Warning,
                "not a Kubernetes object: the mapping has no apiVersion and no kind"
            )]
        );
        let kustomization = load(
            "deploy/overlays/prod/kustomization.yaml",
            b"resources:\n- ../../base\npatches:\n- path: replicas.yaml\n",
        );
        assert_eq!(
            errors(&kustomization),
            [(
                1,
                1,
                Level::Warning,
                "Kustomize configuration, not a Kubernetes object: the manifests beside it are \
                 scanned as written, the patches it names only for the values they set and its \
                 `images:` for the names, tags and digests they set; to check what it builds, \
                 run \
                 `kustomize build deploy/overlays/prod | stockade scan -`"
            )]
        );
        let here = load("Kustomization", b"resources: [a.yaml]\n");
        assert!(
            errors(&here)[0]
                .3
                .ends_with("`kustomize build . | stockade scan -`"),
            "{:?}",
            errors(&here)
        );
        let beside = load("f.yaml", b"apiVersion: v1\nkind: A\n---\n- 1\n");
        assert_eq!(
            errors(&beside),
            [(
                4,
                1,
                Level::Error,
                "not a Kubernetes object: the document is a sequence, not a mapping with apiVersion and kind"
            )]
        );
    }

    #[test]
    fn non_scalar_keys_are_errors() {
        let l = load("f.yaml", b"apiVersion: v1\nkind: K\n? [a]\n: 1\n");
        assert_eq!(
            errors(&l),
            [(
                3,
                3,
                Level::Error,
                "a mapping key that is not a scalar is not valid in Kubernetes objects"
            )]
        );
        assert_eq!(keys(&l.objects[0].root), ["apiVersion", "kind", "?"]);
    }

    #[test]
    fn helm_sources_name_the_template() {
        let l = load(
            "f.yaml",
            b"---\n# Source: chart/templates/a.yaml\napiVersion: v1\nkind: A\n---\n# Source: chart/templates/b.yaml\napiVersion: v1\nkind: B\n",
        );
        let sources: Vec<&str> = l
            .objects
            .iter()
            .map(|o| o.source.as_deref().unwrap())
            .collect();
        assert_eq!(
            sources,
            ["chart/templates/a.yaml", "chart/templates/b.yaml"]
        );
    }

    #[test]
    fn bytes_that_are_not_text_are_one_error() {
        let nul = load("f", b"a\0b");
        assert_eq!(
            errors(&nul),
            [(
                0,
                0,
                Level::Error,
                "binary file (contains NUL bytes), not YAML or JSON"
            )]
        );
        let latin1 = load("f", b"apiVersion: v1\nkind: K\nx: caf\xe9\n");
        assert_eq!(
            errors(&latin1),
            [(
                3,
                7,
                Level::Error,
                "not valid UTF-8 (invalid byte at offset 29)"
            )]
        );
        let bom = load("f", "\u{feff}apiVersion: v1\nkind: K\n".as_bytes());
        assert_eq!(bom.objects.len(), 1);
        assert!(bom.errors.is_empty());
    }
}
