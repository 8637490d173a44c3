//! ## What it does
//! Flags `ADD` whose sources are local files or folders that are not tar archives, where
//! `COPY` does the same thing without `ADD`'s extra behaviour. Remote URLs are the subject of
//! `dockerfile-add-remote-url`.
//!
//! ## Why it matters
//! `ADD` silently unpacks archives and fetches URLs. Using it for plain files hides which of
//! those a line relies on, and a file renamed to `.tar` changes what the build does.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! ADD app.py /srv/ # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM alpine:3.20
//! COPY app.py /srv/
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
    id: "STK1004",
    name: "dockerfile-add-instead-of-copy",
    category: Category::Dockerfile,
    severity: Severity::Low,
    default_on: true,
    summary: "ADD used to copy local files",
    remediation: "Use `COPY` for local files and folders; keep `ADD` for extracting a local tar archive.",
    references: &[],
    aliases: &["hadolint:DL3020", "trivy:DS-0005"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for inst in df.instructions.iter().filter(|i| i.kind == Kind::Add) {
        let sources = helpers::copy_sources(inst);
        if sources.is_empty()
            || sources
                .iter()
                .any(|s| helpers::is_remote(&s.text) || helpers::is_archive(&s.text))
        {
            continue;
        }
        out.at_pos(
            inst.pos,
            helpers::path(df, inst),
            stockade_model::format_exact!("ADD copies local `{}`: use COPY", sources[0].text),
        );
    }
}
