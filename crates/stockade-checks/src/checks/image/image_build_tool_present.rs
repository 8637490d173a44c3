//! ## What it does
//! Flags build tools on the `PATH` directories of the final image: `git`, `make` and
//! compilers (`gcc`, `g++`, `cc`, `c++`, `clang`, `go`, `rustc`, `cargo`, `javac`, `tcc`,
//! versioned names such as `gcc-12` too).
//!
//! ## Why it matters
//! Build tools make the image larger, add packages to patch, and let an attacker build
//! exploits inside the container. They belong in a build stage of a multi-stage build.
//!
//! ## Example
//! ```yaml
//! has_config: true
//! files:
//!   - {path: /usr/bin/git, mode: 0o755, layer: 1, present: true} # finding
//!   - {path: /usr/bin/gcc-12, mode: 0o755, layer: 1, present: true} # finding
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
    id: "STK1105",
    name: "image-build-tool-present",
    category: Category::Image,
    severity: Severity::Low,
    default_on: true,
    summary: "git, make or a compiler in the image",
    remediation: "Build in one stage and copy only the artifacts into the final stage (`COPY --from=build`).",
    references: &[],
    aliases: &[],
    run: crate::Run::Image(run),
};

fn run(ctx: &ImageContext, out: &mut Emit) {
    helpers::flag_tools(ctx, out, Tool::Build, "build tool");
}
