//! Finds pod specs wherever they sit: built-in workloads and any CRD (Argo Rollouts, Knative,
//! Ray, JobSet, LeaderWorkerSet, Argo Workflows, Tekton ...), and merges the pod security
//! context into each container the way the kubelet applies it.

use crate::loader::Object;
use crate::node::{Node, Value};

/// Which list a container comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    /// `containers` (or a CRD's single `container`, or a Tekton step).
    Regular,
    /// `initContainers`.
    Init,
    /// `ephemeralContainers`.
    Ephemeral,
}

/// One container with its place in the object.
#[derive(Debug, Clone)]
pub struct Container<'a> {
    /// The container mapping.
    pub node: &'a Node,
    /// `name`, empty when missing.
    pub name: &'a str,
    /// Which list it is in.
    pub kind: ContainerKind,
    /// Field path to the container, e.g. `spec.template.spec.containers[0]`.
    pub path: String,
    /// The pod spec the container belongs to (for inherited settings).
    pub pod: &'a Node,
    /// Field path of the pod spec.
    pub pod_path: String,
}

/// A field found on a container or inherited from its pod.
#[derive(Debug, Clone)]
pub struct Located<'a> {
    /// The value.
    pub node: &'a Node,
    /// Its field path.
    pub path: String,
    /// True when it came from the pod's securityContext.
    pub from_pod: bool,
}

/// securityContext fields that a container inherits from `spec.securityContext` when it does
/// not set them itself (PodSecurityContext fields that also exist on SecurityContext).
pub const INHERITED_FIELDS: &[&str] = &[
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "seLinuxOptions",
    "seccompProfile",
    "windowsOptions",
    "appArmorProfile",
];

impl<'a> Container<'a> {
    /// The container's own securityContext field, or the pod's for inherited fields.
    pub fn security(&self, field: &str) -> Option<Located<'a>> {
        if let Some(n) = self.node.at(&["securityContext", field])
            && !n.is_null()
        {
            return Some(Located {
                node: n,
                path: crate::format_exact!("{}.securityContext.{field}", self.path),
                from_pod: false,
            });
        }
        if INHERITED_FIELDS.contains(&field)
            && let Some(n) = self.pod.at(&["securityContext", field])
            && !n.is_null()
        {
            return Some(Located {
                node: n,
                path: crate::format_exact!("{}.securityContext.{field}", self.pod_path),
                from_pod: true,
            });
        }
        None
    }

    /// The container's `image`, if set.
    pub fn image(&self) -> Option<&'a str> {
        self.node.str_at("image")
    }

    /// A short label for messages: `container "app"`, `init container "setup"`. Written
    /// straight into the message that uses it (no `String` of its own).
    pub fn label(&self) -> ContainerLabel<'a> {
        ContainerLabel {
            kind: self.kind,
            name: self.name,
        }
    }
}

/// [`Container::label`]: `container "app"`, `init container "setup"`.
#[derive(Clone, Copy, Debug)]
pub struct ContainerLabel<'a> {
    kind: ContainerKind,
    name: &'a str,
}

impl std::fmt::Display for ContainerLabel<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.kind {
            ContainerKind::Regular => "container \"",
            ContainerKind::Init => "init container \"",
            ContainerKind::Ephemeral => "ephemeral container \"",
        })?;
        f.write_str(self.name)?;
        f.write_str("\"")
    }
}

/// A pod spec found in an object.
#[derive(Debug, Clone)]
pub struct PodSpec<'a> {
    /// The pod spec mapping (holds `containers`).
    pub spec: &'a Node,
    /// Its field path (`spec`, `spec.template.spec`, `spec.jobTemplate.spec.template.spec` ...).
    pub path: String,
    /// The pod template's metadata (the Pod's own for a Pod), if any.
    pub metadata: Option<&'a Node>,
    /// Path of that metadata.
    pub metadata_path: String,
    /// Every container: regular, init and ephemeral.
    pub containers: Vec<Container<'a>>,
}

impl<'a> PodSpec<'a> {
    /// A pod-level field.
    pub fn field(&self, key: &str) -> Option<&'a Node> {
        self.spec.get(key).filter(|n| !n.is_null())
    }

    /// An annotation of the pod template.
    pub fn annotation(&self, key: &str) -> Option<&'a Node> {
        self.metadata?.at(&["annotations", key])
    }
}

/// Kinds that never hold a pod spec; skipping them keeps big objects (CRD schemas,
/// ConfigMaps) out of the search.
const NO_PODS: &[&str] = &[
    "ConfigMap",
    "Secret",
    "Service",
    "ServiceAccount",
    "Namespace",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "NetworkPolicy",
    "Ingress",
    "IngressClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "StorageClass",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
    "ResourceQuota",
    "LimitRange",
    "PriorityClass",
    "Endpoints",
    "EndpointSlice",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "APIService",
    "ServiceMonitor",
    "PodMonitor",
    "PrometheusRule",
    "Certificate",
    "Issuer",
    "ClusterIssuer",
];

/// Every pod spec in `obj`, in source order.
pub fn pod_specs(obj: &Object) -> Vec<PodSpec<'_>> {
    let mut out = Vec::new();
    if NO_PODS.contains(&obj.kind.as_str())
        && (obj.group().is_empty()
            || !obj.group().contains('.')
            || obj.group().ends_with(".k8s.io")
            || obj.group().starts_with("monitoring.coreos.com")
            || obj.group().starts_with("cert-manager.io"))
    {
        return out;
    }
    let tekton = obj.group() == "tekton.dev";
    let Value::Map(entries) = &obj.root.value else {
        return out;
    };
    let meta = obj.root.get("metadata");
    // One path buffer for the whole walk: a path string is only allocated for a pod spec
    // that is found, not for every field visited.
    let mut path = String::with_capacity(64);
    for e in entries {
        if matches!(&*e.key, "metadata" | "status" | "apiVersion" | "kind") {
            continue;
        }
        path.clear();
        path.push_str(&e.key);
        search(&e.value, &mut path, meta, "metadata", tekton, &mut out);
    }
    out
}

fn search<'a>(
    node: &'a Node,
    path: &mut String,
    parent_meta: Option<&'a Node>,
    parent_meta_path: &str,
    tekton: bool,
    out: &mut Vec<PodSpec<'a>>,
) {
    match &node.value {
        Value::Map(entries) => {
            if is_pod_spec(node) {
                out.push(build(
                    node,
                    path.clone(),
                    parent_meta,
                    parent_meta_path.to_string(),
                    &[
                        ("containers", ContainerKind::Regular),
                        ("initContainers", ContainerKind::Init),
                        ("ephemeralContainers", ContainerKind::Ephemeral),
                    ],
                ));
                return;
            }
            // Argo Workflows templates: `container:` / `script:` hold one container; pod-level
            // fields sit on the template itself.
            for single in ["container", "script"] {
                if let Some(c) = node.get(single)
                    && c.is_map()
                    && c.get("image").is_some()
                {
                    let mut spec = build(
                        node,
                        path.clone(),
                        parent_meta,
                        parent_meta_path.to_string(),
                        &[],
                    );
                    let mut c = container(
                        c,
                        ContainerKind::Regular,
                        crate::format_exact!("{path}.{single}"),
                        node,
                        path,
                    );
                    // Argo names a template's single container `main` when it sets no name.
                    if c.name.is_empty() {
                        c.name = "main";
                    }
                    spec.containers.push(c);
                    out.push(spec);
                }
            }
            if tekton
                && (node.get("steps").is_some_and(has_image_items)
                    || node.get("sidecars").is_some_and(has_image_items))
            {
                out.push(build(
                    node,
                    path.clone(),
                    parent_meta,
                    parent_meta_path.to_string(),
                    &[
                        ("steps", ContainerKind::Regular),
                        ("sidecars", ContainerKind::Regular),
                    ],
                ));
                return;
            }
            let meta = node.get("metadata").filter(|m| m.is_map());
            for e in entries {
                if matches!(&*e.key, "metadata" | "container" | "script") {
                    continue;
                }
                // A pod template is {metadata, spec}: the spec's pod template metadata is its sibling.
                let (m, mp) = match meta {
                    Some(m) if &*e.key == "spec" => {
                        (Some(m), crate::format_exact!("{path}.metadata"))
                    }
                    _ => (None, String::new()),
                };
                let len = path.len();
                path.push('.');
                path.push_str(&e.key);
                search(&e.value, path, m, &mp, tekton, out);
                path.truncate(len);
            }
        }
        Value::Seq(items) => {
            let len = path.len();
            for (i, item) in items.iter().enumerate() {
                path.push('[');
                push_index(path, i);
                path.push(']');
                search(item, path, None, "", tekton, out);
                path.truncate(len);
            }
        }
        Value::Scalar { .. } => {}
    }
}

/// Appends `i` in decimal (without the formatting machinery: paths are built for every list
/// item visited).
pub fn push_index(s: &mut String, i: usize) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    let mut n = i;
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    s.push_str(std::str::from_utf8(&buf[at..]).unwrap_or_default());
}

fn has_image_items(n: &Node) -> bool {
    !n.items().is_empty() && n.items().iter().all(|i| i.get("image").is_some())
}

/// A pod spec has `containers`: a sequence of mappings (a CRD schema's `containers` is a
/// mapping, so schemas never match).
fn is_pod_spec(node: &Node) -> bool {
    node.get("containers")
        .is_some_and(|c| c.is_seq() && c.items().iter().all(Node::is_map))
}

fn build<'a>(
    spec: &'a Node,
    path: String,
    metadata: Option<&'a Node>,
    metadata_path: String,
    lists: &[(&str, ContainerKind)],
) -> PodSpec<'a> {
    let mut containers = Vec::new();
    for (key, kind) in lists {
        if let Some(list) = spec.get(key) {
            for (i, c) in list.items().iter().enumerate() {
                if c.is_map() {
                    // Built by hand: `format!` was a visible share of finding pod specs.
                    let mut at = String::with_capacity(path.len() + key.len() + 8);
                    at.push_str(&path);
                    at.push('.');
                    at.push_str(key);
                    at.push('[');
                    push_index(&mut at, i);
                    at.push(']');
                    containers.push(container(c, *kind, at, spec, &path));
                }
            }
        }
    }
    PodSpec {
        spec,
        path,
        metadata,
        metadata_path,
        containers,
    }
}

fn container<'a>(
    node: &'a Node,
    kind: ContainerKind,
    path: String,
    pod: &'a Node,
    pod_path: &str,
) -> Container<'a> {
    Container {
        node,
        name: node.str_at("name").unwrap_or_default(),
        kind,
        path,
        pod,
        pod_path: pod_path.to_string(),
    }
}
