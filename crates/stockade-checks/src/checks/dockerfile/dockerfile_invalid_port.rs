//! ## What it does
//! Flags `EXPOSE` arguments that are not a port or port range from 0 to 65535 with an
//! optional `/tcp`, `/udp` or `/sctp`. Variables (`$PORT`) are left alone.
//!
//! ## Why it matters
//! The build fails on them, or worse, a typo exposes a different port than intended.
//!
//! ## Example
//! ```dockerfile
//! FROM nginx:1.27.3
//! EXPOSE 80800 # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM nginx:1.27.3
//! EXPOSE 8080
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
    id: "STK1015",
    name: "dockerfile-invalid-port",
    category: Category::Dockerfile,
    severity: Severity::Medium,
    default_on: true,
    summary: "EXPOSE of a port outside 0-65535 or not a port",
    remediation: "Expose a port number between 0 and 65535, optionally with `/tcp`, `/udp` or `/sctp`.",
    references: &[],
    aliases: &["hadolint:DL3011", "trivy:DS-0008"],
    run: crate::Run::Dockerfile(run),
};

fn valid(p: &str) -> bool {
    let (port, proto) = p.split_once('/').unwrap_or((p, "tcp"));
    if !matches!(proto.to_ascii_lowercase().as_str(), "tcp" | "udp" | "sctp") {
        return false;
    }
    let (lo, hi) = port.split_once('-').unwrap_or((port, port));
    matches!((lo.parse::<u32>(), hi.parse::<u32>()), (Ok(a), Ok(b)) if a <= b && b <= 65535)
}

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for inst in df.instructions.iter().filter(|i| i.kind == Kind::Expose) {
        for w in inst.words() {
            if !w.text.contains('$') && !valid(&w.text) {
                out.at_pos(
                    w.pos,
                    helpers::path(df, inst),
                    stockade_model::format_exact!("EXPOSE `{}` is not a valid port", w.text),
                );
            }
        }
    }
}
