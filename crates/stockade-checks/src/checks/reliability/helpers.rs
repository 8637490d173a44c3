//! Helpers shared by the reliability checks.

use stockade_model::{Container, ContainerKind, Object, PodSpec};

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
