//! ## What it does
//! Flags each account of `/etc/shadow` (and of BSD's `/etc/master.passwd`) whose password
//! field is empty. A locked account (`!`, `*`, `!!`) is fine; an empty field means "no
//! password needed".
//!
//! ## Why it matters
//! Anyone who gets a shell in the container can become that user with `su` and no password;
//! for `root` that is a full privilege escalation inside the container (CVE-2019-5021: the
//! Alpine images shipped a root account with an empty password for three years).
//!
//! ## Example
//! ```yaml
//! has_config: true
//! account_files: {/etc/shadow: "root::19000:0:99999:7:::\nbin:!:19000::::::\n"} # finding
//! ```
//! Fixed:
//! ```yaml
//! has_config: true
//! account_files: {/etc/shadow: "root:!:19000:0:99999:7:::\nbin:!:19000::::::\n"}
//! ```
//!
//! ## Options
//! None.

use super::helpers;
use crate::{Category, Check, Emit, ImageContext};
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1114",
    name: "image-empty-password",
    category: Category::Image,
    severity: Severity::High,
    default_on: true,
    summary: "Account with an empty password in the image",
    remediation: "Lock the account in the image: `RUN passwd -l root` (or `usermod -p '!' root`), or put `!` in its /etc/shadow password field.",
    references: &["CVE-2019-5021"],
    aliases: &["dockle:DKL-LI-0001"],
    run: crate::Run::Image(run),
};

fn run(ctx: &ImageContext, out: &mut Emit) {
    for path in ["/etc/shadow", "/etc/master.passwd"] {
        for (line, fields) in helpers::account_records(ctx.image, path) {
            if fields.len() > 1 && fields[1].is_empty() {
                out.image(
                    path,
                    stockade_model::format_exact!(
                        "account `{}` has an empty password (line {line})",
                        fields[0]
                    ),
                );
            }
        }
    }
}
