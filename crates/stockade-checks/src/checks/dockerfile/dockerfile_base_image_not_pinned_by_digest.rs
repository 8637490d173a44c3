//! ## What it does
//! Flags `FROM` lines whose image carries no `@sha256:` digest. Opt-in: enable it with
//! `--enable dockerfile-base-image-not-pinned-by-digest`.
//!
//! ## Why it matters
//! A tag can be moved to another image at any time; only a digest names exactly one image.
//! Digest pins make builds reproducible and stop a compromised registry account from changing
//! what you build on.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12.7 # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM debian:12.7@sha256:e83913597ca9deb9d699316a9a9d806c2a87ed61195ac66ae0a8ac55089a84b9
//! ```
//!
//! ## Options
//! None.

use super::helpers;
use crate::checks::images::helpers::ImageRef;
use crate::{Category, Check, DockerfileContext, Emit};
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1003",
    name: "dockerfile-base-image-not-pinned-by-digest",
    category: Category::Dockerfile,
    severity: Severity::Low,
    default_on: false,
    summary: "FROM an image that is not pinned by digest",
    remediation: "Pin the base image by digest (`debian:12.7@sha256:...`) and let a bot (Renovate, Dependabot) update it.",
    references: &[],
    aliases: &[],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for stage in &df.stages {
        let Some(image) = helpers::external_image(stage) else {
            continue;
        };
        if ImageRef::parse(image).digest.is_none() {
            let from = &df.instructions[stage.from];
            out.at_pos(
                stage.base_pos,
                helpers::path(df, from),
                stockade_model::format_exact!("base image `{image}` is not pinned by digest"),
            );
        }
    }
}
