//! ## What it does
//! Flags containers (regular, init and ephemeral) that do not set
//! `securityContext.readOnlyRootFilesystem: true`: unset (the root filesystem is then
//! writable), false, or a value that is not the boolean true. Pods with
//! `spec.os.name: windows` are skipped: the field does not exist on Windows.
//!
//! ## Why it matters
//! A writable root filesystem lets an attacker who gets code execution drop tools, replace
//! binaries on the `PATH`, or change configuration that the application reads later, and it
//! hides such changes among ordinary writes. With a read-only root, writes go only to volumes
//! you declared (`emptyDir` for `/tmp`, caches), which are easier to watch.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   containers:
//!     - name: web # finding
//!       image: nginx:1.27
//!     - name: cache
//!       image: redis:7.4
//!       securityContext:
//!         readOnlyRootFilesystem: false # finding
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
//!       image: nginx:1.27
//!       securityContext:
//!         readOnlyRootFilesystem: true
//!       volumeMounts:
//!         - {name: tmp, mountPath: /tmp}
//!     - name: cache
//!       image: redis:7.4
//!       securityContext:
//!         readOnlyRootFilesystem: true
//!   volumes:
//!     - name: tmp
//!       emptyDir: {}
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{is_windows, shown};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK006",
    name: "writable-root-filesystem",
    category: Category::SecurityContext,
    severity: Severity::Low,
    default_on: true,
    summary: "Container's root filesystem is writable",
    remediation: "Set `securityContext.readOnlyRootFilesystem: true` and mount an `emptyDir` where the application must write.",
    references: &["NSA/CISA: immutable container file systems"],
    aliases: &[
        "kube-linter:no-read-only-root-fs",
        "polaris:notReadOnlyRootFilesystem",
        "kubesec:ReadOnlyRootFilesystem",
        "kube-score:container-security-context-readonlyrootfilesystem",
        "checkov:CKV_K8S_22",
        "trivy:KSV-0014",
        "kubescape:C-0017",
        "datree:CONTAINERS_INCORRECT_READONLYROOTFILESYSTEM_VALUE",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (pod, c) in ctx.containers() {
        if is_windows(pod) {
            continue;
        }
        match c.security("readOnlyRootFilesystem") {
            None => out.container(
                c,
                None,
                stockade_model::format_exact!(
                    "{} does not set readOnlyRootFilesystem: true, so its root filesystem is writable",
                    c.label()
                ),
            ),
            Some(r) if r.node.as_bool() != Some(true) => out.container(
                c,
                Some((r.node, &r.path)),
                stockade_model::format_exact!(
                    "{} sets readOnlyRootFilesystem: {}, so its root filesystem is writable",
                    c.label(),
                    shown(r.node)
                ),
            ),
            Some(_) => {}
        }
    }
}
