//! ## What it does
//! Flags the second and later `CMD`, `ENTRYPOINT` or `HEALTHCHECK` of one stage.
//!
//! ## Why it matters
//! Only the last one takes effect. The earlier ones mislead readers about what the image
//! runs or how its health is judged.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! CMD ["sh"]
//! CMD ["/bin/app"] # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM alpine:3.20
//! CMD ["/bin/app"]
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
    id: "STK1018",
    name: "dockerfile-instruction-repeated",
    category: Category::Dockerfile,
    severity: Severity::Medium,
    default_on: true,
    summary: "More than one CMD, ENTRYPOINT or HEALTHCHECK in a stage",
    remediation: "Keep one `CMD`, one `ENTRYPOINT` and one `HEALTHCHECK` per stage; delete the ones that have no effect.",
    references: &[],
    aliases: &[
        "hadolint:DL4003",
        "hadolint:DL4004",
        "hadolint:DL3012",
        "trivy:DS-0016",
        "trivy:DS-0007",
        "trivy:DS-0023",
    ],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for stage in &df.stages {
        for kind in [Kind::Cmd, Kind::Entrypoint, Kind::Healthcheck] {
            let all: Vec<_> = df
                .stage_instructions(stage)
                .iter()
                .filter(|i| i.kind == kind)
                .collect();
            for inst in all.iter().skip(1) {
                out.at_pos(
                    inst.pos,
                    helpers::path(df, inst),
                    stockade_model::format_exact!(
                        "{} repeated in stage {} (line {} is overridden)",
                        kind.as_str(),
                        df.stage_label(stage.index),
                        all[0].pos.line
                    ),
                );
            }
        }
    }
}
