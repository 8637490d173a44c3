//! ## What it does
//! Flags `COPY --from=<name>` when `<name>` is the stage the `COPY` is in, or is neither an
//! earlier stage (by name or index) nor something that reads as an image reference (it has a
//! tag, digest, registry or path). Variables are left alone.
//!
//! ## Why it matters
//! BuildKit reads an unknown name as an image on Docker Hub: a typo in a stage name silently
//! copies files from whatever image of that name someone published. A stage cannot copy from
//! itself.
//!
//! ## Example
//! ```dockerfile
//! FROM golang:1.22 AS build
//! RUN go build -o /app .
//! FROM alpine:3.20
//! COPY --from=buidl /app /app # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM golang:1.22 AS build
//! RUN go build -o /app .
//! FROM alpine:3.20
//! COPY --from=build /app /app
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
    id: "STK1022",
    name: "dockerfile-copy-from-unknown-stage",
    category: Category::Dockerfile,
    severity: Severity::Medium,
    default_on: true,
    summary: "COPY --from names no earlier stage, or its own stage",
    remediation: "Point `--from` at an earlier stage name or index, or at a full image reference with a tag.",
    references: &[],
    aliases: &["hadolint:DL3022", "hadolint:DL3023", "trivy:DS-0006"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for inst in df
        .instructions
        .iter()
        .filter(|i| matches!(i.kind, Kind::Copy | Kind::Add))
    {
        let (Some(flag), Some(stage)) = (inst.flag("from"), inst.stage) else {
            continue;
        };
        let Some(value) = flag.value.as_deref() else {
            continue;
        };
        if value.contains('$') {
            continue;
        }
        let own = df.stages[stage].name.as_deref() == Some(value.to_ascii_lowercase().as_str());
        let message = if own {
            stockade_model::format_exact!("COPY --from=`{value}` names its own stage")
        } else if helpers::earlier_stage(df, value, stage) || value.contains([':', '@', '/', '.']) {
            continue;
        } else {
            stockade_model::format_exact!(
                "COPY --from=`{value}` is not an earlier stage; BuildKit would pull an image named `{value}`"
            )
        };
        out.at_pos(flag.pos, helpers::path(df, inst), message);
    }
}
