//! `hostProbesAndHostLifecycle` (baseline, v1.34+): probes and lifecycle handlers may not set
//! `host`, which would let the kubelet reach other hosts on the pod's behalf.

use super::{Ctx, at, container_field, join_quote, pluralize, sorted_set, string};
use crate::{Control, Level, Violation};

pub(super) const CONTROL: Control = super::control(
    "hostProbesAndHostLifecycle",
    Level::Baseline,
    "Host Probes / Lifecycle Hooks",
    34,
    &[],
    eval,
);

const HANDLERS: &[[&str; 2]] = &[
    ["livenessProbe", ""],
    ["readinessProbe", ""],
    ["startupProbe", ""],
    ["lifecycle", "postStart"],
    ["lifecycle", "preStop"],
];

fn eval(ctx: &Ctx<'_, '_>, _minor: u32) -> Option<Violation> {
    let mut bad_containers = Vec::new();
    let mut hosts = Vec::new();
    let mut first = None;
    for c in &ctx.containers {
        for [a, b] in HANDLERS {
            let keys: &[&str] = if b.is_empty() { &[a] } else { &[a, b] };
            let Some(handler) = at(c.node, keys) else {
                continue;
            };
            for kind in ["httpGet", "tcpSocket"] {
                let host = at(handler, &[kind]).map_or("", |h| string(h, &["host"]));
                if host.is_empty() {
                    continue;
                }
                bad_containers.push(c.name);
                hosts.push(host);
                if first.is_none() {
                    let mut k = keys.to_vec();
                    k.extend([kind, "host"]);
                    first = Some(container_field(c, &k));
                }
            }
        }
    }
    let first = first?;
    // Both are sets upstream: sorted and deduplicated.
    let bad_containers = sorted_set(bad_containers);
    let hosts = sorted_set(hosts);
    super::violation(
        CONTROL.id,
        "probe or lifecycle host",
        stockade_model::format_exact!(
            "{} {} {} {} {}",
            pluralize("container", "containers", bad_containers.len()),
            join_quote(&bad_containers),
            pluralize("uses", "use", bad_containers.len()),
            pluralize(
                "probe or lifecycle host",
                "probe or lifecycle hosts",
                hosts.len()
            ),
            join_quote(&hosts)
        ),
        first,
    )
}
