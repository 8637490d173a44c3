//! ## What it does
//! Flags a final stage that neither sets `HEALTHCHECK` nor builds on a stage that does.
//! Opt-in: Kubernetes ignores `HEALTHCHECK` and uses probes instead, so this matters for images
//! also run by Docker, Compose or Swarm.
//!
//! ## Why it matters
//! Without a health check, Docker reports a hung process as running and never restarts it.
//!
//! ## Example
//! ```dockerfile
//! FROM nginx:1.27.3 # finding
//! COPY site /usr/share/nginx/html
//! ```
//! Fixed:
//! ```dockerfile
//! FROM nginx:1.27.3
//! COPY site /usr/share/nginx/html
//! HEALTHCHECK CMD ["curl", "-fsS", "http://localhost/"]
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
    id: "STK1016",
    name: "dockerfile-healthcheck-missing",
    category: Category::Dockerfile,
    severity: Severity::Low,
    default_on: false,
    summary: "Final stage has no HEALTHCHECK",
    remediation: "Add `HEALTHCHECK CMD ...` (or `HEALTHCHECK NONE` to say none is wanted). In Kubernetes, liveness and readiness probes replace it.",
    references: &[],
    aliases: &["hadolint:DL3057", "trivy:DS-0026"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    let Some(last) = df.final_stage() else { return };
    let mut stage = Some(last);
    while let Some(s) = stage {
        if df
            .stage_instructions(s)
            .iter()
            .any(|i| i.kind == Kind::Healthcheck)
        {
            return;
        }
        stage = s.base_stage.and_then(|b| df.stages.get(b));
    }
    let from = &df.instructions[last.from];
    out.at_pos(
        from.pos,
        helpers::path(df, from),
        "final stage has no HEALTHCHECK",
    );
}
