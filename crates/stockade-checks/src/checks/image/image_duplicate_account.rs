//! ## What it does
//! Flags accounts of `/etc/passwd` that share a UID or a name with an earlier one, and groups
//! of `/etc/group` that share a GID or a name with an earlier one.
//!
//! ## Why it matters
//! The kernel only knows numbers: two users with one UID are the same user, whatever their
//! names, so files, processes and audit records of one are the other's. A second UID 0
//! account is a hidden root; a duplicate name makes logins and `chown` resolve to whichever
//! line comes first.
//!
//! ## Example
//! ```yaml
//! has_config: true
//! account_files: {/etc/passwd: "root:x:0:0:root:/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\n"} # finding
//! ```
//! Fixed:
//! ```yaml
//! has_config: true
//! account_files: {/etc/passwd: "root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/app:/sbin/nologin\n"}
//! ```
//!
//! ## Options
//! None.

use foldhash::{HashMap, HashMapExt};

use super::helpers;
use crate::{Category, Check, Emit, ImageContext};
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1115",
    name: "image-duplicate-account",
    category: Category::Image,
    severity: Severity::Low,
    default_on: true,
    summary: "Duplicate UID, GID, user or group name in the image",
    remediation: "Give every user and group its own ID and name: remove or renumber the duplicate entry in /etc/passwd or /etc/group.",
    references: &[],
    aliases: &["dockle:DKL-LI-0002"],
    run: crate::Run::Image(run),
};

fn run(ctx: &ImageContext, out: &mut Emit) {
    for (path, id_name) in [("/etc/passwd", "UID"), ("/etc/group", "GID")] {
        let what = if path == "/etc/passwd" {
            "user"
        } else {
            "group"
        };
        let mut ids: HashMap<&str, (&str, usize)> = HashMap::new();
        let mut names: HashMap<&str, usize> = HashMap::new();
        for (line, fields) in helpers::account_records(ctx.image, path) {
            let name = fields[0];
            if let Some(first) = names.get(name) {
                out.image(
                    path,
                    stockade_model::format_exact!(
                        "{what} name `{name}` on line {line} is already used on line {first}"
                    ),
                );
            } else {
                names.insert(name, line);
            }
            let Some(id) = fields.get(2).filter(|id| !id.is_empty()) else {
                continue;
            };
            match ids.get(id) {
                Some((other, first)) if *other != name => out.image(
                    path,
                    stockade_model::format_exact!(
                        "{id_name} {id} of {what} `{name}` (line {line}) is also that of `{other}` (line {first})"
                    ),
                ),
                Some(_) => {}
                None => {
                    ids.insert(id, (name, line));
                }
            }
        }
    }
}
