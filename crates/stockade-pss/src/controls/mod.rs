//! The controls, one file each, and what they share.
//!
//! Each control reads the pod spec the way the API server's decoder builds it: a YAML null is an
//! unset field, a value of the wrong type would have been rejected before admission and is read
//! as unset, and strings are compared exactly (no case folding, no `CAP_` stripping), as
//! upstream compares them.

use stockade_model::{Container, ContainerKind, Node, PodSpec, Pos};

use crate::{Control, Level, Violation};

mod allow_privilege_escalation;
mod app_armor_profile;
mod capabilities_baseline;
mod capabilities_restricted;
mod host_namespaces;
mod host_path_volumes;
mod host_ports;
mod host_probes_and_host_lifecycle;
mod privileged;
mod proc_mount;
mod proc_mount_restricted;
mod restricted_volumes;
mod run_as_non_root;
mod run_as_user;
mod se_linux_options;
mod seccomp_profile_baseline;
mod seccomp_profile_restricted;
mod sysctls;
mod windows_host_process;

/// Every control, in the order upstream evaluates and reports them: baseline controls sorted by
/// ID (byte order), then restricted controls sorted by ID.
pub static CONTROLS: &[Control] = &[
    // Baseline.
    app_armor_profile::CONTROL,
    capabilities_baseline::CONTROL,
    host_namespaces::CONTROL,
    host_path_volumes::CONTROL,
    host_ports::CONTROL,
    host_probes_and_host_lifecycle::CONTROL,
    privileged::CONTROL,
    proc_mount::CONTROL,
    se_linux_options::CONTROL,
    seccomp_profile_baseline::CONTROL,
    sysctls::CONTROL,
    windows_host_process::CONTROL,
    // Restricted.
    allow_privilege_escalation::CONTROL,
    capabilities_restricted::CONTROL,
    proc_mount_restricted::CONTROL,
    restricted_volumes::CONTROL,
    run_as_non_root::CONTROL,
    run_as_user::CONTROL,
    seccomp_profile_restricted::CONTROL,
];

/// The pod as the controls see it: containers in upstream's visiting order (init, regular,
/// ephemeral).
pub(crate) struct Ctx<'p, 'a> {
    pub pod: &'p PodSpec<'a>,
    pub containers: Vec<&'p Container<'a>>,
}

impl<'p, 'a> Ctx<'p, 'a> {
    pub fn new(pod: &'p PodSpec<'a>) -> Self {
        let mut containers = Vec::with_capacity(pod.containers.len());
        for kind in [
            ContainerKind::Init,
            ContainerKind::Regular,
            ContainerKind::Ephemeral,
        ] {
            containers.extend(pod.containers.iter().filter(|c| c.kind == kind));
        }
        Ctx { pod, containers }
    }

    /// A pod-level field under `spec`, following `keys`; unset (missing or null) is `None`.
    pub fn spec_at(&self, keys: &[&str]) -> Option<&'a Node> {
        at(self.pod.spec, keys)
    }

    /// `spec.os.name == "windows"`, which relaxes some restricted controls from v1.25.
    pub fn is_windows(&self) -> bool {
        self.spec_at(&["os", "name"]).and_then(Node::as_str) == Some("windows")
    }

    /// `spec.hostUsers: false`: the pod runs in a user namespace.
    pub fn in_user_namespace(&self) -> bool {
        self.spec_at(&["hostUsers"]).and_then(Node::as_bool) == Some(false)
    }

    /// Path and position of a pod-level field (see [`locate`]).
    pub fn spec_field(&self, keys: &[&str]) -> (String, Pos) {
        locate(self.pod.spec, &self.pod.path, keys)
    }

    /// The pod template's annotations, in source order. Values read as Go strings: a null or
    /// non-scalar value is the empty string.
    pub fn annotations(&self) -> impl Iterator<Item = (&'a str, &'a str, &'a Node)> {
        self.pod
            .metadata
            .and_then(|m| at(m, &["annotations"]))
            .map(Node::entries)
            .unwrap_or(&[])
            .iter()
            .map(|e| (&*e.key, e.value.as_str().unwrap_or(""), &e.value))
    }

    /// Path and position of an annotation.
    pub fn annotation_field(&self, key: &str, node: &Node) -> (String, Pos) {
        (
            stockade_model::format_exact!("{}.annotations[{key}]", self.pod.metadata_path),
            node.pos,
        )
    }
}

/// The set value under `keys`, treating missing and null alike as unset.
pub(crate) fn at<'a>(node: &'a Node, keys: &[&str]) -> Option<&'a Node> {
    let mut n = node;
    for k in keys {
        n = n.get(k).filter(|v| !v.is_null())?;
    }
    Some(n)
}

/// True when the boolean under `keys` is set to `true`.
pub(crate) fn is_true(node: &Node, keys: &[&str]) -> bool {
    at(node, keys).and_then(Node::as_bool) == Some(true)
}

/// A Go string field: its scalar text, or empty when unset.
pub(crate) fn string<'a>(node: &'a Node, keys: &[&str]) -> &'a str {
    at(node, keys).and_then(Node::as_str).unwrap_or("")
}

/// Path of `keys` under `base_path`, and the position of the deepest of them that is set (the
/// field itself, or its nearest enclosing field when it is missing).
pub(crate) fn locate(base: &Node, base_path: &str, keys: &[&str]) -> (String, Pos) {
    let mut node = base;
    for k in keys {
        match at(node, &[k]) {
            Some(n) => node = n,
            None => break,
        }
    }
    let mut path = String::with_capacity(base_path.len() + 48);
    path.push_str(base_path);
    for k in keys {
        path.push('.');
        path.push_str(k);
    }
    (path, node.pos)
}

/// Path and position of a container field (see [`locate`]).
pub(crate) fn container_field(c: &Container<'_>, keys: &[&str]) -> (String, Pos) {
    locate(c.node, &c.path, keys)
}

/// Upstream's `joinQuote`: `"a", "b"` (no escaping).
pub(crate) fn join_quote<S: AsRef<str>>(items: &[S]) -> String {
    let mut s = String::new();
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push('"');
        s.push_str(it.as_ref());
        s.push('"');
    }
    s
}

/// Upstream's `pluralize`.
pub(crate) fn pluralize<'s>(singular: &'s str, plural: &'s str, count: usize) -> &'s str {
    if count == 1 { singular } else { plural }
}

/// `container "a"` / `containers "a", "b"`.
pub(crate) fn containers_phrase<S: AsRef<str>>(names: &[S]) -> String {
    stockade_model::format_exact!(
        "{} {}",
        pluralize("container", "containers", names.len()),
        join_quote(names)
    )
}

/// A sorted, deduplicated copy, like Go's `sets.String.List()`.
pub(crate) fn sorted_set<'s>(items: impl IntoIterator<Item = &'s str>) -> Vec<&'s str> {
    let mut v: Vec<&str> = items.into_iter().collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Go's `%q` for the strings that appear in annotations.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&stockade_model::format_exact!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => {
                let n = c as u32;
                if n <= 0xffff {
                    out.push_str(&stockade_model::format_exact!("\\u{n:04x}"));
                } else {
                    out.push_str(&stockade_model::format_exact!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Builds a violation.
pub(crate) fn violation(
    check: &'static str,
    reason: impl Into<String>,
    detail: String,
    (path, pos): (String, Pos),
) -> Option<Violation> {
    Some(Violation {
        check,
        reason: reason.into(),
        detail,
        path,
        pos,
    })
}

/// Shorthand for control definitions.
pub(crate) const fn control(
    id: &'static str,
    level: Level,
    title: &'static str,
    since: u32,
    overrides: &'static [&'static str],
    eval: fn(&Ctx<'_, '_>, u32) -> Option<Violation>,
) -> Control {
    Control {
        id,
        level,
        title,
        since,
        overrides,
        eval,
    }
}

/// Path and position of item `i` (`node`) of the sequence under `keys`.
pub(crate) fn item_field(base_path: &str, keys: &[&str], i: usize, node: &Node) -> (String, Pos) {
    let mut path = String::with_capacity(base_path.len() + 48);
    path.push_str(base_path);
    for k in keys {
        path.push('.');
        path.push_str(k);
    }
    path.push_str(&stockade_model::format_exact!("[{i}]"));
    (path, node.pos)
}
