//! ## What it does
//! Flags the first use of the second download tool when a Dockerfile uses both `curl` and
//! `wget`.
//!
//! ## Why it matters
//! Each tool is one more package in the image (and one more tool an attacker can use);
//! using two for the same job only adds size and attack surface.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12.7
//! RUN curl -fsSLo /a https://example.com/a
//! RUN wget -q https://example.com/b # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM debian:12.7
//! RUN curl -fsSLo /a https://example.com/a
//! RUN curl -fsSLo /b https://example.com/b
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers;
use crate::{Category, Check, DockerfileContext, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1031",
    name: "dockerfile-curl-and-wget",
    category: Category::Dockerfile,
    severity: Severity::Info,
    default_on: true,
    summary: "Both curl and wget used",
    remediation: "Pick one download tool for the whole Dockerfile (curl is usually already needed).",
    references: &[],
    aliases: &["hadolint:DL4001", "trivy:DS-0014"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    let mut first: Option<&str> = None;
    for (inst, cmds) in helpers::runs(df) {
        for cmd in &cmds {
            let p = match cmd.program() {
                "curl" => "curl",
                "wget" => "wget",
                _ => continue,
            };
            match first {
                None => first = Some(p),
                Some(f) if f != p => {
                    out.at_pos(
                        cmd.effective()[0].pos,
                        helpers::path(df, inst),
                        stockade_model::format_exact!("`{p}` used although `{f}` is used too"),
                    );
                    return;
                }
                _ => {}
            }
        }
    }
}
