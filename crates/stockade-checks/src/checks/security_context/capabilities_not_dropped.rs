//! ## What it does
//! Flags containers (regular, init and ephemeral) whose `securityContext.capabilities.drop`
//! does not contain `ALL` (in any case; `CAP_ALL` does not count: containerd turns it into
//! the unknown `CAP_CAP_ALL`, which runc ignores). When `drop` is missing the finding points at
//! the container; when it lists other capabilities, at the `drop` list. Capabilities are not
//! inherited from the pod. Pods with `spec.os.name: windows` are skipped: Linux capabilities do
//! not exist there.
//!
//! ## Why it matters
//! Container runtimes grant a default set of about 14 capabilities (`CHOWN`, `DAC_OVERRIDE`,
//! `FOWNER`, `SETUID`, `SETGID`, `NET_RAW`, `MKNOD` ...). Most applications need none of them,
//! and each one widens what an attacker can do after getting code execution, for example
//! spoofing packets with `NET_RAW` or ignoring file permissions with `DAC_OVERRIDE`. Dropping
//! `ALL` and adding back only what is needed makes the grant explicit.
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
//!     - name: proxy
//!       image: envoy:1.30
//!       securityContext:
//!         capabilities:
//!           drop: [NET_RAW] # finding
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
//!         capabilities:
//!           drop: [ALL]
//!           add: [NET_BIND_SERVICE]
//!     - name: proxy
//!       image: envoy:1.30
//!       securityContext:
//!         capabilities:
//!           drop: [ALL]
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{CapItem, cap_items, cap_list, drops, is_windows};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK007",
    name: "capabilities-not-dropped",
    category: Category::SecurityContext,
    severity: Severity::Medium,
    default_on: true,
    summary: "Container does not drop all capabilities",
    remediation: "Set `securityContext.capabilities.drop: [ALL]` and add back only the capabilities the workload needs.",
    references: &[
        "CIS 5.2.10",
        "PSS restricted: capabilities_restricted",
        "NSA/CISA: non-root and unprivileged containers",
    ],
    aliases: &[
        "kubesec:CapDropAll",
        "checkov:CKV_K8S_37",
        "trivy:KSV-0003",
        "polaris:insecureCapabilities",
        "kubesec:CapDropAny",
        "trivy:KSV-0004",
        "trivy:KSV-0106",
        "checkov:CKV_K8S_36",
        "kubescape:C-0201",
        "kubescape:C-0220",
        "datree:EKS_INVALID_CAPABILITIES_EKS",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (pod, c) in ctx.containers() {
        if is_windows(pod) || drops(c, "ALL") {
            continue;
        }
        match cap_list(c, "drop") {
            None => out.container(
                c,
                None,
                stockade_model::format_exact!(
                    "{} does not drop ALL capabilities, so it keeps the runtime's default set",
                    c.label()
                ),
            ),
            Some((node, path)) => {
                let items = cap_items(c, "drop");
                let message = if let Some(all) = items.iter().find(|i| i.name == "ALL") {
                    stockade_model::format_exact!(
                        "{} drops {}, which containerd does not read as ALL; write ALL",
                        c.label(),
                        all.written()
                    )
                } else {
                    let listed: Vec<String> = items
                        .iter()
                        .map(CapItem::written)
                        .filter(|w| !w.is_empty())
                        .collect();
                    let what = if listed.is_empty() {
                        "nothing".to_string()
                    } else {
                        listed.join(", ")
                    };
                    stockade_model::format_exact!(
                        "{} drops {what} but not ALL, so it keeps the rest of the runtime's default capabilities",
                        c.label()
                    )
                };
                out.container(c, Some((node, &path)), message);
            }
        }
    }
}
