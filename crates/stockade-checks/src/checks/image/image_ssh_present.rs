//! ## What it does
//! Flags SSH clients and servers on the `PATH` directories of the final image: `ssh`,
//! `sshd`, `scp`, `sftp`, `dropbear`.
//!
//! ## Why it matters
//! An SSH server in a container is a second way in that bypasses Kubernetes' access control
//! and audit; a client lets an attacker move on to other hosts. Use `kubectl exec` or
//! ephemeral debug containers instead.
//!
//! ## Example
//! ```yaml
//! has_config: true
//! files:
//!   - {path: /usr/sbin/sshd, mode: 0o755, layer: 0, present: true} # finding
//! ```
//! Fixed:
//! ```yaml
//! has_config: true
//! files: []
//! ```
//!
//! ## Options
//! None.

use super::helpers;
use crate::{Category, Check, Emit, ImageContext};
use stockade_model::Severity;
use stockade_model::image::Tool;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1106",
    name: "image-ssh-present",
    category: Category::Image,
    severity: Severity::Medium,
    default_on: true,
    summary: "SSH client or server in the image",
    remediation: "Remove openssh (client and server) from the image; debug with `kubectl exec` or `kubectl debug`.",
    references: &[],
    aliases: &[],
    run: crate::Run::Image(run),
};

fn run(ctx: &ImageContext, out: &mut Emit) {
    helpers::flag_tools(ctx, out, Tool::Ssh, "SSH program");
}
