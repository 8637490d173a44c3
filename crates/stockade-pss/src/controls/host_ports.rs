//! `hostPorts` (baseline, v1.0+): containers may not bind host ports.

use super::{Ctx, at, containers_phrase, item_field, pluralize};
use crate::{Control, Level, Violation};

pub(super) const CONTROL: Control =
    super::control("hostPorts", Level::Baseline, "Host Ports", 0, &[], eval);

fn eval(ctx: &Ctx<'_, '_>, _minor: u32) -> Option<Violation> {
    let mut bad_containers = Vec::new();
    let mut ports: Vec<String> = Vec::new();
    let mut first = None;
    for c in &ctx.containers {
        let Some(list) = at(c.node, &["ports"]) else {
            continue;
        };
        let mut valid = true;
        for (i, p) in list.items().iter().enumerate() {
            let Some(hp) = at(p, &["hostPort"]) else {
                continue;
            };
            let n = hp.as_i64().unwrap_or(0);
            if n != 0 {
                valid = false;
                ports.push(n.to_string());
                if first.is_none() {
                    let (path, _) = item_field(&c.path, &["ports"], i, p);
                    first = Some((stockade_model::format_exact!("{path}.hostPort"), hp.pos));
                }
            }
        }
        if !valid {
            bad_containers.push(c.name);
        }
    }
    let first = first?;
    // Upstream keeps the ports in a string set: sorted as text ("10000" before "8080").
    ports.sort_unstable();
    ports.dedup();
    super::violation(
        CONTROL.id,
        "hostPort",
        stockade_model::format_exact!(
            "{} {} {} {}",
            containers_phrase(&bad_containers),
            pluralize("uses", "use", bad_containers.len()),
            pluralize("hostPort", "hostPorts", ports.len()),
            ports.join(", ")
        ),
        first,
    )
}
