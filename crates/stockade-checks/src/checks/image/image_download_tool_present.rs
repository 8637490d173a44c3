//! ## What it does
//! Flags `curl` and `wget` on the `PATH` directories of the final image.
//!
//! ## Why it matters
//! They are the first thing an attacker reaches for after getting code execution: fetch a
//! second stage, exfiltrate data, talk to the cloud metadata endpoint. An application that
//! makes HTTP calls does so with its own library, not these tools.
//!
//! ## Example
//! ```yaml
//! has_config: true
//! files:
//!   - {path: /usr/bin/curl, mode: 0o755, layer: 1, present: true} # finding
//! ```
//! Fixed:
//! ```yaml
//! has_config: true
//! files:
//!   - {path: /usr/bin/curl, mode: 0o755, layer: 1, present: false}
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
    id: "STK1104",
    name: "image-download-tool-present",
    category: Category::Image,
    severity: Severity::Medium,
    default_on: true,
    summary: "curl or wget in the image",
    remediation: "Download what the build needs in a build stage and leave curl and wget out of the final stage; use an HTTP client library for health checks or calls.",
    references: &[],
    aliases: &[],
    run: crate::Run::Image(run),
};

fn run(ctx: &ImageContext, out: &mut Emit) {
    helpers::flag_tools(ctx, out, Tool::Download, "download tool");
}
