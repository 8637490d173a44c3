//! Helpers shared by the correctness checks: an index of pod templates by label, and the
//! Secret and ConfigMap references of a pod.

use foldhash::{HashMap, HashMapExt};

use stockade_model::{Container, Node, Object, PodSpec, labels};

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
pub type ByLabel<'a> = HashMap<(&'a str, &'a str), Vec<usize>>;

/// Indexes label set `i` under each of its pairs.
pub fn index_labels<'a>(by_label: &mut ByLabel<'a>, labels: Option<&'a Node>, i: usize) {
    for e in labels.map(Node::entries).unwrap_or_default() {
        if let Some(v) = e.value.as_str() {
            by_label.entry((&e.key, v)).or_default().push(i);
        }
    }
}

/// The sets carrying every pair, starting from the rarest pair (all sets when there is none).
pub fn candidates(by_label: &ByLabel, len: usize, pairs: &[(&str, &str)]) -> Vec<usize> {
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

/// A `LabelSelector`'s `matchLabels` pairs.
pub fn match_labels(selector: &Node) -> Vec<(&str, &str)> {
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

/// A reference from a pod to a Secret or ConfigMap. Its field path and the words for messages
/// are built only when asked, for a finding: most references resolve.
pub struct PodRef<'p> {
    /// What it names.
    pub kind: RefKind,
    /// The referenced name.
    pub name: &'p str,
    /// The `name` (or `secretName`) field.
    pub node: &'p Node,
    /// `optional: true`: the pod starts without the object.
    pub optional: bool,
    /// Where the reference sits.
    at: RefAt<'p>,
    /// The field holding the reference (`secret`, `configMapRef`, `secretKeyRef` ...).
    holder: &'static str,
    /// The field naming the object in it (`name` or `secretName`).
    name_key: &'static str,
}

/// Where a [`PodRef`] sits.
enum RefAt<'p> {
    /// `volumes[i]` of the pod spec at `pod_path`, named `volume`; `source` for a projected one.
    Volume {
        pod_path: &'p str,
        i: usize,
        volume: &'p str,
        source: Option<usize>,
    },
    /// `envFrom[i]` of a container.
    EnvFrom {
        container: &'p Container<'p>,
        i: usize,
    },
    /// `env[i].valueFrom` of a container, for the variable `var`.
    Env {
        container: &'p Container<'p>,
        i: usize,
        var: &'p str,
    },
}

impl PodRef<'_> {
    /// Its field path, e.g. `spec.template.spec.volumes[0].secret.secretName`.
    pub fn path(&self) -> String {
        let (holder, key) = (self.holder, self.name_key);
        match &self.at {
            RefAt::Volume {
                pod_path,
                i,
                source: None,
                ..
            } => stockade_model::format_exact!("{pod_path}.volumes[{i}].{holder}.{key}"),
            RefAt::Volume {
                pod_path,
                i,
                source: Some(j),
                ..
            } => stockade_model::format_exact!(
                "{pod_path}.volumes[{i}].projected.sources[{j}].{holder}.{key}"
            ),
            RefAt::EnvFrom { container, i } => {
                stockade_model::format_exact!("{}.envFrom[{i}].{holder}.{key}", container.path)
            }
            RefAt::Env { container, i, .. } => {
                stockade_model::format_exact!(
                    "{}.env[{i}].valueFrom.{holder}.{key}",
                    container.path
                )
            }
        }
    }

    /// Where it is used, for messages: `volume "certs"`, `container "app" envFrom`.
    pub fn used_by(&self) -> String {
        match &self.at {
            RefAt::Volume { volume, .. } => stockade_model::format_exact!("volume \"{volume}\""),
            RefAt::EnvFrom { container, .. } => {
                stockade_model::format_exact!("{} envFrom", container.label())
            }
            RefAt::Env { container, var, .. } => {
                stockade_model::format_exact!("{} env {var}", container.label())
            }
        }
    }
}

/// Every Secret and ConfigMap a pod spec references through volumes (also projected),
/// `envFrom` and `env[].valueFrom`, in all containers.
pub fn pod_refs<'p>(pod: &'p PodSpec<'p>) -> Vec<PodRef<'p>> {
    let mut out = Vec::new();
    let mut push = |kind, holder_node: &'p Node, holder, name_key, at: RefAt<'p>| {
        if let Some(node) = holder_node.get(name_key)
            && let Some(name) = node.as_str()
        {
            out.push(PodRef {
                kind,
                name,
                node,
                optional: holder_node.get("optional").and_then(Node::as_bool) == Some(true),
                at,
                holder,
                name_key,
            });
        }
    };
    if let Some(volumes) = pod.field("volumes") {
        for (i, v) in volumes.items().iter().enumerate() {
            let volume = v.str_at("name").unwrap_or_default();
            let at = |source| RefAt::Volume {
                pod_path: &pod.path,
                i,
                volume,
                source,
            };
            if let Some(s) = v.get("secret") {
                push(RefKind::Secret, s, "secret", "secretName", at(None));
            }
            if let Some(c) = v.get("configMap") {
                push(RefKind::ConfigMap, c, "configMap", "name", at(None));
            }
            if let Some(sources) = v.at(&["projected", "sources"]) {
                for (j, src) in sources.items().iter().enumerate() {
                    if let Some(s) = src.get("secret") {
                        push(RefKind::Secret, s, "secret", "name", at(Some(j)));
                    }
                    if let Some(c) = src.get("configMap") {
                        push(RefKind::ConfigMap, c, "configMap", "name", at(Some(j)));
                    }
                }
            }
        }
    }
    for container in &pod.containers {
        if let Some(env_from) = container.node.get("envFrom") {
            for (i, e) in env_from.items().iter().enumerate() {
                if let Some(s) = e.get("secretRef") {
                    let at = RefAt::EnvFrom { container, i };
                    push(RefKind::Secret, s, "secretRef", "name", at);
                }
                if let Some(m) = e.get("configMapRef") {
                    let at = RefAt::EnvFrom { container, i };
                    push(RefKind::ConfigMap, m, "configMapRef", "name", at);
                }
            }
        }
        if let Some(env) = container.node.get("env") {
            for (i, e) in env.items().iter().enumerate() {
                let Some(from) = e.get("valueFrom") else {
                    continue;
                };
                let var = e.str_at("name").unwrap_or_default();
                if let Some(s) = from.get("secretKeyRef") {
                    let at = RefAt::Env { container, i, var };
                    push(RefKind::Secret, s, "secretKeyRef", "name", at);
                }
                if let Some(m) = from.get("configMapKeyRef") {
                    let at = RefAt::Env { container, i, var };
                    push(RefKind::ConfigMap, m, "configMapKeyRef", "name", at);
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
                stockade_model::format_exact!(
                    "{what} matches no pod template in namespace {}",
                    ns_label(ns)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{RefKind, pod_refs};
    use stockade_model::{load, pod_specs};

    #[test]
    fn pod_refs_name_their_field_and_use() {
        let yaml = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: a}
spec:
  template:
    spec:
      volumes:
        - name: certs
          secret: {secretName: tls}
        - name: conf
          configMap: {name: settings, optional: true}
        - name: all
          projected:
            sources:
              - configMap: {name: p-cm}
              - secret: {name: p-secret}
      containers:
        - name: app
          envFrom:
            - secretRef: {name: env-secret}
            - configMapRef: {name: env-cm}
          env:
            - name: PLAIN
              value: x
            - name: TOKEN
              valueFrom:
                secretKeyRef: {name: token, key: t}
            - name: LEVEL
              valueFrom:
                configMapKeyRef: {name: levels, key: l}
"#;
        let loaded = load("t.yaml", yaml.as_bytes());
        let pods = pod_specs(&loaded.objects[0]);
        let got: Vec<String> = pod_refs(&pods[0])
            .iter()
            .map(|r| {
                let kind = if r.kind == RefKind::Secret {
                    "Secret"
                } else {
                    "ConfigMap"
                };
                format!(
                    "{kind} {} {} | {} | {}",
                    r.name,
                    r.optional,
                    r.path(),
                    r.used_by()
                )
            })
            .collect();
        let p = "spec.template.spec";
        let c = "spec.template.spec.containers[0]";
        assert_eq!(
            got,
            [
                format!("Secret tls false | {p}.volumes[0].secret.secretName | volume \"certs\""),
                format!(
                    "ConfigMap settings true | {p}.volumes[1].configMap.name | volume \"conf\""
                ),
                format!(
                    "ConfigMap p-cm false | {p}.volumes[2].projected.sources[0].configMap.name | volume \"all\""
                ),
                format!(
                    "Secret p-secret false | {p}.volumes[2].projected.sources[1].secret.name | volume \"all\""
                ),
                format!(
                    "Secret env-secret false | {c}.envFrom[0].secretRef.name | container \"app\" envFrom"
                ),
                format!(
                    "ConfigMap env-cm false | {c}.envFrom[1].configMapRef.name | container \"app\" envFrom"
                ),
                format!(
                    "Secret token false | {c}.env[1].valueFrom.secretKeyRef.name | container \"app\" env TOKEN"
                ),
                format!(
                    "ConfigMap levels false | {c}.env[2].valueFrom.configMapKeyRef.name | container \"app\" env LEVEL"
                ),
            ]
        );
    }
}
