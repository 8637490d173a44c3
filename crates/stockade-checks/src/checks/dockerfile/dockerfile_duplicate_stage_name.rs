//! ## What it does
//! Flags a `FROM ... AS name` whose name (compared case-insensitively, as BuildKit does) an
//! earlier stage already uses.
//!
//! ## Why it matters
//! BuildKit rejects the Dockerfile; older builders silently used one of the two stages for
//! `COPY --from`, producing an image from the wrong files.
//!
//! ## Example
//! ```dockerfile
//! FROM golang:1.22 AS build
//! FROM node:22.11 AS BUILD # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM golang:1.22 AS build-go
//! FROM node:22.11 AS build-ui
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers;
use crate::{Category, Check, DockerfileContext, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1023",
    name: "dockerfile-duplicate-stage-name",
    category: Category::Dockerfile,
    severity: Severity::High,
    default_on: true,
    summary: "Two stages with the same name",
    remediation: "Give every stage a unique `AS` name.",
    references: &[],
    aliases: &["hadolint:DL3024", "trivy:DS-0012"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for (i, stage) in df.stages.iter().enumerate() {
        let (Some(name), Some(pos)) = (&stage.name, stage.name_pos) else {
            continue;
        };
        if let Some(first) = df.stages[..i]
            .iter()
            .find(|s| s.name.as_ref() == Some(name))
        {
            let from = &df.instructions[stage.from];
            out.at_pos(
                pos,
                helpers::path(df, from),
                stockade_model::format_exact!(
                    "stage name `{name}` is already used on line {}",
                    df.instructions[first.from].pos.line
                ),
            );
        }
    }
}
