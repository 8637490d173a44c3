//! `procMount` (baseline, v1.0+): containers keep the default masked `/proc`. From v1.35 a pod
//! in a user namespace (`hostUsers: false`) may set any procMount at baseline level.

use super::{Ctx, at, container_field, containers_phrase, join_quote, sorted_set};
use crate::{Control, Level, Violation};

pub(super) const CONTROL: Control = super::control(
    "procMount",
    Level::Baseline,
    "/proc Mount Type",
    0,
    &[],
    eval,
);

fn eval(ctx: &Ctx<'_, '_>, minor: u32) -> Option<Violation> {
    if minor >= 35 && ctx.in_user_namespace() {
        return None;
    }
    default_proc_mount_only(ctx, CONTROL.id)
}

/// Upstream `procMount_1_0`: any procMount other than `Default` is forbidden.
pub(super) fn default_proc_mount_only(ctx: &Ctx<'_, '_>, id: &'static str) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut types = Vec::new();
    let mut first = None;
    for c in &ctx.containers {
        let Some(pm) = at(c.node, &["securityContext", "procMount"]) else {
            continue;
        };
        let t = pm.as_str().unwrap_or("");
        if t != "Default" {
            bad.push(c.name);
            types.push(t);
            if first.is_none() {
                first = Some(container_field(c, &["securityContext", "procMount"]));
            }
        }
    }
    let first = first?;
    super::violation(
        id,
        "procMount",
        stockade_model::format_exact!(
            "{} must not set securityContext.procMount to {}",
            containers_phrase(&bad),
            join_quote(&sorted_set(types))
        ),
        first,
    )
}
