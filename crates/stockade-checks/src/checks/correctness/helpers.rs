//! Helpers shared by the correctness checks: an index of pod templates by label, and the
//! Secret and ConfigMap references of a pod.

use std::collections::HashMap;

use stockade_model::{Node, Object, PodSpec, labels};

/// True when two namespaces may be the same: equal, or either unset (objects whose namespace
/// comes from `kubectl apply -n` or Helm's release namespace).
pub fn same_namespace(a: Option<&str>, b: Option<&str>) -> bool {
    a.is_none() || b.is_none() || a == b
}

/// `ns` for messages.
pub fn ns_label(ns: Option<&str>) -> &str {
    ns.unwrap_or("(unset)")
}

/// True for an object of an API group that is not Kubernetes' own (`monitoring.coreos.com`,
/// `elasticsearch.k8s.elastic.co`): operators create pods for such objects and usually label
/// the pods after them.
pub fn is_custom_resource(o: &Object) -> bool {
    let g = o.group();
    g.contains('.') && !g.ends_with(".k8s.io")
}

/// Label pair -> indexes of the label sets that carry it.
type ByLabel<'a> = HashMap<(&'a str, &'a str), Vec<usize>>;

fn index_labels<'a>(by_label: &mut ByLabel<'a>, labels: Option<&'a Node>, i: usize) {
    for e in labels.map(Node::entries).unwrap_or_default() {
        if let Some(v) = e.value.as_str() {
            by_label.entry((&e.key, v)).or_default().push(i);
        }
    }
}

/// The sets carrying every pair, starting from the rarest pair (all sets when there is none).
fn candidates(by_label: &ByLabel, len: usize, pairs: &[(&str, &str)]) -> Vec<usize> {
    if pairs.is_empty() {
        return (0..len).collect();
    }
    let mut best: Option<&Vec<usize>> = None;
    for (k, v) in pairs {
        match by_label.get(&(*k, *v)) {
            None => return Vec::new(),
            Some(list) if best.is_none_or(|b| list.len() < b.len()) => best = Some(list),
            Some(_) => {}
        }
    }
    best.cloned().unwrap_or_default()
}

fn match_labels(selector: &Node) -> Vec<(&str, &str)> {
    selector
        .get("matchLabels")
        .map(|m| {
            m.entries()
                .iter()
                .filter_map(|e| Some((&*e.key, e.value.as_str()?)))
                .collect()
        })
        .unwrap_or_default()
}

/// Every pod template of the input, indexed by label so that a selector is answered from the
/// templates carrying its rarest `key=value` pair instead of a scan of all templates. Custom
/// resources without a pod template are kept too, by their own labels, as likely owners of
/// operator-created pods.
pub struct PodIndex<'a> {
    /// (object, pod spec) pairs.
    pub templates: Vec<(&'a Object, &'a PodSpec<'a>)>,
    by_label: ByLabel<'a>,
    owners: Vec<(&'a Object, &'a Node)>,
    owners_by_label: ByLabel<'a>,
}

impl<'a> PodIndex<'a> {
    /// Indexes the pod templates (and labelled custom resources) of `objects`, whose pod
    /// specs `pods` holds.
    pub fn build(
        objects: impl IntoIterator<Item = &'a Object>,
        pods: &'a crate::SetPods<'a>,
    ) -> Self {
        let mut templates = Vec::new();
        let mut by_label = ByLabel::new();
        let mut owners = Vec::new();
        let mut owners_by_label = ByLabel::new();
        for obj in objects {
            let pods = pods.of(obj);
            if pods.is_empty() {
                if is_custom_resource(obj)
                    && let Some(l) = obj.metadata().get("labels").filter(|l| l.is_map())
                {
                    index_labels(&mut owners_by_label, Some(l), owners.len());
                    owners.push((obj, l));
                }
                continue;
            }
            for pod in pods {
                index_labels(
                    &mut by_label,
                    pod.metadata.and_then(|m| m.get("labels")),
                    templates.len(),
                );
                templates.push((obj, pod));
            }
        }
        PodIndex {
            templates,
            by_label,
            owners,
            owners_by_label,
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

    /// Templates in a namespace compatible with `ns` that a `LabelSelector` selects.
    pub fn select(&self, ns: Option<&str>, selector: &Node) -> Vec<usize> {
        candidates(
            &self.by_label,
            self.templates.len(),
            &match_labels(selector),
        )
        .into_iter()
        .filter(|&i| {
            same_namespace(ns, self.templates[i].0.namespace.as_deref())
                && labels::selector_selects(selector, self.labels(i))
        })
        .collect()
    }

    /// True when a `LabelSelector` selects a pod template, or a custom resource whose labels
    /// its operator's pods likely carry, in a namespace compatible with `ns`.
    pub fn selects_any(&self, ns: Option<&str>, selector: &Node) -> bool {
        !self.select(ns, selector).is_empty()
            || candidates(
                &self.owners_by_label,
                self.owners.len(),
                &match_labels(selector),
            )
            .into_iter()
            .any(|i| {
                let (obj, l) = self.owners[i];
                same_namespace(ns, obj.namespace.as_deref())
                    && labels::selector_selects(selector, Some(l))
            })
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
        candidates(&self.by_label, self.templates.len(), &pairs)
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

/// For each object `is_selector_owner` accepts (a NetworkPolicy, a PodDisruptionBudget), a
/// finding when the non-empty label selector at `selector_path` matches no pod template of the
/// set in the owner's namespace. `what` names the selector in the message.
pub fn report_selectors_matching_nothing(
    ctx: &crate::SetContext,
    out: &mut crate::SetEmit,
    is_selector_owner: fn(&Object) -> bool,
    selector_path: &[&str],
    what: &str,
) {
    let index = PodIndex::build(
        ctx.objects
            .iter()
            .filter(|o| !is_selector_owner(o))
            .map(|o| &**o),
        ctx.pods,
    );
    if index.is_empty() {
        return;
    }
    for owner in ctx.objects.iter().filter(|o| is_selector_owner(o)) {
        let Some(selector) = owner.root.at(selector_path) else {
            continue;
        };
        if selector
            .get("matchLabels")
            .is_none_or(|m| m.entries().is_empty())
            && selector
                .get("matchExpressions")
                .is_none_or(|m| m.items().is_empty())
        {
            continue;
        }
        let ns = owner.namespace.as_deref();
        if !index.selects_any(ns, selector) {
            out.at(
                owner,
                selector,
                selector_path.join("."),
                format!(
                    "{what} matches no pod template in namespace {}",
                    ns_label(ns)
                ),
            );
        }
    }
}
