//! ## What it does
//! Flags `useradd -u <uid>` with a UID of six or more digits and without `-l`/`--no-log-init`.
//!
//! ## Why it matters
//! `useradd` writes the user's entry into the sparse files `/var/log/lastlog` and
//! `faillog` at an offset proportional to the UID; image layers do not keep files sparse, so a
//! large UID adds gigabytes of zeros to the image.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12.7
//! RUN useradd -u 1000000 app # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM debian:12.7
//! RUN useradd -l -u 1000000 app
//! ```
//!
//! ## Options
//! None.
//!
//! ## Compared with hadolint and Trivy
//! hadolint flags any `-u` value longer than five characters, including variables
//! such as `$ARGOCD_USER_ID` whose value is small; Stockade only flags literal UIDs of six or
//! more digits.

use stockade_model::Severity;

use super::helpers;
use crate::{Category, Check, DockerfileContext, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1026",
    name: "dockerfile-useradd-high-uid",
    category: Category::Dockerfile,
    severity: Severity::Low,
    default_on: true,
    summary: "`useradd` with a large UID and without `-l`",
    remediation: "Add `-l` (`--no-log-init`) to `useradd`, or use a UID below 100000.",
    references: &[],
    aliases: &["hadolint:DL3046"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for (inst, cmds) in helpers::runs(df) {
        for cmd in cmds.iter().filter(|c| c.program() == "useradd") {
            if cmd.has_flag(&["-l", "--no-log-init"]) {
                continue;
            }
            let args = cmd.args();
            let uid = args
                .iter()
                .enumerate()
                .find_map(|(i, w)| match w.text.as_str() {
                    "-u" | "--uid" => args.get(i + 1),
                    t if t.starts_with("--uid=") => Some(w),
                    _ => None,
                });
            let Some(uid) = uid else { continue };
            let value = uid.text.trim_start_matches("--uid=");
            if value.len() > 5 && value.bytes().all(|b| b.is_ascii_digit()) {
                out.at_pos(
                    uid.pos,
                    helpers::path(df, inst),
                    stockade_model::format_exact!(
                        "`useradd` with UID {value} without `-l` bloats the image"
                    ),
                );
            }
        }
    }
}
