//! ## What it does
//! Flags each `volumeMounts` entry (regular, init and ephemeral containers) that mounts a
//! `hostPath` volume without `readOnly: true`.
//!
//! ## Why it matters
//! A container that can write to the node's filesystem can leave files for the node and for
//! other pods to pick up: binaries, configuration, cron jobs, or symlinks that the kubelet
//! later follows as root (the `/var/log` escape, CVE-2021-25741). Many agents only need to
//! read host files; a read-only mount keeps that and removes the write path.
//!
//! The finding is on the mount, not the volume: one volume can be mounted read-only by one
//! container and writable by another.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: DaemonSet
//! metadata:
//!   name: log-shipper
//! spec:
//!   selector:
//!     matchLabels: {app: log-shipper}
//!   template:
//!     metadata:
//!       labels: {app: log-shipper}
//!     spec:
//!       containers:
//!         - name: shipper
//!           image: fluent-bit:3.1
//!           volumeMounts:
//!             - name: logs # finding
//!               mountPath: /var/log
//!       volumes:
//!         - name: logs
//!           hostPath:
//!             path: /var/log
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: DaemonSet
//! metadata:
//!   name: log-shipper
//! spec:
//!   selector:
//!     matchLabels: {app: log-shipper}
//!   template:
//!     metadata:
//!       labels: {app: log-shipper}
//!     spec:
//!       containers:
//!         - name: shipper
//!           image: fluent-bit:3.1
//!           volumeMounts:
//!             - name: logs
//!               mountPath: /var/log
//!               readOnly: true
//!       volumes:
//!         - name: logs
//!           hostPath:
//!             path: /var/log
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::host_path_volumes;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK106",
    name: "writable-host-path",
    category: Category::HostAccess,
    severity: Severity::High,
    default_on: true,
    summary: "Container mounts a hostPath volume writable",
    remediation: "Set `readOnly: true` on the volumeMount, or replace the hostPath volume.",
    references: &[
        "PSS baseline: hostPathVolumes",
        "NSA/CISA: pod security",
        "CVE-2021-25741",
    ],
    aliases: &[
        "kube-linter:writable-host-mount",
        "kubescape:C-0045",
        "datree:EKS_INVALID_HOSTPATH_MOUNT_READONLY_VALUE",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for pod in ctx.pods {
        let volumes = host_path_volumes(pod);
        if volumes.is_empty() {
            continue;
        }
        for c in &pod.containers {
            let mounts = c.node.get("volumeMounts").map_or(&[][..], |m| m.items());
            for (i, m) in mounts.iter().enumerate() {
                let Some(v) = volumes.iter().find(|v| m.str_at("name") == Some(v.name)) else {
                    continue;
                };
                if m.get("readOnly").and_then(|r| r.as_bool()) == Some(true) {
                    continue;
                }
                let host = v
                    .raw()
                    .map_or(String::new(), |p| stockade_model::format_exact!(" (`{p}`)"));
                let at = m.str_at("mountPath").map_or(String::new(), |p| {
                    stockade_model::format_exact!(" at `{p}`")
                });
                out.container(
                    c,
                    Some((
                        m,
                        &stockade_model::format_exact!("{}.volumeMounts[{i}]", c.path),
                    )),
                    stockade_model::format_exact!(
                        "{} mounts hostPath volume \"{}\"{host} writable{at}",
                        c.label(),
                        v.name
                    ),
                );
            }
        }
    }
}
