//! ## What it does
//! Flags each container mount of a `configMap` volume, naming the ConfigMap and the mount path.
//!
//! ## Why it matters
//! A mounted ConfigMap changes what the container does: whoever can edit it (and ConfigMaps are
//! often writable by more people than the workload itself) steers the workload on its next read.
//! This check is an inventory for review; it does not say the mount is wrong.
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
//!       configMap:
//!         name: app-settings
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
//!       configMap:
//!         name: app-settings
//! ```
//!
//! ## Options
//! None. Opt-in: select it (`--select configmap-volume-mounted`). Unlike Kubescape, the ConfigMap itself need not be in
//! the input.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK113",
    name: "configmap-volume-mounted",
    category: Category::HostAccess,
    severity: Severity::Info,
    default_on: false,
    summary: "Container mounts a ConfigMap volume",
    remediation: "Mount only the ConfigMaps a container needs, read-only, and restrict who can change them (`rbac-configmaps-write`).",
    references: &[],
    aliases: &["kubescape:C-0258"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    super::helpers::emit_mounted_volumes(ctx, out, "configMap", "name", "ConfigMap");
}
