//! ## What it does
//! Flags each setuid or setgid file of the final image. The usual ones a distribution ships
//! for logging in and changing passwords (`su`, `passwd`, `chsh`, `chfn`, `newgrp`,
//! `gpasswd`, `mount`, `umount`, `chage`, `expiry`, `unix_chkpwd`, `pam_extrausers_chkpwd`,
//! `ssh-keysign`) are reported at `info`; any other at the check's severity.
//!
//! ## Why it matters
//! A setuid-root binary runs as root whoever starts it: a bug in it turns a non-root
//! container process into root. Containers need none of them; `allowPrivilegeEscalation:
//! false` blocks the gain, but only where the pod sets it.
//!
//! ## Example
//! ```yaml
//! has_config: true
//! files:
//!   - {path: /usr/local/bin/helper, mode: 0o4755, layer: 1, present: true} # finding
//!   - {path: /usr/bin/passwd, mode: 0o4755, layer: 0, present: true} # finding
//! ```
//! Fixed:
//! ```yaml
//! has_config: true
//! files:
//!   - {path: /usr/local/bin/helper, mode: 0o755, layer: 1, present: true}
//! ```
//!
//! ## Options
//! None.

use super::helpers;
use crate::{Category, Check, Emit, ImageContext};
use stockade_model::Severity;
use stockade_model::image::EntryKind;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1107",
    name: "image-setuid-file",
    category: Category::Image,
    severity: Severity::Medium,
    default_on: true,
    summary: "Setuid or setgid file in the image",
    remediation: "Remove the setuid and setgid bits in the last layer: `RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`.",
    references: &["CIS Docker Benchmark 4.8"],
    aliases: &["dockle:CIS-DI-0008"],
    run: crate::Run::Image(run),
};

const USUAL: &[&str] = &[
    "su",
    "passwd",
    "chsh",
    "chfn",
    "newgrp",
    "gpasswd",
    "mount",
    "umount",
    "chage",
    "expiry",
    "unix_chkpwd",
    "pam_extrausers_chkpwd",
    "ssh-keysign",
];

fn run(ctx: &ImageContext, out: &mut Emit) {
    for f in &ctx.image.files {
        if !f.present || f.kind != EntryKind::File || f.mode & 0o6000 == 0 {
            continue;
        }
        let bits = match (f.mode & 0o4000 != 0, f.mode & 0o2000 != 0) {
            (true, true) => "setuid and setgid",
            (true, false) => "setuid",
            _ => "setgid",
        };
        let owner = if f.mode & 0o4000 != 0 {
            stockade_model::format_exact!(" (owner uid {})", f.uid)
        } else {
            stockade_model::format_exact!(" (group gid {})", f.gid)
        };
        let message = stockade_model::format_exact!(
            "{bits} file, mode {:04o}{owner}{}",
            f.mode & 0o7777,
            helpers::layer(f.layer)
        );
        if USUAL.contains(&helpers::base(&f.path)) {
            out.image_with(f.path.clone(), Severity::Info, message);
        } else {
            out.image(f.path.clone(), message);
        }
    }
}
