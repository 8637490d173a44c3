//! `capabilities_restricted` (restricted, v1.22+): every container drops `ALL` and adds nothing
//! but `NET_BIND_SERVICE`. Names are compared exactly, as upstream does: `CAP_NET_BIND_SERVICE`
//! may not be added and dropping `all` or `CAP_ALL` does not count. From v1.25, pods with
//! `spec.os.name: windows` are exempt. Replaces `capabilities_baseline` at restricted level.

use super::{Ctx, at, container_field, containers_phrase, item_field, join_quote, sorted_set};
use crate::{Control, Level, Violation};

pub(super) const CONTROL: Control = super::control(
    "capabilities_restricted",
    Level::Restricted,
    "Capabilities (restricted)",
    22,
    &["capabilities_baseline"],
    eval,
);

fn eval(ctx: &Ctx<'_, '_>, minor: u32) -> Option<Violation> {
    if minor >= 25 && ctx.is_windows() {
        return None;
    }
    let mut missing_drop = Vec::new();
    let mut adding = Vec::new();
    let mut forbidden = Vec::new();
    let mut first_missing = None;
    let mut first_adding = None;
    for c in &ctx.containers {
        let Some(caps) = at(c.node, &["securityContext", "capabilities"]) else {
            missing_drop.push(c.name);
            if first_missing.is_none() {
                first_missing = Some(container_field(
                    c,
                    &["securityContext", "capabilities", "drop"],
                ));
            }
            continue;
        };
        let drop = at(caps, &["drop"]);
        let dropped_all = drop.is_some_and(|d| d.items().iter().any(|i| i.as_str() == Some("ALL")));
        if !dropped_all {
            missing_drop.push(c.name);
            if first_missing.is_none() {
                first_missing = Some(container_field(
                    c,
                    &["securityContext", "capabilities", "drop"],
                ));
            }
        }
        let mut added_forbidden = false;
        if let Some(add) = at(caps, &["add"]) {
            for (i, cap) in add.items().iter().enumerate() {
                let name = cap.as_str().unwrap_or("");
                if name != "NET_BIND_SERVICE" {
                    added_forbidden = true;
                    forbidden.push(name);
                    if first_adding.is_none() {
                        first_adding = Some(item_field(
                            &c.path,
                            &["securityContext", "capabilities", "add"],
                            i,
                            cap,
                        ));
                    }
                }
            }
        }
        if added_forbidden {
            adding.push(c.name);
        }
    }
    let first = first_missing.or(first_adding)?;
    let mut details = Vec::new();
    if !missing_drop.is_empty() {
        details.push(stockade_model::format_exact!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            containers_phrase(&missing_drop)
        ));
    }
    if !adding.is_empty() {
        details.push(stockade_model::format_exact!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&adding),
            join_quote(&sorted_set(forbidden))
        ));
    }
    super::violation(
        CONTROL.id,
        "unrestricted capabilities",
        details.join("; "),
        first,
    )
}
