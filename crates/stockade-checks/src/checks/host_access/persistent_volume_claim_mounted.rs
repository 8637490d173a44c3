//! ## What it does
//! Flags each container mount of a `persistentVolumeClaim` volume, naming the claim and the mount
//! path.
//!
//! ## Why it matters
//! Persistent volumes outlive the pod and often hold the application's data: a compromised
//! container that mounts one can read or destroy it, and whatever it writes persists into the next
//! pod. This check is an inventory for review; it does not say the mount is wrong.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: app
//! spec:
//!   containers:
//!     - name: app
//!       image: example/app:1.0
//!       volumeMounts:
//!         - name: data # finding
//!           mountPath: /data
//!   volumes:
//!     - name: data
//!       persistentVolumeClaim:
//!         claimName: data
//! ```
//! Fixed (the container does not need it):
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: app
//! spec:
//!   containers:
//!     - name: app
//!       image: example/app:1.0
//!   volumes:
//!     - name: data
//!       persistentVolumeClaim:
//!         claimName: data
//! ```
//!
//! ## Options
//! None. Opt-in: select it (`--select persistent-volume-claim-mounted`). Unlike Kubescape, the PersistentVolumeClaim itself need not be in
//! the input.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK114",
    name: "persistent-volume-claim-mounted",
    category: Category::HostAccess,
    severity: Severity::Info,
    default_on: false,
    summary: "Container mounts a PersistentVolumeClaim",
    remediation: "Mount persistent data only into the containers that need it, read-only where possible.",
    references: &[],
    aliases: &["kubescape:C-0257"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    super::helpers::emit_mounted_volumes(
        ctx,
        out,
        "persistentVolumeClaim",
        "claimName",
        "PersistentVolumeClaim",
    );
}
