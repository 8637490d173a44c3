//! ## What it does
//! Flags a shell-form `RUN` with a pipeline (also inside a command substitution) when neither
//! an earlier `SHELL` in the stage nor the script itself sets `-o pipefail`.
//!
//! ## Why it matters
//! Without `pipefail`, a pipeline succeeds when its last command does: `curl URL | tar x`
//! passes with a failed download, and the build goes on with missing files.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12.7
//! RUN curl -fsSL https://example.com/x.tgz | tar xz # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM debian:12.7
//! SHELL ["/bin/bash", "-o", "pipefail", "-c"]
//! RUN curl -fsSL https://example.com/x.tgz | tar xz
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
    id: "STK1030",
    name: "dockerfile-pipe-without-pipefail",
    category: Category::Dockerfile,
    severity: Severity::Low,
    default_on: true,
    summary: "RUN with a pipe and no `pipefail`",
    remediation: "Add `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before the RUN, or start the script with `set -o pipefail`.",
    references: &[],
    aliases: &["hadolint:DL4006"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for stage in &df.stages {
        let mut pipefail = false;
        for inst in df.stage_instructions(stage) {
            match inst.kind {
                Kind::Shell => {
                    pipefail = inst.args().contains("pipefail");
                }
                Kind::Run if !pipefail && inst.is_shell_form() => {
                    let cmds = inst.commands();
                    let sets = cmds.iter().any(|c| {
                        c.program() == "set"
                            && c.args()
                                .iter()
                                .any(|w| w.text == "pipefail" || w.text.contains("pipefail"))
                    });
                    if sets {
                        continue;
                    }
                    // A pipe inside a command substitution (`$(ls | grep x)`) counts too.
                    let at = cmds
                        .iter()
                        .find(|c| c.stage == 1)
                        .map(|c| &c.words[0])
                        .or_else(|| {
                            cmds.iter().flat_map(|c| &c.words).find(|w| {
                                (w.text.contains("$(") || w.text.contains('`'))
                                    && w.text.contains('|')
                            })
                        });
                    if let Some(w) = at {
                        out.at_pos(w.pos, helpers::path(df, inst), "RUN pipes without `set -o pipefail`: a failure before the last command is ignored");
                    }
                }
                _ => {}
            }
        }
    }
}
