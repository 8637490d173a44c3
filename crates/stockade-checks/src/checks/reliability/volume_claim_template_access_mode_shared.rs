//! ## What it does
//! Flags StatefulSet `volumeClaimTemplates` whose `accessModes` include neither `ReadWriteOnce`
//! nor `ReadWriteOncePod` (for example only `ReadWriteMany`, or none at all). The finding points
//! at `accessModes` (at the template's `spec` when it is missing).
//!
//! ## Why it matters
//! Each replica of a StatefulSet gets its own claim from the template: the volume is meant for
//! one pod. A shared mode asks for a network filesystem that every node can mount read-write,
//! so a misbehaving or compromised pod elsewhere can mount the replica's data too, and storage
//! classes that cannot provide it leave the claim pending. `ReadWriteOnce` (one node) or
//! `ReadWriteOncePod` (one pod) says what is meant.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: StatefulSet
//! metadata:
//!   name: db
//! spec:
//!   serviceName: db
//!   selector:
//!     matchLabels: {app: db}
//!   template:
//!     metadata:
//!       labels: {app: db}
//!     spec:
//!       containers:
//!         - name: db
//!           image: postgres:16
//!   volumeClaimTemplates:
//!     - metadata:
//!         name: data
//!       spec:
//!         accessModes: ["ReadWriteMany"] # finding
//!         resources:
//!           requests:
//!             storage: 10Gi
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: StatefulSet
//! metadata:
//!   name: db
//! spec:
//!   serviceName: db
//!   selector:
//!     matchLabels: {app: db}
//!   template:
//!     metadata:
//!       labels: {app: db}
//!     spec:
//!       containers:
//!         - name: db
//!           image: postgres:16
//!   volumeClaimTemplates:
//!     - metadata:
//!         name: data
//!       spec:
//!         accessModes: ["ReadWriteOnce"]
//!         resources:
//!           requests:
//!             storage: 10Gi
//! ```
//!
//! ## Options
//! None. Opt-in: select it (`--select volume-claim-template-access-mode-shared`).

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK437",
    name: "volume-claim-template-access-mode-shared",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: false,
    summary: "StatefulSet volumeClaimTemplate is not ReadWriteOnce",
    remediation: "Set `accessModes: [ReadWriteOnce]` (or `ReadWriteOncePod`) on every volumeClaimTemplate.",
    references: &[],
    aliases: &["kubesec:VolumeClaimAccessModeReadWriteOnce"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.kind != "StatefulSet" || o.group() != "apps" {
        return;
    }
    let Some(vcts) = o.root.at(&["spec", "volumeClaimTemplates"]) else {
        return;
    };
    for (i, t) in vcts.items().iter().enumerate() {
        let spec = t.get("spec");
        let modes = spec.and_then(|s| s.get("accessModes"));
        let single = modes.is_some_and(|m| {
            m.items()
                .iter()
                .any(|x| matches!(x.as_str(), Some("ReadWriteOnce" | "ReadWriteOncePod")))
        });
        if single {
            continue;
        }
        let name = t
            .get("metadata")
            .and_then(|m| m.str_at("name"))
            .unwrap_or_default();
        let written: Vec<&str> = modes
            .map(|m| m.items().iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default();
        let what = if written.is_empty() {
            "sets no accessModes".to_owned()
        } else {
            stockade_model::format_exact!("has accessModes {}", written.join(", "))
        };
        out.at(
            modes.or(spec).unwrap_or(t),
            stockade_model::format_exact!("spec.volumeClaimTemplates[{i}].spec.accessModes"),
            stockade_model::format_exact!(
                "StatefulSet \"{}\" volumeClaimTemplate \"{name}\" {what}, not ReadWriteOnce",
                o.name
            ),
        );
    }
}
