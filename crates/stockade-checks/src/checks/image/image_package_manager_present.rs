//! ## What it does
//! Flags each package manager on the `PATH` directories of the final image: `apt`, `apt-get`,
//! `dpkg`, `apk`, `yum`, `dnf`, `microdnf`, `rpm`, `zypper`, `pip`, `pip3`, `npm`.
//!
//! ## Why it matters
//! A package manager lets an attacker install whatever they need (compilers, scanners,
//! network tools) in a running container, and it is rarely needed after the build.
//!
//! ## Example
//! ```yaml
//! has_config: true
//! files:
//!   - {path: /usr/bin/apt-get, mode: 0o755, layer: 0, present: true} # finding
//!   - {path: /usr/bin/dpkg, mode: 0o755, layer: 0, present: true} # finding
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
    id: "STK1103",
    name: "image-package-manager-present",
    category: Category::Image,
    severity: Severity::Low,
    default_on: true,
    summary: "Package manager in the image",
    remediation: "Install packages in a build stage and copy the result into a distroless or scratch final stage, or remove the package manager in the last layer that needs it.",
    references: &[],
    aliases: &[],
    run: crate::Run::Image(run),
};

fn run(ctx: &ImageContext, out: &mut Emit) {
    helpers::flag_tools(ctx, out, Tool::PackageManager, "package manager");
}
