//! ## What it does
//! Flags `WORKDIR` paths that are not absolute (`/app`, `C:\app`) and do not start with a
//! variable.
//!
//! ## Why it matters
//! A relative `WORKDIR` is resolved against the previous one, which depends on the base
//! image and on every earlier `WORKDIR`: moving a line changes where files land.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! WORKDIR app # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM alpine:3.20
//! WORKDIR /app
//! ```
//!
//! ## Options
//! None.

use super::helpers;
use crate::{Category, Check, DockerfileContext, Emit};
use stockade_dockerfile::Kind;
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1017",
    name: "dockerfile-workdir-relative",
    category: Category::Dockerfile,
    severity: Severity::Low,
    default_on: true,
    summary: "WORKDIR with a relative path",
    remediation: "Use an absolute path: `WORKDIR /app`.",
    references: &[],
    aliases: &["hadolint:DL3000", "trivy:DS-0009"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for inst in df.instructions.iter().filter(|i| i.kind == Kind::Workdir) {
        let p = inst.args().trim().trim_matches('"');
        let windows = p.len() >= 2 && p.as_bytes()[1] == b':';
        if !(p.starts_with('/') || p.starts_with('$') || windows || p.starts_with('\\')) {
            out.at_pos(
                inst.args_pos(),
                helpers::path(df, inst),
                stockade_model::format_exact!("WORKDIR `{p}` is relative"),
            );
        }
    }
}
