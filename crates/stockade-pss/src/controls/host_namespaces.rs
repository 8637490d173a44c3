//! `hostNamespaces` (baseline, v1.0+): the pod may not share the host's network, PID or IPC
//! namespace.

use super::{Ctx, is_true};
use crate::{Control, Level, Violation};

pub(super) const CONTROL: Control = super::control(
    "hostNamespaces",
    Level::Baseline,
    "Host Namespaces",
    0,
    &[],
    eval,
);

fn eval(ctx: &Ctx<'_, '_>, _minor: u32) -> Option<Violation> {
    let mut set = Vec::new();
    let mut first = None;
    // Upstream reports them as a sorted set; the path points at the first in source order.
    for field in ["hostNetwork", "hostPID", "hostIPC"] {
        if is_true(ctx.pod.spec, &[field]) {
            set.push(field);
            let f = ctx.spec_field(&[field]);
            if first.as_ref().is_none_or(|(_, p)| f.1 < *p) {
                first = Some(f);
            }
        }
    }
    let first = first?;
    set.sort_unstable();
    super::violation(CONTROL.id, "host namespaces", set.join(", "), first)
}
