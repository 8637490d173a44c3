//! Helpers shared by the resource checks.

use stockade_model::{ContainerKind, Node};

use crate::{Context, Emit};

/// `requests` or `limits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// `resources.requests`.
    Request,
    /// `resources.limits`.
    Limit,
}

fn has(resources: Option<&Node>, list: &str, resource: &str) -> bool {
    resources
        .and_then(|r| r.at(&[list, resource]))
        .is_some_and(|n| !n.is_null())
}

/// Reports every regular and init container (ephemeral containers cannot set resources) that
/// lacks `resource` (`cpu`, `memory`) for `bound`.
///
/// A request is also satisfied by a limit, because the API server copies a limit into a
/// missing request; and either is satisfied at pod level by `spec.resources` (pod-level
/// resources, Kubernetes 1.32+), which bounds all the containers together.
pub fn report_missing(ctx: &Context, out: &mut Emit, bound: Bound, resource: &str, what: &str) {
    let lists: &[&str] = match bound {
        Bound::Request => &["requests", "limits"],
        Bound::Limit => &["limits"],
    };
    for pod in ctx.pods {
        let pod_resources = pod.field("resources");
        if lists.iter().any(|l| has(pod_resources, l, resource)) {
            continue;
        }
        for c in &pod.containers {
            if c.kind == ContainerKind::Ephemeral {
                continue;
            }
            let own = c.node.get("resources");
            if lists.iter().any(|l| has(own, l, resource)) {
                continue;
            }
            out.container(c, None, format!("{} has no {what}", c.label()));
        }
    }
}
