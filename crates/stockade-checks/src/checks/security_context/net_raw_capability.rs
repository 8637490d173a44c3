//! ## What it does
//! Flags containers (regular, init and ephemeral) that can use `NET_RAW`:
//! - the container adds it (`capabilities.add` lists `NET_RAW` or `CAP_NET_RAW`, any case),
//!   which grants it even after `drop: [ALL]`; the finding points at the list item;
//! - or it does not drop it: `capabilities.drop` lists neither `ALL` nor `NET_RAW` (any case;
//!   `CAP_NET_RAW` does not count, containerd ignores that spelling in `drop`), so the
//!   runtime's default set (which includes `NET_RAW` in containerd and Docker) applies; the
//!   finding points at the `drop` list, or at the container when there is none. Pods with
//!   `spec.os.name: windows` are skipped for this case.
//!
//! ## Why it matters
//! `NET_RAW` lets a process open raw and packet sockets: it can forge any packet, spoof
//! addresses, and on many network plugins poison ARP or DNS answers for other pods on the same
//! node. Only tools like `ping` or `tcpdump` need it; modern `ping` works without it.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: tools
//! spec:
//!   containers:
//!     - name: app # finding
//!       image: app:1.0
//!     - name: probe
//!       image: probe:1.0
//!       securityContext:
//!         capabilities:
//!           drop: [ALL]
//!           add: [NET_RAW] # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: tools
//! spec:
//!   containers:
//!     - name: app
//!       image: app:1.0
//!       securityContext:
//!         capabilities:
//!           drop: [NET_RAW]
//!     - name: probe
//!       image: probe:1.0
//!       securityContext:
//!         capabilities:
//!           drop: [ALL]
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{cap_items, cap_list, drops, is_windows};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK009",
    name: "net-raw-capability",
    category: Category::SecurityContext,
    severity: Severity::Low,
    default_on: true,
    summary: "Container can use NET_RAW (not dropped, or added)",
    remediation: "Add `NET_RAW` (or `ALL`) to `securityContext.capabilities.drop` and remove it from `add`.",
    references: &[
        "CIS 5.2.8",
        "PSS baseline: capabilities_baseline",
        "NSA/CISA: non-root and unprivileged containers",
    ],
    aliases: &[
        "kube-linter:drop-net-raw-capability",
        "checkov:CKV_K8S_28",
        "trivy:KSV-0119",
        "kubescape:C-0199",
        "datree:CIS_MISSING_VALUE_DROP_NET_RAW",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (pod, c) in ctx.containers() {
        let added: Vec<_> = cap_items(c, "add")
            .into_iter()
            .filter(|i| i.name == "NET_RAW")
            .collect();
        for item in &added {
            let written = item.node.as_str().unwrap_or_default().trim();
            out.container(
                c,
                Some((item.node, &item.path)),
                stockade_model::format_exact!("{} adds {written}", c.label()),
            );
        }
        if !added.is_empty() || is_windows(pod) || drops(c, "NET_RAW") {
            continue;
        }
        let list = cap_list(c, "drop");
        let prefixed = cap_items(c, "drop")
            .into_iter()
            .find(|i| i.is_prefixed() && (i.name == "NET_RAW" || i.name == "ALL"));
        let message = match prefixed {
            Some(i) => stockade_model::format_exact!(
                "{} does not drop NET_RAW: containerd ignores {} in drop; write NET_RAW or ALL",
                c.label(),
                i.written()
            ),
            None => stockade_model::format_exact!(
                "{} does not drop NET_RAW (drop lists neither ALL nor NET_RAW)",
                c.label()
            ),
        };
        out.container(c, list.as_ref().map(|(n, p)| (*n, p.as_str())), message);
    }
}
