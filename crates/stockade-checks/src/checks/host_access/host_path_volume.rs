//! ## What it does
//! Flags every `hostPath` volume of a pod, whatever its path and whether or not a container
//! mounts it.
//!
//! ## Why it matters
//! A hostPath volume gives the pod a piece of the node's filesystem. The data outlives the pod
//! and is shared with whatever else uses that path on the node, the pod becomes tied to the
//! node's layout, and a writable mount (or a symlink planted in one) is a well-trodden path to
//! the node (CVE-2017-1002101, CVE-2021-25741). The Baseline Pod Security Standard forbids
//! hostPath volumes outright.
//!
//! Related checks narrow this down: `writable-host-path` (mounted without `readOnly`),
//! `sensitive-host-path` (system directories) and `container-runtime-socket`.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: DaemonSet
//! metadata:
//!   name: collector
//! spec:
//!   selector:
//!     matchLabels: {app: collector}
//!   template:
//!     metadata:
//!       labels: {app: collector}
//!     spec:
//!       containers:
//!         - name: collector
//!           image: collector:1.4
//!           volumeMounts:
//!             - name: data
//!               mountPath: /data
//!       volumes:
//!         - name: data # finding
//!           hostPath:
//!             path: /srv/collector
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: DaemonSet
//! metadata:
//!   name: collector
//! spec:
//!   selector:
//!     matchLabels: {app: collector}
//!   template:
//!     metadata:
//!       labels: {app: collector}
//!     spec:
//!       containers:
//!         - name: collector
//!           image: collector:1.4
//!           volumeMounts:
//!             - name: data
//!               mountPath: /data
//!       volumes:
//!         - name: data
//!           emptyDir: {}
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::host_path_volumes;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK105",
    name: "host-path-volume",
    category: Category::HostAccess,
    severity: Severity::Medium,
    default_on: true,
    summary: "Pod has a hostPath volume",
    remediation: "Replace the hostPath volume with an emptyDir, a PersistentVolumeClaim, a ConfigMap/Secret or a CSI driver; node agents that truly need the host should be excluded explicitly.",
    references: &[
        "CIS 5.2.12",
        "PSS baseline: hostPathVolumes",
        "NSA/CISA: pod security",
    ],
    aliases: &[
        "polaris:hostPathSet",
        "trivy:KSV-0023",
        "kubescape:C-0048",
        "datree:CONTAINERS_INCORRECT_KEY_HOSTPATH",
        "kubescape:C-0203",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for pod in ctx.pods {
        for v in host_path_volumes(pod) {
            let message = match v.raw() {
                Some(p) => {
                    stockade_model::format_exact!("volume \"{}\" is the host path `{p}`", v.name)
                }
                None => stockade_model::format_exact!("volume \"{}\" is a hostPath volume", v.name),
            };
            out.at(v.volume, v.path.clone(), message);
        }
    }
}
