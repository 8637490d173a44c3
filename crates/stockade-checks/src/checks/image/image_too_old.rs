//! ## What it does
//! Flags an image built more than `image-max-age-days` days ago (default 90), by the
//! `created` time of its configuration. Opt-in: reproducible builds set `created` to a fixed
//! date (often 1970-01-01), which says nothing about the age of the packages in it.
//!
//! ## Why it matters
//! Base images get security fixes every week; an image that is not rebuilt keeps every
//! vulnerability fixed since. Rebuilding regularly is the cheapest way to pick the fixes up.
//!
//! ## Example
//! ```yaml
//! has_config: true
//! created: "2020-01-01T00:00:00Z" # finding
//! ```
//! Fixed:
//! ```yaml
//! has_config: true
//! created: "2999-01-01T00:00:00Z"
//! ```
//!
//! ## Options
//! `image-max-age-days` sets the age limit in days.

use super::helpers;
use crate::{Category, Check, Emit, ImageContext};
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1111",
    name: "image-too-old",
    category: Category::Image,
    severity: Severity::Low,
    default_on: false,
    summary: "Image built longer ago than the configured age",
    remediation: "Rebuild and redeploy images on a schedule (weekly, or whenever the base image changes), not only when the application changes.",
    references: &[],
    aliases: &[],
    run: crate::Run::Image(run),
};

fn run(ctx: &ImageContext, out: &mut Emit) {
    let Some(created) = &ctx.image.created else {
        return;
    };
    let Some(day) = helpers::epoch_days(created) else {
        return;
    };
    let max = i64::from(ctx.options.image_max_age_days.unwrap_or(90));
    let age = ctx.now.div_euclid(86_400) - day;
    if age > max {
        out.image(
            "created",
            stockade_model::format_exact!(
                "image was built {age} days ago ({created}), more than {max}"
            ),
        );
    }
}
