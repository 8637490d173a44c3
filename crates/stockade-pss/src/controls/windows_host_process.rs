//! `windowsHostProcess` (baseline, v1.0+): no Windows HostProcess containers.

use super::{Ctx, container_field, containers_phrase, is_true};
use crate::{Control, Level, Violation};

pub(super) const CONTROL: Control = super::control(
    "windowsHostProcess",
    Level::Baseline,
    "HostProcess",
    0,
    &[],
    eval,
);

const HOST_PROCESS: &[&str] = &["securityContext", "windowsOptions", "hostProcess"];

fn eval(ctx: &Ctx<'_, '_>, _minor: u32) -> Option<Violation> {
    let mut setters: Vec<String> = Vec::new();
    let mut first = None;
    if is_true(ctx.pod.spec, HOST_PROCESS) {
        setters.push("pod".into());
        first = Some(ctx.spec_field(HOST_PROCESS));
    }
    let mut bad = Vec::new();
    for c in &ctx.containers {
        if is_true(c.node, HOST_PROCESS) {
            bad.push(c.name);
            if first.is_none() {
                first = Some(container_field(c, HOST_PROCESS));
            }
        }
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    let first = first?;
    super::violation(
        CONTROL.id,
        "hostProcess",
        stockade_model::format_exact!(
            "{} must not set securityContext.windowsOptions.hostProcess=true",
            setters.join(" and ")
        ),
        first,
    )
}
