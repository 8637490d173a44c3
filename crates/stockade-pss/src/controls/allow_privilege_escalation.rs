//! `allowPrivilegeEscalation` (restricted, v1.8+): every container sets
//! `allowPrivilegeEscalation: false`. From v1.25, pods with `spec.os.name: windows` are exempt.

use super::{Ctx, at, container_field, containers_phrase};
use crate::{Control, Level, Violation};

pub(super) const CONTROL: Control = super::control(
    "allowPrivilegeEscalation",
    Level::Restricted,
    "Privilege Escalation",
    8,
    &[],
    eval,
);

const FIELD: &[&str] = &["securityContext", "allowPrivilegeEscalation"];

fn eval(ctx: &Ctx<'_, '_>, minor: u32) -> Option<Violation> {
    if minor >= 25 && ctx.is_windows() {
        return None;
    }
    let mut bad = Vec::new();
    let mut first = None;
    for c in &ctx.containers {
        // Unset, or anything but false, is forbidden.
        if at(c.node, FIELD).and_then(|n| n.as_bool()) != Some(false) {
            bad.push(c.name);
            if first.is_none() {
                first = Some(container_field(c, FIELD));
            }
        }
    }
    let first = first?;
    super::violation(
        CONTROL.id,
        "allowPrivilegeEscalation != false",
        stockade_model::format_exact!(
            "{} must set securityContext.allowPrivilegeEscalation=false",
            containers_phrase(&bad)
        ),
        first,
    )
}
