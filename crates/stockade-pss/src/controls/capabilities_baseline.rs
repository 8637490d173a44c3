//! `capabilities_baseline` (baseline, v1.0+): containers may only add capabilities from the
//! container runtime's default set. Names are compared exactly: `CAP_SYS_ADMIN` is not
//! `SYS_ADMIN`, and `CAP_CHOWN` is not in the allowed set either.

use super::{Ctx, at, containers_phrase, item_field, join_quote, sorted_set};
use crate::{Control, Level, Violation};

pub(super) const CONTROL: Control = super::control(
    "capabilities_baseline",
    Level::Baseline,
    "Capabilities",
    0,
    &[],
    eval,
);

/// The default capability set (upstream `capabilities_allowed_1_0`).
pub(super) const ALLOWED: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn eval(ctx: &Ctx<'_, '_>, _minor: u32) -> Option<Violation> {
    let mut bad_containers = Vec::new();
    let mut bad_caps = Vec::new();
    let mut first = None;
    for c in &ctx.containers {
        let Some(add) = at(c.node, &["securityContext", "capabilities", "add"]) else {
            continue;
        };
        let mut valid = true;
        for (i, cap) in add.items().iter().enumerate() {
            let name = cap.as_str().unwrap_or("");
            if !ALLOWED.contains(&name) {
                valid = false;
                bad_caps.push(name);
                if first.is_none() {
                    first = Some(item_field(
                        &c.path,
                        &["securityContext", "capabilities", "add"],
                        i,
                        cap,
                    ));
                }
            }
        }
        if !valid {
            bad_containers.push(c.name);
        }
    }
    let first = first?;
    super::violation(
        CONTROL.id,
        "non-default capabilities",
        stockade_model::format_exact!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&bad_containers),
            join_quote(&sorted_set(bad_caps))
        ),
        first,
    )
}
