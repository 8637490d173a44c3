//! ## What it does
//! Flags an image whose configuration sets no `User`, or sets `root` or UID 0 (with or
//! without a group).
//!
//! ## Why it matters
//! A container started from the image runs as root unless the pod overrides it. Root in a
//! container is root on the host's kernel: any escape, writable host mount or kernel bug is
//! then a host compromise. `runAsNonRoot: true` in a pod refuses such an image outright.
//!
//! ## Example
//! ```yaml
//! has_config: true
//! user: root # finding
//! ```
//! Fixed:
//! ```yaml
//! has_config: true
//! user: "65532"
//! ```
//!
//! ## Options
//! None.

use crate::{Category, Check, Emit, ImageContext};
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1101",
    name: "image-runs-as-root",
    category: Category::Image,
    severity: Severity::High,
    default_on: true,
    summary: "Image runs as root (config User unset, root or 0)",
    remediation: "Create a user in the image and end the Dockerfile with `USER <uid>` (a numeric UID, so `runAsNonRoot` can verify it).",
    references: &["CIS Docker Benchmark 4.1"],
    aliases: &["dockle:CIS-DI-0001"],
    run: crate::Run::Image(run),
};

fn run(ctx: &ImageContext, out: &mut Emit) {
    if !ctx.image.has_config {
        return;
    }
    let user = ctx.image.user.as_deref().unwrap_or("").trim();
    let name = user.split(':').next().unwrap_or("");
    if name.is_empty() {
        out.image("config.User", "no USER is set: the image runs as root");
    } else if name == "root" || name.trim_start_matches('0').is_empty() {
        out.image(
            "config.User",
            stockade_model::format_exact!("USER is `{user}`: the image runs as root"),
        );
    }
}
