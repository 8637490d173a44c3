//! `seccompProfile_restricted` (restricted, v1.19+): the pod, or every container, sets
//! `seccompProfile.type` to `RuntimeDefault` or `Localhost`; a container setting it overrides
//! the pod. From v1.25, pods with `spec.os.name: windows` are exempt. Replaces
//! `seccompProfile_baseline` at restricted level.

use super::seccomp_profile_baseline::valid_type;
use super::{Ctx, at, container_field, containers_phrase, join_quote, sorted_set, string};
use crate::{Control, Level, Violation};

pub(super) const CONTROL: Control = super::control(
    "seccompProfile_restricted",
    Level::Restricted,
    "Seccomp (restricted)",
    19,
    &["seccompProfile_baseline"],
    eval,
);

const TYPE: &[&str] = &["securityContext", "seccompProfile", "type"];

fn eval(ctx: &Ctx<'_, '_>, minor: u32) -> Option<Violation> {
    if minor >= 25 && ctx.is_windows() {
        return None;
    }
    let mut setters: Vec<String> = Vec::new();
    let mut bad_values = Vec::new();
    let mut first_explicit = None;
    let mut pod_set = false;
    if let Some(p) = ctx.spec_at(&["securityContext", "seccompProfile"]) {
        let t = string(p, &["type"]);
        if valid_type(t) {
            pod_set = true;
        } else {
            setters.push("pod".into());
            bad_values.push(t);
            first_explicit = Some(ctx.spec_field(TYPE));
        }
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    let mut first_implicit = None;
    for c in &ctx.containers {
        if let Some(p) = at(c.node, &["securityContext", "seccompProfile"]) {
            let t = string(p, &["type"]);
            if !valid_type(t) {
                explicit.push(c.name);
                bad_values.push(t);
                if first_explicit.is_none() {
                    first_explicit = Some(container_field(c, TYPE));
                }
            }
        } else if !pod_set {
            implicit.push(c.name);
            if first_implicit.is_none() {
                first_implicit = Some(container_field(c, TYPE));
            }
        }
    }
    if !explicit.is_empty() {
        setters.push(containers_phrase(&explicit));
    }
    if let Some(first) = first_explicit {
        return super::violation(
            CONTROL.id,
            "seccompProfile",
            stockade_model::format_exact!(
                "{} must not set securityContext.seccompProfile.type to {}",
                setters.join(" and "),
                join_quote(&sorted_set(bad_values))
            ),
            first,
        );
    }
    let first = first_implicit?;
    super::violation(
        CONTROL.id,
        "seccompProfile",
        stockade_model::format_exact!(
            "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
            containers_phrase(&implicit)
        ),
        first,
    )
}
