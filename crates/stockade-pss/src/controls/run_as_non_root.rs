//! `runAsNonRoot` (restricted, v1.0+): the pod or every container sets `runAsNonRoot: true`,
//! and nothing sets it to false. A container setting it overrides the pod. From v1.35, pods in
//! a user namespace (`hostUsers: false`) are exempt.

use super::{Ctx, at, container_field, containers_phrase};
use crate::{Control, Level, Violation};

pub(super) const CONTROL: Control = super::control(
    "runAsNonRoot",
    Level::Restricted,
    "Running as Non-root",
    0,
    &[],
    eval,
);

const FIELD: &[&str] = &["securityContext", "runAsNonRoot"];

fn eval(ctx: &Ctx<'_, '_>, minor: u32) -> Option<Violation> {
    if minor >= 35 && ctx.in_user_namespace() {
        return None;
    }
    let mut setters: Vec<String> = Vec::new();
    let mut first_explicit = None;
    let mut pod_non_root = false;
    // A set field that is not a boolean would not have decoded; read it as unset.
    match ctx.spec_at(FIELD).and_then(|n| n.as_bool()) {
        Some(false) => {
            setters.push("pod".into());
            first_explicit = Some(ctx.spec_field(FIELD));
        }
        Some(true) => pod_non_root = true,
        None => {}
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    let mut first_implicit = None;
    for c in &ctx.containers {
        match at(c.node, FIELD).and_then(|n| n.as_bool()) {
            Some(false) => {
                explicit.push(c.name);
                if first_explicit.is_none() {
                    first_explicit = Some(container_field(c, FIELD));
                }
            }
            Some(true) => {}
            None if !pod_non_root => {
                implicit.push(c.name);
                if first_implicit.is_none() {
                    first_implicit = Some(container_field(c, FIELD));
                }
            }
            None => {}
        }
    }
    if !explicit.is_empty() {
        setters.push(containers_phrase(&explicit));
    }
    if let Some(first) = first_explicit {
        return super::violation(
            CONTROL.id,
            "runAsNonRoot != true",
            stockade_model::format_exact!(
                "{} must not set securityContext.runAsNonRoot=false",
                setters.join(" and ")
            ),
            first,
        );
    }
    let first = first_implicit?;
    super::violation(
        CONTROL.id,
        "runAsNonRoot != true",
        stockade_model::format_exact!(
            "pod or {} must set securityContext.runAsNonRoot=true",
            containers_phrase(&implicit)
        ),
        first,
    )
}
