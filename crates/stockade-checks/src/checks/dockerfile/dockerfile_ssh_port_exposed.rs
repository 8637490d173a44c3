//! ## What it does
//! Flags `EXPOSE 22` (with or without `/tcp`, also inside a range).
//!
//! ## Why it matters
//! An SSH server in a container is a second way in that bypasses the platform's access
//! control and audit, with keys or passwords baked into the image.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12.7
//! EXPOSE 80 22 # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM debian:12.7
//! EXPOSE 80
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
    id: "STK1014",
    name: "dockerfile-ssh-port-exposed",
    category: Category::Dockerfile,
    severity: Severity::Medium,
    default_on: true,
    summary: "EXPOSE 22 (SSH)",
    remediation: "Do not run SSH in a container; use `kubectl exec` or `docker exec` for access, and remove `EXPOSE 22`.",
    references: &[],
    aliases: &["trivy:DS-0004"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for inst in df.instructions.iter().filter(|i| i.kind == Kind::Expose) {
        for w in inst.words() {
            let port = w.text.split('/').next().unwrap_or("");
            let (lo, hi) = port.split_once('-').unwrap_or((port, port));
            if let (Ok(lo), Ok(hi)) = (lo.parse::<u32>(), hi.parse::<u32>())
                && (lo..=hi).contains(&22)
            {
                out.at_pos(
                    w.pos,
                    helpers::path(df, inst),
                    stockade_model::format_exact!("EXPOSE `{}` opens the SSH port", w.text),
                );
            }
        }
    }
}
