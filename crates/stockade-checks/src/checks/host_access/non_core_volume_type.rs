//! ## What it does
//! Flags pod volumes of a type outside the set the Pod Security Standards' restricted level
//! allows: `configMap`, `csi`, `downwardAPI`, `emptyDir`, `ephemeral`,
//! `persistentVolumeClaim`, `projected` and `secret`. Anything else (`hostPath`, `nfs`,
//! `iscsi`, `rbd`, `cephfs`, `gitRepo`, cloud disks mounted directly, ...) is flagged, one
//! finding per volume. Off by default (the `pod-security-restricted` check reports the same
//! control as part of the whole level).
//!
//! ## Why it matters
//! The core types get their data through the API server or a PersistentVolumeClaim, where
//! access is controlled by RBAC and the cluster administrator's storage classes. The other
//! types let the pod author point the kubelet at arbitrary storage: a node path, a network
//! share by address, a Git repository cloned by the kubelet as root (`gitRepo`, the subject
//! of CVE-2024-10220). Each is a way around the storage and network boundaries the cluster
//! relies on.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: report
//! spec:
//!   containers:
//!     - name: report
//!       image: report:1.0.0
//!   volumes:
//!     - name: share
//!       nfs: {server: 10.0.0.5, path: /exports/reports} # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: report
//! spec:
//!   containers:
//!     - name: report
//!       image: report:1.0.0
//!   volumes:
//!     - name: share
//!       persistentVolumeClaim: {claimName: reports}
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK110",
    name: "non-core-volume-type",
    category: Category::HostAccess,
    severity: Severity::Low,
    default_on: false,
    summary: "Pod uses a volume type outside the restricted set",
    remediation: "Use a PersistentVolumeClaim (or a CSI driver, ConfigMap, Secret, emptyDir) instead of mounting the storage directly.",
    references: &["PSS restricted: volumeTypes"],
    aliases: &["trivy:KSV-0028"],
    run: crate::Run::Object(run),
};

const CORE: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    for pod in ctx.pods {
        let Some(volumes) = pod.field("volumes") else {
            continue;
        };
        for (i, v) in volumes.items().iter().enumerate() {
            for e in v.entries() {
                let key: &str = &e.key;
                if key == "name" || CORE.contains(&key) || e.value.is_null() {
                    continue;
                }
                out.at(
                    &e.value,
                    stockade_model::format_exact!("{}.volumes[{i}].{}", pod.path, e.key),
                    stockade_model::format_exact!(
                        "{} \"{}\" volume \"{}\" is of type {}",
                        o.kind,
                        o.name,
                        v.str_at("name").unwrap_or_default(),
                        e.key
                    ),
                );
            }
        }
    }
}
