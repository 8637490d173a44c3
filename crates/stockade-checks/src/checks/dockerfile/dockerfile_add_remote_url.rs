//! ## What it does
//! Flags `ADD https://...` (and `ADD git@...`/`.git` sources) that has no `--checksum` flag.
//!
//! ## Why it matters
//! What a URL serves can change between builds, and `ADD` neither verifies it nor leaves a
//! record of what was fetched. A checksum pins the content; without one, a compromised server
//! puts its code into your image.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! ADD https://example.com/tool.tgz /tmp/ # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM alpine:3.20
//! ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tgz /tmp/
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
    id: "STK1005",
    name: "dockerfile-add-remote-url",
    category: Category::Dockerfile,
    severity: Severity::Medium,
    default_on: true,
    summary: "ADD downloads a remote URL without a checksum",
    remediation: "Download with `curl -fsSLo` and verify a checksum in the same RUN, or give `ADD --checksum=sha256:...`.",
    references: &[],
    aliases: &[],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for inst in df.instructions.iter().filter(|i| i.kind == Kind::Add) {
        if inst.flag("checksum").is_some() {
            continue;
        }
        for s in helpers::copy_sources(inst) {
            if helpers::is_remote(&s.text) {
                out.at_pos(
                    s.pos,
                    helpers::path(df, inst),
                    stockade_model::format_exact!("ADD downloads `{}` without --checksum", s.text),
                );
            }
        }
    }
}
