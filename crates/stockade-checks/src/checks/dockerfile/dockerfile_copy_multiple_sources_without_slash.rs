//! ## What it does
//! Flags `COPY`/`ADD` with more than one source whose destination does not end in `/`.
//!
//! ## Why it matters
//! The build fails ("When using COPY with more than one source file, the destination must
//! be a directory and end with a /").
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! COPY a.conf b.conf /etc/app # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM alpine:3.20
//! COPY a.conf b.conf /etc/app/
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
    id: "STK1027",
    name: "dockerfile-copy-multiple-sources-without-slash",
    category: Category::Dockerfile,
    severity: Severity::Medium,
    default_on: true,
    summary: "COPY or ADD of several sources to a destination without a trailing `/`",
    remediation: "End the destination with `/` when copying several sources: `COPY a b /dest/`.",
    references: &[],
    aliases: &["hadolint:DL3021", "trivy:DS-0011"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for inst in df
        .instructions
        .iter()
        .filter(|i| matches!(i.kind, Kind::Copy | Kind::Add))
    {
        if !inst.heredocs.is_empty() || helpers::copy_sources(inst).len() < 2 {
            continue;
        }
        let Some(dest) = helpers::copy_dest(inst) else {
            continue;
        };
        if !dest.text.ends_with('/') && !dest.text.ends_with('\\') && !dest.text.contains('$') {
            out.at_pos(
                dest.pos,
                helpers::path(df, inst),
                stockade_model::format_exact!(
                    "{} of several sources to `{}`, which does not end with `/`",
                    inst.kind.as_str(),
                    dest.text
                ),
            );
        }
    }
}
