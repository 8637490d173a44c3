//! ## What it does
//! Flags each container mount of a `secret` volume, naming the Secret and the mount path.
//!
//! ## Why it matters
//! Whoever runs code in the container can read every key of the mounted Secret: it is one of the
//! first things an intruder looks for. This check is an inventory of which workloads hold which
//! Secrets, for review; it does not say the mount is wrong.
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
//!       secret:
//!         secretName: db-credentials
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
//!       secret:
//!         secretName: db-credentials
//! ```
//!
//! ## Options
//! None. Opt-in: select it (`--select secret-volume-mounted`). Unlike Kubescape, the Secret itself need not be in
//! the input.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK112",
    name: "secret-volume-mounted",
    category: Category::HostAccess,
    severity: Severity::Info,
    default_on: false,
    summary: "Container mounts a Secret volume",
    remediation: "Mount only the Secrets a container needs, project only the needed keys with `items`, and prefer short-lived credentials (projected ServiceAccount tokens, a secrets store CSI driver).",
    references: &[],
    aliases: &["kubescape:C-0255"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    super::helpers::emit_mounted_volumes(ctx, out, "secret", "secretName", "Secret");
}
