//! ## What it does
//! Flags the final stage of a Dockerfile (the image `docker build` produces) when its last
//! `USER` is `root` or `0`, or when neither it nor the stage it builds `FROM` sets a `USER` at all.
//! Base images named `...nonroot...` (distroless `:nonroot`, Chainguard) already run as non-root
//! and are not flagged for a missing `USER`.
//!
//! ## Why it matters
//! A container that runs as root turns any code execution bug into root inside the container,
//! one kernel or runtime bug away from the node. Kubernetes can force a non-root user, but only if
//! the image works without root; setting `USER` in the image makes that the default everywhere.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12.7
//! RUN useradd -r app
//! USER root # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM debian:12.7
//! RUN useradd -r app
//! USER app
//! ```
//!
//! ## Options
//! None.
//!
//! ## Compared with hadolint and Trivy
//! hadolint's DL3002 flags only an explicit `USER root`; Trivy's DS-0002 also flags a
//! missing `USER`, as this check does. Stockade follows `FROM <earlier stage>` chains (a `USER`
//! set in the stage the final one builds on counts) and trusts base images named `nonroot`.

use super::helpers;
use crate::{Category, Check, DockerfileContext, Emit};
use stockade_dockerfile::Kind;
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1001",
    name: "dockerfile-user-root",
    category: Category::Dockerfile,
    severity: Severity::Medium,
    default_on: true,
    summary: "Final stage runs as root: no USER, or USER root",
    remediation: "Add `USER <non-root uid>` (for example `USER 10001`) after the last step that needs root in the final stage.",
    references: &[],
    aliases: &["hadolint:DL3002", "trivy:DS-0002"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    let Some(last) = df.final_stage() else { return };
    // Follow the chain of stages the final stage builds on: a USER there is inherited.
    let mut stage = Some(last);
    while let Some(s) = stage {
        let user = df
            .stage_instructions(s)
            .iter()
            .rev()
            .find(|i| i.kind == Kind::User);
        if let Some(u) = user {
            let name = u.args().trim();
            let who = name.split(':').next().unwrap_or("");
            if who == "root" || who == "0" {
                out.at_pos(
                    u.args_pos(),
                    helpers::path(df, u),
                    stockade_model::format_exact!("final stage runs as `{name}`"),
                );
            }
            return;
        }
        stage = s.base_stage.and_then(|b| df.stages.get(b));
    }
    let from = &df.instructions[last.from];
    if last.image.as_deref().is_some_and(|i| i.contains("nonroot")) {
        return;
    }
    out.at_pos(
        from.pos,
        helpers::path(df, from),
        "final stage sets no USER, so it runs as the base image's user (root unless the base image says otherwise)",
    );
}
