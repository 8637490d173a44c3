//! Helpers shared by the reliability checks.

use foldhash::{HashMap, HashMapExt};
use std::sync::Arc;

use stockade_model::{Container, ContainerKind, Node, Object, PodSpec};

/// True when `obj` runs to completion rather than serving: Jobs and CronJobs, CRDs that wrap
/// jobs (`RayJob`, `PyTorchJob`, `JobSet`, Argo Workflows, every Tekton kind).
pub fn is_batch_object(obj: &Object) -> bool {
    let kind = obj.kind.as_str();
    kind.ends_with("Job")
        || matches!(kind, "CronJob" | "JobSet")
        || obj.group() == "tekton.dev"
        || (obj.group() == "argoproj.io"
            && matches!(
                kind,
                "Workflow" | "WorkflowTemplate" | "ClusterWorkflowTemplate" | "CronWorkflow"
            ))
}

/// True when the pod's containers are meant to run until stopped: not in a batch object, and
/// `restartPolicy` is not `Never` or `OnFailure` (a Job's template always sets one of them).
pub fn is_long_running(obj: &Object, pod: &PodSpec) -> bool {
    !is_batch_object(obj)
        && !matches!(
            pod.field("restartPolicy").and_then(|p| p.as_str()),
            Some("Never" | "OnFailure")
        )
}

/// The containers that serve for the pod's lifetime: regular containers and native sidecars
/// (init containers with `restartPolicy: Always`, Kubernetes 1.29+), which accept probes too.
pub fn serving_containers<'a, 'p>(pod: &'p PodSpec<'a>) -> impl Iterator<Item = &'p Container<'a>> {
    pod.containers.iter().filter(|c| match c.kind {
        ContainerKind::Regular => true,
        ContainerKind::Init => c.node.str_at("restartPolicy") == Some("Always"),
        ContainerKind::Ephemeral => false,
    })
}

/// True when `c` sets probe `key` (`livenessProbe`, `readinessProbe`) to something.
pub fn has_probe(c: &Container, key: &str) -> bool {
    c.node.get(key).is_some_and(|p| !p.is_null())
}

/// The namespace as objects applied together see it: an unset namespace compares equal to
/// another unset one.
pub fn namespace(o: &Object) -> &str {
    o.namespace.as_deref().unwrap_or("")
}

/// Workloads whose `spec.replicas` says how many identical, long-running pods serve:
/// Deployments, StatefulSets and Argo Rollouts.
pub fn is_replicated(o: &Object) -> bool {
    matches!(
        (o.group(), o.kind.as_str()),
        ("apps", "Deployment" | "StatefulSet") | ("argoproj.io", "Rollout")
    )
}

/// True for a HorizontalPodAutoscaler (any `autoscaling` version).
pub fn is_hpa(o: &Object) -> bool {
    o.kind == "HorizontalPodAutoscaler" && o.group() == "autoscaling"
}

/// True for a PodDisruptionBudget (any `policy` version).
pub fn is_pdb(o: &Object) -> bool {
    o.kind == "PodDisruptionBudget" && o.group() == "policy"
}

/// A workload's pod template labels.
pub fn template_labels(o: &Object) -> Option<&Node> {
    o.root.at(&["spec", "template", "metadata", "labels"])
}

/// An HPA's `spec.minReplicas`: 1 when unset (the API server's default), `None` when it is
/// not a number (a template placeholder).
pub fn hpa_min(hpa: &Object) -> Option<i64> {
    match hpa
        .root
        .at(&["spec", "minReplicas"])
        .filter(|n| !n.is_null())
    {
        None => Some(1),
        Some(n) => n.as_i64(),
    }
}

/// The HPAs of a set, indexed by the (namespace, kind, name) of the workload they scale.
pub struct Autoscalers<'a> {
    by_target: HashMap<(&'a str, &'a str, &'a str), &'a Arc<Object>>,
}

impl<'a> Autoscalers<'a> {
    /// Indexes the HPAs among `objects`.
    pub fn new(objects: &'a [Arc<Object>]) -> Self {
        let mut by_target = HashMap::new();
        for hpa in objects.iter().filter(|o| is_hpa(o)) {
            let target = hpa.root.at(&["spec", "scaleTargetRef"]);
            if let Some(t) = target
                && let (Some(kind), Some(name)) = (t.str_at("kind"), t.str_at("name"))
            {
                by_target.insert((namespace(hpa), kind, name), hpa);
            }
        }
        Self { by_target }
    }

    /// The HPA that scales `w`, if the set has one.
    pub fn of(&self, w: &Object) -> Option<&'a Arc<Object>> {
        self.by_target
            .get(&(namespace(w), w.kind.as_str(), w.name.as_str()))
            .copied()
    }
}

/// How many pods a workload runs at least, and where that is written.
pub struct Replicas<'a> {
    /// The count: the HPA's `minReplicas` when an HPA scales the workload, else
    /// `spec.replicas` (1 when unset).
    pub count: i64,
    /// The HPA, when one decides the count.
    pub hpa: Option<&'a Arc<Object>>,
    /// The node to point at: `spec.replicas`, else `spec`, else the object.
    pub node: &'a Node,
    /// Its field path.
    pub path: &'static str,
}

/// The least number of replicas `w` runs; `None` when the number is not readable (a template
/// placeholder).
pub fn min_replicas<'a>(w: &'a Object, hpas: &Autoscalers<'a>) -> Option<Replicas<'a>> {
    let (node, path) = match (w.root.at(&["spec", "replicas"]), w.root.get("spec")) {
        (Some(r), _) => (r, "spec.replicas"),
        (None, Some(s)) => (s, "spec"),
        (None, None) => (&w.root, ""),
    };
    if let Some(hpa) = hpas.of(w) {
        return Some(Replicas {
            count: hpa_min(hpa)?,
            hpa: Some(hpa),
            node,
            path,
        });
    }
    let count = match w.root.at(&["spec", "replicas"]).filter(|n| !n.is_null()) {
        None => 1,
        Some(n) => n.as_i64()?,
    };
    Some(Replicas {
        count,
        hpa: None,
        node,
        path,
    })
}

/// `N%` as N, for `maxUnavailable`/`minAvailable` style int-or-percent fields.
pub fn percent(node: &Node) -> Option<i64> {
    node.as_str()?.trim().strip_suffix('%')?.trim().parse().ok()
}
