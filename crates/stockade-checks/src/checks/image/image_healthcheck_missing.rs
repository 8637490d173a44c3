//! ## What it does
//! Flags an image whose configuration has no `Healthcheck`. Opt-in: Kubernetes ignores it
//! and uses probes instead, so this matters for images also run by Docker, Compose or Swarm.
//!
//! ## Why it matters
//! Without a health check, Docker reports a hung process as running and never restarts it.
//!
//! ## Example
//! ```yaml
//! has_config: true # finding
//! user: "1000"
//! ```
//! Fixed:
//! ```yaml
//! has_config: true
//! healthcheck: [CMD, /app/healthcheck]
//! ```
//!
//! ## Options
//! None.

use crate::{Category, Check, Emit, ImageContext};
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1112",
    name: "image-healthcheck-missing",
    category: Category::Image,
    severity: Severity::Low,
    default_on: false,
    summary: "Image has no HEALTHCHECK",
    remediation: "Add `HEALTHCHECK CMD ...` to the Dockerfile (or `HEALTHCHECK NONE` to say none is wanted). In Kubernetes, liveness and readiness probes replace it.",
    references: &["CIS Docker Benchmark 4.6"],
    aliases: &["dockle:CIS-DI-0006"],
    run: crate::Run::Image(run),
};

fn run(ctx: &ImageContext, out: &mut Emit) {
    if ctx.image.has_config && ctx.image.healthcheck.is_none() {
        out.image("config.Healthcheck", "the image sets no HEALTHCHECK");
    }
}
