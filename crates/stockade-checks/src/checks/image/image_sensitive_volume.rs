//! ## What it does
//! Flags a `VOLUME` of the image on `/dev`, `/proc` or `/sys`, or below them.
//!
//! ## Why it matters
//! A volume declared on a kernel interface invites running the image with that host
//! directory mounted (`docker run -v /sys:/sys`), which hands the container the host's
//! devices or kernel settings. Images should not ask for it.
//!
//! ## Example
//! ```yaml
//! has_config: true
//! volumes: [/var/lib/app, /sys/fs/cgroup] # finding
//! ```
//! Fixed:
//! ```yaml
//! has_config: true
//! volumes: [/var/lib/app]
//! ```
//!
//! ## Options
//! None.

use crate::{Category, Check, Emit, ImageContext};
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1117",
    name: "image-sensitive-volume",
    category: Category::Image,
    severity: Severity::Medium,
    default_on: true,
    summary: "VOLUME on /dev, /proc or /sys",
    remediation: "Remove the `VOLUME` instruction; mount what the application needs at deploy time, read-only and as narrowly as possible.",
    references: &[],
    aliases: &["dockle:DKL-DI-0002"],
    run: crate::Run::Image(run),
};

const SENSITIVE: &[&str] = &["/dev", "/proc", "/sys"];

fn run(ctx: &ImageContext, out: &mut Emit) {
    for v in &ctx.image.volumes {
        let p = v.trim_end_matches('/');
        if let Some(root) = SENSITIVE
            .iter()
            .find(|s| p == **s || p.strip_prefix(**s).is_some_and(|r| r.starts_with('/')))
        {
            out.image(
                stockade_model::format_exact!("config.Volumes.{v}"),
                stockade_model::format_exact!(
                    "VOLUME `{v}` exposes the kernel interface under `{root}`"
                ),
            );
        }
    }
}
