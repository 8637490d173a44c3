//! ## What it does
//! Flags `COPY`/`ADD` with a relative destination in a stage where no `WORKDIR` has been set
//! yet (in the stage or a stage it builds on).
//!
//! ## Why it matters
//! The destination is then relative to the base image's working directory, which the base
//! image can change in any release.
//!
//! ## Example
//! ```dockerfile
//! FROM node:22.11
//! COPY package.json . # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM node:22.11
//! WORKDIR /app
//! COPY package.json .
//! ```
//!
//! ## Options
//! None.
//!
//! ## Compared with hadolint and Trivy
//! hadolint's DL3045 looks at `COPY` only; Stockade also flags `ADD`, whose destination is
//! resolved the same way.

use super::helpers;
use crate::{Category, Check, DockerfileContext, Emit};
use stockade_dockerfile::Kind;
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1029",
    name: "dockerfile-copy-relative-without-workdir",
    category: Category::Dockerfile,
    severity: Severity::Low,
    default_on: true,
    summary: "COPY to a relative destination before any WORKDIR",
    remediation: "Set `WORKDIR` first, or give an absolute destination.",
    references: &[],
    aliases: &["hadolint:DL3045"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for stage in &df.stages {
        let mut workdir = {
            let mut s = stage.base_stage.and_then(|b| df.stages.get(b));
            let mut found = false;
            while let Some(st) = s {
                if df
                    .stage_instructions(st)
                    .iter()
                    .any(|i| i.kind == Kind::Workdir)
                {
                    found = true;
                    break;
                }
                s = st.base_stage.and_then(|b| df.stages.get(b));
            }
            found
        };
        for inst in df.stage_instructions(stage) {
            match inst.kind {
                Kind::Workdir => workdir = true,
                Kind::Copy | Kind::Add if !workdir => {
                    let Some(dest) = helpers::copy_dest(inst) else {
                        continue;
                    };
                    let d = dest.text.as_str();
                    let windows = d.len() >= 2 && d.as_bytes()[1] == b':';
                    if !(d.starts_with('/') || d.starts_with('$') || d.starts_with('\\') || windows)
                    {
                        out.at_pos(
                            dest.pos,
                            helpers::path(df, inst),
                            stockade_model::format_exact!(
                                "{} to relative `{d}` with no WORKDIR set",
                                inst.kind.as_str()
                            ),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}
