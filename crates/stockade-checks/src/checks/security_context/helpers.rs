//! Helpers shared by the security-context checks: capability names, the effective (merged)
//! settings of a container, legacy seccomp/AppArmor annotations, and the Windows exemption.

use stockade_model::pod::Located;
use stockade_model::{Container, Node, PodSpec, Value};

/// A capability name as the container runtimes compare it: trimmed, upper-cased, without the
/// `CAP_` prefix (`cap_sys_admin`, `CAP_SYS_ADMIN` and `SYS_ADMIN` are the same capability).
pub fn cap_name(raw: &str) -> String {
    let upper = raw.trim().to_ascii_uppercase();
    match upper.strip_prefix("CAP_") {
        Some(rest) => rest.to_string(),
        None => upper,
    }
}

/// One item of `securityContext.capabilities.add` or `.drop`.
#[derive(Debug, Clone)]
pub struct CapItem<'a> {
    /// The list item.
    pub node: &'a Node,
    /// Its field path.
    pub path: String,
    /// The normalised name (see [`cap_name`]); empty for non-scalar items.
    pub name: String,
}

impl CapItem<'_> {
    /// The item as the runtime receives it: trimmed and upper-cased, `CAP_` kept.
    pub fn written(&self) -> String {
        self.node
            .as_str()
            .map(|s| s.trim().to_ascii_uppercase())
            .unwrap_or_default()
    }

    /// True for `ALL` in any case. `CAP_ALL` is not `ALL` to the runtimes.
    pub fn is_all(&self) -> bool {
        self.written() == "ALL"
    }

    /// True for a `CAP_`-prefixed name, which containerd does not understand in `drop`.
    pub fn is_prefixed(&self) -> bool {
        self.written().starts_with("CAP_")
    }
}

/// The container's `securityContext.capabilities.<list>` node (`add` or `drop`), if set.
/// Capabilities are never inherited from the pod.
pub fn cap_list<'a>(c: &Container<'a>, list: &str) -> Option<(&'a Node, String)> {
    let caps = c.security("capabilities")?;
    let node = caps.node.get(list).filter(|n| !n.is_null())?;
    Some((node, stockade_model::format_exact!("{}.{list}", caps.path)))
}

/// The items of the container's `capabilities.<list>`, with normalised names.
pub fn cap_items<'a>(c: &Container<'a>, list: &str) -> Vec<CapItem<'a>> {
    let Some((node, path)) = cap_list(c, list) else {
        return Vec::new();
    };
    node.items()
        .iter()
        .enumerate()
        .map(|(i, n)| CapItem {
            node: n,
            path: stockade_model::format_exact!("{path}[{i}]"),
            name: n.as_str().map(cap_name).unwrap_or_default(),
        })
        .collect()
}

/// True when `capabilities.drop` surely removes `cap` (a name without `CAP_`, such as
/// `NET_RAW`): it lists `cap` or `ALL`, in any case. `drops(c, "ALL")` asks whether
/// everything is dropped.
///
/// Names written with `CAP_` do not count here: containerd prefixes `CAP_` again and runc
/// then ignores the unknown `CAP_CAP_NET_RAW`, so such a drop silently does nothing there
/// (CRI-O accepts both forms). For `add`, checks match either spelling, which is the cautious
/// reading in that direction.
pub fn drops(c: &Container, cap: &str) -> bool {
    cap_items(c, "drop")
        .iter()
        .any(|i| i.is_all() || i.written() == cap)
}

/// True for pods that declare `spec.os.name: windows`. Linux-only fields (capabilities,
/// seccomp, AppArmor, SELinux, readOnlyRootFilesystem, allowPrivilegeEscalation) are rejected
/// by the API server on such pods, so checks that ask for them to be set skip these pods.
pub fn is_windows(pod: &PodSpec) -> bool {
    pod.spec.at(&["os", "name"]).and_then(Node::as_str) == Some("windows")
}

/// How a value is shown in messages: plain scalars as written, quoted strings with quotes.
pub fn shown(node: &Node) -> String {
    match &node.value {
        Value::Scalar { text, plain: true } => text.to_string(),
        Value::Scalar { text, plain: false } => stockade_model::format_exact!("\"{text}\""),
        Value::Seq(_) => "a list".to_string(),
        Value::Map(_) => "a mapping".to_string(),
    }
}

/// A message suffix saying where an effective setting came from.
pub fn origin(l: &Located) -> &'static str {
    if l.from_pod {
        " (inherited from the pod securityContext)"
    } else {
        ""
    }
}

/// A sub-field of `windowsOptions`, merged field by field as the kubelet does: the
/// container's value if it sets that field, else the pod's.
pub fn windows_option<'a>(c: &Container<'a>, field: &str) -> Option<Located<'a>> {
    if let Some(n) = c.node.at(&["securityContext", "windowsOptions", field])
        && !n.is_null()
    {
        return Some(Located {
            node: n,
            path: stockade_model::format_exact!(
                "{}.securityContext.windowsOptions.{field}",
                c.path
            ),
            from_pod: false,
        });
    }
    let n = c
        .pod
        .at(&["securityContext", "windowsOptions", field])
        .filter(|n| !n.is_null())?;
    Some(Located {
        node: n,
        path: stockade_model::format_exact!(
            "{}.securityContext.windowsOptions.{field}",
            c.pod_path
        ),
        from_pod: true,
    })
}

/// The kind of a seccomp or AppArmor profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileKind {
    /// The container runtime's default profile (`RuntimeDefault`, `runtime/default`,
    /// `docker/default`).
    RuntimeDefault,
    /// A profile installed on the node (`Localhost`, `localhost/<name>`).
    Localhost,
    /// No confinement (`Unconfined`, `unconfined`).
    Unconfined,
    /// Anything else, as written (the API server rejects it).
    Other(String),
}

/// Where an effective profile was set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileSource {
    /// The container's securityContext.
    Container,
    /// A legacy annotation naming the container.
    ContainerAnnotation,
    /// The pod's securityContext.
    Pod,
    /// The legacy pod-wide annotation.
    PodAnnotation,
}

/// An effective seccomp or AppArmor profile and the field that sets it.
#[derive(Debug, Clone)]
pub struct Profile<'a> {
    /// What it is.
    pub kind: ProfileKind,
    /// The node to point at: the profile's `type`, or the annotation.
    pub node: &'a Node,
    /// Its field path.
    pub path: String,
    /// Where it was set.
    pub source: ProfileSource,
}

impl Profile<'_> {
    /// A message suffix naming where the profile was set.
    pub fn origin(&self) -> &'static str {
        match self.source {
            ProfileSource::Container => "",
            ProfileSource::ContainerAnnotation => " (legacy annotation)",
            ProfileSource::Pod => " (inherited from the pod securityContext)",
            ProfileSource::PodAnnotation => " (legacy pod annotation)",
        }
    }
}

/// Legacy seccomp annotation for the whole pod.
pub const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
/// Prefix of the legacy per-container seccomp annotation.
pub const SECCOMP_CONTAINER_ANNOTATION: &str = "container.seccomp.security.alpha.kubernetes.io/";
/// Prefix of the legacy per-container AppArmor annotation.
pub const APPARMOR_CONTAINER_ANNOTATION: &str = "container.apparmor.security.beta.kubernetes.io/";

fn field_kind(text: &str) -> ProfileKind {
    match text {
        "RuntimeDefault" => ProfileKind::RuntimeDefault,
        "Localhost" => ProfileKind::Localhost,
        "Unconfined" => ProfileKind::Unconfined,
        other => ProfileKind::Other(other.to_string()),
    }
}

/// The kind of a legacy annotation value (`runtime/default`, `docker/default`,
/// `localhost/<name>`, `unconfined`).
pub fn annotation_kind(text: &str) -> ProfileKind {
    match text {
        "runtime/default" | "docker/default" => ProfileKind::RuntimeDefault,
        "unconfined" => ProfileKind::Unconfined,
        t if t.starts_with("localhost/") => ProfileKind::Localhost,
        other => ProfileKind::Other(other.to_string()),
    }
}

fn from_field<'a>(profile: &'a Node, path: String, source: ProfileSource) -> Profile<'a> {
    match profile.get("type").filter(|t| !t.is_null()) {
        Some(t) => Profile {
            kind: field_kind(t.as_str().unwrap_or_default()),
            node: t,
            path: stockade_model::format_exact!("{path}.type"),
            source,
        },
        None => Profile {
            kind: ProfileKind::Other(String::new()),
            node: profile,
            path,
            source,
        },
    }
}

fn from_annotation<'a>(pod: &PodSpec<'a>, key: &str, source: ProfileSource) -> Option<Profile<'a>> {
    let node = pod.annotation(key).filter(|n| !n.is_null())?;
    Some(Profile {
        kind: annotation_kind(node.as_str().unwrap_or_default()),
        node,
        path: stockade_model::format_exact!("{}.annotations[\"{key}\"]", pod.metadata_path),
        source,
    })
}

fn own_field<'a>(c: &Container<'a>, field: &str) -> Option<Profile<'a>> {
    let l = c.security(field).filter(|l| !l.from_pod)?;
    Some(from_field(l.node, l.path, ProfileSource::Container))
}

fn pod_field<'a>(pod: &PodSpec<'a>, field: &str) -> Option<Profile<'a>> {
    let n = pod
        .spec
        .at(&["securityContext", field])
        .filter(|n| !n.is_null())?;
    Some(from_field(
        n,
        stockade_model::format_exact!("{}.securityContext.{field}", pod.path),
        ProfileSource::Pod,
    ))
}

/// The container's effective seccomp profile, in the kubelet's order: container field,
/// container annotation, pod field, pod annotation.
pub fn seccomp<'a>(pod: &PodSpec<'a>, c: &Container<'a>) -> Option<Profile<'a>> {
    own_field(c, "seccompProfile")
        .or_else(|| {
            from_annotation(
                pod,
                &stockade_model::format_exact!("{SECCOMP_CONTAINER_ANNOTATION}{}", c.name),
                ProfileSource::ContainerAnnotation,
            )
        })
        .or_else(|| pod_field(pod, "seccompProfile"))
        .or_else(|| from_annotation(pod, SECCOMP_POD_ANNOTATION, ProfileSource::PodAnnotation))
}

/// The container's effective AppArmor profile: container field, container annotation, pod
/// field (AppArmor has no pod-wide annotation).
pub fn apparmor<'a>(pod: &PodSpec<'a>, c: &Container<'a>) -> Option<Profile<'a>> {
    own_field(c, "appArmorProfile")
        .or_else(|| {
            from_annotation(
                pod,
                &stockade_model::format_exact!("{APPARMOR_CONTAINER_ANNOTATION}{}", c.name),
                ProfileSource::ContainerAnnotation,
            )
        })
        .or_else(|| pod_field(pod, "appArmorProfile"))
}

/// IDs at or below this may belong to users and groups of the node (`runAsUser`/`runAsGroup`
/// checks): the threshold kubesec, Checkov and Trivy use.
pub const HIGH_ID_MIN: i64 = 10_001;

/// Reports each Linux container whose effective `field` (`runAsUser` or `runAsGroup`) is
/// unset or at most 10000; `what` names it in messages (`user`, `group`).
pub fn report_low_id(ctx: &crate::Context, out: &mut crate::Emit, field: &str, what: &str) {
    for (pod, c) in ctx.containers() {
        if is_windows(pod) {
            continue;
        }
        match c.security(field) {
            Some(l) => {
                if let Some(id) = l.node.as_i64().filter(|&id| id < HIGH_ID_MIN) {
                    out.container(
                        c,
                        Some((l.node, &l.path)),
                        stockade_model::format_exact!(
                            "{} runs with {what} ID {id}{}, not above 10000",
                            c.label(),
                            origin(&l)
                        ),
                    );
                }
            }
            None => out.container(
                c,
                None,
                stockade_model::format_exact!(
                    "{} sets no {field}: the image's {what} is used",
                    c.label()
                ),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stockade_model::{load, pod_specs};

    fn with_pods(yaml: &str, f: impl FnOnce(&[PodSpec])) {
        let loaded = load("t.yaml", yaml.as_bytes());
        let obj = &loaded.objects[0];
        let pods = pod_specs(obj);
        f(&pods);
    }

    #[test]
    fn capability_names_normalise() {
        assert_eq!(cap_name("SYS_ADMIN"), "SYS_ADMIN");
        assert_eq!(cap_name("cap_sys_admin"), "SYS_ADMIN");
        assert_eq!(cap_name(" CAP_NET_RAW "), "NET_RAW");
        assert_eq!(cap_name("all"), "ALL");
        assert_eq!(cap_name("CAPABLE"), "CAPABLE");
    }

    #[test]
    fn capability_items_and_drops() {
        with_pods(
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      securityContext:\n        capabilities:\n          drop: [all]\n          add: [cap_net_admin, \"chown\"]\n    - name: b\n      securityContext:\n        capabilities:\n          drop: [NET_RAW]\n",
            |pods| {
                let a = &pods[0].containers[0];
                let b = &pods[0].containers[1];
                let add = cap_items(a, "add");
                assert_eq!(
                    add.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(),
                    ["NET_ADMIN", "CHOWN"]
                );
                assert_eq!(
                    add[1].path,
                    "spec.containers[0].securityContext.capabilities.add[1]"
                );
                assert_eq!(add[1].node.pos.line, 9);
                assert!(drops(a, "NET_RAW"));
                assert!(drops(b, "NET_RAW"));
                assert!(!drops(b, "SYS_ADMIN"));
                assert!(cap_items(b, "add").is_empty());
                assert!(drops(a, "ALL"));
                assert!(!drops(b, "ALL"));
            },
        );
    }

    #[test]
    fn cap_prefixed_drops_do_not_count() {
        with_pods(
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      securityContext:\n        capabilities:\n          drop: [CAP_ALL]\n",
            |pods| {
                let a = &pods[0].containers[0];
                assert!(!drops(a, "ALL"));
                assert!(!drops(a, "NET_RAW"));
                assert_eq!(cap_items(a, "drop")[0].name, "ALL");
            },
        );
        with_pods(
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      securityContext:\n        capabilities:\n          drop: [CAP_NET_RAW, net_admin]\n",
            |pods| {
                let a = &pods[0].containers[0];
                assert!(!drops(a, "NET_RAW"));
                assert!(drops(a, "NET_ADMIN"));
            },
        );
    }

    #[test]
    fn windows_pods_are_recognised() {
        with_pods(
            "apiVersion: v1\nkind: Pod\nspec:\n  os: {name: windows}\n  containers: [{name: a}]\n",
            |pods| assert!(is_windows(&pods[0])),
        );
        with_pods(
            "apiVersion: v1\nkind: Pod\nspec:\n  os: {name: linux}\n  containers: [{name: a}]\n",
            |pods| assert!(!is_windows(&pods[0])),
        );
    }

    #[test]
    fn windows_options_merge_field_by_field() {
        with_pods(
            "apiVersion: v1\nkind: Pod\nspec:\n  securityContext:\n    windowsOptions: {hostProcess: true}\n  containers:\n    - name: a\n      securityContext:\n        windowsOptions: {runAsUserName: app}\n    - name: b\n      securityContext:\n        windowsOptions: {hostProcess: false}\n",
            |pods| {
                let a = windows_option(&pods[0].containers[0], "hostProcess").unwrap();
                assert!(a.from_pod);
                assert_eq!(a.path, "spec.securityContext.windowsOptions.hostProcess");
                let b = windows_option(&pods[0].containers[1], "hostProcess").unwrap();
                assert!(!b.from_pod);
                assert_eq!(b.node.as_bool(), Some(false));
            },
        );
    }

    #[test]
    fn shown_keeps_quotes_of_strings() {
        with_pods(
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      securityContext: {privileged: \"true\", runAsUser: 0}\n",
            |pods| {
                let c = &pods[0].containers[0];
                assert_eq!(shown(c.security("privileged").unwrap().node), "\"true\"");
                assert_eq!(shown(c.security("runAsUser").unwrap().node), "0");
            },
        );
    }

    #[test]
    fn seccomp_precedence_follows_the_kubelet() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: unconfined\n    container.seccomp.security.alpha.kubernetes.io/b: docker/default\nspec:\n  securityContext:\n    seccompProfile: {type: Localhost, localhostProfile: p.json}\n  containers:\n    - name: a\n      securityContext:\n        seccompProfile:\n          type: Unconfined\n    - name: b\n    - name: c\n";
        with_pods(yaml, |pods| {
            let p = &pods[0];
            let a = seccomp(p, &p.containers[0]).unwrap();
            assert_eq!(a.kind, ProfileKind::Unconfined);
            assert_eq!(a.source, ProfileSource::Container);
            assert_eq!(
                a.path,
                "spec.containers[0].securityContext.seccompProfile.type"
            );
            assert_eq!(a.node.pos.line, 14);
            let b = seccomp(p, &p.containers[1]).unwrap();
            assert_eq!(b.kind, ProfileKind::RuntimeDefault);
            assert_eq!(b.source, ProfileSource::ContainerAnnotation);
            assert_eq!(
                b.path,
                "metadata.annotations[\"container.seccomp.security.alpha.kubernetes.io/b\"]"
            );
            let c = seccomp(p, &p.containers[2]).unwrap();
            assert_eq!(c.kind, ProfileKind::Localhost);
            assert_eq!(c.source, ProfileSource::Pod);
        });
        with_pods(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: unconfined\nspec:\n  containers: [{name: a}]\n",
            |pods| {
                let a = seccomp(&pods[0], &pods[0].containers[0]).unwrap();
                assert_eq!(a.kind, ProfileKind::Unconfined);
                assert_eq!(a.source, ProfileSource::PodAnnotation);
            },
        );
        with_pods(
            "apiVersion: v1\nkind: Pod\nspec:\n  containers: [{name: a}]\n",
            |pods| assert!(seccomp(&pods[0], &pods[0].containers[0]).is_none()),
        );
    }

    #[test]
    fn apparmor_reads_fields_and_container_annotations() {
        let yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/a: unconfined\nspec:\n  securityContext:\n    appArmorProfile: {type: RuntimeDefault}\n  containers:\n    - name: a\n    - name: b\n";
        with_pods(yaml, |pods| {
            let p = &pods[0];
            let a = apparmor(p, &p.containers[0]).unwrap();
            assert_eq!(a.kind, ProfileKind::Unconfined);
            assert_eq!(a.source, ProfileSource::ContainerAnnotation);
            let b = apparmor(p, &p.containers[1]).unwrap();
            assert_eq!(b.kind, ProfileKind::RuntimeDefault);
            assert_eq!(b.source, ProfileSource::Pod);
        });
    }

    #[test]
    fn annotation_values() {
        assert_eq!(
            annotation_kind("runtime/default"),
            ProfileKind::RuntimeDefault
        );
        assert_eq!(
            annotation_kind("docker/default"),
            ProfileKind::RuntimeDefault
        );
        assert_eq!(annotation_kind("localhost/my.json"), ProfileKind::Localhost);
        assert_eq!(annotation_kind("unconfined"), ProfileKind::Unconfined);
        assert_eq!(
            annotation_kind("Unconfined"),
            ProfileKind::Other("Unconfined".into())
        );
    }
}
