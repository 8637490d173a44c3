//! ## What it does
//! Flags each entry of a pod's `securityContext.sysctls` whose name is not in the Pod Security
//! Standards' safe set:
//! `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
//! `net.ipv4.ip_unprivileged_port_start`, `net.ipv4.tcp_syncookies`,
//! `net.ipv4.ping_group_range`, `net.ipv4.ip_local_reserved_ports`,
//! `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`, `net.ipv4.tcp_keepalive_intvl`,
//! `net.ipv4.tcp_keepalive_probes`, `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem`.
//!
//! Names written with `/` separators (`net/ipv4/tcp_syncookies`) are read the way the kubelet
//! normalises them. One finding per unsafe sysctl, at its list item.
//!
//! ## Why it matters
//! The safe sysctls are namespaced and isolated per pod. Others either change the whole node
//! (`kernel.*`, `vm.*`), or are namespaced but can starve or disturb other pods (message queue
//! limits, connection tracking). The kubelet refuses unsafe sysctls unless the node allows
//! them, and where it does, a pod can tune the node for everyone.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: db
//! spec:
//!   securityContext:
//!     sysctls:
//!       - name: net.ipv4.tcp_keepalive_time
//!         value: "600"
//!       - name: kernel.msgmax # finding
//!         value: "65536"
//!   containers:
//!     - name: db
//!       image: postgres:17
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: db
//! spec:
//!   securityContext:
//!     sysctls:
//!       - name: net.ipv4.tcp_keepalive_time
//!         value: "600"
//!   containers:
//!     - name: db
//!       image: postgres:17
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// Sysctls the Pod Security Standards baseline allows.
const SAFE: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
];

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK016",
    name: "unsafe-sysctls",
    category: Category::SecurityContext,
    severity: Severity::High,
    default_on: true,
    summary: "Pod sets a sysctl outside the safe set",
    remediation: "Remove the sysctl from `securityContext.sysctls`; tune the node itself (or a dedicated node pool) if the workload really needs it.",
    references: &["PSS baseline: sysctls", "NSA/CISA: pod security"],
    aliases: &["kube-linter:unsafe-sysctls", "trivy:KSV-0026"],
    run: crate::Run::Object(run),
};

/// The kubelet's normalisation: when the first separator is `/`, `/` and `.` swap roles
/// (`net/ipv4/conf/eth0.100/rp_filter` is `net.ipv4.conf.eth0/100.rp_filter`).
fn normalise(name: &str) -> String {
    match name.find(['.', '/']) {
        Some(i) if name.as_bytes()[i] == b'/' => name
            .chars()
            .map(|ch| match ch {
                '/' => '.',
                '.' => '/',
                other => other,
            })
            .collect(),
        _ => name.to_string(),
    }
}

fn run(ctx: &Context, out: &mut Emit) {
    for pod in ctx.pods {
        let Some(list) = pod.spec.at(&["securityContext", "sysctls"]) else {
            continue;
        };
        for (i, item) in list.items().iter().enumerate() {
            let Some(name) = item.str_at("name") else {
                continue;
            };
            if !SAFE.contains(&normalise(name).as_str()) {
                out.at(
                    item,
                    stockade_model::format_exact!("{}.securityContext.sysctls[{i}]", pod.path),
                    stockade_model::format_exact!("pod sets the unsafe sysctl {name}"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn slash_names_normalise_like_the_kubelet() {
        assert_eq!(
            normalise("net/ipv4/tcp_syncookies"),
            "net.ipv4.tcp_syncookies"
        );
        assert_eq!(
            normalise("net/ipv4/conf/eth0.100/rp_filter"),
            "net.ipv4.conf.eth0/100.rp_filter"
        );
        assert_eq!(normalise("kernel.msgmax"), "kernel.msgmax");
    }
}
