//! ## What it does
//! Flags `MAINTAINER`, deprecated since Docker 1.13.
//!
//! ## Why it matters
//! Tools read the author from the OCI label; `MAINTAINER` is kept only for old Dockerfiles
//! and may stop working.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! MAINTAINER ops@example.com # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM alpine:3.20
//! LABEL org.opencontainers.image.authors="ops@example.com"
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
    id: "STK1021",
    name: "dockerfile-maintainer-deprecated",
    category: Category::Dockerfile,
    severity: Severity::Info,
    default_on: true,
    summary: "Deprecated MAINTAINER instruction",
    remediation: "Use `LABEL org.opencontainers.image.authors=\"...\"`.",
    references: &[],
    aliases: &["hadolint:DL4000", "trivy:DS-0022"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for inst in df
        .instructions
        .iter()
        .filter(|i| i.kind == Kind::Maintainer)
    {
        out.at_pos(
            inst.pos,
            helpers::path(df, inst),
            "MAINTAINER is deprecated: use the org.opencontainers.image.authors label",
        );
    }
}
