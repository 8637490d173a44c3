//! ## What it does
//! Flags volume mounts (regular, init and ephemeral containers) that use `subPath` or
//! `subPathExpr`. Off by default.
//!
//! ## Why it matters
//! CVE-2021-25741: a container could replace a directory of a shared volume with a symlink
//! between the kubelet's check and the mount, and a `subPath` mount of that volume in another
//! container then mounted the node's filesystem, root included. The kubelet is fixed from
//! 1.19.15, 1.20.11, 1.21.5 and 1.22.2; clusters older than that (and node pools left behind
//! on them) are exposed to any workload that both writes a volume and mounts part of it with
//! `subPath`. `subPath` mounts also miss ConfigMap and Secret updates, a second reason to
//! prefer mounting the whole volume or projecting only the wanted keys with `items`.
//!
//! It is opt-in because patched clusters are not affected.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   containers:
//!     - name: web
//!       image: web:1.4.2
//!       volumeMounts:
//!         - name: data
//!           mountPath: /var/www
//!           subPath: www # finding
//!   volumes:
//!     - name: data
//!       emptyDir: {}
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   containers:
//!     - name: web
//!       image: web:1.4.2
//!       volumeMounts:
//!         - name: data
//!           mountPath: /var/www
//!   volumes:
//!     - name: data
//!       emptyDir: {}
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://github.com/kubernetes/kubernetes/issues/104980>
//! - CVE-2021-25741

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK111",
    name: "volume-mount-subpath",
    category: Category::HostAccess,
    severity: Severity::Low,
    default_on: false,
    summary: "Volume mount uses subPath",
    remediation: "Mount the whole volume (or project only the wanted keys with `items`), and run a kubelet with the CVE-2021-25741 fix.",
    references: &["CVE-2021-25741"],
    aliases: &["datree:CONTAINER_CVE2021_25741_INCORRECT_SUBPATH_KEY"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        let Some(mounts) = c.node.get("volumeMounts") else {
            continue;
        };
        for (i, m) in mounts.items().iter().enumerate() {
            for key in ["subPath", "subPathExpr"] {
                let Some(v) = m
                    .get(key)
                    .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
                else {
                    continue;
                };
                out.container(
                    c,
                    Some((
                        v,
                        &stockade_model::format_exact!("{}.volumeMounts[{i}].{key}", c.path),
                    )),
                    stockade_model::format_exact!(
                        "{} mounts volume \"{}\" with {key}",
                        c.label(),
                        m.str_at("name").unwrap_or_default()
                    ),
                );
            }
        }
    }
}
