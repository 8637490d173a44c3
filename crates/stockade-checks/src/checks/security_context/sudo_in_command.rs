//! ## What it does
//! Flags containers (regular, init and ephemeral) whose `command` or `args` run `sudo`: an
//! item that is `sudo`, or a shell line with `sudo` as a word.
//!
//! ## Why it matters
//! `sudo` in an entrypoint means the image carries a setuid binary and a sudoers policy that
//! let the container's user become root. Any process that gets code execution in the
//! container can do the same. Build the image so the process starts with the rights it needs.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: worker
//! spec:
//!   containers:
//!     - name: worker
//!       image: worker:3.2.0
//!       command: ["sh", "-c", "sudo chown app /data && exec worker"] # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: worker
//! spec:
//!   securityContext:
//!     fsGroup: 10001
//!   containers:
//!     - name: worker
//!       image: worker:3.2.0
//!       command: ["worker"]
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK023",
    name: "sudo-in-command",
    category: Category::SecurityContext,
    severity: Severity::Medium,
    default_on: true,
    summary: "Container entrypoint runs sudo",
    remediation: "Remove `sudo` from the command; give the process the rights it needs through the image and its securityContext.",
    references: &[],
    aliases: &["kubescape:C-0062"],
    run: crate::Run::Object(run),
};

fn runs_sudo(s: &str) -> bool {
    s.split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '`'))
        .any(|w| w == "sudo" || w.ends_with("/sudo"))
}

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        for field in ["command", "args"] {
            let Some(list) = c.node.get(field) else {
                continue;
            };
            if list
                .items()
                .iter()
                .any(|i| i.as_str().is_some_and(runs_sudo))
            {
                out.container(
                    c,
                    Some((list, &stockade_model::format_exact!("{}.{field}", c.path))),
                    stockade_model::format_exact!("{} runs sudo in its {field}", c.label()),
                );
            }
        }
    }
}
