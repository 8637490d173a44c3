//! Helpers shared by the correctness checks: an index of pod templates by label, and the
//! Secret and ConfigMap references of a pod.

use std::collections::HashMap;

use stockade_model::{Node, Object, PodSpec, labels, pod_specs};

/// True when two namespaces may be the same: equal, or either unset (objects whose namespace
/// comes from `kubectl apply -n` or Helm's release namespace).
pub fn same_namespace(a: Option<&str>, b: Option<&str>) -> bool {
    a.is_none() || b.is_none() || a == b
}

/// `ns` for messages.
pub fn ns_label(ns: Option<&str>) -> &str {
    ns.unwrap_or("(unset)")
}

/// Every pod template of the input, indexed by label so that a selector is answered from the
/// templates carrying its rarest `key=value` pair instead of a scan of all templates.
pub struct PodIndex<'a> {
    /// (object, pod spec) pairs.
    pub templates: Vec<(&'a Object, PodSpec<'a>)>,
    by_label: HashMap<(&'a str, &'a str), Vec<usize>>,
}

impl<'a> PodIndex<'a> {
    /// Indexes the pod templates of `objects`.
    pub fn build(objects: impl IntoIterator<Item = &'a Object>) -> Self {
        let mut templates = Vec::new();
        let mut by_label: HashMap<(&'a str, &'a str), Vec<usize>> = HashMap::new();
        for obj in objects {
            for pod in pod_specs(obj) {
                let i = templates.len();
                if let Some(l) = pod.metadata.and_then(|m| m.get("labels")) {
                    for e in l.entries() {
                        if let Some(v) = e.value.as_str() {
                            by_label.entry((&e.key, v)).or_default().push(i);
                        }
                    }
                }
                templates.push((obj, pod));
            }
        }
        PodIndex {
            templates,
            by_label,
        }
    }

    /// True when the input holds no pod template.
    pub fn is_empty(&self) -> bool {
        self.templates.is_empty()
    }

    /// The pod template's labels.
    pub fn labels(&self, i: usize) -> Option<&'a Node> {
        self.templates[i].1.metadata.and_then(|m| m.get("labels"))
    }

    fn candidates(&self, pairs: &[(&str, &str)]) -> Vec<usize> {
        if pairs.is_empty() {
            return (0..self.templates.len()).collect();
        }
        let mut best: Option<&Vec<usize>> = None;
        for (k, v) in pairs {
            match self.by_label.get(&(*k, *v)) {
                None => return Vec::new(),
                Some(list) if best.is_none_or(|b| list.len() < b.len()) => best = Some(list),
                Some(_) => {}
            }
        }
        best.cloned().unwrap_or_default()
    }

    /// Templates in a namespace compatible with `ns` that a `LabelSelector` selects.
    pub fn select(&self, ns: Option<&str>, selector: &Node) -> Vec<usize> {
        let pairs: Vec<(&str, &str)> = selector
            .get("matchLabels")
            .map(|m| {
                m.entries()
                    .iter()
                    .filter_map(|e| Some((&*e.key, e.value.as_str()?)))
                    .collect()
            })
            .unwrap_or_default();
        self.candidates(&pairs)
            .into_iter()
            .filter(|&i| {
                same_namespace(ns, self.templates[i].0.namespace.as_deref())
                    && labels::selector_selects(selector, self.labels(i))
            })
            .collect()
    }

    /// Templates in a namespace compatible with `ns` that a Service-style map selector selects.
    pub fn select_map(&self, ns: Option<&str>, selector: &Node) -> Vec<usize> {
        let pairs: Vec<(&str, &str)> = selector
            .entries()
            .iter()
            .filter_map(|e| Some((&*e.key, e.value.as_str()?)))
            .collect();
        if pairs.is_empty() {
            return Vec::new();
        }
        self.candidates(&pairs)
            .into_iter()
            .filter(|&i| {
                same_namespace(ns, self.templates[i].0.namespace.as_deref())
                    && labels::map_selects(selector, self.labels(i))
            })
            .collect()
    }
}

/// What a pod reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// A Secret.
    Secret,
    /// A ConfigMap.
    ConfigMap,
}

/// A reference from a pod to a Secret or ConfigMap.
pub struct PodRef<'a> {
    /// What it names.
    pub kind: RefKind,
    /// The referenced name.
    pub name: &'a str,
    /// The `name` (or `secretName`) field.
    pub node: &'a Node,
    /// Its field path.
    pub path: String,
    /// `optional: true`: the pod starts without the object.
    pub optional: bool,
    /// Where it is used, for messages: `volume "certs"`, `container "app" envFrom`.
    pub used_by: String,
}

fn push<'a>(
    out: &mut Vec<PodRef<'a>>,
    kind: RefKind,
    holder: &'a Node,
    name_key: &str,
    path: String,
    used_by: String,
) {
    if let Some(node) = holder.get(name_key)
        && let Some(name) = node.as_str()
    {
        out.push(PodRef {
            kind,
            name,
            node,
            path: format!("{path}.{name_key}"),
            optional: holder.get("optional").and_then(Node::as_bool) == Some(true),
            used_by,
        });
    }
}

/// Every Secret and ConfigMap a pod spec references through volumes (also projected),
/// `envFrom` and `env[].valueFrom`, in all containers.
pub fn pod_refs<'a>(pod: &PodSpec<'a>) -> Vec<PodRef<'a>> {
    let mut out = Vec::new();
    if let Some(volumes) = pod.field("volumes") {
        for (i, v) in volumes.items().iter().enumerate() {
            let vpath = format!("{}.volumes[{i}]", pod.path);
            let used = format!("volume \"{}\"", v.str_at("name").unwrap_or_default());
            if let Some(s) = v.get("secret") {
                push(
                    &mut out,
                    RefKind::Secret,
                    s,
                    "secretName",
                    format!("{vpath}.secret"),
                    used.clone(),
                );
            }
            if let Some(c) = v.get("configMap") {
                push(
                    &mut out,
                    RefKind::ConfigMap,
                    c,
                    "name",
                    format!("{vpath}.configMap"),
                    used.clone(),
                );
            }
            if let Some(sources) = v.at(&["projected", "sources"]) {
                for (j, src) in sources.items().iter().enumerate() {
                    let spath = format!("{vpath}.projected.sources[{j}]");
                    if let Some(s) = src.get("secret") {
                        push(
                            &mut out,
                            RefKind::Secret,
                            s,
                            "name",
                            format!("{spath}.secret"),
                            used.clone(),
                        );
                    }
                    if let Some(c) = src.get("configMap") {
                        push(
                            &mut out,
                            RefKind::ConfigMap,
                            c,
                            "name",
                            format!("{spath}.configMap"),
                            used.clone(),
                        );
                    }
                }
            }
        }
    }
    for c in &pod.containers {
        if let Some(env_from) = c.node.get("envFrom") {
            for (i, e) in env_from.items().iter().enumerate() {
                let epath = format!("{}.envFrom[{i}]", c.path);
                let used = format!("{} envFrom", c.label());
                if let Some(s) = e.get("secretRef") {
                    push(
                        &mut out,
                        RefKind::Secret,
                        s,
                        "name",
                        format!("{epath}.secretRef"),
                        used.clone(),
                    );
                }
                if let Some(m) = e.get("configMapRef") {
                    push(
                        &mut out,
                        RefKind::ConfigMap,
                        m,
                        "name",
                        format!("{epath}.configMapRef"),
                        used,
                    );
                }
            }
        }
        if let Some(env) = c.node.get("env") {
            for (i, e) in env.items().iter().enumerate() {
                let Some(from) = e.get("valueFrom") else {
                    continue;
                };
                let epath = format!("{}.env[{i}].valueFrom", c.path);
                let used = format!("{} env {}", c.label(), e.str_at("name").unwrap_or_default());
                if let Some(s) = from.get("secretKeyRef") {
                    push(
                        &mut out,
                        RefKind::Secret,
                        s,
                        "name",
                        format!("{epath}.secretKeyRef"),
                        used.clone(),
                    );
                }
                if let Some(m) = from.get("configMapKeyRef") {
                    push(
                        &mut out,
                        RefKind::ConfigMap,
                        m,
                        "name",
                        format!("{epath}.configMapKeyRef"),
                        used,
                    );
                }
            }
        }
    }
    out
}
