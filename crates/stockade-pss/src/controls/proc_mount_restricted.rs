//! `procMount_restricted` (restricted, v1.35+): the v1.0 `procMount` rule without the user
//! namespace relaxation; replaces `procMount` at restricted level.

use super::Ctx;
use super::proc_mount::default_proc_mount_only;
use crate::{Control, Level, Violation};

pub(super) const CONTROL: Control = super::control(
    "procMount_restricted",
    Level::Restricted,
    "/proc Mount Type (restricted)",
    35,
    &["procMount"],
    eval,
);

fn eval(ctx: &Ctx<'_, '_>, _minor: u32) -> Option<Violation> {
    default_proc_mount_only(ctx, CONTROL.id)
}
