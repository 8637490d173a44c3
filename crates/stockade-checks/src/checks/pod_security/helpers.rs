//! Helpers shared by the pod-security checks: one finding per violation of a level.

use stockade_model::PodSpec;
use stockade_pss::{Level, Violation};

use crate::{Context, Emit, Hit};

/// Emits one hit per violation of `level` (at the configured `pss-version`) in every pod spec.
pub fn run_level(level: Level, ctx: &Context, out: &mut Emit) {
    let version = ctx.options.pss_version();
    for pod in ctx.pods {
        for v in stockade_pss::evaluate(level, version, pod) {
            let container = container_at(pod, &v.path);
            out.hits.push(Hit {
                message: message(&v),
                pos: v.pos,
                container,
                path: v.path,
                severity: None,
            });
        }
    }
}

/// `privileged: privileged (container "app" must not set securityContext.privileged=true)`:
/// the control ID, then the reason and detail as kubectl prints them.
fn message(v: &Violation) -> String {
    let forbidden = stockade_pss::forbidden_detail(std::slice::from_ref(v));
    stockade_model::format_exact!("{}: {forbidden}", v.check)
}

/// The container whose field the violation points at, if it points into one.
fn container_at(pod: &PodSpec, path: &str) -> Option<String> {
    pod.containers
        .iter()
        .find(|c| {
            path.strip_prefix(c.path.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        })
        .map(|c| c.name.to_string())
}
