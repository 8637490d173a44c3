//! `sysctls` (baseline, v1.0+): only namespaced, isolated ("safe") sysctls. The safe set grows
//! at v1.27, v1.29, v1.32 and v1.37.

use super::{Ctx, item_field, string};
use crate::{Control, Level, Violation};

pub(super) const CONTROL: Control =
    super::control("sysctls", Level::Baseline, "Sysctls", 0, &[], eval);

/// (first policy minor, sysctl) pairs.
const SAFE: &[(u32, &str)] = &[
    (0, "kernel.shm_rmid_forced"),
    (0, "net.ipv4.ip_local_port_range"),
    (0, "net.ipv4.tcp_syncookies"),
    (0, "net.ipv4.ping_group_range"),
    (0, "net.ipv4.ip_unprivileged_port_start"),
    (27, "net.ipv4.ip_local_reserved_ports"),
    (29, "net.ipv4.tcp_keepalive_time"),
    (29, "net.ipv4.tcp_fin_timeout"),
    (29, "net.ipv4.tcp_keepalive_intvl"),
    (29, "net.ipv4.tcp_keepalive_probes"),
    (32, "net.ipv4.tcp_rmem"),
    (32, "net.ipv4.tcp_wmem"),
    (37, "net.ipv4.tcp_slow_start_after_idle"),
    (37, "net.ipv4.tcp_notsent_lowat"),
];

fn safe(name: &str, minor: u32) -> bool {
    SAFE.iter().any(|(since, n)| *n == name && minor >= *since)
}

fn eval(ctx: &Ctx<'_, '_>, minor: u32) -> Option<Violation> {
    let list = ctx.spec_at(&["securityContext", "sysctls"])?;
    let mut forbidden = Vec::new();
    let mut first = None;
    for (i, s) in list.items().iter().enumerate() {
        let name = string(s, &["name"]);
        if !safe(name, minor) {
            forbidden.push(name);
            if first.is_none() {
                let (path, pos) = item_field(&ctx.pod.path, &["securityContext", "sysctls"], i, s);
                first = Some(match s.get("name") {
                    Some(n) => (stockade_model::format_exact!("{path}.name"), n.pos),
                    None => (path, pos),
                });
            }
        }
    }
    let first = first?;
    // Upstream lists them in pod order, duplicates included.
    super::violation(CONTROL.id, "forbidden sysctls", forbidden.join(", "), first)
}
