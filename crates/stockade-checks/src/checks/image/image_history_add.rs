//! ## What it does
//! Flags an `ADD` step in the image's build history after the first step (the first is the
//! base image's root filesystem, which is always added that way).
//!
//! ## Why it matters
//! `ADD` fetches URLs without verifying them and unpacks archives implicitly, so what lands
//! in the image is not what the Dockerfile shows. `COPY` does only what it says.
//!
//! ## Example
//! ```yaml
//! has_config: true
//! history:
//!   - "/bin/sh -c #(nop) ADD file:4b03b5f551e3 in / "
//!   - "ADD app.tar.gz /app # buildkit" # finding
//! ```
//! Fixed:
//! ```yaml
//! has_config: true
//! history:
//!   - "/bin/sh -c #(nop) ADD file:4b03b5f551e3 in / "
//!   - "COPY app /app # buildkit"
//! ```
//!
//! ## Options
//! None.

use super::helpers;
use crate::{Category, Check, Emit, ImageContext};
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1119",
    name: "image-history-add",
    category: Category::Image,
    severity: Severity::Low,
    default_on: true,
    summary: "ADD instead of COPY in a build step of the image",
    remediation: "Use `COPY` for local files; download with `curl` and a checksum check, or `ADD --checksum=`, and unpack explicitly.",
    references: &["CIS Docker Benchmark 4.9"],
    aliases: &["dockle:CIS-DI-0009"],
    run: crate::Run::Image(run),
};

fn run(ctx: &ImageContext, out: &mut Emit) {
    for (i, h) in ctx.image.history.iter().enumerate().skip(1) {
        if let Some(helpers::Step::Instruction("ADD", _)) = helpers::step(h) {
            out.image(
                helpers::history_path(i),
                stockade_model::format_exact!("`ADD` used: {}", helpers::short(h)),
            );
        }
    }
}
