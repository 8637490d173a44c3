//! `hostPathVolumes` (baseline, v1.0+): no `hostPath` volumes. At restricted level
//! `restrictedVolumes` replaces it.

use super::{Ctx, at, item_field, join_quote, pluralize, string};
use crate::{Control, Level, Violation};

pub(super) const CONTROL: Control = super::control(
    "hostPathVolumes",
    Level::Baseline,
    "HostPath Volumes",
    0,
    &[],
    eval,
);

fn eval(ctx: &Ctx<'_, '_>, _minor: u32) -> Option<Violation> {
    let mut names = Vec::new();
    let mut first = None;
    let volumes = ctx.spec_at(&["volumes"])?;
    for (i, v) in volumes.items().iter().enumerate() {
        if let Some(hp) = at(v, &["hostPath"]) {
            names.push(string(v, &["name"]));
            if first.is_none() {
                let (path, _) = item_field(&ctx.pod.path, &["volumes"], i, v);
                first = Some((stockade_model::format_exact!("{path}.hostPath"), hp.pos));
            }
        }
    }
    let first = first?;
    super::violation(
        CONTROL.id,
        "hostPath volumes",
        stockade_model::format_exact!(
            "{} {}",
            pluralize("volume", "volumes", names.len()),
            join_quote(&names)
        ),
        first,
    )
}
