//! ## What it does
//! Flags `FROM --platform=<value>` unless the value is a variable such as
//! `$BUILDPLATFORM` or `$TARGETPLATFORM`.
//!
//! ## Why it matters
//! A fixed platform builds an image for that architecture whatever the build targets: on
//! another architecture it runs under emulation or not at all.
//!
//! ## Example
//! ```dockerfile
//! FROM --platform=linux/amd64 debian:12.7 # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM --platform=$BUILDPLATFORM golang:1.22 AS build
//! FROM debian:12.7
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers;
use crate::{Category, Check, DockerfileContext, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1033",
    name: "dockerfile-from-platform-flag",
    category: Category::Dockerfile,
    severity: Severity::Low,
    default_on: true,
    summary: "FROM with a fixed `--platform`",
    remediation: "Drop `--platform`, or use `--platform=$BUILDPLATFORM` / `$TARGETPLATFORM` in cross-compiling stages.",
    references: &[],
    aliases: &["hadolint:DL3029"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for stage in &df.stages {
        let from = &df.instructions[stage.from];
        if let Some(f) = from.flag("platform")
            && f.value.as_deref().is_some_and(|v| !v.contains('$'))
        {
            out.at_pos(
                f.pos,
                helpers::path(df, from),
                stockade_model::format_exact!(
                    "FROM --platform={} pins the architecture",
                    f.value.as_deref().unwrap_or("")
                ),
            );
        }
    }
}
