//! `appArmorProfile` (baseline, v1.0+): AppArmor may not be disabled or overridden, neither by
//! the `appArmorProfile` field (pod or container) nor by the deprecated
//! `container.apparmor.security.beta.kubernetes.io/*` annotations. Upstream checks both
//! channels in its single v1.0 implementation, so the field is checked at every version.

use super::{Ctx, at, container_field, containers_phrase, go_quote, join_quote, pluralize, string};
use crate::{Control, Level, Violation};

pub(super) const CONTROL: Control =
    super::control("appArmorProfile", Level::Baseline, "AppArmor", 0, &[], eval);

const ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn allowed_type(t: &str) -> bool {
    matches!(t, "RuntimeDefault" | "Localhost")
}

fn allowed_annotation(v: &str) -> bool {
    v.is_empty() || v == "runtime/default" || v.starts_with("localhost/")
}

fn eval(ctx: &Ctx<'_, '_>, _minor: u32) -> Option<Violation> {
    let mut setters: Vec<String> = Vec::new();
    let mut bad_values: Vec<&str> = Vec::new();
    let mut first = None;

    if let Some(p) = ctx.spec_at(&["securityContext", "appArmorProfile"]) {
        let t = string(p, &["type"]);
        if !allowed_type(t) {
            setters.push("pod".into());
            bad_values.push(t);
            first = Some(ctx.spec_field(&["securityContext", "appArmorProfile", "type"]));
        }
    }

    let mut bad_containers = Vec::new();
    for c in &ctx.containers {
        if let Some(p) = at(c.node, &["securityContext", "appArmorProfile"]) {
            let t = string(p, &["type"]);
            if !allowed_type(t) {
                bad_containers.push(c.name);
                bad_values.push(t);
                if first.is_none() {
                    first = Some(container_field(
                        c,
                        &["securityContext", "appArmorProfile", "type"],
                    ));
                }
            }
        }
    }
    if !bad_containers.is_empty() {
        setters.push(containers_phrase(&bad_containers));
    }
    bad_values.sort_unstable();
    bad_values.dedup();
    let mut values: Vec<String> = bad_values.iter().map(|s| s.to_string()).collect();

    let mut annotations: Vec<String> = Vec::new();
    for (k, v, node) in ctx.annotations() {
        if k.starts_with(ANNOTATION_PREFIX) && !allowed_annotation(v) {
            annotations.push(stockade_model::format_exact!("{k}={}", go_quote(v)));
            if first.is_none() {
                first = Some(ctx.annotation_field(k, node));
            }
        }
    }
    if !annotations.is_empty() {
        annotations.sort_unstable();
        setters.push(pluralize("annotation", "annotations", annotations.len()).into());
        values.extend(annotations);
    }

    let first = first?;
    super::violation(
        CONTROL.id,
        pluralize(
            "forbidden AppArmor profile",
            "forbidden AppArmor profiles",
            values.len(),
        ),
        stockade_model::format_exact!(
            "{} must not set AppArmor profile type to {}",
            setters.join(" and "),
            join_quote(&values)
        ),
        first,
    )
}
