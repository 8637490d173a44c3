//! ## What it does
//! Flags `WORKDIR` set to `/proc`, `/sys`, `/dev`, `/boot`, `/initrd`, `/lost+found` or
//! below them.
//!
//! ## Why it matters
//! These directories are filled by the kernel or the runtime at start: files the build puts
//! there are hidden or clash with system files, and the application then writes into them.
//!
//! ## Example
//! ```dockerfile
//! FROM alpine:3.20
//! WORKDIR /proc/app # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM alpine:3.20
//! WORKDIR /srv/app
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
    id: "STK1032",
    name: "dockerfile-workdir-system-dir",
    category: Category::Dockerfile,
    severity: Severity::High,
    default_on: true,
    summary: "WORKDIR in a system directory",
    remediation: "Use a directory of your own, such as `/app` or `/srv/app`.",
    references: &[],
    aliases: &["trivy:DS-0030"],
    run: crate::Run::Dockerfile(run),
};

const SYSTEM: &[&str] = &["/proc", "/sys", "/dev", "/boot", "/initrd", "/lost+found"];

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for inst in df.instructions.iter().filter(|i| i.kind == Kind::Workdir) {
        let p = inst.args().trim().trim_matches('"').trim_end_matches('/');
        if SYSTEM
            .iter()
            .any(|s| p == *s || p.strip_prefix(s).is_some_and(|r| r.starts_with('/')))
        {
            out.at_pos(
                inst.args_pos(),
                helpers::path(df, inst),
                stockade_model::format_exact!("WORKDIR `{p}` is a system directory"),
            );
        }
    }
}
