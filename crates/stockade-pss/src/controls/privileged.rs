//! `privileged` (baseline, v1.0+): no privileged containers.

use super::{Ctx, container_field, containers_phrase, is_true};
use crate::{Control, Level, Violation};

pub(super) const CONTROL: Control = super::control(
    "privileged",
    Level::Baseline,
    "Privileged Containers",
    0,
    &[],
    eval,
);

fn eval(ctx: &Ctx<'_, '_>, _minor: u32) -> Option<Violation> {
    let mut bad = Vec::new();
    let mut first = None;
    for c in &ctx.containers {
        if is_true(c.node, &["securityContext", "privileged"]) {
            bad.push(c.name);
            if first.is_none() {
                first = Some(container_field(c, &["securityContext", "privileged"]));
            }
        }
    }
    let first = first?;
    super::violation(
        CONTROL.id,
        "privileged",
        stockade_model::format_exact!(
            "{} must not set securityContext.privileged=true",
            containers_phrase(&bad)
        ),
        first,
    )
}
