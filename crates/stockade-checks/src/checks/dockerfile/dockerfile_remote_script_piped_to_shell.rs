//! ## What it does
//! Flags pipelines in `RUN` where `curl` or `wget` output goes into a shell or interpreter
//! (`sh`, `bash`, `zsh`, `python`, `perl`, `ruby`, `node`), as in `curl -sSL URL | sh`.
//!
//! ## Why it matters
//! Whatever the server sends at build time runs as root in the build, unverified: a
//! compromised or spoofed server owns the image. Nothing records which script ran.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12.7
//! RUN curl -fsSL https://get.example.com | sh # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM debian:12.7
//! RUN curl -fsSLo /tmp/get.sh https://get.example.com \
//!     && echo "6f2b1e3b5dc4c1f1e3f5f0e6c0b8f4a1d9a9c3e7b5a2f1e0d9c8b7a6f5e4d3c2  /tmp/get.sh" | sha256sum -c - \
//!     && sh /tmp/get.sh
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers;
use crate::{Category, Check, DockerfileContext, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1012",
    name: "dockerfile-remote-script-piped-to-shell",
    category: Category::Dockerfile,
    severity: Severity::High,
    default_on: true,
    summary: "Script downloaded and piped straight into a shell",
    remediation: "Download to a file, verify its checksum or signature, then run it: `curl -fsSLo x.sh URL && echo \"SHA  x.sh\" | sha256sum -c && sh x.sh`.",
    references: &[],
    aliases: &[],
    run: crate::Run::Dockerfile(run),
};

const SHELLS: &[&str] = &[
    "sh", "bash", "zsh", "ash", "dash", "ksh", "python", "python3", "perl", "ruby", "node",
];

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for (inst, cmds) in helpers::runs(df) {
        for (i, cmd) in cmds.iter().enumerate() {
            if !matches!(cmd.program(), "curl" | "wget") {
                continue;
            }
            let into_shell = cmds[i + 1..]
                .iter()
                .take_while(|c| c.pipeline == cmd.pipeline)
                .any(|c| SHELLS.contains(&c.program()));
            if into_shell {
                let w = &cmd.effective()[0];
                out.at_pos(
                    w.pos,
                    helpers::path(df, inst),
                    stockade_model::format_exact!(
                        "`{}` output is piped into a shell",
                        cmd.program()
                    ),
                );
            }
        }
    }
}
