//! ## What it does
//! Flags each world-writable directory of the final image outside `/tmp` and `/var/tmp`.
//! Directories with the sticky bit (only owners may delete their files, as in `/tmp`) are
//! reported at `low`.
//!
//! ## Why it matters
//! Any user in the container can drop files there: a non-root process compromised by an
//! attacker can plant binaries, libraries or configuration that a more privileged process
//! later loads.
//!
//! ## Example
//! ```yaml
//! has_config: true
//! files:
//!   - {path: /tmp, kind: dir, mode: 0o1777, layer: 0, present: true}
//!   - {path: /app/cache, kind: dir, mode: 0o777, layer: 1, present: true} # finding
//! ```
//! Fixed:
//! ```yaml
//! has_config: true
//! files:
//!   - {path: /tmp, kind: dir, mode: 0o1777, layer: 0, present: true}
//! ```
//!
//! ## Options
//! None.

use super::helpers;
use crate::{Category, Check, Emit, ImageContext};
use stockade_model::Severity;
use stockade_model::image::EntryKind;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1108",
    name: "image-world-writable-directory",
    category: Category::Image,
    severity: Severity::Medium,
    default_on: true,
    summary: "World-writable directory outside /tmp",
    remediation: "Give the directory to the user the application runs as (`chown`, mode 0755 or 0700) instead of opening it to everyone; mount an emptyDir for scratch space.",
    references: &[],
    aliases: &[],
    run: crate::Run::Image(run),
};

fn temp(path: &str) -> bool {
    ["/tmp", "/var/tmp"]
        .iter()
        .any(|t| path == *t || path.strip_prefix(t).is_some_and(|r| r.starts_with('/')))
}

fn run(ctx: &ImageContext, out: &mut Emit) {
    for f in &ctx.image.files {
        if !f.present || f.kind != EntryKind::Dir || f.mode & 0o002 == 0 || temp(&f.path) {
            continue;
        }
        let message = stockade_model::format_exact!(
            "world-writable directory, mode {:04o}{}",
            f.mode & 0o7777,
            helpers::layer(f.layer)
        );
        if f.mode & 0o1000 != 0 {
            out.image_with(
                f.path.clone(),
                Severity::Low,
                stockade_model::format_exact!("{message}, sticky"),
            );
        } else {
            out.image(f.path.clone(), message);
        }
    }
}
