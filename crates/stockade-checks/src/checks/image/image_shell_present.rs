//! ## What it does
//! Flags each shell on the `PATH` directories of the final image (`/bin`, `/usr/bin`,
//! `/usr/local/bin` and their `sbin`): `sh`, `bash`, `dash`, `ash`, `zsh`, `ksh`, `busybox`...
//! A shell a later layer deleted is not flagged.
//!
//! ## Why it matters
//! An attacker who gets code execution in the container uses the shell to explore, download
//! tools and pivot; `kubectl exec` needs one too. Distroless and scratch images ship none, and
//! most applications never need one at run time.
//!
//! ## Example
//! ```yaml
//! has_config: true
//! files:
//!   - {path: /bin/sh, mode: 0o755, layer: 0, present: true} # finding
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
    id: "STK1102",
    name: "image-shell-present",
    category: Category::Image,
    severity: Severity::Low,
    default_on: true,
    summary: "Shell in the image",
    remediation: "Build the final stage from a distroless or scratch base and copy only the application into it (multi-stage build).",
    references: &[],
    aliases: &[],
    run: crate::Run::Image(run),
};

fn run(ctx: &ImageContext, out: &mut Emit) {
    helpers::flag_tools(ctx, out, Tool::Shell, "shell");
}
