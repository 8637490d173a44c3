//! `runAsUser` (restricted, v1.23+): neither the pod nor a container sets `runAsUser: 0`. From
//! v1.35, pods in a user namespace (`hostUsers: false`) are exempt.

use super::{Ctx, at, container_field, containers_phrase};
use crate::{Control, Level, Violation};

pub(super) const CONTROL: Control = super::control(
    "runAsUser",
    Level::Restricted,
    "Running as Non-root user",
    23,
    &[],
    eval,
);

const FIELD: &[&str] = &["securityContext", "runAsUser"];

fn eval(ctx: &Ctx<'_, '_>, minor: u32) -> Option<Violation> {
    if minor >= 35 && ctx.in_user_namespace() {
        return None;
    }
    let mut setters: Vec<String> = Vec::new();
    let mut first = None;
    if ctx.spec_at(FIELD).and_then(|n| n.as_i64()) == Some(0) {
        setters.push("pod".into());
        first = Some(ctx.spec_field(FIELD));
    }
    let mut bad = Vec::new();
    for c in &ctx.containers {
        if at(c.node, FIELD).and_then(|n| n.as_i64()) == Some(0) {
            bad.push(c.name);
            if first.is_none() {
                first = Some(container_field(c, FIELD));
            }
        }
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    let first = first?;
    super::violation(
        CONTROL.id,
        "runAsUser=0",
        stockade_model::format_exact!("{} must not set runAsUser=0", setters.join(" and ")),
        first,
    )
}
