//! ## What it does
//! Flags `CMD` and `ENTRYPOINT` written in shell form (`CMD /bin/app --port 80`).
//!
//! ## Why it matters
//! The shell form runs the program under `/bin/sh -c`: the shell is PID 1, it does not pass
//! `SIGTERM` on, so the container is killed after the grace period instead of shutting down
//! cleanly, and the image needs a shell.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! ENTRYPOINT /bin/app --port 80 # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM alpine:3.20
//! ENTRYPOINT ["/bin/app", "--port", "80"]
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
    id: "STK1019",
    name: "dockerfile-shell-form-command",
    category: Category::Dockerfile,
    severity: Severity::Low,
    default_on: true,
    summary: "CMD or ENTRYPOINT in shell form",
    remediation: "Use the JSON (exec) form: `CMD [\"/bin/app\", \"--port\", \"80\"]`.",
    references: &[],
    aliases: &["hadolint:DL3025"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for inst in &df.instructions {
        if matches!(inst.kind, Kind::Cmd | Kind::Entrypoint) && inst.is_shell_form() {
            out.at_pos(
                inst.args_pos(),
                helpers::path(df, inst),
                stockade_model::format_exact!(
                    "{} in shell form runs under `/bin/sh -c`",
                    inst.kind.as_str()
                ),
            );
        }
    }
}
