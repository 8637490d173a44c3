//! `seccompProfile_baseline` (baseline): seccomp may not be disabled. Before v1.19 policy reads
//! the alpha annotations (`seccomp.security.alpha.kubernetes.io/pod`,
//! `container.seccomp.security.alpha.kubernetes.io/<name>`); from v1.19 the `seccompProfile`
//! fields, where unset is allowed. `seccompProfile_restricted` replaces it at restricted level
//! from v1.19.

use super::{Ctx, at, container_field, containers_phrase, go_quote, join_quote, pluralize, string};
use crate::{Control, Level, Violation};

pub(super) const CONTROL: Control = super::control(
    "seccompProfile_baseline",
    Level::Baseline,
    "Seccomp",
    0,
    &[],
    eval,
);

const POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// `RuntimeDefault` or `Localhost` (upstream `validSeccomp`).
pub(super) fn valid_type(t: &str) -> bool {
    matches!(t, "RuntimeDefault" | "Localhost")
}

fn valid_annotation(v: &str) -> bool {
    v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/")
}

fn eval(ctx: &Ctx<'_, '_>, minor: u32) -> Option<Violation> {
    if minor >= 19 {
        fields_1_19(ctx)
    } else {
        annotations_1_0(ctx)
    }
}

fn annotations_1_0(ctx: &Ctx<'_, '_>) -> Option<Violation> {
    let mut forbidden = Vec::new();
    let mut first = None;
    // Go map semantics: the last of duplicate keys wins.
    let lookup = |key: &str| ctx.annotations().filter(|(k, _, _)| *k == key).last();
    if let Some((k, v, node)) = lookup(POD_ANNOTATION)
        && !valid_annotation(v)
    {
        forbidden.push(stockade_model::format_exact!("{k}={}", go_quote(v)));
        first = Some(ctx.annotation_field(k, node));
    }
    for c in &ctx.containers {
        let key = stockade_model::format_exact!("{CONTAINER_ANNOTATION_PREFIX}{}", c.name);
        if let Some((k, v, node)) = lookup(&key)
            && !valid_annotation(v)
        {
            forbidden.push(stockade_model::format_exact!("{k}={}", go_quote(v)));
            if first.is_none() {
                first = Some(ctx.annotation_field(k, node));
            }
        }
    }
    let first = first?;
    forbidden.sort_unstable();
    forbidden.dedup();
    super::violation(
        CONTROL.id,
        "seccompProfile",
        stockade_model::format_exact!(
            "forbidden {} {}",
            pluralize("annotation", "annotations", forbidden.len()),
            forbidden.join(", ")
        ),
        first,
    )
}

fn fields_1_19(ctx: &Ctx<'_, '_>) -> Option<Violation> {
    let mut setters: Vec<String> = Vec::new();
    let mut bad_values = Vec::new();
    let mut first = None;
    if let Some(p) = ctx.spec_at(&["securityContext", "seccompProfile"]) {
        let t = string(p, &["type"]);
        if !valid_type(t) {
            setters.push("pod".into());
            bad_values.push(t);
            first = Some(ctx.spec_field(&["securityContext", "seccompProfile", "type"]));
        }
    }
    let mut bad_containers = Vec::new();
    for c in &ctx.containers {
        if let Some(p) = at(c.node, &["securityContext", "seccompProfile"]) {
            let t = string(p, &["type"]);
            if !valid_type(t) {
                bad_containers.push(c.name);
                bad_values.push(t);
                if first.is_none() {
                    first = Some(container_field(
                        c,
                        &["securityContext", "seccompProfile", "type"],
                    ));
                }
            }
        }
    }
    if !bad_containers.is_empty() {
        setters.push(containers_phrase(&bad_containers));
    }
    let first = first?;
    super::violation(
        CONTROL.id,
        "seccompProfile",
        stockade_model::format_exact!(
            "{} must not set securityContext.seccompProfile.type to {}",
            setters.join(" and "),
            join_quote(&super::sorted_set(bad_values))
        ),
        first,
    )
}
